//! `bucketlint graph [PATH]`: who can reach each bucket, drawn from the code before
//! it is deployed. Built from the one pipeline's model: bucket policies' principals,
//! identity policies (inline, customer managed, AWS managed S3 policies) and the
//! roles they are attached to, and who may assume those roles (trust policies:
//! accounts, services, web identity providers, anyone). A link that cannot be
//! resolved is drawn as unknown, never guessed.
//!
//! Edges point the way access flows: a principal `can-assume` a role, a role holds
//! the policy `attached-to` it (the edge goes from the role to the policy), a policy
//! or a bucket policy's principal `grants` actions on a bucket.

pub mod html;
pub mod render;

use crate::Scan;
use crate::model::Model;
use crate::model::bucket::Bucket;
use crate::model::iam::{Attached, Entity, EntityKind, EntityRef, LinkKind, Reach};
use crate::model::policy::{Effect, Items, PrincipalEntry, Statement, allows_action};
use crate::model::value::Tri;
use crate::source::{Location, Sources, Span};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NodeKind {
    Bucket,
    /// An identity policy: inline, customer managed, or AWS managed.
    Policy,
    Role,
    User,
    Group,
    InstanceProfile,
    /// A Lambda function.
    Function,
    /// An ECS task definition.
    Task,
    /// An EC2 instance or launch template.
    Instance,
    /// Another AWS account, or a principal (user, role) of one, by ARN.
    Account,
    /// An AWS service (`lambda.amazonaws.com`).
    Service,
    /// A web identity or SAML provider (`token.actions.githubusercontent.com`),
    /// declared in the scan or named by a trust policy.
    Federated,
    /// `*`: anyone.
    Anyone,
    /// A principal or policy that cannot be resolved statically.
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EdgeKind {
    Grants,
    AttachedTo,
    CanAssume,
    /// A user is a member of a group.
    MemberOf,
    /// Compute runs as a role, or an instance profile.
    RunsAs,
}

#[derive(Debug, Clone, Serialize)]
pub struct Node {
    pub id: String,
    pub kind: NodeKind,
    pub label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Edge {
    pub from: String,
    pub to: String,
    pub kind: EdgeKind,
    /// The actions granted (`grants`), as written.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<String>,
    /// Conditions of the statement, as `operator key values`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<String>,
    /// The link could not be resolved (a reference or value only known at apply).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub unknown: bool,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Graph {
    pub version: u32,
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
}

/// S3 actions a statement must allow (one of) for a `grants` edge.
const S3_ACTIONS: [&str; 4] = [
    "s3:GetObject",
    "s3:PutObject",
    "s3:ListBucket",
    "s3:DeleteObject",
];

struct Builder<'a> {
    sources: &'a Sources,
    /// Addresses declared in more than one root module or template: their nodes'
    /// ids and labels name the scope too.
    ambiguous: BTreeSet<&'a str>,
    nodes: BTreeMap<String, Node>,
    edges: Vec<Edge>,
}

impl Builder<'_> {
    fn node(&mut self, id: String, kind: NodeKind, label: String, at: Option<Span>) -> String {
        let location = at.map(|s| self.sources.location(s));
        self.nodes.entry(id.clone()).or_insert(Node {
            id: id.clone(),
            kind,
            label,
            location,
        });
        id
    }

    /// The node of a resource the scan declares.
    fn declared(
        &mut self,
        kind: NodeKind,
        (scope, address): (&str, &str),
        label: String,
        at: Span,
    ) -> String {
        let kind_name = kind_name(kind);
        if self.ambiguous.contains(address) {
            let id = format!("{kind_name}:{scope}:{address}");
            self.node(id, kind, format!("{label} in {scope}"), Some(at))
        } else {
            self.node(format!("{kind_name}:{address}"), kind, label, Some(at))
        }
    }

    fn edge(
        &mut self,
        from: String,
        to: String,
        kind: EdgeKind,
        st: Option<&Statement>,
        unknown: bool,
    ) {
        let (actions, conditions) = st.map(|s| (actions(s), conditions(s))).unwrap_or_default();
        self.edges.push(Edge {
            from,
            to,
            kind,
            actions,
            conditions,
            unknown,
        });
    }

    /// The node of a policy principal entry.
    fn principal(&mut self, e: &PrincipalEntry) -> String {
        // A provider's ARN in the deploying account names it.
        let federated = e.kind == "Federated" && e.value.lit_after_account().is_some();
        let v = if federated {
            Some(e.value.raw())
        } else {
            e.value.as_lit()
        };
        let Some(v) = v else {
            return self.node(
                "unknown:principal".into(),
                NodeKind::Unknown,
                "a principal known only at apply".into(),
                None,
            );
        };
        let (kind, label) = match (e.kind.as_str(), v) {
            ("*", _) | ("AWS", "*") => (NodeKind::Anyone, "anyone (*)".to_string()),
            ("Service", s) => (NodeKind::Service, s.to_string()),
            ("Federated", f) => (
                NodeKind::Federated,
                f.rsplit(crate::model::value::HOLE_CHAR)
                    .next()
                    .unwrap_or(f)
                    .split_once(":oidc-provider/")
                    .or_else(|| f.split_once(":saml-provider/"))
                    .map_or(f, |(_, p)| p)
                    .to_string(),
            ),
            (_, a) if a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()) => {
                (NodeKind::Account, format!("account {a}"))
            }
            (_, a) => (NodeKind::Account, a.to_string()),
        };
        let id = format!("{}:{label}", kind_name(kind));
        self.node(id, kind, label, None)
    }
}

