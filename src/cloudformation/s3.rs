//! CloudFormation resources into the S3 model: `AWS::S3::Bucket` and its properties,
//! `AWS::S3::BucketPolicy` joined to its bucket, and `AWS::CloudTrail::Trail`.

use super::intrinsics::Resolver;
use super::sam;
use super::template::Resource;
use crate::model::backup::BackupSelection;
use crate::model::bucket::{
    Acl, Attached, Bucket, BucketPolicy, Cors, CorsRule, Encryption, EncryptionRule, Lifecycle,
    LifecycleRule, Logging, ObjectLock, Origin, Ownership, Part, PartKind, PublicAccessBlock,
    Replication, RuleStatus, Versioning, VersioningStatus, Via, tags_from_list,
};
use crate::model::iam::{
    EntityKind, EntityRef, IAM_ENTITIES, IdentityPolicy, Link, LinkKind, PolicyAttachment,
    Principal, Role,
};
use crate::model::monitoring::{Alarm, MetricFilter};
use crate::model::object::AccessPoint;
use crate::model::organizations::OrgPolicy;
use crate::model::policy::PolicyDocument;
use crate::model::trail::{self, FieldSelector, Trail};
use crate::model::validate::Invalid;
use crate::model::value::{self, Hole, Node, NodeKind, Text, Tri, Value};
use crate::model::{Attachment, Fragment, NotCreated, Target};
use crate::source::Span;

/// Resource types the model reads.
fn modelled(ty: &str) -> bool {
    ty.starts_with("AWS::S3::")
        || ty.starts_with("AWS::IAM::")
        || matches!(
            ty,
            "AWS::CloudTrail::Trail"
                | "AWS::Logs::MetricFilter"
                | "AWS::CloudWatch::Alarm"
                | "AWS::Backup::BackupSelection"
                | "AWS::CloudFront::Distribution"
                | "AWS::Organizations::Policy"
        )
        || COMPUTE.contains(&ty)
}

/// Compute whose role the access graph follows.
const COMPUTE: [&str; 5] = [
    "AWS::Lambda::Function",
    "AWS::Serverless::Function",
    "AWS::ECS::TaskDefinition",
    "AWS::EC2::Instance",
    "AWS::EC2::LaunchTemplate",
];

/// Reads the S3-relevant resources of a template in one world.
pub fn fragment(r: &Resolver<'_>) -> Fragment {
    let mut out = Fragment::default();
    for res in &r.t.resources {
        // A resource whose condition is false is not deployed: said, not checked.
        if let Some(cond) = res.node.get("Condition").and_then(Node::as_str)
            && r.condition(cond) == Tri::No
            && !r.world().assume_created
        {
            if modelled(res.ty)
                && let Some(span) = res.id.span
            {
                out.not_created.push(NotCreated {
                    span,
                    address: res.id.name.clone(),
                    reason: format!("condition `{cond}` is false"),
                });
            }
            continue;
        }
        let reader = Reader { r, res };
        match res.ty {
            "AWS::S3::Bucket" => out.buckets.push(Box::new(reader.bucket())),
            "AWS::S3::BucketPolicy" => {
                if let Some(a) = reader.bucket_policy(&mut out.invalid) {
                    out.attachments.push(Box::new(a));
                }
            }
            "AWS::CloudTrail::Trail" => out.trails.push(reader.trail()),
            "AWS::S3::AccessPoint" => out.access_points.push(reader.access_point()),
            "AWS::Logs::MetricFilter" => out.metric_filters.push(reader.metric_filter()),
            "AWS::CloudWatch::Alarm" => {
                let props = reader.properties();
                out.alarms.push(Alarm {
                    scope: r.t.scope.clone(),
                    metric: metric(&props, "Namespace", "MetricName"),
                });
            }
            "AWS::Backup::BackupSelection" => out.backups.push(reader.backup_selection()),
            "AWS::Organizations::Policy" => {
                let props = reader.properties();
                out.org_policies.push(OrgPolicy::read(
                    (r.t.scope.clone(), res.id.name.clone(), reader.decl()),
                    props.get("Type").map_or(Some("?"), Node::as_str),
                    props.get("Content"),
                ));
            }
            ty if ty.starts_with("AWS::IAM::") || COMPUTE.contains(&ty) => {
                reader.iam(ty, &mut out);
            }
            "AWS::CloudFront::Distribution" => {
                let props = reader.properties();
                if let Some(t) = props
                    .get("DistributionConfig")
                    .and_then(|c| c.get("Logging"))
                    .and_then(|l| l.get("Bucket"))
                    .and_then(Node::as_text)
                {
                    out.cloudfront_logs
                        .push((r.t.scope.clone(), Target::from_domain(t)));
                }
            }
            _ => {}
        }
    }
    out
}

