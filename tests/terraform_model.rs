//! How Terraform configurations become buckets: joins, scopes and unknowns.

mod common;

use bucketlint::selection::Selection;
use bucketlint::{Options, Scan, scan_paths};
use common::project;

fn scan(files: &[(&str, &str)], select: &str) -> (tempfile::TempDir, Scan) {
    let dir = project(files);
    let options = Options {
        selection: Selection::new(&[select.to_string()], &[]).unwrap(),
        ..Options::default()
    };
    let scan = scan_paths(&[dir.path().to_path_buf()], &options).unwrap();
    (dir, scan)
}

/// (file name relative to the project, line, code) of each finding.
fn found(dir: &tempfile::TempDir, scan: &Scan) -> Vec<(String, u32, String)> {
    let root = dir.path().to_string_lossy().to_string();
    scan.findings
        .iter()
        .map(|f| {
            let file = scan.sources.get(f.span.file);
            let rel = file.path.to_string_lossy().replace(&root, "");
            (
                rel.trim_start_matches('/').to_string(),
                file.position(f.span.start as usize).line,
                f.code.to_string(),
            )
        })
        .collect()
}

const BUCKET: &str = "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"acme-b\"\n}\n";

#[test]
fn account_block_applies_to_its_own_stack_only() {
    let account = "resource \"aws_s3_account_public_access_block\" \"a\" {\n  block_public_acls       = true\n  ignore_public_acls      = true\n  block_public_policy     = true\n  restrict_public_buckets = true\n}\n";
    let (dir, s) = scan(
        &[
            ("baseline/main.tf", account),
            ("baseline/bucket.tf", BUCKET),
            ("app/main.tf", BUCKET),
        ],
        "BL100",
    );
    assert_eq!(found(&dir, &s), [("app/main.tf".into(), 1, "BL100".into())]);
}

#[test]
fn split_resources_join_by_reference_index_and_literal_name_across_files() {
    let (dir, s) = scan(
        &[
            (
                "m/a.tf",
                "resource \"aws_s3_bucket\" \"c\" {\n  count  = 2\n  bucket = \"acme-c\"\n}\n",
            ),
            (
                "m/b.tf",
                "resource \"aws_s3_bucket_versioning\" \"c\" {\n  count  = 2\n  bucket = aws_s3_bucket.c[count.index].id\n  versioning_configuration {\n    status = \"Enabled\"\n  }\n}\n",
            ),
            ("n/a.tf", BUCKET),
            (
                "n/b.tf",
                "resource \"aws_s3_bucket_versioning\" \"b\" {\n  bucket = \"acme-b\"\n  versioning_configuration {\n    status = \"Suspended\"\n  }\n}\n",
            ),
        ],
        "BL401",
    );
    assert_eq!(found(&dir, &s), [("n/b.tf".into(), 4, "BL401".into())]);
}

#[test]
fn a_split_resource_overrides_the_inline_block() {
    let (dir, s) = scan(
        &[(
            "main.tf",
            "resource \"aws_s3_bucket\" \"b\" {\n  versioning {\n    enabled = true\n  }\n}\nresource \"aws_s3_bucket_versioning\" \"b\" {\n  bucket = aws_s3_bucket.b.id\n  versioning_configuration {\n    status = \"Suspended\"\n  }\n}\n",
        )],
        "BL401",
    );
    assert_eq!(found(&dir, &s), [("main.tf".into(), 9, "BL401".into())]);
}

#[test]
fn an_unresolved_split_resource_withholds_missing_findings_in_its_module() {
    let (dir, s) = scan(
        &[
            ("m/main.tf", BUCKET),
            (
                "m/pab.tf",
                "variable \"name\" {}\nresource \"aws_s3_bucket_public_access_block\" \"x\" {\n  bucket = var.name\n}\n",
            ),
            ("other/main.tf", BUCKET),
        ],
        "BL100",
    );
    // The module with the unresolved block: unknown, no finding. The other: finding.
    assert_eq!(
        found(&dir, &s),
        [("other/main.tf".into(), 1, "BL100".into())]
    );
}

