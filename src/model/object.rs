//! Resources next to buckets that can expose data on their own: objects uploaded
//! with an ACL (`aws_s3_object`) and access points (`aws_s3_access_point`,
//! `AWS::S3::AccessPoint`).

use super::Target;
use super::bucket::{Acl, Attached, BucketPolicy, Origin, PublicAccessBlock};
use crate::source::Span;

/// An object resource (`aws_s3_object`, `aws_s3_bucket_object`, `aws_s3_object_copy`)
/// that sets an ACL.
#[derive(Debug, Clone, PartialEq)]
pub struct S3Object {
    pub target: Target,
    pub scope: String,
    pub address: String,
    pub decl: Span,
    pub call_sites: Vec<Span>,
    pub acl: Attached<Acl>,
    /// The bucket of the model it is uploaded to, once linked.
    pub bucket: Option<usize>,
}

/// An S3 access point: its own public access block and policy.
#[derive(Debug, Clone, PartialEq)]
pub struct AccessPoint {
    pub scope: String,
    pub address: String,
    pub origin: Origin,
    pub decl: Span,
    pub call_sites: Vec<Span>,
    /// Every setting defaults to true (S3 User Guide, "Managing public access to
    /// access points"): an absent block or flag blocks.
    pub block: Option<Attached<PublicAccessBlock>>,
    pub policy: Option<Attached<BucketPolicy>>,
}
