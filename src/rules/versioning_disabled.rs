//! BL401: versioning is not `Enabled`.

use super::{About, Context, Rule, severity};
use crate::finding::Finding;
use crate::model::bucket::{Origin, PartKind, VersioningStatus};
use crate::model::value::Tri;

pub const RULE: Rule = Rule {
    doc: rule_doc!("versioning_disabled"),
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for b in &cx.model.buckets {
        let help = match b.origin {
            Origin::Terraform => {
                "add an `aws_s3_bucket_versioning` with `versioning_configuration { status = \"Enabled\" }`"
            }
            Origin::CloudFormation => "set `VersioningConfiguration: { Status: Enabled }`",
        };
        let finding = match &b.versioning {
            None if b.presence(PartKind::Versioning) == Tri::No => Finding::new(
                "BL401",
                severity("BL401"),
                b.decl,
                format!(
                    "{} does not enable versioning: an overwrite or delete cannot be undone",
                    b.subject()
                ),
            )
            .label("versioning not configured"),
            None => continue,
            Some(v) => {
                let status = &v.value.status;
                let word = match status.get() {
                    Some(VersioningStatus::Enabled) | None => continue,
                    Some(VersioningStatus::Suspended) => "suspended",
                    Some(VersioningStatus::Disabled) => "disabled",
                };
                Finding::new(
                    "BL401",
                    severity("BL401"),
                    status.span().unwrap_or(v.span),
                    format!(
                        "versioning of bucket {} is {word}: an overwrite or delete cannot be undone",
                        b.label()
                    ),
                )
                .label(format!("versioning {word} here"))
                .related(status.origin(), "the value comes from here")
            }
        };
        out.push(finding.help(help).about(b));
    }
}
