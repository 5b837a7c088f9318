//! The labelled accuracy suite: `testdata/accuracy/<case>/` holds a small project
//! written from AWS's documentation and an `expect.toml` with every finding it must
//! give (code, file, line) for the rules it selects, the codes that must stay silent,
//! and, where it matters, the paths to scan and the exit status. The test runs the
//! real binary on each case, prints recall and false positives per rule, and holds
//! the suite to 100% recall and no false positive.

mod common;

use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    about: String,
    class: String,
    #[serde(default)]
    source: Option<String>,
    /// Rules to run (default: the default rules).
    #[serde(default)]
    select: Option<Vec<String>>,
    #[serde(default)]
    paths: Option<Vec<String>>,
    #[serde(default)]
    exit: Option<i32>,
    /// Codes that must not fire (also implied by the complete finding list; named
    /// to count the negatives each case is about).
    #[serde(default)]
    absent: Vec<String>,
    #[serde(default, rename = "finding")]
    findings: Vec<Labelled>,
}

#[derive(Deserialize, Clone, PartialEq, Eq, PartialOrd, Ord)]
#[serde(deny_unknown_fields)]
struct Labelled {
    code: String,
    file: String,
    line: u64,
}

#[derive(Default)]
struct Score {
    expected: usize,
    found: usize,
    false_positives: usize,
    negatives: usize,
}

#[test]
fn the_labelled_accuracy_suite_holds() {
    let root = common::root().join("testdata/accuracy");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("expect.toml").is_file())
        .collect();
    cases.sort();
    assert!(cases.len() >= 60, "only {} cases", cases.len());

    let mut by_rule: BTreeMap<String, Score> = BTreeMap::new();
    let mut classes: BTreeSet<String> = BTreeSet::new();
    let mut problems = Vec::new();
    for dir in &cases {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let expect: Expect =
            toml::from_str(&std::fs::read_to_string(dir.join("expect.toml")).unwrap())
                .unwrap_or_else(|e| panic!("{name}/expect.toml: {e}"));
        assert!(!expect.about.is_empty() && expect.source.as_deref() != Some(""));
        classes.insert(expect.class.clone());
        let (status, found) = run(dir, &expect);
        if let Some(code) = expect.exit
            && status != code
        {
            problems.push(format!("{name}: exit status {status}, expected {code}"));
        }
        let expected: BTreeSet<Labelled> = expect.findings.iter().cloned().collect();
        for l in &expected {
            let s = by_rule.entry(l.code.clone()).or_default();
            s.expected += 1;
            if found.contains(l) {
                s.found += 1;
            } else {
                problems.push(format!(
                    "{name}: missed {} at {}:{}",
                    l.code, l.file, l.line
                ));
            }
        }
        for f in found.difference(&expected) {
            by_rule.entry(f.code.clone()).or_default().false_positives += 1;
            problems.push(format!(
                "{name}: unexpected {} at {}:{}",
                f.code, f.file, f.line
            ));
        }
        for code in &expect.absent {
            by_rule.entry(code.clone()).or_default().negatives += 1;
        }
    }

    println!("accuracy suite: {} cases, classes {classes:?}", cases.len());
    println!(
        "{:<6} {:>8} {:>6} {:>7} {:>9} {:>15}",
        "rule", "labelled", "found", "recall", "negatives", "false positives"
    );
    let (mut expected, mut found, mut fps) = (0, 0, 0);
    for (code, s) in &by_rule {
        let recall = if s.expected == 0 {
            "-".to_string()
        } else {
            format!("{:.0}%", 100.0 * s.found as f64 / s.expected as f64)
        };
        println!(
            "{code:<6} {:>8} {:>6} {recall:>7} {:>9} {:>15}",
            s.expected, s.found, s.negatives, s.false_positives
        );
        expected += s.expected;
        found += s.found;
        fps += s.false_positives;
    }
    println!("total: {found}/{expected} labelled findings, {fps} false positives");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Runs `bucketlint check` in the case directory; the exit status and the findings
/// as (code, file relative to the case, line).
fn run(dir: &Path, expect: &Expect) -> (i32, BTreeSet<Labelled>) {
    // Each case stands alone: not under testdata/bucketlint.toml (the demo scan's).
    let empty = tempfile::NamedTempFile::new().unwrap();
    let mut cmd = common::bucketlint_in(dir);
    cmd.arg("check").arg("--config").arg(empty.path());
    match &expect.paths {
        Some(p) => cmd.args(p),
        None => cmd.arg("."),
    };
    cmd.args(["--format", "json", "--no-color"]);
    if let Some(select) = &expect.select {
        cmd.args(["--select", &select.join(",")]);
    }
    let out = cmd.output().unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{}: {e}\n{}",
            dir.display(),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let found = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| Labelled {
            code: f["code"].as_str().unwrap().to_string(),
            file: f["path"]
                .as_str()
                .unwrap()
                .trim_start_matches("./")
                .to_string(),
            line: f["start"]["line"].as_u64().unwrap(),
        })
        .collect();
    (out.status.code().unwrap_or(-1), found)
}
