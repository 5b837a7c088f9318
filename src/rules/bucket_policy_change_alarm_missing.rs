//! BL303: a trail delivers to CloudWatch Logs but nothing alarms on bucket policy,
//! ACL, CORS, lifecycle or replication changes.

use super::{Context, Rule, severity};
use crate::finding::Finding;
use crate::model::monitoring::MetricFilter;
use crate::model::value::Tri;

pub const RULE: Rule = Rule {
    doc: rule_doc!("bucket_policy_change_alarm_missing"),
    check,
};

/// Is `filter`'s metric watched by an alarm of its deployment? Unknown when its
/// metric, or an alarm's, is not known.
fn alarmed(cx: &Context<'_>, filter: &MetricFilter) -> Tri {
    let Some(metric) = &filter.metric else {
        return Tri::Unknown;
    };
    Tri::any(
        cx.model
            .alarms
            .iter()
            .filter(|a| a.scope == filter.scope)
            .map(|a| match &a.metric {
                Some(m) => Tri::from_bool(m == metric),
                None => Tri::Unknown,
            }),
    )
}

fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let mut trail_scopes = std::collections::HashSet::new();
    for t in &cx.model.trails {
        let Some(logs) = t.cloudwatch_logs else {
            continue;
        };
        trail_scopes.insert(t.scope.as_str());
        let filters: Vec<_> = cx
            .model
            .metric_filters
            .iter()
            .filter(|f| f.scope == t.scope)
            .collect();
        // Some filter catches the changes and an alarm watches it, or may.
        let watched = Tri::any(
            filters
                .iter()
                .map(|f| f.catches_bucket_changes().and(alarmed(cx, f))),
        );
        if watched != Tri::No {
            continue;
        }
        let mut f = Finding::new(
            "BL303",
            severity("BL303"),
            logs,
            format!(
                "trail {} sends events to CloudWatch Logs, but no metric filter with an alarm catches S3 bucket policy, ACL, CORS, lifecycle or replication changes",
                t.address
            ),
        )
        .label("no alarm on bucket configuration changes")
        .help(HELP)
        .resource(t.address.clone());
        for filter in filters
            .iter()
            .filter(|f| f.catches_bucket_changes() == Tri::Yes)
        {
            f = f.related(
                Some(filter.decl),
                "this filter matches the changes but no alarm watches its metric",
            );
        }
        f.scope = Some(t.scope.clone());
        out.push(f);
    }
    // The trail may feed the log group from another stack: a filter that catches
    // the changes is still judged with the alarms of its own deployment.
    for filter in &cx.model.metric_filters {
        if trail_scopes.contains(filter.scope.as_str())
            || filter.catches_bucket_changes() != Tri::Yes
            || alarmed(cx, filter) != Tri::No
        {
            continue;
        }
        let mut f = Finding::new(
            "BL303",
            severity("BL303"),
            filter.decl,
            format!(
                "metric filter {} catches S3 bucket policy, ACL, CORS, lifecycle and replication changes, but no alarm watches its metric",
                filter.address
            ),
        )
        .label("no alarm on this metric")
        .help("add an `aws_cloudwatch_metric_alarm` (CloudFormation `AWS::CloudWatch::Alarm`) on the filter's metric")
        .resource(filter.address.clone());
        f.scope = Some(filter.scope.clone());
        out.push(f);
    }
}

const HELP: &str = "add an `aws_cloudwatch_log_metric_filter` on the trail's log group matching `eventSource = s3.amazonaws.com` and the Put/DeleteBucket{Acl,Policy,Cors,Lifecycle,Replication} events, and an `aws_cloudwatch_metric_alarm` on its metric";
