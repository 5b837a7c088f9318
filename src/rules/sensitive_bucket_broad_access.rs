//! BL505: a bucket classified sensitive that a role, user or group can reach with
//! every S3 action (`s3:*` or `*` on it, or an AWS managed full-access policy),
//! naming the compute (functions, tasks, instances) that runs as the role.

use super::{Classification, Context, Rule, severity};
use crate::finding::Finding;
use crate::model::iam::{Attached, Entity, EntityKind, statement_reaches};
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

/// The holders (roles, users, groups), each with the compute that runs as it:
/// `role aws_iam_role.app (run by aws_lambda_function.f)`.
fn describe(cx: &Context<'_>, holders: &[Entity<'_>]) -> Vec<String> {
    holders
        .iter()
        .map(|e| {
            let kind = match e.kind {
                EntityKind::User => "user",
                EntityKind::Group => "group",
                _ => "role",
            };
            let runs = cx.model.runs_as(e);
            if runs.is_empty() {
                format!("{kind} {}", e.address)
            } else {
                format!("{kind} {} (run by {})", e.address, runs.join(", "))
            }
        })
        .collect()
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
                let holders = cx.model.holders_of(p);
                if holders.is_empty() {
                    continue;
                }
                let roles = describe(cx, &holders);
                report(
                    actions.span.or(st.span).unwrap_or(p.span),
                    format!("policy {}", p.address),
                    roles,
                );
            }
        }
        // AWS managed full access: every bucket of the account.
        for a in &cx.model.policy_attachments {
            if !matches!(
                cx.model.attached(a),
                Attached::AwsS3("AmazonS3FullAccess" | "AdministratorAccess")
            ) {
                continue;
            }
            let holders = cx.model.surely(&a.scope, &a.holders);
            if !holders.is_empty() {
                report(
                    a.span,
                    format!("the AWS managed policy {}", a.policy_arn),
                    describe(cx, &holders),
                );
            }
        }
    }
}
