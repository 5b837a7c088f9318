//! Terraform evaluated as `terraform plan` would see it: inputs, functions,
//! instances and modules, through the command line on fixture projects.

mod common;

use common::{assert_valid_sarif, project, root};
use serde_json::Value;
use std::path::Path;

/// Runs `bucketlint check <dir> --format json <args>` with `env` set (and no
/// stray `TF_VAR_` from the caller) and returns the report.
fn check(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Value {
    let mut cmd = common::bucketlint_in(root());
    for (k, _) in std::env::vars() {
        if k.starts_with("TF_VAR_") {
            cmd.env_remove(k);
        }
    }
    cmd.envs(env.iter().copied())
        .arg("check")
        .arg(dir)
        .args(["--format", "json"])
        .args(args);
    let out = cmd.output().unwrap();
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "bucketlint failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the report is JSON")
}

/// Findings as `CODE resource path:line`, the path relative to `dir`.
fn found(dir: &Path, report: &Value) -> Vec<String> {
    let prefix = dir.to_string_lossy().replace('\\', "/");
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let path = f["path"].as_str().unwrap().replace('\\', "/");
            let path = path
                .strip_prefix(&prefix)
                .map_or(path.as_str(), |p| p.trim_start_matches('/'));
            format!(
                "{} {} {}:{}",
                f["code"].as_str().unwrap(),
                f["resource"].as_str().unwrap_or("-"),
                path,
                f["start"]["line"]
            )
        })
        .collect()
}

/// A fixture project, relative to the repository root as reports show it.
fn fixture(name: &str) -> std::path::PathBuf {
    Path::new("testdata/terraform").join(name)
}

fn run(dir: &Path, args: &[&str]) -> Vec<String> {
    found(dir, &check(dir, args, &[]))
}

#[test]
fn acls_from_a_variable_default_and_from_terraform_tfvars() {
    let dir = fixture("acl-from-variables");
    let report = check(&dir, &["--select", "BL110"], &[]);
    assert_eq!(
        found(&dir, &report),
        [
            "BL110 aws_s3_bucket.website main.tf:30",
            "BL110 aws_s3_bucket.uploads main.tf:39",
        ]
    );
    // Each finding shows where the value came from: the default, the tfvars line.
    let origins: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let r = &f["related"][0];
            format!(
                "{}:{}",
                Path::new(r["path"].as_str().unwrap())
                    .file_name()
                    .unwrap()
                    .to_string_lossy(),
                r["start"]["line"]
            )
        })
        .collect();
    assert_eq!(origins, ["main.tf:6", "terraform.tfvars:2"]);
    // The bucket name uses a local built from a tfvars value.
    assert!(
        report["findings"][1]["message"]
            .as_str()
            .unwrap()
            .contains("(acme-staging-uploads)")
    );
}

#[test]
fn command_line_variables_override_tfvars_files() {
    let dir = fixture("acl-from-variables");
    assert_eq!(
        run(&dir, &["--select", "BL110", "--var", "uploads_acl=private"]),
        ["BL110 aws_s3_bucket.website main.tf:30"]
    );
}

#[test]
fn a_policy_assembled_with_merge_concat_and_jsonencode() {
    let dir = fixture("policy-merge");
    // The anonymous statement is public; both policies deny plain HTTP (BL210 quiet).
    assert_eq!(
        run(&dir, &["--select", "BL120,BL210"]),
        ["BL120 aws_s3_bucket.downloads main.tf:38"]
    );
    assert!(
        run(
            &dir,
            &["--select", "BL120,BL210", "--var", "public_downloads=false"]
        )
        .is_empty()
    );
}

