//! The one S3 model both front ends fill and every rule reads.

pub mod backup;
pub mod bucket;
pub mod iam;
pub mod monitoring;
pub mod object;
pub mod organizations;
pub mod policy;
pub mod trail;
pub mod validate;
pub mod value;

use crate::source::Span;
use backup::BackupSelection;
use bucket::{AccountPublicAccessBlock, Bucket, Origin, PabFlag, Part, PartKind};
use iam::{IdentityPolicy, PolicyAttachment, Role};
use monitoring::{Alarm, MetricFilter};
use object::{AccessPoint, S3Object};
use policy::BucketIdent;
use std::collections::{BTreeSet, HashMap};
use trail::Trail;
use value::{BucketRef, Hole, Text, Tri, Value};

/// Which bucket a separate resource configures.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// By reference (`aws_s3_bucket.b.id`, `!Ref Bucket`).
    Ref(BucketRef),
    /// By literal bucket name.
    Name(String),
    /// A bucket declared outside the scan that cannot be named but is identified
    /// by how it is written (`var.bucket`, `!ImportValue shared-bucket`), so the
    /// resources of one deployment that write it the same way configure one bucket.
    /// With the name as far as it is known (`${AppName}-logs-${AWS::AccountId}`),
    /// so the policy's own ARNs can still be matched against it.
    Elsewhere(String, Option<Text>),
    /// A reference to something not declared (BL004 says so): judged as a bucket
    /// declared elsewhere, without casting doubt on the deployment's own buckets.
    Invalid(String),
    /// A directory bucket (S3 Express One Zone), which the model does not hold:
    /// the rules here are about general purpose buckets.
    DirectoryBucket,
    /// Could not be determined.
    Unknown,
}

impl Target {
    /// The target named by a bucket-name value: a single bucket hole is a reference,
    /// a literal is a name.
    pub fn from_text(t: &Text) -> Target {
        match (t.as_lit(), t.holes()) {
            (Some(name), _) => Target::Name(name.to_string()),
            (None, [Hole::BucketName(b)]) if t.raw() == value::HOLE_CHAR.to_string() => {
                Target::Ref(b.clone())
            }
            _ => Target::Unknown,
        }
    }

    /// The bucket a bucket domain name (`bucket.s3.amazonaws.com`, a bucket's
    /// `bucket_domain_name` or `DomainName`) designates.
    pub fn from_domain(t: &Text) -> Target {
        if let Some(lit) = t.as_lit() {
            return lit
                .split_once(".s3")
                .map_or(Target::Unknown, |(name, _)| Target::Name(name.to_string()));
        }
        match t.holes().first() {
            Some(Hole::BucketName(b)) if t.raw().starts_with(value::HOLE_CHAR) => {
                Target::Ref(b.clone())
            }
            _ => Target::Unknown,
        }
    }
}

/// A separate resource that configures a bucket, before it is joined to it.
#[derive(Debug, Clone, PartialEq)]
pub struct Attachment {
    pub target: Target,
    /// The module directory or template it was declared in.
    pub scope: String,
    pub part: Part,
    pub origin: Origin,
    /// The module blocks that created it, outermost first.
    pub call_sites: Vec<Span>,
}

/// A resource or module call that the inputs do not create (`count = 0`, an empty
/// `for_each`, a false CloudFormation condition): nothing in it is checked unless the
/// scan assumes every resource is created.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct NotCreated {
    pub span: Span,
    pub address: String,
    pub reason: String,
}

/// Everything one front end read from one module or template.
#[derive(Debug, Default, Clone)]
pub struct Fragment {
    pub buckets: Vec<Box<Bucket>>,
    pub attachments: Vec<Box<Attachment>>,
    pub account_blocks: Vec<AccountPublicAccessBlock>,
    pub trails: Vec<Trail>,
    pub metric_filters: Vec<MetricFilter>,
    pub alarms: Vec<Alarm>,
    pub backups: Vec<BackupSelection>,
    pub identity_policies: Vec<IdentityPolicy>,
    pub policy_attachments: Vec<PolicyAttachment>,
    pub roles: Vec<Role>,
    pub principals: Vec<iam::Principal>,
    pub links: Vec<iam::Link>,
    pub org_policies: Vec<organizations::OrgPolicy>,
    /// Buckets CloudFront distributions deliver standard logs to.
    pub cloudfront_logs: Vec<(String, Target)>,
    pub objects: Vec<S3Object>,
    pub access_points: Vec<AccessPoint>,
    /// Configuration the deployment would reject (BL004).
    pub invalid: Vec<validate::Invalid>,
    pub not_created: Vec<NotCreated>,
}

