//! BL104: a public access block exists but does not set `RestrictPublicBuckets`.

use super::public_access_block::check_flag;
use super::{Context, Rule};
use crate::finding::Finding;
use crate::model::bucket::PabFlag;

pub const RULE: Rule = Rule {
    doc: rule_doc!("restrict_public_buckets_disabled"),
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    check_flag(
        cx,
        out,
        "BL104",
        PabFlag::RestrictPublicBuckets,
        "a public bucket policy still grants anonymous and cross-account access",
    );
}
