//! BL112: an ACL grant of `WRITE_ACP` or `FULL_CONTROL` to someone other than the owner.

use super::public_exposure::{acls_disabled, group_audience};
use super::{Context, Rule, bucket_finding};
use crate::finding::Finding;
use crate::model::value::Text;

pub const RULE: Rule = Rule {
    doc: rule_doc!("acl_grants_write_acp"),
    check,
};

/// The canonical ID of the `awslogsdelivery` account that CloudFront standard
/// logging must be granted `FULL_CONTROL` (CloudFront developer guide, "Configure
/// standard logging").
const AWSLOGSDELIVERY: &str = "c4c1ede66af53448b93c283ce9448c4ba468c9432aa01d700d3878632f77d2d0";

fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for b in &cx.model.buckets {
        let Some(acl) = &b.acl else { continue };
        if acls_disabled(b) {
            continue;
        }
        // An owner only known after apply may be any grantee.
        if acl
            .value
            .owner
            .as_ref()
            .is_some_and(|o| o.get().and_then(Text::as_lit).is_none())
        {
            continue;
        }
        let owner = acl
            .value
            .owner
            .as_ref()
            .and_then(|o| o.get())
            .and_then(Text::as_lit);
        for g in &acl.value.grants {
            let Some(perm) = g
                .permissions
                .iter()
                .filter_map(|p| p.get())
                .find(|p| *p == "WRITE_ACP" || *p == "FULL_CONTROL")
            else {
                continue;
            };
            let uri = g.uri.as_ref().and_then(|u| u.get()).and_then(Text::as_lit);
            // Public groups are BL110's (critical) findings.
            if uri.is_some_and(|u| group_audience(u).is_some()) {
                continue;
            }
            let id = g.id.as_ref().map(|i| i.get().and_then(Text::as_lit));
            let grantee = match (uri, id) {
                (Some(u), _) => format!("the group {}", u.rsplit('/').next().unwrap_or(u)),
                // The owner may hold full control of its own bucket, and CloudFront
                // standard logging requires it for its log delivery account.
                (None, Some(Some(id))) if Some(id) == owner || id == AWSLOGSDELIVERY => continue,
                (None, Some(Some(id))) => format!("canonical user {id}"),
                // A grantee only known after apply (often the owner's own ID).
                (None, Some(None)) => continue,
                (None, None) => match g.grantee_type.get() {
                    Some(t) => format!("a {t} grantee"),
                    None => continue,
                },
            };
            out.push(
                bucket_finding(
                    "BL112",
                    b,
                    g.span,
                    format!(
                        "an ACL grant of bucket {} gives {grantee} `{perm}`: it can rewrite the ACL and open the bucket to anyone",
                        b.label()
                    ),
                )
                .label(format!("`{perm}` to someone other than the owner"))
                .help("grant only the permissions needed (`READ`, `WRITE`), or better, disable ACLs with `BucketOwnerEnforced` and use a bucket policy"),
            );
        }
    }
}