/// Calls `$m!(field)` for every field of [`Fragment`].
macro_rules! each_field {
    ($m:ident) => {
        $m!(
            buckets,
            attachments,
            account_blocks,
            trails,
            metric_filters,
            alarms,
            backups,
            identity_policies,
            policy_attachments,
            roles,
            principals,
            links,
            org_policies,
            cloudfront_logs,
            objects,
            access_points,
            invalid,
            not_created
        )
    };
}

impl Fragment {
    /// Appends `other`, moving its vectors where this fragment has none.
    pub fn extend(&mut self, other: Fragment) {
        fn append<T>(to: &mut Vec<T>, from: Vec<T>) {
            if to.capacity() == 0 {
                *to = from;
            } else {
                to.extend(from);
            }
        }
        macro_rules! append_all {
            ($($f:ident),*) => { $( append(&mut self.$f, other.$f); )* };
        }
        each_field!(append_all);
    }

    /// The fragments one after another, each vector allocated once at its size.
    pub fn concat(parts: Vec<Fragment>) -> Fragment {
        let mut out = Fragment::default();
        macro_rules! reserve_all {
            ($($f:ident),*) => {
                $( out.$f.reserve_exact(parts.iter().map(|p| p.$f.len()).sum()); )*
            };
        }
        if parts.len() > 1 {
            each_field!(reserve_all);
        }
        for p in parts {
            out.extend(p);
        }
        out
    }
}

/// The scanned set after joining: buckets with their configuration merged.
#[derive(Debug, Default)]
pub struct Model {
    pub buckets: Vec<Box<Bucket>>,
    pub account_blocks: Vec<AccountPublicAccessBlock>,
    pub trails: Vec<Trail>,
    pub metric_filters: Vec<MetricFilter>,
    pub alarms: Vec<Alarm>,
    pub backups: Vec<BackupSelection>,
    pub identity_policies: Vec<IdentityPolicy>,
    pub policy_attachments: Vec<PolicyAttachment>,
    pub roles: Vec<Role>,
    /// Users, groups, instance profiles, compute and identity providers.
    pub principals: Vec<iam::Principal>,
    pub links: Vec<iam::Link>,
    /// AWS Organizations service control and S3 policies.
    pub org_policies: Vec<organizations::OrgPolicy>,
    pub objects: Vec<S3Object>,
    pub access_points: Vec<AccessPoint>,
    pub invalid: Vec<validate::Invalid>,
    names: HashMap<BucketRef, String>,
    /// The configuration says the account blocks public access (all four flags).
    pub assume_account_block: bool,
}

impl Model {
    /// Joins separate resources to their buckets (by reference, then by literal name,
    /// preferring the same module), marks log targets, and indexes names.
    pub fn link(fragment: Fragment) -> Model {
        let Fragment {
            mut buckets,
            attachments,
            account_blocks,
            trails,
            metric_filters,
            alarms,
            backups,
            identity_policies,
            policy_attachments,
            roles,
            principals,
            links,
            org_policies,
            cloudfront_logs,
            mut objects,
            access_points,
            mut invalid,
            not_created: _,
        } = fragment;
        let by_key: HashMap<BucketRef, usize> = buckets
            .iter()
            .enumerate()
            .map(|(i, b)| (b.key.clone(), i))
            .collect();
        let by_written: HashMap<(String, String), usize> = buckets
            .iter()
            .enumerate()
            .filter_map(|(i, b)| Some(((b.key.scope().to_string(), b.name_key.clone()?), i)))
            .collect();
        // Deployments with a bucket whose name is written but not known: a literal
        // name that matches no bucket may be that one's.
        let unnamed_scopes: std::collections::HashSet<String> = buckets
            .iter()
            .filter(|b| b.name.is_explicit() && b.literal_name().is_none())
            .map(|b| b.key.scope().to_string())
            .collect();
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, b) in buckets.iter().enumerate() {
            if let Some(n) = b.literal_name() {
                by_name.entry(n.to_string()).or_default().push(i);
            }
        }

        // The buckets a target designates, preferring those of `scope` for names.
        let resolve = |target: &Target, scope: &str, buckets: &[Box<Bucket>]| -> Vec<usize> {
            match target {
                Target::Ref(k) => by_key.get(k).copied().into_iter().collect(),
                Target::Name(n) => {
                    let all = by_name.get(n).cloned().unwrap_or_default();
                    let same: Vec<usize> = all
                        .iter()
                        .copied()
                        .filter(|&i| buckets[i].key.scope() == scope)
                        .collect();
                    if same.is_empty() { all } else { same }
                }
                // Written the way a bucket of the same deployment writes its name.
                Target::Elsewhere(key, _) => by_written
                    .get(&(scope.to_string(), key.clone()))
                    .copied()
                    .into_iter()
                    .collect(),
                Target::Invalid(_) | Target::DirectoryBucket | Target::Unknown => Vec::new(),
            }
        };

