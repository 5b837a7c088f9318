//! BL102: a public access block exists but does not set `IgnorePublicAcls`.

use super::public_access_block::check_flag;
use super::{Context, Rule};
use crate::finding::Finding;
use crate::model::bucket::PabFlag;

pub const RULE: Rule = Rule {
    toml: include_str!("../../rules/ignore_public_acls_disabled.toml"),
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
