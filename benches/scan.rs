//! Throughput on the real-world corpus (../shared/corpus): `cargo bench` prints MiB/s
//! and files/s for the whole pipeline (walk, read, parse, evaluate, check) and MiB/s
//! for parsing alone, per format (Terraform, CloudFormation YAML and JSON). Skips
//! when the corpus is absent.

use bucketlint::cloudformation::{self, parse, parse::Format};
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

    // Parsing alone, single-threaded, on texts already in memory, per format.
    let cwd = std::env::current_dir().unwrap();
    let mut terraform: Vec<(String, bool)> = Vec::new();
    let mut templates: Vec<(String, Format)> = Vec::new();
    for c in walk::walk(std::slice::from_ref(&dir)).files {
        let Some(input) = read_input(&c.path, source::display_path(&c.path, &cwd), c.kind) else {
            continue;
        };
        let Ok(text) = input.content else { continue };
        match c.kind {
            FileKind::Terraform | FileKind::TerraformJson => {
                terraform.push((text, c.kind == FileKind::TerraformJson));
            }
            kind if cloudformation::may_be_template(&text) => {
                let format = match kind {
                    FileKind::Json => Format::Json,
                    FileKind::Yaml => Format::Yaml,
                    _ => parse::sniff(&text),
                };
                templates.push((text, format));
            }
            _ => {}
        }
    }
    let mut group = c.benchmark_group("parse");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    let bytes =
        |texts: &mut dyn Iterator<Item = &String>| texts.map(|t| t.len() as u64).sum::<u64>();
    group.throughput(Throughput::Bytes(bytes(
        &mut terraform.iter().map(|(t, _)| t),
    )));
    group.bench_function("terraform", |b| {
        b.iter(|| {
            for (text, json) in &terraform {
                let _ = black_box(bucketlint::terraform::parse::parse_file(
                    source::FileId(0),
                    text,
                    *json,
                ));
            }
        });
    });
    for format in [Format::Yaml, Format::Json] {
        let these: Vec<&String> = templates
            .iter()
            .filter(|(_, f)| *f == format)
            .map(|(t, _)| t)
            .collect();
        eprintln!(
            "{format:?} templates: {} files, {} bytes",
            these.len(),
            bytes(&mut these.iter().copied())
        );
        group.throughput(Throughput::Bytes(bytes(&mut these.iter().copied())));
        group.bench_function(format!("cloudformation-{format:?}").to_lowercase(), |b| {
            b.iter(|| {
                for text in &these {
                    let _ = black_box(parse::parse(source::FileId(0), text, format));
                }
            });
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