fn kind_name(k: NodeKind) -> &'static str {
    match k {
        NodeKind::Bucket => "bucket",
        NodeKind::Policy => "policy",
        NodeKind::Role => "role",
        NodeKind::User => "user",
        NodeKind::Group => "group",
        NodeKind::InstanceProfile => "instance-profile",
        NodeKind::Function => "function",
        NodeKind::Task => "task",
        NodeKind::Instance => "instance",
        NodeKind::Account => "account",
        NodeKind::Service => "service",
        NodeKind::Federated => "federated",
        NodeKind::Anyone => "anyone",
        NodeKind::Unknown => "unknown",
    }
}

fn node_kind(k: EntityKind) -> NodeKind {
    match k {
        EntityKind::Role => NodeKind::Role,
        EntityKind::User => NodeKind::User,
        EntityKind::Group => NodeKind::Group,
        EntityKind::InstanceProfile => NodeKind::InstanceProfile,
        EntityKind::Function => NodeKind::Function,
        EntityKind::Task => NodeKind::Task,
        EntityKind::Instance => NodeKind::Instance,
        EntityKind::OidcProvider | EntityKind::SamlProvider => NodeKind::Federated,
    }
}

/// The identity provider of the scan a trust policy's `Federated` principal names:
/// by reference (`aws_iam_openid_connect_provider.github.arn`, `!Ref Provider`) or
/// by ARN (`...:oidc-provider/token.actions.githubusercontent.com`).
fn provider<'m>(model: &'m Model, scope: &str, e: &PrincipalEntry) -> Option<Entity<'m>> {
    if e.kind != "Federated" {
        return None;
    }
    let named = e.value.lit_after_account().and_then(|tail| {
        tail.split_once(":oidc-provider/")
            .or_else(|| tail.split_once(":saml-provider/"))
            .map(|(_, n)| n)
    });
    let by_ref = match EntityRef::from_text(&e.value) {
        EntityRef::Resource(k) => Some(k),
        _ => None,
    };
    model.entities().find(|p| {
        matches!(p.kind, EntityKind::OidcProvider | EntityKind::SamlProvider)
            && p.scope == scope
            && (by_ref.as_ref() == Some(p.key) || (named.is_some() && named == p.name))
    })
}

/// The role or user of the scan an `AWS` principal names: by reference
/// (`aws_iam_role.app.arn`, `!GetAtt App.Arn`), or by an ARN of the deploying
/// account (`arn:aws:iam::${AWS::AccountId}:role/app`). A literal ARN names a
/// principal of whatever account it writes, which may not be this one: not
/// resolved.
fn principal_entity<'m>(model: &'m Model, scope: &str, e: &PrincipalEntry) -> Option<Entity<'m>> {
    if e.kind != "AWS" || e.value.is_lit() {
        return None;
    }
    let kind = if e.value.raw().contains(":user/") {
        EntityKind::User
    } else {
        EntityKind::Role
    };
    let target = EntityRef::from_text(&e.value);
    if target == EntityRef::Unknown {
        return None;
    }
    model
        .entities()
        .find(|x| x.kind == kind && x.scope == scope && target.is(x.key, x.name) == Tri::Yes)
}

