//! BL401: versioning is not `Enabled`.

use super::{About, Context, Rule, severity};
use crate::edit::cloudformation::s;
use crate::edit::terraform::{attr, block, string};
use crate::edit::{Fixer, fix};
use crate::finding::{Applicability, Finding, Fix};
use crate::model::bucket::{Bucket, Origin, PartKind, VersioningStatus};
use crate::model::value::Tri;
use crate::source::Span;

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
            .label("versioning not configured")
            .fix(cx.fix_bucket(b, |fx| add_versioning(fx, b))),
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
                .related(status.origin(), crate::finding::VALUE_ORIGIN)
                .fix(cx.fix_with(|fx| enable(fx, status.span()?, status.origin())))
            }
        };
        out.push(finding.help(help).about(b));
    }
}

const TITLE: &str = "enable versioning";

/// Versioning configured, and enabled.
fn add_versioning(fx: &Fixer<'_>, b: &Bucket) -> Option<Fix> {
    let edit = match b.origin {
        Origin::Terraform => fx.tf_configure(
            b.decl,
            "aws_s3_bucket_versioning",
            |_| {
                vec![block(
                    "versioning_configuration",
                    vec![attr("status", string("Enabled"))],
                )]
            },
            Some(block("versioning", vec![attr("enabled", "true")])),
        )?,
        Origin::CloudFormation => fx.cfn_set(
            b.decl,
            &["VersioningConfiguration", "Status"],
            &[],
            s("Enabled"),
        )?,
    };
    Some(fix(Applicability::Safe, TITLE, vec![edit]))
}

/// The status written at `span` (`Suspended`, or v3's `enabled = false`), or at its
/// origin, made enabled.
fn enable(fx: &Fixer<'_>, span: Span, origin: Option<Span>) -> Option<Fix> {
    let edit = fx
        .replace_value(span, origin, &["Suspended", "Disabled"], "Enabled")
        .or_else(|| fx.replace_value(span, origin, &["false"], "true"))?;
    Some(fix(Applicability::Safe, TITLE, vec![edit]))
}
