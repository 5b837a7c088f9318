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

pub mod render;

use crate::Scan;
use crate::model::bucket::Bucket;
use crate::model::iam::{EntityRef, Reach, aws_managed_s3_policy};
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
    /// Another AWS account, or a principal (user, role) of one, by ARN.
    Account,
    /// An AWS service (`lambda.amazonaws.com`).
    Service,
    /// A web identity or SAML provider (`token.actions.githubusercontent.com`).
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
        let Some(v) = e.value.as_lit() else {
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
                f.split_once(":oidc-provider/")
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
        NodeKind::Account => "account",
        NodeKind::Service => "service",
        NodeKind::Federated => "federated",
        NodeKind::Anyone => "anyone",
        NodeKind::Unknown => "unknown",
    }
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

/// The access graph of a scan that kept its model.
pub fn build(scan: &Scan) -> Graph {
    let mut g = Builder {
        sources: &scan.sources,
        nodes: BTreeMap::new(),
        edges: Vec::new(),
    };
    let Some(model) = &scan.model else {
        return Graph::default();
    };
    let buckets: Vec<(String, &Bucket)> = model
        .buckets
        .iter()
        .map(|b| {
            let id = g.node(
                format!("bucket:{}", b.address),
                NodeKind::Bucket,
                bucket_label(b),
                Some(b.decl),
            );
            (id, &**b)
        })
        .collect();

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
                            let from = g.principal(e);
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
    let mut policy_ids: BTreeMap<String, String> = BTreeMap::new();
    for p in &model.identity_policies {
        let id = g.node(
            format!("policy:{}", p.address),
            NodeKind::Policy,
            p.name
                .clone()
                .map_or_else(|| p.address.clone(), |n| format!("{} ({n})", p.address)),
            Some(p.decl),
        );
        policy_ids.insert(p.address.clone(), id.clone());
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

    // Roles, who may assume them, and the policies they hold.
    for role in &model.roles {
        let rid = g.node(
            format!("role:{}", role.address),
            NodeKind::Role,
            role.name.clone().map_or_else(
                || role.address.clone(),
                |n| format!("{} ({n})", role.address),
            ),
            Some(role.decl),
        );
        let holds = |refs: &[EntityRef]| {
            Tri::any(refs.iter().map(|r| r.is(&role.key, role.name.as_deref())))
        };
        for p in model
            .identity_policies
            .iter()
            .filter(|p| p.scope == role.scope)
        {
            let attached = holds(&p.roles);
            if attached != Tri::No {
                g.edge(
                    rid.clone(),
                    policy_ids[&p.address].clone(),
                    EdgeKind::AttachedTo,
                    None,
                    attached == Tri::Unknown,
                );
            }
        }
        for a in model
            .policy_attachments
            .iter()
            .filter(|a| a.scope == role.scope)
        {
            let attached = holds(&a.roles);
            if attached == Tri::No {
                continue;
            }
            let policy = match a.policy_arn.as_lit() {
                Some(arn) if aws_managed_s3_policy(arn).is_some() => {
                    let name = aws_managed_s3_policy(arn).unwrap_or(arn).to_string();
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
                Some(arn) if arn.contains(":iam::aws:policy/") => None,
                _ => match EntityRef::from_text(&a.policy_arn) {
                    EntityRef::Unknown => Some(g.node(
                        "unknown:policy".into(),
                        NodeKind::Unknown,
                        "a policy known only at apply".into(),
                        None,
                    )),
                    target => model
                        .identity_policies
                        .iter()
                        .find(|p| {
                            p.scope == a.scope && target.is(&p.key, p.name.as_deref()) == Tri::Yes
                        })
                        .map(|p| policy_ids[&p.address].clone()),
                },
            };
            if let Some(pid) = policy {
                // Deduplicated below: a policy held twice is one edge.
                g.edge(
                    rid.clone(),
                    pid,
                    EdgeKind::AttachedTo,
                    None,
                    attached == Tri::Unknown,
                );
            }
        }
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
                        let from = g.principal(e);
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
    Graph {
        version: 1,
        nodes: g.nodes.into_values().collect(),
        edges,
    }
}

impl Graph {
    /// The part of the graph that reaches the buckets named `name` (address or bucket
    /// name): those buckets and everything with a path to them.
    #[must_use]
    pub fn reaching(&self, name: &str) -> Graph {
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
            .filter(|n| {
                n.kind == NodeKind::Bucket
                    && (n.id == format!("bucket:{name}") || n.label.ends_with(&format!("({name})")))
            })
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
