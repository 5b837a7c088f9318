//! Shared check of BL101–BL104: one public access block setting that is not true.

use super::public_exposure::{public_grants, public_statements};
use super::{About, Context, severity};
use crate::edit::cloudformation::V;
use crate::edit::terraform::attr;
use crate::edit::{Fixer, fix};
use crate::finding::{Applicability, Finding, Fix};
use crate::model::bucket::{Attached, Bucket, Origin, PabFlag, PartKind, PublicAccessBlock};
use crate::model::value::Tri;

/// How safe it is to block public access on `b`. None when the configuration
/// grants public access itself (a public ACL grant or policy statement): blocking
/// would make it inert or make the apply fail, so the grant is the thing to fix
/// first (BL110, BL120). Unsafe with a website, which the block may close.
pub fn block_applicability(b: &Bucket) -> Option<Applicability> {
    if !public_grants(b).is_empty() || !public_statements(b).is_empty() {
        None
    } else if b.has(PartKind::Website) {
        Some(Applicability::Unsafe)
    } else {
        Some(Applicability::Safe)
    }
}

/// Sets `flag` true in the bucket's public access block: where it is written false
/// (or at that value's origin), or added where it is left out.
fn flag_fix(
    fx: &Fixer<'_>,
    b: &Bucket,
    pab: &Attached<PublicAccessBlock>,
    flag: PabFlag,
) -> Option<Fix> {
    let name = flag.name(b.origin);
    let applicability = block_applicability(b)?;
    let value = pab.value.flag(flag);
    let edits = match (value.span(), b.origin) {
        (Some(span), _) => vec![fx.replace_value(span, value.origin(), &["false"], "true")?],
        (None, Origin::Terraform) => {
            let block = fx.tf_block(pab.via.as_ref()?.decl)?;
            fx.tf_insert(block, &[attr(name, "true")])
        }
        (None, Origin::CloudFormation) => vec![fx.cfn_set(
            b.decl,
            &["PublicAccessBlockConfiguration", name],
            &[],
            V::Bool(true),
        )?],
    };
    Some(fix(applicability, format!("set `{name}` to true"), edits))
}

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
                .fix(cx.fix_with(|fx| flag_fix(fx, b, pab, flag)))
                .related(value.origin(), crate::finding::VALUE_ORIGIN)
                .related(
                    (pab.span != span).then_some(pab.span),
                    "public access block declared here",
                )
                .about(b),
        );
    }
}
