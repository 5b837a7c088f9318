//! Terraform resources into the S3 model: `aws_s3_bucket` with its provider v3 inline
//! blocks, every provider v4+ split resource as an attachment, the account public
//! access block and CloudTrail trails, for every instance (`count`, `for_each`) of
//! every module instance of a deployment.

use super::ast::{Block, Body, Expr, ExprKind, Op};
use super::eval::{Children, Ctx, Evaluator, Instance};
use super::module::Resource;
use crate::model::backup::BackupSelection;
use crate::model::bucket::{
    AccountPublicAccessBlock, Acl, Attached, Bucket, BucketPolicy, Cors, CorsRule, Encryption,
    EncryptionRule, Grant, Lifecycle, LifecycleRule, Logging, ObjectLock, Origin, Ownership, Part,
    PartKind, PublicAccessBlock, Replication, RuleStatus, Versioning, VersioningStatus, Via,
};
use crate::model::iam::{
    EntityKind, EntityRef, IdentityPolicy, Link, LinkKind, PolicyAttachment, Principal, Role,
};
use crate::model::monitoring::{Alarm, MetricFilter};
use crate::model::object::{AccessPoint, S3Object};
use crate::model::organizations::OrgPolicy;
use crate::model::policy::PolicyDocument;
use crate::model::trail::{self, FieldSelector, Trail};
use crate::model::validate::Invalid;
use crate::model::value::{self, Node, NodeKind, Text, Value};
use crate::model::{Attachment, Fragment, NotCreated, Target};
use crate::source::Span;
use std::borrow::Cow;
use std::ops::Range;

/// Reads every S3-relevant resource of a deployment's root blocks `units` (its
/// resources, then its module calls, numbered in that order) and, recursively, of
/// the module instances those calls create.
pub fn load(ev: &Evaluator<'_>, units: Range<usize>) -> Fragment {
    let mut out = Fragment::default();
    load_units(ev, units, &mut out);
    out
}

/// Does a resource of type `ty` become part of the S3 model?
pub fn relevant(ty: &str) -> bool {
    matches!(
        ty,
        "aws_s3_bucket"
            | "aws_s3_account_public_access_block"
            | "aws_cloudtrail"
            | "aws_cloudwatch_log_metric_filter"
            | "aws_cloudwatch_metric_alarm"
            | "aws_backup_selection"
            | "aws_cloudfront_distribution"
            | "aws_s3_object"
            | "aws_s3_object_copy"
            | "aws_s3_access_point"
            | "aws_organizations_policy"
    ) || ty.starts_with("aws_s3_bucket_")
        || ty.starts_with("aws_iam_")
        || COMPUTE.contains(&ty)
}

/// Compute whose role the access graph follows.
const COMPUTE: [&str; 4] = [
    "aws_lambda_function",
    "aws_ecs_task_definition",
    "aws_instance",
    "aws_launch_template",
];

fn load_units(ev: &Evaluator<'_>, units: Range<usize>, out: &mut Fragment) {
    let scope = ev.place.root.clone();
    let n = ev.module.resources.len();
    let resources = &ev.module.resources[units.start.min(n)..units.end.min(n)];
    let calls = &ev.module.calls[units.start.saturating_sub(n)..units.end.saturating_sub(n)];
    for res in resources {
        if !relevant(res.ty()) {
            continue;
        }
        let instances = ev.instances(&res.block);
        if instances.is_empty() {
            out.not_created
                .push(not_created(ev, &res.block, &res.address(false)));
        }
        for inst in instances.iter() {
            let r = Reader { ev, res, inst };
            let at = At {
                body: res.body(),
                cx: &inst.cx,
            };
            match res.ty() {
                "aws_s3_bucket" => out.buckets.push(Box::new(r.bucket())),
                "aws_s3_account_public_access_block" => {
                    out.account_blocks.push(AccountPublicAccessBlock {
                        scope: scope.clone(),
                        address: r.address(),
                        decl: res.block.header,
                        flags: r.pab_flags(&at),
                    });
                }
                "aws_cloudtrail" => out.trails.push(r.trail()),
                "aws_cloudwatch_log_metric_filter" => out.metric_filters.push(r.metric_filter()),
                "aws_cloudwatch_metric_alarm" => out.alarms.push(Alarm {
                    scope: scope.clone(),
                    metric: r.metric(&at, "namespace", "metric_name"),
                }),
                "aws_backup_selection" => out.backups.push(r.backup_selection()),
                "aws_s3_object" | "aws_s3_bucket_object" | "aws_s3_object_copy" => {
                    if let Some(o) = r.object() {
                        out.objects.push(o);
                    }
                }
                "aws_s3_access_point" => out.access_points.push(r.access_point()),
                "aws_organizations_policy" => {
                    let kind = match r.eval(&at, "type") {
                        None => Some("SERVICE_CONTROL_POLICY".to_string()),
                        Some((n, _)) => n.as_str().map(str::to_string),
                    };
                    let content = r.eval(&at, "content").map(|(n, _)| n);
                    out.org_policies.push(OrgPolicy::read(
                        (scope.clone(), r.address(), res.block.header),
                        kind.as_deref(),
                        content.as_ref(),
                    ));
                }
                ty if ty.starts_with("aws_iam_") || COMPUTE.contains(&ty) => r.iam(ty, out),
                "aws_cloudfront_distribution" => {
                    for (l, cx) in &r.blocks(&at, "logging_config").items {
                        if let Some(bucket) = r.text_value(&At { body: &l.body, cx }, "bucket")
                            && let Some(t) = bucket.get()
                        {
                            out.cloudfront_logs
                                .push((scope.clone(), Target::from_domain(t)));
                        }
                    }
                }
                ty => {
                    if let Some(part) = r.split_part(ty, &mut out.invalid) {
                        out.attachments.push(Box::new(Attachment {
                            target: r.checked_target(&mut out.invalid),
                            scope: scope.clone(),
                            part,
                            origin: Origin::Terraform,
                            call_sites: ev.place.call_sites.clone(),
                        }));
                    }
                }
            }
        }
    }
    for call in calls {
        if let Children::Instances(children) = &*ev.children(&call.name) {
            if children.is_empty() {
                let address = format!("module.{}", call.name);
                out.not_created.push(not_created(ev, &call.block, &address));
            }
            for (_, child) in children {
                load_units(child, child.module.units(), out);
            }
        }
        ev.forget_children(&call.name);
    }
}

