//! What the trust-policy rules (BL503, BL504) share: the readable statements that
//! allow assuming a role, and the finding on a role with S3 permissions.

use super::{Context, severity};
use crate::finding::Finding;
use crate::model::iam::Role;
use crate::model::policy::{Effect, Items, Principal, Statement};
use crate::model::value::Tri;
use crate::source::Span;

/// Each role's `Allow` trust statements whose principal, actions and conditions
/// are readable.
pub fn statements<'m>(
    cx: &Context<'m>,
) -> impl Iterator<Item = (&'m Role, &'m Statement, &'m Principal, &'m Items)> + 'm {
    cx.model.roles.iter().flat_map(|role| {
        role.trust.iter().flat_map(move |trust| {
            trust.statements.iter().filter_map(move |st| {
                if st.effect != Some(Effect::Allow) || st.conditions_unknown {
                    return None;
                }
                Some((role, st, st.principal.as_ref()?, st.action.as_ref()?))
            })
        })
    })
}

/// The finding of rule `code` on `role` at `span` (else the statement, else the
/// trust policy), when the role has S3 permissions.
pub fn finding(
    cx: &Context<'_>,
    code: &'static str,
    role: &Role,
    at: (Option<Span>, &Statement),
    message: String,
    label: &str,
    help: &str,
) -> Option<Finding> {
    if cx.model.role_grants_s3(role) != Tri::Yes {
        return None;
    }
    let (span, st) = at;
    let mut f = Finding::new(
        code,
        severity(code),
        span.or(st.span).unwrap_or(role.trust_span),
        message,
    )
    .label(label)
    .help(help)
    .resource(role.address.clone());
    f.scope = Some(role.scope.clone());
    Some(f)
}
