//! `bucketlint drift --state STATE.json PATH`: `testdata/drift/state.json` is what is
//! deployed (HashiCorp's `terraform show -json` state format, provider v5 shape)
//! after console changes to the bucket `testdata/drift/main.tf` declares.

mod common;

use common::{bucketlint_in, project, root};
use serde_json::Value;
use std::collections::BTreeSet;

fn drift(dir: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let out = bucketlint_in(dir).arg("drift").args(args).output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn every_drift_kind_is_reported_with_its_rules_and_locations() {
    let (code, out, err) = drift(
        &root(),
        &[
            "--state",
            "testdata/drift/state.json",
            "testdata/drift/main.tf",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 1, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    let changes: BTreeSet<(&str, &str, &str, &str)> = report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["resource"].as_str().unwrap(),
                c["setting"].as_str().unwrap(),
                c["declared"].as_str().unwrap(),
                c["deployed"].as_str().unwrap(),
            )
        })
        .collect();
    let assets = "aws_s3_bucket.assets";
    for (setting, declared, deployed) in [
        ("block_public_policy", "true", "false"),
        ("restrict_public_buckets", "true", "false"),
        ("versioning", "Enabled", "Suspended"),
    ] {
        assert!(
            changes.contains(&(assets, setting, declared, deployed)),
            "{setting}: {changes:?}"
        );
    }
    // The policy gained a public statement: compared statement by statement, with
    // the code's ARN references and the state's literal ARNs read alike.
    let policy = changes
        .iter()
        .find(|c| c.1 == "policy")
        .expect("policy drift");
    assert!(policy.3.contains("Allow *:* s3:getobject"), "{policy:?}");
    assert!(!policy.2.contains("Allow"), "{policy:?}");
    // Encryption, logging (to a bucket of the code, by name) and the ACL (the owner's
    // own grant is the default private ACL) did not drift.
    assert_eq!(changes.len(), 4, "{changes:?}");
    // Each change points at the code and at the state.
    let first = &report["changes"][0];
    assert_eq!(first["declared_at"]["path"], "testdata/drift/main.tf");
    assert_eq!(first["deployed_at"]["path"], "testdata/drift/state.json");
    assert!(first["declared_at"]["line"].as_u64().unwrap() > 1);

    // The rules the deployed values break, with their controls.
    let broken: BTreeSet<&str> = report["broken"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        broken,
        ["BL103", "BL104", "BL120", "BL401"].into_iter().collect()
    );
    let bl120 = report["broken"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["code"] == "BL120")
        .unwrap();
    assert!(
        bl120["controls"]["fsbp"].to_string().contains("S3.2"),
        "{bl120}"
    );

    // The logs bucket moved into a module: matched by name, without drift; one
    // bucket on each side only.
    assert_eq!(report["matched"], 2);
    assert_eq!(report["undeclared"][0]["resource"], "aws_s3_bucket.legacy");
    assert_eq!(report["undeployed"][0]["resource"], "aws_s3_bucket.reports");
    assert!(
        report["remediation"]
            .as_str()
            .unwrap()
            .contains("terraform apply")
    );
}

#[test]
fn text_markdown_and_sarif_reports() {
    let args = |format: &'static str| {
        [
            "--state",
            "testdata/drift/state.json",
            "testdata/drift/main.tf",
            "--format",
            format,
        ]
    };
    let (_, text, _) = drift(&root(), &args("text"));
    assert!(text.contains("drift: aws_s3_bucket.assets"), "{text}");
    assert!(
        text.contains(
            "versioning: declared `Enabled` (testdata/drift/main.tf:19:14), deployed `Suspended` (testdata/drift/state.json:"
        ),
        "{text}"
    );
    assert!(text.contains("breaks BL120 [critical]"), "{text}");
    assert!(text.contains("= remediation: `terraform apply`"), "{text}");
    let (_, markdown, _) = drift(&root(), &args("markdown"));
    assert!(markdown.starts_with("## bucketlint drift"), "{markdown}");
    assert!(
        markdown.contains("### `aws_s3_bucket.assets`"),
        "{markdown}"
    );
    assert!(
        markdown.contains("| versioning | `Enabled` (`testdata/drift/main.tf:19:14`) |"),
        "{markdown}"
    );
    assert!(
        markdown.contains("### Deployed, no longer declared"),
        "{markdown}"
    );
    let (_, sarif, _) = drift(&root(), &args("sarif"));
    common::assert_valid_sarif(&sarif);
    let doc: Value = serde_json::from_str(&sarif).unwrap();
    let results = doc["runs"][0]["results"].as_array().unwrap();
    assert!(results.iter().any(|r| r["ruleId"] == "drift"));
    assert!(results.iter().any(|r| r["ruleId"] == "BL120"));
}

