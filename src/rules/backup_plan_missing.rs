//! BL408: no AWS Backup selection of the deployment covers the bucket.

use super::{Context, Rule, bucket_finding, fix};
use crate::finding::Finding;
use crate::model::value::Tri;

pub const RULE: Rule = Rule {
    doc: rule_doc!("backup_plan_missing"),
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    // A bucket declared elsewhere may be backed up where it is declared.
    for b in cx.model.buckets.iter().filter(|b| !b.external) {
        let tag = |k: &str, v: &str| {
            if b.tags.is_unknown() {
                return Tri::Unknown;
            }
            match b.tags.get(k) {
                None => Tri::No,
                Some(n) => n.as_str().map_or(Tri::Unknown, |s| Tri::from_bool(s == v)),
            }
        };
        let covered = cx.model.about_bucket(b, |i| {
            let arn = i.arn();
            Tri::any(
                cx.model
                    .backups
                    .iter()
                    .filter(|s| s.scope == b.key.scope())
                    .map(|s| s.covers(&arn, &tag)),
            )
        });
        if covered != Tri::No {
            continue;
        }
        out.push(
            bucket_finding(
                "BL408",
                b,
                b.decl,
                format!(
                    "no AWS Backup selection of this deployment covers bucket {}: there is no point-in-time copy to restore from",
                    b.label()
                ),
            )
            .label("not backed up")
            .help(fix(
                b,
                "add the bucket's ARN (or a tag it carries) to an `aws_backup_selection` of a backup plan; AWS Backup for S3 needs versioning enabled",
                "add the bucket's ARN (or a tag it carries) to an `AWS::Backup::BackupSelection` of a backup plan; AWS Backup for S3 needs versioning enabled",
            )),
        );
    }
}
