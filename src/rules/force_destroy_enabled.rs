//! BL407: Terraform `force_destroy = true`.

use super::{Context, Rule, bucket_finding};
use crate::edit::fix;
use crate::finding::{Applicability, Finding};

pub const RULE: Rule = Rule {
    doc: rule_doc!("force_destroy_enabled"),
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for b in &cx.model.buckets {
        if b.force_destroy.get() != Some(&true) {
            continue;
        }
        out.push(
            bucket_finding(
                "BL407",
                b,
                b.force_destroy.span().unwrap_or(b.decl),
                format!(
                    "{} has `force_destroy = true`: destroying the resource (a rename, a removed block, `terraform destroy`) deletes every object in it",
                    b.subject()
                ),
            )
            .label("objects deleted with the bucket")
            .related(b.force_destroy.origin(), crate::finding::VALUE_ORIGIN)
            .help("remove `force_destroy` (it defaults to false) outside throwaway environments, so that destroying a non-empty bucket fails")
            .fix(cx.fix_with(|fx| {
                let edit = fx.replace_value(
                    b.force_destroy.span()?,
                    b.force_destroy.origin(),
                    &["true"],
                    "false",
                )?;
                Some(fix(Applicability::Safe, "set `force_destroy = false`", vec![edit]))
            })),
        );
    }
}