#[test]
fn count_on_a_feature_flag_from_every_input_source() {
    let dir = fixture("count-flag");
    let on = ["BL110 aws_s3_bucket.mirror[0] main.tf:21"];
    // Off by default: a resource with count 0 is not checked.
    assert!(run(&dir, &["--select", "BL110"]).is_empty());
    assert_eq!(
        run(&dir, &["--select", "BL110", "--var", "enable_mirror=true"]),
        on
    );
    let var_file = dir.join("mirror.tfvars");
    let var_file = var_file.to_str().unwrap();
    assert_eq!(
        run(&dir, &["--select", "BL110", "--var-file", var_file]),
        on
    );
    let env = [("TF_VAR_enable_mirror", "true")];
    assert_eq!(found(&dir, &check(&dir, &["--select", "BL110"], &env)), on);
    // --var beats --var-file, which beats the environment.
    assert!(
        found(
            &dir,
            &check(
                &dir,
                &[
                    "--select",
                    "BL110",
                    "--var-file",
                    var_file,
                    "--var",
                    "enable_mirror=false"
                ],
                &env
            )
        )
        .is_empty()
    );
    assert!(
        found(
            &dir,
            &check(
                &dir,
                &["--select", "BL110", "--var", "enable_mirror=false"],
                &env
            )
        )
        .is_empty()
    );
}

#[test]
fn tfvars_files_override_the_environment_and_auto_tfvars_override_terraform_tfvars() {
    let main = r#"
variable "acl" {
  type    = string
  default = "private"
}
resource "aws_s3_bucket" "b" {
  bucket = "acme-precedence"
}
resource "aws_s3_bucket_acl" "b" {
  bucket = aws_s3_bucket.b.id
  acl    = var.acl
}
"#;
    let env = [("TF_VAR_acl", "public-read")];
    let dir = project(&[("main.tf", main)]);
    assert_eq!(
        found(dir.path(), &check(dir.path(), &["--select", "BL110"], &env)),
        ["BL110 aws_s3_bucket.b main.tf:11"]
    );
    let dir = project(&[
        ("main.tf", main),
        ("terraform.tfvars", "acl = \"private\"\n"),
    ]);
    assert!(found(dir.path(), &check(dir.path(), &["--select", "BL110"], &env)).is_empty());
    let dir = project(&[
        ("main.tf", main),
        ("terraform.tfvars", "acl = \"private\"\n"),
        ("z.auto.tfvars.json", r#"{"acl": "public-read-write"}"#),
    ]);
    let report = check(dir.path(), &["--select", "BL110"], &env);
    assert_eq!(
        found(dir.path(), &report),
        ["BL110 aws_s3_bucket.b main.tf:11"]
    );
    assert!(
        report["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("public-read-write")
    );
}

#[test]
fn for_each_over_a_map_reports_only_the_misconfigured_entries() {
    let dir = fixture("for-each-map");
    assert_eq!(
        run(&dir, &["--select", "BL110,BL401"]),
        [
            r#"BL110 aws_s3_bucket.domain["media"] main.tf:23"#,
            r#"BL401 aws_s3_bucket.domain["events"] main.tf:30"#,
        ]
    );
}

#[test]
fn a_local_module_instantiated_twice_reports_at_the_module_source_per_instance() {
    let dir = fixture("local-module");
    let report = check(&dir, &[], &[]);
    // Only the instance given `versioning = false` is reported; the logging wired
    // through module outputs counts for the data bucket, and the logs bucket is a
    // log target.
    assert_eq!(
        found(&dir, &report),
        ["BL401 module.logs.aws_s3_bucket.this modules/bucket/main.tf:25"]
    );
    let f = &report["findings"][0];
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("module.logs.aws_s3_bucket.this (acme-access-logs)")
    );
    let call = &f["related"][0];
    assert!(
        call["path"]
            .as_str()
            .unwrap()
            .ends_with("local-module/main.tf")
    );
    assert_eq!(call["start"]["line"], 3);
    assert_eq!(call["message"], "the module instance is created here");
}

#[test]
fn instances_with_identical_inputs_give_one_finding_naming_every_instance() {
    let dir = project(&[
        (
            "main.tf",
            r#"
module "a" {
  source = "./bucket"
}
module "b" {
  source = "./bucket"
}
module "c" {
  source  = "./bucket"
  private = true
}
"#,
        ),
        (
            "bucket/main.tf",
            r#"
variable "private" {
  default = false
}
resource "aws_s3_bucket" "this" {
  acl = var.private ? "private" : "public-read"
}
"#,
        ),
    ]);
    let sarif_path = dir.path().join("out.sarif");
    let sarif_arg = format!("sarif={}", sarif_path.display());
    let report = check(
        dir.path(),
        &["--select", "BL110", "--format", &sarif_arg],
        &[],
    );
    assert_eq!(
        found(dir.path(), &report),
        ["BL110 module.a.aws_s3_bucket.this bucket/main.tf:6"]
    );
    let f = &report["findings"][0];
    assert_eq!(
        f["instances"],
        serde_json::json!(["module.b.aws_s3_bucket.this"])
    );
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("(and in 1 more module instance: module.b.aws_s3_bucket.this)")
    );
    // Both call sites are related locations.
    let calls: Vec<u64> = f["related"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["message"] == "the module instance is created here")
        .map(|r| r["start"]["line"].as_u64().unwrap())
        .collect();
    assert_eq!(calls, [2, 5]);
    // SARIF names both instances as logical locations.
    let sarif = std::fs::read_to_string(&sarif_path).unwrap();
    assert_valid_sarif(&sarif);
    let sarif: Value = serde_json::from_str(&sarif).unwrap();
    let names: Vec<&str> = sarif["runs"][0]["results"][0]["locations"][0]["logicalLocations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["fullyQualifiedName"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["module.a.aws_s3_bucket.this", "module.b.aws_s3_bucket.this"]
    );
}