const BUCKET_TF: &str = "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"acme-b\"\n}\n\nresource \"aws_s3_bucket_versioning\" \"b\" {\n  bucket = aws_s3_bucket.b.id\n  versioning_configuration {\n    status = \"Enabled\"\n  }\n}\n";

fn state(versioning: &str, sensitive: bool) -> String {
    format!(
        r#"{{"format_version":"1.0","terraform_version":"1.9.0","values":{{"root_module":{{"resources":[
  {{"address":"aws_s3_bucket.b","mode":"managed","type":"aws_s3_bucket","name":"b","values":{{"bucket":"acme-b","object_lock_enabled":false}},"sensitive_values":{{}}}},
  {{"address":"aws_s3_bucket_versioning.b","mode":"managed","type":"aws_s3_bucket_versioning","name":"b","values":{{"bucket":"acme-b","versioning_configuration":[{{"status":"{versioning}"}}]}},"sensitive_values":{}}}
]}}}}}}"#,
        if sensitive {
            r#"{"versioning_configuration":[{"status":true}]}"#
        } else {
            "{}"
        }
    )
}

#[test]
fn deployed_as_declared_is_no_drift() {
    let dir = project(&[
        ("main.tf", BUCKET_TF),
        ("state.json", &state("Enabled", false)),
    ]);
    let (code, out, err) = drift(dir.path(), &["--state", "state.json", "main.tf"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("0 settings drifted"), "{out}");
    let (_, md, _) = drift(
        dir.path(),
        &["--state", "state.json", "main.tf", "--format", "markdown"],
    );
    assert!(
        md.contains("**No drift**: 1 bucket deployed as declared."),
        "{md}"
    );
}

#[test]
fn sensitive_deployed_values_are_never_printed_nor_judged() {
    let dir = project(&[
        ("main.tf", BUCKET_TF),
        ("state.json", &state("s3cr3t-Suspended", true)),
    ]);
    for format in ["text", "json", "markdown", "sarif"] {
        let (code, out, _) = drift(
            dir.path(),
            &["--state", "state.json", "main.tf", "--format", format],
        );
        assert_eq!(code, 0, "{out}");
        assert!(!out.contains("s3cr3t"), "{format}: {out}");
    }
}

/// A refresh-only plan (`terraform plan -refresh-only`) stands for what is deployed
/// now: its `prior_state` is read as the state.
#[test]
fn a_refresh_only_plan_is_read_as_its_prior_state() {
    let json = |state: &str| {
        let (code, out, err) = drift(
            &root(),
            &[
                "--state",
                state,
                "testdata/drift/main.tf",
                "--format",
                "json",
            ],
        );
        assert_eq!(code, 1, "{err}");
        let mut v: Value = serde_json::from_str(&out).unwrap();
        // The same drift, located in the other file.
        for c in v["changes"].as_array_mut().unwrap() {
            c["deployed_at"] = Value::Null;
        }
        for c in v["broken"].as_array_mut().unwrap() {
            c["deployed_at"] = Value::Null;
        }
        for c in v["undeclared"].as_array_mut().unwrap() {
            c["at"] = Value::Null;
        }
        v
    };
    assert_eq!(
        json("testdata/drift/refresh.json"),
        json("testdata/drift/state.json")
    );
}

#[test]
fn anything_else_is_not_a_state() {
    let dir = project(&[("main.tf", BUCKET_TF), ("state.json", "{\"version\": 4}")]);
    let (code, _, err) = drift(dir.path(), &["--state", "state.json", "main.tf"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("not a Terraform state (or plan) as `terraform show -json` writes it"),
        "{err}"
    );
    let dir = project(&[(
        "state.json",
        r#"{"format_version": "9.0", "terraform_version": "9", "values": {}}"#,
    )]);
    let (code, _, err) = drift(dir.path(), &["--state", "state.json", "."]);
    assert_eq!(code, 2);
    assert!(
        err.contains("state.json:1:20: state format 9.0 is not supported"),
        "{err}"
    );
}
