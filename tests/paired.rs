//! The same buckets in Terraform (v4 split resources), CloudFormation YAML and
//! CloudFormation JSON give the same (rule, bucket) findings.

mod common;

use bucketlint::{Options, scan_paths};
use common::{assert_valid_sarif, root};
use std::collections::BTreeSet;

/// (code, bucket) with the bucket named the same way in all three
/// (`aws_s3_bucket.site` and `Site` are both `site`).
fn findings(dir: &str) -> BTreeSet<(String, String)> {
    let scan = scan_paths(
        &[root().join("testdata/paired").join(dir)],
        &Options::default(),
    )
    .unwrap();
    assert!(!scan.incomplete(), "{dir}");
    let sarif = bucketlint::report::render(
        bucketlint::report::Format::Sarif,
        &scan,
        bucketlint::report::RenderOptions::default(),
    );
    assert_valid_sarif(&sarif);
    scan.findings
        .iter()
        .map(|f| {
            let resource = f.resource.clone().unwrap_or_default();
            let bucket: String = resource
                .trim_start_matches("aws_s3_bucket.")
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
                .to_lowercase();
            (f.code.to_string(), bucket)
        })
        .collect()
}

#[test]
fn terraform_and_cloudformation_agree() {
    let terraform = findings("terraform");
    let yaml = findings("cloudformation-yaml");
    let json = findings("cloudformation-json");
    let expected: BTreeSet<(String, String)> = [
        ("BL100", "drop"),
        ("BL102", "site"),
        ("BL103", "archive"),
        ("BL104", "site"),
        ("BL110", "site"),
        ("BL113", "site"),
        ("BL120", "drop"),
        ("BL201", "site"),
        ("BL202", "archive"),
        ("BL202", "drop"),
        ("BL210", "logs"),
        ("BL210", "site"),
        ("BL301", "site"),
        ("BL401", "archive"),
        ("BL401", "site"),
    ]
    .into_iter()
    .map(|(c, b)| (c.to_string(), b.to_string()))
    .collect();
    assert_eq!(terraform, expected, "terraform");
    assert_eq!(yaml, expected, "cloudformation-yaml");
    assert_eq!(json, expected, "cloudformation-json");
}
