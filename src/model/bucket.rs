//! A bucket as AWS would see it after apply, whichever front end described it.

use super::policy::PolicyDocument;
use super::value::{BucketRef, Key, Node, NodeKind, Text, Tri, Value};
use crate::source::Span;

/// Which front end described a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Terraform,
    CloudFormation,
}

/// A piece of bucket configuration and where it came from: an inline block of the
/// bucket, or a separate resource (`aws_s3_bucket_versioning.v`, an
/// `AWS::S3::BucketPolicy`).
#[derive(Debug, Clone, PartialEq)]
pub struct Attached<T> {
    pub value: T,
    /// The block or resource header that declares it: where a finding about a missing
    /// setting inside it points.
    pub span: Span,
    /// The separate resource that declares it, if not inline.
    pub via: Option<Via>,
}

/// A separate resource that configures a bucket.
#[derive(Debug, Clone, PartialEq)]
pub struct Via {
    pub address: String,
    /// Its resource header.
    pub decl: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PublicAccessBlock {
    pub block_public_acls: Value<bool>,
    pub ignore_public_acls: Value<bool>,
    pub block_public_policy: Value<bool>,
    pub restrict_public_buckets: Value<bool>,
}

/// The four settings, by name (Terraform and CloudFormation spelling).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PabFlag {
    BlockPublicAcls,
    IgnorePublicAcls,
    BlockPublicPolicy,
    RestrictPublicBuckets,
}

impl PabFlag {
    pub const ALL: [PabFlag; 4] = [
        PabFlag::BlockPublicAcls,
        PabFlag::IgnorePublicAcls,
        PabFlag::BlockPublicPolicy,
        PabFlag::RestrictPublicBuckets,
    ];

    pub fn terraform_name(self) -> &'static str {
        match self {
            PabFlag::BlockPublicAcls => "block_public_acls",
            PabFlag::IgnorePublicAcls => "ignore_public_acls",
            PabFlag::BlockPublicPolicy => "block_public_policy",
            PabFlag::RestrictPublicBuckets => "restrict_public_buckets",
        }
    }

    pub fn cloudformation_name(self) -> &'static str {
        match self {
            PabFlag::BlockPublicAcls => "BlockPublicAcls",
            PabFlag::IgnorePublicAcls => "IgnorePublicAcls",
            PabFlag::BlockPublicPolicy => "BlockPublicPolicy",
            PabFlag::RestrictPublicBuckets => "RestrictPublicBuckets",
        }
    }

    pub fn name(self, origin: Origin) -> &'static str {
        match origin {
            Origin::Terraform => self.terraform_name(),
            Origin::CloudFormation => self.cloudformation_name(),
        }
    }
}

impl PublicAccessBlock {
    pub fn flag(&self, f: PabFlag) -> &Value<bool> {
        match f {
            PabFlag::BlockPublicAcls => &self.block_public_acls,
            PabFlag::IgnorePublicAcls => &self.ignore_public_acls,
            PabFlag::BlockPublicPolicy => &self.block_public_policy,
            PabFlag::RestrictPublicBuckets => &self.restrict_public_buckets,
        }
    }
}

