//! The CloudFormation front end on whole templates: detection, SAM and CDK output,
//! parameters, conditions decided and undecided, multi-document files.

mod common;

use bucketlint::cloudformation::template::ParamOverrides;
use bucketlint::selection::Selection;
use bucketlint::{Options, Scan, scan_paths};
use common::{project, root};

fn scan(path: &std::path::Path, select: &str, params: &[(&str, &str)]) -> Scan {
    let options = Options {
        selection: Selection::new(&[select.to_string()], &[]).unwrap(),
        cfn_params: params
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect::<ParamOverrides>(),
        ..Options::default()
    };
    scan_paths(&[path.to_path_buf()], &options).unwrap()
}

/// (code, resource) of each finding, sorted.
fn codes(s: &Scan) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = s
        .findings
        .iter()
        .map(|f| (f.code.to_string(), f.resource.clone().unwrap_or_default()))
        .collect();
    out.sort();
    out
}

#[test]
fn json_and_yaml_that_are_not_templates_are_skipped_silently() {
    let s = scan(
        &root().join("testdata/cloudformation/not-cloudformation"),
        "ALL",
        &[],
    );
    assert_eq!(s.stats.files, 0, "{:?}", s.findings);
    assert!(
        s.findings.is_empty() && s.notices.is_empty(),
        "{:?} {:?}",
        s.findings,
        s.notices
    );
}

#[test]
fn cdk_output_names_buckets_by_construct_path() {
    let s = scan(&root().join("testdata/cloudformation/cdk"), "BL401", &[]);
    assert_eq!(s.findings.len(), 1);
    assert!(
        s.findings[0]
            .message
            .contains("ReportsBucket4E0B5E73 [ReportsStack/Reports/Resource]"),
        "{}",
        s.findings[0].message
    );
}

#[test]
fn parameters_decide_conditions() {
    let dir = root().join("testdata/cloudformation/conditions");
    // Environment has no default: the IsProd condition is explored both ways, and
    // IgnorePublicAcls is false only in dev: no finding.
    let undecided = scan(&dir, "BL102,BL401,BL301,BL110", &[]);
    assert_eq!(codes(&undecided), [("BL301".into(), "Data".into())]);
    // Decided by the user: dev has the weak settings, prod does not.
    let dev = scan(&dir, "BL102,BL401", &[("Environment", "dev")]);
    assert_eq!(
        codes(&dev),
        [
            ("BL102".into(), "Data".into()),
            ("BL401".into(), "Data".into())
        ]
    );
    let prod = scan(&dir, "BL102,BL401", &[("Environment", "prod")]);
    assert!(prod.findings.is_empty(), "{:?}", codes(&prod));
    // Turning logging on deploys the Logs bucket and logs Data into it; Logs, a log
    // target, is exempt.
    let logging = scan(
        &dir,
        "BL301",
        &[("Environment", "prod"), ("EnableLogging", "true")],
    );
    assert_eq!(logging.stats.buckets, 2);
    assert!(logging.findings.is_empty(), "{:?}", codes(&logging));
    assert_eq!(undecided.stats.buckets, 1);
    // A public ACL chosen by parameter.
    let public = scan(&dir, "BL110", &[("Environment", "dev"), ("Public", "yes")]);
    assert_eq!(codes(&public), [("BL110".into(), "Data".into())]);
}

#[test]
fn a_resource_that_exists_in_only_some_worlds_is_judged_where_it_exists() {
    let dir = project(&[(
        "template.yaml",
        "AWSTemplateFormatVersion: '2010-09-09'\nParameters:\n  Env:\n    Type: String\nConditions:\n  IsProd: !Equals [!Ref Env, prod]\nResources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Condition: IsProd\n    Properties:\n      VersioningConfiguration: !If [IsProd, {Status: Suspended}, {Status: Enabled}]\n",
    )]);
    // Deployed only when IsProd, and then versioning is suspended.
    let s = scan(dir.path(), "BL401", &[]);
    assert_eq!(codes(&s), [("BL401".into(), "Bucket".into())]);
}

