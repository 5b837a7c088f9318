//! BL404: no enabled replication rule.

use super::{Context, Rule, bucket_finding, fix};
use crate::finding::Finding;
use crate::model::bucket::PartKind;
use crate::model::value::Tri;

pub const RULE: Rule = Rule {
    doc: rule_doc!("replication_missing"),
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for b in &cx.model.buckets {
        let span = match &b.replication {
            None if b.presence(PartKind::Replication) == Tri::No => b.decl,
            None => continue,
            Some(r) => {
                let rules = &r.value.rules;
                if r.value.unknown || rules.iter().any(|x| x.enabled.get() != Some(&false)) {
                    continue;
                }
                r.span
            }
        };
        out.push(
            bucket_finding(
                "BL404",
                b,
                span,
                format!(
                    "{} has no enabled replication rule: a regional outage or a deletion in this bucket has no copy elsewhere",
                    b.subject()
                ),
            )
            .label("no enabled replication")
            .help(fix(
                b,
                "add an `aws_s3_bucket_replication_configuration` with an enabled `rule` to a bucket in another Region or account (versioning must be enabled on both)",
                "add a `ReplicationConfiguration` with an enabled rule to a bucket in another Region or account (versioning must be enabled on both)",
            )),
        );
    }
}
