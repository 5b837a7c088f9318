//! BL001: a Terraform or CloudFormation file that could not be read or parsed.
//! Emitted by the loader, not by a check over the model.

use super::{Context, Rule, severity};
use crate::finding::Finding;
use crate::source::Span;

pub const CODE: &str = "BL001";

pub const RULE: Rule = Rule {
    doc: rule_doc!("parse_error"),
    check,
};

fn check(_: &Context<'_>, _: &mut Vec<Finding>) {}

/// The finding for a file that could not be parsed, at the error position.
pub fn finding(span: Span, message: &str) -> Finding {
    Finding::new(CODE, severity(CODE), span, message.to_string())
        .label("here")
        .help("fix the syntax error; every other file was still scanned, but this one was not")
}
