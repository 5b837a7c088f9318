//! BL203: SSE-KMS with the AWS managed key (`aws/s3`) rather than a customer key.

use super::encryption_not_kms::is_kms;
use super::{Context, Rule, bucket_finding, fix};
use crate::finding::Finding;
use crate::model::value::Text;

pub const RULE: Rule = Rule {
    doc: rule_doc!("kms_key_aws_managed"),
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for (b, rule) in cx.encryption_rules() {
        if !rule.algorithm.get().is_some_and(|a| is_kms(a)) {
            continue;
        }
        let (span, why) = match &rule.kms_key {
            None => (
                rule.algorithm.span().unwrap_or(rule.span),
                "no key is named, so S3 uses the AWS managed key `aws/s3`",
            ),
            Some(key) => match key.get().and_then(Text::as_lit) {
                Some(k) if k == "alias/aws/s3" || k.ends_with(":alias/aws/s3") => (
                    key.span().unwrap_or(rule.span),
                    "it names the AWS managed key `aws/s3`",
                ),
                _ => continue,
            },
        };
        out.push(
            bucket_finding(
                "BL203",
                b,
                span,
                format!(
                    "{} is encrypted with SSE-KMS but {why}, whose key policy you cannot restrict",
                    b.subject()
                ),
            )
            .label("AWS managed key")
            .help(fix(
                b,
                "create an `aws_kms_key` with a key policy for the bucket's readers and set it as `kms_master_key_id`",
                "create an `AWS::KMS::Key` with a key policy for the bucket's readers and set it as `KMSMasterKeyID`",
            )),
        );
    }
}
