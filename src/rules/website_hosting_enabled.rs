//! BL130: static website hosting is configured.

use super::{Context, Rule, bucket_finding, fix};
use crate::finding::Finding;
use crate::model::bucket::PartKind;

pub const RULE: Rule = Rule {
    doc: rule_doc!("website_hosting_enabled"),
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for b in &cx.model.buckets {
        // Classified public: a website is the point.
        if cx.meant_public(b) {
            continue;
        }
        let Some((_, website)) = b.others.iter().find(|(k, _)| *k == PartKind::Website) else {
            continue;
        };
        out.push(
            bucket_finding(
                "BL130",
                b,
                website.span,
                format!(
                    "{} is configured as a static website: website endpoints serve HTTP only and need the bucket to be public",
                    b.subject()
                ),
            )
            .label("website hosting configured here")
            .help(fix(
                b,
                "remove the website configuration and serve the content through CloudFront with origin access control, or tag the bucket as public if it is meant to be",
                "remove `WebsiteConfiguration` and serve the content through CloudFront with origin access control, or tag the bucket as public if it is meant to be",
            )),
        );
    }
}
