//! CloudTrail trails, as far as they record S3 data events.

use super::policy::{BucketIdent, NameResolver, resource_matches};
use super::value::{Text, Tri};
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
                let mut pattern = super::policy::resolve_names(p, names);
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