#[test]
fn a_module_with_a_parse_error_withholds_what_the_broken_file_may_change() {
    let public = "resource \"aws_s3_bucket\" \"p\" {\n  acl = \"public-read\"\n  versioning {\n    enabled = false\n  }\n}\n";
    let (dir, s) = scan(
        &[("m/main.tf", public), ("m/broken.tf", "resource {\n")],
        "BL100,BL110,BL401,BL001",
    );
    // The broken file may hold a public access block (so neither BL100 nor BL110,
    // which depends on ignore_public_acls, can be decided); the versioning written
    // in main.tf is still reported.
    assert_eq!(
        found(&dir, &s),
        [
            ("m/broken.tf".into(), 1, "BL001".into()),
            ("m/main.tf".into(), 4, "BL401".into())
        ]
    );
}

#[test]
fn variables_and_locals_resolve_through_templates_and_functions() {
    let (dir, s) = scan(
        &[(
            "main.tf",
            "variable \"env\" {\n  default = \"prod\"\n}\nlocals {\n  acls = { prod = \"public-read\", dev = \"private\" }\n  acl  = lookup(local.acls, var.env, \"private\")\n}\nresource \"aws_s3_bucket\" \"b\" {\n  bucket = \"acme-${var.env}\"\n  acl    = local.acl\n}\n",
        )],
        "BL110",
    );
    assert_eq!(found(&dir, &s), [("main.tf".into(), 10, "BL110".into())]);
}

#[test]
fn trails_cover_buckets_of_their_own_stack() {
    let trail = "resource \"aws_cloudtrail\" \"t\" {\n  name = \"t\"\n  s3_bucket_name = \"logs\"\n  advanced_event_selector {\n    field_selector {\n      field  = \"eventCategory\"\n      equals = [\"Data\"]\n    }\n    field_selector {\n      field  = \"resources.type\"\n      equals = [\"AWS::S3::Object\"]\n    }\n  }\n}\n";
    let (dir, s) = scan(
        &[
            ("a/main.tf", BUCKET),
            ("a/trail.tf", trail),
            ("b/main.tf", BUCKET),
        ],
        "BL301",
    );
    assert_eq!(found(&dir, &s), [("b/main.tf".into(), 1, "BL301".into())]);
}

#[test]
fn a_trail_limited_to_another_bucket_or_to_reads_does_not_count() {
    let trail = |values: &str, rw: &str| {
        format!(
            "resource \"aws_cloudtrail\" \"t\" {{\n  name = \"t\"\n  s3_bucket_name = \"logs\"\n  event_selector {{\n    read_write_type = \"{rw}\"\n    data_resource {{\n      type   = \"AWS::S3::Object\"\n      values = [{values}]\n    }}\n  }}\n}}\n"
        )
    };
    for (values, rw, expect) in [
        ("\"arn:aws:s3:::acme-b/\"", "All", 0),
        ("\"${aws_s3_bucket.b.arn}/\"", "All", 0),
        ("\"arn:aws:s3:::other/\"", "All", 1),
        ("\"arn:aws:s3\"", "ReadOnly", 1),
    ] {
        let t = trail(values, rw);
        let (dir, s) = scan(&[("main.tf", BUCKET), ("trail.tf", &t)], "BL301");
        assert_eq!(found(&dir, &s).len(), expect, "{values} {rw}");
    }
}

#[test]
fn a_missing_module_is_said_for_every_root_whatever_batch_evaluates_it() {
    // Over 2 MB of source in `a` puts `b` in a later evaluation batch; both call the
    // same directory, which does not exist.
    let call = "module \"shared\" {\n  source = \"../missing\"\n}\n";
    let padding = format!("{BUCKET}{}", "# padding\n".repeat(220_000));
    let (_dir, scan) = scan(
        &[
            ("a/main.tf", call),
            ("a/padding.tf", &padding),
            ("b/main.tf", &format!("{call}{BUCKET}")),
        ],
        "BL401",
    );
    let missing: Vec<String> = scan
        .notices
        .iter()
        .filter(|n| n.message.contains("source ../missing not found"))
        .map(|n| n.path.file_name().unwrap().to_string_lossy().to_string())
        .collect();
    assert_eq!(missing, ["a", "b"], "{:?}", scan.notices);
}
