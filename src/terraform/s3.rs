//! Terraform resources into the S3 model: `aws_s3_bucket` with its provider v3 inline
//! blocks, every provider v4+ split resource as an attachment, the account public
//! access block, and CloudTrail trails.

use super::ast::{Block, Body};
use super::eval::{Ctx, Evaluator};
use super::module::{Module, Resource};
use crate::model::bucket::{
    AccountPublicAccessBlock, Acl, Attached, Bucket, BucketPolicy, Encryption, EncryptionRule,
    Grant, Logging, Origin, Ownership, Part, PartKind, PublicAccessBlock, Versioning,
    VersioningStatus, Via,
};
use crate::model::policy::PolicyDocument;
use crate::model::trail::{self, FieldSelector, Trail};
use crate::model::value::{self, Node, NodeKind, Text, Value};
use crate::model::{Attachment, Fragment, Target};
use crate::source::Span;

/// Reads every S3-relevant resource of `module` into a model fragment.
pub fn load(module: &Module) -> Fragment {
    let ev = Evaluator::new(module);
    let mut out = Fragment::default();
    for res in &module.resources {
        if !instantiated(&ev, res) {
            continue;
        }
        let r = Reader { ev: &ev, res };
        match res.ty.as_str() {
            "aws_s3_bucket" => out.buckets.push(r.bucket()),
            "aws_s3_account_public_access_block" => {
                out.account_blocks.push(AccountPublicAccessBlock {
                    scope: module.scope.clone(),
                    address: res.address(false),
                    decl: res.block.header,
                    flags: r.pab_flags(res.body()),
                });
            }
            "aws_cloudtrail" => out.trails.push(r.trail()),
            ty => {
                if let Some(part) = r.split_part(ty) {
                    out.attachments.push(Attachment {
                        target: r.target(),
                        scope: module.scope.clone(),
                        part,
                    });
                }
            }
        }
    }
    out
}

/// False when `count` or `for_each` is known to create no instance.
fn instantiated(ev: &Evaluator<'_>, res: &Resource) -> bool {
    let cx = Ctx::default();
    if let Some(c) = res.body().attr("count") {
        let v = ev.value(&c.value, &cx);
        if super::eval::number(&v) == Some(0.0) {
            return false;
        }
    }
    if let Some(f) = res.body().attr("for_each") {
        let v = ev.value(&f.value, &cx);
        match &v.kind {
            NodeKind::List(items) if items.is_empty() => return false,
            NodeKind::Map(entries) if entries.is_empty() => return false,
            _ => {}
        }
    }
    true
}

struct Reader<'a, 'm> {
    ev: &'a Evaluator<'m>,
    res: &'a Resource,
}

impl Reader<'_, '_> {
    fn eval(&self, body: &Body, name: &str) -> Option<(Node, Span)> {
        let a = body.attr(name)?;
        Some((self.ev.value(&a.value, &Ctx::default()), a.value.span))
    }

    fn bool_value(&self, body: &Body, name: &str, default: bool) -> Value<bool> {
        match self.eval(body, name) {
            None => Value::default_of(default),
            Some((n, span)) => value::bool_value(&n, span, default),
        }
    }

    /// A string attribute; `None` when absent or null.
    fn string_value(&self, body: &Body, name: &str) -> Option<Value<String>> {
        let (n, span) = self.eval(body, name)?;
        value::string_value(&n, span)
    }

    fn text_value(&self, body: &Body, name: &str) -> Option<Value<Text>> {
        let (n, span) = self.eval(body, name)?;
        value::text_value(&n, span)
    }

    fn header(&self) -> Span {
        self.res.block.header
    }

    fn via(&self) -> Via {
        Via {
            address: self.res.address(false),
            decl: self.header(),
        }
    }

    fn split<T>(&self, value: T) -> Attached<T> {
        Attached {
            value,
            span: self.header(),
            via: Some(self.via()),
        }
    }

    fn inline<T>(block: &Block, value: T) -> Attached<T> {
        Attached {
            value,
            span: block.header,
            via: None,
        }
    }

    /// Which bucket a split resource configures (its `bucket` argument).
    fn target(&self) -> Target {
        match self.eval(self.res.body(), "bucket") {
            Some((n, _)) => match n.as_text() {
                Some(t) => Target::from_text(t),
                None => Target::Unknown,
            },
            None => Target::Unknown,
        }
    }

