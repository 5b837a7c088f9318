//! BL121: a bucket policy `Allow` statement with `*`/`s3:*` actions or `NotAction`.

use super::{Context, Rule, bucket_finding};
use crate::finding::Finding;
use crate::model::policy::{Effect, Statement};

pub const RULE: Rule = Rule {
    doc: rule_doc!("policy_wildcard_action"),
    check,
};

/// The wildcard an `Allow` statement grants, with where it is written.
pub fn wildcard_action(st: &Statement) -> Option<(String, Option<crate::source::Span>)> {
    if st.effect != Some(Effect::Allow) {
        return None;
    }
    let a = st.action.as_ref()?;
    if a.not {
        return Some(("`NotAction`".into(), a.span));
    }
    a.values.iter().find_map(|(t, span)| {
        let v = t.as_lit()?;
        (v == "*" || v.eq_ignore_ascii_case("s3:*")).then(|| (format!("`{v}`"), *span))
    })
}

fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for (b, policy, st) in cx.policy_statements() {
        let Some((what, span)) = wildcard_action(st) else {
            continue;
        };
        let sid = super::public_exposure::sid(st);
        out.push(
            bucket_finding(
                "BL121",
                b,
                span.or(st.span).unwrap_or(policy.span),
                format!(
                    "bucket policy statement{sid} of {} allows {what}: every S3 action, including deleting the bucket's objects and rewriting its policy",
                    b.label()
                ),
            )
            .label("wildcard action")
            .related(policy.via.as_ref().map(|v| v.decl), "policy attached here")
            .help("list the actions the principal needs (`s3:GetObject`, `s3:PutObject`...) instead of a wildcard"),
        );
    }
}
