//! BL406: versioning is enabled and no lifecycle rule expires noncurrent versions.

use super::{Context, Rule, bucket_finding, fix};
use crate::finding::Finding;
use crate::model::bucket::{PartKind, VersioningStatus};
use crate::model::value::Tri;

pub const RULE: Rule = Rule {
    doc: rule_doc!("noncurrent_versions_kept_forever"),
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for b in &cx.model.buckets {
        let Some(v) = &b.versioning else {
            continue;
        };
        if v.value.status.get() != Some(&VersioningStatus::Enabled) {
            continue;
        }
        let handled = match &b.lifecycle {
            None => b.presence(PartKind::Lifecycle),
            Some(l) if l.value.unknown => Tri::Unknown,
            Some(l) => Tri::any(l.value.rules.iter().filter(|r| r.noncurrent).map(|r| {
                match r.status.enabled.get() {
                    Some(true) => Tri::Yes,
                    Some(false) => Tri::No,
                    None => Tri::Unknown,
                }
            })),
        };
        if handled != Tri::No {
            continue;
        }
        out.push(
            bucket_finding(
                "BL406",
                b,
                b.lifecycle.as_ref().map_or(b.decl, |l| l.span),
                format!(
                    "{} is versioned but no enabled lifecycle rule expires or transitions noncurrent versions: every overwrite and delete is kept, and paid for, forever",
                    b.subject()
                ),
            )
            .label("noncurrent versions kept forever")
            .related(v.value.status.span(), "versioning is enabled here")
            .help(fix(
                b,
                "add a lifecycle `rule` with `noncurrent_version_expiration { noncurrent_days = N }` (or a `noncurrent_version_transition`)",
                "add a lifecycle rule with `NoncurrentVersionExpiration: { NoncurrentDays: N }` (or a `NoncurrentVersionTransitions` entry)",
            )),
        );
    }
}
