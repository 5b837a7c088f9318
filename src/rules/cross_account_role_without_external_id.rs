//! BL503: a role other accounts may assume without an external ID or organisation
//! condition, holding S3 permissions.

use super::{Context, Rule, severity};
use crate::finding::Finding;
use crate::model::iam::{EntityRef, IdentityPolicy, Role, aws_managed_s3_policy};
use crate::model::policy::{
    Account, Effect, allows_action, principal_account, principal_is_anyone,
};
use crate::model::value::{Hole, Tri};

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
    for role in &cx.model.roles {
        let Some(trust) = &role.trust else { continue };
        for st in &trust.statements {
            if st.effect != Some(Effect::Allow) || st.conditions_unknown {
                continue;
            }
            let (Some(principal), Some(actions)) = (&st.principal, &st.action) else {
                continue;
            };
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
            let outsider = if principal_is_anyone(principal) == Tri::Yes {
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
            if s3_permissions(cx, role) != Tri::Yes {
                continue;
            }
            let mut f = Finding::new(
                "BL503",
                severity("BL503"),
                span.or(st.span).unwrap_or(role.trust_span),
                format!(
                    "role {} can be assumed by {who} without an `sts:ExternalId` or `aws:PrincipalOrgID` condition, and it has S3 permissions",
                    role.address
                ),
            )
            .label("cross-account trust without a guard")
            .help("add `Condition: { StringEquals: { \"sts:ExternalId\": \"...\" } }` for a third party, or `aws:PrincipalOrgID` for your own organisation; if the account is yours, pass it with `--owned-account`")
            .resource(role.address.clone());
            f.scope = Some(role.scope.clone());
            out.push(f);
        }
    }
}

/// Does any policy attached to the role (inline, attached managed policy, AWS
/// managed S3 policy) allow S3 actions?
fn s3_permissions(cx: &Context<'_>, role: &Role) -> Tri {
    let applies =
        |refs: &[EntityRef]| Tri::any(refs.iter().map(|r| r.is(&role.key, role.name.as_deref())));
    let inline = cx
        .model
        .identity_policies
        .iter()
        .filter(|p| p.scope == role.scope)
        .map(|p| applies(&p.roles).and(p.grants_s3()));
    let attached = cx
        .model
        .policy_attachments
        .iter()
        .filter(|a| a.scope == role.scope)
        .map(|a| {
            let grants = match a.policy_arn.as_lit() {
                Some(arn) if aws_managed_s3_policy(arn).is_some() => Tri::Yes,
                Some(arn) if arn.contains(":iam::aws:policy/") => Tri::No,
                _ => match EntityRef::from_text(&a.policy_arn) {
                    EntityRef::Unknown => Tri::Unknown,
                    target => Tri::any(
                        cx.model
                            .identity_policies
                            .iter()
                            .filter(|p| {
                                p.scope == a.scope
                                    && target.is(&p.key, p.name.as_deref()) == Tri::Yes
                                    && a.policy_arn
                                        .holes()
                                        .iter()
                                        .all(|h| !matches!(h, Hole::Unknown))
                            })
                            .map(IdentityPolicy::grants_s3),
                    ),
                },
            };
            applies(&a.roles).and(grants)
        });
    Tri::any(inline.chain(attached))
}
