//! Every rule that has a fix, on its own bad examples (Terraform, CloudFormation YAML
//! and JSON): `--unsafe-fixes` removes the finding, the file still parses, a rescan
//! adds no finding of the default rules, and a second run changes nothing. The
//! diffs are snapshots; fixed templates are checked by cfn-lint when it is installed.

mod common;

use bucketlint::rules::{self, ExampleFormat, ExampleKind, FixAvailability};
use common::{bucketlint_in, project};
use std::collections::BTreeSet;
use std::path::Path;

/// Findings a fix may reveal: BL201's fix states SSE-S3, which BL202 (not SSE-KMS)
/// then reports with its own unsafe fix. Said in BL201's `fix_detail`.
const REVEALED: &[(&str, &str)] = &[("BL201", "BL202")];

fn file_name(format: &ExampleFormat) -> Option<&'static str> {
    match format {
        ExampleFormat::Terraform => Some("main.tf"),
        ExampleFormat::CloudFormationYaml => Some("template.yaml"),
        ExampleFormat::CloudFormationJson => Some("template.json"),
        // JSON-syntax Terraform gets no fixes.
        ExampleFormat::TerraformJson => None,
    }
}

/// The default rules and `code`, comma-separated.
fn selection(code: &str) -> String {
    let mut codes: Vec<&str> = rules::catalog()
        .iter()
        .filter(|e| e.doc.is_default())
        .map(|e| e.doc.code.as_str())
        .collect();
    codes.push(code);
    codes.join(",")
}

/// (code, resource, message) of every finding of a scan of `dir`.
fn findings(dir: &Path, select: &str) -> BTreeSet<(String, String, String)> {
    let out = bucketlint_in(dir)
        .args([
            "check",
            ".",
            "--format",
            "json",
            "--exit-zero",
            "--select",
            select,
        ])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["resource"].as_str().unwrap_or_default().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = bucketlint_in(dir).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn cfn_lint() -> Option<std::path::PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("cfn-lint"))
        .find(|p| p.is_file())
}

#[test]
fn every_fixable_rule_fixes_its_bad_examples() {
    let lint = cfn_lint();
    if lint.is_none() {
        eprintln!("cfn-lint is not installed: fixed templates are not validated by it");
    }
    let mut fixed_rules = 0;
    for entry in rules::catalog() {
        let doc = &entry.doc;
        if doc.fix == FixAvailability::Never {
            continue;
        }
        let select = selection(&doc.code);
        let mut diffs = String::new();
        for (i, ex) in doc.examples().iter().enumerate() {
            let Some(name) = file_name(&ex.format) else {
                continue;
            };
            if ex.kind != ExampleKind::Bad {
                continue;
            }
            let label = format!("{} example {i} ({})", doc.code, ex.title);
            let dir = project(&[(name, &ex.source)]);
            let before = findings(dir.path(), &select);
            assert!(
                before.iter().any(|f| f.0 == doc.code),
                "{label}: no finding before the fix"
            );

            let (status, diff, stderr) = run(
                dir.path(),
                &[
                    "check",
                    ".",
                    "--unsafe-fixes",
                    "--diff",
                    "--select",
                    &select,
                ],
            );
            assert_eq!(status, 1, "{label}: --diff shows no fix\n{stderr}");
            diffs.push_str(&format!("# {label}\n{diff}\n"));
            let (_, _, stderr) = run(
                dir.path(),
                &["check", ".", "--unsafe-fixes", "--select", &select],
            );
            assert!(stderr.contains("fixed"), "{label}: {stderr}");

            let after = findings(dir.path(), &select);
            assert!(
                after.iter().all(|f| f.0 != doc.code && f.0 != "BL001"),
                "{label}: still reported after the fix: {after:#?}\n{}",
                std::fs::read_to_string(dir.path().join(name)).unwrap()
            );
            let added: Vec<_> = after
                .difference(&before)
                .filter(|f| !REVEALED.contains(&(doc.code.as_str(), f.0.as_str())))
                .collect();
            assert!(
                added.is_empty(),
                "{label}: the fix added findings {added:#?}\n{}",
                std::fs::read_to_string(dir.path().join(name)).unwrap()
            );
            let (status, again, _) = run(
                dir.path(),
                &[
                    "check",
                    ".",
                    "--unsafe-fixes",
                    "--diff",
                    "--select",
                    &select,
                ],
            );
            assert!(
                status == 0 && again.is_empty(),
                "{label}: a second run still changes the file:\n{again}"
            );
            if let Some(lint) = &lint
                && name.starts_with("template")
            {
                let out = std::process::Command::new(lint)
                    .arg(dir.path().join(name))
                    .output()
                    .unwrap();
                // Exit 0: no issue; 4 and 8: warnings and informational only.
                let code = out.status.code().unwrap_or(-1);
                assert!(
                    code & 2 == 0 && code >= 0,
                    "{label}: cfn-lint finds errors in the fixed template:\n{}\n{}",
                    String::from_utf8_lossy(&out.stdout),
                    std::fs::read_to_string(dir.path().join(name)).unwrap()
                );
            }
        }
        insta::assert_snapshot!(format!("fix_{}", doc.code), diffs);
        fixed_rules += 1;
    }
    assert!(fixed_rules >= 10, "{fixed_rules} rules have fixes");
}
