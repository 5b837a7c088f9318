//! BL107: the account-level public access block is managed in the scanned code, so
//! is the AWS Organization's policy set, and no policy keeps an account's admins
//! from switching the block off.

use super::{Context, Rule, severity};
use crate::finding::Finding;
use crate::model::organizations::{ACCOUNT_BLOCK_ACTION, OrgPolicyKind};
use crate::model::value::Tri;

pub const RULE: Rule = Rule {
    doc: rule_doc!("scp_public_access_block_unprotected"),
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let guards: Vec<_> = cx
        .model
        .org_policies
        .iter()
        .filter(|p| p.kind != OrgPolicyKind::Other)
        .collect();
    // Organizations managed elsewhere: nothing to say about them.
    if guards.is_empty() {
        return;
    }
    if Tri::any(guards.iter().map(|p| p.protects_account_block())) != Tri::No {
        return;
    }
    let policies = guards
        .iter()
        .map(|p| p.address.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    for a in &cx.model.account_blocks {
        let mut f = Finding::new(
            "BL107",
            severity("BL107"),
            a.decl,
            format!(
                "the account-level public access block {} is not protected: no service control policy of the organization ({policies}) denies `{ACCOUNT_BLOCK_ACTION}`, and no S3 policy assigns Block Public Access, so an administrator of the account can switch it off",
                a.address
            ),
        )
        .label("any account admin can turn this off")
        .help(format!(
            "add a service control policy statement that denies `{ACCOUNT_BLOCK_ACTION}` on `*` (exempting a break-glass role by condition if needed), or manage Block Public Access with an Organizations S3 policy"
        ))
        .resource(a.address.clone());
        f.scope = Some(a.scope.clone());
        out.push(f);
    }
}
