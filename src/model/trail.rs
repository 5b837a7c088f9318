//! CloudTrail trails, as far as they record S3 data events.

use super::policy::{BucketIdent, NameResolver, resource_matches};
use super::value::{Node, Text, Tri};
use crate::source::Span;

/// One selector that records S3 object-level events.
#[derive(Debug, Clone, PartialEq)]
pub struct S3DataEvents {
    pub read: Tri,
    pub write: Tri,
    /// ARN prefixes (`arn:aws:s3:::bucket/`); empty with `all` for every bucket.
    pub prefixes: Vec<Text>,
    pub all_buckets: bool,
    /// Some part of the selector could not be determined.
    pub unknown: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Trail {
    /// The deployment unit it belongs to: a trail records its own account.
    pub scope: String,
    pub address: String,
    pub decl: Span,
    pub s3_data_events: Vec<S3DataEvents>,
    /// Some selector could not be read (dynamic blocks, unknown values).
    pub selectors_unknown: bool,
    /// The CloudWatch Logs log group it delivers to (`cloud_watch_logs_group_arn`,
    /// `CloudWatchLogsLogGroupArn`), with where it is written.
    pub cloudwatch_logs: Option<Span>,
}

impl S3DataEvents {
    /// Does this selector record both reads and writes of objects in `bucket`?
    pub fn covers(&self, bucket: &BucketIdent, names: NameResolver<'_>) -> Tri {
        let both = self.read.and(self.write);
        let target = if self.all_buckets {
            Tri::Yes
        } else {
            let objects = bucket.objects_arn();
            Tri::any(self.prefixes.iter().map(|p| {
                let mut pattern = super::policy::resolve_names(p, names).into_owned();
                pattern.push_str("*");
                resource_matches(&pattern, &objects)
            }))
        };
        let target = if self.unknown {
            target.or(Tri::Unknown)
        } else {
            target
        };
        both.and(target)
    }
}

impl Trail {
    pub fn covers(&self, bucket: &BucketIdent, names: NameResolver<'_>) -> Tri {
        let any = Tri::any(self.s3_data_events.iter().map(|s| s.covers(bucket, names)));
        if self.selectors_unknown {
            any.or(Tri::Unknown)
        } else {
            any
        }
    }
}

/// `arn:aws:s3` (and `arn:aws:s3:::`) selects every bucket.
fn is_all_s3(v: &str) -> bool {
    let v = v.trim_end_matches(':');
    v.starts_with("arn:") && v.ends_with(":s3") && v.matches(':').count() == 2
}

/// A basic event selector's S3 object data resource: `values` are ARN prefixes.
pub fn data_events(read: Tri, write: Tri, values: &Node) -> S3DataEvents {
    let mut events = S3DataEvents {
        read,
        write,
        prefixes: Vec::new(),
        all_buckets: false,
        unknown: values.is_unknown(),
    };
    for v in values.items() {
        match v.as_text() {
            Some(t) if t.as_lit().is_some_and(is_all_s3) => events.all_buckets = true,
            Some(t) if !t.has_unknown_hole() => events.prefixes.push(t.clone()),
            _ => events.unknown = true,
        }
    }
    events
}

/// Reads and writes of a basic selector's `ReadWriteType` (default `All`).
pub fn read_write(kind: Option<&str>, known: bool) -> (Tri, Tri) {
    match kind {
        None if known => (Tri::Yes, Tri::Yes),
        Some("All") => (Tri::Yes, Tri::Yes),
        Some("ReadOnly") => (Tri::Yes, Tri::No),
        Some("WriteOnly") => (Tri::No, Tri::Yes),
        _ => (Tri::Unknown, Tri::Unknown),
    }
}

/// One field selector of an advanced event selector.
pub struct FieldSelector {
    pub field: Option<String>,
    pub equals: Option<Node>,
    pub starts_with: Option<Node>,
}

/// An advanced event selector, if it selects S3 object data events.
pub fn advanced_selector(fields: &[FieldSelector]) -> Option<S3DataEvents> {
    let mut events = S3DataEvents {
        read: Tri::Yes,
        write: Tri::Yes,
        prefixes: Vec::new(),
        all_buckets: true,
        unknown: false,
    };
    let mut is_s3 = Tri::No;
    for fs in fields {
        match fs.field.as_deref() {
            Some("resources.type") => {
                is_s3 = fs.equals.as_ref().map_or(Tri::Unknown, |n| {
                    Tri::any(n.items().iter().map(|v| {
                        v.as_str()
                            .map_or(Tri::Unknown, |s| Tri::from_bool(s == "AWS::S3::Object"))
                    }))
                });
            }
            Some("readOnly") => match fs
                .equals
                .as_ref()
                .and_then(|n| n.items().first())
                .and_then(Node::as_str)
            {
                Some("true") => events.write = Tri::No,
                Some("false") => events.read = Tri::No,
                _ => events.unknown = true,
            },
            Some("resources.ARN") => {
                let values = fs
                    .starts_with
                    .clone()
                    .or_else(|| fs.equals.clone())
                    .unwrap_or_else(|| Node::unknown(None));
                let arns = data_events(Tri::Yes, Tri::Yes, &values);
                events.all_buckets = arns.all_buckets;
                events.prefixes = arns.prefixes;
                events.unknown |= arns.unknown;
            }
            // A field not known may be any of the above.
            None => {
                events.unknown = true;
                is_s3 = is_s3.or(Tri::Unknown);
            }
            // eventCategory, eventName, eventSource... narrow nothing we check.
            Some(_) => {}
        }
    }
    match is_s3 {
        Tri::No => None,
        Tri::Yes => Some(events),
        Tri::Unknown => {
            events.unknown = true;
            Some(events)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_all_s3;

    #[test]
    fn all_s3_selector_values() {
        assert!(is_all_s3("arn:aws:s3"));
        assert!(is_all_s3("arn:aws:s3:::"));
        assert!(is_all_s3("arn:aws-us-gov:s3"));
        assert!(!is_all_s3("arn:aws:s3:::bucket/"));
    }
}
