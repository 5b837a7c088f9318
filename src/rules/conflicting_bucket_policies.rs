//! BL124: more than one policy targets the same bucket.

use super::{Context, Rule, bucket_finding};
use crate::finding::Finding;

pub const RULE: Rule = Rule {
    doc: rule_doc!("conflicting_bucket_policies"),
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for b in &cx.model.buckets {
        let Some((first, rest)) = b.policies.split_first() else {
            continue;
        };
        let name = |p: &crate::model::bucket::Attached<_>| {
            p.via
                .as_ref()
                .map_or_else(|| "the inline `policy`".to_string(), |v| v.address.clone())
        };
        for p in rest {
            out.push(
                bucket_finding(
                    "BL124",
                    b,
                    p.via.as_ref().map_or(p.span, |v| v.decl),
                    format!(
                        "{} and {} both set the policy of {}: S3 keeps one policy per bucket, so whichever is applied last silently replaces the other",
                        name(first),
                        name(p),
                        b.subject()
                    ),
                )
                .label("a second policy for the same bucket")
                .related(Some(first.via.as_ref().map_or(first.span, |v| v.decl)), "the other policy")
                .help("merge the statements into one policy resource"),
            );
        }
    }
}