/// An ACL grant (`grant` blocks, `access_control_policy`, CFN has none but canned).
#[derive(Debug, Clone, PartialEq)]
pub struct Grant {
    /// `Group`, `CanonicalUser`, `AmazonCustomerByEmail`; unknown when not literal.
    pub grantee_type: Value<String>,
    pub uri: Option<Value<Text>>,
    pub id: Option<Value<Text>>,
    pub permissions: Vec<Value<String>>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Acl {
    /// Canned ACL (`private`, `public-read`...; CFN `PublicRead` is normalised to
    /// `public-read`).
    pub canned: Option<Value<String>>,
    /// The owner's canonical user ID of an explicit access control policy.
    pub owner: Option<Value<Text>>,
    pub grants: Vec<Grant>,
    /// A grant list that could not be read (a `dynamic` block, unknown values).
    pub grants_unknown: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BucketPolicy {
    /// `None` when the document cannot be determined statically.
    pub document: Option<PolicyDocument>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EncryptionRule {
    /// `AES256`, `aws:kms`, `aws:kms:dsse`.
    pub algorithm: Value<String>,
    pub kms_key: Option<Value<Text>>,
    pub bucket_key: Value<bool>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Encryption {
    pub rules: Vec<EncryptionRule>,
    pub unknown: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersioningStatus {
    Enabled,
    Suspended,
    Disabled,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Versioning {
    pub status: Value<VersioningStatus>,
    pub mfa_delete: Value<bool>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Logging {
    pub target_bucket: Value<Text>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Ownership {
    /// `BucketOwnerEnforced`, `BucketOwnerPreferred`, `ObjectWriter`.
    pub rule: Value<String>,
}

/// Whether a rule of a configuration (lifecycle, replication) is enabled, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleStatus {
    pub enabled: Value<bool>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LifecycleRule {
    pub status: RuleStatus,
    /// The rule expires or transitions noncurrent object versions.
    pub noncurrent: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Lifecycle {
    pub rules: Vec<LifecycleRule>,
    /// Some rules could not be read (a `dynamic` block over unknown values).
    pub unknown: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Replication {
    pub rules: Vec<RuleStatus>,
    pub unknown: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CorsRule {
    pub origins: Vec<Value<String>>,
    pub methods: Vec<Value<String>>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Cors {
    pub rules: Vec<CorsRule>,
    pub unknown: bool,
}

/// An Object Lock configuration (`object_lock_configuration`,
/// `ObjectLockConfiguration`).
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectLock {
    /// Its `object_lock_enabled = "Enabled"` / `ObjectLockEnabled: Enabled`.
    pub enabled: Value<bool>,
}

/// Kinds of configuration a separate resource can attach to a bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PartKind {
    PublicAccessBlock,
    Acl,
    Policy,
    Encryption,
    Versioning,
    Logging,
    Ownership,
    Lifecycle,
    Replication,
    Website,
    Cors,
    ObjectLock,
    Notification,
}

/// A piece of configuration to attach to a bucket.
#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    PublicAccessBlock(Box<Attached<PublicAccessBlock>>),
    Acl(Box<Attached<Acl>>),
    Policy(Box<Attached<BucketPolicy>>),
    Encryption(Box<Attached<Encryption>>),
    Versioning(Box<Attached<Versioning>>),
    Logging(Box<Attached<Logging>>),
    Ownership(Box<Attached<Ownership>>),
    Lifecycle(Box<Attached<Lifecycle>>),
    Replication(Box<Attached<Replication>>),
    Cors(Box<Attached<Cors>>),
    ObjectLock(Box<Attached<ObjectLock>>),
    /// Configurations the rules only need to know exist (website, notification).
    Other(PartKind, Box<Attached<Node>>),
}

impl Part {
    pub fn kind(&self) -> PartKind {
        match self {
            Part::PublicAccessBlock(_) => PartKind::PublicAccessBlock,
            Part::Acl(_) => PartKind::Acl,
            Part::Policy(_) => PartKind::Policy,
            Part::Encryption(_) => PartKind::Encryption,
            Part::Versioning(_) => PartKind::Versioning,
            Part::Logging(_) => PartKind::Logging,
            Part::Ownership(_) => PartKind::Ownership,
            Part::Lifecycle(_) => PartKind::Lifecycle,
            Part::Replication(_) => PartKind::Replication,
            Part::Cors(_) => PartKind::Cors,
            Part::ObjectLock(_) => PartKind::ObjectLock,
            Part::Other(k, _) => *k,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Bucket {
    pub key: BucketRef,
    pub origin: Origin,
    /// `aws_s3_bucket.logs` or the CloudFormation logical ID.
    pub address: String,
    /// Where a generated template defined it (CDK `aws:cdk:path`), for messages.
    pub construct_path: Option<String>,
    /// The module blocks that created it (a bucket in a module instance), outermost
    /// first: findings show them as related locations.
    pub call_sites: Vec<Span>,
    /// The resource header: where findings about the whole bucket point.
    pub decl: Span,
    /// The literal name, when written (unknown for generated names).
    pub name: Value<Text>,
    pub acl: Option<Box<Attached<Acl>>>,
    pub public_access_block: Option<Box<Attached<PublicAccessBlock>>>,
    /// Every policy that targets the bucket, in declaration order. S3 keeps one
    /// policy per bucket, so more than one is a conflict (BL124), and each is judged:
    /// whichever is applied last wins.
    pub policies: Vec<Attached<BucketPolicy>>,
    pub encryption: Option<Box<Attached<Encryption>>>,
    pub versioning: Option<Box<Attached<Versioning>>>,
    pub logging: Option<Box<Attached<Logging>>>,
    pub ownership: Option<Box<Attached<Ownership>>>,
    pub lifecycle: Option<Box<Attached<Lifecycle>>>,
    pub replication: Option<Box<Attached<Replication>>>,
    pub cors: Option<Box<Attached<Cors>>>,
    pub object_lock: Option<Box<Attached<ObjectLock>>>,
    pub others: Vec<(PartKind, Attached<Node>)>,
    pub force_destroy: Value<bool>,
    /// Object Lock enabled at creation (`object_lock_enabled`, `ObjectLockEnabled`).
    pub object_lock_enabled: Value<bool>,
    /// Tags as a map of strings (`Unknown` when not determinable, empty when none).
    pub tags: Node,
    /// Kinds a separate resource in the same module may attach, but whose target
    /// bucket could not be resolved: "missing" findings for them are not certain.
    pub maybe: Vec<PartKind>,
    /// Another bucket's access logging delivers into this one.
    pub is_log_target: bool,
    /// A CloudFront distribution delivers standard logs here (which needs ACLs).
    pub receives_cloudfront_logs: bool,
    /// Declared outside the scanned files (another stack, module or repository, a
    /// variable, a data source): known only through the resources that configure it.
    /// What those resources set is judged; what the bucket lacks is not known.
    pub external: bool,
    /// Values the deployment would reject, found while reading the bucket (BL004).
    pub invalid: Vec<(Span, String)>,
    /// How its name is written when it is not literal (`var.name`, `{Ref:
    /// BucketName}`), in the form of [`crate::model::Target::Elsewhere`]: a resource
    /// whose bucket is written the same way configures this bucket.
    pub name_key: Option<String>,
}

impl Bucket {
    pub fn new(key: BucketRef, origin: Origin, address: String, decl: Span) -> Bucket {
        Bucket {
            key,
            origin,
            address,
            construct_path: None,
            call_sites: Vec::new(),
            decl,
            name: Value::absent_unknown(),
            acl: None,
            public_access_block: None,
            policies: Vec::new(),
            encryption: None,
            versioning: None,
            logging: None,
            ownership: None,
            lifecycle: None,
            replication: None,
            cors: None,
            object_lock: None,
            others: Vec::new(),
            force_destroy: Value::default_of(false),
            object_lock_enabled: Value::default_of(false),
            tags: Node::new(NodeKind::Map(Vec::new()), None),
            maybe: Vec::new(),
            is_log_target: false,
            receives_cloudfront_logs: false,
            external: false,
            invalid: Vec::new(),
            name_key: None,
        }
    }

    /// A bucket declared outside the scan, known through a resource that configures
    /// it (`via`): its settings are unknown but for what that resource sets.
    pub fn external(key: BucketRef, origin: Origin, via: &Via, name: Value<Text>) -> Bucket {
        let mut b = Bucket::new(key, origin, via.address.clone(), via.decl);
        b.name = name;
        b.external = true;
        b.force_destroy = Value::absent_unknown();
        b.object_lock_enabled = Value::absent_unknown();
        b.tags = Node::unknown(None);
        b
    }

    /// The policy S3 would hold if only one is declared; `None` when there is none,
    /// or several (each is judged on its own then).
    pub fn policy(&self) -> Option<&Attached<BucketPolicy>> {
        match self.policies.as_slice() {
            [one] => Some(one),
            _ => None,
        }
    }

    /// Sets a piece of configuration; a later one (a separate resource) replaces an
    /// earlier one (the inline block), as the provider does after apply.
    pub fn attach(&mut self, part: Part) {
        match part {
            Part::PublicAccessBlock(a) => self.public_access_block = Some(a),
            Part::Acl(a) => self.acl = Some(a),
            // An inline policy and a separate resource both manage the one policy:
            // keep both, the conflict is reported.
            Part::Policy(a) => {
                if !self.policies.contains(&*a) {
                    self.policies.push(*a);
                }
            }
            Part::Encryption(a) => self.encryption = Some(a),
            Part::Versioning(a) => self.versioning = Some(a),
            Part::Logging(a) => self.logging = Some(a),
            Part::Ownership(a) => self.ownership = Some(a),
            Part::Lifecycle(a) => self.lifecycle = Some(a),
            Part::Replication(a) => self.replication = Some(a),
            Part::Cors(a) => self.cors = Some(a),
            Part::ObjectLock(a) => self.object_lock = Some(a),
            Part::Other(kind, a) => {
                self.others.retain(|(k, _)| *k != kind);
                self.others.push((kind, *a));
            }
        }
    }

    pub fn has(&self, kind: PartKind) -> bool {
        match kind {
            PartKind::PublicAccessBlock => self.public_access_block.is_some(),
            PartKind::Acl => self.acl.is_some(),
            PartKind::Policy => !self.policies.is_empty(),
            PartKind::Encryption => self.encryption.is_some(),
            PartKind::Versioning => self.versioning.is_some(),
            PartKind::Logging => self.logging.is_some(),
            PartKind::Ownership => self.ownership.is_some(),
            PartKind::Lifecycle => self.lifecycle.is_some(),
            PartKind::Replication => self.replication.is_some(),
            PartKind::Cors => self.cors.is_some(),
            PartKind::ObjectLock => self.object_lock.is_some(),
            k => self.others.iter().any(|(o, _)| *o == k),
        }
    }

    /// Is a `kind` configuration present? `Unknown` when an unresolved separate
    /// resource may provide it, or the bucket is declared outside the scan.
    pub fn presence(&self, kind: PartKind) -> Tri {
        if self.has(kind) {
            Tri::Yes
        } else if self.external || self.maybe.contains(&kind) {
            Tri::Unknown
        } else {
            Tri::No
        }
    }

    /// The value of tag `key`, if set to a literal.
    pub fn tag(&self, key: &str) -> Option<&str> {
        self.tags.get(key).and_then(Node::as_str)
    }

    /// The security-relevant settings that are written but cannot be determined
    /// statically, each with where it is written and the rules it blocks. A bucket
    /// whose configuration may come from an unresolved separate resource counts too.
    pub fn unknown_fields(&self) -> Vec<(&'static str, Option<Span>, &'static str)> {
        let mut out = Vec::new();
        let mut flag = |what: &'static str, v: Option<Span>, known: bool, rules: &'static str| {
            if !known {
                out.push((what, v, rules));
            }
        };
        if let Some(acl) = &self.acl {
            if let Some(c) = &acl.value.canned {
                flag("the canned ACL", c.span(), c.is_known(), "BL110");
            }
            flag(
                "an ACL grant",
                Some(acl.span),
                !acl.value.grants_unknown,
                "BL110",
            );
        }
        if let Some(p) = &self.public_access_block {
            for f in PabFlag::ALL {
                let v = p.value.flag(f);
                flag(
                    "a public access block setting",
                    v.span().or(Some(p.span)),
                    v.is_known(),
                    "BL101-BL104, BL110, BL120",
                );
            }
        }
        for p in &self.policies {
            match &p.value.document {
                None => flag("the bucket policy", Some(p.span), false, "BL120, BL210"),
                // Unknown statements cannot grant less or deny more than the known
                // ones show, but may grant more.
                Some(d) => flag(
                    "some statements of the bucket policy",
                    Some(p.span),
                    !d.incomplete,
                    "BL120, BL210",
                ),
            }
        }
        if let Some(e) = &self.encryption {
            let known = !e.value.unknown && e.value.rules.iter().all(|r| r.algorithm.is_known());
            flag("the default encryption", Some(e.span), known, "BL201");
        }
        if let Some(v) = &self.versioning {
            flag(
                "the versioning status",
                v.value.status.span().or(Some(v.span)),
                v.value.status.is_known(),
                "BL401",
            );
        }
        if let Some(l) = &self.logging {
            flag(
                "the log target",
                l.value.target_bucket.span().or(Some(l.span)),
                l.value.target_bucket.is_known(),
                "BL301",
            );
        }
        if let Some(l) = &self.lifecycle {
            let known =
                !l.value.unknown && l.value.rules.iter().all(|r| r.status.enabled.is_known());
            flag("the lifecycle rules", Some(l.span), known, "BL405, BL406");
        }
        if let Some(r) = &self.replication {
            let known = !r.value.unknown && r.value.rules.iter().all(|x| x.enabled.is_known());
            flag("the replication rules", Some(r.span), known, "BL404");
        }
        if let Some(c) = &self.cors {
            let known = !c.value.unknown
                && c.value
                    .rules
                    .iter()
                    .all(|r| r.origins.iter().chain(&r.methods).all(Value::is_known));
            flag("the CORS rules", Some(c.span), known, "BL131");
        }
        if let Some(o) = &self.ownership {
            flag(
                "the object ownership",
                o.value.rule.span().or(Some(o.span)),
                o.value.rule.is_known(),
                "BL110, BL113",
            );
        }
        if self.external {
            // Its own settings were never in the scan: nothing unresolved to report.
            return out;
        }
        flag(
            "Object Lock",
            self.object_lock_enabled.span(),
            self.object_lock_enabled.is_known()
                && self
                    .object_lock
                    .as_ref()
                    .is_none_or(|l| l.value.enabled.is_known()),
            "BL403",
        );
        flag(
            "force_destroy",
            self.force_destroy.span(),
            self.force_destroy.is_known(),
            "BL407",
        );
        for kind in &self.maybe {
            let what = match kind {
                PartKind::PublicAccessBlock => "whether a public access block applies",
                PartKind::Acl => "whether an ACL applies",
                PartKind::Policy => "whether a bucket policy applies",
                PartKind::Encryption => "whether default encryption applies",
                PartKind::Versioning => "whether versioning applies",
                PartKind::Logging => "whether access logging applies",
                PartKind::Ownership => "whether object ownership controls apply",
                PartKind::Lifecycle => "whether lifecycle rules apply",
                PartKind::Replication => "whether replication applies",
                PartKind::Cors => "whether CORS rules apply",
                PartKind::ObjectLock => "whether Object Lock applies",
                PartKind::Website => "whether website hosting applies",
                PartKind::Notification => continue,
            };
            flag(what, None, false, "the rules about it");
        }
        out
    }

    /// Does an `Allow` statement of the bucket policy name a principal `wanted`
    /// accepts (kind, value)?
    fn policy_allows(&self, wanted: impl Fn(&str, &str) -> bool) -> bool {
        self.policies
            .iter()
            .filter_map(|p| p.value.document.as_ref())
            .any(|d| {
                d.statements.iter().any(|st| {
                    st.effect == Some(super::policy::Effect::Allow)
                        && st.principal.as_ref().is_some_and(|p| {
                            !p.not
                                && p.entries
                                    .iter()
                                    .any(|e| e.value.as_lit().is_some_and(|v| wanted(&e.kind, v)))
                        })
                })
            })
    }

    /// The bucket policy lets Elastic Load Balancing deliver access logs here (the
    /// log delivery service, or a Region's ELB account). ALB and Classic Load
    /// Balancer access logs only support SSE-S3.
    pub fn receives_elb_logs(&self) -> bool {
        self.policy_allows(|kind, v| match kind {
            "Service" => v == "logdelivery.elasticloadbalancing.amazonaws.com",
            "AWS" => {
                let account = v
                    .strip_prefix("arn:")
                    .and_then(|r| r.split(':').nth(3))
                    .unwrap_or(v);
                ELB_ACCOUNTS.contains(&account)
            }
            _ => false,
        })
    }

    /// The ACL or bucket policy lets S3 server access log delivery write here: the
    /// `log-delivery-write` canned ACL, a grant to the `LogDelivery` group, or a
    /// policy statement allowing the `logging.s3.amazonaws.com` service.
    pub fn grants_log_delivery(&self) -> bool {
        let acl = self.acl.as_ref().is_some_and(|a| {
            a.value
                .canned
                .as_ref()
                .and_then(|c| c.get())
                .is_some_and(|c| c == "log-delivery-write")
                || a.value.grants.iter().any(|g| {
                    g.uri
                        .as_ref()
                        .and_then(|u| u.get())
                        .and_then(Text::as_lit)
                        .is_some_and(|u| u.ends_with("/s3/LogDelivery"))
                })
        });
        acl || self.policy_allows(|kind, v| kind == "Service" && v == "logging.s3.amazonaws.com")
    }

    /// May server access log delivery write here, for all the scan knows? True for a
    /// log target, and when the ACL (canned or grants) is not known.
    pub fn may_receive_access_logs(&self) -> bool {
        self.is_log_target
            || self.acl.as_ref().is_some_and(|a| {
                a.value.grants_unknown
                    || a.value.canned.as_ref().is_some_and(|c| !c.is_known())
                    || a.value
                        .grants
                        .iter()
                        .any(|g| g.uri.as_ref().is_some_and(|u| !u.is_known()))
            })
            || self.presence(PartKind::Acl) == super::value::Tri::Unknown
    }

    pub fn literal_name(&self) -> Option<&str> {
        self.name.get().and_then(Text::as_lit)
    }

    /// The bucket as the subject of a message: `bucket aws_s3_bucket.b (name)`, or
    /// `the bucket of aws_s3_bucket_acl.a (declared outside the scan)`.
    pub fn subject(&self) -> String {
        if self.external {
            self.label()
        } else {
            format!("bucket {}", self.label())
        }
    }

    /// The bucket as it appears in messages: its address, with its name when known
    /// and its construct path for generated templates.
    pub fn label(&self) -> String {
        use std::fmt::Write;
        if self.external {
            return match self.literal_name() {
                Some(n) => format!(
                    "bucket {n} (declared outside the scan, configured by {})",
                    self.address
                ),
                None => format!("the bucket of {} (declared outside the scan)", self.address),
            };
        }
        let mut label = self.address.clone();
        if let Some(path) = &self.construct_path {
            let _ = write!(label, " [{path}]");
        }
        if let Some(n) = self.literal_name() {
            let _ = write!(label, " ({n})");
        }
        label
    }
}

/// The Elastic Load Balancing account of each Region, which writes ALB and Classic
/// Load Balancer access logs (Elastic Load Balancing user guide, "Enable access logs").
const ELB_ACCOUNTS: [&str; 26] = [
    "127311923021",
    "033677994240",
    "027434742980",
    "797873946194",
    "098369216593",
    "754344448648",
    "718504428378",
    "582318560864",
    "600734575887",
    "383597477331",
    "114774131450",
    "783225319266",
    "589379963580",
    "985666609251",
    "054676820928",
    "156460612806",
    "652711504416",
    "009996457667",
    "635631232127",
    "897822967062",
    "076674570225",
    "507241528517",
    "048591011584",
    "190560391635",
    "638102146993",
    "037604701340",
];

/// CloudFormation's tag list (`[{Key: k, Value: v}]`) as a map; unknown when an
/// entry cannot be read.
pub fn tags_from_list(list: &Node) -> Node {
    if list.is_unknown() {
        return Node::unknown(list.span);
    }
    let mut entries = Vec::new();
    for tag in list.items() {
        match (tag.get("Key").and_then(Node::as_str), tag.get("Value")) {
            (Some(k), Some(v)) => entries.push((
                Key {
                    name: k.to_string(),
                    span: tag.span,
                },
                v.clone(),
            )),
            _ => return Node::unknown(list.span),
        }
    }
    Node::new(NodeKind::Map(entries), list.span)
}

/// `aws_s3_account_public_access_block`.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountPublicAccessBlock {
    /// The deployment unit it belongs to (module directory): it applies to the
    /// account that unit deploys to, not to every stack of a repository.
    pub scope: String,
    pub address: String,
    pub decl: Span,
    pub flags: PublicAccessBlock,
}
