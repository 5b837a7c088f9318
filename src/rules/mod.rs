//! The rule catalog: one file per rule (the check) and one `rules/<name>.toml` per
//! rule (code, severity, compliance, documentation and examples).

/// A rule's `rules/<name>.toml` as the JSON `build.rs` makes of it: the
/// documentation, and its examples apart.
macro_rules! rule_doc {
    ($name:literal) => {
        (
            include_str!(concat!(env!("OUT_DIR"), "/rules/", $name, ".json")),
            include_str!(concat!(env!("OUT_DIR"), "/rules/", $name, ".examples.json")),
        )
    };
}

mod access_logging_disabled;
mod access_point_block_weak;
mod account_public_access_block_weak;
mod acl_grants_write_acp;
mod acls_enabled;
mod backup_plan_missing;
mod block_public_acls_disabled;
mod block_public_policy_disabled;
mod bucket_key_disabled;
mod bucket_policy_change_alarm_missing;
mod cloudtrail_s3_data_events_missing;
mod conflicting_bucket_policies;
mod cors_allows_any_origin;
mod cross_account_role_without_external_id;
mod default_encryption_missing;
mod encryption_not_kms;
mod force_destroy_enabled;
mod iam_s3_all_buckets;
mod iam_s3_full_access;
mod ignore_public_acls_disabled;
mod invalid_configuration;
mod kms_key_aws_managed;
mod lifecycle_missing;
mod mfa_delete_disabled;
mod noncurrent_versions_kept_forever;
mod object_acl_public;
mod object_lock_disabled;
pub mod parse_error;
mod policy_cross_account_admin;
mod policy_lockout;
mod policy_wildcard_action;
mod public_access_block;
mod public_access_block_missing;
mod public_acl;
mod public_bucket_policy;
mod public_exposure;
mod public_grant_blocked;
mod replication_missing;
mod restrict_public_buckets_disabled;
mod role_assumable_by_anyone;
mod scp_public_access_block_unprotected;
mod sensitive_bucket_broad_access;
mod tls_not_enforced;
mod trust;
mod unresolved_value;
pub mod unused_suppression;
mod versioning_disabled;
mod website_hosting_enabled;

use crate::finding::{Finding, Severity};
use crate::model::Model;
use crate::model::bucket::Bucket;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// Settings that change what rules report (configuration and command line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The bucket tag whose value classifies its data (`DataClassification`).
    pub classification_tag: String,
    /// Tag values marking an intentionally public bucket (compared case-insensitively).
    pub public_values: Vec<String>,
    /// Tag values marking sensitive data.
    pub sensitive_values: Vec<String>,
    /// AWS account IDs of the organisation: principals there are not "another
    /// account" (BL122, BL503).
    pub owned_accounts: Vec<String>,
}

impl std::default::Default for Settings {
    fn default() -> Settings {
        let strings = |v: &[&str]| v.iter().map(|s| (*s).to_string()).collect();
        Settings {
            classification_tag: "DataClassification".into(),
            public_values: strings(&["public"]),
            sensitive_values: strings(&[
                "confidential",
                "restricted",
                "sensitive",
                "pii",
                "phi",
                "pci",
            ]),
            owned_accounts: Vec::new(),
        }
    }
}

/// What a bucket's classification tag says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Classification {
    /// Meant to be public: public-read findings are not reported.
    Public,
    /// Sensitive data: the opt-in protection rules run for it.
    Sensitive,
}

/// Opt-in rules that run for buckets classified sensitive even when not selected.
pub const FOR_SENSITIVE: [&str; 5] = ["BL203", "BL402", "BL403", "BL404", "BL505"];

/// What a rule's check sees.
pub struct Context<'a> {
    pub model: &'a Model,
    pub settings: &'a Settings,
    /// Is the rule with this code running too? Two rules that would report one
    /// cause (no encryption: BL201 and BL202) leave it to one.
    pub running: &'a (dyn Fn(&str) -> bool + Sync),
    /// Set when fixes were asked for (`--fix`, `--diff`, SARIF, the language server).
    pub fixer: Option<&'a crate::edit::Fixer<'a>>,
}

