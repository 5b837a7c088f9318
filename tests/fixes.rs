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

/// Bad examples no fix can remedy on its own, and why: `--diff` must show nothing
/// for them (no fix is offered rather than a wrong one).
const UNFIXABLE: &[(&str, &str, &str)] = &[(
    "BL401",
    "Suspended in both branches of an undecidable condition",
    "the status differs between the deployments a condition selects; a person decides which branch changes",
)];

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
    // Every fixed template, for one cfn-lint run at the end.
    let templates = tempfile::tempdir().unwrap();
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
                findings(dir.path(), &doc.code)
                    .iter()
                    .any(|f| f.0 == doc.code),
                "{label}: no finding before the fix"
            );

            // Only this rule's fixes, so that no other rule's fix hides its finding.
            let only = doc.code.as_str();
            let fix_args = ["check", ".", "--unsafe-fixes", "--select", only];
            let diff_args = ["check", ".", "--unsafe-fixes", "--diff", "--select", only];
            if let Some((.., why)) = UNFIXABLE
                .iter()
                .find(|(code, title, _)| *code == only && *title == ex.title)
            {
                let (status, diff, _) = run(dir.path(), &diff_args);
                assert!(status == 0 && diff.is_empty(), "{label}: {diff}");
                diffs.push_str(&format!("# {label}\nno fix: {why}\n\n"));
                continue;
            }
            let (status, diff, stderr) = run(dir.path(), &diff_args);
            assert_eq!(status, 1, "{label}: --diff shows no fix\n{stderr}");
            diffs.push_str(&format!("# {label}\n{diff}\n"));
            let (_, _, stderr) = run(dir.path(), &fix_args);
            assert!(stderr.contains("fixed"), "{label}: {stderr}");

            let fixed = std::fs::read_to_string(dir.path().join(name)).unwrap();
            let after = findings(dir.path(), &select);
            assert!(
                findings(dir.path(), only).is_empty() && after.iter().all(|f| f.0 != "BL001"),
                "{label}: still reported after the fix: {after:#?}\n{fixed}"
            );
            let added: Vec<_> = after
                .difference(&before)
                .filter(|f| !REVEALED.contains(&(only, f.0.as_str())))
                .collect();
            assert!(
                added.is_empty(),
                "{label}: the fix added findings {added:#?}\n{fixed}"
            );
            let (status, again, _) = run(dir.path(), &diff_args);
            assert!(
                status == 0 && again.is_empty(),
                "{label}: a second run still changes the file:\n{again}"
            );
            if name.starts_with("template") {
                let copy = templates.path().join(format!("{}-{i}-{name}", doc.code));
                std::fs::write(copy, fixed).unwrap();
            }
        }
        insta::assert_snapshot!(format!("fix_{}", doc.code), diffs);
        fixed_rules += 1;
    }
    assert!(fixed_rules >= 10, "{fixed_rules} rules have fixes");
    if let Some(lint) = lint {
        let files: Vec<_> = std::fs::read_dir(templates.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert!(!files.is_empty());
        let out = std::process::Command::new(lint)
            .args(&files)
            .output()
            .unwrap();
        // Exit status bits: 2 errors, 4 warnings, 8 informational.
        let code = out.status.code().unwrap_or(-1);
        assert!(
            code >= 0 && code & 2 == 0,
            "cfn-lint finds errors in fixed templates:\n{}",
            String::from_utf8_lossy(&out.stdout)
        );
        eprintln!("cfn-lint accepts the {} fixed templates", files.len());
    }
}
