//! The classification tag and compliance profiles decide which findings run, per
//! bucket and per framework.

mod common;

use common::{project, root};

/// `CODE resource` of each finding, sorted.
fn codes(dir: &std::path::Path, args: &[&str]) -> Vec<String> {
    let out = common::bucketlint_in(root())
        .arg("check")
        .arg(dir)
        .args(["--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut found: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {}",
                f["code"].as_str().unwrap(),
                f["resource"].as_str().unwrap_or("-")
            )
        })
        .collect();
    found.sort();
    found
}

const BUCKETS: &str = r#"
resource "aws_s3_bucket" "site" {
  bucket = "acme-site"
  acl    = "public-read"
  tags = {
    DataClassification = "Public"
  }
}

resource "aws_s3_bucket" "drop" {
  bucket = "acme-drop"
  acl    = "public-read-write"
  tags = {
    DataClassification = "public"
  }
}

resource "aws_s3_bucket" "patients" {
  bucket = "acme-patients"
  tags = {
    DataClassification = "phi"
    Owner              = "clinical"
  }
  versioning {
    enabled = true
  }
}
"#;

#[test]
fn public_buckets_skip_public_read_findings_but_not_public_write() {
    let dir = project(&[("main.tf", BUCKETS)]);
    let found = codes(dir.path(), &["--select", "BL1"]);
    assert_eq!(
        found,
        [
            // Public write through an ACL is reported even on a public bucket.
            "BL110 aws_s3_bucket.drop",
            // The unclassified-as-public bucket still needs its block.
            "BL100 aws_s3_bucket.patients",
        ]
        .map(String::from)
        .into_iter()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect::<Vec<_>>()
    );
}

#[test]
fn sensitive_buckets_get_the_protection_rules_without_selecting_them() {
    let dir = project(&[("main.tf", BUCKETS)]);
    let found = codes(dir.path(), &["--select", "BL4,BL2"]);
    // BL402-BL404 are opt-in; selected by prefix here they run for every bucket.
    assert!(
        found.contains(&"BL404 aws_s3_bucket.site".to_string()),
        "{found:?}"
    );
    let found = codes(dir.path(), &[]);
    let protection: Vec<&String> = found
        .iter()
        .filter(|f| {
            ["BL203", "BL402", "BL403", "BL404"]
                .iter()
                .any(|c| f.starts_with(c))
        })
        .collect();
    // Default selection: only the PHI bucket gets them (it has no encryption, so
    // no BL203).
    assert_eq!(
        protection,
        [
            "BL402 aws_s3_bucket.patients",
            "BL403 aws_s3_bucket.patients",
            "BL404 aws_s3_bucket.patients",
        ]
    );
    // --ignore wins over the tag.
    let found = codes(dir.path(), &["--ignore", "BL403"]);
    assert!(!found.iter().any(|f| f.starts_with("BL403")), "{found:?}");
    // Another tag key: the buckets are no longer classified.
    let found = codes(dir.path(), &["--classification-tag", "Owner"]);
    assert!(!found.iter().any(|f| f.starts_with("BL402")), "{found:?}");
    assert!(
        found.contains(&"BL110 aws_s3_bucket.site".to_string()),
        "{found:?}"
    );
}

#[test]
fn a_profile_runs_the_rules_mapped_to_its_framework() {
    let dir = project(&[("main.tf", BUCKETS)]);
    let cis = codes(dir.path(), &["--profile", "cis"]);
    // CIS maps BL100-BL104 (2.1.4), BL210 (2.1.1), BL301 (3.4), BL402 (2.1.2)...
    assert!(cis.iter().any(|f| f.starts_with("BL210")), "{cis:?}");
    assert!(
        cis.iter()
            .any(|f| f.starts_with("BL402 aws_s3_bucket.patients"))
    );
    // ...but not BL201 or BL401.
    assert!(
        !cis.iter()
            .any(|f| f.starts_with("BL201") || f.starts_with("BL401")),
        "{cis:?}"
    );
    let out = common::bucketlint_in(root())
        .args(["check", ".", "--profile", "iso"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown profile"));
}
