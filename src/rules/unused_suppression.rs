//! BL002: an inline suppression that suppressed nothing (wrong code, fixed issue,
//! expired). Emitted when suppressions are applied, not by a check over the model.

use super::{Context, Rule, severity};
use crate::finding::Finding;
use crate::source::Span;

pub const CODE: &str = "BL002";

pub const RULE: Rule = Rule {
    doc: rule_doc!("unused_suppression"),
    check,
};

fn check(_: &Context<'_>, _: &mut Vec<Finding>) {}

/// The finding for a suppression at `span`.
pub fn finding(span: Span, message: &str) -> Finding {
    Finding::new(CODE, severity(CODE), span, message.to_string())
        .label("unused suppression")
        .help("remove the suppression, or correct the rule it names")
}
