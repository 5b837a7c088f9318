//! BL501: an IAM identity policy allows every S3 action on S3 resources, or the AWS
//! managed policy `AmazonS3FullAccess` is attached.

use super::{Context, Rule, severity};
use crate::finding::Finding;
use crate::model::iam::aws_managed_s3_policy;
use crate::model::policy::{Effect, Items, Statement, allows_action};
use crate::model::value::{Text, Tri};

pub const RULE: Rule = Rule {
    doc: rule_doc!("iam_s3_full_access"),
    check,
};

/// Representative actions: a statement allowing all of them allows everything S3
/// can do to data and to access control.
const FULL: [&str; 5] = [
    "s3:GetObject",
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:PutBucketPolicy",
    "s3:DeleteBucket",
];

/// Does an `Allow` statement grant every S3 action?
pub fn grants_full_s3(st: &Statement) -> bool {
    st.effect == Some(Effect::Allow)
        && st
            .action
            .as_ref()
            .is_some_and(|a| FULL.iter().all(|x| allows_action(a, x) == Tri::Yes))
}

/// Is a resource pattern `*` or an S3 ARN (any bucket or object)?
pub fn s3_resource(t: &Text) -> bool {
    t.as_lit().is_some_and(|r| {
        r == "*"
            || r.split(':')
                .nth(2)
                .is_some_and(|service| service == "s3" || service == "*")
    })
}

/// Does the statement apply to S3 resources (or `NotResource`, anything)?
pub fn on_s3(resource: Option<&Items>) -> bool {
    resource.is_some_and(|r| r.not || r.values.iter().any(|(t, _)| s3_resource(t)))
}

fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for p in &cx.model.identity_policies {
        let Some(doc) = &p.document else { continue };
        for st in &doc.statements {
            if !grants_full_s3(st) || !on_s3(st.resource.as_ref()) {
                continue;
            }
            let span = st
                .action
                .as_ref()
                .and_then(|a| a.span)
                .or(st.span)
                .unwrap_or(p.span);
            let mut f = Finding::new(
                "BL501",
                severity("BL501"),
                span,
                format!(
                    "IAM policy {} allows every S3 action on S3 resources: whoever holds it can read, delete and re-permission any bucket it reaches",
                    p.address
                ),
            )
            .label("full S3 access")
            .help("allow the specific actions on the specific buckets the principal needs (`s3:GetObject` on `arn:aws:s3:::bucket/*`)")
            .resource(p.address.clone());
            f.scope = Some(p.scope.clone());
            out.push(f);
        }
    }
    for a in &cx.model.policy_attachments {
        let Some(arn) = a.policy_arn.as_lit() else {
            continue;
        };
        if aws_managed_s3_policy(arn) != Some("AmazonS3FullAccess") {
            continue;
        }
        let mut f = Finding::new(
            "BL501",
            severity("BL501"),
            a.span,
            format!(
                "{} attaches the AWS managed policy AmazonS3FullAccess: every S3 action on every bucket of the account",
                a.address
            ),
        )
        .label("AmazonS3FullAccess")
        .help("attach a customer managed policy that allows only the needed actions on the needed buckets")
        .resource(a.address.clone());
        f.scope = Some(a.scope.clone());
        out.push(f);
    }
}
