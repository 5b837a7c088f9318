//! BL201: no default server-side encryption is declared.

use super::{About, Context, Rule, severity};
use crate::finding::Finding;
use crate::model::bucket::{Origin, PartKind};
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
            .about(b),
        );
    }
}
