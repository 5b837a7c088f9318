//! BL120: a bucket policy statement that AWS would consider public.

use super::{About, Context, Rule, severity};
use crate::finding::Finding;
use crate::model::bucket::PabFlag;
use crate::model::policy::{Statement, statement_allows_write, statement_is_public};
use crate::model::value::Tri;

pub const RULE: Rule = Rule {
    toml: include_str!("../../rules/public_bucket_policy.toml"),
    check,
};

const HELP: &str = "name the principals that need access, or pin the statement with a condition on fixed values (`aws:SourceVpce`, `aws:PrincipalOrgID`, `aws:SourceArn`...); for a website, serve through CloudFront with origin access control";

fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for b in &cx.model.buckets {
        let Some(policy) = &b.policy else { continue };
        let Some(doc) = &policy.value.document else {
            continue;
        };
        if cx.model.effective_flag(b, PabFlag::RestrictPublicBuckets) != Tri::No {
            continue;
        }
        for st in &doc.statements {
            if statement_is_public(st) != Tri::Yes {
                continue;
            }
            let write = statement_allows_write(st) == Tri::Yes;
            let sid = st
                .sid
                .as_deref()
                .map_or_else(String::new, |s| format!(" `{s}`"));
            let mut f = Finding::new(
                "BL120",
                severity("BL120"),
                st.span.unwrap_or(policy.span),
                format!(
                    "bucket policy statement{sid} of {} allows anyone {}{}",
                    b.label(),
                    if write { "to write: " } else { "to " },
                    actions(st)
                ),
            )
            .label("public statement")
            .help(HELP)
            .about(b);
            if let Some(via) = &policy.via {
                f = f.related(
                    Some(via.decl),
                    format!("policy attached by {}", via.address),
                );
            }
            if let Some(pab) = &b.public_access_block {
                f = f.related(
                    Some(pab.span),
                    "this public access block does not restrict public buckets",
                );
            }
            out.push(f);
        }
    }
}

/// The statement's actions for a message: `s3:GetObject, s3:ListBucket`.
fn actions(st: &Statement) -> String {
    let Some(a) = &st.action else {
        return "(no action)".into();
    };
    let mut names: Vec<String> = a
        .values
        .iter()
        .take(4)
        .map(|(t, _)| format!("`{t}`"))
        .collect();
    if a.values.len() > 4 {
        names.push(format!("and {} more", a.values.len() - 4));
    }
    let list = names.join(", ");
    if a.not {
        format!("every action except {list}")
    } else {
        list
    }
}