    fn bucket(&self) -> Bucket {
        let body = self.res.body();
        let mut b = Bucket::new(
            self.ev.bucket_ref(self.res),
            Origin::Terraform,
            self.res.address(false),
            self.header(),
        );
        if let Some(name) = self.text_value(body, "bucket") {
            b.name = name;
        }
        b.force_destroy = self.bool_value(body, "force_destroy", false);
        b.object_lock_enabled = self.bool_value(body, "object_lock_enabled", false);
        if let Some((tags, _)) = self.eval(body, "tags") {
            b.tags = match tags.kind {
                NodeKind::Null => Node::new(NodeKind::Map(Vec::new()), tags.span),
                _ => tags,
            };
        }

        // Provider v3 inline configuration.
        if let Some(canned) = self.string_value(body, "acl") {
            let attr = body.attr("acl").map_or(self.header(), |a| a.key_span);
            b.attach(Part::Acl(Attached {
                value: Acl {
                    canned: Some(canned),
                    grants: Vec::new(),
                    grants_unknown: false,
                },
                span: attr,
                via: None,
            }));
        }
        let grants: Vec<_> = body.blocks("grant").collect();
        if !grants.is_empty() {
            let acl = Acl {
                canned: b.acl.as_ref().and_then(|a| a.value.canned.clone()),
                grants: grants.iter().map(|g| self.inline_grant(g)).collect(),
                grants_unknown: false,
            };
            b.attach(Part::Acl(Self::inline(&grants[0], acl)));
        }
        if let Some(a) = body.attr("policy") {
            let node = self.ev.value(&a.value, &Ctx::default());
            if !node.is_null() {
                b.attach(Part::Policy(Self::policy(&node, a.value.span, None)));
            }
        }
        if let Some(v) = body.block("versioning") {
            let enabled = self.bool_value(&v.body, "enabled", false);
            let status = enabled.map(|e| {
                if e {
                    VersioningStatus::Enabled
                } else {
                    VersioningStatus::Disabled
                }
            });
            b.attach(Part::Versioning(Self::inline(
                &v,
                Versioning {
                    status,
                    mfa_delete: self.bool_value(&v.body, "mfa_delete", false),
                },
            )));
        }
        if let Some(sse) = body.block("server_side_encryption_configuration") {
            b.attach(Part::Encryption(Self::inline(
                &sse,
                self.encryption(&sse.body),
            )));
        }
        if let Some(l) = body.block("logging") {
            b.attach(Part::Logging(Self::inline(&l, self.logging(&l.body))));
        }
        for (ident, kind) in [
            ("lifecycle_rule", PartKind::Lifecycle),
            ("replication_configuration", PartKind::Replication),
            ("website", PartKind::Website),
            ("cors_rule", PartKind::Cors),
            ("object_lock_configuration", PartKind::ObjectLock),
        ] {
            if let Some(block) = body.block(ident) {
                b.attach(Part::Other(
                    kind,
                    Self::inline(&block, Node::null(Some(block.span))),
                ));
            }
        }
        // A `dynamic` inline block may or may not produce the configuration.
        for d in body.blocks("dynamic") {
            let kind = match d.labels.first().map(String::as_str) {
                Some("versioning") => PartKind::Versioning,
                Some("server_side_encryption_configuration") => PartKind::Encryption,
                Some("logging") => PartKind::Logging,
                Some("grant") => PartKind::Acl,
                Some("lifecycle_rule") => PartKind::Lifecycle,
                Some("replication_configuration") => PartKind::Replication,
                Some("website") => PartKind::Website,
                Some("cors_rule") => PartKind::Cors,
                Some("object_lock_configuration") => PartKind::ObjectLock,
                _ => continue,
            };
            if kind == PartKind::Acl
                && let Some(acl) = &mut b.acl
            {
                acl.value.grants_unknown = true;
                continue;
            }
            if !b.has(kind) && !b.maybe.contains(&kind) {
                b.maybe.push(kind);
            }
        }
        b
    }

