//! BL204: SSE-KMS without S3 Bucket Keys.

use super::{Context, Rule, bucket_finding, fix};
use crate::finding::Finding;

pub const RULE: Rule = Rule {
    doc: rule_doc!("bucket_key_disabled"),
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for (b, rule) in cx.encryption_rules() {
        // Bucket Keys do not apply to dual-layer (DSSE-KMS) encryption.
        if rule.algorithm.get().map(String::as_str) != Some("aws:kms") {
            continue;
        }
        if rule.bucket_key.get() != Some(&false) {
            continue;
        }
        out.push(
            bucket_finding(
                "BL204",
                b,
                rule.bucket_key.span().unwrap_or(rule.span),
                format!(
                    "{} uses SSE-KMS without an S3 Bucket Key: every object request calls KMS (cost, request quotas)",
                    b.subject()
                ),
            )
            .label("no bucket key")
            .related(rule.bucket_key.origin(), crate::finding::VALUE_ORIGIN)
            .help(fix(
                b,
                "set `bucket_key_enabled = true` in the encryption rule",
                "set `BucketKeyEnabled: true` in the `ServerSideEncryptionConfiguration` rule",
            )),
        );
    }
}
