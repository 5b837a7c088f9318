//! BL003: a security-relevant setting whose value could not be determined
//! statically, so the rules that depend on it skipped the bucket.

use super::{About, Context, Rule, severity};
use crate::finding::Finding;

pub const RULE: Rule = Rule {
    doc: rule_doc!("unresolved_value"),
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for b in &cx.model.buckets {
        for (what, span, rules) in b.unknown_fields() {
            let known_span = span.is_some();
            let message = if known_span {
                format!(
                    "{what} of bucket {} cannot be determined statically, so {rules} could not check it",
                    b.label()
                )
            } else {
                format!(
                    "{what} to bucket {} cannot be determined: a separate resource in the same module targets a bucket that cannot be resolved, so {rules} could not check it",
                    b.label()
                )
            };
            out.push(
                Finding::new("BL003", severity("BL003"), span.unwrap_or(b.decl), message)
                    .label("value not known before apply")
                    .help("give the variable a default or a value (tfvars, --var, --cfn-param), or accept that this is checked only at deploy time")
                    .about(b),
            );
        }
    }
}
