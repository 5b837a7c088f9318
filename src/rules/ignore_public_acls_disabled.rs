//! BL102: a public access block exists but does not set `IgnorePublicAcls`.

use super::public_access_block::check_flag;
use super::{Context, Rule};
use crate::finding::Finding;
use crate::model::bucket::PabFlag;

pub const RULE: Rule = Rule {
    doc: rule_doc!("ignore_public_acls_disabled"),
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    check_flag(
        cx,
        out,
        "BL102",
        PabFlag::IgnorePublicAcls,
        "public ACLs on the bucket and its objects are honoured",
    );
}