    fn policy(node: &Node, value_span: Span, via: Option<Via>) -> Attached<BucketPolicy> {
        let document = PolicyDocument::from_value(node);
        let span = document.as_ref().and_then(|d| d.span).unwrap_or(value_span);
        Attached {
            value: BucketPolicy { document },
            span,
            via,
        }
    }

    fn inline_grant(&self, g: &Block) -> Grant {
        let ty = self
            .string_value(&g.body, "type")
            .unwrap_or_else(|| Value::unknown(g.header));
        let permissions = match self.eval(&g.body, "permissions") {
            Some((n, span)) => match &n.kind {
                NodeKind::List(items) => items
                    .iter()
                    .map(|p| match p.as_str() {
                        Some(s) => Value::explicit(s.to_string(), p.span.unwrap_or(span)),
                        None => Value::unknown(p.span.unwrap_or(span)),
                    })
                    .collect(),
                _ => vec![Value::unknown(span)],
            },
            None => Vec::new(),
        };
        Grant {
            grantee_type: ty,
            uri: self.text_value(&g.body, "uri"),
            id: self.text_value(&g.body, "id"),
            permissions,
            span: g.span,
        }
    }

    fn encryption(&self, body: &Body) -> Encryption {
        let mut enc = Encryption {
            rules: Vec::new(),
            unknown: body.blocks("dynamic").next().is_some(),
        };
        for rule in body.blocks("rule") {
            let default = rule.body.block("apply_server_side_encryption_by_default");
            let (algorithm, kms_key) = match &default {
                Some(d) => (
                    self.string_value(&d.body, "sse_algorithm")
                        .unwrap_or_else(|| Value::unknown(d.header)),
                    self.text_value(&d.body, "kms_master_key_id"),
                ),
                None => (Value::unknown(rule.header), None),
            };
            enc.unknown |= rule.body.blocks("dynamic").next().is_some();
            enc.rules.push(EncryptionRule {
                algorithm,
                kms_key,
                bucket_key: self.bool_value(&rule.body, "bucket_key_enabled", false),
                span: default.as_ref().map_or(rule.header, |d| d.header),
            });
        }
        enc
    }

    fn logging(&self, body: &Body) -> Logging {
        Logging {
            target_bucket: self
                .text_value(body, "target_bucket")
                .unwrap_or_else(Value::absent_unknown),
        }
    }

    fn pab_flags(&self, body: &Body) -> PublicAccessBlock {
        PublicAccessBlock {
            block_public_acls: self.bool_value(body, "block_public_acls", false),
            ignore_public_acls: self.bool_value(body, "ignore_public_acls", false),
            block_public_policy: self.bool_value(body, "block_public_policy", false),
            restrict_public_buckets: self.bool_value(body, "restrict_public_buckets", false),
        }
    }

