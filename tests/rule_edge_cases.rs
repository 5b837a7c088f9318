//! Edge cases the rule catalog promises, each on a small real configuration: where
//! AWS's semantics decide between a finding and silence.

use bucketlint::selection::Selection;
use bucketlint::walk::FileKind;
use bucketlint::{Input, Options, analyze};
use std::path::PathBuf;

/// Codes found when only `code` runs on one Terraform file.
fn terraform(code: &str, source: &str) -> Vec<&'static str> {
    run(code, "main.tf", FileKind::Terraform, source)
}

fn cloudformation(code: &str, source: &str) -> Vec<&'static str> {
    run(code, "template.yaml", FileKind::Yaml, source)
}

fn run(code: &str, name: &str, kind: FileKind, source: &str) -> Vec<&'static str> {
    let scan = analyze(
        vec![Input {
            path: PathBuf::from(name),
            display: name.to_string(),
            kind,
            content: Ok(source.to_string()),
        }],
        &Options {
            selection: Selection::new(&[code.to_string()], &[]).unwrap(),
            ..Options::default()
        },
    );
    assert!(
        !scan.findings.iter().any(|f| f.code == "BL001"),
        "{:?}",
        scan.findings
    );
    scan.findings.iter().map(|f| f.code).collect()
}

/// A bucket with a policy whose single statement is `statement` (HCL object).
fn policy(statement: &str) -> String {
    format!(
        r#"
resource "aws_s3_bucket" "b" {{
  bucket = "example-b"
}}
resource "aws_s3_bucket_policy" "b" {{
  bucket = aws_s3_bucket.b.id
  policy = jsonencode({{
    Statement = [{statement}]
  }})
}}
"#
    )
}

const ANYONE_GETS: &str = r#"Effect = "Allow", Principal = "*", Action = "s3:GetObject", Resource = "arn:aws:s3:::example-b/*""#;

#[test]
fn bl120_is_silent_for_a_star_principal_pinned_to_a_vpc_endpoint_or_organisation() {
    for condition in [
        r#"StringEquals = { "aws:SourceVpce" = "vpce-1a2b3c4d" }"#,
        r#"StringEquals = { "aws:PrincipalOrgID" = "o-abc123def4" }"#,
        r#"ArnEquals = { "aws:SourceArn" = "arn:aws:cloudfront::111122223333:distribution/EDFDVBD6EXAMPLE" }"#,
    ] {
        let src = policy(&format!(
            "{{ {ANYONE_GETS}, Condition = {{ {condition} }} }}"
        ));
        assert!(terraform("BL120", &src).is_empty(), "{condition}");
    }
}

#[test]
fn bl120_fires_when_the_condition_does_not_pin() {
    for condition in [
        // A wildcard value pins nothing.
        r#"StringLike = { "aws:PrincipalOrgID" = "*" }"#,
        // The whole IPv4 internet.
        r#"IpAddress = { "aws:SourceIp" = "0.0.0.0/0" }"#,
        // IfExists: absent keys match.
        r#"StringEqualsIfExists = { "aws:SourceVpce" = "vpce-1a2b3c4d" }"#,
    ] {
        let src = policy(&format!(
            "{{ {ANYONE_GETS}, Condition = {{ {condition} }} }}"
        ));
        assert_eq!(terraform("BL120", &src), ["BL120"], "{condition}");
    }
    assert_eq!(
        terraform("BL120", &policy(&format!("{{ {ANYONE_GETS} }}"))),
        ["BL120"]
    );
}

