//! BL106: a public ACL or policy that the effective public access block neutralises.

use super::public_exposure::{public_grants, public_statements};
use super::{Context, Rule, bucket_finding, fix};
use crate::finding::Finding;
use crate::model::bucket::{Bucket, PabFlag};
use crate::model::value::Tri;

pub const RULE: Rule = Rule {
    doc: rule_doc!("public_grant_blocked"),
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for b in &cx.model.buckets {
        if cx.model.effective_flag(b, PabFlag::IgnorePublicAcls) == Tri::Yes {
            let rejected = rejected(cx, b, PabFlag::BlockPublicAcls);
            for g in public_grants(b) {
                out.push(
                    bucket_finding(
                        "BL106",
                        b,
                        g.span,
                        format!(
                            "{} declares {} for {} but its public access block ignores public ACLs: the grant has no effect{rejected}",
                            b.subject(),
                            g.what,
                            g.who
                        ),
                    )
                    .label("inert public grant")
                    .related(g.origin, crate::finding::VALUE_ORIGIN)
                    .related(block_span(b), "this public access block ignores public ACLs")
                    .help(fix(
                        b,
                        "remove the public ACL, or if the bucket must be public, change the public access block deliberately (and classify the bucket as public)",
                        "remove the public `AccessControl`, or if the bucket must be public, change `PublicAccessBlockConfiguration` deliberately (and classify the bucket as public)",
                    )),
                );
            }
        }
        if cx.model.effective_flag(b, PabFlag::RestrictPublicBuckets) == Tri::Yes {
            let rejected = rejected(cx, b, PabFlag::BlockPublicPolicy);
            for (policy, st, _) in public_statements(b) {
                out.push(
                    bucket_finding(
                        "BL106",
                        b,
                        st.span.unwrap_or(policy.span),
                        format!(
                            "a bucket policy statement of {} is public but the public access block restricts public buckets: only AWS services and the owner's account can use it{rejected}",
                            b.label()
                        ),
                    )
                    .label("public statement without effect")
                    .related(block_span(b), "this public access block restricts public buckets")
                    .help("pin the statement to the principals or conditions that need it, or remove it"),
                );
            }
        }
    }
}

/// The matching `block_*` setting rejects the grant outright: the apply fails.
fn rejected(cx: &Context<'_>, b: &Bucket, flag: PabFlag) -> &'static str {
    if cx.model.effective_flag(b, flag) == Tri::Yes {
        ", and because it also blocks them, applying it fails with Access Denied"
    } else {
        ""
    }
}

fn block_span(b: &Bucket) -> Option<crate::source::Span> {
    b.public_access_block.as_ref().map(|p| p.span)
}
