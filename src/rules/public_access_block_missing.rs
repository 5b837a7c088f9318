//! BL100: a bucket with no bucket-level public access block, and no account-level
//! block that sets all four settings.

use super::public_access_block::block_applicability;
use super::{About, Context, Rule, severity};
use crate::edit::cloudformation::V;
use crate::edit::terraform::attr;
use crate::edit::{Fixer, fix};
use crate::finding::{Finding, Fix};
use crate::model::bucket::{Bucket, Origin, PabFlag, PartKind};
use crate::model::value::Tri;

pub const RULE: Rule = Rule {
    doc: rule_doc!("public_access_block_missing"),
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for b in &cx.model.buckets {
        // A bucket classified public is meant to be readable by everyone.
        if cx.meant_public(b) {
            continue;
        }
        let account = Tri::all(PabFlag::ALL.map(|f| cx.model.account_flag(b, f)));
        if account != Tri::No || b.presence(PartKind::PublicAccessBlock) != Tri::No {
            continue;
        }
        let help = match b.origin {
            Origin::Terraform => {
                "add an `aws_s3_bucket_public_access_block` for this bucket with `block_public_acls`, `ignore_public_acls`, `block_public_policy` and `restrict_public_buckets` set to true"
            }
            Origin::CloudFormation => {
                "add `PublicAccessBlockConfiguration` with `BlockPublicAcls`, `IgnorePublicAcls`, `BlockPublicPolicy` and `RestrictPublicBuckets` set to true"
            }
        };
        let mut f = Finding::new(
            "BL100",
            severity("BL100"),
            b.decl,
            format!(
                "{} declares no public access block: S3 blocks public access on buckets created since April 2023, but nothing in the code keeps it so (console drift, older or imported buckets; FSBP S3.8)",
                b.subject()
            ),
        )
        .label("no public access block for this bucket")
        .help(help)
        .fix(cx.fix_bucket(b, |fx| add_block(fx, b)))
        .about(b);
        for a in cx.model.account_blocks_for(b) {
            f = f.related(
                Some(a.decl),
                "the account-level block does not set all four settings",
            );
        }
        out.push(f);
    }
}

/// A public access block with the four settings true.
fn add_block(fx: &Fixer<'_>, b: &Bucket) -> Option<Fix> {
    let applicability = block_applicability(b)?;
    let edit = match b.origin {
        Origin::Terraform => fx.tf_configure(
            b.decl,
            "aws_s3_bucket_public_access_block",
            |_| {
                PabFlag::ALL
                    .iter()
                    .map(|f| attr(f.terraform_name(), "true"))
                    .collect()
            },
            None,
        )?,
        Origin::CloudFormation => fx.cfn_set(
            b.decl,
            &["PublicAccessBlockConfiguration"],
            &[],
            V::Map(
                PabFlag::ALL
                    .iter()
                    .map(|f| (f.cloudformation_name().to_string(), V::Bool(true)))
                    .collect(),
            ),
        )?,
    };
    Some(fix(
        applicability,
        "add a public access block with all four settings true",
        vec![edit],
    ))
}