/// A block whose `count` is 0 or whose `for_each` is empty under the inputs.
fn not_created(ev: &Evaluator<'_>, block: &Block, address: &str) -> NotCreated {
    let reason = if block.body.attr("count").is_some() {
        "`count` is 0"
    } else {
        "`for_each` is empty"
    };
    NotCreated {
        span: block.header,
        address: ev.place.qualify(address),
        reason: reason.into(),
    }
}

/// The kind of bucket configuration a Terraform resource type sets, if any.
pub fn part_kind(ty: &str) -> Option<PartKind> {
    Some(match ty {
        "aws_s3_bucket_public_access_block" | "aws_s3_account_public_access_block" => {
            PartKind::PublicAccessBlock
        }
        "aws_s3_bucket_versioning" => PartKind::Versioning,
        "aws_s3_bucket_server_side_encryption_configuration" => PartKind::Encryption,
        "aws_s3_bucket_policy" => PartKind::Policy,
        "aws_s3_bucket_acl" => PartKind::Acl,
        "aws_s3_bucket_logging" => PartKind::Logging,
        "aws_s3_bucket_ownership_controls" => PartKind::Ownership,
        "aws_s3_bucket_lifecycle_configuration" => PartKind::Lifecycle,
        "aws_s3_bucket_replication_configuration" => PartKind::Replication,
        "aws_s3_bucket_cors_configuration" => PartKind::Cors,
        "aws_s3_bucket_object_lock_configuration" => PartKind::ObjectLock,
        "aws_s3_bucket_website_configuration" => PartKind::Website,
        "aws_s3_bucket_notification" => PartKind::Notification,
        _ => return None,
    })
}

/// A body and the context its expressions are evaluated in.
#[derive(Clone, Copy)]
struct At<'b> {
    body: &'b Body,
    cx: &'b Ctx,
}

struct Reader<'a, 'r> {
    ev: &'a Evaluator<'r>,
    res: &'a Resource,
    inst: &'a Instance,
}

impl Reader<'_, '_> {
    fn eval(&self, at: &At<'_>, name: &str) -> Option<(Node, Span)> {
        let a = at.body.attr(name)?;
        Some((self.ev.value(&a.value, at.cx), a.value.span))
    }

    fn bool_value(&self, at: &At<'_>, name: &str, default: bool) -> Value<bool> {
        match self.eval(at, name) {
            None => Value::default_of(default),
            Some((n, span)) => value::bool_value(&n, span, default),
        }
    }

    /// A string attribute; `None` when absent or null.
    fn string_value(&self, at: &At<'_>, name: &str) -> Option<Value<String>> {
        let (n, span) = self.eval(at, name)?;
        value::string_value(&n, span)
    }

    fn text_value(&self, at: &At<'_>, name: &str) -> Option<Value<Text>> {
        let (n, span) = self.eval(at, name)?;
        value::text_value(&n, span)
    }

    /// The nested blocks `ident`, `dynamic` ones expanded.
    fn blocks<'b>(&self, at: &At<'b>, ident: &'b str) -> super::eval::Blocks<'b> {
        self.ev.blocks(at.body, ident, at.cx)
    }

