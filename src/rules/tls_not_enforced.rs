//! BL210: the bucket policy does not deny requests over plain HTTP.

use super::{About, Context, Rule, severity};
use crate::finding::Finding;
use crate::model::bucket::{Origin, PartKind};
use crate::model::policy::enforces_tls;
use crate::model::value::Tri;

pub const RULE: Rule = Rule {
    toml: include_str!("../../rules/tls_not_enforced.toml"),
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let names = |k: &_| cx.model.name_of(k);
    for b in &cx.model.buckets {
        let help = match b.origin {
            Origin::Terraform => {
                "add a statement that denies `s3:*` to every principal (`\"*\"`) on the bucket ARN and `<bucket ARN>/*` when `aws:SecureTransport` is `false` (condition test `Bool`)"
            }
            Origin::CloudFormation => {
                "add a `Deny` statement for `s3:*`, `Principal: \"*\"`, on the bucket ARN and `<bucket ARN>/*`, with `Condition: { Bool: { aws:SecureTransport: false } }`"
            }
        };
        let finding = match &b.policy {
            None if b.presence(PartKind::Policy) == Tri::No => Finding::new(
                "BL210",
                severity("BL210"),
                b.decl,
                format!(
                    "bucket {} has no bucket policy, so nothing denies requests over plain HTTP",
                    b.label()
                ),
            )
            .label("no bucket policy"),
            None => continue,
            Some(policy) => {
                let Some(doc) = &policy.value.document else {
                    continue;
                };
                if enforces_tls(doc, &cx.model.ident(b), &names) != Tri::No {
                    continue;
                }
                Finding::new(
                    "BL210",
                    severity("BL210"),
                    policy.span,
                    format!(
                        "the bucket policy of {} has no statement denying requests over plain HTTP (`aws:SecureTransport` = false) for the bucket and its objects",
                        b.label()
                    ),
                )
                .label("no TLS-only statement in this policy")
                .related(
                    policy.via.as_ref().map(|_| b.decl),
                    "for this bucket",
                )
            }
        };
        out.push(finding.help(help).about(b));
    }
}
