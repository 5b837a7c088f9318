//! BL101: a public access block exists but does not set `BlockPublicAcls`.

use super::public_access_block::check_flag;
use super::{Context, Rule};
use crate::finding::Finding;
use crate::model::bucket::PabFlag;

pub const RULE: Rule = Rule {
    doc: rule_doc!("block_public_acls_disabled"),
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    check_flag(
        cx,
        out,
        "BL101",
        PabFlag::BlockPublicAcls,
        "new public ACLs can still be applied to the bucket and its objects",
    );
}
