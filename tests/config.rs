//! `bucketlint.toml`: discovery, precedence (command line over file over defaults),
//! and every key doing what it says.

mod common;

use common::project;
use std::path::Path;

const PUBLIC: &str = r#"
resource "aws_s3_bucket" "site" {
  bucket = "example-site"
  acl    = "public-read"
}
"#;

/// Runs bucketlint in `dir` and returns (exit code, codes found, stderr).
fn run(dir: &Path, args: &[&str]) -> (i32, Vec<String>, String) {
    let out = common::bucketlint_in(dir).args(args).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut codes: Vec<String> = stdout
        .lines()
        .filter_map(|l| l.split(' ').nth(1))
        .filter(|c| c.starts_with("BL"))
        .map(str::to_string)
        .collect();
    codes.sort();
    codes.dedup();
    (
        out.status.code().unwrap(),
        codes,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_nearest_file_above_the_scanned_path_applies() {
    let dir = project(&[
        ("bucketlint.toml", "ignore = [\"BL201\", \"BL202\"]\n"),
        ("infra/prod/main.tf", PUBLIC),
    ]);
    let (_, codes, _) = run(dir.path(), &["check", "infra/prod", "--format", "concise"]);
    assert!(codes.contains(&"BL110".to_string()), "{codes:?}");
    assert!(!codes.contains(&"BL201".to_string()) && !codes.contains(&"BL202".to_string()));
    // A nearer file wins.
    std::fs::write(
        dir.path().join("infra/bucketlint.toml"),
        "select = [\"BL201\"]\n",
    )
    .unwrap();
    let (_, codes, _) = run(dir.path(), &["check", "infra/prod", "--format", "concise"]);
    assert_eq!(codes, ["BL201"]);
    // `bucketlint config` shows which file and the effective selection.
    let out = common::bucketlint_in(dir.path())
        .args(["config", "infra/prod"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("# from "), "{text}");
    assert!(text.contains("infra/bucketlint.toml"), "{text}");
    // BL001 cannot be deselected: a file that does not parse is always said.
    assert!(text.contains("select = [\"BL001\", \"BL201\"]"), "{text}");
}

#[test]
fn the_command_line_overrides_the_file_which_overrides_the_defaults() {
    let dir = project(&[
        (
            "bucketlint.toml",
            "select = [\"BL110\"]\nfail-on = \"critical\"\n",
        ),
        ("main.tf", PUBLIC),
    ]);
    // File: only BL110, and a high finding does not fail the run.
    assert_eq!(run(dir.path(), &["check", "--format", "concise"]).0, 0);
    let (code, codes, _) = run(dir.path(), &["check", "--format", "concise"]);
    assert_eq!((code, codes), (0, vec!["BL110".to_string()]));
    // Command line: another selection and threshold.
    let (code, codes, _) = run(
        dir.path(),
        &[
            "check",
            "--format",
            "concise",
            "--select",
            "BL201",
            "--fail-on",
            "low",
        ],
    );
    assert_eq!((code, codes), (1, vec!["BL201".to_string()]));
    // --exit-zero keeps findings from failing the run.
    assert_eq!(
        run(dir.path(), &["check", "--fail-on", "low", "--exit-zero"]).0,
        0
    );
    // --config names another file.
    std::fs::write(
        dir.path().join("strict.toml"),
        "extend-select = [\"BL403\"]\n",
    )
    .unwrap();
    let (_, codes, _) = run(
        dir.path(),
        &["check", "--format", "concise", "--config", "strict.toml"],
    );
    assert!(
        codes.contains(&"BL403".to_string()) && codes.contains(&"BL100".to_string()),
        "{codes:?}"
    );
}

#[test]
fn an_unknown_key_is_an_error_with_its_line_and_a_suggestion() {
    let dir = project(&[
        (
            "bucketlint.toml",
            "select = [\"BL1\"]\n\nfail_on = \"high\"\n",
        ),
        ("main.tf", PUBLIC),
    ]);
    let (code, _, stderr) = run(dir.path(), &["check"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("bucketlint.toml:3:1: unknown key `fail_on` (did you mean `fail-on`?)"),
        "{stderr}"
    );
}

#[test]
fn paths_severities_and_settings_from_the_file() {
    let dir = project(&[
        (
            "bucketlint.toml",
            r#"
exclude = ["vendor"]
owned-accounts = ["444455556666"]

[per-path-ignores]
"examples/**" = ["public-acl"]

[severity-overrides]
BL201 = "high"

[classification]
tag = "Sensitivity"
sensitive = ["secret"]
"#,
        ),
        ("main.tf", PUBLIC),
        ("examples/demo/main.tf", PUBLIC),
        ("vendor/lib/main.tf", "this is not { valid"),
        (
            "data/main.tf",
            r#"
resource "aws_s3_bucket" "vault" {
  bucket = "example-vault"
  tags   = { Sensitivity = "SECRET" }
}
"#,
        ),
    ]);
    let out = common::bucketlint_in(dir.path())
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let found: Vec<(String, String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    // The excluded directory is not parsed (no BL001 for its broken file).
    assert!(!found.iter().any(|(c, _, _)| c == "BL001"), "{found:?}");
    // BL110 is ignored under examples/ only.
    assert!(found.contains(&("BL110".into(), "main.tf".into(), "high".into())));
    assert!(
        !found
            .iter()
            .any(|(c, p, _)| c == "BL110" && p.starts_with("examples"))
    );
    // Severity override.
    assert!(
        found
            .iter()
            .filter(|(c, _, _)| c == "BL201")
            .all(|(_, _, s)| s == "high")
    );
    // The custom classification makes the vault sensitive: BL403 runs for it only.
    let lock: Vec<&str> = found
        .iter()
        .filter(|(c, _, _)| c == "BL403")
        .map(|(_, p, _)| p.as_str())
        .collect();
    assert_eq!(lock, ["data/main.tf"]);
}
