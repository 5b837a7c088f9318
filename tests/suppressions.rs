//! Inline suppressions: comments on the line, above the line, above a resource or
//! module block, CloudFormation metadata (JSON and YAML), expiry and wrong codes.

mod common;

use common::project;
use serde_json::Value;
use std::path::Path;

/// (code, line) of a reported finding.
type Reported = Vec<(String, u64)>;
/// (code, line, justification) of a suppressed finding.
type Suppressed = Vec<(String, u64, String)>;

/// Scans `dir` with every rule: reported and suppressed findings, and the JSON
/// summary.
fn scan(dir: &Path) -> (Reported, Suppressed, Value) {
    let out = common::bucketlint_in(dir)
        .args(["check", ".", "--format", "json", "--select", "ALL"])
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut reported = Vec::new();
    let mut suppressed = Vec::new();
    for f in json["findings"].as_array().unwrap() {
        let code = f["code"].as_str().unwrap().to_string();
        let line = f["start"]["line"].as_u64().unwrap();
        if f["suppressed"].is_null() {
            reported.push((code, line));
        } else {
            let why = f["suppressed"]["justification"]
                .as_str()
                .unwrap()
                .to_string();
            suppressed.push((code, line, why));
        }
    }
    reported.sort();
    suppressed.sort();
    (reported, suppressed, json["summary"].clone())
}

/// A public bucket whose ACL is suppressed on its line.
const SITE_SUPPRESSED: &str = r#"resource "aws_s3_bucket" "site" {
  bucket = "example-site"
  acl    = "public-read" # bucketlint:ignore BL110 static site, reviewed
}
"#;

fn codes<T>(v: &[(String, T)]) -> Vec<&str> {
    v.iter().map(|(c, _)| c.as_str()).collect()
}

#[test]
fn a_comment_on_the_offending_line_suppresses_it() {
    let dir = project(&[("main.tf", SITE_SUPPRESSED)]);
    let (reported, suppressed, summary) = scan(dir.path());
    assert!(!codes(&reported).contains(&"BL110"), "{reported:?}");
    assert!(!codes(&reported).contains(&"BL002"), "{reported:?}");
    assert_eq!(
        suppressed,
        [("BL110".to_string(), 3, "static site, reviewed".to_string())]
    );
    assert_eq!(summary["suppressed"], 1);
    // The other findings of the bucket are still there.
    assert!(codes(&reported).contains(&"BL201"), "{reported:?}");
}

#[test]
fn a_comment_above_the_line_suppresses_the_next_line_only() {
    let dir = project(&[(
        "main.tf",
        r#"resource "aws_s3_bucket" "site" {
  bucket = "example-site"
  // bucketlint:ignore public-acl served by CloudFront
  acl    = "public-read"
}

resource "aws_s3_bucket" "other" {
  bucket = "example-other"
  acl    = "public-read"
}
"#,
    )]);
    let (reported, suppressed, _) = scan(dir.path());
    assert_eq!(suppressed.len(), 1, "{suppressed:?}");
    assert_eq!((suppressed[0].0.as_str(), suppressed[0].1), ("BL110", 4));
    // The same misconfiguration elsewhere is still reported.
    assert!(reported.contains(&("BL110".to_string(), 9)), "{reported:?}");
}

#[test]
fn a_comment_above_a_block_covers_the_whole_block_and_several_codes() {
    let dir = project(&[(
        "main.tf",
        r#"/* bucketlint:ignore BL110,BL201 scratch bucket, deleted nightly */
resource "aws_s3_bucket" "scratch" {
  bucket = "example-scratch"
  acl    = "public-read"
}

resource "aws_s3_bucket" "kept" {
  bucket = "example-kept"
}
"#,
    )]);
    let (reported, suppressed, _) = scan(dir.path());
    let mut got: Vec<&str> = suppressed.iter().map(|(c, _, _)| c.as_str()).collect();
    got.sort_unstable();
    assert_eq!(got, ["BL110", "BL201"], "{suppressed:?}");
    // The other bucket keeps its BL201.
    assert!(reported.contains(&("BL201".to_string(), 7)), "{reported:?}");
}

