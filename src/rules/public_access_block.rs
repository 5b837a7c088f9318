//! Shared check of BL101–BL104: one public access block setting that is not true.

use super::{About, Context, severity};
use crate::finding::Finding;
use crate::model::bucket::{Origin, PabFlag};
use crate::model::value::Tri;

/// Reports buckets whose public access block exists but leaves `flag` off, unless the
/// account-level block sets it. `effect` says what that exposes.
pub fn check_flag(
    cx: &Context<'_>,
    out: &mut Vec<Finding>,
    code: &'static str,
    flag: PabFlag,
    effect: &str,
) {
    for b in &cx.model.buckets {
        // A bucket classified public is meant to be readable by everyone.
        if cx.meant_public(b) {
            continue;
        }
        let Some(pab) = &b.public_access_block else {
            continue;
        };
        let value = pab.value.flag(flag);
        if value.get() != Some(&false) || cx.model.account_flag(b, flag) != Tri::No {
            continue;
        }
        let name = flag.name(b.origin);
        let (span, label, message) = match value.span() {
            Some(span) => (
                span,
                "set to false here".to_string(),
                format!(
                    "the public access block of {} sets `{name}` to false: {effect}",
                    b.label()
                ),
            ),
            None => (
                pab.span,
                format!("`{name}` is not set here, so it is false"),
                format!(
                    "the public access block of {} does not set `{name}` (default false): {effect}",
                    b.label()
                ),
            ),
        };
        let help = match b.origin {
            Origin::Terraform => format!("set `{name} = true`"),
            Origin::CloudFormation => format!("set `{name}: true`"),
        };
        out.push(
            Finding::new(code, severity(code), span, message)
                .label(label)
                .help(help)
                .related(value.origin(), "the value comes from here")
                .related(
                    (pab.span != span).then_some(pab.span),
                    "public access block declared here",
                )
                .about(b),
        );
    }
}
