//! BL105: an account-level public access block leaves a setting off.

use super::{Context, Rule};
use crate::finding::Finding;
use crate::model::bucket::{Origin, PabFlag};

pub const RULE: Rule = Rule {
    doc: rule_doc!("account_public_access_block_weak"),
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for a in &cx.model.account_blocks {
        for flag in PabFlag::ALL {
            let value = a.flags.flag(flag);
            if value.get() != Some(&false) {
                continue;
            }
            let name = flag.name(Origin::Terraform);
            let (span, how) = match value.span() {
                Some(s) => (s, "sets it to false"),
                None => (a.decl, "does not set it (default false)"),
            };
            let mut f = Finding::new(
                "BL105",
                super::severity("BL105"),
                span,
                format!(
                    "the account-level public access block {} leaves `{name}` off: it {how}, so no bucket of the account gets this protection from it",
                    a.address
                ),
            )
            .label(format!("`{name}` is off"))
            .related(value.origin(), crate::finding::VALUE_ORIGIN)
            .help(format!("set `{name} = true`"))
            .resource(a.address.clone());
            f.scope = Some(a.scope.clone());
            out.push(f);
        }
    }
}
