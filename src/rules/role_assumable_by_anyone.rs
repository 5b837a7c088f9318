//! BL504: a role with S3 permissions that anyone can assume: a trust policy with the
//! principal `*` and no condition, or a web identity (OIDC) provider without a
//! condition pinning the token's subject to fixed values.

use super::{Context, Rule};
use crate::finding::Finding;
use crate::model::policy::{Condition, PrincipalEntry, allows_action, principal_is_anyone};
use crate::model::value::Tri;
use crate::source::Span;

pub const RULE: Rule = Rule {
    doc: rule_doc!("role_assumable_by_anyone"),
    check,
};

/// The OIDC provider a `Federated` principal names (`token.actions.githubusercontent.com`,
/// `cognito-identity.amazonaws.com`, `oidc.eks...`): not a SAML provider. The ARN
/// may leave the account and partition to apply (`${AWS::AccountId}`, a provider
/// resource's `arn`): the provider is still known.
fn oidc_provider(e: &PrincipalEntry) -> Option<String> {
    if e.kind != "Federated" {
        return None;
    }
    let v = e.value.lit_after_account()?;
    if v == "cognito-identity.amazonaws.com" {
        return Some(v.to_string());
    }
    let provider = v.split_once(":oidc-provider/")?.1;
    Some(provider.to_string())
}

/// A condition that pins `key` to known values with no wildcard (a `StringEquals`,
/// or a `StringLike` whose values hold no `*` or `?`). `Unknown` when its values are
/// not all known.
fn pins(c: &Condition, key: &str) -> Tri {
    let op = c.operator.to_ascii_lowercase();
    let op = op.rsplit(':').next().unwrap_or(&op);
    let op = op.strip_suffix("ifexists").unwrap_or(op);
    if !c.key.eq_ignore_ascii_case(key)
        || c.values.not
        || !matches!(op, "stringequals" | "stringlike")
    {
        return Tri::No;
    }
    if c.values.unknown || c.values.values.is_empty() {
        return Tri::Unknown;
    }
    Tri::all(c.values.values.iter().map(|(t, _)| match t.as_lit() {
        Some(v) => Tri::from_bool(!(op == "stringlike" && (v.contains('*') || v.contains('?')))),
        None => Tri::Unknown,
    }))
}

fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for (role, st, principal, actions) in super::trust::statements(cx) {
        let assumes = allows_action(actions, "sts:AssumeRole")
            .or(allows_action(actions, "sts:AssumeRoleWithWebIdentity"));
        if assumes != Tri::Yes {
            continue;
        }
        // Who: anyone at all, or whoever an OIDC provider issues a token to.
        let anyone: Option<(String, Option<Span>)> = if principal_is_anyone(principal) == Tri::Yes
            && st.conditions.is_empty()
        {
            Some((
                "anyone (principal `*`, no condition)".into(),
                principal.span,
            ))
        } else {
            principal.entries.iter().find_map(|e| {
                    let provider = oidc_provider(e)?;
                    // GitHub and other OIDC providers: the subject; Cognito identity
                    // pools: the pool (`aud`).
                    let keys = [format!("{provider}:sub"), format!("{provider}:aud")];
                    let cognito = provider == "cognito-identity.amazonaws.com";
                    let pinned = Tri::any(st.conditions.iter().map(|c| {
                        let sub = pins(c, &keys[0]);
                        if cognito { sub.or(pins(c, &keys[1])) } else { sub }
                    }));
                    (pinned == Tri::No).then(|| {
                        (
                            format!(
                                "any identity the web identity provider {provider} issues a token to (no condition pins `{}` to fixed values)",
                                if cognito { "aud` or `sub" } else { "sub" }
                            ),
                            e.span,
                        )
                    })
                })
        };
        let Some((who, span)) = anyone else { continue };
        out.extend(super::trust::finding(
            cx,
            "BL504",
            role,
            (span, st),
            format!("role {} can be assumed by {who}, and it has S3 permissions", role.address),
            "anyone can assume this role",
            "name the principals that may assume the role; for GitHub Actions, add `StringEquals` on `token.actions.githubusercontent.com:sub` with `repo:ORG/REPO:ref:refs/heads/main` (or an environment), and on `:aud` with `sts.amazonaws.com`",
        ));
    }
}
