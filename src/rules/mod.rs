//! The rule catalog: one file per rule (the check) and one `rules/<name>.toml` per
//! rule (code, severity, compliance, documentation and examples).

mod access_logging_disabled;
mod block_public_acls_disabled;
mod block_public_policy_disabled;
mod default_encryption_missing;
mod ignore_public_acls_disabled;
pub mod parse_error;
mod public_access_block;
mod public_access_block_missing;
mod public_acl;
mod public_bucket_policy;
mod restrict_public_buckets_disabled;
mod tls_not_enforced;
mod unresolved_value;
mod versioning_disabled;

use crate::finding::{Finding, Severity};
use crate::model::Model;
use crate::model::bucket::Bucket;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// What a rule's check sees.
pub struct Context<'a> {
    pub model: &'a Model,
}

/// A rule: its documentation (TOML) and its check over the model.
pub struct Rule {
    pub toml: &'static str,
    pub check: fn(&Context<'_>, &mut Vec<Finding>),
}

/// Every rule, in code order.
const RULES: &[Rule] = &[
    parse_error::RULE,
    unresolved_value::RULE,
    public_access_block_missing::RULE,
    block_public_acls_disabled::RULE,
    ignore_public_acls_disabled::RULE,
    block_public_policy_disabled::RULE,
    restrict_public_buckets_disabled::RULE,
    public_acl::RULE,
    public_bucket_policy::RULE,
    default_encryption_missing::RULE,
    tls_not_enforced::RULE,
    access_logging_disabled::RULE,
    versioning_disabled::RULE,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Default {
    On,
    OptIn,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExampleKind {
    Good,
    Bad,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExampleFormat {
    Terraform,
    #[serde(rename = "terraform-json")]
    TerraformJson,
    #[serde(rename = "cloudformation-yaml")]
    CloudFormationYaml,
    #[serde(rename = "cloudformation-json")]
    CloudFormationJson,
}

/// An expected finding of a bad example: code and 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    pub code: String,
    pub line: u32,
    pub column: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    pub kind: ExampleKind,
    pub format: ExampleFormat,
    pub title: String,
    pub source: String,
    #[serde(default)]
    pub expect: Vec<Expect>,
}

/// A rule's documentation, parsed from its TOML file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDoc {
    pub code: String,
    pub name: String,
    pub severity: Severity,
    /// When findings of this rule can be more severe than the default (BL110 is
    /// critical for public write).
    #[serde(default)]
    pub max_severity: Option<Severity>,
    pub default: Default,
    pub summary: String,
    pub explanation: String,
    pub remediation: String,
    #[serde(default)]
    pub compliance: BTreeMap<String, Vec<String>>,
    #[serde(default, rename = "example")]
    pub examples: Vec<Example>,
}

impl<'de> Deserialize<'de> for Severity {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Severity, D::Error> {
        let s = String::deserialize(d)?;
        Severity::parse(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown severity {s:?}")))
    }
}

impl RuleDoc {
    /// Where the documentation lives, for SARIF `helpUri` and the text report.
    pub fn help_uri(&self) -> String {
        format!(
            "{}/blob/main/rules/{}.toml",
            env!("CARGO_PKG_REPOSITORY"),
            self.name.replace('-', "_")
        )
    }

    pub fn is_default(&self) -> bool {
        self.default == Default::On
    }
}

/// One entry of the catalog.
pub struct Entry {
    pub doc: RuleDoc,
    pub check: fn(&Context<'_>, &mut Vec<Finding>),
}

/// The parsed catalog (parsed once, on first use).
pub fn catalog() -> &'static [Entry] {
    static CATALOG: OnceLock<Vec<Entry>> = OnceLock::new();
    CATALOG.get_or_init(|| {
        RULES
            .iter()
            .map(|r| Entry {
                doc: toml::from_str(r.toml).unwrap_or_else(|e| {
                    panic!("built-in rule documentation is invalid: {e}\n{}", r.toml)
                }),
                check: r.check,
            })
            .collect()
    })
}

/// Looks a rule up by code (`BL110`) or name (`public-acl`), case-insensitively.
pub fn find(code_or_name: &str) -> Option<&'static Entry> {
    catalog().iter().find(|e| {
        e.doc.code.eq_ignore_ascii_case(code_or_name)
            || e.doc.name.eq_ignore_ascii_case(code_or_name)
    })
}

/// Findings about a bucket.
pub trait About {
    /// Names the bucket's resource (address, deployment) and adds the module blocks
    /// that created it as related locations.
    #[must_use]
    fn about(self, b: &Bucket) -> Finding;
}

impl About for Finding {
    fn about(self, b: &Bucket) -> Finding {
        let mut f = self.resource(b.address.clone());
        f.scope = Some(b.key.scope().to_string());
        for (i, site) in b.call_sites.iter().enumerate() {
            let what = if i + 1 == b.call_sites.len() {
                "the module instance is created here"
            } else {
                "through this module call"
            };
            f = f.related(Some(*site), what);
        }
        f
    }
}

/// The default severity of a rule, from its documentation.
pub fn severity(code: &str) -> Severity {
    find(code).map_or(Severity::High, |e| e.doc.severity)
}

/// Runs the given rules over the model.
pub fn check(model: &Model, enabled: &dyn Fn(&RuleDoc) -> bool) -> Vec<Finding> {
    let cx = Context { model };
    let mut out = Vec::new();
    for entry in catalog() {
        if enabled(&entry.doc) {
            (entry.check)(&cx, &mut out);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_is_consistent() {
        let mut codes = std::collections::HashSet::new();
        for e in catalog() {
            assert!(codes.insert(e.doc.code.clone()), "duplicate {}", e.doc.code);
            assert!(
                e.doc.code.starts_with("BL") && e.doc.code.len() == 5,
                "{}",
                e.doc.code
            );
            assert!(
                e.doc
                    .name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '-'),
                "{}",
                e.doc.name
            );
            assert!(!e.doc.summary.is_empty() && !e.doc.remediation.is_empty());
            assert!(find(&e.doc.name).is_some() && find(&e.doc.code.to_lowercase()).is_some());
        }
        let sorted: Vec<_> = catalog().iter().map(|e| e.doc.code.clone()).collect();
        let mut again = sorted.clone();
        again.sort();
        assert_eq!(sorted, again, "RULES must be in code order");
    }
}
