//! BL503: a role other accounts may assume without an external ID or organisation
//! condition, holding S3 permissions.

use super::{Context, Rule};
use crate::finding::Finding;
use crate::model::policy::{Account, allows_action, principal_account, principal_is_anyone};
use crate::model::value::Tri;

pub const RULE: Rule = Rule {
    doc: rule_doc!("cross_account_role_without_external_id"),
    check,
};

const GUARDS: [&str; 3] = [
    "sts:externalid",
    "aws:principalorgid",
    "aws:principalorgpaths",
];

fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for (role, st, principal, actions) in super::trust::statements(cx) {
        if allows_action(actions, "sts:AssumeRole") != Tri::Yes {
            continue;
        }
        if st
            .conditions
            .iter()
            .any(|c| GUARDS.contains(&c.key.to_ascii_lowercase().as_str()))
        {
            continue;
        }
        let anyone = principal_is_anyone(principal) == Tri::Yes;
        // Anyone, with no condition at all, is BL504's (critical).
        if anyone && st.conditions.is_empty() {
            continue;
        }
        let outsider = if anyone {
            Some(("any AWS account".to_string(), principal.span))
        } else {
            principal
                .entries
                .iter()
                .find_map(|e| match principal_account(e) {
                    Some(Account::Id(id)) if !cx.settings.owned_accounts.contains(&id) => {
                        Some((format!("account {id}"), e.span))
                    }
                    _ => None,
                })
        };
        let Some((who, span)) = outsider else {
            continue;
        };
        out.extend(super::trust::finding(
            cx,
            "BL503",
            role,
            (span, st),
            format!(
                "role {} can be assumed by {who} without an `sts:ExternalId` or `aws:PrincipalOrgID` condition, and it has S3 permissions",
                role.address
            ),
            "cross-account trust without a guard",
            "add `Condition: { StringEquals: { \"sts:ExternalId\": \"...\" } }` for a third party, or `aws:PrincipalOrgID` for your own organisation; if the account is yours, pass it with `--owned-account`",
        ));
    }
}
