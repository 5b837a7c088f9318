//! `check --pre-commit`: staged files are scanned with their module directory,
//! and only findings in (or about) them are reported.

mod common;

use common::project;
use std::path::Path;

const BUCKET: &str = "resource \"aws_s3_bucket\" \"a\" {\n  bucket = \"example-a\"\n}\n";
const ACCESS: &str = r#"resource "aws_s3_bucket_public_access_block" "a" {
  bucket                  = aws_s3_bucket.a.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}
"#;

fn hook(dir: &Path, files: &[&str]) -> (i32, String) {
    let out = common::bucketlint_in(dir)
        .args(["check", "--pre-commit"])
        .args(files)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

#[test]
fn a_staged_file_is_checked_with_the_rest_of_its_module() {
    let dir = project(&[
        ("infra/main.tf", BUCKET),
        ("infra/access.tf", ACCESS),
        (
            "infra/modules/other/main.tf",
            &BUCKET.replace("\"a\"", "\"other\""),
        ),
        ("package.json", "{}"),
    ]);
    let (code, out) = hook(dir.path(), &["infra/main.tf", "package.json"]);
    assert_eq!(code, 1, "{out}");
    // Concise, one line per finding, all in the staged file.
    assert!(
        out.lines().all(|l| l.starts_with("infra/main.tf:1:1: BL")),
        "{out}"
    );
    // The access block in the unstaged sibling file counts: no BL100.
    assert!(!out.contains("BL100"), "{out}");
    assert!(out.contains("BL401"), "{out}");
    // Staging only the access block reports nothing about the bucket file.
    let (code, out) = hook(dir.path(), &["infra/access.tf"]);
    assert_eq!((code, out.as_str()), (0, ""));
}

#[test]
fn a_commit_without_infrastructure_files_passes_silently() {
    let dir = project(&[("README.md", "# hi\n"), ("package.json", "{}")]);
    assert_eq!(
        hook(dir.path(), &["README.md", "package.json"]),
        (0, String::new())
    );
    assert_eq!(hook(dir.path(), &[]), (0, String::new()));
}

#[test]
fn a_staged_module_call_reports_what_the_module_creates() {
    let dir = project(&[
        (
            "modules/site/main.tf",
            "variable \"acl\" {}\nresource \"aws_s3_bucket\" \"this\" {\n  bucket = \"example-site\"\n  acl    = var.acl\n}\n",
        ),
        (
            "main.tf",
            "module \"site\" {\n  source = \"./modules/site\"\n  acl    = \"public-read\"\n}\n",
        ),
    ]);
    let (code, out) = hook(dir.path(), &["main.tf"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("modules/site/main.tf:4:12: BL110"), "{out}");
}

#[test]
fn a_staged_tfvars_file_reports_its_module_and_exclude_applies() {
    let dir = project(&[
        (
            "env/main.tf",
            "variable \"acl\" {\n  default = \"private\"\n}\nresource \"aws_s3_bucket\" \"a\" {\n  bucket = \"example-a\"\n  acl    = var.acl\n}\n",
        ),
        ("env/terraform.tfvars", "acl = \"public-read\"\n"),
        ("bucketlint.toml", "exclude = [\"vendor/**\"]\n"),
        (
            "vendor/main.tf",
            "resource \"aws_s3_bucket\" \"v\" {\n  acl = \"public-read\"\n}\n",
        ),
    ]);
    let (code, out) = hook(dir.path(), &["env/terraform.tfvars"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("env/main.tf:6:12: BL110"), "{out}");
    let (code, out) = hook(dir.path(), &["vendor/main.tf"]);
    assert_eq!((code, out.as_str()), (0, ""));
}