impl Context<'_> {
    /// The fix `make` writes, when fixes were asked for (only then is it called).
    pub fn fix_with(
        &self,
        make: impl FnOnce(&crate::edit::Fixer<'_>) -> Option<crate::finding::Fix>,
    ) -> Option<crate::finding::Fix> {
        self.fixer.and_then(make)
    }

    /// [`Context::fix_with`] for a fix written into the bucket's own declaration:
    /// none for a bucket declared elsewhere.
    pub fn fix_bucket(
        &self,
        b: &Bucket,
        make: impl FnOnce(&crate::edit::Fixer<'_>) -> Option<crate::finding::Fix>,
    ) -> Option<crate::finding::Fix> {
        if b.external {
            return None;
        }
        self.fix_with(make)
    }

    pub fn classification(&self, b: &Bucket) -> Option<Classification> {
        let value = b.tag(&self.settings.classification_tag)?;
        let is = |list: &[String]| list.iter().any(|v| v.eq_ignore_ascii_case(value.trim()));
        if is(&self.settings.public_values) {
            Some(Classification::Public)
        } else if is(&self.settings.sensitive_values) {
            Some(Classification::Sensitive)
        } else {
            None
        }
    }

    /// The bucket is tagged as intentionally public, or may be: the classification
    /// tag is written with a value not known. (A tag map that is unknown as a whole,
    /// such as a module's `var.tags`, is not taken to classify the bucket: the
    /// classification is a deliberate, visible opt-out.)
    pub fn meant_public(&self, b: &Bucket) -> bool {
        let tag = &self.settings.classification_tag;
        let unknown = b.tags.get(tag).is_some_and(|v| v.as_str().is_none());
        unknown || self.classification(b) == Some(Classification::Public)
    }
}

/// A rule: its documentation (TOML) and its check over the model.
pub struct Rule {
    /// The rule's `rules/<name>.toml` as JSON (converted by `build.rs`): its
    /// documentation and its examples.
    pub doc: (&'static str, &'static str),
    pub check: fn(&Context<'_>, &mut Vec<Finding>),
}

/// Every rule, in code order.
const RULES: &[Rule] = &[
    parse_error::RULE,
    unused_suppression::RULE,
    unresolved_value::RULE,
    invalid_configuration::RULE,
    public_access_block_missing::RULE,
    block_public_acls_disabled::RULE,
    ignore_public_acls_disabled::RULE,
    block_public_policy_disabled::RULE,
    restrict_public_buckets_disabled::RULE,
    account_public_access_block_weak::RULE,
    public_grant_blocked::RULE,
    scp_public_access_block_unprotected::RULE,
    public_acl::RULE,
    acl_grants_write_acp::RULE,
    acls_enabled::RULE,
    object_acl_public::RULE,
    access_point_block_weak::RULE,
    public_bucket_policy::RULE,
    policy_wildcard_action::RULE,
    policy_cross_account_admin::RULE,
    policy_lockout::RULE,
    conflicting_bucket_policies::RULE,
    website_hosting_enabled::RULE,
    cors_allows_any_origin::RULE,
    default_encryption_missing::RULE,
    encryption_not_kms::RULE,
    kms_key_aws_managed::RULE,
    bucket_key_disabled::RULE,
    tls_not_enforced::RULE,
    access_logging_disabled::RULE,
    cloudtrail_s3_data_events_missing::RULE,
    bucket_policy_change_alarm_missing::RULE,
    versioning_disabled::RULE,
    mfa_delete_disabled::RULE,
    object_lock_disabled::RULE,
    replication_missing::RULE,
    lifecycle_missing::RULE,
    noncurrent_versions_kept_forever::RULE,
    force_destroy_enabled::RULE,
    backup_plan_missing::RULE,
    iam_s3_full_access::RULE,
    iam_s3_all_buckets::RULE,
    cross_account_role_without_external_id::RULE,
    role_assumable_by_anyone::RULE,
    sensitive_bucket_broad_access::RULE,
];

/// The kind of resource a rule judges.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Deserialize,
    serde::Serialize,
    std::default::Default,
)]
#[serde(rename_all = "kebab-case")]
pub enum AppliesTo {
    #[default]
    Bucket,
    AccountBlock,
    Object,
    AccessPoint,
    Trail,
    IdentityPolicy,
    Role,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Default {
    On,
    OptIn,
}

/// Whether a rule's findings come with a fix (`fix` in its TOML): `sometimes` when
/// only some can be fixed (a value written elsewhere is not, see `fix_detail`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, std::default::Default,
)]
#[serde(rename_all = "lowercase")]
pub enum FixAvailability {
    Always,
    Sometimes,
    #[default]
    Never,
}