        // A resource whose bucket is not declared in the scan configures a bucket
        // declared elsewhere: one external bucket per name (or way of writing it).
        let mut external: HashMap<String, usize> = HashMap::new();
        // (scope, kind, only buckets whose written name is not known).
        let mut unresolved: BTreeSet<(String, PartKind, bool)> = BTreeSet::new();
        for att in attachments {
            let found = resolve(&att.target, &att.scope, &buckets);
            let unresolvable = match &att.target {
                Target::Elsewhere(..) | Target::Unknown => true,
                Target::Name(_) => unnamed_scopes.contains(&att.scope),
                _ => false,
            };
            if unresolvable && found.is_empty() {
                // It may configure a bucket of its own deployment too.
                let by_name = matches!(att.target, Target::Name(_));
                unresolved.insert((att.scope.clone(), att.part.kind(), by_name));
            }
            if found.is_empty() {
                let Some(via) = part_via(&att.part) else {
                    continue;
                };
                let (id, name) = match &att.target {
                    Target::Name(n) => (format!("name:{n}"), Some(Text::lit(n))),
                    Target::Ref(k) => (format!("ref:{}", k.0), None),
                    Target::Elsewhere(e, name) => (format!("{}#{e}", att.scope), name.clone()),
                    Target::Invalid(e) => (format!("{}#{e}", att.scope), None),
                    Target::DirectoryBucket => continue,
                    Target::Unknown => (format!("{}#{}", att.scope, via.address), None),
                };
                let i = *external.entry(id).or_insert_with(|| {
                    let name =
                        name.map_or_else(Value::absent_unknown, |n| Value::explicit(n, via.decl));
                    let key = BucketRef::new(&att.scope, &via.address);
                    let mut b = Bucket::external(key, att.origin, &via, name);
                    b.call_sites.clone_from(&att.call_sites);
                    buckets.push(Box::new(b));
                    buckets.len() - 1
                });
                buckets[i].attach(att.part);
                continue;
            }
            // The part is moved into the last bucket it configures, copied for the others.
            let (&last, others) = found.split_last().expect("found is not empty");
            for &i in others {
                buckets[i].attach(att.part.clone());
            }
            buckets[last].attach(att.part);
        }
        for (scope, kind, by_name) in unresolved {
            for b in buckets.iter_mut().filter(|b| {
                !b.external
                    && b.key.scope() == scope
                    && (!by_name || (b.name.is_explicit() && b.literal_name().is_none()))
            }) {
                if !b.has(kind) && !b.maybe.contains(&kind) {
                    b.maybe.push(kind);
                }
            }
        }

        for o in &mut objects {
            o.bucket = resolve(&o.target, &o.scope, &buckets).first().copied();
        }

        invalid.extend(validate::buckets(&mut buckets));

        let names: HashMap<BucketRef, String> = buckets
            .iter()
            .filter_map(|b| Some((b.key.clone(), b.literal_name()?.to_string())))
            .collect();

        // A bucket receiving another bucket's access logs.
        let targets: Vec<usize> = buckets
            .iter()
            .filter_map(|b| {
                let t = b.logging.as_ref()?.value.target_bucket.get()?;
                Some(resolve(&Target::from_text(t), b.key.scope(), &buckets))
            })
            .flatten()
            .collect();
        for i in targets {
            buckets[i].is_log_target = true;
        }
        // Buckets CloudFront writes standard logs to (with ACLs, by design).
        for (scope, target) in &cloudfront_logs {
            for i in resolve(target, scope, &buckets) {
                buckets[i].receives_cloudfront_logs = true;
            }
        }
        // Or one whose ACL or policy lets the log delivery service write to it.
        for b in &mut buckets {
            if b.grants_log_delivery() {
                b.is_log_target = true;
            }
        }

