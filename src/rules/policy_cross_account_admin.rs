//! BL122: a bucket policy lets another AWS account administer the bucket's access.

use super::{Context, Rule, bucket_finding};
use crate::finding::Finding;
use crate::model::policy::{Account, Effect, allows_action, principal_account};
use crate::model::value::Tri;

pub const RULE: Rule = Rule {
    doc: rule_doc!("policy_cross_account_admin"),
    check,
};

/// The actions FSBP S3.6 denies to other accounts.
const ADMIN_ACTIONS: [&str; 5] = [
    "s3:DeleteBucketPolicy",
    "s3:PutBucketAcl",
    "s3:PutBucketPolicy",
    "s3:PutEncryptionConfiguration",
    "s3:PutObjectAcl",
];

fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for (b, policy, st) in cx.policy_statements() {
        if st.effect != Some(Effect::Allow) {
            continue;
        }
        let (Some(principal), Some(actions)) = (&st.principal, &st.action) else {
            continue;
        };
        if principal.not {
            continue;
        }
        let granted: Vec<&str> = ADMIN_ACTIONS
            .iter()
            .copied()
            .filter(|a| allows_action(actions, a) == Tri::Yes)
            .collect();
        if granted.is_empty() {
            continue;
        }
        for e in &principal.entries {
            let Some(Account::Id(account)) = principal_account(e) else {
                continue;
            };
            if cx.settings.owned_accounts.contains(&account) {
                continue;
            }
            out.push(
                bucket_finding(
                    "BL122",
                    b,
                    e.span.or(st.span).unwrap_or(policy.span),
                    format!(
                        "the bucket policy of {} lets account {account} {}: it can change who may access the bucket",
                        b.label(),
                        granted.iter().map(|a| format!("`{a}`")).collect::<Vec<_>>().join(", ")
                    ),
                )
                .label(format!("account {account}"))
                .related(actions.span, "these actions include the grants")
                .help("grant other accounts only data actions (`s3:GetObject`, `s3:PutObject`...); if the account is yours, pass it with `--owned-account`"),
            );
        }
    }
}
