//! Every rule that has a fix, on its own bad examples (Terraform, CloudFormation YAML
//! and JSON): `--unsafe-fixes` removes the finding, the file still parses, a rescan
//! adds no finding of the default rules, and a second run changes nothing. The
//! diffs are snapshots; fixed templates are checked by cfn-lint when it is installed.

mod common;

use bucketlint::rules::{self, ExampleFormat, ExampleKind, FixAvailability};
use common::{bucketlint_in, project};
use std::collections::BTreeSet;
use std::fmt::Write;
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
                let _ = write!(diffs, "# {label}\nno fix: {why}\n\n");
                continue;
            }
            let (status, diff, stderr) = run(dir.path(), &diff_args);
            assert_eq!(status, 1, "{label}: --diff shows no fix\n{stderr}");
            let _ = write!(diffs, "# {label}\n{diff}\n");
            let (_, _, stderr) = run(dir.path(), &fix_args);
            assert!(stderr.contains("fixed"), "{label}: {stderr}");

            let fixed = std::fs::read_to_string(dir.path().join(name)).unwrap();
            // A second, independent parser agrees the fixed Terraform is valid HCL.
            if name == "main.tf" {
                assert!(
                    hcl_edit::parser::parse_body(&fixed).is_ok(),
                    "{label}: hcl-edit rejects the fixed file:\n{fixed}"
                );
            }
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

/// SARIF carries the fixes as `artifactChanges`: valid against the 2.1.0 schema, and
/// applying its replacements gives the file `--fix` writes.
#[test]
fn sarif_fixes_are_the_edits_fix_applies() {
    let text = "resource \"aws_s3_bucket\" \"b\" {\n  bucket        = \"x\"\n  force_destroy = true\n}\n\nresource \"aws_s3_bucket_public_access_block\" \"b\" {\n  bucket            = aws_s3_bucket.b.id\n  block_public_acls = false\n}\n";
    let dir = project(&[("main.tf", text)]);
    let (_, sarif, _) = run(
        dir.path(),
        &[
            "check",
            ".",
            "--format",
            "sarif",
            "--select",
            "BL101,BL102,BL407",
        ],
    );
    common::assert_valid_sarif(&sarif);
    let doc: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    let results = doc["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 3, "{sarif}");
    // (line, column) to byte offset; the text is ASCII, so UTF-16 columns are bytes.
    let offset = |line: u64, column: u64| {
        text.split_inclusive('\n')
            .take(line as usize - 1)
            .map(str::len)
            .sum::<usize>()
            + column as usize
            - 1
    };
    let mut edits = Vec::new();
    for r in results {
        let fix = &r["fixes"][0];
        assert_eq!(fix["properties"]["applicability"], "safe", "{r}");
        let change = &fix["artifactChanges"][0];
        assert_eq!(change["artifactLocation"]["uri"], "main.tf");
        for rep in change["replacements"].as_array().unwrap() {
            let region = &rep["deletedRegion"];
            let start = offset(
                region["startLine"].as_u64().unwrap(),
                region["startColumn"].as_u64().unwrap(),
            );
            let end = offset(
                region["endLine"].as_u64().unwrap(),
                region["endColumn"].as_u64().unwrap(),
            );
            edits.push((
                start,
                end,
                rep["insertedContent"]["text"].as_str().unwrap().to_string(),
            ));
        }
    }
    edits.sort();
    let mut applied = text.to_string();
    for (start, end, new) in edits.iter().rev() {
        applied.replace_range(start..end, new);
    }
    let (status, _, stderr) = run(
        dir.path(),
        &["check", ".", "--fix", "--select", "BL101,BL102,BL407"],
    );
    assert_eq!(status, 0, "{stderr}");
    assert!(stderr.contains("3 fixed"), "{stderr}");
    let fixed = std::fs::read_to_string(dir.path().join("main.tf")).unwrap();
    assert_eq!(applied, fixed);
    assert!(
        fixed.contains("  block_public_acls  = true\n  ignore_public_acls = true\n"),
        "{fixed}"
    );
}

/// A fix never writes through a symbolic link (it may lead anywhere) nor into
/// `.terraform/`, and `--diff` writes nothing.
#[test]
fn fixes_stay_inside_the_scanned_files() {
    let bad =
        "resource \"aws_s3_bucket\" \"b\" {\n  bucket        = \"x\"\n  force_destroy = true\n}\n";
    let outside = project(&[("target.tf", bad)]);
    let dir = project(&[("main.tf", bad), (".terraform/modules/m/main.tf", bad)]);
    #[cfg(unix)]
    std::os::unix::fs::symlink(outside.path().join("target.tf"), dir.path().join("link.tf"))
        .unwrap();
    let (status, diff, _) = run(dir.path(), &["check", ".", "--diff", "--select", "BL407"]);
    assert_eq!(status, 1);
    assert!(
        diff.contains("+++ b/main.tf") && !diff.contains("link.tf"),
        "{diff}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("main.tf")).unwrap(),
        bad
    );
    run(dir.path(), &["check", ".", "--fix", "--select", "BL407"]);
    assert!(
        std::fs::read_to_string(dir.path().join("main.tf"))
            .unwrap()
            .contains("force_destroy = false")
    );
    assert_eq!(
        std::fs::read_to_string(outside.path().join("target.tf")).unwrap(),
        bad
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join(".terraform/modules/m/main.tf")).unwrap(),
        bad
    );
}