#[test]
fn bl210_accepts_bool_if_exists() {
    let deny = |op: &str| {
        policy(&format!(
            r#"{{ Effect = "Deny", Principal = "*", Action = "s3:*", Resource = ["arn:aws:s3:::example-b", "arn:aws:s3:::example-b/*"], Condition = {{ {op} = {{ "aws:SecureTransport" = "false" }} }} }}"#
        ))
    };
    assert!(terraform("BL210", &deny("Bool")).is_empty());
    assert!(terraform("BL210", &deny("BoolIfExists")).is_empty());
    // A deny that covers the objects but not the bucket leaves bucket calls open.
    let objects_only = policy(
        r#"{ Effect = "Deny", Principal = "*", Action = "s3:*", Resource = "arn:aws:s3:::example-b/*", Condition = { Bool = { "aws:SecureTransport" = "false" } } }"#,
    );
    assert_eq!(terraform("BL210", &objects_only), ["BL210"]);
}

#[test]
fn bl202_is_silent_for_a_log_target() {
    let src = r#"
resource "aws_s3_bucket" "logs" {
  bucket = "example-logs"
}
resource "aws_s3_bucket_server_side_encryption_configuration" "logs" {
  bucket = aws_s3_bucket.logs.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}
resource "aws_s3_bucket_policy" "logs" {
  bucket = aws_s3_bucket.logs.id
  policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "logging.s3.amazonaws.com" }
      Action    = "s3:PutObject"
      Resource  = "arn:aws:s3:::example-logs/*"
    }]
  })
}
"#;
    assert!(terraform("BL202", src).is_empty());
    // The same bucket without the log delivery statement is reported.
    let plain = src.replace("logging.s3.amazonaws.com", "ec2.amazonaws.com");
    assert_eq!(terraform("BL202", &plain), ["BL202"]);
}

#[test]
fn bl301_is_silent_when_a_trail_records_data_events_for_all_buckets() {
    let trail = |values: &str| {
        format!(
            r"
Resources:
  Data:
    Type: AWS::S3::Bucket
  Trail:
    Type: AWS::CloudTrail::Trail
    Properties:
      IsLogging: true
      S3BucketName: example-trail
      EventSelectors:
        - ReadWriteType: All
          DataResources:
            - Type: AWS::S3::Object
              Values: [{values}]
"
        )
    };
    assert!(cloudformation("BL301", &trail("'arn:aws:s3'")).is_empty());
    assert!(cloudformation("BL301", &trail("'arn:aws:s3:::'")).is_empty());
    // Another bucket's objects only: this one is not covered.
    assert_eq!(
        cloudformation("BL301", &trail("'arn:aws:s3:::example-other/'")),
        ["BL301"]
    );
}