struct Reader<'a, 't> {
    r: &'a Resolver<'t>,
    res: &'a Resource<'t>,
}

/// The items of list property `name`, and whether the list or an item is unknown.
fn rule_list<'n>(node: &'n Node, name: &str) -> (Vec<&'n Node>, bool) {
    match prop(node, name) {
        Some((
            Node {
                kind: NodeKind::List(items),
                ..
            },
            _,
        )) => {
            let unknown = items.iter().any(Node::is_unknown);
            (items.iter().filter(|i| !i.is_unknown()).collect(), unknown)
        }
        Some((v, _)) => (Vec::new(), v.is_unknown() || !v.is_null()),
        None => (Vec::new(), node.is_unknown()),
    }
}

/// A rule's `Status: Enabled`.
fn status(rule: &Node, at: Span) -> RuleStatus {
    let span = rule.span.unwrap_or(at);
    RuleStatus {
        enabled: Reader::string_at(rule, "Status", span)
            .map_or_else(|| Value::unknown(span), |v| v.map(|s| s == "Enabled")),
        span,
    }
}

/// A list of strings, each with its span; unknown elements stay unknown.
fn strings(node: &Node, name: &str, at: Span) -> Vec<Value<String>> {
    match prop(node, name) {
        None => Vec::new(),
        Some((v, _)) => match &v.kind {
            NodeKind::List(items) => items
                .iter()
                .map(|i| {
                    let span = i.span.unwrap_or(at);
                    value::string_value(i, span).unwrap_or_else(|| Value::unknown(span))
                })
                .collect(),
            _ => vec![Value::unknown(v.span.unwrap_or(at))],
        },
    }
}

/// `(namespace, name)` of a metric from two string properties.
fn metric(node: &Node, namespace: &str, name: &str) -> Option<(String, String)> {
    Some((
        node.get(namespace)?.as_str()?.to_string(),
        node.get(name)?.as_str()?.to_string(),
    ))
}

/// A property of a resolved map, with its key span.
fn prop<'n>(node: &'n Node, name: &str) -> Option<(&'n Node, Option<Span>)> {
    node.entries()
        .iter()
        .rev()
        .find(|(k, _)| k.name == name)
        .map(|(k, v)| (v, k.span))
}

impl Reader<'_, '_> {
    /// The logical ID key: where findings about the whole resource point.
    fn decl(&self) -> Span {
        self.res.id.span.or(self.res.node.span).unwrap_or_default()
    }

    /// The resolved `Properties` (empty when absent).
    fn properties(&self) -> Node {
        self.res.properties().map_or_else(
            || Node::new(NodeKind::Map(Vec::new()), None),
            |p| self.r.value(p),
        )
    }

    fn bool_at(node: &Node, name: &str, default: bool, fallback: Span) -> Value<bool> {
        match prop(node, name) {
            None => Value::default_of(default),
            Some((v, _)) => value::bool_value(v, v.span.unwrap_or(fallback), default),
        }
    }

    fn string_at(node: &Node, name: &str, fallback: Span) -> Option<Value<String>> {
        let (v, _) = prop(node, name)?;
        value::string_value(v, v.span.unwrap_or(fallback))
    }

    fn text_at(node: &Node, name: &str, fallback: Span) -> Option<Value<Text>> {
        let (v, _) = prop(node, name)?;
        value::text_value(v, v.span.unwrap_or(fallback))
    }

    /// A property that configures part of the bucket, pointing at its key.
    // Boxed: a `Part` holds its piece boxed.
    #[allow(clippy::unnecessary_box_returns)]
    fn attached<T>(&self, key: Option<Span>, value: T) -> Box<Attached<T>> {
        Box::new(Attached {
            value,
            span: key.unwrap_or_else(|| self.decl()),
            via: None,
        })
    }

