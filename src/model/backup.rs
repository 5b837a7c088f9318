//! AWS Backup selections: which buckets a backup plan covers.

use super::policy::resource_matches;
use super::value::{Text, Tri};
use crate::source::Span;

#[derive(Debug, Clone, PartialEq)]
pub struct BackupSelection {
    pub scope: String,
    pub address: String,
    pub decl: Span,
    /// Resource ARN patterns (`arn:aws:s3:::bucket`, `*`).
    pub resources: Vec<Text>,
    /// Tag conditions `(key, value)` of `STRINGEQUALS` selections.
    pub tags: Vec<(String, String)>,
    /// Something could not be read (unknown values, conditions we do not evaluate).
    pub unknown: bool,
}

impl BackupSelection {
    /// Does the selection include the bucket with ARN `arn`? `has_tag(k, v)` says
    /// whether the bucket carries tag `k` = `v`.
    pub fn covers(&self, arn: &Text, has_tag: &dyn Fn(&str, &str) -> Tri) -> Tri {
        let by_resource = Tri::any(self.resources.iter().map(|r| {
            if r.as_lit() == Some("*") {
                Tri::Yes
            } else {
                resource_matches(r, arn)
            }
        }));
        let by_tag = Tri::any(self.tags.iter().map(|(k, v)| has_tag(k, v)));
        let any = by_resource.or(by_tag);
        if self.unknown {
            any.or(Tri::Unknown)
        } else {
            any
        }
    }
}
