//! Configuration that Terraform, the AWS provider, CloudFormation or S3 would reject
//! (BL004): a value outside its allowed set, a missing required argument, a reference
//! to something not declared. Such a value is said, never read as a guess: it
//! becomes unknown, and everything else is judged normally.

use super::bucket::Bucket;
use super::value::Value;
use crate::source::Span;

/// One piece of invalid configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Invalid {
    pub span: Span,
    pub message: String,
    /// The resource it belongs to, and its deployment.
    pub address: String,
    pub scope: String,
}

/// Canned ACLs S3 accepts (S3 User Guide, "Canned ACL"; CloudFormation's
/// `AccessControl` values map onto them).
const CANNED_ACLS: &[&str] = &[
    "private",
    "public-read",
    "public-read-write",
    "aws-exec-read",
    "authenticated-read",
    "bucket-owner-read",
    "bucket-owner-full-control",
    "log-delivery-write",
];

/// Default encryption algorithms (`ServerSideEncryptionByDefault.SSEAlgorithm`).
const SSE_ALGORITHMS: &[&str] = &["AES256", "aws:kms", "aws:kms:dsse"];

/// Object ownership settings (`OwnershipControls.Rules[].ObjectOwnership`).
const OWNERSHIP: &[&str] = &[
    "BucketOwnerEnforced",
    "BucketOwnerPreferred",
    "ObjectWriter",
];

/// Checks a known string against its allowed set; an invalid one is recorded and
/// made unknown.
fn check(
    v: &mut Value<String>,
    allowed: &[&str],
    what: &str,
    (address, scope): (&str, &str),
    out: &mut Vec<Invalid>,
) {
    let Some(s) = v.get() else { return };
    if allowed.contains(&s.as_str()) {
        return;
    }
    let Some(span) = v.span() else { return };
    let near = allowed
        .iter()
        .find(|a| a.eq_ignore_ascii_case(s))
        .map_or_else(String::new, |a| format!(" (did you mean `{a}`?)"));
    out.push(Invalid {
        span,
        message: format!(
            "`{s}` is not a valid {what}{near}: the apply fails; expected one of {}",
            allowed
                .iter()
                .map(|a| format!("`{a}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        address: address.to_string(),
        scope: scope.to_string(),
    });
    *v = Value::unknown(span);
}

/// Validates the enumerated settings of every bucket.
pub fn buckets(buckets: &mut [Box<Bucket>]) -> Vec<Invalid> {
    let mut out = Vec::new();
    for b in buckets.iter_mut() {
        let (address, scope) = (b.address.clone(), b.key.scope().to_string());
        let owner = (address.as_str(), scope.as_str());
        out.extend(b.invalid.drain(..).map(|(span, message)| Invalid {
            span,
            message,
            address: address.clone(),
            scope: scope.clone(),
        }));
        if let Some(acl) = &mut b.acl
            && let Some(canned) = &mut acl.value.canned
        {
            check(canned, CANNED_ACLS, "canned ACL", owner, &mut out);
        }
        if let Some(enc) = &mut b.encryption {
            for rule in &mut enc.value.rules {
                check(
                    &mut rule.algorithm,
                    SSE_ALGORITHMS,
                    "server-side encryption algorithm",
                    owner,
                    &mut out,
                );
            }
        }
        if let Some(o) = &mut b.ownership {
            check(
                &mut o.value.rule,
                OWNERSHIP,
                "object ownership",
                owner,
                &mut out,
            );
        }
    }
    out
}
