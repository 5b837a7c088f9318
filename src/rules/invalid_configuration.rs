//! BL004: configuration the deployment would reject, in a security-relevant place.

use super::{Context, Rule, severity};
use crate::finding::Finding;

pub const RULE: Rule = Rule {
    doc: rule_doc!("invalid_configuration"),
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for i in &cx.model.invalid {
        let mut f = Finding::new("BL004", severity("BL004"), i.span, i.message.clone())
            .label("rejected by the deployment")
            .help("fix the value or reference; until then bucketlint treats it as unknown and judges the rest")
            .resource(i.address.clone());
        f.scope = Some(i.scope.clone());
        out.push(f);
    }
}
