//! BL113: object ownership keeps ACLs enabled (`ObjectWriter`, `BucketOwnerPreferred`).

use super::{Context, Rule, bucket_finding, fix};
use crate::finding::{Applicability, Finding};

pub const RULE: Rule = Rule {
    doc: rule_doc!("acls_enabled"),
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for b in &cx.model.buckets {
        // CloudFront standard logging writes with an ACL: the bucket needs them.
        if b.receives_cloudfront_logs {
            continue;
        }
        let Some(own) = &b.ownership else {
            continue;
        };
        let rule = &own.value.rule;
        let Some(setting) = rule.get() else {
            continue;
        };
        if setting != "ObjectWriter" && setting != "BucketOwnerPreferred" {
            continue;
        }
        out.push(
            bucket_finding(
                "BL113",
                b,
                rule.span().unwrap_or(own.span),
                format!(
                    "{} keeps ACLs enabled (object ownership `{setting}`): access can be granted object by object, outside the bucket policy",
                    b.subject()
                ),
            )
            .label("ACLs stay enabled")
            .related(rule.origin(), crate::finding::VALUE_ORIGIN)
            .fix(cx.fix_with(|fx| {
                // Unsafe: access granted through ACLs stops working.
                let edit = fx.replace_value(
                    rule.span()?,
                    rule.origin(),
                    &["ObjectWriter", "BucketOwnerPreferred"],
                    "BucketOwnerEnforced",
                )?;
                Some(crate::edit::fix(
                    Applicability::Unsafe,
                    "enforce bucket-owner object ownership (disables ACLs)",
                    vec![edit],
                ))
            }))
            .help(fix(
                b,
                "set `object_ownership = \"BucketOwnerEnforced\"` in the `aws_s3_bucket_ownership_controls` rule, after moving any access granted by ACLs into the bucket policy",
                "set `ObjectOwnership: BucketOwnerEnforced` in `OwnershipControls`, after moving any access granted by ACLs into the bucket policy",
            )),
        );
    }
}