impl FixAvailability {
    pub fn as_str(self) -> &'static str {
        match self {
            FixAvailability::Always => "always",
            FixAvailability::Sometimes => "sometimes",
            FixAvailability::Never => "never",
        }
    }
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
    /// Where a framework's mapping comes from, per framework: the framework's own
    /// text or a published mapping (required for `gdpr` and `iso27001`).
    #[serde(default)]
    pub compliance_sources: BTreeMap<String, String>,
    /// What the rule judges, for compliance reports to list what passes: `bucket`
    /// (default), `account-block`, `object`, `access-point`, `trail`,
    /// `identity-policy` or `role`.
    #[serde(default)]
    pub applies_to: AppliesTo,
    /// Front ends (`terraform`, `cloudformation`) that cannot express the bad state,
    /// with the reason: no bad example is required there.
    #[serde(default)]
    pub not_expressible: BTreeMap<String, String>,
    /// Whether its findings come with a fix, and what the fix does.
    #[serde(default)]
    pub fix: FixAvailability,
    #[serde(default)]
    pub fix_detail: Option<String>,
    /// The examples, as JSON: parsed by [`RuleDoc::examples`] when asked for.
    #[serde(skip)]
    examples_json: &'static str,
    #[serde(skip)]
    examples: OnceLock<Vec<Example>>,
}

impl<'de> Deserialize<'de> for Severity {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Severity, D::Error> {
        let s = String::deserialize(d)?;
        Severity::parse(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown severity {s:?}")))
    }
}

impl RuleDoc {
    /// The rule's good and bad examples (`[[example]]` in its TOML).
    pub fn examples(&self) -> &[Example] {
        self.examples.get_or_init(|| {
            serde_json::from_str(self.examples_json).unwrap_or_else(|e| {
                panic!(
                    "built-in examples of {} are invalid: {e}\n{}",
                    self.code, self.examples_json
                )
            })
        })
    }

