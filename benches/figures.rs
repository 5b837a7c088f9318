//! The performance figures of issues 13 and 18, each measured in the same run and printed
//! against its goal: the release binary on `../shared/corpus` (skipped, and said, when
//! the corpus is absent) and on generated projects (`common/generate.rs`). Run it
//! with `ci/bench.sh` or `cargo bench --bench figures`.

#[path = "common/generate.rs"]
mod generate;
#[path = "../tests/common/lsp.rs"]
mod lsp;
#[path = "../tests/common/measure.rs"]
mod measure;

use measure::Measured;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_bucketlint");

fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("BUCKETLINT_CORPUS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"),
        PathBuf::from,
    );
    dir.is_dir().then_some(dir)
}

/// Every regular file below `dir`, symbolic links not followed.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.filter_map(Result::ok) {
            match e.file_type() {
                Ok(t) if t.is_dir() => stack.push(e.path()),
                Ok(t) if t.is_file() => out.push(e.path()),
                _ => {}
            }
        }
    }
    out
}

/// The floor, as the issue measured it: `cat` of every file (best of three, warm
/// cache), and the bytes read.
fn read_floor(dir: &Path, files: &[PathBuf]) -> (f64, u64) {
    let bytes = files
        .iter()
        .filter_map(|f| f.metadata().ok())
        .map(|m| m.len())
        .sum();
    let best = (0..3)
        .map(|_| {
            let mut cmd = Command::new("sh");
            cmd.args(["-c", "find \"$1\" -type f -exec cat {} + > /dev/null", "sh"])
                .arg(dir);
            measure::measure(&mut cmd, Duration::from_secs(120)).secs
        })
        .fold(f64::MAX, f64::min);
    (best, bytes)
}

/// The median of `runs` scans of `dir` (JSON report, default rules).
fn scan(dir: &Path, threads: Option<usize>, runs: usize) -> Measured {
    run(
        &["check", "--format", "json", "--exit-zero"],
        dir,
        threads,
        runs,
    )
}

/// The median of `runs` runs of `bucketlint ARGS DIR`.
fn run(args: &[&str], dir: &Path, threads: Option<usize>, runs: usize) -> Measured {
    let mut all: Vec<Measured> = (0..runs)
        .map(|_| {
            let mut cmd = Command::new(BIN);
            cmd.args(args).arg(dir);
            if let Some(n) = threads {
                cmd.env("RAYON_NUM_THREADS", n.to_string());
            }
            let m = measure::measure(&mut cmd, Duration::from_secs(600));
            // 2 is a scan with files that do not parse (the corpus has some).
            assert!(
                matches!(m.code, Some(0 | 2)) && !m.stdout.is_empty(),
                "scan of {} failed: {:?}",
                dir.display(),
                m.code
            );
            m
        })
        .collect();
    all.sort_by(|a, b| a.secs.total_cmp(&b.secs));
    all.swap_remove(runs / 2)
}

