//! `bucketlint graph`: the access graph of `testdata/graph` (Terraform and
//! CloudFormation, one of each edge kind), as Mermaid and DOT snapshots and as JSON.

mod common;

use common::{bucketlint_in, project, root};
use serde_json::Value;
use std::collections::BTreeSet;
use std::fmt::Write as _;

fn graph(dir: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let out = bucketlint_in(dir).arg("graph").args(args).output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `(from, kind, to)` of every edge of a graph in JSON.
fn edges(g: &Value) -> BTreeSet<(String, String, String)> {
    g["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["from"].as_str().unwrap().to_string(),
                e["kind"].as_str().unwrap().to_string(),
                e["to"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn assert_edge(edges: &BTreeSet<(String, String, String)>, from: &str, kind: &str, to: &str) {
    assert!(
        edges.contains(&(from.into(), kind.into(), to.into())),
        "{from} -{kind}-> {to} not in {edges:#?}"
    );
}

#[test]
fn mermaid_and_dot_snapshots() {
    let (code, mermaid, err) = graph(&root(), &["testdata/graph"]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!("graph_mermaid", mermaid);
    let (_, dot, _) = graph(&root(), &["testdata/graph", "--format", "dot"]);
    insta::assert_snapshot!("graph_dot", dot);
}

#[test]
fn every_edge_kind_resolved_across_terraform_and_cloudformation() {
    let (_, text, _) = graph(&root(), &["testdata/graph", "--format", "json"]);
    let g: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(g["version"], 1);
    let edges = edges(&g);
    let has = |from: &str, kind: &str, to: &str| assert_edge(&edges, from, kind, to);
    // Bucket policies: anyone, another account, a service (with its condition).
    has("anyone:anyone (*)", "grants", "bucket:aws_s3_bucket.public");
    has(
        "account:arn:aws:iam::444455556666:root",
        "grants",
        "bucket:aws_s3_bucket.data",
    );
    has(
        "service:cloudfront.amazonaws.com",
        "grants",
        "bucket:Assets",
    );
    // An inline policy on `acme-graph-*` reaches every matching bucket, in both
    // front ends; a managed policy attached by reference reaches only its bucket.
    for b in [
        "bucket:aws_s3_bucket.data",
        "bucket:aws_s3_bucket.public",
        "bucket:Assets",
    ] {
        has("policy:aws_iam_role_policy.reader", "grants", b);
        has("policy:aws:AmazonS3FullAccess", "grants", b);
    }
    has(
        "policy:aws_iam_policy.writer",
        "grants",
        "bucket:aws_s3_bucket.data",
    );
    assert!(!edges.contains(&(
        "policy:aws_iam_policy.writer".into(),
        "grants".into(),
        "bucket:aws_s3_bucket.public".into()
    )));
    // Roles hold their policies; services, accounts and OIDC providers assume them.
    has(
        "role:aws_iam_role.reader",
        "attached-to",
        "policy:aws_iam_role_policy.reader",
    );
    has(
        "role:aws_iam_role.reader",
        "attached-to",
        "policy:aws_iam_policy.writer",
    );
    has(
        "role:aws_iam_role.deploy",
        "attached-to",
        "policy:aws:AmazonS3FullAccess",
    );
    has(
        "service:lambda.amazonaws.com",
        "can-assume",
        "role:aws_iam_role.reader",
    );
    // An OIDC provider the code declares, named by reference (Terraform) and by
    // `!Ref` (CloudFormation).
    has(
        "federated:aws_iam_openid_connect_provider.github",
        "can-assume",
        "role:aws_iam_role.deploy",
    );
    has("federated:GitHub", "can-assume", "role:Publisher");
    // Compute runs as roles: functions and tasks directly, instances through
    // their instance profile.
    for (compute, role) in [
        (
            "function:aws_lambda_function.thumbnails",
            "role:aws_iam_role.reader",
        ),
        (
            "task:aws_ecs_task_definition.report",
            "role:aws_iam_role.reader",
        ),
        (
            "instance-profile:aws_iam_instance_profile.worker",
            "role:aws_iam_role.worker",
        ),
        ("function:Resizer", "role:Uploader"),
        ("task:BatchTask", "role:Batch"),
        ("instance-profile:BatchProfile", "role:Batch"),
    ] {
        has(compute, "runs-as", role);
    }
    has(
        "instance:aws_instance.worker",
        "runs-as",
        "instance-profile:aws_iam_instance_profile.worker",
    );
    has(
        "instance:BatchInstance",
        "runs-as",
        "instance-profile:BatchProfile",
    );
    // Users are members of groups, which hold policies.
    has(
        "user:aws_iam_user.analyst",
        "member-of",
        "group:aws_iam_group.analysts",
    );
    has(
        "group:aws_iam_group.analysts",
        "attached-to",
        "policy:aws_iam_group_policy.analysts",
    );
    has("user:Editor", "member-of", "group:Editors");
    has(
        "group:Editors",
        "attached-to",
        "policy:Editors (inline policy edit-assets)",
    );
    has("role:Batch", "attached-to", "policy:AssetsReader");
    has("policy:AssetsReader", "grants", "bucket:Assets");
    has(
        "account:arn:aws:iam::111122223333:role/ci",
        "can-assume",
        "role:Uploader",
    );
    has(
        "role:Uploader",
        "attached-to",
        "policy:Uploader (inline policy upload)",
    );
    // Conditions are kept as labels; nothing here is unknown.
    let github = g["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["to"] == "role:aws_iam_role.deploy" && e["kind"] == "can-assume")
        .unwrap();
    assert!(
        github["conditions"][0]
            .as_str()
            .unwrap()
            .contains(":sub repo:acme/site")
    );
    assert!(
        g["edges"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e.get("unknown").is_none())
    );
    // Nodes carry their location.
    let data = g["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == "bucket:aws_s3_bucket.data")
        .unwrap();
    assert_eq!(data["location"]["path"], "testdata/graph/main.tf");
    assert_eq!(data["location"]["line"], 2);
}

#[test]
fn one_bucket_and_what_reaches_it() {
    let (code, text, _) = graph(
        &root(),
        &[
            "testdata/graph",
            "--bucket",
            "acme-graph-public",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0);
    let g: Value = serde_json::from_str(&text).unwrap();
    let nodes: BTreeSet<&str> = g["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    assert!(nodes.contains("bucket:aws_s3_bucket.public"));
    assert!(nodes.contains("anyone:anyone (*)"));
    // Through the role that holds the wildcard policy, to who assumes it.
    assert!(nodes.contains("service:lambda.amazonaws.com"), "{nodes:?}");
    assert!(!nodes.contains("bucket:aws_s3_bucket.data"));
    assert!(!nodes.contains("account:arn:aws:iam::444455556666:root"));
    // The Lambda function and the ECS task that run as that role.
    assert!(nodes.contains("function:aws_lambda_function.thumbnails"));
    assert!(nodes.contains("task:aws_ecs_task_definition.report"));
    // The worker instance writes only to the data bucket.
    assert!(!nodes.contains("instance:aws_instance.worker"));
    let (code, _, err) = graph(&root(), &["testdata/graph", "--bucket", "nope"]);
    assert_eq!(code, 2);
    assert!(err.contains("--bucket nope: no bucket"), "{err}");
}

#[test]
fn an_unresolved_link_is_drawn_unknown_and_labels_are_escaped() {
    let dir = project(&[(
        "main.tf",
        r#"
variable "policy_arn" {}
resource "aws_s3_bucket" "b" {
  bucket = "acme-b"
}
resource "aws_iam_role" "r" {
  name = "evil\"] --> x[\"pwned"
  assume_role_policy = jsonencode({
    Statement = [{ Effect = "Allow", Principal = { Service = "ec2.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}
resource "aws_iam_role_policy_attachment" "r" {
  role       = aws_iam_role.r.name
  policy_arn = var.policy_arn
}
variable "role" {}
resource "aws_lambda_function" "f" {
  function_name = "f"
  role          = var.role
}
resource "aws_iam_role_policy" "legacy" {
  role   = "legacy-admin"
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "s3:*", Resource = "*" }]
  })
}
resource "aws_iam_role_policy" "some" {
  role   = var.role
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "*" }]
  })
}
"#,
    )]);
    let (_, text, _) = graph(dir.path(), &[".", "--format", "json"]);
    let g: Value = serde_json::from_str(&text).unwrap();
    let unknown = g["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["to"] == "unknown:policy")
        .unwrap_or_else(|| panic!("{text}"));
    assert_eq!(unknown["from"], "role:aws_iam_role.r");
    let has = |from: &str, kind: &str, to: &str, unknown: bool| {
        assert!(
            g["edges"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["from"] == from
                    && e["kind"] == kind
                    && e["to"] == to
                    && e.get("unknown").is_some() == unknown),
            "{from} -{kind}-> {to} (unknown: {unknown}) not in {text}"
        );
    };
    // A policy known only at apply may grant anything on the bucket.
    has("unknown:policy", "grants", "bucket:aws_s3_bucket.b", true);
    // A function whose role is a variable runs as a role known only at apply, not
    // as every role of the configuration; so does a policy's holder.
    has(
        "function:aws_lambda_function.f",
        "runs-as",
        "unknown:role",
        true,
    );
    has(
        "unknown:role",
        "attached-to",
        "policy:aws_iam_role_policy.some",
        true,
    );
    assert!(!text.contains(r#""to": "role:aws_iam_role.r",\n    "kind": "runs-as""#));
    // A role named but declared elsewhere is drawn by its name.
    has(
        "role:name:legacy-admin",
        "attached-to",
        "policy:aws_iam_role_policy.legacy",
        true,
    );
    let (_, mermaid, _) = graph(dir.path(), &["."]);
    // The role's name cannot close its node or add an edge.
    assert!(
        mermaid.contains("#quot;] --#gt; x[#quot;pwned"),
        "{mermaid}"
    );
    assert_eq!(
        mermaid.matches("-->").count() + mermaid.matches("-.->").count(),
        g["edges"].as_array().unwrap().len(),
        "{mermaid}"
    );
    let (_, dot, _) = graph(dir.path(), &[".", "--format", "dot"]);
    assert!(dot.contains(r#"evil\"] --> x[\"pwned"#), "{dot}");
}

/// The graph's indexed matching gives, for every statement and bucket, what the
/// per-bucket matching the rules use gives (on the fixture plus a name pattern that
/// no bucket has, a literal name, and a wildcard).
#[test]
fn indexed_matching_agrees_with_per_bucket_matching() {
    use bucketlint::model::iam::{Reach, statement_reaches};
    use bucketlint::model::value::Tri;
    let options = bucketlint::Options {
        keep_model: true,
        ..Default::default()
    };
    let extra = project(&[(
        "extra.tf",
        r#"
resource "aws_s3_bucket" "named" {
  bucket = "acme-graph-named"
}
resource "aws_s3_bucket" "generated" {}
resource "aws_iam_policy" "mixed" {
  name = "mixed"
  policy = jsonencode({ Statement = [
    { Effect = "Allow", Action = "s3:GetObject", Resource = "arn:aws:s3:::acme-graph-named/*" },
    { Effect = "Allow", Action = "s3:GetObject", Resource = "arn:aws:s3:::nobody-has-this/*" },
    { Effect = "Allow", Action = "s3:GetObject", Resource = "arn:aws:s3:::acme-*" },
    { Effect = "Allow", Action = "s3:GetObject", NotResource = "arn:aws:s3:::acme-graph-named/*" },
  ] })
}
"#,
    )]);
    let scan = bucketlint::scan_paths(
        &[root().join("testdata/graph"), extra.path().to_path_buf()],
        &options,
    )
    .unwrap();
    let model = scan.model.as_ref().unwrap();
    let buckets: Vec<_> = model.buckets.iter().map(|b| &**b).collect();
    let reach = Reach::new(buckets.iter().copied());
    let mut compared = 0;
    for p in &model.identity_policies {
        for st in &p.document.as_ref().unwrap().statements {
            let indexed = reach.statement(st);
            for (i, b) in buckets.iter().enumerate() {
                let one = statement_reaches(st, b);
                let found = indexed
                    .iter()
                    .find(|(j, _)| *j == i)
                    .map_or(Tri::No, |(_, t)| *t);
                assert_eq!(found, one, "{} on {}", p.address, b.address);
                compared += 1;
            }
        }
    }
    assert!(compared > 30, "{compared}");
}

/// The Markdown report (the Action's job summary) draws who can reach the buckets of
/// critical and high findings, bounded in size.
#[test]
fn the_markdown_report_draws_who_reaches_the_riskiest_buckets() {
    let out = bucketlint_in(root())
        .args(["check", "testdata/graph", "--format", "markdown"])
        .output()
        .unwrap();
    let md = String::from_utf8_lossy(&out.stdout);
    let section = md
        .split("### Who can reach `aws_s3_bucket.public`")
        .nth(1)
        .unwrap_or_else(|| panic!("{md}"));
    let block = section
        .split("```mermaid\n")
        .nth(1)
        .unwrap()
        .split("```")
        .next()
        .unwrap();
    assert!(block.starts_with("flowchart LR"), "{block}");
    assert!(block.contains("anyone: anyone (*)"), "{block}");
    assert!(block.contains("service: lambda.amazonaws.com"), "{block}");

    // A bucket that 300 roles reach: named, not drawn.
    let mut tf = String::from(
        "resource \"aws_s3_bucket\" \"big\" {\n  bucket = \"big\"\n  acl    = \"public-read\"\n}\n",
    );
    for i in 0..300 {
        let _ = write!(
            tf,
            "resource \"aws_iam_role\" \"r{i}\" {{\n  name = \"r{i}\"\n  assume_role_policy = jsonencode({{ Statement = [{{ Effect = \"Allow\", Principal = {{ Service = \"lambda.amazonaws.com\" }}, Action = \"sts:AssumeRole\" }}] }})\n}}\nresource \"aws_iam_role_policy\" \"r{i}\" {{\n  role   = aws_iam_role.r{i}.id\n  policy = jsonencode({{ Statement = [{{ Effect = \"Allow\", Action = \"s3:GetObject\", Resource = \"arn:aws:s3:::big/*\" }}] }})\n}}\n"
        );
    }
    let dir = project(&[("main.tf", &tf)]);
    let out = bucketlint_in(dir.path())
        .args(["check", ".", "--format", "markdown"])
        .output()
        .unwrap();
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(
        md.contains(
            "too large to draw here; `bucketlint graph --bucket aws_s3_bucket.big` draws it"
        ),
        "{md}"
    );
    assert!(!md.contains("```mermaid"), "{md}");
}

/// Two templates (or root modules) that declare the same address are two nodes,
/// each named with its scope, and a reference reaches only its own.
#[test]
fn the_same_address_in_two_scopes_is_two_nodes() {
    let template = |name: &str| {
        format!(
            r#"
Resources:
  Data:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: {name}
  Reader:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {{ Service: lambda.amazonaws.com }}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: read
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: s3:GetObject
                Resource: !Sub "${{Data.Arn}}/*"
"#
        )
    };
    let dir = project(&[
        ("a/template.yaml", &template("acme-a")),
        ("b/template.yaml", &template("acme-b")),
    ]);
    let (_, text, _) = graph(dir.path(), &[".", "--format", "json"]);
    let g: Value = serde_json::from_str(&text).unwrap();
    let ids: Vec<&str> = g["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    let buckets: Vec<&&str> = ids.iter().filter(|i| i.starts_with("bucket:")).collect();
    assert_eq!(buckets.len(), 2, "{ids:?}");
    let edges: Vec<(String, String)> = g["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "grants")
        .map(|e| {
            (
                e["from"].as_str().unwrap().to_string(),
                e["to"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    // Each template's policy reaches its own bucket only.
    assert_eq!(edges.len(), 2, "{edges:?}");
    for (from, to) in &edges {
        let scope = |id: &str| id.split(':').nth(1).unwrap().to_string();
        assert_eq!(scope(from), scope(to), "{edges:?}");
    }
    // `--bucket` finds a bucket by its name in either scope.
    let (code, text, _) = graph(dir.path(), &[".", "--bucket", "acme-b", "-f", "json"]);
    assert_eq!(code, 0);
    assert!(
        text.contains("acme-b") && !text.contains("acme-a"),
        "{text}"
    );
}

/// A SAM function without `Role` runs as the role the transform creates
/// (`{LogicalId}Role`), which holds its `Policies`: S3 policy templates expanded
/// as SAM defines them, inline statements, and AWS managed policies by name.
#[test]
fn sam_functions_run_as_the_role_the_transform_creates() {
    let dir = project(&[(
        "template.yaml",
        r#"
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Uploads:
    Type: AWS::S3::Bucket
  Thumbnails:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Policies:
        - S3ReadPolicy:
            BucketName: !Ref Uploads
        - S3CrudPolicy:
            BucketName: acme-elsewhere
        - AWSLambdaBasicExecutionRole
        - Statement:
            - Effect: Allow
              Action: s3:*
              Resource: "*"
  Reports:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Policies: AmazonS3ReadOnlyAccess
  Given:
    Type: AWS::Serverless::Function
    Properties:
      Role: !GetAtt Existing.Arn
      Policies:
        - S3CrudPolicy:
            BucketName: !Ref Uploads
  Existing:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: { Service: lambda.amazonaws.com }
            Action: sts:AssumeRole
  UploadsPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Uploads
      PolicyDocument:
        Statement:
          - Effect: Allow
            Principal: { AWS: !GetAtt ReportsRole.Arn }
            Action: s3:PutObject
            Resource: !Sub "${Uploads.Arn}/reports/*"
"#,
    )]);
    let (code, text, err) = graph(dir.path(), &[".", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let g: Value = serde_json::from_str(&text).unwrap();
    let edges = edges(&g);
    let has = |from: &str, kind: &str, to: &str| assert_edge(&edges, from, kind, to);
    has("function:Thumbnails", "runs-as", "role:ThumbnailsRole");
    has(
        "service:lambda.amazonaws.com",
        "can-assume",
        "role:ThumbnailsRole",
    );
    // S3ReadPolicy on the template's bucket, by reference.
    has(
        "role:ThumbnailsRole",
        "attached-to",
        "policy:ThumbnailsRole (policy 1)",
    );
    has(
        "policy:ThumbnailsRole (policy 1)",
        "grants",
        "bucket:Uploads",
    );
    let read = g["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["from"] == "policy:ThumbnailsRole (policy 1)")
        .unwrap();
    assert_eq!(read["actions"][0], "s3:GetObject");
    assert!(
        !read["actions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a == "s3:PutObject")
    );
    // S3CrudPolicy on another bucket does not reach this one.
    assert!(
        !edges
            .iter()
            .any(|(f, _, _)| f == "policy:ThumbnailsRole (policy 2)")
    );
    // The inline statement.
    has(
        "policy:ThumbnailsRole (policy 4)",
        "grants",
        "bucket:Uploads",
    );
    // An AWS managed policy by its short name.
    has("function:Reports", "runs-as", "role:ReportsRole");
    has(
        "role:ReportsRole",
        "attached-to",
        "policy:aws:AmazonS3ReadOnlyAccess",
    );
    // The created role, named in a bucket policy (`!GetAtt ReportsRole.Arn`).
    has("role:ReportsRole", "grants", "bucket:Uploads");
    // With `Role`, SAM ignores `Policies` and creates no role: the function runs
    // as a role with no S3 permission, so nothing of it reaches the bucket.
    assert!(!text.contains("GivenRole"), "{text}");
    assert!(!text.contains("function:Given"), "{text}");
    // The rules read the created role's policies too.
    let out = bucketlint_in(dir.path())
        .args(["check", ".", "--select", "BL501", "--format", "concise"])
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        report.contains("template.yaml:20:23: BL501")
            && report.contains("ThumbnailsRole (policy 4)"),
        "{report}"
    );
}

/// A bucket policy that grants a role or user of the scan, by reference or by an
/// ARN of the deploying account, is an edge from that role or user, so what runs
/// as it reaches the bucket too; a literal ARN of some account stays an account.
#[test]
fn a_bucket_policy_principal_of_the_scan_is_its_role_or_user() {
    let dir = project(&[
        (
            "main.tf",
            r#"
data "aws_caller_identity" "current" {}
resource "aws_s3_bucket" "b" {
  bucket = "acme-b"
}
resource "aws_iam_role" "app" {
  name = "app"
  assume_role_policy = jsonencode({
    Statement = [{ Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}
resource "aws_iam_user" "ops" {
  name = "ops"
}
resource "aws_lambda_function" "f" {
  function_name = "f"
  role          = aws_iam_role.app.arn
}
resource "aws_s3_bucket_policy" "b" {
  bucket = aws_s3_bucket.b.id
  policy = jsonencode({
    Statement = [
      { Effect = "Allow", Principal = { AWS = aws_iam_role.app.arn }, Action = "s3:GetObject", Resource = "${aws_s3_bucket.b.arn}/*" },
      { Effect = "Allow", Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:user/ops" }, Action = "s3:PutObject", Resource = "${aws_s3_bucket.b.arn}/*" },
      { Effect = "Allow", Principal = { AWS = "arn:aws:iam::444455556666:role/app" }, Action = "s3:ListBucket", Resource = aws_s3_bucket.b.arn },
    ]
  })
}
"#,
        ),
        (
            "cfn/template.yaml",
            r#"
Resources:
  Data:
    Type: AWS::S3::Bucket
  Reader:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: { Service: ecs-tasks.amazonaws.com }
            Action: sts:AssumeRole
  DataPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Data
      PolicyDocument:
        Statement:
          - Effect: Allow
            Principal: { AWS: !GetAtt Reader.Arn }
            Action: s3:GetObject
            Resource: !Sub "${Data.Arn}/*"
"#,
        ),
    ]);
    let (code, text, err) = graph(dir.path(), &[".", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let g: Value = serde_json::from_str(&text).unwrap();
    let edges = edges(&g);
    let has = |from: &str, kind: &str, to: &str| assert_edge(&edges, from, kind, to);
    has("role:aws_iam_role.app", "grants", "bucket:aws_s3_bucket.b");
    has(
        "function:aws_lambda_function.f",
        "runs-as",
        "role:aws_iam_role.app",
    );
    has("user:aws_iam_user.ops", "grants", "bucket:aws_s3_bucket.b");
    has(
        "account:arn:aws:iam::444455556666:role/app",
        "grants",
        "bucket:aws_s3_bucket.b",
    );
    has("role:Reader", "grants", "bucket:Data");
    assert!(!text.contains("unknown:principal"), "{text}");
}