#[test]
fn a_comment_above_a_module_call_covers_what_the_module_creates() {
    let module = r#"variable "acl" {}
resource "aws_s3_bucket" "this" {
  bucket = "example-from-module"
  acl    = var.acl
}
"#;
    let dir = project(&[
        ("modules/bucket/main.tf", module),
        (
            "main.tf",
            r#"# bucketlint:ignore BL110 exp:2999-12-31 public download mirror
module "mirror" {
  source = "./modules/bucket"
  acl    = "public-read"
}

module "private" {
  source = "./modules/bucket"
  acl    = "public-read"
}
"#,
        ),
    ]);
    let (reported, suppressed, _) = scan(dir.path());
    let bl110: Vec<_> = suppressed.iter().filter(|s| s.0 == "BL110").collect();
    assert_eq!(bl110.len(), 1, "{suppressed:?}");
    // The second call's public bucket is still reported (once).
    assert_eq!(
        reported.iter().filter(|r| r.0 == "BL110").count(),
        1,
        "{reported:?}"
    );
    assert!(!codes(&reported).contains(&"BL002"), "{reported:?}");
}

#[test]
fn cloudformation_metadata_suppresses_in_yaml_and_json() {
    let yaml = r"Resources:
  Site:
    Type: AWS::S3::Bucket
    Metadata:
      bucketlint:
        ignore:
          - code: BL110
            reason: static site
          - code: versioning-disabled
            reason: rebuilt from source on every deploy
    Properties:
      AccessControl: PublicRead
";
    let json = r#"{
  "Resources": {
    "Site": {
      "Type": "AWS::S3::Bucket",
      "Metadata": { "bucketlint": { "ignore": [{ "code": "BL110", "reason": "static site" }] } },
      "Properties": { "AccessControl": "PublicRead" }
    }
  }
}
"#;
    for (name, text, expected) in [
        ("site.yaml", yaml, vec!["BL110", "BL401"]),
        ("site.json", json, vec!["BL110"]),
    ] {
        let dir = project(&[(name, text)]);
        let (reported, suppressed, _) = scan(dir.path());
        let mut got: Vec<&str> = suppressed.iter().map(|(c, _, _)| c.as_str()).collect();
        got.sort_unstable();
        assert_eq!(got, expected, "{name}: {suppressed:?}");
        assert!(suppressed.iter().all(|s| !s.2.is_empty()), "{suppressed:?}");
        assert!(!codes(&reported).contains(&"BL110"), "{name}: {reported:?}");
        assert!(!codes(&reported).contains(&"BL002"), "{name}: {reported:?}");
    }
}

#[test]
fn a_yaml_comment_suppresses_a_template_line() {
    let dir = project(&[(
        "site.yaml",
        r"Resources:
  Site:
    Type: AWS::S3::Bucket
    Properties:
      AccessControl: PublicRead # bucketlint:ignore BL110 static site
",
    )]);
    let (reported, suppressed, _) = scan(dir.path());
    assert_eq!(
        codes(
            &suppressed
                .iter()
                .map(|s| (s.0.clone(), 0))
                .collect::<Vec<_>>()
        ),
        ["BL110"]
    );
    assert!(!codes(&reported).contains(&"BL002"), "{reported:?}");
}

#[test]
fn an_expired_suppression_stops_working_and_says_so() {
    let dir = project(&[(
        "main.tf",
        r#"resource "aws_s3_bucket" "site" {
  bucket = "example-site"
  acl    = "public-read" # bucketlint:ignore BL110 exp:2020-01-31 launch week only
}

resource "aws_s3_bucket" "typo" {
  bucket = "example-typo"
  acl    = "public-read" # bucketlint:ignore BL110 exp:2027-31-01 day and month swapped
}
"#,
    )]);
    let (reported, suppressed, _) = scan(dir.path());
    // A date that is not one never silences anything.
    assert!(suppressed.is_empty(), "{suppressed:?}");
    for line in [3, 8] {
        assert!(
            reported.contains(&("BL110".to_string(), line)),
            "{reported:?}"
        );
        assert!(
            reported.contains(&("BL002".to_string(), line)),
            "{reported:?}"
        );
    }
}