    /// The first nested block `ident`, with its context.
    fn block<'b>(&self, at: &At<'b>, ident: &'b str) -> Option<(Cow<'b, Block>, Ctx)> {
        self.blocks(at, ident).items.into_iter().next()
    }

    fn header(&self) -> Span {
        self.res.block.header
    }

    /// The full address of this instance (`module.m.aws_s3_bucket.b["k"]`).
    fn address(&self) -> String {
        self.ev.address(self.res, &self.inst.key)
    }

    fn via(&self) -> Via {
        Via {
            address: self.address(),
            decl: self.header(),
        }
    }

    // Boxed: a `Part` holds its piece boxed.
    #[allow(clippy::unnecessary_box_returns)]
    fn split<T>(&self, value: T) -> Box<Attached<T>> {
        Box::new(Attached {
            value,
            span: self.header(),
            via: Some(self.via()),
        })
    }

    // Boxed: a `Part` holds its piece boxed.
    #[allow(clippy::unnecessary_box_returns)]
    fn inline<T>(block: &Block, value: T) -> Box<Attached<T>> {
        Box::new(Attached {
            value,
            span: block.header,
            via: None,
        })
    }

    fn at(&self) -> At<'_> {
        At {
            body: self.res.body(),
            cx: &self.inst.cx,
        }
    }

    fn invalid(&self, span: Span, message: String) -> Invalid {
        Invalid {
            span,
            message,
            address: self.address(),
            scope: self.ev.place.root.clone(),
        }
    }

    /// The target of a split resource, with what Terraform would reject about it
    /// recorded: no `bucket` argument, or a reference to something not declared.
    fn checked_target(&self, invalid: &mut Vec<Invalid>) -> Target {
        let Some(attr) = self.res.body().attr("bucket") else {
            invalid.push(self.invalid(
                self.header(),
                format!(
                    "{} has no `bucket` argument, which is required: the plan fails",
                    self.res.ty()
                ),
            ));
            return Target::Invalid(self.address());
        };
        if let Some(what) = self.undeclared(&attr.value) {
            invalid.push(self.invalid(
                attr.value.span,
                format!("reference to undeclared {what}: the plan fails"),
            ));
            return Target::Invalid(
                attr.value
                    .reference_shape()
                    .unwrap_or_else(|| self.address()),
            );
        }
        self.target()
    }

    /// What a reference names that this module does not declare (`resource
    /// "aws_s3_bucket" "typo"`, `variable "x"`), if anything.
    fn undeclared(&self, e: &Expr) -> Option<String> {
        let ExprKind::Traversal(root, ops) = &e.kind else {
            return None;
        };
        let ExprKind::Var(root) = &root.kind else {
            return None;
        };
        let attr = |i: usize| match ops.get(i) {
            Some(Op::Attr(a)) => Some(a.as_str()),
            _ => None,
        };
        let m = self.ev.module;
        match root.as_str() {
            "var" => {
                let name = attr(0)?;
                (!m.variables.contains_key(name)).then(|| format!("input variable `var.{name}`"))
            }
            "local" => {
                let name = attr(0)?;
                (!m.locals.contains_key(name)).then(|| format!("local value `local.{name}`"))
            }
            "data" => {
                let (ty, name) = (attr(0)?, attr(1)?);
                m.data_source(ty, name)
                    .is_none()
                    .then(|| format!("data source `data.{ty}.{name}`"))
            }
            "module" => {
                let name = attr(0)?;
                (!m.calls.iter().any(|c| c.name == name))
                    .then(|| format!("module call `module.{name}`"))
            }
            "count" | "each" | "path" | "self" | "terraform" => None,
            ty if ty.starts_with("aws_") => {
                let name = attr(0)?;
                m.resource(ty, name)
                    .is_none()
                    .then(|| format!("resource `{ty}.{name}`"))
            }
            _ => None,
        }
    }

    /// When the `bucket` argument cannot be evaluated (`join("", aws_s3_bucket.b[*].id)`
    /// with an unknown count, `var.x ? aws_s3_directory_bucket... : aws_s3_bucket.b[0].id`)
    /// but names exactly one bucket of the module, through locals too: that bucket,
    /// when its instance is clear (it has one, or one with this resource's key).
    fn only_bucket_referenced(&self) -> Option<Target> {
        const DEPTH: usize = 4;
        let m = self.ev.module;
        let mut pending = vec![(&self.res.body().attr("bucket")?.value, 0)];
        let mut buckets: Vec<String> = Vec::new();
        let mut seen: Vec<String> = Vec::new();
        while let Some((e, depth)) = pending.pop() {
            for (root, name) in e.references() {
                match root.as_str() {
                    "aws_s3_bucket" if !buckets.contains(&name) => buckets.push(name),
                    "local" if depth < DEPTH && !seen.contains(&name) => {
                        if let Some(x) = m.locals.get(&name) {
                            pending.push((x, depth + 1));
                        }
                        seen.push(name);
                    }
                    _ => {}
                }
            }
        }
        let [name] = buckets.as_slice() else {
            return None;
        };
        let res = m.resource("aws_s3_bucket", name)?;
        let instances = self.ev.instances(&res.block);
        let key = match instances.as_slice() {
            [one] => one.key.clone(),
            many => many.iter().find(|i| i.key == self.inst.key)?.key.clone(),
        };
        Some(Target::Ref(self.ev.bucket_ref(res, &key)))
    }

    /// Which bucket a split resource configures (its `bucket` argument).
    fn target(&self) -> Target {
        let at = self.at();
        let value = self.eval(&at, "bucket");
        let written = value.as_ref().and_then(|(n, _)| n.as_text().cloned());
        let known = written.as_ref().map_or(Target::Unknown, Target::from_text);
        if known != Target::Unknown {
            return known;
        }
        if let Some(t) = self.only_bucket_referenced() {
            return t;
        }
        let directory = at.body.attr("bucket").is_some_and(|a| {
            a.value
                .references()
                .iter()
                .any(|(root, _)| root == "aws_s3_directory_bucket")
        });
        if directory {
            return Target::DirectoryBucket;
        }
        // Not resolved: identified by how it is written, per module instance and
        // resource instance.
        self.written_key(&at)
            .map_or(Target::Unknown, |key| Target::Elsewhere(key, written))
    }

    /// How the `bucket` argument is written, qualified by module and resource
    /// instance: the key of [`Target::Elsewhere`].
    fn written_key(&self, at: &At<'_>) -> Option<String> {
        let shape = at.body.attr("bucket")?.value.reference_shape()?;
        Some(format!(
            "{}{}",
            self.ev.place.qualify(&shape),
            self.inst.key.suffix()
        ))
    }

    fn bucket(&self) -> Bucket {
        let at = self.at();
        let body = at.body;
        let mut b = Bucket::new(
            self.ev.bucket_ref(self.res, &self.inst.key),
            Origin::Terraform,
            self.address(),
            self.header(),
        );
        b.call_sites.clone_from(&self.ev.place.call_sites);
        if let Some(name) = self.text_value(&at, "bucket") {
            if !name.get().is_some_and(Text::is_lit) {
                b.name_key = self.written_key(&at);
            }
            b.name = name;
        }
        b.force_destroy = self.bool_value(&at, "force_destroy", false);
        b.object_lock_enabled = self.bool_value(&at, "object_lock_enabled", false);
        if let Some((tags, _)) = self.eval(&at, "tags") {
            b.tags = match tags.kind {
                NodeKind::Null => Node::new(NodeKind::Map(Vec::new()), tags.span),
                _ => tags,
            };
        }

        // Provider v3 inline configuration.
        if let Some(canned) = self.string_value(&at, "acl") {
            let attr = body.attr("acl").map_or(self.header(), |a| a.key_span);
            b.attach(Part::Acl(Box::new(Attached {
                value: Acl {
                    canned: Some(canned),
                    owner: None,
                    grants: Vec::new(),
                    grants_unknown: false,
                },
                span: attr,
                via: None,
            })));
        }
        let grants = self.blocks(&at, "grant");
        if let Some((first, _)) = grants.items.first() {
            let acl = self.acl(b.acl.as_ref().and_then(|a| a.value.canned.clone()), &grants);
            b.attach(Part::Acl(Self::inline(first, acl)));
        } else if grants.unknown {
            if let Some(acl) = &mut b.acl {
                acl.value.grants_unknown = true;
            } else {
                b.maybe.push(PartKind::Acl);
            }
        }
        // `""` is no policy: what a provider v4+ state records for a bucket whose
        // policy is a separate resource, or none.
        if let Some((node, span)) = self.eval(&at, "policy")
            && !node.is_null()
            && node.as_str() != Some("")
        {
            b.attach(Part::Policy(Self::policy(&node, span, None)));
        }
        let versioning = self.blocks(&at, "versioning");
        if let Some((v, cx)) = versioning.items.first() {
            let vat = At { body: &v.body, cx };
            let enabled = self.bool_value(&vat, "enabled", false);
            let status = enabled.map(|e| {
                if e {
                    VersioningStatus::Enabled
                } else {
                    VersioningStatus::Disabled
                }
            });
            b.attach(Part::Versioning(Self::inline(
                v,
                Versioning {
                    status,
                    mfa_delete: self.bool_value(&vat, "mfa_delete", false),
                },
            )));
        }
        let sse = self.blocks(&at, "server_side_encryption_configuration");
        if let Some((s, cx)) = sse.items.first() {
            let enc = self.encryption(&At { body: &s.body, cx });
            b.attach(Part::Encryption(Self::inline(s, enc)));
        }
        let logging = self.blocks(&at, "logging");
        if let Some((l, cx)) = logging.items.first() {
            let log = self.logging(&At { body: &l.body, cx });
            b.attach(Part::Logging(Self::inline(l, log)));
        }
        for (unknown, kind) in [
            (versioning.unknown, PartKind::Versioning),
            (sse.unknown, PartKind::Encryption),
            (logging.unknown, PartKind::Logging),
        ] {
            if unknown && !b.has(kind) {
                b.maybe.push(kind);
            }
        }
        let lifecycle = self.blocks(&at, "lifecycle_rule");
        if let Some((first, _)) = lifecycle.items.first() {
            let value = self.lifecycle(&at, "lifecycle_rule", true);
            b.attach(Part::Lifecycle(Self::inline(first, value)));
        }
        let replication = self.blocks(&at, "replication_configuration");
        if let Some((r, cx)) = replication.items.first() {
            let value = self.replication(&At { body: &r.body, cx }, "rules", false);
            b.attach(Part::Replication(Self::inline(r, value)));
        }
        let cors = self.blocks(&at, "cors_rule");
        if let Some((first, _)) = cors.items.first() {
            let value = self.cors(&at);
            b.attach(Part::Cors(Self::inline(first, value)));
        }
        let lock = self.blocks(&at, "object_lock_configuration");
        if let Some((l, cx)) = lock.items.first() {
            let value = self.object_lock(&At { body: &l.body, cx });
            b.attach(Part::ObjectLock(Self::inline(l, value)));
        }
        let website = self.blocks(&at, "website");
        if let Some((w, _)) = website.items.first() {
            b.attach(Part::Other(
                PartKind::Website,
                Self::inline(w, Node::null(Some(w.span))),
            ));
        }
        for (blocks, kind) in [
            (&lifecycle, PartKind::Lifecycle),
            (&replication, PartKind::Replication),
            (&cors, PartKind::Cors),
            (&lock, PartKind::ObjectLock),
            (&website, PartKind::Website),
        ] {
            if blocks.unknown && !b.has(kind) {
                b.maybe.push(kind);
            }
        }
        b
    }

    // Boxed: a `Part` holds its piece boxed.
    #[allow(clippy::unnecessary_box_returns)]
    fn policy(node: &Node, value_span: Span, via: Option<Via>) -> Box<Attached<BucketPolicy>> {
        let document = PolicyDocument::from_value(node);
        let span = document.as_ref().and_then(|d| d.span).unwrap_or(value_span);
        Box::new(Attached {
            value: BucketPolicy { document },
            span,
            via,
        })
    }

    /// An ACL of a canned value and `grant` blocks.
    fn acl(&self, canned: Option<Value<String>>, grants: &super::eval::Blocks<'_>) -> Acl {
        Acl {
            canned,
            owner: None,
            grants: grants
                .items
                .iter()
                .map(|(g, cx)| self.inline_grant(g, cx))
                .collect(),
            grants_unknown: grants.unknown,
        }
    }

    fn inline_grant(&self, g: &Block, cx: &Ctx) -> Grant {
        let at = At { body: &g.body, cx };
        let ty = self
            .string_value(&at, "type")
            .unwrap_or_else(|| Value::unknown(g.header));
        // An empty `uri` or `id` is not set (a state records `uri = ""` for a
        // canonical user grant).
        let set =
            |v: Option<Value<Text>>| v.filter(|v| v.get().is_none_or(|t| !t.raw().is_empty()));
        Grant {
            grantee_type: ty,
            uri: set(self.text_value(&at, "uri")),
            id: set(self.text_value(&at, "id")),
            permissions: self.string_list(&at, "permissions"),
            span: g.span,
        }
    }

    /// A list of strings, each with its span; an element (or the whole list) that is
    /// not a known string is an unknown value.
    fn string_list(&self, at: &At<'_>, name: &str) -> Vec<Value<String>> {
        let Some((n, span)) = self.eval(at, name) else {
            return Vec::new();
        };
        match &n.kind {
            NodeKind::List(items) => items
                .iter()
                .map(|p| match p.as_str() {
                    Some(s) => Value::explicit(s.to_string(), p.span.unwrap_or(span)),
                    None => Value::unknown(p.span.unwrap_or(span)),
                })
                .collect(),
            NodeKind::Null => Vec::new(),
            _ => vec![Value::unknown(span)],
        }
    }

    /// `status = "Enabled"` (provider v4 rules) or `enabled = true` (v3 inline).
    fn rule_status(&self, at: &At<'_>, block: &Block, v3: bool) -> RuleStatus {
        let enabled = if v3 {
            self.bool_value(at, "enabled", false)
        } else {
            self.string_value(at, "status").map_or_else(
                || Value::unknown(block.header),
                |v| v.map(|s| s == "Enabled"),
            )
        };
        RuleStatus {
            enabled,
            span: block.header,
        }
    }

    /// Lifecycle rules: `lifecycle_rule` blocks of a v3 bucket or `rule` blocks of
    /// an `aws_s3_bucket_lifecycle_configuration`.
    fn lifecycle(&self, at: &At<'_>, ident: &str, v3: bool) -> Lifecycle {
        let blocks = self.blocks(at, ident);
        let rules = blocks
            .items
            .iter()
            .map(|(r, cx)| {
                let rat = At { body: &r.body, cx };
                let noncurrent = [
                    "noncurrent_version_expiration",
                    "noncurrent_version_transition",
                ]
                .iter()
                .any(|n| !self.blocks(&rat, n).items.is_empty());
                LifecycleRule {
                    status: self.rule_status(&rat, r, v3),
                    noncurrent,
                }
            })
            .collect();
        Lifecycle {
            rules,
            unknown: blocks.unknown,
        }
    }

    fn replication(&self, at: &At<'_>, ident: &str, v3: bool) -> Replication {
        let blocks = self.blocks(at, ident);
        Replication {
            rules: blocks
                .items
                .iter()
                .map(|(r, cx)| self.rule_status(&At { body: &r.body, cx }, r, v3))
                .collect(),
            unknown: blocks.unknown,
        }
    }

    fn cors(&self, at: &At<'_>) -> Cors {
        let blocks = self.blocks(at, "cors_rule");
        Cors {
            rules: blocks
                .items
                .iter()
                .map(|(r, cx)| {
                    let rat = At { body: &r.body, cx };
                    CorsRule {
                        origins: self.string_list(&rat, "allowed_origins"),
                        methods: self.string_list(&rat, "allowed_methods"),
                        span: r.header,
                    }
                })
                .collect(),
            unknown: blocks.unknown,
        }
    }

    /// `object_lock_enabled = "Enabled"`, which is also the default of the split
    /// resource.
    fn object_lock(&self, at: &At<'_>) -> ObjectLock {
        ObjectLock {
            enabled: self
                .string_value(at, "object_lock_enabled")
                .map_or(Value::default_of(true), |v| v.map(|s| s == "Enabled")),
        }
    }

    fn encryption(&self, at: &At<'_>) -> Encryption {
        let rules = self.blocks(at, "rule");
        let mut enc = Encryption {
            rules: Vec::with_capacity(rules.items.len()),
            unknown: rules.unknown,
        };
        for (rule, cx) in &rules.items {
            let rat = At {
                body: &rule.body,
                cx,
            };
            let defaults = self.blocks(&rat, "apply_server_side_encryption_by_default");
            enc.unknown |= defaults.unknown;
            let default = defaults.items.first();
            let (algorithm, kms_key) = match default {
                Some((d, dcx)) => {
                    let dat = At {
                        body: &d.body,
                        cx: dcx,
                    };
                    (
                        self.string_value(&dat, "sse_algorithm")
                            .unwrap_or_else(|| Value::unknown(d.header)),
                        self.text_value(&dat, "kms_master_key_id"),
                    )
                }
                None => (Value::unknown(rule.header), None),
            };
            enc.rules.push(EncryptionRule {
                algorithm,
                kms_key,
                bucket_key: self.bool_value(&rat, "bucket_key_enabled", false),
                span: default.map_or(rule.header, |(d, _)| d.header),
            });
        }
        enc
    }

    fn logging(&self, at: &At<'_>) -> Logging {
        Logging {
            target_bucket: self
                .text_value(at, "target_bucket")
                .unwrap_or_else(Value::absent_unknown),
        }
    }

    fn pab_flags(&self, at: &At<'_>) -> PublicAccessBlock {
        PublicAccessBlock {
            block_public_acls: self.bool_value(at, "block_public_acls", false),
            ignore_public_acls: self.bool_value(at, "ignore_public_acls", false),
            block_public_policy: self.bool_value(at, "block_public_policy", false),
            restrict_public_buckets: self.bool_value(at, "restrict_public_buckets", false),
        }
    }

    /// An object resource that sets an ACL (canned `acl`, or `grant` blocks of
    /// `aws_s3_object_copy`).
    fn object(&self) -> Option<S3Object> {
        let at = self.at();
        let canned = self.string_value(&at, "acl");
        let grants = self.blocks(&at, "grant");
        if canned.is_none() && grants.items.is_empty() {
            return None;
        }
        let span = at.body.attr("acl").map_or(self.header(), |a| a.key_span);
        Some(S3Object {
            target: self.target(),
            scope: self.ev.place.root.clone(),
            address: self.address(),
            decl: self.header(),
            call_sites: self.ev.place.call_sites.clone(),
            acl: Attached {
                value: self.acl(canned, &grants),
                span,
                via: Some(self.via()),
            },
            bucket: None,
        })
    }

    fn access_point(&self) -> AccessPoint {
        let at = self.at();
        let block = self
            .block(&at, "public_access_block_configuration")
            .map(|(c, cx)| {
                let cat = At {
                    body: &c.body,
                    cx: &cx,
                };
                let flag = |name| self.bool_value(&cat, name, true);
                Self::inline(
                    &c,
                    PublicAccessBlock {
                        block_public_acls: flag("block_public_acls"),
                        ignore_public_acls: flag("ignore_public_acls"),
                        block_public_policy: flag("block_public_policy"),
                        restrict_public_buckets: flag("restrict_public_buckets"),
                    },
                )
            });
        let policy = self
            .eval(&at, "policy")
            .filter(|(n, _)| !n.is_null())
            .map(|(n, span)| Self::policy(&n, span, None));
        AccessPoint {
            scope: self.ev.place.root.clone(),
            address: self.address(),
            origin: Origin::Terraform,
            decl: self.header(),
            call_sites: self.ev.place.call_sites.clone(),
            block: block.map(|b| *b),
            policy: policy.map(|p| *p),
        }
    }

    /// A provider v4+ split resource as a model part.
    fn split_part(&self, ty: &str, invalid: &mut Vec<Invalid>) -> Option<Part> {
        let at = self.at();
        Some(match ty {
            "aws_s3_bucket_public_access_block" => {
                Part::PublicAccessBlock(self.split(self.pab_flags(&at)))
            }
            "aws_s3_bucket_versioning" => {
                let cfg = self.block(&at, "versioning_configuration");
                let (status, mfa) = match &cfg {
                    Some((c, cx)) => {
                        let cat = At { body: &c.body, cx };
                        let status = self.string_value(&cat, "status").map_or_else(
                            || Value::unknown(c.header),
                            |v| match v.get().map(String::as_str) {
                                Some("Enabled") => v.map(|_| VersioningStatus::Enabled),
                                Some("Suspended") => v.map(|_| VersioningStatus::Suspended),
                                Some("Disabled") => v.map(|_| VersioningStatus::Disabled),
                                other => match v.span() {
                                    Some(s) => {
                                        if let Some(lit) = other {
                                            invalid.push(self.invalid(s, format!(
                                                "`{lit}` is not a valid versioning status: the apply fails; expected one of `Enabled`, `Suspended`, `Disabled`"
                                            )));
                                        }
                                        Value::unknown(s)
                                    }
                                    None => Value::absent_unknown(),
                                },
                            },
                        );
                        let mfa = self
                            .string_value(&cat, "mfa_delete")
                            .map_or(Value::default_of(false), |v| v.map(|s| s == "Enabled"));
                        (status, mfa)
                    }
                    None => (Value::absent_unknown(), Value::default_of(false)),
                };
                Part::Versioning(self.split(Versioning {
                    status,
                    mfa_delete: mfa,
                }))
            }
            "aws_s3_bucket_server_side_encryption_configuration" => {
                Part::Encryption(self.split(self.encryption(&at)))
            }
            "aws_s3_bucket_policy" => {
                let Some((node, span)) = self.eval(&at, "policy") else {
                    invalid.push(self.invalid(
                        self.header(),
                        "aws_s3_bucket_policy has no `policy` argument, which is required: the plan fails".into(),
                    ));
                    return None;
                };
                let mut p = Self::policy(&node, span, Some(self.via()));
                if p.value.document.is_none() {
                    p.span = span;
                }
                Part::Policy(p)
            }
            "aws_s3_bucket_acl" => {
                let canned = self.string_value(&at, "acl");
                let mut grants = Vec::new();
                let mut grants_unknown = false;
                let mut owner = None;
                let acps = self.blocks(&at, "access_control_policy");
                grants_unknown |= acps.unknown;
                if let Some((acp, cx)) = acps.items.first() {
                    let aat = At {
                        body: &acp.body,
                        cx,
                    };
                    owner = self.block(&aat, "owner").and_then(|(o, ocx)| {
                        self.text_value(
                            &At {
                                body: &o.body,
                                cx: &ocx,
                            },
                            "id",
                        )
                    });
                    let gs = self.blocks(&aat, "grant");
                    grants_unknown |= gs.unknown;
                    for (g, gcx) in &gs.items {
                        let gat = At {
                            body: &g.body,
                            cx: gcx,
                        };
                        let grantee = self.block(&gat, "grantee");
                        let gb = grantee.as_ref().map(|(x, xcx)| At {
                            body: &x.body,
                            cx: xcx,
                        });
                        grants.push(Grant {
                            grantee_type: gb
                                .as_ref()
                                .and_then(|b| self.string_value(b, "type"))
                                .unwrap_or_else(|| Value::unknown(g.header)),
                            uri: gb.as_ref().and_then(|b| self.text_value(b, "uri")),
                            id: gb.as_ref().and_then(|b| self.text_value(b, "id")),
                            permissions: self
                                .string_value(&gat, "permission")
                                .into_iter()
                                .collect(),
                            span: g.span,
                        });
                    }
                }
                Part::Acl(self.split(Acl {
                    canned,
                    owner,
                    grants,
                    grants_unknown,
                }))
            }
            "aws_s3_bucket_logging" => Part::Logging(self.split(self.logging(&at))),
            "aws_s3_bucket_ownership_controls" => {
                let rule = self.block(&at, "rule");
                let value = rule
                    .as_ref()
                    .and_then(|(r, cx)| {
                        self.string_value(&At { body: &r.body, cx }, "object_ownership")
                    })
                    .unwrap_or_else(|| Value::unknown(self.header()));
                Part::Ownership(self.split(Ownership { rule: value }))
            }
            "aws_s3_bucket_lifecycle_configuration" => {
                Part::Lifecycle(self.split(self.lifecycle(&at, "rule", false)))
            }
            "aws_s3_bucket_replication_configuration" => {
                Part::Replication(self.split(self.replication(&at, "rule", false)))
            }
            "aws_s3_bucket_cors_configuration" => Part::Cors(self.split(self.cors(&at))),
            "aws_s3_bucket_object_lock_configuration" => {
                Part::ObjectLock(self.split(self.object_lock(&at)))
            }
            other => {
                let kind = match other {
                    "aws_s3_bucket_website_configuration" => PartKind::Website,
                    "aws_s3_bucket_notification" => PartKind::Notification,
                    _ => return None,
                };
                Part::Other(kind, self.split(Node::null(Some(self.res.block.span))))
            }
        })
    }

    /// `(namespace, name)` of a metric from two string attributes.
    fn metric(&self, at: &At<'_>, namespace: &str, name: &str) -> Option<(String, String)> {
        let ns = self.string_value(at, namespace)?.get()?.clone();
        let n = self.string_value(at, name)?.get()?.clone();
        Some((ns, n))
    }

    fn metric_filter(&self) -> MetricFilter {
        let at = self.at();
        let metric = self
            .block(&at, "metric_transformation")
            .and_then(|(m, cx)| {
                self.metric(
                    &At {
                        body: &m.body,
                        cx: &cx,
                    },
                    "namespace",
                    "name",
                )
            });
        MetricFilter {
            scope: self.ev.place.root.clone(),
            address: self.address(),
            decl: self.header(),
            pattern: self
                .text_value(&at, "pattern")
                .unwrap_or_else(|| Value::unknown(self.header())),
            metric,
        }
    }

    /// IAM policies, roles, users, groups, instance profiles, identity providers,
    /// attachments and memberships; compute and the role it runs as.
    fn iam(&self, ty: &str, out: &mut Fragment) {
        use EntityKind as K;
        let at = self.at();
        let scope = self.ev.place.root.clone();
        let key = self.ev.bucket_ref(self.res, &self.inst.key);
        let this = EntityRef::Resource(key.clone());
        let refs_at = |at: &At<'_>, kind: K, name: &str| -> Vec<(K, EntityRef)> {
            self.eval(at, name)
                .map(|(n, _)| EntityRef::all_in(kind, &n))
                .unwrap_or_default()
        };
        let refs = |kind: K, name: &str| refs_at(&at, kind, name);
        let name = self
            .string_value(&at, "name")
            .and_then(|v| v.get().cloned());
        let policy = |at: &At<'_>, address: String, name: Option<String>, holders| {
            let (node, span) = self.eval(at, "policy")?;
            let document = PolicyDocument::from_value(&node);
            Some(IdentityPolicy {
                scope: scope.clone(),
                address,
                key: key.clone(),
                name,
                decl: self.header(),
                span: document.as_ref().and_then(|d| d.span).unwrap_or(span),
                document,
                holders,
            })
        };
        let attachment = |arn: Node, span: Span, holders| PolicyAttachment {
            scope: scope.clone(),
            address: self.address(),
            policy_arn: arn
                .as_text()
                .cloned()
                .unwrap_or_else(|| Text::hole(value::Hole::Unknown)),
            span: arn.span.unwrap_or(span),
            holders,
        };
        let principal = |kind: K, name: Option<String>| Principal {
            kind,
            scope: scope.clone(),
            address: self.address(),
            key: key.clone(),
            name,
            decl: self.header(),
        };
        let link = |kind: LinkKind, from: Vec<(K, EntityRef)>, to: Vec<(K, EntityRef)>| Link {
            kind,
            scope: scope.clone(),
            address: self.address(),
            span: self.header(),
            from,
            to,
        };
        let me = |kind: K| vec![(kind, this.clone())];
        match ty {
            "aws_iam_policy" => {
                out.identity_policies
                    .extend(policy(&at, self.address(), name, Vec::new()));
            }
            "aws_iam_role_policy" | "aws_iam_user_policy" | "aws_iam_group_policy" => {
                let holder = match ty {
                    "aws_iam_role_policy" => refs(K::Role, "role"),
                    "aws_iam_user_policy" => refs(K::User, "user"),
                    _ => refs(K::Group, "group"),
                };
                out.identity_policies
                    .extend(policy(&at, self.address(), name, holder));
            }
            "aws_iam_user" | "aws_iam_group" => {
                let kind = if ty == "aws_iam_user" {
                    K::User
                } else {
                    K::Group
                };
                out.principals.push(principal(kind, name));
            }
            "aws_iam_instance_profile" => {
                out.principals.push(principal(K::InstanceProfile, name));
                let roles = [refs(K::Role, "role"), refs(K::Role, "roles")].concat();
                out.links
                    .push(link(LinkKind::RunsAs, me(K::InstanceProfile), roles));
            }
            "aws_iam_openid_connect_provider" | "aws_iam_saml_provider" => {
                let (kind, name) = if ty == "aws_iam_saml_provider" {
                    (K::SamlProvider, name)
                } else {
                    let url = self.string_value(&at, "url").and_then(|v| v.get().cloned());
                    let host = url.map(|u| u.strip_prefix("https://").unwrap_or(&u).to_string());
                    (K::OidcProvider, host)
                };
                out.principals.push(principal(kind, name));
            }
            "aws_iam_group_membership" => out.links.push(link(
                LinkKind::MemberOf,
                refs(K::User, "users"),
                refs(K::Group, "group"),
            )),
            "aws_iam_user_group_membership" => out.links.push(link(
                LinkKind::MemberOf,
                refs(K::User, "user"),
                refs(K::Group, "groups"),
            )),
            "aws_iam_role" => {
                let trust = self.eval(&at, "assume_role_policy");
                out.roles.push(Role {
                    scope: scope.clone(),
                    address: self.address(),
                    key: key.clone(),
                    name: name.clone(),
                    decl: self.header(),
                    trust: trust
                        .as_ref()
                        .and_then(|(n, _)| PolicyDocument::from_value(n)),
                    trust_span: trust.map_or(self.header(), |(_, s)| s),
                });
                for (block, cx) in &self.blocks(&at, "inline_policy").items {
                    let bat = At {
                        body: &block.body,
                        cx,
                    };
                    let inline = self
                        .string_value(&bat, "name")
                        .and_then(|v| v.get().cloned());
                    let address = format!(
                        "{} (inline policy {})",
                        self.address(),
                        inline.as_deref().unwrap_or("?")
                    );
                    out.identity_policies
                        .extend(policy(&bat, address, inline, me(K::Role)));
                }
                if let Some((arns, span)) = self.eval(&at, "managed_policy_arns") {
                    for arn in arns.items() {
                        out.policy_attachments
                            .push(attachment(arn.clone(), span, me(K::Role)));
                    }
                }
            }
            "aws_iam_role_policy_attachment"
            | "aws_iam_policy_attachment"
            | "aws_iam_user_policy_attachment"
            | "aws_iam_group_policy_attachment" => {
                if let Some((arn, span)) = self.eval(&at, "policy_arn") {
                    let holders = match ty {
                        "aws_iam_role_policy_attachment" => refs(K::Role, "role"),
                        "aws_iam_user_policy_attachment" => refs(K::User, "user"),
                        "aws_iam_group_policy_attachment" => refs(K::Group, "group"),
                        _ => [
                            refs(K::Role, "roles"),
                            refs(K::User, "users"),
                            refs(K::Group, "groups"),
                        ]
                        .concat(),
                    };
                    out.policy_attachments.push(attachment(arn, span, holders));
                }
            }
            // Compute, and the role it runs as.
            "aws_lambda_function" | "aws_ecs_task_definition" => {
                let (kind, role) = if ty == "aws_lambda_function" {
                    (K::Function, "role")
                } else {
                    (K::Task, "task_role_arn")
                };
                let name = self
                    .string_value(
                        &at,
                        if kind == K::Function {
                            "function_name"
                        } else {
                            "family"
                        },
                    )
                    .and_then(|v| v.get().cloned());
                out.principals.push(principal(kind, name));
                out.links
                    .push(link(LinkKind::RunsAs, me(kind), refs(K::Role, role)));
            }
            "aws_instance" | "aws_launch_template" => {
                out.principals.push(principal(K::Instance, None));
                let profile = if ty == "aws_instance" {
                    refs(K::InstanceProfile, "iam_instance_profile")
                } else {
                    self.blocks(&at, "iam_instance_profile")
                        .items
                        .iter()
                        .flat_map(|(b, cx)| {
                            let bat = At { body: &b.body, cx };
                            [
                                refs_at(&bat, K::InstanceProfile, "name"),
                                refs_at(&bat, K::InstanceProfile, "arn"),
                            ]
                            .concat()
                        })
                        .collect()
                };
                out.links
                    .push(link(LinkKind::RunsAs, me(K::Instance), profile));
            }
            _ => {}
        }
    }

    fn backup_selection(&self) -> BackupSelection {
        let at = self.at();
        let mut unknown = false;
        let resources = match self.eval(&at, "resources") {
            Some((n, _)) => {
                unknown |= n.is_unknown();
                n.items()
                    .iter()
                    .filter_map(|r| {
                        let t = r.as_text();
                        unknown |= t.is_none();
                        t.cloned()
                    })
                    .collect()
            }
            None => Vec::new(),
        };
        let selections = self.blocks(&at, "selection_tag");
        unknown |= selections.unknown;
        let mut tags = Vec::new();
        for (t, cx) in &selections.items {
            let tat = At { body: &t.body, cx };
            let get = |name| self.string_value(&tat, name).and_then(|v| v.get().cloned());
            match (get("type").as_deref(), get("key"), get("value")) {
                (Some("STRINGEQUALS"), Some(k), Some(v)) => tags.push((k, v)),
                _ => unknown = true,
            }
        }
        // Exclusions and conditions narrow the selection in ways not modelled.
        unknown |= self
            .eval(&at, "not_resources")
            .is_some_and(|(n, _)| !n.items().is_empty())
            || !self.blocks(&at, "condition").items.is_empty();
        BackupSelection {
            scope: self.ev.place.root.clone(),
            address: self.address(),
            decl: self.header(),
            resources,
            tags,
            unknown,
        }
    }

    fn trail(&self) -> Trail {
        let at = self.at();
        let selectors = self.blocks(&at, "event_selector");
        let advanced = self.blocks(&at, "advanced_event_selector");
        let mut out = Trail {
            scope: self.ev.place.root.clone(),
            address: self.address(),
            decl: self.header(),
            s3_data_events: Vec::new(),
            selectors_unknown: selectors.unknown || advanced.unknown,
            cloudwatch_logs: self
                .eval(&at, "cloud_watch_logs_group_arn")
                .filter(|(n, _)| !n.is_null())
                .map(|(_, span)| span),
        };
        for (sel, cx) in &selectors.items {
            let sat = At {
                body: &sel.body,
                cx,
            };
            let rw = self.eval(&sat, "read_write_type").map(|(n, _)| n);
            let (read, write) = trail::read_write(rw.as_ref().and_then(Node::as_str), rw.is_none());
            let resources = self.blocks(&sat, "data_resource");
            out.selectors_unknown |= resources.unknown;
            for (dr, dcx) in &resources.items {
                let dat = At {
                    body: &dr.body,
                    cx: dcx,
                };
                match self
                    .string_value(&dat, "type")
                    .as_ref()
                    .and_then(|v| v.get().map(String::as_str))
                {
                    Some("AWS::S3::Object") => {}
                    Some(_) => continue,
                    None => {
                        out.selectors_unknown = true;
                        continue;
                    }
                }
                let values = self
                    .eval(&dat, "values")
                    .map_or_else(|| Node::unknown(None), |(n, _)| n);
                out.s3_data_events
                    .push(trail::data_events(read, write, &values));
            }
        }
        for (sel, cx) in &advanced.items {
            let sat = At {
                body: &sel.body,
                cx,
            };
            let fields = self.blocks(&sat, "field_selector");
            out.selectors_unknown |= fields.unknown;
            let fields: Vec<FieldSelector> = fields
                .items
                .iter()
                .map(|(fs, fcx)| {
                    let fat = At {
                        body: &fs.body,
                        cx: fcx,
                    };
                    FieldSelector {
                        field: self
                            .string_value(&fat, "field")
                            .and_then(|v| v.get().cloned()),
                        equals: self.eval(&fat, "equals").map(|(n, _)| n),
                        starts_with: self.eval(&fat, "starts_with").map(|(n, _)| n),
                    }
                })
                .collect();
            if let Some(events) = trail::advanced_selector(&fields) {
                out.s3_data_events.push(events);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use crate::model::value::Tri;
    use crate::source::FileId;
    use crate::terraform::{load_root, module::Registry, parse::parse_file};

    #[test]
    fn tags_and_object_lock() {
        let src = "variable \"class\" {\n  default = \"confidential\"\n}\nresource \"aws_s3_bucket\" \"b\" {\n  object_lock_enabled = true\n  tags = merge({ Owner = \"data\" }, { DataClassification = var.class })\n}\n";
        let body = parse_file(FileId(0), src, false).unwrap();
        let mut registry = Registry::default();
        registry.modules.insert(
            "m".into(),
            crate::terraform::module::Module::new("m".into(), vec![body]),
        );
        let budget = crate::terraform::eval::Budget::new(crate::terraform::eval::SCAN_FUEL);
        let f = load_root(
            &registry,
            "m",
            &std::collections::HashMap::new(),
            &[],
            &budget,
            false,
        )
        .base;
        let b = &f.buckets[0];
        assert_eq!(b.tag("DataClassification"), Some("confidential"));
        assert_eq!(b.tag("Owner"), Some("data"));
        assert_eq!(b.object_lock_enabled.test(|v| *v), Tri::Yes);
    }

    #[test]
    fn roots_share_the_scans_evaluation_budget() {
        let src = |n: u32| {
            format!(
                "locals {{\n  a = [for i in range({n}) : i]\n}}\nresource \"aws_s3_bucket\" \"b\" {{\n  bucket = \"x-${{length(local.a)}}\"\n}}\n"
            )
        };
        let mut registry = Registry::default();
        for (dir, n) in [("r1", 1), ("r2", 100_000)] {
            let body = parse_file(FileId(0), &src(n), false).unwrap();
            registry.modules.insert(
                dir.into(),
                crate::terraform::module::Module::new(dir.into(), vec![body]),
            );
        }
        let inputs = std::collections::HashMap::new();
        // Enough for the small root (it gives back what it does not spend): the
        // large one finds the scan's budget spent, says so, and its values are
        // unknown (never guessed).
        let budget = crate::terraform::eval::Budget::new(200);
        let first = load_root(&registry, "r1", &inputs, &[], &budget, false);
        assert!(first.limits.is_empty(), "{:?}", first.limits);
        assert_eq!(first.base.buckets[0].literal_name(), Some("x-1"));
        let second = load_root(&registry, "r2", &inputs, &[], &budget, false);
        assert!(
            second
                .limits
                .iter()
                .any(|l| l.contains("root module r2 stopped: the scan's budget")),
            "{:?}",
            second.limits
        );
        assert_eq!(second.base.buckets[0].literal_name(), None);
    }
}
