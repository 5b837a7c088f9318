//! BL110: the bucket ACL grants access to everyone or to any authenticated AWS user.

use super::public_exposure::{private_acl_fix, public_grants};
use super::{About, Context, Rule, fix, severity};
use crate::finding::{Finding, Severity};
use crate::model::bucket::PabFlag;
use crate::model::value::Tri;

pub const RULE: Rule = Rule {
    doc: rule_doc!("public_acl"),
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for b in &cx.model.buckets {
        // An ignored grant is inert: BL106 reports the contradiction.
        if cx.model.effective_flag(b, PabFlag::IgnorePublicAcls) != Tri::No {
            continue;
        }
        for g in public_grants(b) {
            // Public read is the point of a bucket classified public; write is not.
            if !g.write && cx.meant_public(b) {
                continue;
            }
            let (sev, access) = if g.write {
                (Severity::Critical, "read and write")
            } else {
                (severity("BL110"), "read")
            };
            let mut f = Finding::new(
                "BL110",
                sev,
                g.span,
                format!(
                    "{} gives {} {access} access through {}",
                    b.subject(),
                    g.who,
                    g.what
                ),
            )
            .label(format!("{} can {access}", g.who))
            .help(fix(
                b,
                "remove the public ACL (use `private`, or better, `aws_s3_bucket_ownership_controls` with `BucketOwnerEnforced` to disable ACLs) and grant access through a bucket policy to named principals or CloudFront origin access control",
                "remove the public `AccessControl` (or set `OwnershipControls` to `BucketOwnerEnforced` to disable ACLs) and grant access through a bucket policy to named principals or CloudFront origin access control",
            ))
            .related(g.origin, crate::finding::VALUE_ORIGIN)
            .fix(cx.fix_with(|fx| private_acl_fix(fx, &g)))
            .about(b);
            if let Some(pab) = &b.public_access_block {
                f = f.related(
                    Some(pab.span),
                    "this public access block does not ignore public ACLs",
                );
            }
            out.push(f);
        }
    }
}
