//! Evaluation cost on a generated Terraform project: a root calling `modules`
//! local modules, each declaring 100 buckets (20 `count = 5` bucket blocks with
//! split versioning, encryption, access block and a `jsonencode` policy per
//! bucket, fed by module inputs and locals). `cargo bench --bench terraform`
//! prints buckets/s at 10 and 100 modules (1,000 and 10,000 buckets): equal rates
//! mean the evaluation stays linear.

use bucketlint::selection::Selection;
use bucketlint::{Options, scan_paths};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Duration;

#[path = "common/generate.rs"]
mod generate;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
        let buckets = generate::modules(dir.path(), modules);
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
