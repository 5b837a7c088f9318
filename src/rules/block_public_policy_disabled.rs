//! BL103: a public access block exists but does not set `BlockPublicPolicy`.

use super::public_access_block::check_flag;
use super::{Context, Rule};
use crate::finding::Finding;
use crate::model::bucket::PabFlag;

pub const RULE: Rule = Rule {
    doc: rule_doc!("block_public_policy_disabled"),
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    check_flag(
        cx,
        out,
        "BL103",
        PabFlag::BlockPublicPolicy,
        "a bucket policy that grants public access can still be put",
    );
}