#[test]
fn each_document_of_a_multi_document_file_is_a_template() {
    let dir = project(&[(
        "stacks.yaml",
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  A:\n    Type: AWS::S3::Bucket\n    Properties:\n      VersioningConfiguration: {Status: Suspended}\n---\nkind: ConfigMap\n---\nResources:\n  A:\n    Type: AWS::S3::Bucket\n    Properties:\n      VersioningConfiguration: {Status: Enabled}\n",
    )]);
    let s = scan(dir.path(), "BL401", &[]);
    // Same logical ID in two documents: two buckets, only the first is suspended.
    assert_eq!(s.stats.buckets, 2);
    assert_eq!(codes(&s), [("BL401".into(), "A".into())]);
}

#[test]
fn sam_templates_are_cloudformation() {
    let s = scan(&root().join("testdata/cloudformation/sam"), "BL120", &[]);
    assert_eq!(s.findings.len(), 1);
    assert_eq!(
        s.findings[0].severity,
        bucketlint::finding::Severity::Critical
    );
    assert!(s.findings[0].message.contains("allows anyone to write"));
}

#[test]
fn empty_resources_and_preprocessor_types_are_located_errors() {
    let dir = project(&[
        (
            "sam.yaml",
            "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nResources:\n",
        ),
        (
            "rain.yaml",
            "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Site:\n    Type: !Rain::Module ./site.yaml\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      VersioningConfiguration: {Status: Suspended}\n",
        ),
    ]);
    let s = scan(dir.path(), "BL001,BL401", &[]);
    let got: Vec<(String, u32, String)> = s
        .findings
        .iter()
        .map(|f| {
            let file = s.sources.get(f.span.file);
            let name = file.path.file_name().unwrap().to_string_lossy().to_string();
            (
                name,
                file.position(f.span.start as usize).line,
                f.code.to_string(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("rain.yaml".into(), 4, "BL001".into()),
            ("rain.yaml".into(), 8, "BL401".into()),
            ("sam.yaml".into(), 3, "BL001".into()),
        ]
    );
}

#[test]
fn foreach_loops_are_expanded() {
    let dir = project(&[(
        "template.yaml",
        "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::LanguageExtensions\nResources:\n  Fn::ForEach::Buckets:\n    - Name\n    - [Raw, Clean]\n    - Bucket${Name}:\n        Type: AWS::S3::Bucket\n        Properties:\n          BucketName: !Sub 'acme-${Name}'\n",
    )]);
    let s = scan(dir.path(), "BL401", &[]);
    assert!(!s.incomplete());
    assert_eq!(
        codes(&s),
        [
            ("BL401".into(), "BucketClean".into()),
            ("BL401".into(), "BucketRaw".into())
        ]
    );
}

#[test]
fn cli_parameters() {
    let mut cmd = common::bucketlint_in(root());
    let params = project(&[(
        "params.json",
        r#"[{"ParameterKey": "Environment", "ParameterValue": "dev"}]"#,
    )]);
    let out = cmd
        .args([
            "check",
            "testdata/cloudformation/conditions",
            "--format",
            "concise",
            "--select",
            "BL102,BL401",
        ])
        .arg("--cfn-params")
        .arg(params.path().join("params.json"))
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("BL102") && text.contains("BL401"), "{text}");
    // --cfn-param wins over the file.
    common::bucketlint_in(root())
        .args([
            "check",
            "testdata/cloudformation/conditions",
            "--select",
            "BL102,BL401",
        ])
        .arg("--cfn-params")
        .arg(params.path().join("params.json"))
        .args(["--cfn-param", "Environment=prod"])
        .assert()
        .code(0);
    common::bucketlint_in(root())
        .args(["check", ".", "--cfn-param", "novalue"])
        .assert()
        .code(2);
}
