//! BL403: Object Lock is not enabled.

use super::{Context, Rule, bucket_finding, fix};
use crate::finding::Finding;
use crate::model::bucket::PartKind;
use crate::model::value::Tri;

pub const RULE: Rule = Rule {
    doc: rule_doc!("object_lock_disabled"),
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for b in &cx.model.buckets {
        let at_creation = &b.object_lock_enabled;
        let configured = b.object_lock.as_ref().map(|l| &l.value.enabled);
        let configured = configured.map(|c| c.get());
        if at_creation.get() == Some(&true) || configured == Some(Some(&true)) {
            continue;
        }
        // Unknown either way, or a separate resource we could not place: not certain.
        if at_creation.get().is_none()
            || configured == Some(None)
            || b.presence(PartKind::ObjectLock) == Tri::Unknown
        {
            continue;
        }
        let span = at_creation
            .span()
            .or_else(|| {
                b.object_lock
                    .as_ref()
                    .map(|l| l.value.enabled.span().unwrap_or(l.span))
            })
            .unwrap_or(b.decl);
        out.push(
            bucket_finding(
                "BL403",
                b,
                span,
                format!(
                    "{} does not enable Object Lock: nothing stops an object version from being deleted or overwritten before its retention ends",
                    b.subject()
                ),
            )
            .label("Object Lock not enabled")
            .related(at_creation.origin(), crate::finding::VALUE_ORIGIN)
            .help(fix(
                b,
                "set `object_lock_enabled = true` on the bucket (at creation) and add an `aws_s3_bucket_object_lock_configuration` with a default retention",
                "set `ObjectLockEnabled: true` and an `ObjectLockConfiguration` with a default retention (Object Lock is set when the bucket is created)",
            )),
        );
    }
}