    fn bucket(&self) -> Bucket {
        let id = &self.res.id.name;
        let decl = self.decl();
        let mut b = Bucket::new(
            self.r.bucket_ref(id),
            Origin::CloudFormation,
            id.clone(),
            decl,
        );
        b.construct_path = self.res.cdk_path().map(str::to_string);
        let props = self.properties();
        if let Some((raw, _)) = self.res.properties().and_then(|p| prop(p, "BucketName"))
            && raw.as_str().is_none()
        {
            b.name_key = raw.shape();
        }
        if let Some(name) = Self::text_at(&props, "BucketName", decl) {
            b.name = name;
        }
        if let Some((lock, _)) = prop(&props, "ObjectLockEnabled") {
            b.object_lock_enabled = value::bool_value(lock, lock.span.unwrap_or(decl), false);
        }
        if let Some((tags, _)) = prop(&props, "Tags") {
            b.tags = tags_from_list(tags);
        }
        if let Some((acl, key)) = prop(&props, "AccessControl") {
            let canned = value::string_value(acl, acl.span.unwrap_or(decl))
                .map(|v| v.map(|a| canned_acl(&a)));
            b.attach(Part::Acl(self.attached(
                key,
                Acl {
                    canned,
                    owner: None,
                    grants: Vec::new(),
                    grants_unknown: false,
                },
            )));
        }
        if let Some((pab, key)) = prop(&props, "PublicAccessBlockConfiguration") {
            if pab.is_unknown() {
                b.maybe.push(PartKind::PublicAccessBlock);
            } else {
                let at = key.unwrap_or(decl);
                b.attach(Part::PublicAccessBlock(self.attached(
                    key,
                    PublicAccessBlock {
                        block_public_acls: Self::bool_at(pab, "BlockPublicAcls", false, at),
                        ignore_public_acls: Self::bool_at(pab, "IgnorePublicAcls", false, at),
                        block_public_policy: Self::bool_at(pab, "BlockPublicPolicy", false, at),
                        restrict_public_buckets: Self::bool_at(
                            pab,
                            "RestrictPublicBuckets",
                            false,
                            at,
                        ),
                    },
                )));
            }
        }
        if let Some((enc, key)) = prop(&props, "BucketEncryption") {
            b.attach(Part::Encryption(
                self.attached(key, encryption(enc, key.unwrap_or(decl))),
            ));
        }
        if let Some((ver, key)) = prop(&props, "VersioningConfiguration") {
            let at = key.unwrap_or(decl);
            let status = match prop(ver, "Status") {
                Some((s, _)) => match s.as_str() {
                    Some("Enabled") => {
                        Value::explicit(VersioningStatus::Enabled, s.span.unwrap_or(at))
                    }
                    Some("Suspended") => {
                        Value::explicit(VersioningStatus::Suspended, s.span.unwrap_or(at))
                    }
                    Some(other) => {
                        b.invalid.push((s.span.unwrap_or(at), format!(
                            "`{other}` is not a valid versioning status: the stack fails; expected `Enabled` or `Suspended`"
                        )));
                        Value::unknown(s.span.unwrap_or(at))
                    }
                    None => Value::unknown(s.span.unwrap_or(at)),
                },
                None if ver.is_unknown() => Value::unknown(at),
                None => Value::absent_unknown(),
            };
            b.attach(Part::Versioning(self.attached(
                key,
                Versioning {
                    status,
                    // CloudFormation cannot set MFA delete.
                    mfa_delete: Value::default_of(false),
                },
            )));
        }
        if let Some((log, key)) = prop(&props, "LoggingConfiguration") {
            // Without a destination, S3 delivers the logs to the bucket itself.
            let target = match prop(log, "DestinationBucketName") {
                Some((t, _)) => value::text_value(t, t.span.unwrap_or(decl))
                    .unwrap_or_else(Value::absent_unknown),
                None if log.is_unknown() => Value::absent_unknown(),
                None => Value::default_of(
                    b.literal_name()
                        .map_or_else(|| Text::hole(Hole::BucketName(b.key.clone())), Text::lit),
                ),
            };
            b.attach(Part::Logging(self.attached(
                key,
                Logging {
                    target_bucket: target,
                },
            )));
        }
        if let Some((own, key)) = prop(&props, "OwnershipControls") {
            let rule = own
                .get("Rules")
                .and_then(|r| r.items().first())
                .and_then(|r| Self::string_at(r, "ObjectOwnership", key.unwrap_or(decl)))
                .unwrap_or_else(|| Value::unknown(key.unwrap_or(decl)));
            b.attach(Part::Ownership(self.attached(key, Ownership { rule })));
        }
        if let Some((v, key)) = prop(&props, "LifecycleConfiguration") {
            let at = key.unwrap_or(decl);
            let (rules, unknown) = rule_list(v, "Rules");
            let rules = rules
                .into_iter()
                .map(|r| LifecycleRule {
                    status: status(r, at),
                    noncurrent: [
                        "NoncurrentVersionExpiration",
                        "NoncurrentVersionExpirationInDays",
                        "NoncurrentVersionTransition",
                        "NoncurrentVersionTransitions",
                    ]
                    .iter()
                    .any(|n| prop(r, n).is_some()),
                })
                .collect();
            b.attach(Part::Lifecycle(
                self.attached(key, Lifecycle { rules, unknown }),
            ));
        }
        if let Some((v, key)) = prop(&props, "ReplicationConfiguration") {
            let at = key.unwrap_or(decl);
            let (rules, unknown) = rule_list(v, "Rules");
            let rules = rules.into_iter().map(|r| status(r, at)).collect();
            b.attach(Part::Replication(
                self.attached(key, Replication { rules, unknown }),
            ));
        }
        if let Some((v, key)) = prop(&props, "CorsConfiguration") {
            let at = key.unwrap_or(decl);
            let (rules, unknown) = rule_list(v, "CorsRules");
            let rules = rules
                .into_iter()
                .map(|r| CorsRule {
                    origins: strings(r, "AllowedOrigins", at),
                    methods: strings(r, "AllowedMethods", at),
                    span: r.span.unwrap_or(at),
                })
                .collect();
            b.attach(Part::Cors(self.attached(key, Cors { rules, unknown })));
        }
        if let Some((v, key)) = prop(&props, "ObjectLockConfiguration") {
            let at = key.unwrap_or(decl);
            let enabled = match prop(v, "ObjectLockEnabled") {
                Some((e, _)) => value::string_value(e, e.span.unwrap_or(at))
                    .map_or_else(|| Value::unknown(at), |s| s.map(|s| s == "Enabled")),
                None if v.is_unknown() => Value::unknown(at),
                None => Value::default_of(false),
            };
            b.attach(Part::ObjectLock(self.attached(key, ObjectLock { enabled })));
        }
        for (name, kind) in [
            ("WebsiteConfiguration", PartKind::Website),
            ("NotificationConfiguration", PartKind::Notification),
        ] {
            if let Some((v, key)) = prop(&props, name) {
                b.attach(Part::Other(kind, self.attached(key, v.clone())));
            }
        }
        // An unresolved property may hold anything.
        if props.is_unknown() {
            b.maybe.extend([
                PartKind::PublicAccessBlock,
                PartKind::Acl,
                PartKind::Encryption,
                PartKind::Versioning,
                PartKind::Logging,
                PartKind::Ownership,
                PartKind::Lifecycle,
                PartKind::Replication,
                PartKind::Website,
                PartKind::Cors,
                PartKind::ObjectLock,
            ]);
        }
        b
    }