#[test]
fn bl502_exempts_account_level_actions() {
    let iam = |actions: &str| {
        format!(
            r#"
resource "aws_iam_policy" "p" {{
  name = "p"
  policy = jsonencode({{
    Statement = [{{ Effect = "Allow", Action = {actions}, Resource = "*" }}]
  }})
}}
"#
        )
    };
    assert!(
        terraform(
            "BL502",
            &iam(r#"["s3:ListAllMyBuckets", "s3:GetBucketLocation"]"#)
        )
        .is_empty()
    );
    assert_eq!(
        terraform("BL502", &iam(r#"["s3:ListAllMyBuckets", "s3:ListBucket"]"#)),
        ["BL502"]
    );
    // Everything on everything is BL501's, not BL502's.
    assert!(terraform("BL502", &iam(r#""s3:*""#)).is_empty());
    assert_eq!(terraform("BL501", &iam(r#""s3:*""#)), ["BL501"]);
}

#[test]
fn bl106_replaces_bl110_when_the_block_ignores_public_acls() {
    let src = |ignore: bool| {
        format!(
            r#"
resource "aws_s3_bucket" "b" {{
  bucket = "example-b"
  acl    = "public-read"
}}
resource "aws_s3_bucket_public_access_block" "b" {{
  bucket                  = aws_s3_bucket.b.id
  block_public_acls       = false
  ignore_public_acls      = {ignore}
  block_public_policy     = true
  restrict_public_buckets = true
}}
"#
        )
    };
    assert_eq!(terraform("BL106,BL110", &src(true)), ["BL106"]);
    assert_eq!(terraform("BL106,BL110", &src(false)), ["BL110"]);
}

#[test]
fn log_buckets_that_services_require_to_be_configured_a_certain_way_are_exempt() {
    // CloudFront standard logging writes with ACLs: its bucket keeps them (BL113).
    let cloudfront = r"
Resources:
  Logs:
    Type: AWS::S3::Bucket
    Properties:
      OwnershipControls:
        Rules:
          - ObjectOwnership: BucketOwnerPreferred
  Distribution:
    Type: AWS::CloudFront::Distribution
    Properties:
      DistributionConfig:
        Enabled: true
        Logging:
          Bucket: !GetAtt Logs.RegionalDomainName
";
    assert!(cloudformation("BL113", cloudfront).is_empty());
    let no_distribution = &cloudfront[..cloudfront.find("  Distribution:").unwrap()];
    assert_eq!(cloudformation("BL113", no_distribution), ["BL113"]);

    // ALB access logs support SSE-S3 only (BL202).
    let elb = r#"
resource "aws_s3_bucket" "alb_logs" {
  bucket = "example-alb-logs"
}
resource "aws_s3_bucket_policy" "alb_logs" {
  bucket = aws_s3_bucket.alb_logs.id
  policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::156460612806:root" }
      Action    = "s3:PutObject"
      Resource  = "arn:aws:s3:::example-alb-logs/*"
    }]
  })
}
"#;
    assert!(terraform("BL202", elb).is_empty());

    // CloudFront's awslogsdelivery account must get FULL_CONTROL (BL112).
    let grant = |id: &str| {
        format!(
            r#"
resource "aws_s3_bucket" "cf_logs" {{
  bucket = "example-cf-logs"
  grant {{
    type        = "CanonicalUser"
    id          = "{id}"
    permissions = ["FULL_CONTROL"]
  }}
}}
"#
        )
    };
    assert!(
        terraform(
            "BL112",
            &grant("c4c1ede66af53448b93c283ce9448c4ba468c9432aa01d700d3878632f77d2d0")
        )
        .is_empty()
    );
    assert_eq!(
        terraform(
            "BL112",
            &grant("79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be")
        ),
        ["BL112"]
    );
}

/// A role trusting `trust` (an HCL statement object) with S3 full access.
fn role(trust: &str) -> String {
    format!(
        r#"
variable "subject" {{}}
resource "aws_iam_role" "r" {{
  name = "r"
  assume_role_policy = jsonencode({{
    Statement = [{trust}]
  }})
}}
resource "aws_iam_role_policy_attachment" "r" {{
  role       = aws_iam_role.r.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonS3FullAccess"
}}
"#
    )
}

#[test]
fn bl504_needs_an_unpinned_subject_and_bl503_keeps_conditioned_stars() {
    let github = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com";
    let web = |condition: &str| {
        role(&format!(
            r#"{{ Effect = "Allow", Principal = {{ Federated = "{github}" }}, Action = "sts:AssumeRoleWithWebIdentity", Condition = {condition} }}"#
        ))
    };
    let sub = "\"token.actions.githubusercontent.com:sub\"";
    // A wildcard in StringLike (also under ForAnyValue:) does not pin the subject.
    assert_eq!(
        terraform(
            "BL504",
            &web(&format!(
                r#"{{ "ForAnyValue:StringLike" = {{ {sub} = ["repo:acme/app:*"] }} }}"#
            ))
        ),
        ["BL504"]
    );
    // A StringLike without wildcards does; so does StringEquals.
    assert!(
        terraform(
            "BL504",
            &web(&format!(
                r#"{{ StringLike = {{ {sub} = "repo:acme/app:ref:refs/heads/main" }} }}"#
            ))
        )
        .is_empty()
    );
    // A negation pins nothing.
    assert_eq!(
        terraform(
            "BL504",
            &web(&format!(
                r#"{{ StringNotEquals = {{ {sub} = "repo:evil/x:ref:refs/heads/main" }} }}"#
            ))
        ),
        ["BL504"]
    );
    // A subject only known at apply (a variable): unknown never finds.
    assert!(
        terraform(
            "BL504",
            &web(&format!("{{ StringEquals = {{ {sub} = var.subject }} }}"))
        )
        .is_empty()
    );
    // A SAML provider is not an OIDC provider.
    let saml = role(
        r#"{ Effect = "Allow", Principal = { Federated = "arn:aws:iam::111122223333:saml-provider/okta" }, Action = "sts:AssumeRoleWithSAML" }"#,
    );
    assert!(terraform("BL504", &saml).is_empty());
    // `*` pinned to the organisation: neither rule; `*` with another condition: BL503.
    let star = |condition: &str| {
        role(&format!(
            r#"{{ Effect = "Allow", Principal = {{ AWS = "*" }}, Action = "sts:AssumeRole", Condition = {condition} }}"#
        ))
    };
    let org = star(r#"{ StringEquals = { "aws:PrincipalOrgID" = "o-abc123def4" } }"#);
    assert!(terraform("BL504", &org).is_empty());
    assert!(terraform("BL503", &org).is_empty());
    let ip = star(r#"{ IpAddress = { "aws:SourceIp" = "203.0.113.0/24" } }"#);
    assert!(terraform("BL504", &ip).is_empty());
    assert_eq!(terraform("BL503", &ip), ["BL503"]);
    // `*` with no condition: BL504 alone.
    let open = role(r#"{ Effect = "Allow", Principal = "*", Action = "sts:AssumeRole" }"#);
    assert_eq!(terraform("BL504", &open), ["BL504"]);
    assert!(terraform("BL503", &open).is_empty());
    // No S3 permissions: nothing to reach.
    let no_s3 = open.replace("AmazonS3FullAccess", "AmazonSNSReadOnlyAccess");
    assert!(terraform("BL504", &no_s3).is_empty());
}

#[test]
fn bl504_knows_the_provider_when_only_the_account_is_left_to_apply() {
    let trust = |federated: &str| {
        format!(
            r#"{{ Effect = "Allow", Principal = {{ Federated = {federated} }}, Action = "sts:AssumeRoleWithWebIdentity" }}"#
        )
    };
    // The provider's ARN with the account from the caller's identity.
    let by_account = role(&trust(
        r#""arn:aws:iam::${data.aws_caller_identity.me.account_id}:oidc-provider/token.actions.githubusercontent.com""#,
    )) + "data \"aws_caller_identity\" \"me\" {}\n";
    assert_eq!(terraform("BL504", &by_account), ["BL504"]);
    // A provider resource of the same configuration, by reference.
    let provider = r#"
resource "aws_iam_openid_connect_provider" "github" {
  url            = "https://token.actions.githubusercontent.com"
  client_id_list = ["sts.amazonaws.com"]
}
"#;
    let by_reference = role(&trust("aws_iam_openid_connect_provider.github.arn")) + provider;
    assert_eq!(terraform("BL504", &by_reference), ["BL504"]);
    // An account known only at apply and a provider URL from a variable: unknown.
    let unknown = role(&trust(
        r#""arn:aws:iam::${var.subject}:oidc-provider/token.actions.githubusercontent.com""#,
    ));
    assert!(terraform("BL504", &unknown).is_empty());
    // CloudFormation: `!Sub` with the account, and `!Ref` of a provider resource.
    for federated in [
        "!Sub arn:aws:iam::${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com",
        "!Ref GitHub",
    ] {
        let template = format!(
            "
Resources:
  GitHub:
    Type: AWS::IAM::OIDCProvider
    Properties:
      Url: https://token.actions.githubusercontent.com
      ClientIdList: [sts.amazonaws.com]
  Deploy:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal:
              Federated: {federated}
            Action: sts:AssumeRoleWithWebIdentity
      ManagedPolicyArns: [arn:aws:iam::aws:policy/AmazonS3FullAccess]
"
        );
        assert_eq!(cloudformation("BL504", &template), ["BL504"], "{federated}");
    }
}

#[test]
fn bl505_follows_wildcards_and_stays_silent_on_what_it_cannot_resolve() {
    let config = |tag: &str, resource: &str, attached: bool| {
        format!(
            r#"
variable "arn" {{}}
resource "aws_s3_bucket" "b" {{
  bucket = "example-records"
  tags   = {{ DataClassification = "{tag}" }}
}}
resource "aws_iam_role" "r" {{
  name = "r"
  assume_role_policy = jsonencode({{
    Statement = [{{ Effect = "Allow", Principal = {{ Service = "lambda.amazonaws.com" }}, Action = "sts:AssumeRole" }}]
  }})
}}
resource "aws_iam_policy" "p" {{
  name   = "p"
  policy = jsonencode({{ Statement = [{{ Effect = "Allow", Action = "s3:*", Resource = {resource} }}] }})
}}
{}
"#,
            if attached {
                "resource \"aws_iam_role_policy_attachment\" \"r\" {\n  role       = aws_iam_role.r.name\n  policy_arn = aws_iam_policy.p.arn\n}"
            } else {
                ""
            }
        )
    };
    // A name pattern that matches, through a customer managed policy.
    assert_eq!(
        terraform(
            "BL505",
            &config("pii", "\"arn:aws:s3:::example-*/*\"", true)
        ),
        ["BL505"]
    );
    // A pattern that does not match, a resource known only at apply, a policy no
    // role holds, a bucket not classified sensitive: silent.
    for (tag, resource, attached) in [
        ("pii", "\"arn:aws:s3:::other-*/*\"", true),
        ("pii", "var.arn", true),
        ("pii", "\"*\"", false),
        ("public", "\"*\"", true),
    ] {
        assert!(
            terraform("BL505", &config(tag, resource, attached)).is_empty(),
            "{tag} {resource} {attached}"
        );
    }
}

#[test]
fn bl107_judges_the_organization_policies_of_the_whole_scan() {
    let block = r#"
resource "aws_s3_account_public_access_block" "this" {
  block_public_acls       = true
  ignore_public_acls      = true
  block_public_policy     = true
  restrict_public_buckets = true
}
"#;
    let scp = |statement: &str| {
        format!(
            r#"
resource "aws_organizations_policy" "p" {{
  name    = "p"
  content = jsonencode({{ Statement = [{statement}] }})
}}
"#
        )
    };
    let with = |policy: &str| format!("{block}{policy}");
    // No organization policy in the scan: the organization is managed elsewhere.
    assert!(terraform("BL107", block).is_empty());
    // Only a tag policy: not a guard, not judged.
    let tag = r#"
resource "aws_organizations_policy" "tags" {
  name    = "tags"
  type    = "TAG_POLICY"
  content = jsonencode({ tags = {} })
}
"#;
    assert!(terraform("BL107", &with(tag)).is_empty());
    // A Deny on `s3:*` covers the action; an Allow does not, nor a Deny limited to
    // a bucket's ARN (the account-level operation's resource is `*`).
    let deny = |action: &str, resource: &str| {
        scp(&format!(
            r#"{{ Effect = "Deny", Action = "{action}", Resource = "{resource}" }}"#
        ))
    };
    assert!(terraform("BL107", &with(&deny("s3:*", "*"))).is_empty());
    assert!(terraform("BL107", &with(&deny("s3:PutAccount*", "*"))).is_empty());
    assert_eq!(
        terraform(
            "BL107",
            &with(&deny("s3:PutAccountPublicAccessBlock", "arn:aws:s3:::b"))
        ),
        ["BL107"]
    );
    let allow = scp(r#"{ Effect = "Allow", Action = "*", Resource = "*" }"#);
    assert_eq!(terraform("BL107", &with(&allow)), ["BL107"]);
    // A policy whose content or type is known only at apply: unknown never finds.
    let unknown = r#"
variable "content" {}
variable "type" {}
resource "aws_organizations_policy" "p" {
  name    = "p"
  content = var.content
}
resource "aws_organizations_policy" "q" {
  name    = "q"
  type    = var.type
  content = "{}"
}
"#;
    assert!(terraform("BL107", &with(unknown)).is_empty());
    // An S3 policy: `all` protects, `none` does not.
    let s3 = |assign: &str| {
        format!(
            r#"
resource "aws_organizations_policy" "s3" {{
  name    = "s3"
  type    = "S3_POLICY"
  content = jsonencode({{ s3_attributes = {{ public_access_block_configuration = {{ "@@assign" = "{assign}" }} }} }})
}}
"#
        )
    };
    assert!(terraform("BL107", &with(&s3("all"))).is_empty());
    assert_eq!(terraform("BL107", &with(&s3("none"))), ["BL107"]);

    // The block in Terraform, the organization in a CloudFormation template of the
    // same scan.
    let template = |action: &str| {
        format!(
            r#"
Resources:
  Guardrails:
    Type: AWS::Organizations::Policy
    Properties:
      Name: guardrails
      Type: SERVICE_CONTROL_POLICY
      Content:
        Statement:
          - Effect: Deny
            Action: {action}
            Resource: "*"
"#
        )
    };
    let mixed = |action: &str| {
        let inputs = [
            ("main.tf", FileKind::Terraform, block.to_string()),
            ("org/template.yaml", FileKind::Yaml, template(action)),
        ];
        let scan = analyze(
            inputs
                .into_iter()
                .map(|(name, kind, content)| Input {
                    path: PathBuf::from(name),
                    display: name.to_string(),
                    kind,
                    content: Ok(content),
                })
                .collect(),
            &Options {
                selection: Selection::new(&["BL107".to_string()], &[]).unwrap(),
                ..Options::default()
            },
        );
        scan.findings.iter().map(|f| f.code).collect::<Vec<_>>()
    };
    assert_eq!(mixed("organizations:LeaveOrganization"), ["BL107"]);
    assert!(mixed("s3:PutAccountPublicAccessBlock").is_empty());
}

#[test]
fn bl505_names_users_groups_and_the_compute_that_runs_as_the_role() {
    let source = r#"
resource "aws_s3_bucket" "b" {
  bucket = "example-records"
  tags   = { DataClassification = "pii" }
}
resource "aws_iam_role" "app" {
  name = "app"
  assume_role_policy = jsonencode({
    Statement = [{ Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}
resource "aws_lambda_function" "export" {
  function_name = "export"
  role          = aws_iam_role.app.arn
}
resource "aws_iam_group" "ops" {
  name = "ops"
}
resource "aws_iam_policy" "all" {
  name   = "all"
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "s3:*", Resource = "arn:aws:s3:::example-records/*" }] })
}
resource "aws_iam_policy_attachment" "all" {
  name       = "all"
  policy_arn = aws_iam_policy.all.arn
  roles      = [aws_iam_role.app.name]
  groups     = [aws_iam_group.ops.name]
}
"#;
    let scan = analyze(
        vec![Input {
            path: PathBuf::from("main.tf"),
            display: "main.tf".into(),
            kind: FileKind::Terraform,
            content: Ok(source.to_string()),
        }],
        &Options {
            selection: Selection::new(&["BL505".to_string()], &[]).unwrap(),
            ..Options::default()
        },
    );
    let messages: Vec<&str> = scan.findings.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(
        messages[0].ends_with(
            "to group aws_iam_group.ops, role aws_iam_role.app (run by aws_lambda_function.export)"
        ),
        "{messages:?}"
    );
}
