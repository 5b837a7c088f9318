//! BL402: versioning is enabled without MFA delete.

use super::{Context, Rule, bucket_finding};
use crate::finding::Finding;
use crate::model::bucket::{Origin, VersioningStatus};

pub const RULE: Rule = Rule {
    doc: rule_doc!("mfa_delete_disabled"),
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for b in &cx.model.buckets {
        // CloudFormation cannot set MFA delete: nothing to fix in the template.
        if b.origin == Origin::CloudFormation {
            continue;
        }
        let Some(v) = &b.versioning else {
            continue;
        };
        if v.value.status.get() != Some(&VersioningStatus::Enabled)
            || v.value.mfa_delete.get() != Some(&false)
        {
            continue;
        }
        let span = v
            .value
            .mfa_delete
            .span()
            .or(v.value.status.span())
            .unwrap_or(v.span);
        out.push(
            bucket_finding(
                "BL402",
                b,
                span,
                format!(
                    "{} is versioned without MFA delete: whoever holds its credentials can permanently delete versions or suspend versioning",
                    b.subject()
                ),
            )
            .label("MFA delete not enabled")
            .related(v.value.mfa_delete.origin(), crate::finding::VALUE_ORIGIN)
            .help("set `mfa_delete = \"Enabled\"` with the root account's `mfa` in `aws_s3_bucket_versioning`, or protect versions with Object Lock"),
        );
    }
}