    fn access_point(&self) -> AccessPoint {
        let props = self.properties();
        let decl = self.decl();
        let block = prop(&props, "PublicAccessBlockConfiguration")
            .filter(|(pab, _)| !pab.is_unknown())
            .map(|(pab, key)| {
                let at = key.unwrap_or(decl);
                let flag = |name| Self::bool_at(pab, name, true, at);
                self.attached(
                    key,
                    PublicAccessBlock {
                        block_public_acls: flag("BlockPublicAcls"),
                        ignore_public_acls: flag("IgnorePublicAcls"),
                        block_public_policy: flag("BlockPublicPolicy"),
                        restrict_public_buckets: flag("RestrictPublicBuckets"),
                    },
                )
            });
        let policy = prop(&props, "Policy").map(|(doc, key)| Attached {
            value: BucketPolicy {
                document: PolicyDocument::from_value(doc),
            },
            span: doc.span.or(key).unwrap_or(decl),
            via: None,
        });
        AccessPoint {
            scope: self.r.t.scope.clone(),
            address: self.res.id.name.clone(),
            origin: Origin::CloudFormation,
            decl,
            call_sites: Vec::new(),
            block: block.map(|b| *b),
            policy,
        }
    }

    fn invalid(&self, span: Span, message: String) -> Invalid {
        Invalid {
            span,
            message,
            address: self.res.id.name.clone(),
            scope: self.r.t.scope.clone(),
        }
    }

    /// A `Ref` or `Fn::GetAtt` to a name the template does not declare.
    fn undeclared(&self, raw: &Node) -> Option<String> {
        let [(k, arg)] = raw.entries() else {
            return None;
        };
        let name = match (k.name.as_str(), &arg.kind) {
            ("Ref", _) => arg.as_str()?.to_string(),
            ("Fn::GetAtt", NodeKind::List(items)) => items.first()?.as_str()?.to_string(),
            ("Fn::GetAtt", _) => arg.as_str()?.split('.').next()?.to_string(),
            _ => return None,
        };
        let declared = name.starts_with("AWS::")
            || self.r.t.params.contains_key(&name)
            || self.r.t.resource_type(&name).is_some();
        (!declared).then_some(name)
    }

