//! CloudWatch Logs metric filters and alarms: what turns trail events into alerts.

use super::value::{Text, Value};
use crate::source::Span;

#[derive(Debug, Clone, PartialEq)]
pub struct MetricFilter {
    /// The deployment it belongs to.
    pub scope: String,
    pub address: String,
    pub decl: Span,
    pub pattern: Value<Text>,
    /// The metric it publishes: (namespace, name), when known.
    pub metric: Option<(String, String)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Alarm {
    pub scope: String,
    /// (namespace, name) of the metric it watches, when known.
    pub metric: Option<(String, String)>,
}

/// The API calls CIS 4.8 asks a metric filter to catch: changes to a bucket's ACL,
/// policy, CORS, lifecycle and replication.
pub const BUCKET_CHANGE_EVENTS: [&str; 9] = [
    "PutBucketAcl",
    "PutBucketPolicy",
    "PutBucketCors",
    "PutBucketLifecycle",
    "PutBucketReplication",
    "DeleteBucketPolicy",
    "DeleteBucketCors",
    "DeleteBucketLifecycle",
    "DeleteBucketReplication",
];

impl MetricFilter {
    /// Does the pattern select S3 bucket configuration changes? `None` when the
    /// pattern is unknown. A pattern naming the event source and every change event
    /// counts; this is how the CIS benchmark writes it.
    pub fn catches_bucket_changes(&self) -> Option<bool> {
        let pattern = self.pattern.get()?.as_lit()?;
        let p = pattern.to_ascii_lowercase();
        Some(
            p.contains("s3.amazonaws.com")
                && BUCKET_CHANGE_EVENTS
                    .iter()
                    .all(|e| p.contains(&e.to_ascii_lowercase())),
        )
    }
}
