//! Evaluation cost on a generated Terraform project: a root calling `modules`
//! local modules, each declaring 100 buckets (20 `count = 5` bucket blocks with
//! split versioning, encryption, access block and a `jsonencode` policy per
//! bucket, fed by module inputs and locals). `cargo bench --bench terraform`
//! prints buckets/s at 10 and 100 modules (1,000 and 10,000 buckets): equal rates
//! mean the evaluation stays linear.

use bucketlint::selection::Selection;
use bucketlint::{Options, scan_paths};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::fmt::Write;
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const BLOCKS_PER_MODULE: usize = 20;
const COUNT: usize = 5;

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

/// Writes the project under `dir` and returns the number of buckets.
fn generate(dir: &Path, modules: usize) -> usize {
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

fn bench(c: &mut Criterion) {
    let options = Options {
        selection: Selection::new(&["ALL".into()], &[]).unwrap(),
        ..Options::default()
    };
    let mut group = c.benchmark_group("terraform-modules");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    for modules in [10, 100] {
        let dir = tempfile::tempdir().unwrap();
        let buckets = generate(dir.path(), modules);
        let paths = [dir.path().to_path_buf()];
        let probe = scan_paths(&paths, &options).unwrap();
        // The generated project must be evaluated in full, or the figures lie.
        assert_eq!(probe.stats.buckets, buckets, "every bucket is modelled");
        eprintln!(
            "{modules} modules: {buckets} buckets, {} files, {} bytes, {} findings",
            probe.stats.files,
            probe.stats.bytes,
            probe.findings.len()
        );
        group.throughput(Throughput::Elements(buckets as u64));
        group.bench_with_input(BenchmarkId::new("buckets", buckets), &paths, |b, paths| {
            b.iter(|| black_box(scan_paths(paths, &options).unwrap()));
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