/// A value written once and read once is fixed where it is written; a value read in
/// two places is not this fix's to change, and the run says why.
#[test]
fn values_are_fixed_at_their_origin_only_when_read_once() {
    let once = "variable \"fd\" {\n  default = true\n}\n\nresource \"aws_s3_bucket\" \"a\" {\n  bucket        = \"a\"\n  force_destroy = var.fd\n}\n";
    let dir = project(&[("main.tf", once)]);
    let (status, diff, _) = run(dir.path(), &["check", ".", "--diff", "--select", "BL407"]);
    assert_eq!(status, 1);
    assert!(
        diff.contains("-  default = true\n+  default = false\n"),
        "{diff}"
    );

    let twice = format!(
        "{once}\nresource \"aws_s3_bucket\" \"b\" {{\n  bucket        = \"b\"\n  force_destroy = var.fd\n}}\n"
    );
    let dir = project(&[("main.tf", &twice)]);
    let (status, diff, stderr) = run(dir.path(), &["check", ".", "--diff", "--select", "BL407"]);
    assert_eq!((status, diff.as_str()), (0, ""));
    assert!(
        stderr.contains("main.tf:7: BL407 not fixed: its value is written at main.tf:2, which is read in more than one place"),
        "{stderr}"
    );
}

/// A module outside the scanned paths is read (its findings are reported where the
/// root calls it) but not written: the run says so.
#[test]
fn modules_outside_the_scanned_paths_are_not_fixed() {
    let module = "variable \"name\" {}\n\nresource \"aws_s3_bucket\" \"b\" {\n  bucket        = var.name\n  force_destroy = true\n}\n";
    let dir = project(&[
        (
            "root/main.tf",
            "module \"m\" {\n  source = \"../modules/m\"\n  name   = \"x\"\n}\n",
        ),
        ("modules/m/main.tf", module),
    ]);
    let (status, diff, stderr) = run(dir.path(), &["check", "root", "--fix", "--select", "BL407"]);
    assert_eq!(status, 1, "{diff}{stderr}");
    assert!(
        stderr.contains(
            "modules/m/main.tf: not fixed: outside the scanned paths, or not a regular file"
        ),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("modules/m/main.tf")).unwrap(),
        module
    );
}

/// BL210 in a heredoc policy: the statement is appended to its JSON, indented like
/// the others, with the bucket's ARN interpolated; the result denies plain HTTP.
#[test]
fn tls_statement_is_added_to_a_heredoc_policy() {
    let text = "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n}\n\nresource \"aws_s3_bucket_policy\" \"b\" {\n  bucket = aws_s3_bucket.b.id\n  policy = <<EOF\n{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:root\"},\n      \"Action\": \"s3:GetObject\",\n      \"Resource\": \"${aws_s3_bucket.b.arn}/*\"\n    }\n  ]\n}\nEOF\n}\n";
    let dir = project(&[("main.tf", text)]);
    let (status, diff, stderr) = run(dir.path(), &["check", ".", "--fix", "--select", "BL210"]);
    assert_eq!(status, 0, "{diff}{stderr}");
    let fixed = std::fs::read_to_string(dir.path().join("main.tf")).unwrap();
    assert!(
        fixed.contains("    },\n    {\n      \"Sid\": \"DenyInsecureTransport\",\n"),
        "{fixed}"
    );
    assert!(
        fixed.contains("\"Resource\": [\n        \"${aws_s3_bucket.b.arn}\",\n        \"${aws_s3_bucket.b.arn}/*\"\n      ],"),
        "{fixed}"
    );
    assert!(hcl_edit::parser::parse_body(&fixed).is_ok(), "{fixed}");
}

/// A parameter default is changed only to a value its `AllowedValues` admit.
#[test]
fn parameter_defaults_stay_within_their_allowed_values() {
    let template = |allowed: &str| {
        format!(
            "Parameters:\n  Acl:\n    Type: String\n    Default: PublicRead\n    AllowedValues: [{allowed}]\nResources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      AccessControl: !Ref Acl\n"
        )
    };
    let dir = project(&[("t.yaml", &template("PublicRead, PublicReadWrite"))]);
    let (status, diff, _) = run(
        dir.path(),
        &[
            "check",
            ".",
            "--unsafe-fixes",
            "--diff",
            "--select",
            "BL110",
        ],
    );
    assert_eq!((status, diff.as_str()), (0, ""));
    let dir = project(&[("t.yaml", &template("PublicRead, Private"))]);
    let (status, diff, _) = run(
        dir.path(),
        &[
            "check",
            ".",
            "--unsafe-fixes",
            "--diff",
            "--select",
            "BL110",
        ],
    );
    assert_eq!(status, 1);
    assert!(
        diff.contains("-    Default: PublicRead\n+    Default: Private\n"),
        "{diff}"
    );
}
