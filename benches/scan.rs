//! Throughput on the real-world corpus (../shared/corpus): `cargo bench` prints MiB/s
//! and files/s for the whole pipeline (walk, read, parse, evaluate, check) and for
//! parsing alone. Skips when the corpus is absent.

use bucketlint::selection::Selection;
use bucketlint::walk::{self, FileKind};
use bucketlint::{Options, read_input, scan_paths, source};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

// The same allocator as the binary, so the numbers are what users get.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn corpus() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    dir.join("MANIFEST.tsv").exists().then_some(dir)
}

fn bench(c: &mut Criterion) {
    let Some(dir) = corpus() else {
        eprintln!("corpus not found: skipping benchmarks");
        return;
    };
    let options = Options {
        selection: Selection::new(&["ALL".into()], &[]).unwrap(),
        ..Options::default()
    };
    let probe = scan_paths(std::slice::from_ref(&dir), &options).unwrap();
    let (files, bytes) = (probe.stats.files as u64, probe.stats.bytes);
    eprintln!(
        "corpus: {files} files, {bytes} bytes, {} buckets",
        probe.stats.buckets
    );

    let mut scan = c.benchmark_group("scan");
    scan.sample_size(10)
        .measurement_time(Duration::from_secs(10));
    scan.throughput(Throughput::Bytes(bytes));
    scan.bench_function("corpus-bytes", |b| {
        b.iter(|| black_box(scan_paths(std::slice::from_ref(&dir), &options).unwrap()));
    });
    scan.throughput(Throughput::Elements(files));
    scan.bench_function("corpus-files", |b| {
        b.iter(|| black_box(scan_paths(std::slice::from_ref(&dir), &options).unwrap()));
    });
    scan.finish();

    // Parsing alone, single-threaded, on texts already in memory.
    let cwd = std::env::current_dir().unwrap();
    let texts: Vec<(String, bool)> = walk::walk(std::slice::from_ref(&dir))
        .files
        .iter()
        .filter_map(|c| {
            let input = read_input(&c.path, source::display_path(&c.path, &cwd), c.kind);
            Some((input.content.ok()?, c.kind == FileKind::TerraformJson))
        })
        .collect();
    let parse_bytes: u64 = texts.iter().map(|(t, _)| t.len() as u64).sum();
    let mut parse = c.benchmark_group("parse");
    parse
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    parse.throughput(Throughput::Bytes(parse_bytes));
    parse.bench_function("terraform-1-thread", |b| {
        b.iter(|| {
            for (text, json) in &texts {
                let _ = black_box(bucketlint::terraform::parse::parse_file(
                    source::FileId(0),
                    text,
                    *json,
                ));
            }
        });
    });
    parse.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