fn items(i: &Items) -> Vec<String> {
    let mut v: Vec<String> = i
        .values
        .iter()
        .map(|(t, _)| {
            t.as_lit()
                .map_or_else(|| "(unknown)".into(), str::to_string)
        })
        .collect();
    if i.unknown {
        v.push("(unknown)".into());
    }
    if i.not {
        v = v.into_iter().map(|x| format!("not {x}")).collect();
    }
    v
}

fn actions(st: &Statement) -> Vec<String> {
    st.action.as_ref().map(items).unwrap_or_default()
}

fn conditions(st: &Statement) -> Vec<String> {
    let mut out: Vec<String> = st
        .conditions
        .iter()
        .map(|c| format!("{} {} {}", c.operator, c.key, items(&c.values).join(",")))
        .collect();
    if st.conditions_unknown {
        out.push("(conditions known only at apply)".into());
    }
    out
}

fn allows_s3(st: &Statement) -> Tri {
    match (&st.effect, &st.action) {
        (Some(Effect::Allow), Some(a)) => Tri::any(S3_ACTIONS.iter().map(|x| allows_action(a, x))),
        (None, _) => Tri::Unknown,
        _ => Tri::No,
    }
}

fn bucket_label(b: &Bucket) -> String {
    match b.literal_name() {
        Some(n) => format!("{} ({n})", b.address),
        None => b.address.clone(),
    }
}

/// Addresses that more than one scope declares.
fn ambiguous(model: &Model) -> BTreeSet<&str> {
    let mut first: BTreeMap<&str, &str> = BTreeMap::new();
    let mut out = BTreeSet::new();
    let declared = model
        .buckets
        .iter()
        .map(|b| (b.key.scope(), b.address.as_str()))
        .chain(
            model
                .identity_policies
                .iter()
                .map(|p| (p.scope.as_str(), p.address.as_str())),
        )
        .chain(model.entities().map(|e| (e.scope, e.address)));
    for (scope, address) in declared {
        if *first.entry(address).or_insert(scope) != scope {
            out.insert(address);
        }
    }
    out
}

