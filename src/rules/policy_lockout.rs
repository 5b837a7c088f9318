//! BL123: a bucket policy `Deny` that locks everyone out of the policy itself.

use super::{Context, Rule, bucket_finding};
use crate::finding::Finding;
use crate::model::policy::statement_locks_out;
use crate::model::value::Tri;

pub const RULE: Rule = Rule {
    doc: rule_doc!("policy_lockout"),
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for (b, policy, st) in cx.policy_statements() {
        if statement_locks_out(st) != Tri::Yes {
            continue;
        }
        let sid = super::public_exposure::sid(st);
        out.push(
            bucket_finding(
                "BL123",
                b,
                st.span.unwrap_or(policy.span),
                format!(
                    "bucket policy statement{sid} of {} denies everyone the bucket policy actions with no exemption: once applied, only the account's root user can read, change or delete the policy",
                    b.label()
                ),
            )
            .label("denies the policy actions to everyone")
            .related(policy.via.as_ref().map(|v| v.decl), "policy attached here")
            .help("exempt the administrators of the owning account with a condition (`aws:PrincipalArn` with `ArnNotLike`, or `aws:PrincipalAccount`), or deny only the actions that need it"),
        );
    }
}
