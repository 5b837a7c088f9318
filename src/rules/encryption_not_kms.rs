//! BL202: default encryption is not SSE-KMS.

use super::{Context, Rule, bucket_finding, fix};
use crate::finding::{Applicability, Finding};
use crate::model::bucket::PartKind;
use crate::model::value::Tri;

pub const RULE: Rule = Rule {
    doc: rule_doc!("encryption_not_kms"),
    check,
};

/// SSE-KMS algorithms (single- and dual-layer).
pub fn is_kms(algorithm: &str) -> bool {
    algorithm == "aws:kms" || algorithm == "aws:kms:dsse"
}

fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for b in &cx.model.buckets {
        // S3 server access log and ELB access log delivery support SSE-S3 only.
        if b.may_receive_access_logs() || b.receives_elb_logs() {
            continue;
        }
        let help = fix(
            b,
            "set `sse_algorithm = \"aws:kms\"` with a customer-managed `kms_master_key_id` and `bucket_key_enabled = true`",
            "set `SSEAlgorithm: aws:kms` with a customer-managed `KMSMasterKeyID` and `BucketKeyEnabled: true`",
        );
        let Some(enc) = &b.encryption else {
            // No encryption declared at all is BL201's one finding when it runs.
            if b.presence(PartKind::Encryption) == Tri::No && !(cx.running)("BL201") {
                out.push(
                    bucket_finding(
                        "BL202",
                        b,
                        b.decl,
                        format!(
                            "{} declares no default encryption, so objects get SSE-S3: their keys cannot be controlled, audited or revoked through KMS",
                            b.subject()
                        ),
                    )
                    .label("SSE-S3 by default")
                    .help(help)
                    .fix(cx.fix_bucket(b, |fx| {
                        super::default_encryption_missing::add_encryption(
                            fx,
                            b,
                            "aws:kms",
                            Applicability::Unsafe,
                        )
                    })),
                );
            }
            continue;
        };
        if enc.value.unknown {
            continue;
        }
        for rule in &enc.value.rules {
            let Some(algorithm) = rule.algorithm.get() else {
                continue;
            };
            if is_kms(algorithm) {
                continue;
            }
            out.push(
                bucket_finding(
                    "BL202",
                    b,
                    rule.algorithm.span().unwrap_or(rule.span),
                    format!(
                        "default encryption of bucket {} is `{algorithm}` (SSE-S3), not SSE-KMS: the keys cannot be controlled, audited or revoked through KMS",
                        b.label()
                    ),
                )
                .label("not SSE-KMS")
                .related(rule.algorithm.origin(), crate::finding::VALUE_ORIGIN)
                .help(help)
                .fix(cx.fix_with(|fx| {
                    // Unsafe: the AWS managed key until a customer-managed one is
                    // chosen, and readers in other accounts lose access.
                    let edit = fx.replace_value(
                        rule.algorithm.span()?,
                        rule.algorithm.origin(),
                        &["AES256"],
                        "aws:kms",
                    )?;
                    Some(crate::edit::fix(
                        Applicability::Unsafe,
                        "use SSE-KMS (then choose a customer-managed key)",
                        vec![edit],
                    ))
                })),
            );
        }
    }
}