/// The access graph of a scan that kept its model.
pub fn build(scan: &Scan) -> Graph {
    let Some(model) = &scan.model else {
        return Graph::default();
    };
    let mut g = Builder {
        sources: &scan.sources,
        ambiguous: ambiguous(model),
        nodes: BTreeMap::new(),
        edges: Vec::new(),
    };
    let buckets: Vec<(String, &Bucket)> = model
        .buckets
        .iter()
        .map(|b| {
            let id = g.declared(
                NodeKind::Bucket,
                (b.key.scope(), &b.address),
                bucket_label(b),
                b.decl,
            );
            (id, &**b)
        })
        .collect();

    // Roles, users, groups, instance profiles, compute and identity providers.
    let mut entity_ids: BTreeMap<(EntityKind, &str, &str), String> = BTreeMap::new();
    for e in model.entities() {
        let kind = node_kind(e.kind);
        let label = match e.name {
            Some(n) if !e.address.contains(n) => format!("{} ({n})", e.address),
            _ => e.address.to_string(),
        };
        let id = g.declared(kind, (e.scope, e.address), label, e.decl);
        entity_ids.insert((e.kind, e.scope, e.address), id);
    }
    // Bucket policies: their principals reach the bucket directly.
    for (id, b) in &buckets {
        for p in &b.policies {
            let Some(doc) = &p.value.document else {
                let from = g.node(
                    "unknown:policy".into(),
                    NodeKind::Unknown,
                    "a policy known only at apply".into(),
                    None,
                );
                g.edge(from, id.clone(), EdgeKind::Grants, None, true);
                continue;
            };
            for st in &doc.statements {
                if allows_s3(st) == Tri::No {
                    continue;
                }
                let unknown = allows_s3(st) == Tri::Unknown;
                match &st.principal {
                    Some(pr) if !pr.not => {
                        for e in &pr.entries {
                            let from = match principal_entity(model, b.key.scope(), e) {
                                Some(x) => entity_ids[&(x.kind, x.scope, x.address)].clone(),
                                None => g.principal(e),
                            };
                            g.edge(
                                from,
                                id.clone(),
                                EdgeKind::Grants,
                                Some(st),
                                unknown || pr.unknown,
                            );
                        }
                    }
                    // `NotPrincipal`: everyone but those named.
                    Some(_) => {
                        let from = g.node(
                            "anyone:anyone (*)".into(),
                            NodeKind::Anyone,
                            "anyone (*)".into(),
                            None,
                        );
                        g.edge(from, id.clone(), EdgeKind::Grants, Some(st), unknown);
                    }
                    None => {}
                }
            }
        }
    }

    // Identity policies: what they grant, and the roles that hold them.
    let reach = Reach::new(buckets.iter().map(|(_, b)| *b));
    let mut policy_ids: BTreeMap<(&str, &str), String> = BTreeMap::new();
    for p in &model.identity_policies {
        let id = g.declared(
            NodeKind::Policy,
            (&p.scope, &p.address),
            match &p.name {
                Some(n) if !p.address.contains(n.as_str()) => format!("{} ({n})", p.address),
                _ => p.address.clone(),
            },
            p.decl,
        );
        policy_ids.insert((&p.scope, &p.address), id.clone());
        match &p.document {
            None => {
                for (bid, _) in &buckets {
                    g.edge(id.clone(), bid.clone(), EdgeKind::Grants, None, true);
                }
            }
            Some(doc) => {
                for st in &doc.statements {
                    let s3 = allows_s3(st);
                    if s3 == Tri::No {
                        continue;
                    }
                    for (i, covered) in reach.statement(st) {
                        let reach = s3.and(covered);
                        if reach != Tri::No {
                            g.edge(
                                id.clone(),
                                buckets[i].0.clone(),
                                EdgeKind::Grants,
                                Some(st),
                                reach == Tri::Unknown,
                            );
                        }
                    }
                }
            }
        }
    }

    // The nodes a reference designates: entities of the scan, else one named as
    // written (declared elsewhere), else one known only at apply.
    let designated = |g: &mut Builder<'_>, scope: &str, h: &(EntityKind, EntityRef)| {
        let found: Vec<(String, Tri)> = model
            .designated(scope, h)
            .filter(|_| h.1 != EntityRef::Unknown)
            .map(|(e, t)| (entity_ids[&(e.kind, e.scope, e.address)].clone(), t))
            .collect();
        if !found.is_empty() {
            return found;
        }
        let kind = node_kind(h.0);
        let id = match &h.1 {
            EntityRef::Name(n) => g.node(
                format!("{}:name:{n}", kind_name(kind)),
                kind,
                format!("{n} (declared elsewhere)"),
                None,
            ),
            _ => g.node(
                format!("unknown:{}", kind_name(kind)),
                NodeKind::Unknown,
                format!("a {} known only at apply", kind_name(kind)),
                None,
            ),
        };
        vec![(id, Tri::Unknown)]
    };

    // Who holds each policy.
    for p in &model.identity_policies {
        for h in &p.holders {
            for (from, t) in designated(&mut g, &p.scope, h) {
                let to = policy_ids[&(p.scope.as_str(), p.address.as_str())].clone();
                g.edge(from, to, EdgeKind::AttachedTo, None, t == Tri::Unknown);
            }
        }
    }
    let mut unknown_policy_grants = false;
    for a in &model.policy_attachments {
        let policy = match model.attached(a) {
            Attached::AwsS3(name) => {
                let id = g.node(
                    format!("policy:aws:{name}"),
                    NodeKind::Policy,
                    format!("AWS managed {name}"),
                    None,
                );
                // Every bucket of the account.
                let read_only = name.contains("ReadOnly");
                for (bid, _) in &buckets {
                    g.edges.push(Edge {
                        from: id.clone(),
                        to: bid.clone(),
                        kind: EdgeKind::Grants,
                        actions: vec![
                            if read_only {
                                "s3:Get*, s3:List*"
                            } else {
                                "s3:*"
                            }
                            .into(),
                        ],
                        conditions: Vec::new(),
                        unknown: false,
                    });
                }
                Some(id)
            }
            Attached::Scan(p) => Some(policy_ids[&(p.scope.as_str(), p.address.as_str())].clone()),
            Attached::Unknown => {
                let id = g.node(
                    "unknown:policy".into(),
                    NodeKind::Unknown,
                    "a policy known only at apply".into(),
                    None,
                );
                // It may grant anything, on any bucket.
                if !unknown_policy_grants {
                    unknown_policy_grants = true;
                    for (bid, _) in &buckets {
                        g.edge(id.clone(), bid.clone(), EdgeKind::Grants, None, true);
                    }
                }
                Some(id)
            }
            Attached::AwsOther | Attached::Elsewhere => None,
        };
        let Some(pid) = policy else { continue };
        for h in &a.holders {
            for (from, t) in designated(&mut g, &a.scope, h) {
                // Deduplicated below: a policy held twice is one edge.
                g.edge(
                    from,
                    pid.clone(),
                    EdgeKind::AttachedTo,
                    None,
                    t == Tri::Unknown,
                );
            }
        }
    }

    // Group membership and what compute runs as.
    for l in &model.links {
        let kind = match l.kind {
            LinkKind::MemberOf => EdgeKind::MemberOf,
            LinkKind::RunsAs => EdgeKind::RunsAs,
        };
        for f in &l.from {
            let froms = designated(&mut g, &l.scope, f);
            for t in &l.to {
                for (to, tt) in designated(&mut g, &l.scope, t) {
                    for (from, ft) in &froms {
                        let unknown = ft.and(tt) == Tri::Unknown;
                        g.edge(from.clone(), to.clone(), kind, None, unknown);
                    }
                }
            }
        }
    }

    // Who may assume each role.
    for role in &model.roles {
        let rid =
            entity_ids[&(EntityKind::Role, role.scope.as_str(), role.address.as_str())].clone();
        match &role.trust {
            None => {
                let from = g.node(
                    "unknown:principal".into(),
                    NodeKind::Unknown,
                    "a principal known only at apply".into(),
                    None,
                );
                g.edge(from, rid.clone(), EdgeKind::CanAssume, None, true);
            }
            Some(trust) => {
                for st in &trust.statements {
                    if st.effect != Some(Effect::Allow) {
                        continue;
                    }
                    let assumes = st.action.as_ref().map_or(Tri::No, |a| {
                        allows_action(a, "sts:AssumeRole")
                            .or(allows_action(a, "sts:AssumeRoleWithWebIdentity"))
                            .or(allows_action(a, "sts:AssumeRoleWithSAML"))
                    });
                    if assumes == Tri::No {
                        continue;
                    }
                    for e in st.principal.iter().flat_map(|p| &p.entries) {
                        let from = match provider(model, &role.scope, e)
                            .or_else(|| principal_entity(model, &role.scope, e))
                        {
                            Some(p) => entity_ids[&(p.kind, p.scope, p.address)].clone(),
                            None => g.principal(e),
                        };
                        g.edge(
                            from,
                            rid.clone(),
                            EdgeKind::CanAssume,
                            Some(st),
                            assumes == Tri::Unknown,
                        );
                    }
                }
            }
        }
    }

    let mut edges = g.edges;
    let mut seen = BTreeSet::new();
    edges.retain(|e| {
        seen.insert((
            e.from.clone(),
            e.to.clone(),
            e.kind,
            e.actions.clone(),
            e.conditions.clone(),
        ))
    });
    // Who can reach a bucket: principals, roles and compute with no path to one
    // are left out.
    Graph {
        version: 1,
        nodes: g.nodes.into_values().collect(),
        edges,
    }
    .reaching_where(|_| true)
}

