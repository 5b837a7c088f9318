//! BL120: a bucket policy statement that AWS would consider public.

use super::public_exposure::{actions, public_statements};
use super::{About, Context, Rule, severity};
use crate::finding::Finding;
use crate::model::bucket::PabFlag;
use crate::model::value::Tri;

pub const RULE: Rule = Rule {
    doc: rule_doc!("public_bucket_policy"),
    check,
};

const HELP: &str = "name the principals that need access, or pin the statement with a condition on fixed values (`aws:SourceVpce`, `aws:PrincipalOrgID`, `aws:SourceArn`...); for a website, serve through CloudFront with origin access control";

fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for b in &cx.model.buckets {
        // Restricted public buckets ignore public statements: BL106 reports them.
        if cx.model.effective_flag(b, PabFlag::RestrictPublicBuckets) != Tri::No {
            continue;
        }
        for (policy, st, write) in public_statements(b) {
            if !write && cx.meant_public(b) {
                continue;
            }
            let sid = super::public_exposure::sid(st);
            let mut f = Finding::new(
                "BL120",
                severity("BL120"),
                st.span.unwrap_or(policy.span),
                format!(
                    "bucket policy statement{sid} of {} allows anyone {}{}",
                    b.label(),
                    if write { "to write: " } else { "to " },
                    actions(st)
                ),
            )
            .label("public statement")
            .help(HELP)
            .about(b);
            if let Some(via) = &policy.via {
                f = f.related(
                    Some(via.decl),
                    format!("policy attached by {}", via.address),
                );
            }
            if let Some(pab) = &b.public_access_block {
                f = f.related(
                    Some(pab.span),
                    "this public access block does not restrict public buckets",
                );
            }
            out.push(f);
        }
    }
}
