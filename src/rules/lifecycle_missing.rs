//! BL405: no lifecycle configuration with an enabled rule.

use super::{Context, Rule, bucket_finding, fix};
use crate::finding::Finding;
use crate::model::bucket::PartKind;
use crate::model::value::Tri;

pub const RULE: Rule = Rule {
    doc: rule_doc!("lifecycle_missing"),
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for b in &cx.model.buckets {
        let span = match &b.lifecycle {
            None if b.presence(PartKind::Lifecycle) == Tri::No => b.decl,
            None => continue,
            Some(l) => {
                if l.value.unknown
                    || l.value
                        .rules
                        .iter()
                        .any(|r| r.status.enabled.get() != Some(&false))
                {
                    continue;
                }
                l.span
            }
        };
        out.push(
            bucket_finding(
                "BL405",
                b,
                span,
                format!(
                    "{} has no enabled lifecycle rule: objects are kept, and paid for, until someone deletes them",
                    b.subject()
                ),
            )
            .label("no enabled lifecycle rule")
            .help(fix(
                b,
                "add an `aws_s3_bucket_lifecycle_configuration` with an enabled `rule` that expires or transitions objects per your retention policy",
                "add a `LifecycleConfiguration` with an enabled rule that expires or transitions objects per your retention policy",
            )),
        );
    }
}
