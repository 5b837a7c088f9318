//! A mutation fuzzer on stable Rust: mutates the seed files (by default every
//! Terraform and CloudFormation file under `testdata/`) and runs each mutant through
//! `bucketlint::fuzz::exercise` (every front end, every report format, twice).
//!
//! ```text
//! cargo run --release --example fuzz -- [--seconds N] [--seed S] [DIR...]
//! ```
//!
//! A panic, an internal error, an invalid report, a second run that differs, or an
//! input that takes over 5 s is a failure: the input is saved under
//! `target/fuzz-failures/` and the run exits 1. The seed is printed so a run can be
//! repeated. For coverage-guided fuzzing on nightly, see `fuzz/` (cargo-fuzz).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Mutants larger than this are cut: the front ends' cost is in structure, not size.
const MAX_LEN: usize = 64 << 10;
const SLOW: Duration = Duration::from_secs(5);

/// Tokens that matter to the parsers and the evaluator, inserted whole.
const DICTIONARY: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "(",
    ")",
    "\"",
    "'",
    "\n",
    "\r\n",
    "\t",
    ":",
    ",",
    "=",
    "${",
    "%{",
    "}}",
    "<<EOF\n",
    "\nEOF\n",
    "\\u003a",
    "\\",
    "#",
    "//",
    "/*",
    "*/",
    "\u{feff}",
    "é",
    "\u{1F600}",
    "\0",
    "- ",
    "&a ",
    "*a",
    "!Ref ",
    "!If ",
    "!Sub ",
    "!GetAtt ",
    "Fn::If",
    "Ref",
    "Condition",
    "AWS::S3::Bucket",
    "AWS::S3::BucketPolicy",
    "AWS::NoValue",
    "aws_s3_bucket",
    "count = 0",
    "for_each = {}",
    "var.x",
    "local.x",
    "module.m",
    "each.key",
    "count.index",
    "null",
    "true",
    "\"*\"",
    "[for x in range(99) : x]",
    "1e308",
    "-1",
    "9999999999",
    "bucketlint:ignore BL110 r",
];

/// xorshift64*: reproducible from the printed seed, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn seeds(dirs: &[PathBuf]) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack: Vec<PathBuf> = dirs.to_vec();
    while let Some(p) = stack.pop() {
        let Ok(meta) = std::fs::symlink_metadata(&p) else {
            continue;
        };
        if meta.is_dir() {
            if let Ok(entries) = std::fs::read_dir(&p) {
                stack.extend(entries.filter_map(Result::ok).map(|e| e.path()));
            }
        } else if meta.is_file() && bucketlint::walk::FileKind::of(&p).is_some() {
            let name = p
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            if let Ok(bytes) = std::fs::read(&p) {
                out.push((name, bytes));
            }
        }
    }
    out.sort();
    out
}

fn mutate(rng: &mut Rng, data: &mut Vec<u8>, other: &[u8]) {
    let at = |rng: &mut Rng, data: &Vec<u8>| rng.below(data.len() + 1);
    match rng.below(8) {
        0 if !data.is_empty() => {
            let i = rng.below(data.len());
            data[i] ^= 1 << rng.below(8);
        }
        1 => {
            let i = at(rng, data);
            data.insert(i, rng.next() as u8);
        }
        2 if !data.is_empty() => {
            let i = rng.below(data.len());
            let n = rng.below(64).min(data.len() - i);
            data.drain(i..i + n);
        }
        3 if !data.is_empty() => {
            // Repeat a slice: nesting and repetition are where costs hide.
            let i = rng.below(data.len());
            let n = (1 + rng.below(32)).min(data.len() - i);
            let chunk = data[i..i + n].to_vec();
            for _ in 0..=rng.below(64) {
                data.splice(i..i, chunk.iter().copied());
            }
        }
        4 if !other.is_empty() => {
            // Splice in part of another seed.
            let i = rng.below(other.len());
            let n = (1 + rng.below(512)).min(other.len() - i);
            let j = at(rng, data);
            data.splice(j..j, other[i..i + n].iter().copied());
        }
        5 => {
            data.truncate(at(rng, data));
        }
        _ => {
            let token = DICTIONARY[rng.below(DICTIONARY.len())].as_bytes();
            let i = at(rng, data);
            data.splice(i..i, token.iter().copied());
        }
    }
}

/// A file name of another front end now and then, so every parser meets every shape.
fn name_for(rng: &mut Rng, original: &str) -> String {
    const NAMES: &[&str] = &[
        "main.tf",
        "main.tf.json",
        "template.yaml",
        "template.json",
        "stack.template",
        "terraform.tfvars",
    ];
    if rng.below(8) == 0 {
        NAMES[rng.below(NAMES.len())].to_string()
    } else {
        original.to_string()
    }
}

fn main() {
    let mut seconds = 60u64;
    let mut seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| d.as_nanos() as u64)
        | 1;
    let mut dirs = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--seconds" => seconds = args.next().and_then(|v| v.parse().ok()).unwrap_or(60),
            "--seed" => seed = args.next().and_then(|v| v.parse().ok()).unwrap_or(1) | 1,
            _ => dirs.push(PathBuf::from(a)),
        }
    }
    if dirs.is_empty() {
        dirs.push(PathBuf::from("testdata"));
    }
    let seeds = seeds(&dirs);
    if seeds.is_empty() {
        eprintln!("fuzz: no seed files under {dirs:?}");
        std::process::exit(2);
    }
    println!("fuzz: {} seeds, {seconds} s, --seed {seed}", seeds.len());
    let failures_dir = Path::new("target/fuzz-failures");
    let mut rng = Rng(seed);
    let start = Instant::now();
    let (mut runs, mut failures, mut bytes) = (0u64, 0u64, 0u64);
    // Panics are reported by the loop, with the input saved; the default hook's
    // message (and location) is kept.
    while start.elapsed() < Duration::from_secs(seconds) {
        let (name, data) = &seeds[rng.below(seeds.len())];
        let (_, other) = &seeds[rng.below(seeds.len())];
        let mut input = data.clone();
        for _ in 0..=rng.below(4) {
            mutate(&mut rng, &mut input, other);
        }
        input.truncate(MAX_LEN);
        let name = name_for(&mut rng, name);
        let path = format!("input/{name}");
        let began = Instant::now();
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            bucketlint::fuzz::exercise(&path, &input)
        }));
        let took = began.elapsed();
        runs += 1;
        bytes += input.len() as u64;
        let problem = match outcome {
            Ok(Ok(())) if took > SLOW => Some(format!("took {took:.1?}")),
            Ok(Ok(())) => None,
            Ok(Err(e)) => Some(e),
            Err(_) => Some("panic".to_string()),
        };
        if let Some(problem) = problem {
            failures += 1;
            let _ = std::fs::create_dir_all(failures_dir);
            let saved = failures_dir.join(format!("{runs}-{name}"));
            let _ = std::fs::write(&saved, &input);
            println!("fuzz: FAILURE ({problem}): {}", saved.display());
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "fuzz: {runs} inputs ({:.1} MB) in {secs:.0} s, {:.0} inputs/s, {failures} failures",
        bytes as f64 / 1e6,
        runs as f64 / secs
    );
    if failures > 0 {
        std::process::exit(1);
    }
}