/// `bucketlint server` with `file` open: the median time from a change of the
/// buffer (unsaved) to the diagnostics published for it.
fn server_latency(dir: &Path, file: &Path, runs: usize) -> f64 {
    use serde_json::json;
    let mut c = lsp::Client::start(BIN, dir, &json!({}));
    let uri = format!("file://{}", file.display());
    let text = std::fs::read_to_string(file).unwrap();
    c.open(&uri, "terraform", &text);
    c.diagnostics(&uri, |_| true);
    let mut times: Vec<f64> = (0..runs)
        .map(|i| {
            let edited = format!("{text}\n# edit {i}\n");
            let start = std::time::Instant::now();
            c.change(&uri, i as u64 + 2, &edited);
            c.diagnostics(&uri, |_| true);
            start.elapsed().as_secs_f64()
        })
        .collect();
    c.shutdown();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

fn mb(m: &Measured) -> String {
    m.peak_mb
        .map_or_else(|| "?".into(), |v| format!("{v:.0} MB"))
}

fn row(figure: &str, value: &str, goal: &str) {
    println!("{figure:<46} {value:>22}   {goal}");
}

/// Hard links (or copies, across file systems) of every file of `from` under `to`.
fn replicate(from: &Path, to: &Path) {
    for f in files(from) {
        let rel = f.strip_prefix(from).unwrap();
        let dest = to.join(rel);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        if std::fs::hard_link(&f, &dest).is_err() {
            std::fs::copy(&f, &dest).unwrap();
        }
    }
}

fn main() {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    println!("bucketlint performance figures: {cores} cores, {BIN}");
    row("figure", "value", "goal");
    let work = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-figures");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();

    if let Some(corpus) = corpus() {
        let list = files(&corpus);
        let (floor, bytes) = read_floor(&corpus, &list);
        let megabytes = bytes as f64 / 1e6;
        row(
            "corpus: `cat` every file (the floor)",
            &format!("{floor:.3} s"),
            &format!("{} files, {megabytes:.1} MB", list.len()),
        );
        let two = scan(&corpus, Some(2.min(cores)), 5);
        let one = scan(&corpus, Some(1), 3);
        row(
            "corpus: scan",
            &format!("{:.3} s, {}", two.secs, mb(&two)),
            "",
        );
        row(
            "  wall / read floor",
            &format!("{:.2}x", two.secs / floor),
            "<= 2.0x",
        );
        if let Some(peak) = two.peak_mb {
            row(
                "  peak memory / corpus bytes",
                &format!("{:.2}x", peak * 1_048_576.0 / bytes as f64),
                "<= 3x",
            );
        }
        row(
            "  two threads / one thread (speed-up)",
            &format!("{:.2}x ({:.3} s)", one.secs / two.secs, one.secs),
            ">= 1.5x",
        );
        let graph = run(&["graph", "--format", "json"], &corpus, None, 3);
        row(
            "corpus: access graph",
            &format!("{:.3} s, {}", graph.secs, mb(&graph)),
            "< 1 s",
        );
        let small = corpus.join("trussworks+terraform-aws-s3-private-bucket");
        if small.is_dir() {
            // The whole process, timed without polling it (median of 31).
            let mut runs: Vec<f64> = (0..31)
                .map(|_| {
                    measure::wall(
                        Command::new(BIN)
                            .args(["check", "--format", "json", "--exit-zero"])
                            .arg(&small),
                    )
                })
                .collect();
            runs.sort_by(f64::total_cmp);
            row(
                "small module (trussworks s3-private-bucket)",
                &format!("{:.1} ms", runs[runs.len() / 2] * 1e3),
                "<= 10 ms",
            );
        }
        let copies = work.join("copies");
        for i in 0..16 {
            replicate(&corpus, &copies.join(format!("c{i:02}")));
        }
        let sixteen = scan(&copies, None, 1);
        let (m1, m16) = (two.peak_mb.unwrap_or(0.0), sixteen.peak_mb.unwrap_or(0.0));
        row(
            "16 copies of the corpus: time / 1 copy",
            &format!("{:.1}x ({:.2} s)", sixteen.secs / two.secs, sixteen.secs),
            "linear (<= 16x)",
        );
        row(
            "  memory / 1 copy",
            &format!("{:.1}x ({})", m16 / m1, mb(&sixteen)),
            "linear (<= 16x)",
        );
        if let (Some(s1), Some(s16)) = (two.sys, sixteen.sys) {
            row(
                "  system time / 1 copy",
                &format!("{:.1}x ({s16:.2} s)", s16 / s1.max(0.01)),
                "linear (<= 16x)",
            );
        }
        let _ = std::fs::remove_dir_all(&copies);
    } else {
        println!(
            "corpus not found (../shared/corpus or BUCKETLINT_CORPUS): corpus figures skipped"
        );
    }

    let flat = work.join("flat");
    let buckets = generate::flat_root(&flat, 100, 100);
    let size: u64 = files(&flat)
        .iter()
        .filter_map(|f| f.metadata().ok())
        .map(|m| m.len())
        .sum();
    let m = scan(&flat, None, 3);
    row(
        &format!(
            "one root, {buckets} buckets in 100 files ({:.1} MB)",
            size as f64 / 1e6
        ),
        &format!("{:.3} s, {}", m.secs, mb(&m)),
        "<= 0.35 s, <= 100 MB",
    );
    let latency = server_latency(
        &flat.canonicalize().unwrap(),
        &flat.canonicalize().unwrap().join("buckets_0.tf"),
        5,
    );
    row(
        "server: a change to diagnostics, that root",
        &format!("{:.0} ms", latency * 1000.0),
        "<= 1 s",
    );
    let module = work.join("module");
    generate::flat_root(&module, 2, 3);
    let module = module.canonicalize().unwrap();
    let latency = server_latency(&module, &module.join("buckets_0.tf"), 21);
    row(
        "server: a change to diagnostics, a module of 6 buckets",
        &format!("{:.1} ms", latency * 1000.0),
        "<= 50 ms",
    );
    let modules = work.join("modules");
    std::fs::create_dir_all(&modules).unwrap();
    let buckets = generate::modules(&modules, 100);
    let m = scan(&modules, None, 3);
    row(
        &format!("100 modules x 100 buckets ({buckets}, count)"),
        &format!("{:.3} s, {}", m.secs, mb(&m)),
        "<= 0.3 s, <= 80 MB",
    );
    // Issue 18: the access graph of an organisation: 1,000 each of buckets, roles
    // (with inline policies), Lambda functions running as them, and users (with
    // inline policies by reference).
    let org = work.join("organisation");
    generate::organisation(&org, 1000);
    let m = run(&["graph", "--format", "json"], &org, None, 3);
    row(
        "graph: 1,000 roles, functions, users x 1,000 buckets",
        &format!("{:.3} s, {}", m.secs, mb(&m)),
        "<= 2 s",
    );
    let _ = std::fs::remove_dir_all(&work);
}
