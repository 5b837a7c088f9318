//! IAM identity policies, roles and their trust policies, and policy attachments:
//! what principals of the account may do to S3, and who may become them. Also the
//! other principals the access graph draws: users, groups, instance profiles,
//! compute that runs as a role (Lambda functions, ECS tasks, EC2 instances) and
//! identity providers, with the links between them (group membership, runs as).

use super::bucket::Bucket;
use super::policy::{Effect, PolicyDocument, Statement, allows_action, resource_matches};
use super::value::{BucketRef, Hole, Node, Text, Tri};
use crate::source::Span;
use std::collections::HashMap;

/// The kinds of IAM entity and compute the model keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EntityKind {
    Role,
    User,
    Group,
    InstanceProfile,
    /// A Lambda function (`aws_lambda_function`, `AWS::Lambda::Function`,
    /// `AWS::Serverless::Function`).
    Function,
    /// An ECS task definition's task role.
    Task,
    /// An EC2 instance or launch template, through its instance profile.
    Instance,
    OidcProvider,
    SamlProvider,
}

/// IAM entities that code refers to by name or ARN: the kind in their ARN
/// (`arn:aws:iam::ACCOUNT:KIND/NAME`), Terraform type and name attribute,
/// CloudFormation type and name property, and whether `Ref` gives the ARN.
pub const IAM_ENTITIES: [(&str, &str, &str, &str, &str, bool); 7] = [
    (
        "role",
        "aws_iam_role",
        "name",
        "AWS::IAM::Role",
        "RoleName",
        false,
    ),
    (
        "user",
        "aws_iam_user",
        "name",
        "AWS::IAM::User",
        "UserName",
        false,
    ),
    (
        "group",
        "aws_iam_group",
        "name",
        "AWS::IAM::Group",
        "GroupName",
        false,
    ),
    (
        "policy",
        "aws_iam_policy",
        "name",
        "AWS::IAM::ManagedPolicy",
        "ManagedPolicyName",
        true,
    ),
    (
        "instance-profile",
        "aws_iam_instance_profile",
        "name",
        "AWS::IAM::InstanceProfile",
        "InstanceProfileName",
        false,
    ),
    (
        "oidc-provider",
        "aws_iam_openid_connect_provider",
        "url",
        "AWS::IAM::OIDCProvider",
        "Url",
        true,
    ),
    (
        "saml-provider",
        "aws_iam_saml_provider",
        "name",
        "AWS::IAM::SAMLProvider",
        "Name",
        true,
    ),
];

/// An OIDC provider's name in its ARN is its URL without the scheme.
pub fn entity_name(kind: &str, name: Text) -> Text {
    match name.raw().strip_prefix("https://") {
        Some(_) if kind == "oidc-provider" => name.slice(8..name.raw().len()),
        _ => name,
    }
}

/// A user, group, instance profile, compute resource or identity provider (roles
/// are [`Role`]s, with their trust policy).
#[derive(Debug, Clone, PartialEq)]
pub struct Principal {
    pub kind: EntityKind,
    pub scope: String,
    pub address: String,
    pub key: BucketRef,
    /// The literal name (an OIDC provider's URL without the scheme).
    pub name: Option<String>,
    pub decl: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LinkKind {
    /// Users are members of groups (and hold the groups' policies).
    MemberOf,
    /// Compute runs as a role, or as an instance profile that holds one.
    RunsAs,
}

/// Each entity of `from` is linked to each entity of `to`: group memberships
/// (`aws_iam_group_membership`, a user's `Groups`) and what compute runs as
/// (a function's role, an instance's profile, a profile's roles).
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub kind: LinkKind,
    pub scope: String,
    pub address: String,
    pub span: Span,
    pub from: Vec<(EntityKind, EntityRef)>,
    pub to: Vec<(EntityKind, EntityRef)>,
}

/// A role, user or group as policies and attachments refer to it: the literal name,
/// or the resource a name hole stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntityRef {
    Name(String),
    Resource(BucketRef),
    Unknown,
}

