//! BL110: the bucket ACL grants access to everyone or to any authenticated AWS user.

use super::{About, Context, Rule, severity};
use crate::finding::{Finding, Severity};
use crate::model::bucket::{Bucket, Origin, PabFlag};
use crate::model::value::Tri;

pub const RULE: Rule = Rule {
    toml: include_str!("../../rules/public_acl.toml"),
    check,
};

const ALL_USERS: &str = "http://acs.amazonaws.com/groups/global/AllUsers";
const AUTHENTICATED_USERS: &str = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";

/// Who a canned ACL opens the bucket to, and whether for writing.
fn canned_exposure(acl: &str) -> Option<(&'static str, bool)> {
    match acl {
        "public-read" => Some(("everyone", false)),
        "public-read-write" => Some(("everyone", true)),
        "authenticated-read" => Some(("any authenticated AWS user", false)),
        _ => None,
    }
}

fn group_audience(uri: &str) -> Option<&'static str> {
    let uri = uri.trim_end_matches('/');
    let uri = uri
        .strip_prefix("https://")
        .map_or_else(|| uri.to_string(), |u| format!("http://{u}"));
    if uri == ALL_USERS {
        Some("everyone")
    } else if uri == AUTHENTICATED_USERS {
        Some("any authenticated AWS user")
    } else {
        None
    }
}

fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for b in &cx.model.buckets {
        let Some(acl) = &b.acl else { continue };
        if cx.model.effective_flag(b, PabFlag::IgnorePublicAcls) != Tri::No || acls_disabled(b) {
            continue;
        }
        if let Some(canned) = &acl.value.canned
            && let Some((who, write)) = canned.get().and_then(|a| canned_exposure(a))
        {
            let span = canned.span().unwrap_or(acl.span);
            let acl_name = canned.get().map_or("", String::as_str);
            out.push(finding(
                cx,
                b,
                span,
                who,
                write,
                &format!("canned ACL `{acl_name}`"),
                canned.origin(),
            ));
        }
        for g in &acl.value.grants {
            let Some(who) = g
                .uri
                .as_ref()
                .and_then(|u| u.get())
                .and_then(|u| u.as_lit())
                .and_then(group_audience)
            else {
                continue;
            };
            let perms: Vec<&str> = g
                .permissions
                .iter()
                .filter_map(|p| p.get().map(String::as_str))
                .collect();
            if perms.is_empty() {
                continue;
            }
            let write = perms
                .iter()
                .any(|p| matches!(*p, "WRITE" | "WRITE_ACP" | "FULL_CONTROL"));
            out.push(finding(
                cx,
                b,
                g.span,
                who,
                write,
                &format!("a grant of {}", perms.join(", ")),
                None,
            ));
        }
    }
}

/// Object ownership `BucketOwnerEnforced` disables ACLs: AWS ignores (and since 2023
/// rejects) them.
fn acls_disabled(b: &Bucket) -> bool {
    b.ownership.as_ref().is_some_and(|o| {
        o.value
            .rule
            .get()
            .is_some_and(|r| r == "BucketOwnerEnforced")
    })
}

fn finding(
    cx: &Context<'_>,
    b: &Bucket,
    span: crate::source::Span,
    who: &str,
    write: bool,
    what: &str,
    origin: Option<crate::source::Span>,
) -> Finding {
    let (sev, access) = if write {
        (Severity::Critical, "read and write")
    } else {
        (severity("BL110"), "read")
    };
    let help = match b.origin {
        Origin::Terraform => {
            "remove the public ACL (use `private`, or better, `aws_s3_bucket_ownership_controls` with `BucketOwnerEnforced` to disable ACLs) and grant access through a bucket policy to named principals or CloudFront origin access control"
        }
        Origin::CloudFormation => {
            "remove the public `AccessControl` (or set `OwnershipControls` to `BucketOwnerEnforced` to disable ACLs) and grant access through a bucket policy to named principals or CloudFront origin access control"
        }
    };
    let mut f = Finding::new(
        "BL110",
        sev,
        span,
        format!(
            "bucket {} gives {who} {access} access through {what}",
            b.label()
        ),
    )
    .label(format!(
        "{who} can {}",
        if write { "read and write" } else { "read" }
    ))
    .help(help)
    .related(origin, "the value comes from here")
    .about(b);
    if let Some(pab) = &b.public_access_block {
        f = f.related(
            Some(pab.span),
            "this public access block does not ignore public ACLs",
        );
    }
    let _ = cx;
    f
}
