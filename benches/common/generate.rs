//! Synthetic Terraform projects for the benchmarks: how the evaluation scales with
//! module instances (`modules`) and with one large root (`flat_root`).
#![allow(dead_code)]

use std::fmt::Write;
use std::path::Path;

const BLOCKS_PER_MODULE: usize = 20;
const COUNT: usize = 5;

/// The source of module `m`: 100 buckets, each with split versioning, encryption,
/// access block and policy, through `count` and module inputs.
fn module_source(m: usize) -> String {
    let mut s = String::from(
        "variable \"prefix\" {\n  type = string\n}\n\nvariable \"versioned\" {\n  type    = bool\n  default = true\n}\n\nlocals {\n  tags = { team = \"data\", module = var.prefix }\n}\n",
    );
    for b in 0..BLOCKS_PER_MODULE {
        let _ = write!(
            s,
            r#"
resource "aws_s3_bucket" "b{b}" {{
  count  = {COUNT}
  bucket = "${{var.prefix}}-{m}-{b}-${{count.index}}"
  tags   = merge(local.tags, {{ index = count.index }})
}}

resource "aws_s3_bucket_versioning" "b{b}" {{
  count  = {COUNT}
  bucket = aws_s3_bucket.b{b}[count.index].id
  versioning_configuration {{
    status = var.versioned ? "Enabled" : "Suspended"
  }}
}}

resource "aws_s3_bucket_server_side_encryption_configuration" "b{b}" {{
  count  = {COUNT}
  bucket = aws_s3_bucket.b{b}[count.index].id
  rule {{
    apply_server_side_encryption_by_default {{
      sse_algorithm = "aws:kms"
    }}
  }}
}}

resource "aws_s3_bucket_public_access_block" "b{b}" {{
  count                   = {COUNT}
  bucket                  = aws_s3_bucket.b{b}[count.index].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}}

resource "aws_s3_bucket_policy" "b{b}" {{
  count  = {COUNT}
  bucket = aws_s3_bucket.b{b}[count.index].id
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = [aws_s3_bucket.b{b}[count.index].arn, "${{aws_s3_bucket.b{b}[count.index].arn}}/*"]
      Condition = {{ Bool = {{ "aws:SecureTransport" = "false" }} }}
    }}]
  }})
}}
"#
        );
    }
    s
}

/// A root calling `modules` local modules of 100 buckets each, written under `dir`;
/// the number of buckets.
pub fn modules(dir: &Path, modules: usize) -> usize {
    let mut root = String::new();
    for m in 0..modules {
        let _ = write!(
            root,
            "module \"m{m}\" {{\n  source    = \"./modules/m{m}\"\n  prefix    = \"acme\"\n  versioned = {}\n}}\n\n",
            m % 2 == 0
        );
        let module_dir = dir.join(format!("modules/m{m}"));
        std::fs::create_dir_all(&module_dir).unwrap();
        std::fs::write(module_dir.join("main.tf"), module_source(m)).unwrap();
    }
    std::fs::write(dir.join("main.tf"), root).unwrap();
    modules * BLOCKS_PER_MODULE * COUNT
}

/// One root module of `files` files with `per_file` literal buckets each, every
/// bucket with split versioning, encryption, access block and policy resources
/// (about 840 bytes a bucket); the number of buckets.
pub fn flat_root(dir: &Path, files: usize, per_file: usize) -> usize {
    std::fs::create_dir_all(dir).unwrap();
    for f in 0..files {
        let mut s = String::new();
        for b in 0..per_file {
            let n = format!("b{f}_{b}");
            let _ = write!(
                s,
                r#"
resource "aws_s3_bucket" "{n}" {{
  bucket = "acme-{n}"
  tags   = {{ team = "data" }}
}}

resource "aws_s3_bucket_versioning" "{n}" {{
  bucket = aws_s3_bucket.{n}.id
  versioning_configuration {{
    status = "Enabled"
  }}
}}

resource "aws_s3_bucket_server_side_encryption_configuration" "{n}" {{
  bucket = aws_s3_bucket.{n}.id
  rule {{
    apply_server_side_encryption_by_default {{
      sse_algorithm = "aws:kms"
    }}
  }}
}}

resource "aws_s3_bucket_public_access_block" "{n}" {{
  bucket                  = aws_s3_bucket.{n}.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}}

resource "aws_s3_bucket_policy" "{n}" {{
  bucket = aws_s3_bucket.{n}.id
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = [aws_s3_bucket.{n}.arn, "${{aws_s3_bucket.{n}.arn}}/*"]
      Condition = {{ Bool = {{ "aws:SecureTransport" = "false" }} }}
    }}]
  }})
}}
"#
            );
        }
        std::fs::write(dir.join(format!("buckets_{f}.tf")), s).unwrap();
    }
    files * per_file
}

/// An organisation of `n` each of buckets, roles (a Lambda function runs as each,
/// with an inline policy on two buckets' objects) and users (an inline policy on
/// another bucket by reference), written under `dir`.
pub fn organisation(dir: &Path, n: usize) {
    std::fs::create_dir_all(dir).unwrap();
    let mut s = String::new();
    for i in 0..n {
        let other = (i * 7) % n;
        let _ = write!(
            s,
            r#"
resource "aws_s3_bucket" "b{i}" {{
  bucket = "org-bucket-{i}"
}}

resource "aws_iam_role" "r{i}" {{
  name = "role-{i}"
  assume_role_policy = jsonencode({{
    Statement = [{{ Effect = "Allow", Principal = {{ Service = "lambda.amazonaws.com" }}, Action = "sts:AssumeRole" }}]
  }})
}}

resource "aws_iam_role_policy" "r{i}" {{
  role = aws_iam_role.r{i}.id
  policy = jsonencode({{
    Statement = [{{ Effect = "Allow", Action = ["s3:GetObject"], Resource = ["arn:aws:s3:::org-bucket-{i}/*", "arn:aws:s3:::org-bucket-{other}/*"] }}]
  }})
}}

resource "aws_lambda_function" "f{i}" {{
  function_name = "function-{i}"
  role          = aws_iam_role.r{i}.arn
}}

resource "aws_iam_user" "u{i}" {{
  name = "user-{i}"
}}

resource "aws_iam_user_policy" "u{i}" {{
  user = aws_iam_user.u{i}.name
  policy = jsonencode({{
    Statement = [{{ Effect = "Allow", Action = "s3:PutObject", Resource = "${{aws_s3_bucket.b{other}.arn}}/*" }}]
  }})
}}
"#
        );
    }
    std::fs::write(dir.join("main.tf"), s).unwrap();
}
