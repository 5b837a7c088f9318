//! Terraform plans and states (`terraform show -json`) as inputs: the fixtures under
//! `testdata/plans/` follow HashiCorp's documented JSON output format (no Terraform
//! binary needed): a provider v4+ plan with `count` and `for_each` modules, values
//! only known after apply and a sensitive value; a provider v3 plan and state; a
//! plan whose security settings are unknown.

mod common;

use common::{bucketlint_in, project, root};
use serde_json::Value;
use std::collections::BTreeSet;

fn scan(args: &[&str]) -> (i32, Value) {
    let out = bucketlint_in(root())
        .arg("check")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&out.stderr));
    });
    (out.status.code().unwrap(), json)
}

/// `(code, resource)` of every finding.
fn pairs(report: &Value) -> BTreeSet<(String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["resource"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn a_plan_is_judged_as_its_code_is() {
    let (code_status, code) = scan(&["testdata/plans/v4-modules"]);
    let (plan_status, plan) = scan(&["testdata/plans/v4-modules/plan.json"]);
    assert_eq!((code_status, plan_status), (1, 1));
    let from_code = pairs(&code);
    assert!(from_code.len() > 20, "{from_code:?}");
    assert_eq!(pairs(&plan), from_code);
    // The code is on disk beside the plan: every finding points where the code
    // points, and keeps the planned value as a related location.
    let places = |report: &Value| -> BTreeSet<String> {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                format!(
                    "{} {} {}:{}:{}",
                    f["code"], f["resource"], f["path"], f["start"]["line"], f["start"]["column"]
                )
            })
            .collect()
    };
    assert_eq!(places(&plan), places(&code));
    for f in plan["findings"].as_array().unwrap() {
        let related = f["related"].to_string();
        assert!(
            related.contains("the planned value (") && related.contains("plan.json"),
            "{f}"
        );
    }
    let acl = plan["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "BL110")
        .unwrap();
    assert_eq!(
        acl["path"],
        "testdata/plans/v4-modules/modules/site/main.tf"
    );
    assert!(
        acl["related"]
            .to_string()
            .contains("the planned value (module.sites[\\\"a\\\"].aws_s3_bucket_acl.site.acl)"),
        "{acl}"
    );
    // The directory walk read the code and said why it left the plan alone.
    let notices = code["notices"].to_string();
    assert!(
        notices.contains("a Terraform plan (terraform show -json): name it on the command line"),
        "{notices}"
    );
}

#[test]
fn module_instances_references_and_unknowns_in_a_plan() {
    let (_, plan) = scan(&["testdata/plans/v4-modules/plan.json"]);
    let found = pairs(&plan);
    let has = |code: &str, resource: &str| found.contains(&(code.into(), resource.into()));
    // `for_each` and `count` module instances, by their plan addresses.
    assert!(has("BL110", "module.sites[\"a\"].aws_s3_bucket.site"));
    assert!(has("BL110", "module.sites[\"b\"].aws_s3_bucket.site"));
    assert!(has("BL401", "module.logs[1].aws_s3_bucket.this"));
    // The scratch bucket's name is generated (unknown in the plan): its versioning
    // joins it through the code's reference, as in the code.
    assert!(has("BL401", "aws_s3_bucket.scratch"));
    // Its policy is only known after apply: no finding says it lacks one.
    assert!(!has("BL210", "aws_s3_bucket.scratch"), "{found:?}");
    // The fully configured bucket: nothing, though its v4 `aws_s3_bucket` shows
    // `versioning`, `logging` and the rest as unknown (computed from the split
    // resources).
    assert!(
        !found.iter().any(|(_, r)| r == "aws_s3_bucket.data"),
        "{found:?}"
    );
}

#[test]
fn sensitive_plan_values_are_never_printed() {
    for format in ["text", "json", "sarif", "markdown", "concise"] {
        let out = bucketlint_in(root())
            .args([
                "check",
                "testdata/plans/v4-modules/plan.json",
                "--format",
                format,
            ])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(!text.is_empty());
        assert!(
            !text.contains("s3cr3t"),
            "{format} printed a sensitive value"
        );
    }
}

/// Without the code on disk (a plan copied elsewhere), findings stay in the plan.
#[test]
fn without_its_code_a_plan_finding_points_into_the_plan() {
    let plan = std::fs::read_to_string(root().join("testdata/plans/v4-modules/plan.json")).unwrap();
    let dir = project(&[("plan.json", &plan)]);
    let out = bucketlint_in(dir.path())
        .args(["check", "plan.json", "--format", "json"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert!(findings.len() > 20);
    assert!(findings.iter().all(|f| f["path"] == "plan.json"));
}

/// A module source leading out of the plan's directory is not followed.
#[test]
fn module_sources_outside_the_root_are_not_read() {
    let plan = std::fs::read_to_string(root().join("testdata/plans/v4-modules/plan.json"))
        .unwrap()
        .replace("./modules/site", "../outside");
    let site =
        std::fs::read_to_string(root().join("testdata/plans/v4-modules/modules/site/main.tf"))
            .unwrap();
    let dir = project(&[
        ("root/plan.json", &plan),
        ("root/main.tf", "# the root\n"),
        ("outside/main.tf", &site),
    ]);
    let out = bucketlint_in(dir.path())
        .args(["check", "root/plan.json", "--format", "json"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let bl110 = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "BL110")
        .unwrap();
    assert_eq!(bl110["path"], "root/plan.json", "{bl110}");
}

#[test]
fn unknown_security_settings_in_a_plan_never_find() {
    let (_, plan) = scan(&["testdata/plans/unknown-acl/plan.json"]);
    let codes: BTreeSet<String> = pairs(&plan).into_iter().map(|(c, _)| c).collect();
    // The ACL and one public access block flag are only known after apply.
    for silent in ["BL110", "BL111", "BL112", "BL103", "BL100"] {
        assert!(!codes.contains(silent), "{silent}: {codes:?}");
    }
    // What is known is still judged.
    assert!(codes.contains("BL401"), "{codes:?}");
}

#[test]
fn a_provider_v3_state_is_judged() {
    let (status, state) = scan(&["testdata/plans/v3-state/state.json"]);
    assert_eq!(status, 1);
    let found = pairs(&state);
    for (code, resource) in [
        ("BL110", "aws_s3_bucket.assets"),
        ("BL401", "aws_s3_bucket.assets"),
        ("BL202", "aws_s3_bucket.archive"),
    ] {
        assert!(
            found.contains(&(code.into(), resource.into())),
            "{code} {resource}: {found:?}"
        );
    }
    // Versioned, encrypted and logged: none of those findings on the archive.
    for code in ["BL401", "BL201", "BL301"] {
        assert!(!found.contains(&(code.into(), "aws_s3_bucket.archive".into())));
    }
}

#[test]
fn a_provider_v3_plan_is_judged() {
    let (status, plan) = scan(&["testdata/plans/v3-plan/plan.json"]);
    assert_eq!(status, 1);
    let codes: BTreeSet<String> = pairs(&plan).into_iter().map(|(c, _)| c).collect();
    // Inline `acl`, `versioning` and `website` of a provider v3 bucket.
    for code in ["BL110", "BL401", "BL130"] {
        assert!(codes.contains(code), "{code}: {codes:?}");
    }
}

/// `terraform show -json PLANFILE > tfplan`: any name, when named on the command line.
#[test]
fn a_plan_under_any_name_is_read_when_named() {
    let plan = std::fs::read_to_string(root().join("testdata/plans/v3-plan/plan.json")).unwrap();
    let dir = project(&[("tfplan", &plan), ("notes", "not a plan\n")]);
    let out = bucketlint_in(dir.path())
        .args(["check", "tfplan", "notes", "--format", "concise"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("tfplan:15:20: BL110"), "{text}{err}");
    assert!(
        text.contains("notes: note: not a Terraform or CloudFormation file"),
        "{text}{err}"
    );
}

#[test]
fn an_unsupported_plan_format_is_a_located_error_and_the_scan_goes_on() {
    let dir = project(&[
        (
            "plan.json",
            "{\n  \"format_version\": \"2.0\",\n  \"terraform_version\": \"2.0.0\",\n  \"planned_values\": {}\n}\n",
        ),
        (
            "main.tf",
            "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n  acl    = \"public-read\"\n}\n",
        ),
    ]);
    let out = bucketlint_in(dir.path())
        .args(["check", "plan.json", ".", "--format", "concise"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains(
            "plan.json:2:21: BL001 [high] plan format 2.0 is not supported: bucketlint reads format 1.x"
        ),
        "{text}"
    );
    assert!(text.contains("main.tf:3:12: BL110"), "{text}");
}

#[test]
fn json_named_on_the_command_line_that_is_not_a_plan_is_read_as_before() {
    // A template that mentions both keys stays a template.
    let dir = project(&[(
        "t.json",
        r#"{"Metadata": {"format_version": "1", "terraform_version": "x"}, "Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": {"AccessControl": "PublicRead"}}}}"#,
    )]);
    let out = bucketlint_in(dir.path())
        .args(["check", "t.json", "--format", "concise"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("BL110"), "{text}");
}

/// A suppression comment in the code a plan came from covers the plan's findings
/// moved there, as it covers the code's own: above a resource block, at the end of
/// a line, and in a module's file.
#[test]
fn suppression_comments_in_the_code_cover_the_plan_findings() {
    let src = root().join("testdata/plans/v4-modules");
    let dir = tempfile::tempdir().unwrap();
    let copy = |from: &std::path::Path, to: &std::path::Path| {
        for entry in walk(from) {
            let rel = entry.strip_prefix(from).unwrap();
            let dest = to.join(rel);
            std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
            std::fs::copy(&entry, dest).unwrap();
        }
    };
    copy(&src, dir.path());
    let main = dir.path().join("main.tf");
    let text = std::fs::read_to_string(&main).unwrap();
    let text = text
        .replace(
            "resource \"aws_s3_bucket\" \"scratch\" {",
            "# bucketlint:ignore BL100,BL201 scratch space, reviewed\nresource \"aws_s3_bucket\" \"scratch\" {",
        )
        .replace(
            "status = \"Suspended\"",
            "status = \"Suspended\" # bucketlint:ignore BL401 scratch space",
        );
    std::fs::write(&main, text).unwrap();
    let out = bucketlint_in(dir.path())
        .args(["check", "plan.json", "--format", "json"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let scratch: Vec<(&str, bool)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["resource"] == "aws_s3_bucket.scratch")
        .map(|f| {
            (
                f["code"].as_str().unwrap(),
                f.get("suppressed").is_some_and(|s| !s.is_null()),
            )
        })
        .collect();
    for code in ["BL100", "BL201", "BL401"] {
        assert!(scratch.contains(&(code, true)), "{code}: {scratch:?}");
    }
    // Not suppressed: what the comments do not name.
    assert!(scratch.contains(&("BL301", false)), "{scratch:?}");
    // The other buckets' findings stay.
    assert!(report["findings"].as_array().unwrap().iter().any(|f| {
        f["code"] == "BL100"
            && f["resource"] == "module.logs[0].aws_s3_bucket.this"
            && f.get("suppressed").is_none_or(Value::is_null)
    }));
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