#[test]
fn an_installed_registry_module_is_evaluated_through_its_source() {
    let dir = fixture("registry-module");
    let report = check(&dir, &[], &[]);
    // The module's public access block takes `ignore_public_acls = false` from the
    // call, so the public ACL counts; the other inputs (versioning, encryption, TLS
    // policy, logging) satisfy their rules through the module's own resources.
    assert_eq!(
        found(&dir, &report),
        [
            "BL110 module.assets.aws_s3_bucket.this[0] .terraform/modules/assets/main.tf:25",
            "BL102 module.assets.aws_s3_bucket.this[0] .terraform/modules/assets/main.tf:111",
            // `object_ownership = "ObjectWriter"` reaches the module's ownership controls.
            "BL113 module.assets.aws_s3_bucket.this[0] .terraform/modules/assets/main.tf:121",
        ]
    );
    // The module that is declared but not installed is named, not silently skipped.
    let notices = report["notices"].as_array().unwrap();
    assert_eq!(notices.len(), 1);
    assert!(
        notices[0]["message"]
            .as_str()
            .unwrap()
            .contains(r#"module "not_installed""#)
    );
}

#[test]
fn the_registry_module_with_secure_inputs_is_clean() {
    let fixture = fixture("registry-module");
    let module = |file: &str| {
        std::fs::read_to_string(
            root()
                .join(&fixture)
                .join(".terraform/modules/assets")
                .join(file),
        )
        .unwrap()
    };
    let (main, variables, outputs) = (
        module("main.tf"),
        module("variables.tf"),
        module("outputs.tf"),
    );
    let manifest = std::fs::read_to_string(
        root()
            .join(&fixture)
            .join(".terraform/modules/modules.json"),
    )
    .unwrap();
    let install = |call: &str| {
        project(&[
            ("main.tf", call),
            (".terraform/modules/modules.json", &manifest),
            (".terraform/modules/assets/main.tf", &main),
            (".terraform/modules/assets/variables.tf", &variables),
            (".terraform/modules/assets/outputs.tf", &outputs),
        ])
    };
    let call = |sse: &str| {
        format!(
            r#"
module "assets" {{
  source     = "terraform-aws-modules/s3-bucket/aws"
  bucket     = "acme-assets"
  versioning = {{ enabled = true }}
  {sse}
  attach_deny_insecure_transport_policy = true
  logging = {{ target_bucket = "acme-logs" }}
}}
"#
        )
    };
    let sse = r#"server_side_encryption_configuration = {
    rule = { apply_server_side_encryption_by_default = { sse_algorithm = "aws:kms", kms_master_key_id = "alias/assets" } }
  }"#;
    let dir = install(&call(sse));
    assert_eq!(run(dir.path(), &[]), Vec::<String>::new());
    // Without the encryption input the module creates no encryption resource.
    let dir = install(&call(""));
    assert_eq!(
        run(dir.path(), &[]),
        ["BL201 module.assets.aws_s3_bucket.this[0] .terraform/modules/assets/main.tf:7",]
    );
}

