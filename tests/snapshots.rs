//! Snapshots of the rendered reports, and the SARIF of every fixture project checked
//! against the SARIF 2.1.0 schema.

mod common;

use bucketlint::report::{self, Format, RenderOptions};
use bucketlint::{Options, Scan, scan_paths};
use common::{assert_valid_sarif, root};
use std::path::PathBuf;
use std::time::Duration;

fn scan(dir: &str) -> Scan {
    // Paths in reports are relative to the working directory: the repository root.
    std::env::set_current_dir(root()).unwrap();
    let mut scan = scan_paths(&[PathBuf::from(dir)], &Options::default()).unwrap();
    scan.stats.elapsed = Duration::ZERO;
    scan
}

fn render(format: Format, scan: &Scan) -> String {
    report::render(format, scan, RenderOptions { color: false })
}

#[test]
fn text_report() {
    let s = scan("testdata/terraform/v4-split");
    insta::assert_snapshot!("v4_split_text", render(Format::Text, &s));
}

#[test]
fn concise_report() {
    let s = scan("testdata/terraform");
    insta::assert_snapshot!("testdata_concise", render(Format::Concise, &s));
}

#[test]
fn sarif_report() {
    let s = scan("testdata/terraform/v4-split");
    let sarif = render(Format::Sarif, &s);
    assert_valid_sarif(&sarif);
    insta::assert_snapshot!("v4_split_sarif", sarif);
}

#[test]
fn json_report() {
    let s = scan("testdata/terraform/policy-document");
    insta::assert_snapshot!("policy_document_json", render(Format::Json, &s));
}

#[test]
fn cloudformation_text_report() {
    let s = scan("testdata/cloudformation/sam");
    insta::assert_snapshot!("sam_text", render(Format::Text, &s));
}

#[test]
fn cloudformation_sarif_report() {
    let s = scan("testdata/cloudformation/cdk");
    let sarif = render(Format::Sarif, &s);
    assert_valid_sarif(&sarif);
    insta::assert_snapshot!("cdk_sarif_results", results_only(&sarif));
}

/// The `results` of a SARIF log (the rule metadata is snapshotted once, above).
fn results_only(sarif: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(sarif).unwrap();
    serde_json::to_string_pretty(&v["runs"][0]["results"]).unwrap()
}

#[test]
fn every_fixture_project_produces_valid_sarif() {
    let dirs: Vec<PathBuf> = [
        "testdata/terraform",
        "testdata/cloudformation",
        "testdata/paired",
    ]
    .iter()
    .flat_map(|d| std::fs::read_dir(root().join(d)).unwrap())
    .map(|e| e.unwrap().path())
    .filter(|p| p.is_dir())
    .collect();
    assert!(dirs.len() >= 15, "{}", dirs.len());
    for dir in dirs {
        let s = scan(dir.to_str().unwrap());
        assert_valid_sarif(&render(Format::Sarif, &s));
    }
}

#[test]
fn sarif_regions_use_utf16_columns() {
    let dir = common::project(&[(
        "main.tf",
        "# 😀 émoji\nresource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n  /* 😀 */ acl = \"public-read\"\n}\n",
    )]);
    let mut s = scan_paths(&[dir.path().to_path_buf()], &Options::default()).unwrap();
    s.findings.retain(|f| f.code == "BL110");
    let sarif = render(Format::Sarif, &s);
    assert_valid_sarif(&sarif);
    let v: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    assert_eq!(v["runs"][0]["columnKind"], "utf16CodeUnits");
    let region = &v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"];
    // 16 code points (17 UTF-16 units: the emoji takes two) precede the value.
    assert_eq!(region["startLine"], 4);
    assert_eq!(region["startColumn"], 18);
    assert_eq!(region["endColumn"], 31);
    let json: serde_json::Value = serde_json::from_str(&render(Format::Json, &s)).unwrap();
    assert_eq!(json["findings"][0]["start"]["column"], 17);
    assert_eq!(json["findings"][0]["start"]["utf16_column"], 18);
}

#[test]
fn markdown_report() {
    let s = scan("testdata/terraform/v4-split");
    insta::assert_snapshot!("v4_split_markdown", render(Format::Markdown, &s));
}