impl Graph {
    /// The part of the graph that reaches the buckets named `name` (address or bucket
    /// name): those buckets and everything with a path to them.
    #[must_use]
    pub fn reaching(&self, name: &str) -> Graph {
        let named = format!("({name})");
        self.reaching_where(|n| {
            n.id == format!("bucket:{name}")
                || n.id.ends_with(&format!(":{name}"))
                || n.label.ends_with(&named)
                || n.label.contains(&format!("{named} in "))
        })
    }

    /// The buckets `pick` keeps, and everything with a path to them.
    fn reaching_where(&self, pick: impl Fn(&Node) -> bool) -> Graph {
        let mut incoming: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for e in &self.edges {
            incoming
                .entry(e.to.as_str())
                .or_default()
                .push(e.from.as_str());
        }
        let mut keep: BTreeSet<&str> = BTreeSet::new();
        let mut pending: Vec<&str> = self
            .nodes
            .iter()
            .filter(|n| n.kind == NodeKind::Bucket && pick(n))
            .map(|n| n.id.as_str())
            .collect();
        while let Some(id) = pending.pop() {
            if keep.insert(id) {
                pending.extend(incoming.get(id).into_iter().flatten().copied());
            }
        }
        Graph {
            version: self.version,
            nodes: self
                .nodes
                .iter()
                .filter(|n| keep.contains(n.id.as_str()))
                .cloned()
                .collect(),
            edges: self
                .edges
                .iter()
                .filter(|e| keep.contains(e.from.as_str()) && keep.contains(e.to.as_str()))
                .cloned()
                .collect(),
        }
    }
}