#[test]
fn dynamic_blocks_expand_over_their_for_each() {
    let dir = project(&[(
        "main.tf",
        r#"
variable "sse" {
  type    = list(string)
  default = []
}
resource "aws_s3_bucket" "b" {
  bucket = "acme-dynamic"
  dynamic "server_side_encryption_configuration" {
    for_each = var.sse
    content {
      rule {
        apply_server_side_encryption_by_default {
          sse_algorithm = server_side_encryption_configuration.value
        }
      }
    }
  }
}
"#,
    )]);
    let args = ["--select", "BL201"];
    assert_eq!(run(dir.path(), &args), ["BL201 aws_s3_bucket.b main.tf:6"]);
    let on = [
        &args[..],
        &["--var", r#"sse=["aws:kms"]"#, "--select", "BL003"],
    ]
    .concat();
    assert!(run(dir.path(), &on).is_empty());
}

#[test]
fn an_unknown_condition_reports_only_what_holds_either_way() {
    let dir = project(&[(
        "main.tf",
        r#"
variable "public" {
  type = bool
}
resource "aws_s3_bucket" "either" {
  acl = var.public ? "public-read" : "private"
}
resource "aws_s3_bucket" "both" {
  acl = var.public ? "public-read-write" : "public-read"
}
"#,
    )]);
    let report = check(dir.path(), &["--select", "BL110"], &[]);
    assert_eq!(
        found(dir.path(), &report),
        ["BL110 aws_s3_bucket.both main.tf:9"]
    );
    // Public in both worlds, but only public-read is certain.
    assert_eq!(report["findings"][0]["severity"], "high");
    assert!(
        report["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("`public-read`")
    );
    // Once the input is known, the choice is made.
    assert_eq!(
        run(dir.path(), &["--select", "BL110", "--var", "public=true"]),
        [
            "BL110 aws_s3_bucket.either main.tf:6",
            "BL110 aws_s3_bucket.both main.tf:9"
        ]
    );
}

#[test]
fn a_module_call_cycle_is_reported_and_the_rest_is_checked() {
    let dir = project(&[
        (
            "a/main.tf",
            "module \"b\" {\n  source = \"../b\"\n}\nresource \"aws_s3_bucket\" \"a\" {\n  acl = \"public-read\"\n}\n",
        ),
        ("b/main.tf", "module \"a\" {\n  source = \"../a\"\n}\n"),
    ]);
    let report = check(dir.path(), &["--select", "BL110"], &[]);
    // Each module calls the other, so neither is a root by the usual test; the
    // cycle is entered once, at its first module.
    assert_eq!(
        found(dir.path(), &report),
        ["BL110 aws_s3_bucket.a a/main.tf:5"]
    );
    let notices = report["notices"].as_array().unwrap();
    assert_eq!(notices.len(), 1, "{notices:?}");
    let message = notices[0]["message"].as_str().unwrap();
    assert!(
        message.contains("calls back into an enclosing module"),
        "{message}"
    );
    assert!(notices[0]["path"].as_str().unwrap().ends_with("/b"));
}

#[test]
fn file_and_templatefile_read_only_inside_the_scanned_paths() {
    let dir = project(&[
        (
            "project/main.tf",
            r#"
resource "aws_s3_bucket" "inside" {
  bucket = "inside"
}
resource "aws_s3_bucket_policy" "inside" {
  bucket = aws_s3_bucket.inside.id
  policy = templatefile("${path.module}/policies/read.json.tpl", { bucket = aws_s3_bucket.inside.bucket })
}
resource "aws_s3_bucket" "outside" {
  bucket = "outside"
}
resource "aws_s3_bucket_policy" "outside" {
  bucket = aws_s3_bucket.outside.id
  policy = file("${path.module}/../outside/policy.json")
}
"#,
        ),
        (
            "project/policies/read.json.tpl",
            r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::${bucket}/*"}]}"#,
        ),
        (
            "outside/policy.json",
            r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}"#,
        ),
    ]);
    let project_dir = dir.path().join("project");
    let args = ["--select", "BL120,BL003"];
    // The file outside the scan is not read: its value is unresolved (BL003), not
    // guessed.
    assert_eq!(
        run(&project_dir, &args),
        [
            "BL120 aws_s3_bucket.inside main.tf:7",
            "BL003 aws_s3_bucket.outside main.tf:14",
        ]
    );
    // Scanning the other directory too makes it readable.
    let outside = dir.path().join("outside");
    let out = common::bucketlint_in(root())
        .arg("check")
        .args([&project_dir, &outside])
        .args(["--format", "concise", "--select", "BL120"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(text.contains("aws_s3_bucket.outside"), "{text}");
}

#[cfg(unix)]
#[test]
fn file_does_not_follow_a_symlink_out_of_the_scan() {
    let dir = project(&[
        (
            "project/main.tf",
            r#"
resource "aws_s3_bucket" "b" {
  bucket = "b"
}
resource "aws_s3_bucket_policy" "b" {
  bucket = aws_s3_bucket.b.id
  policy = file("${path.module}/policy.json")
}
"#,
        ),
        (
            "secret/policy.json",
            r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}"#,
        ),
    ]);
    std::os::unix::fs::symlink(
        dir.path().join("secret/policy.json"),
        dir.path().join("project/policy.json"),
    )
    .unwrap();
    assert_eq!(
        run(&dir.path().join("project"), &["--select", "BL120,BL003"]),
        ["BL003 aws_s3_bucket.b main.tf:7"]
    );
}

#[test]
fn unresolved_values_are_reported_by_bl003_on_request() {
    let dir = fixture("unknown-values");
    let exposure = ["--select", "BL100,BL110,BL120,BL210"];
    // Unknown values give no exposure finding: nothing is guessed.
    assert!(run(&dir, &exposure).is_empty());
    // BL003 says where the rules were blocked. The access block writes its bucket
    // as the bucket writes its name (`var.bucket_name`): it is that bucket's.
    assert_eq!(
        run(&dir, &["--select", "BL003"]),
        [
            "BL003 aws_s3_bucket.this main.tf:21",
            "BL003 aws_s3_bucket.this main.tf:26",
        ]
    );
    // Given the values, the rules decide instead: the access block names the same
    // bucket, so the public ACL is ignored, and the policy does not deny plain HTTP.
    let vars = [
        "--var",
        "bucket_name=acme-data",
        "--var",
        "acl=public-read",
        "--var",
        r#"policy_json={"Statement":[]}"#,
    ];
    assert!(run(&dir, &[&["--select", "BL003"][..], &vars].concat()).is_empty());
    assert_eq!(
        run(&dir, &[&exposure[..], &vars].concat()),
        ["BL210 aws_s3_bucket.this main.tf:26"]
    );
}

#[test]
fn placeholders_replaced_by_unknown_values_keep_the_rest_of_the_policy() {
    // The terraform-aws-modules/s3-bucket idiom: a policy rendered with placeholders,
    // then `replace()`d with the bucket ARN and the account ID (known only after
    // apply). One statement depends on the region, also unknown.
    let dir = project(&[(
        "main.tf",
        r#"
data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

resource "aws_s3_bucket" "this" {
  bucket_prefix = "logs-"
}

locals {
  elb_accounts = { us-east-1 = "127311923021", eu-west-1 = "156460612806" }
}

data "aws_iam_policy_document" "elb" {
  dynamic "statement" {
    for_each = { for k, v in local.elb_accounts : k => v if k == data.aws_region.current.region }
    content {
      principals {
        type        = "AWS"
        identifiers = ["arn:aws:iam::${statement.value}:root"]
      }
      actions   = ["s3:PutObject"]
      resources = ["_S3_BUCKET_ARN_/*"]
    }
  }
}

data "aws_iam_policy_document" "tls" {
  statement {
    sid       = "denyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = ["_S3_BUCKET_ARN_", "_S3_BUCKET_ARN_/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
  statement {
    sid       = "AccountRead"
    actions   = ["s3:GetObject"]
    resources = ["_S3_BUCKET_ARN_/*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::_AWS_ACCOUNT_ID_:root"]
    }
  }
}

data "aws_iam_policy_document" "combined" {
  source_policy_documents = compact([
    data.aws_iam_policy_document.elb.json,
    data.aws_iam_policy_document.tls.json,
  ])
}

resource "aws_s3_bucket_policy" "this" {
  bucket = aws_s3_bucket.this.id
  policy = replace(
    replace(data.aws_iam_policy_document.combined.json, "_S3_BUCKET_ARN_", aws_s3_bucket.this.arn),
    "_AWS_ACCOUNT_ID_", data.aws_caller_identity.current.account_id
  )
}
"#,
    )]);
    let report = check(dir.path(), &["--select", "BL003,BL120,BL210"], &[]);
    // TLS is enforced by a known statement: BL210 is decided. Whether the unknown
    // statement is public cannot be, and BL003 says so.
    assert_eq!(
        found(dir.path(), &report),
        ["BL003 aws_s3_bucket.this main.tf:63"]
    );
    assert!(
        report["findings"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("some statements of the bucket policy")
    );
    // With the region known, nothing is left unknown and nothing is public.
    let dir_path = dir.path();
    let main = std::fs::read_to_string(dir_path.join("main.tf"))
        .unwrap()
        .replace("data.aws_region.current.region", "\"eu-west-1\"");
    std::fs::write(dir_path.join("main.tf"), main).unwrap();
    assert!(run(dir_path, &["--select", "BL003,BL120,BL210"]).is_empty());
}

#[test]
fn jsonencode_of_an_unknown_value_keeps_the_known_statements() {
    let dir = project(&[(
        "main.tf",
        r#"
variable "extra_statement" {}

resource "aws_s3_bucket" "b" {
  bucket = "acme-public"
}

resource "aws_s3_bucket_policy" "b" {
  bucket = aws_s3_bucket.b.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      var.extra_statement,
      {
        Effect    = "Allow"
        Principal = "*"
        Action    = "s3:GetObject"
        Resource  = "${aws_s3_bucket.b.arn}/*"
      },
    ]
  })
}
"#,
    )]);
    // The known statement is public whatever the unknown one says.
    assert_eq!(
        run(dir.path(), &["--select", "BL120"]),
        ["BL120 aws_s3_bucket.b main.tf:14"]
    );
}

#[test]
fn an_empty_source_policy_document_is_skipped_as_the_provider_does() {
    // The provider drops "" list elements (SDKv2 reads them as nil, and the data
    // source skips nil sources); modules default their extra-policy input to "".
    let dir = project(&[(
        "main.tf",
        r#"
variable "custom_bucket_policy" {
  type    = string
  default = ""
}
resource "aws_s3_bucket" "b" {
  bucket = "acme-private"
}
data "aws_iam_policy_document" "p" {
  source_policy_documents = [var.custom_bucket_policy]
  statement {
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.b.arn, "${aws_s3_bucket.b.arn}/*"]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}
resource "aws_s3_bucket_policy" "b" {
  bucket = aws_s3_bucket.b.id
  policy = data.aws_iam_policy_document.p.json
}
"#,
    )]);
    assert!(run(dir.path(), &["--select", "BL003,BL120,BL210"]).is_empty());
    // A public custom policy is merged in.
    let public = r#"custom_bucket_policy={"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}"#;
    assert_eq!(
        run(
            dir.path(),
            &["--select", "BL003,BL120,BL210", "--var", public]
        ),
        ["BL120 aws_s3_bucket.b main.tf:9"]
    );
}

#[test]
fn an_account_block_in_a_called_module_covers_the_whole_deployment_only() {
    let account = r#"
resource "aws_s3_account_public_access_block" "this" {
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}
"#;
    let bucket = "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"acme-b\"\n}\n";
    let dir = project(&[
        (
            "prod/main.tf",
            &format!("module \"baseline\" {{\n  source = \"../modules/baseline\"\n}}\n{bucket}"),
        ),
        ("modules/baseline/main.tf", account),
        ("dev/main.tf", bucket),
    ]);
    // prod deploys the account block through its module; dev is another
    // deployment (perhaps another account) and gets no credit for it.
    assert_eq!(
        run(dir.path(), &["--select", "BL100"]),
        ["BL100 aws_s3_bucket.b dev/main.tf:1"]
    );
}

#[test]
fn buckets_declared_in_a_yaml_file_read_with_yamldecode() {
    let dir = project(&[
        (
            "main.tf",
            r#"
locals {
  buckets = yamldecode(file("${path.module}/buckets.yaml"))
}
resource "aws_s3_bucket" "b" {
  for_each = local.buckets
  bucket   = "acme-${each.key}"
}
resource "aws_s3_bucket_acl" "b" {
  for_each = local.buckets
  bucket   = aws_s3_bucket.b[each.key].id
  acl      = each.value.acl
}
"#,
        ),
        (
            "buckets.yaml",
            "reports:\n  acl: private\nsite:\n  acl: public-read\n",
        ),
    ]);
    assert_eq!(
        run(dir.path(), &["--select", "BL110,BL003"]),
        [r#"BL110 aws_s3_bucket.b["site"] main.tf:12"#]
    );
}

#[test]
fn modules_nested_too_deep_are_reported_not_followed() {
    let mut files: Vec<(String, String)> = Vec::new();
    for level in 0..20 {
        files.push((
            format!("m{level}/main.tf"),
            format!(
                "module \"next\" {{\n  source = \"../m{}\"\n}}\nresource \"aws_s3_bucket\" \"b\" {{\n  acl = \"public-read\"\n}}\n",
                level + 1
            ),
        ));
    }
    files.push(("m20/main.tf".into(), String::new()));
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let dir = project(&refs);
    let report = check(dir.path(), &["--select", "BL110"], &[]);
    let notices = report["notices"].as_array().unwrap();
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert!(
        notices[0]["message"]
            .as_str()
            .unwrap()
            .contains("nested more than 16 modules deep")
    );
    assert!(notices[0]["path"].as_str().unwrap().ends_with("m16"));
    // The root and the 16 nested levels are checked; m17 and below are not.
    let found = found(dir.path(), &report);
    assert_eq!(found.len(), 17, "{found:?}");
    assert!(found.iter().any(|f| f.ends_with(" m16/main.tf:5")));
    assert!(!found.iter().any(|f| f.ends_with(" m17/main.tf:5")));
}

#[test]
fn modules_may_take_each_others_outputs() {
    // Terraform allows this when no value depends on itself: each bucket's ARN
    // depends only on its own name. Evaluating a module's arguments eagerly
    // looped until the depth limit and left both buckets unknown.
    let dir = project(&[
        (
            "main.tf",
            r#"
module "source" {
  source      = "./bucket"
  name        = "acme-source"
  partner_arn = module.destination.arn
}
module "destination" {
  source      = "./bucket"
  name        = "acme-destination"
  partner_arn = module.source.arn
}
"#,
        ),
        (
            "bucket/main.tf",
            r#"
variable "name" {}
variable "partner_arn" {}
resource "aws_s3_bucket" "this" {
  bucket = var.name
}
resource "aws_s3_bucket_policy" "this" {
  bucket = aws_s3_bucket.this.id
  policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "s3.amazonaws.com" }
      Action    = "s3:PutObject"
      Resource  = "${aws_s3_bucket.this.arn}/*"
      Condition = { ArnLike = { "aws:SourceArn" = var.partner_arn } }
    }]
  })
}
output "arn" {
  value = aws_s3_bucket.this.arn
}
"#,
        ),
    ]);
    let report = check(dir.path(), &["--select", "BL003,BL120,BL210"], &[]);
    // Both policies are fully known: no BL003, and both lack the TLS deny.
    assert_eq!(
        found(dir.path(), &report),
        [
            "BL210 module.destination.aws_s3_bucket.this bucket/main.tf:9",
            "BL210 module.source.aws_s3_bucket.this bucket/main.tf:9",
        ]
    );
    assert!(report["notices"].as_array().unwrap().is_empty());
}

#[test]
fn directories_for_other_clouds_are_left_out_but_modules_that_matter_are_not() {
    let dir = project(&[
        // A module with no AWS resource, called by a root that has one: its output
        // names the bucket, so it must still be read.
        (
            "naming/main.tf",
            "variable \"env\" {}\noutput \"acl\" {\n  value = var.env == \"prod\" ? \"private\" : \"public-read\"\n}\n",
        ),
        (
            "root/main.tf",
            "module \"naming\" {\n  source = \"../naming\"\n  env    = \"dev\"\n}\nresource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n  acl    = module.naming.acl\n}\n",
        ),
        // A root with no AWS name calling a module that has one.
        (
            "wrapper/main.tf",
            "module \"inner\" {\n  source = \"./inner\"\n}\n",
        ),
        (
            "wrapper/inner/main.tf",
            "resource \"aws_s3_bucket\" \"i\" {\n  acl = \"public-read\"\n}\n",
        ),
        // Google Cloud only, with a syntax error: not parsed by default.
        (
            "gcp/main.tf",
            "resource \"google_storage_bucket\" \"g\" {\n  name = \n}\n",
        ),
    ]);
    let codes = |v: &Value| -> Vec<String> {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == "BL110" || f["code"] == "BL001")
            .map(|f| {
                format!(
                    "{} {}",
                    f["code"].as_str().unwrap(),
                    f["path"].as_str().unwrap()
                )
            })
            .collect()
    };
    let default = check(dir.path(), &["--select", "BL110"], &[]);
    let found = codes(&default);
    assert!(
        found
            .iter()
            .any(|f| f.starts_with("BL110") && f.ends_with("root/main.tf")),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|f| f.starts_with("BL110") && f.ends_with("wrapper/inner/main.tf")),
        "{found:?}"
    );
    assert!(!found.iter().any(|f| f.starts_with("BL001")), "{found:?}");
    let notes = default["notices"].to_string();
    assert!(
        notes.contains(
            "name no AWS resource or data source and call no module that does: not parsed"
        ),
        "{notes}"
    );
    // --parse-all parses it, and reports its syntax error.
    let mut cmd = common::bucketlint_in(root());
    let out = cmd
        .arg("check")
        .arg(dir.path())
        .args(["--format", "json", "--select", "BL110", "--parse-all"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let all: Value = serde_json::from_slice(&out.stdout).unwrap();
    let found_all = codes(&all);
    assert!(
        found_all
            .iter()
            .any(|f| f.starts_with("BL001") && f.ends_with("gcp/main.tf")),
        "{found_all:?}"
    );
    assert_eq!(found_all.len(), found.len() + 1, "{found_all:?}");
}
