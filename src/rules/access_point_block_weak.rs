//! BL115: an S3 access point that turns off a public access block setting, or whose
//! policy is public.

use super::public_exposure::actions;
use super::{Context, Rule, severity};
use crate::finding::Finding;
use crate::model::bucket::{Origin, PabFlag};
use crate::model::object::AccessPoint;
use crate::model::policy::statement_is_public;
use crate::model::value::Tri;

pub const RULE: Rule = Rule {
    doc: rule_doc!("access_point_block_weak"),
    check,
};

fn finding(ap: &AccessPoint, span: crate::source::Span, message: String) -> Finding {
    let mut f =
        Finding::new("BL115", severity("BL115"), span, message).resource(ap.address.clone());
    f.scope = Some(ap.scope.clone());
    for site in &ap.call_sites {
        f = f.related(Some(*site), "through this module call");
    }
    f
}

fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for ap in &cx.model.access_points {
        let mut restricts = Tri::Yes;
        if let Some(block) = &ap.block {
            for flag in PabFlag::ALL {
                let v = block.value.flag(flag);
                if flag == PabFlag::RestrictPublicBuckets {
                    restricts = v.test(|x| *x);
                }
                if v.get() != Some(&false) {
                    continue;
                }
                let name = flag.name(ap.origin);
                let fix = match ap.origin {
                    Origin::Terraform => {
                        format!("remove `{name} = false` (access point settings default to true)")
                    }
                    Origin::CloudFormation => {
                        format!("remove `{name}: false` (access point settings default to true)")
                    }
                };
                out.push(
                    finding(
                        ap,
                        v.span().unwrap_or(block.span),
                        format!(
                            "access point {} sets `{name}` to false: requests through it escape that protection of the bucket's data",
                            ap.address
                        ),
                    )
                    .label("set to false here")
                    .related(v.origin(), crate::finding::VALUE_ORIGIN)
                    .help(fix),
                );
            }
        }
        // A public policy is only in force when the access point does not
        // restrict public access.
        let Some(policy) = &ap.policy else { continue };
        if restricts != Tri::No {
            continue;
        }
        for st in policy.value.document.iter().flat_map(|d| &d.statements) {
            if statement_is_public(st) != Tri::Yes {
                continue;
            }
            out.push(
                finding(
                    ap,
                    st.span.unwrap_or(policy.span),
                    format!(
                        "the policy of access point {} allows anyone to {}",
                        ap.address,
                        actions(st)
                    ),
                )
                .label("public statement")
                .help("name the principals that need access, or pin the statement with a condition on fixed values"),
            );
        }
    }
}
