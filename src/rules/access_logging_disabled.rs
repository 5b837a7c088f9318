//! BL301: no server access logging and no trail recording S3 data events for the
//! bucket.

use super::{About, Context, Rule, severity};
use crate::finding::Finding;
use crate::model::bucket::{Origin, PartKind};
use crate::model::value::Tri;

pub const RULE: Rule = Rule {
    doc: rule_doc!("access_logging_disabled"),
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let names = |k: &_| cx.model.name_of(k);
    for b in &cx.model.buckets {
        if b.may_receive_access_logs() || b.presence(PartKind::Logging) != Tri::No {
            continue;
        }
        let covered = cx.model.about_bucket(b, |i| {
            Tri::any(cx.model.trails_for(b).map(|t| t.covers(i, &names)))
        });
        if covered != Tri::No {
            continue;
        }
        let help = match b.origin {
            Origin::Terraform => {
                "add an `aws_s3_bucket_logging` that delivers to a dedicated log bucket, or a CloudTrail trail recording S3 data events for this bucket"
            }
            Origin::CloudFormation => {
                "set `LoggingConfiguration` with a `DestinationBucketName` (a dedicated log bucket), or add a CloudTrail trail recording S3 data events for this bucket"
            }
        };
        let mut f = Finding::new(
            "BL301",
            severity("BL301"),
            b.decl,
            format!(
                "{} has no server access logging and no trail records its S3 data events: requests to it leave no trace",
                b.subject()
            ),
        )
        .label("no access logging")
        .help(help)
        .about(b);
        for t in cx.model.trails_for(b) {
            f = f.related(
                Some(t.decl),
                "this trail does not record S3 data events for the bucket",
            );
        }
        out.push(f);
    }
}