#[test]
fn a_wrong_code_is_reported_and_suppresses_nothing() {
    let dir = project(&[(
        "main.tf",
        r#"resource "aws_s3_bucket" "site" {
  bucket = "example-site"
  acl    = "public-read" # bucketlint:ignore BL120 meant the ACL rule
}

resource "aws_s3_bucket" "typo" {
  bucket = "example-typo"
  acl    = "public-read" # bucketlint:ignore BL11O letter O, not zero
}
"#,
    )]);
    let (reported, suppressed, _) = scan(dir.path());
    assert!(suppressed.is_empty(), "{suppressed:?}");
    let bl002: Vec<u64> = reported
        .iter()
        .filter(|r| r.0 == "BL002")
        .map(|r| r.1)
        .collect();
    assert_eq!(bl002, [3, 8], "{reported:?}");
    assert_eq!(reported.iter().filter(|r| r.0 == "BL110").count(), 2);
}

#[test]
fn suppressions_appear_in_sarif_with_their_justification() {
    let dir = project(&[("main.tf", SITE_SUPPRESSED)]);
    let out = common::bucketlint_in(dir.path())
        .args(["check", ".", "--format", "sarif"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    common::assert_valid_sarif(&text);
    let sarif: Value = serde_json::from_str(&text).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let bl110 = results.iter().find(|r| r["ruleId"] == "BL110").unwrap();
    let s = &bl110["suppressions"][0];
    assert_eq!(s["kind"], "inSource");
    assert_eq!(s["justification"], "static site, reviewed");
    assert_eq!(s["location"]["physicalLocation"]["region"]["startLine"], 3);
    // Findings that are not suppressed carry no suppressions.
    assert!(
        results
            .iter()
            .filter(|r| r["ruleId"] != "BL110")
            .all(|r| r.get("suppressions").is_none())
    );
    assert_eq!(out.status.code(), Some(1), "other findings remain");
    // A suppressed finding does not fail the run on its own.
    common::bucketlint_in(dir.path())
        .args(["check", ".", "--select", "BL110"])
        .assert()
        .code(0);
}

#[test]
fn a_suppression_where_values_are_unknown_is_not_judged_unused() {
    // The ACL comes from a variable with no value: BL110 cannot decide, so the
    // suppression may well be needed at deploy time.
    let dir = project(&[(
        "main.tf",
        r#"variable "acl" {}
resource "aws_s3_bucket" "site" {
  bucket = "example-site"
  acl    = var.acl # bucketlint:ignore BL110 public in the staging workspace
}
"#,
    )]);
    let (reported, _, _) = scan(dir.path());
    assert!(!codes(&reported).contains(&"BL002"), "{reported:?}");
    assert!(!codes(&reported).contains(&"BL110"), "{reported:?}");
}

#[test]
fn a_bare_ignore_and_an_impossible_date_are_reported() {
    let dir = project(&[(
        "main.tf",
        r#"resource "aws_s3_bucket" "a" {
  bucket = "example-a"
  acl    = "public-read" # bucketlint:ignore
}

resource "aws_s3_bucket" "b" {
  bucket = "example-b"
  acl    = "public-read" # bucketlint:ignore BL110 exp:2099-02-30 no such day
}
"#,
    )]);
    let (reported, suppressed, _) = scan(dir.path());
    // Neither suppresses anything; each is a BL002 on its line.
    assert!(suppressed.is_empty(), "{suppressed:?}");
    let bl002: Vec<u64> = reported
        .iter()
        .filter(|r| r.0 == "BL002")
        .map(|r| r.1)
        .collect();
    assert_eq!(bl002, [3, 8], "{reported:?}");
    assert_eq!(reported.iter().filter(|r| r.0 == "BL110").count(), 2);
}