    fn bucket_policy(&self, invalid: &mut Vec<Invalid>) -> Option<Attachment> {
        let props = self.properties();
        let raw = self.res.properties().and_then(|p| prop(p, "Bucket"));
        if !props.is_unknown() {
            for required in ["Bucket", "PolicyDocument"] {
                if prop(&props, required).is_none() {
                    invalid.push(self.invalid(
                        self.decl(),
                        format!(
                            "AWS::S3::BucketPolicy has no `{required}` property, which is required: the stack fails"
                        ),
                    ));
                }
            }
        }
        let undeclared = raw.and_then(|(raw, _)| Some((raw, self.undeclared(raw)?)));
        if let Some((raw, name)) = &undeclared {
            invalid.push(self.invalid(
                raw.span.unwrap_or_else(|| self.decl()),
                format!("`{name}` is neither a parameter nor a resource of this template: the stack fails"),
            ));
        }
        let written = prop(&props, "Bucket").and_then(|(b, _)| b.as_text().cloned());
        let target = match prop(&props, "Bucket") {
            Some((b, _)) => b.as_text().map_or(Target::Unknown, Target::from_text),
            None => Target::Invalid(self.res.id.name.clone()),
        };
        // A bucket of another stack (`!ImportValue`, a parameter): identified by how
        // the template writes it.
        let target = match target {
            Target::Unknown if undeclared.is_some() => Target::Invalid(
                undeclared
                    .and_then(|(raw, _)| raw.shape())
                    .unwrap_or_else(|| self.res.id.name.clone()),
            ),
            Target::Unknown => self
                .res
                .properties()
                .and_then(|p| prop(p, "Bucket"))
                .and_then(|(raw, _)| raw.shape())
                .map_or(Target::Unknown, |shape| Target::Elsewhere(shape, written)),
            t => t,
        };
        let (doc, key) = prop(&props, "PolicyDocument")?;
        let document = PolicyDocument::from_value(doc);
        Some(Attachment {
            target,
            origin: Origin::CloudFormation,
            call_sites: Vec::new(),
            scope: self.r.t.scope.clone(),
            part: Part::Policy(Box::new(Attached {
                value: BucketPolicy { document },
                span: doc.span.or(key).unwrap_or_else(|| self.decl()),
                via: Some(Via {
                    address: self.res.id.name.clone(),
                    decl: self.decl(),
                }),
            })),
        })
    }

