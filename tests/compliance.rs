//! `bucketlint report --profile NAME`: the compliance report of `testdata/compliance`
//! (a compliant bucket, non-compliant ones, a suppressed finding with its reason
//! and expiry, a role anyone may assume) as Markdown and JSON snapshots, CSV, the
//! evidence it records, and its errors. The HTML page is checked in Chromium in
//! tests/compliance_html.rs.

mod common;

use common::{bucketlint_in, git, project, root};
use serde_json::Value;

fn report(dir: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let out = bucketlint_in(dir)
        .arg("report")
        .args(args)
        .env("SOURCE_DATE_EPOCH", "1764460800")
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The evidence that changes with every commit of bucketlint and of the project.
fn stable_markdown(text: &str) -> String {
    text.lines()
        .map(|l| {
            for key in ["| Scanner |", "| Rule catalog |", "| Commit |"] {
                if l.starts_with(key) {
                    return format!("{key} (varies) |");
                }
            }
            l.to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn stable_json(text: &str) -> Value {
    let mut v: Value = serde_json::from_str(text).unwrap();
    let e = v["evidence"].as_object_mut().unwrap();
    for key in ["scanner", "catalog", "commit", "uncommitted_changes"] {
        if e.contains_key(key) {
            e.insert(key.into(), "(varies)".into());
        }
    }
    v
}

#[test]
fn markdown_and_json_snapshots_for_gdpr_and_iso27001() {
    for profile in ["gdpr", "iso27001"] {
        let (code, md, err) = report(&root(), &["--profile", profile, "testdata/compliance"]);
        assert_eq!(code, 0, "{err}");
        insta::assert_snapshot!(
            format!("compliance_{profile}_markdown"),
            stable_markdown(&md)
        );
        let (_, json, _) = report(
            &root(),
            &["--profile", profile, "testdata/compliance", "-f", "json"],
        );
        insta::assert_json_snapshot!(format!("compliance_{profile}_json"), stable_json(&json));
    }
}

#[test]
fn every_framework_reports_with_consistent_counts() {
    for profile in bucketlint::selection::PROFILES {
        let (code, json, err) = report(
            &root(),
            &["--profile", profile, "testdata/compliance", "-f", "json"],
        );
        assert_eq!(code, 0, "{profile}: {err}");
        let r: Value = serde_json::from_str(&json).unwrap();
        assert_eq!(r["version"], 1);
        assert_eq!(r["framework"]["id"], profile);
        let s = &r["summary"];
        let controls = r["controls"].as_array().unwrap();
        assert_eq!(s["controls"].as_u64().unwrap() as usize, controls.len());
        let by = |status: &str| controls.iter().filter(|c| c["status"] == status).count() as u64;
        assert_eq!(s["passing"].as_u64().unwrap(), by("pass"), "{profile}");
        assert_eq!(s["partial"].as_u64().unwrap(), by("partial"), "{profile}");
        assert_eq!(s["failing"].as_u64().unwrap(), by("fail"), "{profile}");
        assert_eq!(
            s["no_resources"].as_u64().unwrap(),
            by("no-resources"),
            "{profile}"
        );
        // A control's status agrees with its resources.
        for c in controls {
            let n = |k: &str| c[k].as_array().unwrap().len();
            let expected = match (n("failing"), n("passing")) {
                (0, 0) if n("accepted") == 0 => "no-resources",
                (0, _) => "pass",
                (_, 0) => "fail",
                _ => "partial",
            };
            assert_eq!(c["status"], expected, "{profile} {}", c["id"]);
            assert!(!c["rules"].as_array().unwrap().is_empty());
        }
        // The controls a static scan cannot evidence are listed, with why.
        for c in r["not_assessed"].as_array().unwrap() {
            assert!(!c["not_assessed"].as_str().unwrap().is_empty());
        }
        // The compliant bucket passes every control about buckets that it is in
        // scope of, unless a rule finds something on it.
        let records_fails: Vec<&str> = controls
            .iter()
            .filter(|c| {
                c["failing"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|f| f["resource"] == "aws_s3_bucket.records")
            })
            .map(|c| c["id"].as_str().unwrap())
            .collect();
        for c in controls {
            let fails = c["failing"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["resource"] == "aws_s3_bucket.records");
            let passes = c["passing"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["resource"] == "aws_s3_bucket.records");
            assert!(!(fails && passes), "{profile} {}: both", c["id"]);
        }
        // Only MFA delete (which Terraform cannot set without the root's device) fails it.
        for id in records_fails {
            let c = controls.iter().find(|c| c["id"] == id).unwrap();
            let codes: Vec<&str> = c["failing"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| f["resource"] == "aws_s3_bucket.records")
                .flat_map(|f| f["findings"].as_array().unwrap())
                .map(|x| x["code"].as_str().unwrap())
                .collect();
            assert_eq!(codes, ["BL402"], "{profile} {id}");
        }
    }
}

#[test]
fn the_suppressed_finding_is_accepted_with_its_reason_and_expiry() {
    let (_, json, _) = report(
        &root(),
        &["--profile", "gdpr", "testdata/compliance", "-f", "json"],
    );
    let r: Value = serde_json::from_str(&json).unwrap();
    let art25 = r["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "Art. 25(2)")
        .unwrap();
    let accepted = &art25["accepted"][0];
    assert_eq!(accepted["resource"], "aws_s3_bucket.logs");
    assert_eq!(accepted["code"], "BL100");
    assert_eq!(accepted["how"], "suppressed");
    assert_eq!(accepted["expires"], "2099-12-31");
    assert!(
        accepted["reason"]
            .as_str()
            .unwrap()
            .starts_with("log delivery")
    );
    // Accepted is neither failing nor passing.
    for list in ["failing", "passing"] {
        assert!(
            !art25[list]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x["resource"] == "aws_s3_bucket.logs"),
            "{list}"
        );
    }
}

#[test]
fn csv_has_a_row_per_control_and_resource() {
    let (code, csv, _) = report(
        &root(),
        &["--profile", "cis", "testdata/compliance", "-f", "csv"],
    );
    assert_eq!(code, 0);
    let mut lines = csv.split("\r\n");
    assert_eq!(
        lines.next().unwrap(),
        "framework,control,family,title,control_status,resource,result,rules,location,detail"
    );
    let rows: Vec<&str> = lines.filter(|l| !l.is_empty()).collect();
    assert!(
        rows.iter()
            .any(|r| r.starts_with("cis,2.1.1,") && r.contains(",aws_s3_bucket.records,pass,"))
    );
    assert!(
        rows.iter()
            .any(|r| r.starts_with("cis,2.1.1,") && r.contains(",aws_s3_bucket.uploads,fail,"))
    );
    assert!(
        rows.iter()
            .any(|r| r.starts_with("cis,2.1.3,") && r.contains("not assessed"))
    );
}

#[test]
fn evidence_names_the_commit_the_configuration_and_the_baseline() {
    let dir = project(&[
        (
            "main.tf",
            "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"acme-b\"\n}\n",
        ),
        ("bucketlint.toml", "baseline = \"baseline.json\"\n"),
    ]);
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-qm", "one"]);
    let head = git(dir.path(), &["rev-parse", "HEAD"]);
    // Record today's findings, then report: they are accepted, from the baseline.
    let out = bucketlint_in(dir.path())
        .args(["baseline", "--profile", "fsbp", "."])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (code, json, err) = report(dir.path(), &["--profile", "fsbp", ".", "-f", "json"]);
    assert_eq!(code, 0, "{err}");
    let r: Value = serde_json::from_str(&json).unwrap();
    let e = &r["evidence"];
    assert_eq!(e["commit"], head.trim());
    // The baseline file is new, so the scanned tree differs from the commit.
    assert_eq!(e["uncommitted_changes"], true);
    assert_eq!(e["configuration"], "bucketlint.toml");
    assert_eq!(e["baseline"].as_str().unwrap(), "baseline.json");
    assert_eq!(e["generated"], "2025-11-30T00:00:00Z");
    assert!(e["rules"].as_array().unwrap().iter().any(|c| c == "BL401"));
    assert!(
        e["catalog"]
            .as_str()
            .unwrap()
            .starts_with(env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(r["summary"]["findings"], 0);
    assert!(r["summary"]["accepted"].as_u64().unwrap() > 0);
    let accepted: Vec<&Value> = r["controls"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["accepted"].as_array().unwrap())
        .collect();
    assert!(accepted.iter().all(|a| a["how"] == "baseline"));
    // Committed: no uncommitted changes.
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-qm", "two"]);
    let (_, json, _) = report(dir.path(), &["--profile", "fsbp", ".", "-f", "json"]);
    let r: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(r["evidence"]["uncommitted_changes"], false);
}

#[test]
fn a_report_is_for_exactly_one_known_framework() {
    let (code, _, err) = report(&root(), &["testdata/compliance"]);
    assert_eq!(code, 2);
    assert!(err.contains("give --profile NAME"), "{err}");
    let (code, _, err) = report(&root(), &["--profile", "gdpr,cis", "testdata/compliance"]);
    assert_eq!(code, 2);
    assert!(err.contains("one report per profile"), "{err}");
    let (code, _, err) = report(&root(), &["--profile", "iso9001", "testdata/compliance"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown profile"), "{err}");
}

#[test]
fn rules_lists_the_rules_of_a_profile_with_their_controls_and_sources() {
    for profile in ["gdpr", "iso27001"] {
        let out = bucketlint_in(root())
            .args(["rules", "--profile", profile, "--format", "json"])
            .output()
            .unwrap();
        assert!(out.status.success());
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        let rules = v["rules"].as_array().unwrap();
        assert!(rules.len() > 10, "{profile}");
        for r in rules {
            assert!(!r["compliance"][profile].as_array().unwrap().is_empty());
            assert!(
                !r["compliance_sources"][profile]
                    .as_str()
                    .unwrap()
                    .is_empty()
            );
        }
        let text = bucketlint_in(root())
            .args(["rules", "--profile", profile])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&text.stdout);
        assert_eq!(
            text.lines().filter(|l| l.starts_with("BL")).count(),
            rules.len()
        );
    }
    let out = bucketlint_in(root())
        .args(["rules", "--profile", "iso9001"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
