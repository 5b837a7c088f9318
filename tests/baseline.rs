//! Baselines: record, add a misconfiguration (only it is reported), fix a recorded
//! one (listed as stale), in every report format that carries the state.

mod common;

use common::project;
use serde_json::Value;
use std::path::Path;

const TWO_BUCKETS: &str = r#"resource "aws_s3_bucket" "site" {
  bucket = "example-site"
  acl    = "public-read"
}

resource "aws_s3_bucket" "data" {
  bucket = "example-data"
}
"#;

/// `check` of `infra` against the default baseline, as JSON.
const CHECK_INFRA_JSON: &[&str] = &[
    "check",
    "infra",
    "--baseline",
    ".bucketlint-baseline.json",
    "--format",
    "json",
];

fn bucketlint(dir: &Path, args: &[&str]) -> std::process::Output {
    common::bucketlint_in(dir).args(args).output().unwrap()
}

/// Exit 0: nothing reported.
fn assert_clean(out: &std::process::Output) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

fn json(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap()
}

/// (code, resource) of the findings whose `baseline` state is `state`.
fn with_state(report: &Value, state: &str) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["baseline"] == state)
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["resource"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn a_baseline_round_trip_reports_only_what_changed() {
    let dir = project(&[("infra/main.tf", TWO_BUCKETS)]);
    let d = dir.path();
    let out = bucketlint(d, &["baseline", "infra"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let recorded: Value = serde_json::from_str(
        &std::fs::read_to_string(d.join(".bucketlint-baseline.json")).unwrap(),
    )
    .unwrap();
    let entries = recorded["findings"].as_array().unwrap();
    assert!(entries.iter().any(|e| e["code"] == "BL110"
        && e["resource"] == "aws_s3_bucket.site"
        && e["path"] == "infra/main.tf"));
    // Keyed by resource, never by line.
    assert!(entries.iter().all(|e| e.get("line").is_none()));

    // Nothing changed: nothing reported, exit 0.
    let out = bucketlint(
        d,
        &["check", "infra", "--baseline", ".bucketlint-baseline.json"],
    );
    assert_clean(&out);

    // Lines move (a comment above) and a new public bucket appears.
    let edited = format!(
        "# moved down by this comment\n{TWO_BUCKETS}\nresource \"aws_s3_bucket\" \"new\" {{\n  bucket = \"example-new\"\n  acl    = \"public-read-write\"\n}}\n"
    );
    std::fs::write(d.join("infra/main.tf"), &edited).unwrap();
    let out = bucketlint(d, CHECK_INFRA_JSON);
    assert_eq!(out.status.code(), Some(1));
    let report = json(&out);
    let new = with_state(&report, "new");
    assert!(!new.is_empty());
    assert!(new.iter().all(|(_, r)| r == "aws_s3_bucket.new"), "{new:?}");
    assert!(new.contains(&("BL110".into(), "aws_s3_bucket.new".into())));
    let unchanged = with_state(&report, "unchanged");
    assert_eq!(unchanged.len(), entries.len(), "{unchanged:?}");
    assert_eq!(report["summary"]["findings"], new.len());
    assert_eq!(report["summary"]["in_baseline"], entries.len());

    // The site bucket's ACL is fixed: its entry is stale, the rest unchanged.
    std::fs::write(
        d.join("infra/main.tf"),
        edited.replacen("\"public-read\"", "\"private\"", 1),
    )
    .unwrap();
    let out = bucketlint(d, CHECK_INFRA_JSON);
    let report = json(&out);
    let absent = report["baseline"]["absent"].as_array().unwrap();
    assert_eq!(absent.len(), 1, "{absent:?}");
    assert_eq!(absent[0]["code"], "BL110");
    assert_eq!(absent[0]["resource"], "aws_s3_bucket.site");
    // The terminal report lists it too.
    let out = bucketlint(
        d,
        &["check", "infra", "--baseline", ".bucketlint-baseline.json"],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("baseline entry BL110 on aws_s3_bucket.site (1 finding) matches nothing"),
        "{text}"
    );
    // Recording again prunes it.
    bucketlint(d, &["baseline", "infra"]);
    let out = bucketlint(
        d,
        &["check", "infra", "--baseline", ".bucketlint-baseline.json"],
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(!String::from_utf8_lossy(&out.stdout).contains("baseline entry"));
}

#[test]
fn paths_are_relative_to_the_baseline_file_wherever_the_scan_runs() {
    let dir = project(&[("repo/infra/main.tf", TWO_BUCKETS)]);
    let d = dir.path();
    let repo = d.join("repo");
    bucketlint(&repo, &["baseline", "infra", "-o", "infra/known.json"]);
    let recorded = std::fs::read_to_string(repo.join("infra/known.json")).unwrap();
    assert!(recorded.contains("\"path\": \"main.tf\""), "{recorded}");
    // From another directory, with other relative paths: still all known.
    let out = bucketlint(
        d,
        &["check", "repo/infra", "--baseline", "repo/infra/known.json"],
    );
    assert_clean(&out);
}

#[test]
fn more_findings_under_one_key_than_recorded_are_new() {
    // Findings on no resource share a key per file and code: the count decides.
    let stale = "# bucketlint:ignore BL110 nothing here\n";
    let dir = project(&[("main.tf", &format!("{stale}locals {{}}\n"))]);
    let d = dir.path();
    bucketlint(d, &["baseline", ".", "--select", "BL002,BL110"]);
    std::fs::write(
        d.join("main.tf"),
        format!("{stale}locals {{}}\n{stale}locals {{}}\n"),
    )
    .unwrap();
    let out = bucketlint(
        d,
        &[
            "check",
            ".",
            "--select",
            "BL002,BL110",
            "--baseline",
            ".bucketlint-baseline.json",
            "--format",
            "concise",
        ],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        text.lines().filter(|l| l.contains("BL002")).count(),
        1,
        "{text}"
    );
    assert!(text.starts_with("main.tf:3:1: BL002"), "{text}");
}

#[test]
fn a_copy_under_a_new_logical_id_is_new() {
    let dir = project(&[(
        "site.yaml",
        "Resources:\n  Site:\n    Type: AWS::S3::Bucket\n    Properties:\n      AccessControl: PublicRead\n",
    )]);
    let d = dir.path();
    bucketlint(d, &["baseline", "."]);
    std::fs::write(
        d.join("site.yaml"),
        "Resources:\n  Site:\n    Type: AWS::S3::Bucket\n    Properties:\n      AccessControl: PublicRead\n  Copy:\n    Type: AWS::S3::Bucket\n    Properties:\n      AccessControl: PublicRead\n",
    )
    .unwrap();
    let out = bucketlint(
        d,
        &[
            "check",
            ".",
            "--baseline",
            ".bucketlint-baseline.json",
            "--format",
            "json",
        ],
    );
    let new = with_state(&json(&out), "new");
    assert!(new.contains(&("BL110".into(), "Copy".into())), "{new:?}");
    assert!(new.iter().all(|(_, r)| r == "Copy"), "{new:?}");
}

#[test]
fn sarif_carries_the_baseline_state() {
    let dir = project(&[("main.tf", TWO_BUCKETS)]);
    let d = dir.path();
    bucketlint(d, &["baseline", "."]);
    std::fs::write(
        d.join("main.tf"),
        format!(
            "{}\nresource \"aws_s3_bucket\" \"new\" {{\n  bucket = \"n\"\n}}\n",
            TWO_BUCKETS.replace("public-read", "private")
        ),
    )
    .unwrap();
    let out = bucketlint(
        d,
        &[
            "check",
            ".",
            "--baseline",
            ".bucketlint-baseline.json",
            "--format",
            "sarif",
        ],
    );
    let text = String::from_utf8(out.stdout).unwrap();
    common::assert_valid_sarif(&text);
    let sarif: Value = serde_json::from_str(&text).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let state = |s: &str| results.iter().filter(|r| r["baselineState"] == s).count();
    assert!(state("new") > 0 && state("unchanged") > 0 && state("absent") == 1);
    assert_eq!(
        state("new") + state("unchanged") + state("absent"),
        results.len()
    );
    for r in results {
        match r["baselineState"].as_str().unwrap() {
            // Known findings are suppressed externally, by the baseline file.
            "unchanged" => assert_eq!(r["suppressions"][0]["kind"], "external"),
            "new" => assert!(r.get("suppressions").is_none()),
            _ => {
                assert_eq!(r["ruleId"], "BL110");
                assert_eq!(r["kind"], "pass");
                assert_eq!(r["level"], "none");
                assert_eq!(
                    r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                    "main.tf"
                );
            }
        }
    }
}

#[test]
fn a_bad_baseline_file_is_a_located_error() {
    let dir = project(&[
        ("main.tf", TWO_BUCKETS),
        (
            "b.json",
            "{\n  \"version\": 1,\n  \"findings\": [ { \"path\": 3 } ]\n}\n",
        ),
    ]);
    let out = bucketlint(dir.path(), &["check", ".", "--baseline", "b.json"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("b.json:3:"), "{err}");
    let out = bucketlint(dir.path(), &["check", ".", "--baseline", "missing.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read baseline missing.json"));
}

#[test]
fn the_configuration_names_the_baseline_for_both_commands() {
    let dir = project(&[
        ("bucketlint.toml", "baseline = \"ci/known-findings.json\"\n"),
        ("infra/main.tf", TWO_BUCKETS),
    ]);
    let d = dir.path();
    // Run from a subdirectory: the path is relative to the configuration file.
    let out = bucketlint(&d.join("infra"), &["baseline", "."]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let recorded = std::fs::read_to_string(d.join("ci/known-findings.json")).unwrap();
    assert!(
        recorded.contains("\"path\": \"../infra/main.tf\""),
        "{recorded}"
    );
    let out = bucketlint(d, &["check", "."]);
    assert_clean(&out);
    // `--baseline` on the command line wins; a missing one is an error.
    let out = bucketlint(d, &["check", ".", "--baseline", "nope.json"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn entries_outside_the_scanned_paths_are_not_stale_but_deleted_files_are() {
    let dir = project(&[("a/main.tf", TWO_BUCKETS), ("b/main.tf", TWO_BUCKETS)]);
    let d = dir.path();
    bucketlint(d, &["baseline", "."]);
    // Scanning only `a/` (or a pre-commit run on one file) says nothing about `b/`.
    for args in [
        &[
            "check",
            "a",
            "--baseline",
            ".bucketlint-baseline.json",
            "--format",
            "json",
        ][..],
        &[
            "check",
            "--pre-commit",
            "a/main.tf",
            "--baseline",
            ".bucketlint-baseline.json",
            "--format",
            "json",
        ][..],
    ] {
        let report = json(&bucketlint(d, args));
        assert_eq!(
            report["baseline"]["absent"].as_array().unwrap().len(),
            0,
            "{args:?}"
        );
        assert_eq!(report["summary"]["findings"], 0, "{args:?}");
    }
    // A deleted file's entries are stale.
    std::fs::remove_dir_all(d.join("b")).unwrap();
    let report = json(&bucketlint(
        d,
        &[
            "check",
            "a",
            "--baseline",
            ".bucketlint-baseline.json",
            "--format",
            "json",
        ],
    ));
    let absent = report["baseline"]["absent"].as_array().unwrap();
    assert!(!absent.is_empty());
    assert!(
        absent.iter().all(|e| e["path"] == "b/main.tf"),
        "{absent:?}"
    );
}