impl EntityRef {
    /// Reads a reference written as a name (`aws_iam_role.r.name`, `!Ref Role`) or
    /// an ARN (`...:role/NAME`).
    pub fn from_text(t: &Text) -> EntityRef {
        if let Some(lit) = t.as_lit() {
            let name = lit.rsplit(['/', ':']).next().unwrap_or(lit);
            return EntityRef::Name(name.to_string());
        }
        // An ARN whose only unknowns are the partition and account
        // (`aws_iam_policy.p.arn` of a named policy): its name is literal.
        if let Some(tail) = t.lit_after_account() {
            let name = tail.rsplit(['/', ':']).next().unwrap_or(tail);
            if !name.is_empty() && tail.contains(['/', ':']) {
                return EntityRef::Name(name.to_string());
            }
        }
        match t
            .holes()
            .iter()
            .rev()
            .find(|h| !matches!(h, Hole::AccountId | Hole::Partition))
        {
            Some(Hole::Name(r)) if t.raw().ends_with(super::value::HOLE_CHAR) => {
                EntityRef::Resource(r.clone())
            }
            _ => EntityRef::Unknown,
        }
    }

    /// The references of `kind` a value holds: one text, or a list of them; a value
    /// known only at apply is one unknown reference.
    pub fn all_in(kind: EntityKind, node: &Node) -> Vec<(EntityKind, EntityRef)> {
        match node.as_text() {
            Some(t) => vec![(kind, EntityRef::from_text(t))],
            None if node.is_unknown() => vec![(kind, EntityRef::Unknown)],
            None => node
                .items()
                .iter()
                .map(|i| {
                    let r = i.as_text().map_or(EntityRef::Unknown, EntityRef::from_text);
                    (kind, r)
                })
                .collect(),
        }
    }

    /// Does this reference designate the entity `key` named `name`?
    pub fn is(&self, key: &BucketRef, name: Option<&str>) -> Tri {
        match self {
            EntityRef::Resource(r) => Tri::from_bool(r == key),
            EntityRef::Name(n) => match name {
                Some(own) => Tri::from_bool(own == n),
                None => Tri::No,
            },
            EntityRef::Unknown => Tri::Unknown,
        }
    }
}

/// An identity-based policy: a managed policy, an inline policy of a role, user or
/// group, or one of a role's `inline_policy` / `Policies` entries.
#[derive(Debug, Clone, PartialEq)]
pub struct IdentityPolicy {
    pub scope: String,
    /// The resource that declares it (with the inline policy's name for an entry of
    /// a role's policy list).
    pub address: String,
    /// The declaring resource's identity: managed policy attachments refer to it.
    pub key: BucketRef,
    pub name: Option<String>,
    pub decl: Span,
    /// `None` when the document cannot be determined.
    pub document: Option<PolicyDocument>,
    /// Where the policy document is written.
    pub span: Span,
    /// The roles, users and groups it applies to, as written (inline policies,
    /// `Roles`, `Users`, `Groups` lists).
    pub holders: Vec<(EntityKind, EntityRef)>,
}

