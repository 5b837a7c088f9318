//! BL302: the deployment's trails record no S3 object-level reads and writes for
//! all buckets.

use super::{Context, Rule, severity};
use crate::finding::Finding;
use crate::model::trail::Trail;
use crate::model::value::Tri;
use std::collections::BTreeMap;

pub const RULE: Rule = Rule {
    doc: rule_doc!("cloudtrail_s3_data_events_missing"),
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let mut by_scope: BTreeMap<&str, Vec<&Trail>> = BTreeMap::new();
    for t in &cx.model.trails {
        by_scope.entry(&t.scope).or_default().push(t);
    }
    for (scope, trails) in by_scope {
        if trails.iter().any(|t| t.selectors_unknown) {
            continue;
        }
        let records = |side: fn(&crate::model::trail::S3DataEvents) -> Tri| {
            Tri::any(trails.iter().flat_map(|t| {
                t.s3_data_events.iter().map(move |s| {
                    let all = if s.unknown {
                        Tri::Unknown
                    } else {
                        Tri::from_bool(s.all_buckets)
                    };
                    all.and(side(s))
                })
            }))
        };
        let (read, write) = (records(|s| s.read), records(|s| s.write));
        // A side that may be recorded is not reported missing.
        let missing = match (read, write) {
            (Tri::No, Tri::No) => "read and write",
            (Tri::No, _) => "read",
            (_, Tri::No) => "write",
            _ => continue,
        };
        let first = trails[0];
        let mut f = Finding::new(
            "BL302",
            severity("BL302"),
            first.decl,
            format!(
                "no trail of this deployment records S3 object-level {missing} events for all buckets: who read, wrote or deleted which object cannot be traced"
            ),
        )
        .label(format!("no S3 {missing} data events"))
        .help("add an event selector with `data_resource { type = \"AWS::S3::Object\" values = [\"arn:aws:s3\"] }` and `read_write_type = \"All\"` (or an advanced selector on `AWS::S3::Object` data events)")
        .resource(first.address.clone());
        for t in &trails[1..] {
            f = f.related(Some(t.decl), "neither does this trail");
        }
        f.scope = Some(scope.to_string());
        out.push(f);
    }
}
