//! BL201: no default server-side encryption is declared.

use super::{About, Context, Rule, severity};
use crate::edit::cloudformation::{V, map, s};
use crate::edit::terraform::{attr, block, string};
use crate::edit::{Fixer, fix};
use crate::finding::{Applicability, Finding, Fix};
use crate::model::bucket::{Bucket, Origin, PartKind};
use crate::model::value::Tri;

pub const RULE: Rule = Rule {
    doc: rule_doc!("default_encryption_missing"),
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for b in &cx.model.buckets {
        if b.presence(PartKind::Encryption) != Tri::No {
            continue;
        }
        let help = match b.origin {
            Origin::Terraform => {
                "add an `aws_s3_bucket_server_side_encryption_configuration` for this bucket (SSE-KMS with a customer-managed key where the data warrants it)"
            }
            Origin::CloudFormation => {
                "add `BucketEncryption` with a `ServerSideEncryptionConfiguration` rule (SSE-KMS with a customer-managed key where the data warrants it)"
            }
        };
        out.push(
            Finding::new(
                "BL201",
                severity("BL201"),
                b.decl,
                format!(
                    "{} declares no default encryption; S3 applies SSE-S3 to new objects anyway since January 2023, but the configuration does not state the intent auditors look for",
                    b.subject()
                ),
            )
            .label("no default encryption declared")
            .help(help)
            .fix(cx.fix_bucket(b, |fx| {
                add_encryption(fx, b, "AES256", Applicability::Safe)
            }))
            .about(b),
        );
    }
}

/// Default encryption with `algorithm`. SSE-S3 (`AES256`) is what S3 applies
/// anyway, so stating it is safe; SSE-KMS needs a key chosen (BL202's unsafe fix).
pub fn add_encryption(
    fx: &Fixer<'_>,
    b: &Bucket,
    algorithm: &str,
    applicability: Applicability,
) -> Option<Fix> {
    let rule = || {
        block(
            "rule",
            vec![block(
                "apply_server_side_encryption_by_default",
                vec![attr("sse_algorithm", string(algorithm))],
            )],
        )
    };
    let edit = match b.origin {
        Origin::Terraform => fx.tf_configure(
            b.decl,
            "aws_s3_bucket_server_side_encryption_configuration",
            |_| vec![rule()],
            Some(block("server_side_encryption_configuration", vec![rule()])),
        )?,
        Origin::CloudFormation => fx.cfn_set(
            b.decl,
            &["BucketEncryption"],
            &[],
            map([(
                "ServerSideEncryptionConfiguration",
                V::List(vec![map([(
                    "ServerSideEncryptionByDefault",
                    map([("SSEAlgorithm", s(algorithm))]),
                )])]),
            )]),
        )?,
    };
    let title = if algorithm == "AES256" {
        "declare default encryption (SSE-S3)"
    } else {
        "declare default encryption with SSE-KMS (then choose a customer-managed key)"
    };
    Some(fix(applicability, title, vec![edit]))
}