/// A managed policy ARN attached to roles (`aws_iam_role_policy_attachment`,
/// `aws_iam_policy_attachment`, `managed_policy_arns`, `ManagedPolicyArns`).
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyAttachment {
    pub scope: String,
    pub address: String,
    pub policy_arn: Text,
    pub span: Span,
    pub holders: Vec<(EntityKind, EntityRef)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Role {
    pub scope: String,
    pub address: String,
    pub key: BucketRef,
    pub name: Option<String>,
    pub decl: Span,
    /// The trust (assume role) policy; `None` when it cannot be determined.
    pub trust: Option<PolicyDocument>,
    pub trust_span: Span,
}

/// What a policy attachment's ARN names.
#[derive(Debug, Clone, Copy)]
pub enum Attached<'m> {
    /// An AWS managed policy that grants S3 access (its name).
    AwsS3(&'m str),
    /// Another AWS managed policy: no S3 access.
    AwsOther,
    /// A customer managed policy of the scan.
    Scan(&'m IdentityPolicy),
    /// An ARN known only at apply.
    Unknown,
    /// A policy declared outside the scan.
    Elsewhere,
}

/// AWS managed policies (by name) that grant S3 access.
pub fn aws_managed_s3_policy(arn: &str) -> Option<&str> {
    let name = arn.strip_prefix("arn:")?.split_once(":iam::aws:policy/")?.1;
    let name = name.rsplit('/').next().unwrap_or(name);
    (name.starts_with("AmazonS3") || name == "AdministratorAccess" || name == "PowerUserAccess")
        .then_some(name)
}

impl IdentityPolicy {
    /// Does the policy allow any S3 action? `Unknown` if it cannot be read.
    pub fn grants_s3(&self) -> Tri {
        let Some(doc) = &self.document else {
            return Tri::Unknown;
        };
        let any = Tri::any(doc.statements.iter().map(|st| {
            if st.effect != Some(Effect::Allow) {
                return Tri::No;
            }
            match &st.action {
                Some(a) => [
                    "s3:GetObject",
                    "s3:PutObject",
                    "s3:ListBucket",
                    "s3:DeleteObject",
                ]
                .iter()
                .fold(Tri::No, |acc, x| acc.or(allows_action(a, x))),
                None => Tri::No,
            }
        }));
        if doc.incomplete {
            any.or(Tri::Unknown)
        } else {
            any
        }
    }
}

impl super::Model {
    /// Does any policy attached to the role (inline, attached managed policy, AWS
    /// managed S3 policy) allow S3 actions?
    pub fn role_grants_s3(&self, role: &Role) -> Tri {
        let applies = |refs: &[(EntityKind, EntityRef)]| {
            Tri::any(
                refs.iter()
                    .filter(|(k, _)| *k == EntityKind::Role)
                    .map(|(_, r)| r.is(&role.key, role.name.as_deref())),
            )
        };
        let inline = self
            .identity_policies
            .iter()
            .filter(|p| p.scope == role.scope)
            .map(|p| applies(&p.holders).and(p.grants_s3()));
        let attached = self
            .policy_attachments
            .iter()
            .filter(|a| a.scope == role.scope)
            .map(|a| {
                let grants = match self.attached(a) {
                    Attached::AwsS3(_) => Tri::Yes,
                    Attached::Scan(p) => p.grants_s3(),
                    Attached::Unknown => Tri::Unknown,
                    Attached::AwsOther | Attached::Elsewhere => Tri::No,
                };
                applies(&a.holders).and(grants)
            });
        Tri::any(inline.chain(attached))
    }
}

/// A bucket's ARN as code refers to it (`aws_s3_bucket.b.arn`: its name's hole) and,
/// when its name is literal, as written (`arn:aws:s3:::NAME`).
fn bucket_arns(b: &Bucket) -> [Text; 2] {
    let arn = |name: &Text| {
        let mut t = Text::lit("arn:aws:s3:::");
        t.push(name);
        t
    };
    let by_reference = arn(&Text::hole(Hole::BucketName(b.key.clone())));
    let written = b.name.get().map_or_else(|| by_reference.clone(), arn);
    [by_reference, written]
}

/// The bucket part of a resource pattern: up to its first `/` (`.../incoming/*`
/// reaches the bucket's objects, so the bucket).
fn bucket_part(p: &Text) -> Text {
    let raw = p.raw();
    let after = raw.find(":::").map_or(0, |i| i + 3);
    match raw[after..].find('/') {
        Some(i) => p.slice(0..after + i),
        None => p.clone(),
    }
}

/// Does one resource pattern's bucket part (see [`bucket_part`]) reach bucket `b`?
fn pattern_reaches(p: &Text, b: &Bucket, arns: &[Text; 2]) -> Tri {
    // `aws_s3_bucket.b.arn`, `!GetAtt B.Arn`: that bucket and no other.
    if let Some(Hole::BucketName(named)) = p.holes().last()
        && p.raw().ends_with(super::value::HOLE_CHAR)
    {
        return Tri::from_bool(*named == b.key);
    }
    Tri::any(arns.iter().map(|a| resource_matches(p, a)))
}

/// The answer for a statement's `Resource` from its patterns' answers.
fn resource_answer(r: &super::policy::Items, hit: Tri) -> Tri {
    let hit = if r.unknown { hit.or(Tri::Unknown) } else { hit };
    if r.not { !hit } else { hit }
}

/// Does an identity policy statement's `Resource` cover bucket `b` or some of its
/// objects (AWS's wildcards; a reference to a bucket of the scan is that bucket)?
pub fn statement_reaches(st: &Statement, b: &Bucket) -> Tri {
    let Some(r) = &st.resource else {
        return Tri::No;
    };
    let arns = bucket_arns(b);
    let hit = Tri::any(
        r.values
            .iter()
            .map(|(p, _)| pattern_reaches(&bucket_part(p), b, &arns)),
    );
    resource_answer(r, hit)
}

/// [`statement_reaches`] for many buckets at once: each bucket's ARNs built once,
/// and a literal pattern (`arn:aws:s3:::logs/*`) or a reference looked up rather
/// than matched against every bucket, so an organisation of a thousand roles and a
/// thousand buckets stays linear in what it writes.
pub struct Reach<'m> {
    buckets: Vec<&'m Bucket>,
    arns: Vec<[Text; 2]>,
    by_key: HashMap<&'m BucketRef, usize>,
    by_name: HashMap<&'m str, Vec<usize>>,
    /// Buckets whose name is not literal: a literal pattern may still be them.
    unnamed: Vec<usize>,
}

impl<'m> Reach<'m> {
    pub fn new(buckets: impl IntoIterator<Item = &'m Bucket>) -> Reach<'m> {
        let buckets: Vec<&Bucket> = buckets.into_iter().collect();
        let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut unnamed = Vec::new();
        for (i, b) in buckets.iter().enumerate() {
            match b.name.get().and_then(Text::as_lit) {
                Some(n) => by_name.entry(n).or_default().push(i),
                None => unnamed.push(i),
            }
        }
        Reach {
            arns: buckets.iter().map(|b| bucket_arns(b)).collect(),
            by_key: buckets
                .iter()
                .enumerate()
                .map(|(i, b)| (&b.key, i))
                .collect(),
            buckets,
            by_name,
            unnamed,
        }
    }

    /// The buckets (by index in the order given) a statement's `Resource` may reach,
    /// with the answer for each; the others are not reached.
    pub fn statement(&self, st: &Statement) -> Vec<(usize, Tri)> {
        let Some(r) = &st.resource else {
            return Vec::new();
        };
        let mut hits: HashMap<usize, Tri> = HashMap::new();
        let mut all = r.not || r.unknown;
        for (p, _) in &r.values {
            let p = bucket_part(p);
            let candidates: Vec<usize> = match (p.holes().last(), p.as_lit()) {
                (Some(Hole::BucketName(named)), _)
                    if p.raw().ends_with(super::value::HOLE_CHAR) =>
                {
                    self.by_key.get(named).copied().into_iter().collect()
                }
                (_, Some(lit)) if !lit.contains(['*', '?']) => {
                    let name = lit.rsplit(":::").next().unwrap_or(lit);
                    let named = self.by_name.get(name).into_iter().flatten().copied();
                    named.chain(self.unnamed.iter().copied()).collect()
                }
                _ => {
                    all = true;
                    break;
                }
            };
            for i in candidates {
                let t = pattern_reaches(&p, self.buckets[i], &self.arns[i]);
                let e = hits.entry(i).or_insert(Tri::No);
                *e = e.or(t);
            }
        }
        if all {
            // Wildcards, `NotResource` or unknowns: every bucket, one by one.
            return (0..self.buckets.len())
                .map(|i| {
                    let hit = Tri::any(r.values.iter().map(|(p, _)| {
                        pattern_reaches(&bucket_part(p), self.buckets[i], &self.arns[i])
                    }));
                    (i, resource_answer(r, hit))
                })
                .filter(|(_, t)| *t != Tri::No)
                .collect();
        }
        let mut out: Vec<(usize, Tri)> = hits
            .into_iter()
            .map(|(i, hit)| (i, resource_answer(r, hit)))
            .filter(|(_, t)| *t != Tri::No)
            .collect();
        out.sort_unstable_by_key(|(i, _)| *i);
        out
    }
}

/// A role or a [`Principal`], as the graph and rules resolve references to them.
#[derive(Debug, Clone, Copy)]
pub struct Entity<'m> {
    pub kind: EntityKind,
    pub scope: &'m str,
    pub address: &'m str,
    pub key: &'m BucketRef,
    pub name: Option<&'m str>,
    pub decl: Span,
}

impl super::Model {
    /// Every role and principal.
    pub fn entities(&self) -> impl Iterator<Item = Entity<'_>> {
        let roles = self.roles.iter().map(|r| Entity {
            kind: EntityKind::Role,
            scope: &r.scope,
            address: &r.address,
            key: &r.key,
            name: r.name.as_deref(),
            decl: r.decl,
        });
        roles.chain(self.principals.iter().map(|p| Entity {
            kind: p.kind,
            scope: &p.scope,
            address: &p.address,
            key: &p.key,
            name: p.name.as_deref(),
            decl: p.decl,
        }))
    }

    /// The entities of `scope` a reference may designate, with the answer (a name
    /// known only at apply may be any of its kind).
    pub fn designated<'m>(
        &'m self,
        scope: &'m str,
        (kind, r): &'m (EntityKind, EntityRef),
    ) -> impl Iterator<Item = (Entity<'m>, Tri)> + 'm {
        self.entities().filter_map(move |e| {
            if e.kind != *kind || e.scope != scope {
                return None;
            }
            let t = r.is(e.key, e.name);
            (t != Tri::No).then_some((e, t))
        })
    }

    /// What an attachment's policy ARN names.
    pub fn attached<'m>(&'m self, a: &'m PolicyAttachment) -> Attached<'m> {
        if let Some(arn) = a.policy_arn.as_lit() {
            if let Some(name) = aws_managed_s3_policy(arn) {
                return Attached::AwsS3(name);
            }
            if arn.contains(":iam::aws:policy/") {
                return Attached::AwsOther;
            }
        }
        let target = EntityRef::from_text(&a.policy_arn);
        let resolved = !a
            .policy_arn
            .holes()
            .iter()
            .any(|h| matches!(h, Hole::Unknown));
        let found = resolved
            .then(|| {
                self.identity_policies.iter().find(|p| {
                    p.scope == a.scope && target.is(&p.key, p.name.as_deref()) == Tri::Yes
                })
            })
            .flatten();
        match found {
            Some(p) => Attached::Scan(p),
            None if target == EntityRef::Unknown => Attached::Unknown,
            None => Attached::Elsewhere,
        }
    }

    /// The entities that `refs` (of `scope`) surely designate.
    pub fn surely<'m>(
        &'m self,
        scope: &'m str,
        refs: impl IntoIterator<Item = &'m (EntityKind, EntityRef)>,
    ) -> Vec<Entity<'m>> {
        refs.into_iter()
            .flat_map(|h| self.designated(scope, h))
            .filter(|(_, t)| *t == Tri::Yes)
            .map(|(e, _)| e)
            .collect()
    }

    /// The roles, users and groups that surely hold a policy: named by it (inline,
    /// `Roles`), or attached to it as a customer managed policy.
    pub fn holders_of<'m>(&'m self, p: &'m IdentityPolicy) -> Vec<Entity<'m>> {
        let attached = self
            .policy_attachments
            .iter()
            .filter(|a| matches!(self.attached(a), Attached::Scan(q) if std::ptr::eq(q, p)))
            .flat_map(|a| &a.holders);
        let mut out = self.surely(&p.scope, p.holders.iter().chain(attached));
        out.sort_by_key(|e| e.address);
        out.dedup_by_key(|e| e.address);
        out
    }

    /// The compute that surely runs as a role (directly, or through an instance
    /// profile that holds it).
    pub fn runs_as<'m>(&'m self, role: &Entity<'m>) -> Vec<&'m str> {
        let runs = |target: &Entity<'m>| {
            let from = self
                .links
                .iter()
                .filter(|l| l.kind == LinkKind::RunsAs && l.scope == target.scope)
                .filter(|l| {
                    l.to.iter().any(|(k, r)| {
                        *k == target.kind && r.is(target.key, target.name) == Tri::Yes
                    })
                })
                .flat_map(|l| &l.from);
            self.surely(target.scope, from)
        };
        let mut out = Vec::new();
        for e in runs(role) {
            if e.kind == EntityKind::InstanceProfile {
                out.extend(runs(&e).into_iter().map(|i| i.address));
            } else {
                out.push(e.address);
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}