        Model {
            buckets,
            account_blocks,
            trails,
            metric_filters,
            alarms,
            backups,
            identity_policies,
            policy_attachments,
            roles,
            principals,
            links,
            org_policies,
            objects,
            access_points,
            invalid,
            names,
            assume_account_block: false,
        }
    }

    /// The address of every resource of the model a finding may be about: buckets
    /// (those declared elsewhere too), objects, access points, trails, metric
    /// filters, account blocks, IAM policies, attachments and roles, and the
    /// resources holding invalid configuration.
    pub fn addresses(&self) -> std::collections::HashSet<String> {
        self.buckets
            .iter()
            .map(|b| &b.address)
            .chain(self.objects.iter().map(|o| &o.address))
            .chain(self.access_points.iter().map(|a| &a.address))
            .chain(self.trails.iter().map(|t| &t.address))
            .chain(self.metric_filters.iter().map(|m| &m.address))
            .chain(self.account_blocks.iter().map(|a| &a.address))
            .chain(self.identity_policies.iter().map(|p| &p.address))
            .chain(self.policy_attachments.iter().map(|p| &p.address))
            .chain(self.roles.iter().map(|r| &r.address))
            .chain(self.invalid.iter().map(|i| &i.address))
            .cloned()
            .collect()
    }

    /// The literal name of a bucket in the model, if written.
    pub fn name_of(&self, key: &BucketRef) -> Option<String> {
        self.names.get(key).cloned()
    }

    /// Judges `test` on each way of naming bucket `b` (see [`Model::idents`]): true
    /// when one of them makes it true; otherwise the reference's (or literal name's)
    /// answer, since the computed text only ever adds a match.
    pub fn about_bucket(&self, b: &Bucket, test: impl Fn(&BucketIdent) -> Tri) -> Tri {
        let idents = self.idents(b);
        let first = idents.first().map_or(Tri::Unknown, &test);
        if first == Tri::Yes || idents.iter().skip(1).any(|i| test(i) == Tri::Yes) {
            Tri::Yes
        } else {
            first
        }
    }

    /// The ways a policy or a trail may name bucket `b` in an ARN: its literal name,
    /// or the reference to it (`${aws_s3_bucket.b.arn}`, `!GetAtt B.Arn`) and, when
    /// its name is computed (`${AppName}-logs-${AWS::AccountId}`), that text.
    pub fn idents(&self, b: &Bucket) -> Vec<BucketIdent> {
        let written = b
            .name
            .get()
            .filter(|n| !n.is_lit())
            .map(|n| BucketIdent { name: n.clone() });
        if b.external {
            // Known only as written, holes and all; or not at all.
            return vec![written.unwrap_or_else(|| BucketIdent {
                name: Text::hole(Hole::Unknown),
            })];
        }
        std::iter::once(BucketIdent::new(b.literal_name(), &b.key))
            .chain(written)
            .collect()
    }

    /// The account-level blocks deployed with bucket `b`.
    pub fn account_blocks_for<'a>(
        &'a self,
        b: &'a Bucket,
    ) -> impl Iterator<Item = &'a AccountPublicAccessBlock> + 'a {
        self.account_blocks
            .iter()
            .filter(move |a| a.scope == b.key.scope())
    }

    /// The trails deployed with bucket `b` (a trail records its own account).
    pub fn trails_for<'a>(&'a self, b: &'a Bucket) -> impl Iterator<Item = &'a Trail> + 'a {
        self.trails.iter().filter(move |t| t.scope == b.key.scope())
    }

    /// Is `flag` set at account level for bucket `b`? `Yes` if an account block
    /// deployed with the bucket sets it true, or the user says the account blocks.
    pub fn account_flag(&self, b: &Bucket, flag: PabFlag) -> Tri {
        if self.assume_account_block {
            return Tri::Yes;
        }
        Tri::any(
            self.account_blocks_for(b)
                .map(|a| match a.flags.flag(flag).get() {
                    Some(true) => Tri::Yes,
                    Some(false) => Tri::No,
                    None => Tri::Unknown,
                }),
        )
    }

    /// The effective value of `flag` for a bucket: bucket-level or account-level.
    pub fn effective_flag(&self, b: &Bucket, flag: PabFlag) -> Tri {
        let bucket = match &b.public_access_block {
            Some(p) => match p.value.flag(flag).get() {
                Some(v) => Tri::from_bool(*v),
                None => Tri::Unknown,
            },
            // A bucket declared elsewhere is judged on what the scan declares for it:
            // no block here means none that the scan can show.
            None if b.external => Tri::No,
            None => match b.presence(PartKind::PublicAccessBlock) {
                Tri::Unknown => Tri::Unknown,
                _ => Tri::No,
            },
        };
        bucket.or(self.account_flag(b, flag))
    }
}

/// The separate resource a part came from.
fn part_via(part: &Part) -> Option<bucket::Via> {
    let via = match part {
        Part::PublicAccessBlock(a) => &a.via,
        Part::Acl(a) => &a.via,
        Part::Policy(a) => &a.via,
        Part::Encryption(a) => &a.via,
        Part::Versioning(a) => &a.via,
        Part::Logging(a) => &a.via,
        Part::Ownership(a) => &a.via,
        Part::Lifecycle(a) => &a.via,
        Part::Replication(a) => &a.via,
        Part::Cors(a) => &a.via,
        Part::ObjectLock(a) => &a.via,
        Part::Other(_, a) => &a.via,
    };
    via.clone()
}
