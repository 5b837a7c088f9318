//! BL114: an object resource uploaded with a public ACL.

use super::public_exposure::{acl_public_grants, acls_disabled, private_acl_fix};
use super::{Context, Rule, severity};
use crate::finding::{Finding, Severity};
use crate::model::bucket::PabFlag;
use crate::model::value::Tri;

pub const RULE: Rule = Rule {
    doc: rule_doc!("object_acl_public"),
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for o in &cx.model.objects {
        let bucket = o.bucket.map(|i| &cx.model.buckets[i]);
        // S3 disregards public object ACLs when the bucket (or account) ignores
        // them, and rejects every ACL when ownership is enforced.
        let ignored = match bucket {
            Some(b) => {
                if acls_disabled(b) {
                    continue;
                }
                cx.model.effective_flag(b, PabFlag::IgnorePublicAcls)
            }
            None if cx.model.assume_account_block => Tri::Yes,
            None => Tri::any(
                cx.model
                    .account_blocks
                    .iter()
                    .filter(|a| a.scope == o.scope)
                    .map(|a| a.flags.ignore_public_acls.test(|v| *v)),
            ),
        };
        if ignored != Tri::No {
            continue;
        }
        for g in acl_public_grants(&o.acl) {
            if !g.write && bucket.is_some_and(|b| cx.meant_public(b)) {
                continue;
            }
            let (sev, access) = if g.write {
                (Severity::Critical, "read and write")
            } else {
                (severity("BL114"), "read")
            };
            let mut f = Finding::new(
                "BL114",
                sev,
                g.span,
                format!(
                    "object {} gives {} {access} access through {}",
                    o.address, g.who, g.what
                ),
            )
            .label(format!("{} can {access} this object", g.who))
            .help("remove the `acl` (objects inherit the bucket's access; ACLs are disabled on new buckets), and publish through a bucket policy or CloudFront if the object must be public")
            .related(g.origin, crate::finding::VALUE_ORIGIN)
            .fix(cx.fix_with(|fx| private_acl_fix(fx, &g)))
            .resource(o.address.clone());
            f.scope = Some(o.scope.clone());
            for site in &o.call_sites {
                f = f.related(Some(*site), "through this module call");
            }
            if let Some(b) = bucket {
                f = f.related(
                    Some(b.decl),
                    "in this bucket, which does not ignore public ACLs",
                );
            }
            out.push(f);
        }
    }
}
