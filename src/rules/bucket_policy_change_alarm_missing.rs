//! BL303: a trail delivers to CloudWatch Logs but nothing alarms on bucket policy,
//! ACL, CORS, lifecycle or replication changes.

use super::{Context, Rule, severity};
use crate::finding::Finding;

pub const RULE: Rule = Rule {
    toml: include_str!("../../rules/bucket_policy_change_alarm_missing.toml"),
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for t in &cx.model.trails {
        let Some(logs) = t.cloudwatch_logs else {
            continue;
        };
        let filters: Vec<_> = cx
            .model
            .metric_filters
            .iter()
            .filter(|f| f.scope == t.scope)
            .collect();
        // A pattern we cannot read may be the one that catches the changes.
        if filters.iter().any(|f| f.catches_bucket_changes().is_none()) {
            continue;
        }
        let alarmed = filters.iter().any(|f| {
            f.catches_bucket_changes() == Some(true)
                && f.metric.as_ref().is_some_and(|m| {
                    cx.model
                        .alarms
                        .iter()
                        .any(|a| a.scope == t.scope && a.metric.as_ref() == Some(m))
                })
        });
        if alarmed {
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
        .help("add an `aws_cloudwatch_log_metric_filter` on the trail's log group matching `eventSource = s3.amazonaws.com` and the Put/DeleteBucket{Acl,Policy,Cors,Lifecycle,Replication} events, and an `aws_cloudwatch_metric_alarm` on its metric")
        .resource(t.address.clone());
        for filter in filters
            .iter()
            .filter(|f| f.catches_bucket_changes() == Some(true))
        {
            f = f.related(
                Some(filter.decl),
                "this filter matches the changes but no alarm watches its metric",
            );
        }
        f.scope = Some(t.scope.clone());
        out.push(f);
    }
}
