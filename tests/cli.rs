//! The command line, as users and CI run it.

mod common;

use assert_cmd::Command;
use common::{assert_valid_sarif, project, root};
use predicates::prelude::*;

fn bucketlint() -> Command {
    common::bucketlint_in(root())
}

const PUBLIC: &str = r#"
resource "aws_s3_bucket" "b" {
  bucket = "example"
  acl    = "public-read"
}
"#;

#[test]
fn clean_project_exits_zero() {
    bucketlint()
        .args(["check", "testdata/terraform/secure"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("no findings (1 file, 2 buckets"));
}

#[test]
fn findings_exit_one_and_render_rustc_style() {
    bucketlint()
        .args(["check", "testdata/terraform/v3-inline", "--no-color"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "high[BL110]: bucket aws_s3_bucket.assets",
        ))
        .stdout(predicate::str::contains(
            "--> testdata/terraform/v3-inline/main.tf:5:12",
        ))
        .stdout(predicate::str::contains("\u{1b}[").not());
}

#[test]
fn fail_on_threshold() {
    let dir = project(&[("main.tf", PUBLIC)]);
    let path = dir.path().to_str().unwrap();
    // The worst finding is high: --fail-on critical passes, high fails.
    bucketlint()
        .args(["check", path, "--fail-on", "critical"])
        .assert()
        .code(0);
    bucketlint()
        .args(["check", path, "--fail-on", "high"])
        .assert()
        .code(1);
    bucketlint()
        .args(["check", path, "--fail-on", "none"])
        .assert()
        .code(0);
    bucketlint()
        .args(["check", path, "--fail-on", "extreme"])
        .assert()
        .code(2);
}

#[test]
fn select_and_ignore_by_code_name_and_prefix() {
    let dir = project(&[("main.tf", PUBLIC)]);
    let path = dir.path().to_str().unwrap();
    let out = bucketlint()
        .args([
            "check",
            path,
            "--format",
            "concise",
            "--select",
            "public-acl,BL2",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let mut codes: Vec<&str> = text.lines().map(|l| l.split(' ').nth(1).unwrap()).collect();
    codes.sort_unstable();
    // No encryption at all is one finding (BL201), not BL202 as well.
    assert_eq!(codes, ["BL110", "BL201", "BL210"], "{text}");
    let out = bucketlint()
        .args([
            "check",
            path,
            "--format",
            "concise",
            "--ignore",
            "BL1",
            "--ignore",
            "BL201,BL202,BL210",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.lines()
            .all(|l| l.contains(" BL301 ") || l.contains(" BL401 ")),
        "{text}"
    );
}

#[test]
fn unknown_rule_is_a_usage_error_with_a_suggestion() {
    bucketlint()
        .args(["check", "testdata", "--select", "publc-acl"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean public-acl"));
}

#[test]
fn missing_path_is_a_usage_error() {
    bucketlint()
        .args(["check", "no/such/dir"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("path not found: no/such/dir"));
}

#[test]
fn parse_error_exits_two_and_the_rest_is_scanned() {
    let dir = project(&[
        (
            "broken/main.tf",
            "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \n}\n",
        ),
        ("ok/main.tf", PUBLIC),
    ]);
    let out = bucketlint()
        .args(["check", dir.path().to_str().unwrap(), "--format", "concise"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("broken/main.tf:2:") && text.contains(" BL001 [high] HCL syntax error"),
        "{text}"
    );
    assert!(text.contains("ok/main.tf:4:12: BL110"), "{text}");
}

#[test]
fn several_formats_at_once() {
    let dir = project(&[("main.tf", PUBLIC)]);
    let path = dir.path().to_str().unwrap();
    let sarif = dir.path().join("out.sarif");
    let json = dir.path().join("out.json");
    bucketlint()
        .args(["check", path, "--format"])
        .arg(format!("sarif={}", sarif.display()))
        .arg("--format")
        .arg(format!("json={}", json.display()))
        .args(["--format", "concise"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(": BL110 [high]"));
    assert_valid_sarif(&std::fs::read_to_string(&sarif).unwrap());
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(doc["version"], 1);
    assert!(
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "BL110")
    );
}

#[test]
fn output_flag_writes_the_report_to_a_file() {
    let dir = project(&[("main.tf", PUBLIC)]);
    let out = dir.path().join("report.txt");
    bucketlint()
        .args([
            "check",
            dir.path().to_str().unwrap(),
            "--format",
            "concise",
            "--output",
        ])
        .arg(&out)
        .assert()
        .code(1)
        .stdout(predicate::str::is_empty());
    assert!(std::fs::read_to_string(out).unwrap().contains("BL110"));
}

#[test]
fn rule_documentation() {
    bucketlint()
        .args(["rule", "BL110"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("BL110 public-acl"))
        .stdout(predicate::str::contains(
            "severity: high (up to critical); on by default",
        ))
        .stdout(predicate::str::contains("Remediation:"))
        .stdout(predicate::str::contains("fsbp: S3.2, S3.3"));
    bucketlint().args(["rule", "public-acl"]).assert().code(0);
    bucketlint()
        .args(["rule", "public-acls"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean public-acl"));
    bucketlint()
        .args(["rules"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("BL401  versioning-disabled"));
}

#[test]
fn gitignore_is_honoured_outside_git_but_explicit_files_are_scanned() {
    let dir = project(&[
        (".gitignore", "ignored/\n"),
        ("ignored/main.tf", PUBLIC),
        (
            "kept/main.tf",
            "resource \"aws_s3_bucket\" \"k\" {\n  bucket = \"kept\"\n}\n",
        ),
        (".terraform/modules/x/main.tf", PUBLIC),
        ("node_modules/x/main.tf", PUBLIC),
        (".github/s3/main.tf", PUBLIC),
    ]);
    let out = bucketlint()
        .args([
            "check",
            dir.path().to_str().unwrap(),
            "--format",
            "concise",
            "--select",
            "BL110,BL100",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains("ignored/"), "{text}");
    assert!(
        !text.contains(".terraform") && !text.contains("node_modules"),
        "{text}"
    );
    assert!(
        text.contains(".github/s3/main.tf:4:12: BL110"),
        "hidden dirs are scanned: {text}"
    );
    assert!(text.contains("kept/main.tf:1:1: BL100"), "{text}");
    // Named explicitly, an ignored file is scanned.
    bucketlint()
        .args(["check", "--format", "concise"])
        .arg(dir.path().join("ignored/main.tf"))
        .assert()
        .code(1)
        .stdout(predicate::str::contains("BL110"));
}

#[test]
fn an_empty_directory_says_nothing_was_scanned() {
    let dir = project(&[("README.md", "# not terraform\n")]);
    bucketlint()
        .args(["check", dir.path().to_str().unwrap()])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "no Terraform or CloudFormation files found",
        ));
}

/// `--version` says the version and the commit the binary was built from (in a git
/// work tree; a source archive has no commit to say), and SARIF's rule links point
/// at that version's tag.
#[test]
fn version_and_provenance() {
    let out = bucketlint().arg("--version").output().unwrap();
    let line = String::from_utf8(out.stdout).unwrap();
    let version = env!("CARGO_PKG_VERSION");
    let head = std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(root())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    let expected = match head {
        Some(commit) => format!("bucketlint {version} (commit {commit})\n"),
        None => format!("bucketlint {version}\n"),
    };
    assert_eq!(line, expected);

    let dir = project(&[("main.tf", PUBLIC)]);
    let out = bucketlint()
        .args(["check", dir.path().to_str().unwrap(), "--format", "sarif"])
        .output()
        .unwrap();
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let driver = &sarif["runs"][0]["tool"]["driver"];
    assert_eq!(driver["version"], version);
    assert_eq!(driver["semanticVersion"], version);
    let uri = driver["rules"][0]["helpUri"].as_str().unwrap();
    assert!(uri.contains(&format!("/blob/v{version}/rules/")), "{uri}");
}