    /// IAM policies, roles, users, groups (with their inline and managed policies),
    /// instance profiles, identity providers, attachments and memberships; compute
    /// and the role it runs as.
    fn iam(&self, ty: &str, out: &mut Fragment) {
        use EntityKind as K;
        let props = self.properties();
        let scope = self.r.t.scope.clone();
        let id = &self.res.id.name;
        let key = self.r.bucket_ref(id);
        let this = EntityRef::Resource(key.clone());
        let refs_in = |node: &Node, kind: K, name: &str| -> Vec<(K, EntityRef)> {
            node.get(name)
                .map(|v| EntityRef::all_in(kind, v))
                .unwrap_or_default()
        };
        let refs = |kind: K, name: &str| refs_in(&props, kind, name);
        let policy = |node: &Node, address: String, name: Option<String>, holders| {
            let doc = prop(node, "PolicyDocument");
            let document = doc.and_then(|(d, _)| PolicyDocument::from_value(d));
            let span = document
                .as_ref()
                .and_then(|d| d.span)
                .or_else(|| doc.and_then(|(d, k)| d.span.or(k)))
                .unwrap_or_else(|| self.decl());
            IdentityPolicy {
                scope: scope.clone(),
                address,
                key: key.clone(),
                name,
                decl: self.decl(),
                document,
                span,
                holders,
            }
        };
        let literal =
            |node: &Node, name: &str| node.get(name).and_then(Node::as_str).map(str::to_string);
        let principal = |kind: K, name: Option<String>| Principal {
            kind,
            scope: scope.clone(),
            address: id.clone(),
            key: key.clone(),
            name,
            decl: self.decl(),
        };
        let link = |kind: LinkKind, from: Vec<(K, EntityRef)>, to: Vec<(K, EntityRef)>| Link {
            kind,
            scope: scope.clone(),
            address: id.clone(),
            span: self.decl(),
            from,
            to,
        };
        let me = |kind: K| vec![(kind, this.clone())];
        match ty {
            "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy" => {
                let name =
                    literal(&props, "PolicyName").or_else(|| literal(&props, "ManagedPolicyName"));
                let holders = [
                    refs(K::Role, "Roles"),
                    refs(K::User, "Users"),
                    refs(K::Group, "Groups"),
                ]
                .concat();
                out.identity_policies
                    .push(policy(&props, id.clone(), name, holders));
            }
            "AWS::IAM::RolePolicy" | "AWS::IAM::UserPolicy" | "AWS::IAM::GroupPolicy" => {
                let holders = match ty {
                    "AWS::IAM::RolePolicy" => refs(K::Role, "RoleName"),
                    "AWS::IAM::UserPolicy" => refs(K::User, "UserName"),
                    _ => refs(K::Group, "GroupName"),
                };
                out.identity_policies.push(policy(
                    &props,
                    id.clone(),
                    literal(&props, "PolicyName"),
                    holders,
                ));
            }
            "AWS::IAM::Role" | "AWS::IAM::User" | "AWS::IAM::Group" => {
                let kind = match ty {
                    "AWS::IAM::Role" => K::Role,
                    "AWS::IAM::User" => K::User,
                    _ => K::Group,
                };
                let name_prop = IAM_ENTITIES
                    .iter()
                    .find(|e| e.3 == ty)
                    .map_or("RoleName", |e| e.4);
                if kind == K::Role {
                    let trust = prop(&props, "AssumeRolePolicyDocument");
                    out.roles.push(Role {
                        scope: scope.clone(),
                        address: id.clone(),
                        key: key.clone(),
                        name: literal(&props, name_prop),
                        decl: self.decl(),
                        trust: trust.and_then(|(d, _)| PolicyDocument::from_value(d)),
                        trust_span: trust
                            .and_then(|(d, k)| d.span.or(k))
                            .unwrap_or_else(|| self.decl()),
                    });
                } else {
                    out.principals
                        .push(principal(kind, literal(&props, name_prop)));
                }
                if kind == K::User && props.get("Groups").is_some() {
                    out.links.push(link(
                        LinkKind::MemberOf,
                        me(K::User),
                        refs(K::Group, "Groups"),
                    ));
                }
                for p in props.get("Policies").map(Node::items).unwrap_or_default() {
                    let name = literal(p, "PolicyName");
                    let address =
                        format!("{id} (inline policy {})", name.as_deref().unwrap_or("?"));
                    out.identity_policies
                        .push(policy(p, address, name, me(kind)));
                }
                for arn in props
                    .get("ManagedPolicyArns")
                    .map(Node::items)
                    .unwrap_or_default()
                {
                    out.policy_attachments.push(PolicyAttachment {
                        scope: scope.clone(),
                        address: id.clone(),
                        policy_arn: arn
                            .as_text()
                            .cloned()
                            .unwrap_or_else(|| Text::hole(Hole::Unknown)),
                        span: arn.span.unwrap_or_else(|| self.decl()),
                        holders: me(kind),
                    });
                }
            }
            "AWS::IAM::UserToGroupAddition" => out.links.push(link(
                LinkKind::MemberOf,
                refs(K::User, "Users"),
                refs(K::Group, "GroupName"),
            )),
            "AWS::IAM::InstanceProfile" => {
                out.principals.push(principal(
                    K::InstanceProfile,
                    literal(&props, "InstanceProfileName"),
                ));
                out.links.push(link(
                    LinkKind::RunsAs,
                    me(K::InstanceProfile),
                    refs(K::Role, "Roles"),
                ));
            }
            "AWS::IAM::OIDCProvider" => {
                let host = literal(&props, "Url")
                    .map(|u| u.strip_prefix("https://").unwrap_or(&u).to_string());
                out.principals.push(principal(K::OidcProvider, host));
            }
            "AWS::IAM::SAMLProvider" => {
                out.principals
                    .push(principal(K::SamlProvider, literal(&props, "Name")));
            }
            // Compute, and the role it runs as.
            "AWS::Lambda::Function" | "AWS::Serverless::Function" => {
                out.principals
                    .push(principal(K::Function, literal(&props, "FunctionName")));
                if ty == "AWS::Serverless::Function" && props.get("Role").is_none() {
                    self.sam_role(out);
                } else {
                    out.links.push(link(
                        LinkKind::RunsAs,
                        me(K::Function),
                        refs(K::Role, "Role"),
                    ));
                }
            }
            "AWS::ECS::TaskDefinition" => {
                out.principals
                    .push(principal(K::Task, literal(&props, "Family")));
                out.links.push(link(
                    LinkKind::RunsAs,
                    me(K::Task),
                    refs(K::Role, "TaskRoleArn"),
                ));
            }
            "AWS::EC2::Instance" | "AWS::EC2::LaunchTemplate" => {
                out.principals.push(principal(K::Instance, None));
                let profile = if ty == "AWS::EC2::Instance" {
                    refs(K::InstanceProfile, "IamInstanceProfile")
                } else {
                    props
                        .get("LaunchTemplateData")
                        .and_then(|d| d.get("IamInstanceProfile"))
                        .map(|p| {
                            [
                                refs_in(p, K::InstanceProfile, "Name"),
                                refs_in(p, K::InstanceProfile, "Arn"),
                            ]
                            .concat()
                        })
                        .unwrap_or_default()
                };
                out.links
                    .push(link(LinkKind::RunsAs, me(K::Instance), profile));
            }
            _ => {}
        }
    }