    /// Where the documentation lives, for SARIF `helpUri` and the text report.
    /// The rule's documentation as of this version's release tag, so that a report
    /// links to the rule it was judged by.
    pub fn help_uri(&self) -> String {
        format!(
            "{}/blob/v{}/rules/{}.toml",
            env!("CARGO_PKG_REPOSITORY"),
            env!("CARGO_PKG_VERSION"),
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

/// The catalog's identity for evidence: the version and a digest (64-bit FNV-1a)
/// of every rule file as built in, so two reports name the same rules only when
/// they were judged by the same rules.
pub fn catalog_digest() -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for r in RULES {
        for b in r.doc.0.bytes().chain(r.doc.1.bytes()) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{}+{h:016x}", env!("CARGO_PKG_VERSION"))
}

/// The parsed catalog (parsed once, on first use).
pub fn catalog() -> &'static [Entry] {
    static CATALOG: OnceLock<Vec<Entry>> = OnceLock::new();
    CATALOG.get_or_init(|| {
        RULES
            .iter()
            .map(|r| Entry {
                doc: RuleDoc {
                    examples_json: r.doc.1,
                    ..serde_json::from_str(r.doc.0).unwrap_or_else(|e| {
                        panic!("built-in rule documentation is invalid: {e}\n{}", r.doc.0)
                    })
                },
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

/// The code of a rule named by code or name, as the catalog holds it (it lives
/// for the program, so findings can carry it).
pub fn code_of(code_or_name: &str) -> Option<&'static str> {
    find(code_or_name).map(|e| e.doc.code.as_str())
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

impl<'a> Context<'a> {
    /// Every statement of every bucket policy that could be read, with its bucket
    /// and policy.
    pub fn policy_statements(
        &self,
    ) -> impl Iterator<
        Item = (
            &'a Bucket,
            &'a crate::model::bucket::Attached<crate::model::bucket::BucketPolicy>,
            &'a crate::model::policy::Statement,
        ),
    > + 'a {
        self.model.buckets.iter().flat_map(|b| {
            b.policies.iter().flat_map(move |p| {
                p.value
                    .document
                    .iter()
                    .flat_map(move |d| d.statements.iter().map(move |st| (&**b, p, st)))
            })
        })
    }

    /// Every default encryption rule of every bucket, with its bucket.
    pub fn encryption_rules(
        &self,
    ) -> impl Iterator<Item = (&'a Bucket, &'a crate::model::bucket::EncryptionRule)> + 'a {
        self.model.buckets.iter().flat_map(|b| {
            b.encryption
                .iter()
                .flat_map(move |e| e.value.rules.iter().map(move |r| (&**b, r)))
        })
    }
}

/// A finding of rule `code` (at its default severity) about bucket `b`.
pub fn bucket_finding(
    code: &'static str,
    b: &Bucket,
    span: crate::source::Span,
    message: String,
) -> Finding {
    Finding::new(code, severity(code), span, message).about(b)
}

/// The fix, in the words of the front end that described the bucket.
pub fn fix<'a>(b: &Bucket, terraform: &'a str, cloudformation: &'a str) -> &'a str {
    match b.origin {
        crate::model::bucket::Origin::Terraform => terraform,
        crate::model::bucket::Origin::CloudFormation => cloudformation,
    }
}

/// The default severity of a rule, from its documentation.
pub fn severity(code: &str) -> Severity {
    find(code).map_or(Severity::High, |e| e.doc.severity)
}

/// Runs the enabled rules over the model, and the classification-driven ones
/// (`FOR_SENSITIVE`) for the buckets tagged sensitive when `by_tag` allows them.
pub fn check(
    model: &Model,
    settings: &Settings,
    enabled: &(dyn Fn(&RuleDoc) -> bool + Sync),
    by_tag: &(dyn Fn(&RuleDoc) -> bool + Sync),
    fixer: Option<&crate::edit::Fixer<'_>>,
) -> Vec<Finding> {
    use rayon::prelude::*;
    let running = |code: &str| find(code).is_some_and(|e| enabled(&e.doc));
    let cx = Context {
        model,
        settings,
        running: &running,
        fixer,
    };
    let sensitive: std::collections::HashSet<(String, &str)> = model
        .buckets
        .iter()
        .filter(|b| cx.classification(b) == Some(Classification::Sensitive))
        .map(|b| (b.key.scope().to_string(), b.address.as_str()))
        .collect();
    // The rules run in parallel, one task each, and their findings stay in code order.
    let per_rule: Vec<Vec<Finding>> = catalog()
        .par_iter()
        .map(|entry| {
            let mut found = Vec::new();
            if enabled(&entry.doc) {
                crate::trace::timed(&entry.doc.code, || (entry.check)(&cx, &mut found));
            } else if FOR_SENSITIVE.contains(&entry.doc.code.as_str())
                && !sensitive.is_empty()
                && by_tag(&entry.doc)
            {
                (entry.check)(&cx, &mut found);
                found.retain(|f| {
                    let key = (
                        f.scope.clone().unwrap_or_default(),
                        f.resource.as_deref().unwrap_or(""),
                    );
                    sensitive.contains(&key)
                });
            }
            found
        })
        .collect();
    per_rule.into_iter().flatten().collect()
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
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{}",
                e.doc.name
            );
            assert!(!e.doc.summary.is_empty() && !e.doc.remediation.is_empty());
            for (framework, controls) in &e.doc.compliance {
                assert!(
                    crate::selection::PROFILES.contains(&framework.as_str()),
                    "{}: unknown framework {framework}",
                    e.doc.code
                );
                // Every control a rule names is one of its framework's catalog,
                // which gives it a title (a typo fails here).
                let catalog = crate::compliance::framework(framework).unwrap();
                for c in controls {
                    let control = catalog.controls.iter().find(|k| &k.id == c);
                    assert!(
                        control.is_some(),
                        "{}: {framework} {c} is not in frameworks/{framework}.toml",
                        e.doc.code
                    );
                    assert!(
                        control.unwrap().not_assessed.is_none(),
                        "{}: {framework} {c} is marked not assessed",
                        e.doc.code
                    );
                }
                if matches!(framework.as_str(), "gdpr" | "iso27001") {
                    assert!(
                        e.doc
                            .compliance_sources
                            .get(framework)
                            .is_some_and(|s| !s.is_empty()),
                        "{}: the {framework} mapping cites no source",
                        e.doc.code
                    );
                }
            }
            for framework in e.doc.compliance_sources.keys() {
                assert!(
                    e.doc.compliance.contains_key(framework),
                    "{}: a source for an unmapped {framework}",
                    e.doc.code
                );
            }
            assert!(find(&e.doc.name).is_some() && find(&e.doc.code.to_lowercase()).is_some());
        }
        // Every profile selects something.
        for profile in crate::selection::PROFILES {
            assert!(
                catalog()
                    .iter()
                    .any(|e| e.doc.compliance.contains_key(profile)),
                "{profile}"
            );
        }
        let sorted: Vec<_> = catalog().iter().map(|e| e.doc.code.clone()).collect();
        let mut again = sorted.clone();
        again.sort();
        assert_eq!(sorted, again, "RULES must be in code order");
    }
}