    /// A provider v4+ split resource as a model part.
    fn split_part(&self, ty: &str) -> Option<Part> {
        let body = self.res.body();
        Some(match ty {
            "aws_s3_bucket_public_access_block" => {
                Part::PublicAccessBlock(self.split(self.pab_flags(body)))
            }
            "aws_s3_bucket_versioning" => {
                let cfg = body.block("versioning_configuration");
                let (status, mfa) = match &cfg {
                    Some(c) => {
                        let status = self.string_value(&c.body, "status").map_or_else(
                            || Value::unknown(c.header),
                            |v| match v.get().map(String::as_str) {
                                Some("Enabled") => v.map(|_| VersioningStatus::Enabled),
                                Some("Suspended") => v.map(|_| VersioningStatus::Suspended),
                                Some("Disabled") => v.map(|_| VersioningStatus::Disabled),
                                _ => match v.span() {
                                    Some(s) => Value::unknown(s),
                                    None => Value::absent_unknown(),
                                },
                            },
                        );
                        let mfa = self
                            .string_value(&c.body, "mfa_delete")
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
                Part::Encryption(self.split(self.encryption(body)))
            }
            "aws_s3_bucket_policy" => {
                let a = body.attr("policy")?;
                let node = self.ev.value(&a.value, &Ctx::default());
                let mut p = Self::policy(&node, a.value.span, Some(self.via()));
                if p.value.document.is_none() {
                    p.span = a.value.span;
                }
                Part::Policy(p)
            }
            "aws_s3_bucket_acl" => {
                let canned = self.string_value(body, "acl");
                let mut grants = Vec::new();
                let mut grants_unknown = false;
                if let Some(acp) = body.block("access_control_policy") {
                    grants_unknown |= acp.body.blocks("dynamic").next().is_some();
                    for g in acp.body.blocks("grant") {
                        let grantee = g.body.block("grantee");
                        let gb = grantee.as_ref().map(|x| &x.body);
                        grants.push(Grant {
                            grantee_type: gb
                                .and_then(|b| self.string_value(b, "type"))
                                .unwrap_or_else(|| Value::unknown(g.header)),
                            uri: gb.and_then(|b| self.text_value(b, "uri")),
                            id: gb.and_then(|b| self.text_value(b, "id")),
                            permissions: self
                                .string_value(&g.body, "permission")
                                .into_iter()
                                .collect(),
                            span: g.span,
                        });
                    }
                }
                Part::Acl(self.split(Acl {
                    canned,
                    grants,
                    grants_unknown,
                }))
            }
            "aws_s3_bucket_logging" => Part::Logging(self.split(self.logging(body))),
            "aws_s3_bucket_ownership_controls" => {
                let rule = body.block("rule");
                let value = rule
                    .as_ref()
                    .and_then(|r| self.string_value(&r.body, "object_ownership"))
                    .unwrap_or_else(|| Value::unknown(self.header()));
                Part::Ownership(self.split(Ownership { rule: value }))
            }
            other => {
                let kind = match other {
                    "aws_s3_bucket_lifecycle_configuration" => PartKind::Lifecycle,
                    "aws_s3_bucket_replication_configuration" => PartKind::Replication,
                    "aws_s3_bucket_website_configuration" => PartKind::Website,
                    "aws_s3_bucket_cors_configuration" => PartKind::Cors,
                    "aws_s3_bucket_object_lock_configuration" => PartKind::ObjectLock,
                    "aws_s3_bucket_notification" => PartKind::Notification,
                    _ => return None,
                };
                Part::Other(kind, self.split(Node::null(Some(self.res.block.span))))
            }
        })
    }

    fn trail(&self) -> Trail {
        let body = self.res.body();
        let mut out = Trail {
            scope: self.ev.module.scope.clone(),
            address: self.res.address(false),
            decl: self.header(),
            s3_data_events: Vec::new(),
            selectors_unknown: body.blocks("dynamic").next().is_some(),
        };
        for sel in body.blocks("event_selector") {
            let rw = self.eval(&sel.body, "read_write_type").map(|(n, _)| n);
            let (read, write) = trail::read_write(rw.as_ref().and_then(Node::as_str), rw.is_none());
            for dr in sel.body.blocks("data_resource") {
                match self
                    .string_value(&dr.body, "type")
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
                    .eval(&dr.body, "values")
                    .map_or_else(|| Node::unknown(None), |(n, _)| n);
                out.s3_data_events
                    .push(trail::data_events(read, write, &values));
            }
        }
        for sel in body.blocks("advanced_event_selector") {
            let fields: Vec<FieldSelector> = sel
                .body
                .blocks("field_selector")
                .map(|fs| FieldSelector {
                    field: self
                        .string_value(&fs.body, "field")
                        .and_then(|v| v.get().cloned()),
                    equals: self.eval(&fs.body, "equals").map(|(n, _)| n),
                    starts_with: self.eval(&fs.body, "starts_with").map(|(n, _)| n),
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
    use crate::terraform::{load_module, parse::parse_file};

    #[test]
    fn tags_and_object_lock() {
        let src = "variable \"class\" {\n  default = \"confidential\"\n}\nresource \"aws_s3_bucket\" \"b\" {\n  object_lock_enabled = true\n  tags = merge({ Owner = \"data\" }, { DataClassification = var.class })\n}\n";
        let body = parse_file(FileId(0), src, false).unwrap();
        let f = load_module("m".into(), vec![body]);
        let b = &f.buckets[0];
        assert_eq!(b.tag("DataClassification"), Some("confidential"));
        assert_eq!(b.tag("Owner"), Some("data"));
        assert_eq!(b.object_lock_enabled.test(|v| *v), Tri::Yes);
    }
}
