//! BL505: a bucket classified sensitive that a role can reach with every S3 action
//! (`s3:*` or `*` on it, or an AWS managed full-access policy).

use super::{Classification, Context, Rule, severity};
use crate::finding::Finding;
use crate::model::iam::{EntityRef, IdentityPolicy, aws_managed_s3_policy, statement_reaches};
use crate::model::policy::{Effect, Items};
use crate::model::value::Tri;

pub const RULE: Rule = Rule {
    doc: rule_doc!("sensitive_bucket_broad_access"),
    check,
};

/// Does an `Action` list hold every S3 action (`s3:*`, `*`)?
fn all_s3(a: &Items) -> bool {
    !a.not
        && a.values
            .iter()
            .any(|(t, _)| matches!(t.as_lit(), Some("*" | "s3:*")))
}

/// The roles of `scope` that `refs` designate.
fn holders(cx: &Context<'_>, scope: &str, refs: &[&EntityRef]) -> Vec<String> {
    cx.model
        .roles
        .iter()
        .filter(|r| r.scope == scope)
        .filter(|r| Tri::any(refs.iter().map(|e| e.is(&r.key, r.name.as_deref()))) == Tri::Yes)
        .map(|r| r.address.clone())
        .collect()
}

/// The roles holding an identity policy: named by it (inline, `Roles`), or attached
/// to it as a customer managed policy.
fn policy_holders(cx: &Context<'_>, p: &IdentityPolicy) -> Vec<String> {
    let attached = cx
        .model
        .policy_attachments
        .iter()
        .filter(|a| {
            a.scope == p.scope
                && EntityRef::from_text(&a.policy_arn).is(&p.key, p.name.as_deref()) == Tri::Yes
        })
        .flat_map(|a| &a.roles);
    let refs: Vec<&EntityRef> = p.roles.iter().chain(attached).collect();
    holders(cx, &p.scope, &refs)
}

fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for b in &cx.model.buckets {
        if cx.classification(b) != Some(Classification::Sensitive) {
            continue;
        }
        let subject = b.subject();
        let mut report = |span, via: String, roles: Vec<String>| {
            let mut f = Finding::new(
                "BL505",
                severity("BL505"),
                span,
                format!(
                    "{subject} is classified sensitive, and {via} grants every S3 action on it to {}",
                    roles.join(", ")
                ),
            )
            .label("every S3 action on a sensitive bucket")
            .help("grant only the actions the role needs (`s3:GetObject`, `s3:PutObject`) on the prefixes it needs")
            .resource(b.address.clone());
            f.scope = Some(b.key.scope().to_string());
            out.push(f);
        };
        for p in &cx.model.identity_policies {
            let Some(doc) = &p.document else { continue };
            for st in &doc.statements {
                let Some(actions) = &st.action else { continue };
                if st.effect != Some(Effect::Allow) || !all_s3(actions) {
                    continue;
                }
                if statement_reaches(st, b) != Tri::Yes {
                    continue;
                }
                let roles = policy_holders(cx, p);
                if roles.is_empty() {
                    continue;
                }
                report(
                    actions.span.or(st.span).unwrap_or(p.span),
                    format!("policy {}", p.address),
                    roles,
                );
            }
        }
        // AWS managed full access: every bucket of the account.
        for a in &cx.model.policy_attachments {
            let Some(arn) = a.policy_arn.as_lit() else {
                continue;
            };
            if !matches!(
                aws_managed_s3_policy(arn),
                Some("AmazonS3FullAccess" | "AdministratorAccess")
            ) {
                continue;
            }
            let refs: Vec<&EntityRef> = a.roles.iter().collect();
            let roles = holders(cx, &a.scope, &refs);
            if !roles.is_empty() {
                report(a.span, format!("the AWS managed policy {arn}"), roles);
            }
        }
    }
}