    /// The execution role the SAM transform creates for a function without `Role`
    /// (`{LogicalId}Role`), with the function's `Policies`.
    fn sam_role(&self, out: &mut Fragment) {
        use EntityKind as K;
        let props = self.properties();
        let scope = self.r.t.scope.clone();
        let id = &self.res.id.name;
        let role_id = format!("{id}Role");
        let role_key = self.r.bucket_ref(&role_id);
        let role = vec![(K::Role, EntityRef::Resource(role_key.clone()))];
        out.roles.push(Role {
            scope: scope.clone(),
            address: role_id.clone(),
            key: role_key.clone(),
            name: None,
            decl: self.decl(),
            trust: PolicyDocument::from_value(&sam::trust(self.decl())),
            trust_span: self.decl(),
        });
        out.links.push(Link {
            kind: LinkKind::RunsAs,
            scope: scope.clone(),
            address: id.clone(),
            span: self.decl(),
            from: vec![(K::Function, EntityRef::Resource(self.r.bucket_ref(id)))],
            to: role.clone(),
        });
        let Some((policies, key)) = prop(&props, "Policies") else {
            return;
        };
        let span = policies.span.or(key).unwrap_or_else(|| self.decl());
        for (n, p) in sam::policies(policies).into_iter().enumerate() {
            match p {
                sam::SamPolicy::Managed(arn) => {
                    out.policy_attachments.push(PolicyAttachment {
                        scope: scope.clone(),
                        address: role_id.clone(),
                        policy_arn: arn,
                        span,
                        holders: role.clone(),
                    });
                }
                doc => {
                    let document = match &doc {
                        sam::SamPolicy::Document(node) => PolicyDocument::from_value(node),
                        _ => None,
                    };
                    out.identity_policies.push(IdentityPolicy {
                        scope: scope.clone(),
                        address: format!("{role_id} (policy {})", n + 1),
                        key: self.r.bucket_ref(&format!("{role_id}#{n}")),
                        name: None,
                        decl: self.decl(),
                        span: document.as_ref().and_then(|d| d.span).unwrap_or(span),
                        document,
                        holders: role.clone(),
                    });
                }
            }
        }
    }

    fn metric_filter(&self) -> MetricFilter {
        let props = self.properties();
        let decl = self.decl();
        MetricFilter {
            scope: self.r.t.scope.clone(),
            address: self.res.id.name.clone(),
            decl,
            pattern: Self::text_at(&props, "FilterPattern", decl)
                .unwrap_or_else(|| Value::unknown(decl)),
            metric: props
                .get("MetricTransformations")
                .and_then(|m| m.items().first())
                .and_then(|m| metric(m, "MetricNamespace", "MetricName")),
        }
    }

    fn backup_selection(&self) -> BackupSelection {
        let props = self.properties();
        let sel = props.get("BackupSelection");
        let mut unknown = props.is_unknown() || sel.is_none_or(Node::is_unknown);
        let mut resources = Vec::new();
        let mut tags = Vec::new();
        if let Some(sel) = sel {
            for r in sel.get("Resources").map(Node::items).unwrap_or_default() {
                match r.as_text() {
                    Some(t) => resources.push(t.clone()),
                    None => unknown = true,
                }
            }
            for t in sel.get("ListOfTags").map(Node::items).unwrap_or_default() {
                let get = |k| t.get(k).and_then(Node::as_str).map(str::to_string);
                match (
                    get("ConditionType").as_deref(),
                    get("ConditionKey"),
                    get("ConditionValue"),
                ) {
                    (Some("STRINGEQUALS"), Some(k), Some(v)) => tags.push((k, v)),
                    _ => unknown = true,
                }
            }
            unknown |= sel
                .get("NotResources")
                .is_some_and(|n| !n.items().is_empty())
                || sel.get("Conditions").is_some();
        }
        BackupSelection {
            scope: self.r.t.scope.clone(),
            address: self.res.id.name.clone(),
            decl: self.decl(),
            resources,
            tags,
            unknown,
        }
    }

