//! Every hostile input of issue 12, run by the release binary, must finish within
//! 10 s and 600 MB (generous for a loaded 2-core machine: each takes well under
//! 2 s). Peak memory is the child's high-water mark read from `/proc` (Linux; other
//! systems check time only and say so). `ci/bounds.sh` prints the figures.

mod common;
#[path = "common/measure.rs"]
mod measure;

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

const SECONDS: f64 = 10.0;
const MEGABYTES: f64 = 600.0;

/// The release binary, built (or found up to date) once.
fn release_binary() -> PathBuf {
    let root = common::root();
    let status = Command::new(env!("CARGO"))
        .args(["build", "--release", "--quiet", "--bin", "bucketlint"])
        .current_dir(&root)
        .status()
        .expect("cargo runs");
    assert!(status.success(), "the release build failed");
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    target
        .join("release")
        .join(format!("bucketlint{}", std::env::consts::EXE_SUFFIX))
}

type Check = dyn Fn(&measure::Measured) -> Result<(), String>;

struct Case {
    name: String,
    dir: tempfile::TempDir,
    args: Vec<&'static str>,
    /// What the run must show besides its bounds.
    check: Box<Check>,
}

fn case(
    name: impl Into<String>,
    files: &[(&str, &str)],
    args: &[&'static str],
    check: impl Fn(&measure::Measured) -> Result<(), String> + 'static,
) -> Case {
    Case {
        name: name.into(),
        dir: common::project(files),
        args: args.to_vec(),
        check: Box::new(check),
    }
}

fn exit(code: i32) -> impl Fn(&measure::Measured) -> Result<(), String> {
    move |r| {
        if r.code == Some(code) {
            Ok(())
        } else {
            Err(format!("exit {:?}, expected {code}", r.code))
        }
    }
}

fn contains(code: i32, text: &'static str) -> impl Fn(&measure::Measured) -> Result<(), String> {
    move |r| {
        exit(code)(r)?;
        let out = String::from_utf8_lossy(&r.stdout);
        if out.contains(text) {
            Ok(())
        } else {
            let tail: String = out
                .chars()
                .rev()
                .take(600)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            Err(format!("output lacks {text:?}: ...{tail}"))
        }
    }
}

fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    cases.push(case(
        "20,000 public buckets in one .tf, text report",
        &[("main.tf", &common::public_buckets(20_000))],
        &["check", ".", "--format", "text", "--select", "BL110"],
        contains(1, "19950 more BL110 findings not shown"),
    ));
    let mut dup = String::from(
        "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      AccessControl: PublicRead\n    Metadata:\n",
    );
    for _ in 0..64_000 {
        dup.push_str("      Same: x\n");
    }
    cases.push(case(
        "64,000 duplicate keys in a 1 MB YAML template, text report",
        &[("t.yaml", &dup)],
        &["check", ".", "--format", "text"],
        contains(2, "duplicate key `Same`"),
    ));
    let line = format!(
        "{{Resources: {{B: {{Type: 'AWS::S3::Bucket', Metadata: {{{}}}}}}}}}\n",
        vec!["k: 1"; 2_000].join(", ")
    );
    cases.push(case(
        "2,000 duplicate keys on one 12 KB YAML line, text report",
        &[("t.yaml", &line)],
        &["check", ".", "--format", "text"],
        |r| {
            exit(2)(r)?;
            // Clipped lines and capped repeats: the report stays small.
            if r.stdout.len() < 200_000 {
                Ok(())
            } else {
                Err(format!("{} bytes of report", r.stdout.len()))
            }
        },
    ));
    let one_line = common::one_line_template(10_000);
    for format in [
        "json", "sarif", "text", "concise", "github", "junit", "markdown",
    ] {
        let mut c = case(
            format!("10,000 buckets on one JSON line, {format} report"),
            &[("t.json", &one_line)],
            &["check", ".", "--format"],
            exit(1),
        );
        c.args.push(format);
        cases.push(c);
    }
    // The surfaces that draw the whole scan: a compliance report lists every
    // bucket under every control, the graph page every bucket.
    for (label, args) in [
        (
            "compliance report (nist, markdown)",
            &["report", ".", "--profile", "nist"][..],
        ),
        (
            "compliance report (iso27001, csv)",
            &["report", ".", "--profile", "iso27001", "-f", "csv"][..],
        ),
        (
            "access graph page (html)",
            &["graph", ".", "-f", "html"][..],
        ),
    ] {
        cases.push(case(
            format!("10,000 buckets on one JSON line, {label}"),
            &[("t.json", &one_line)],
            args,
            exit(0),
        ));
    }
    let nested = format!(
        "AWSTemplateFormatVersion: '2010-09-09'\nMetadata:\n  X: {}{}{}\nResources:\n  B:\n    Type: AWS::S3::Bucket\n",
        (0..100).fold(String::new(), |mut s, i| {
            let _ = write!(s, "&a{i} [");
            s
        }),
        vec!["1"; 100_000].join(","),
        "]".repeat(100)
    );
    cases.push(case(
        "nested YAML anchors over 100,000 items",
        &[("t.yaml", &nested)],
        &["check", ".", "--format", "concise"],
        exit(1),
    ));
    let mut laughs = String::from(
        "AWSTemplateFormatVersion: '2010-09-09'\nMetadata:\n  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n",
    );
    for i in 1..10 {
        let p = i - 1;
        let _ = writeln!(
            laughs,
            "  a{i}: &a{i} [{}]",
            vec![format!("*a{p}"); 10].join(", ")
        );
    }
    laughs.push_str("Resources:\n  B:\n    Type: AWS::S3::Bucket\n");
    cases.push(case(
        "YAML billion laughs",
        &[("t.yaml", &laughs)],
        &["check", ".", "--format", "concise"],
        contains(2, "alias expansion exceeds"),
    ));
    cases.push(case(
        "6 undecidable conditions x 1,000 buckets",
        &[("t.yaml", &common::undecidable_conditions(6, 1_000))],
        &["check", ".", "--format", "concise", "--select", "BL110"],
        exit(0),
    ));
    let fuel = "locals {\n  a = range(1000)\n  b = [for i in local.a : [for j in local.a : [for k in local.a : i * j * k]]]\n}\nresource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x${length(local.b)}\"\n}\n";
    let roots: Vec<(String, &str)> = (0..20).map(|i| (format!("r{i}/main.tf"), fuel)).collect();
    let roots: Vec<(&str, &str)> = roots.iter().map(|(p, t)| (p.as_str(), *t)).collect();
    cases.push(case(
        "20 roots of nested `for` over range(1000)",
        &roots,
        &["check", ".", "--format", "concise"],
        contains(1, "budget of 40000000 steps is spent"),
    ));
    let mut suppressed = String::new();
    for i in 0..40_000 {
        let _ = writeln!(
            suppressed,
            "resource \"aws_s3_bucket\" \"b{i}\" {{ acl = \"public-read\" }} # bucketlint:ignore BL110 reviewed"
        );
    }
    cases.push(case(
        "40,000 inline suppressions",
        &[("main.tf", &suppressed)],
        &["check", ".", "--format", "json", "--select", "BL110"],
        contains(0, "\"suppressed\": 40000"),
    ));
    let big = common::public_buckets(800_000);
    cases.push(case(
        format!("a {} MB .tf of buckets", big.len() >> 20),
        &[("main.tf", &big)],
        &["check", ".", "--format", "concise"],
        contains(2, "more than the 4194304-byte limit"),
    ));
    let deep = format!(
        "resource \"aws_s3_bucket\" \"b\" {{\n  bucket = {}1{}\n}}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    cases.push(case(
        "HCL nested 100,000 levels",
        &[("main.tf", &deep)],
        &["check", ".", "--format", "concise"],
        exit(2),
    ));
    #[cfg(unix)]
    {
        let c = case(
            "module sources through two self-links",
            &[(
                "m/main.tf",
                "module \"x\" {\n  source = \"./a\"\n}\nmodule \"y\" {\n  source = \"./b\"\n}\nresource \"aws_s3_bucket\" \"b\" {\n  acl = \"public-read\"\n}\n",
            )],
            &["check", "m", "--format", "concise", "--select", "BL110"],
            contains(1, "through a symbolic link; not followed"),
        );
        std::os::unix::fs::symlink(".", c.dir.path().join("m/a")).unwrap();
        std::os::unix::fs::symlink(".", c.dir.path().join("m/b")).unwrap();
        cases.push(c);
    }
    cases
}

#[test]
fn hostile_inputs_stay_within_time_and_memory_bounds() {
    let bin = release_binary();
    if !measure::memory_known() {
        println!("bounds: peak memory is not measured on this system (no /proc); time only");
    }
    let mut failures = Vec::new();
    for c in cases() {
        let r = measure::measure(
            Command::new(&bin)
                .args(&c.args)
                .current_dir(c.dir.path())
                .env_remove("GITHUB_ACTIONS")
                .env("NO_COLOR", "1"),
            Duration::from_secs_f64(3.0 * SECONDS),
        );
        let mem = r
            .peak_mb
            .map_or_else(|| "-".to_string(), |m| format!("{m:.0} MB"));
        println!(
            "bounds: {:<58} {:>6.2} s {:>8}  exit {:?}",
            c.name, r.secs, mem, r.code
        );
        if r.secs > SECONDS {
            failures.push(format!("{}: {:.1} s", c.name, r.secs));
        }
        if r.peak_mb.is_some_and(|m| m > MEGABYTES) {
            failures.push(format!("{}: {mem}", c.name));
        }
        if let Err(e) = (c.check)(&r) {
            failures.push(format!("{}: {e}", c.name));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
