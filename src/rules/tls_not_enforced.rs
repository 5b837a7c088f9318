//! BL210: the bucket policy does not deny requests over plain HTTP.

use super::{About, Context, Rule, severity};
use crate::finding::Finding;
use crate::model::bucket::{Bucket, Origin, PartKind};
use crate::model::policy::enforces_tls;
use crate::model::value::Tri;

pub const RULE: Rule = Rule {
    doc: rule_doc!("tls_not_enforced"),
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    use rayon::prelude::*;
    // The costliest rule (every statement against every way of naming the bucket):
    // buckets are judged in parallel, their findings kept in bucket order.
    let per_bucket: Vec<Vec<Finding>> = cx
        .model
        .buckets
        .par_iter()
        .map(|b| {
            let mut found = Vec::new();
            bucket(cx, b, &mut found);
            found
        })
        .collect();
    out.extend(per_bucket.into_iter().flatten());
}

fn bucket(cx: &Context<'_>, b: &Bucket, out: &mut Vec<Finding>) {
    let names = |k: &_| cx.model.name_of(k);
    let help = match b.origin {
        Origin::Terraform => {
            "add a statement that denies `s3:*` to every principal (`\"*\"`) on the bucket ARN and `<bucket ARN>/*` when `aws:SecureTransport` is `false` (condition test `Bool`)"
        }
        Origin::CloudFormation => {
            "add a `Deny` statement for `s3:*`, `Principal: \"*\"`, on the bucket ARN and `<bucket ARN>/*`, with `Condition: { Bool: { aws:SecureTransport: false } }`"
        }
    };
    if b.policies.is_empty() {
        if b.presence(PartKind::Policy) == Tri::No {
            let f = Finding::new(
                "BL210",
                severity("BL210"),
                b.decl,
                format!(
                    "{} has no bucket policy, so nothing denies requests over plain HTTP",
                    b.subject()
                ),
            )
            .label("no bucket policy");
            out.push(f.help(help).about(b));
        }
        return;
    }
    // With several policies, whichever is applied last is the bucket's: each
    // must enforce TLS on its own.
    for policy in &b.policies {
        let Some(doc) = &policy.value.document else {
            continue;
        };
        if cx.model.about_bucket(b, |i| enforces_tls(doc, i, &names)) != Tri::No {
            continue;
        }
        let finding = Finding::new(
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
            (policy.via.is_some() && !b.external).then_some(b.decl),
            "for this bucket",
        );
        out.push(finding.help(help).about(b));
    }
}