    fn trail(&self) -> Trail {
        let props = self.properties();
        let mut out = Trail {
            scope: self.r.t.scope.clone(),
            address: self.res.id.name.clone(),
            decl: self.decl(),
            s3_data_events: Vec::new(),
            selectors_unknown: props.is_unknown(),
            cloudwatch_logs: prop(&props, "CloudWatchLogsLogGroupArn")
                .filter(|(v, _)| !v.is_null())
                .map(|(v, key)| v.span.or(key).unwrap_or_else(|| self.decl())),
        };
        for sel in props
            .get("EventSelectors")
            .map(Node::items)
            .unwrap_or_default()
        {
            let rw = sel.get("ReadWriteType");
            let (read, write) = trail::read_write(rw.and_then(Node::as_str), rw.is_none());
            for dr in sel
                .get("DataResources")
                .map(Node::items)
                .unwrap_or_default()
            {
                match dr.get("Type").and_then(Node::as_str) {
                    Some("AWS::S3::Object") => {}
                    Some(_) => continue,
                    None => {
                        out.selectors_unknown = true;
                        continue;
                    }
                }
                let values = dr
                    .get("Values")
                    .cloned()
                    .unwrap_or_else(|| Node::unknown(None));
                out.s3_data_events
                    .push(trail::data_events(read, write, &values));
            }
        }
        for sel in props
            .get("AdvancedEventSelectors")
            .map(Node::items)
            .unwrap_or_default()
        {
            let fields: Vec<FieldSelector> = sel
                .get("FieldSelectors")
                .map(Node::items)
                .unwrap_or_default()
                .iter()
                .map(|fs| FieldSelector {
                    field: fs.get("Field").and_then(Node::as_str).map(str::to_string),
                    equals: fs.get("Equals").cloned(),
                    starts_with: fs.get("StartsWith").cloned(),
                })
                .collect();
            if let Some(events) = trail::advanced_selector(&fields) {
                out.s3_data_events.push(events);
            }
        }
        out
    }
}

/// `PublicRead` → `public-read`: CloudFormation's canned ACL names in the S3 API form.
fn canned_acl(cfn: &str) -> String {
    let mut out = String::new();
    for (i, c) in cfn.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('-');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

fn encryption(enc: &Node, at: Span) -> Encryption {
    let rules = enc.get("ServerSideEncryptionConfiguration");
    let mut out = Encryption {
        rules: Vec::new(),
        unknown: enc.is_unknown() || rules.is_some_and(Node::is_unknown),
    };
    for rule in rules.map(Node::items).unwrap_or_default() {
        let span = rule.span.unwrap_or(at);
        let default = rule.get("ServerSideEncryptionByDefault");
        out.rules.push(EncryptionRule {
            algorithm: default
                .and_then(|d| Reader::string_at(d, "SSEAlgorithm", span))
                .unwrap_or_else(|| Value::unknown(span)),
            kms_key: default.and_then(|d| Reader::text_at(d, "KMSMasterKeyID", span)),
            bucket_key: Reader::bool_at(rule, "BucketKeyEnabled", false, span),
            span,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::cloudformation::{Outcome, load};
    use crate::model::value::Tri;
    use crate::source::FileId;
    use crate::walk::FileKind;

    #[test]
    fn tags_object_lock_and_cdk_path() {
        let src = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  B:\n    Type: AWS::S3::Bucket\n    Metadata: {aws:cdk:path: Stack/B/Resource}\n    Properties:\n      ObjectLockEnabled: true\n      Tags:\n        - Key: DataClassification\n          Value: pii\n        - Key: Owner\n          Value: !Ref AWS::AccountId\n";
        let Outcome::Loaded { units, problems } = load(
            FileId(0),
            "t.yaml",
            src,
            FileKind::Yaml,
            &crate::cloudformation::template::ParamOverrides::new(),
            false,
        ) else {
            panic!("not loaded")
        };
        assert!(problems.is_empty());
        let b = &units[0].base.buckets[0];
        assert_eq!(b.tag("DataClassification"), Some("pii"));
        assert_eq!(b.tag("Owner"), None, "a hole is not a literal tag value");
        assert_eq!(b.object_lock_enabled.test(|v| *v), Tri::Yes);
        assert_eq!(b.construct_path.as_deref(), Some("Stack/B/Resource"));
    }
}
