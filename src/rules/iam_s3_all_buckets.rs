//! BL502: an IAM identity policy allows S3 bucket or object actions on every bucket.

use super::iam_s3_full_access::grants_full_s3;
use super::{Context, Rule, severity};
use crate::finding::Finding;
use crate::model::policy::Effect;

pub const RULE: Rule = Rule {
    doc: rule_doc!("iam_s3_all_buckets"),
    check,
};

/// S3 actions that only exist at account level: their resource can only be `*`.
const ACCOUNT_LEVEL: [&str; 13] = [
    "s3:listallmybuckets",
    "s3:getaccountpublicaccessblock",
    "s3:putaccountpublicaccessblock",
    "s3:listaccesspoints",
    "s3:listaccesspointsforobjectlambda",
    "s3:listjobs",
    "s3:createjob",
    "s3:liststoragelensconfigurations",
    "s3:liststoragelensgroups",
    "s3:listmultiregionaccesspoints",
    "s3:listaccessgrantsinstances",
    "s3:putstoragelensconfiguration",
    "s3:getbucketlocation",
];

/// `*`, `arn:PARTITION:s3:::*` and `arn:PARTITION:s3:::*/*`.
fn all_buckets(r: &str) -> bool {
    r == "*"
        || r.strip_prefix("arn:")
            .and_then(|rest| rest.split_once(":s3:::"))
            .is_some_and(|(_, tail)| tail == "*" || tail == "*/*")
}

fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for p in &cx.model.identity_policies {
        let Some(doc) = &p.document else { continue };
        for st in &doc.statements {
            // Everything on everything is BL501's finding.
            if st.effect != Some(Effect::Allow) || grants_full_s3(st) {
                continue;
            }
            let (Some(actions), Some(resources)) = (&st.action, &st.resource) else {
                continue;
            };
            if actions.not || resources.not {
                continue;
            }
            let bucket_actions: Vec<&str> = actions
                .values
                .iter()
                .filter_map(|(a, _)| a.as_lit())
                .filter(|a| {
                    let l = a.to_ascii_lowercase();
                    (l.starts_with("s3:") || l == "*") && !ACCOUNT_LEVEL.contains(&l.as_str())
                })
                .collect();
            if bucket_actions.is_empty() {
                continue;
            }
            let Some((_, span)) = resources
                .values
                .iter()
                .find(|(r, _)| r.as_lit().is_some_and(all_buckets))
            else {
                continue;
            };
            let mut f = Finding::new(
                "BL502",
                severity("BL502"),
                span.or(st.span).unwrap_or(p.span),
                format!(
                    "IAM policy {} allows {} on every bucket of the account instead of named buckets",
                    p.address,
                    bucket_actions
                        .iter()
                        .take(4)
                        .map(|a| format!("`{a}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
            .label("every bucket")
            .help("name the buckets (`arn:aws:s3:::bucket` and `arn:aws:s3:::bucket/*`); keep `*` only for account-level actions such as `s3:ListAllMyBuckets`")
            .resource(p.address.clone());
            f.scope = Some(p.scope.clone());
            out.push(f);
        }
    }
}
