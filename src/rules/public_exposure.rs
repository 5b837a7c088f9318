//! What makes a bucket public, shared by BL106, BL110 and BL120: ACL grants to the
//! public groups and policy statements AWS considers public, before the public
//! access block is taken into account.

use crate::edit::{Fixer, fix};
use crate::finding::{Applicability, Fix};
use crate::model::bucket::{Acl, Attached, Bucket, BucketPolicy};
use crate::model::policy::{Statement, statement_allows_write, statement_is_public};
use crate::model::value::Tri;
use crate::source::Span;

const ALL_USERS: &str = "http://acs.amazonaws.com/groups/global/AllUsers";
const AUTHENTICATED_USERS: &str = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";

/// An ACL grant (canned or explicit) to everyone or to any AWS user.
pub struct PublicGrant {
    pub span: Span,
    /// "everyone" or "any authenticated AWS user".
    pub who: &'static str,
    pub write: bool,
    /// "canned ACL `public-read`", "a grant of READ".
    pub what: String,
    /// Where the value came from (a variable default), when elsewhere.
    pub origin: Option<Span>,
}

/// Who a canned ACL opens the bucket to, and whether for writing.
fn canned_exposure(acl: &str) -> Option<(&'static str, bool)> {
    match acl {
        "public-read" => Some(("everyone", false)),
        "public-read-write" => Some(("everyone", true)),
        "authenticated-read" => Some(("any authenticated AWS user", false)),
        _ => None,
    }
}

/// The public grant `g` taken away: a canned ACL made private (Terraform
/// `private`, CloudFormation `Private`), a `grant` block removed. Unsafe: whoever
/// reads through the public ACL loses access.
pub fn private_acl_fix(fx: &Fixer<'_>, g: &PublicGrant) -> Option<Fix> {
    let span = g.span;
    let canned = fx
        .replace_value(
            span,
            g.origin,
            &["public-read", "public-read-write", "authenticated-read"],
            "private",
        )
        .or_else(|| {
            fx.replace_value(
                span,
                g.origin,
                &["PublicRead", "PublicReadWrite", "AuthenticatedRead"],
                "Private",
            )
        });
    let (title, edit) = match canned {
        Some(edit) => ("make the canned ACL private", edit),
        None => ("remove the public grant", fx.delete_block(span, "grant")?),
    };
    Some(fix(Applicability::Unsafe, title, vec![edit]))
}

/// The public group a grantee URI names, if any.
pub fn group_audience(uri: &str) -> Option<&'static str> {
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

/// Object ownership `BucketOwnerEnforced` disables ACLs: AWS ignores (and since 2023
/// rejects) them. An ownership setting that is not known may do so: no ACL finding
/// is certain then.
pub fn acls_disabled(b: &Bucket) -> bool {
    b.ownership.as_ref().is_some_and(|o| {
        o.value
            .rule
            .get()
            .is_none_or(|r| r == "BucketOwnerEnforced")
    })
}

/// The bucket's public ACL grants (none when ACLs are disabled).
pub fn public_grants(b: &Bucket) -> Vec<PublicGrant> {
    match &b.acl {
        Some(acl) if !acls_disabled(b) => acl_public_grants(acl),
        _ => Vec::new(),
    }
}

/// The grants of an ACL (a bucket's or an object's) to everyone or any AWS user.
pub fn acl_public_grants(acl: &Attached<Acl>) -> Vec<PublicGrant> {
    let mut out = Vec::new();
    if let Some(canned) = &acl.value.canned
        && let Some(name) = canned.get()
        && let Some((who, write)) = canned_exposure(name)
    {
        out.push(PublicGrant {
            span: canned.span().unwrap_or(acl.span),
            who,
            write,
            what: format!("canned ACL `{name}`"),
            origin: canned.origin(),
        });
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
        out.push(PublicGrant {
            span: g.span,
            who,
            write: perms
                .iter()
                .any(|p| matches!(*p, "WRITE" | "WRITE_ACP" | "FULL_CONTROL")),
            what: format!("a grant of {}", perms.join(", ")),
            origin: None,
        });
    }
    out
}

/// The statements of the bucket's policies that AWS considers public, each with its
/// policy and whether it allows writing.
pub fn public_statements(b: &Bucket) -> Vec<(&Attached<BucketPolicy>, &Statement, bool)> {
    b.policies
        .iter()
        .flat_map(|p| {
            p.value.document.iter().flat_map(move |doc| {
                doc.statements
                    .iter()
                    .filter(|st| statement_is_public(st) == Tri::Yes)
                    .map(move |st| (p, st, statement_allows_write(st) == Tri::Yes))
            })
        })
        .collect()
}

/// The statement's `Sid` for a message (a space and the quoted Sid), or nothing.
pub fn sid(st: &Statement) -> String {
    st.sid
        .as_deref()
        .map_or_else(String::new, |s| format!(" `{s}`"))
}

/// The statement's actions for a message: `s3:GetObject, s3:ListBucket`.
pub fn actions(st: &Statement) -> String {
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
