//! Baselines: adopt bucketlint on an existing repository by recording today's
//! findings and reporting only new ones.
//!
//! An entry is keyed by the file (relative to the baseline file's directory),
//! the resource (Terraform address or CloudFormation logical ID) and the rule
//! code, with a count, never by line: editing a file above a known finding does
//! not make it new. A finding on several module instances is one entry per
//! instance address.

use crate::Scan;
use crate::finding::Finding;
use crate::source::{FileId, absolute};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

pub const DEFAULT_FILE: &str = ".bucketlint-baseline.json";
const VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Entry {
    /// The file, relative to the baseline file's directory, `/`-separated.
    pub path: String,
    /// Resource address or logical ID; empty for findings on no resource (a file
    /// that does not parse, an unused suppression).
    #[serde(default)]
    pub resource: String,
    pub code: String,
    /// How many findings share this key.
    #[serde(default = "one")]
    pub count: usize,
}

fn one() -> usize {
    1
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: u32,
    #[serde(default)]
    generated_by: String,
    findings: Vec<Entry>,
}

/// SARIF `baselineState` of a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    New,
    Unchanged,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::New => "new",
            State::Unchanged => "unchanged",
        }
    }
}

/// A baseline compared with a scan.
#[derive(Debug, Clone, Default)]
pub struct Comparison {
    /// The baseline file, as given.
    pub file: PathBuf,
    /// Entries no finding matched any more: fixed (or moved), to be pruned.
    pub absent: Vec<Absent>,
    /// `check --new-since REV`: the entries are the findings of that revision.
    pub since: Option<String>,
    /// With `since`: what changed since the revision in the files of new findings
    /// (`git diff` output, by display path).
    pub diffs: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Clone)]
pub struct Absent {
    pub entry: Entry,
    /// The entry's file as reports show paths (relative to the working directory).
    pub shown: String,
}

/// (path relative to the baseline's directory, resource, rule code).
type Key = (String, String, &'static str);

/// The keys of a finding: one per resource address it covers.
fn keys(f: &Finding, path: &str) -> Vec<Key> {
    std::iter::once(f.resource.clone().unwrap_or_default())
        .chain(f.instances.iter().cloned())
        .map(|r| (path.to_string(), r, f.code))
        .collect()
}

/// The path of every file the scan read relative to `dir`, resolved once per
/// file (resolving means a `canonicalize` call).
fn relative_paths(scan: &Scan, dir: &Path) -> HashMap<FileId, String> {
    let base = absolute(dir);
    scan.sources
        .iter()
        .map(|f| (f.id, relative_to(&absolute(&f.path), &base)))
        .collect()
}

/// `path` relative to the directory `base` (both absolute), with `..` where it
/// lies outside, `/`-separated: a baseline in `ci/` names `../infra/main.tf`.
fn relative_to(path: &Path, base: &Path) -> String {
    let p: Vec<_> = path.components().collect();
    let b: Vec<_> = base.components().collect();
    let common = p.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if common == 0 {
        // Another drive (Windows): nothing relative to say.
        return path.to_string_lossy().replace('\\', "/");
    }
    let mut parts: Vec<String> = vec!["..".to_string(); b.len() - common];
    parts.extend(
        p[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

/// A baseline path as reports show paths: relative to the working directory.
fn shown(dir: &Path, path: &str) -> String {
    if Path::new(path).is_absolute() {
        return path.to_string();
    }
    relative_to(&absolute(&dir.join(path)), &absolute(Path::new(".")))
}

/// The directory paths in a baseline file are relative to.
fn base_dir(file: &Path) -> PathBuf {
    match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// The baseline of a scan: its reported findings (inline-suppressed ones are
/// already accounted for), as JSON for `file`.
pub fn record(scan: &Scan, file: &Path) -> String {
    let paths = relative_paths(scan, &base_dir(file));
    let mut counts: BTreeMap<Key, usize> = BTreeMap::new();
    for f in scan.reported() {
        for k in keys(f, &paths[&f.span.file]) {
            *counts.entry(k).or_default() += 1;
        }
    }
    let doc = File {
        version: VERSION,
        generated_by: format!("bucketlint {}", env!("CARGO_PKG_VERSION")),
        findings: counts
            .into_iter()
            .map(|((path, resource, code), count)| Entry {
                path,
                resource,
                code: code.to_string(),
                count,
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

/// Reads a baseline file.
pub fn load(file: &Path) -> Result<Vec<Entry>, String> {
    let text = crate::source::read_regular(file)
        .map_err(|e| format!("cannot read baseline {}: {e}", file.display()))?;
    parse(&text, file)
}

/// A baseline's entries from its text (`file` names it in messages).
pub fn parse(text: &str, file: &Path) -> Result<Vec<Entry>, String> {
    let doc: File = serde_json::from_str(text).map_err(|e| {
        format!(
            "{}:{}:{}: not a bucketlint baseline: {e}",
            file.display(),
            e.line(),
            e.column()
        )
    })?;
    if doc.version != VERSION {
        return Err(format!(
            "{}: baseline version {} is not supported (expected {VERSION}); run `bucketlint baseline` again",
            file.display(),
            doc.version
        ));
    }
    Ok(doc.findings)
}

/// Marks each reported finding new or unchanged against `entries`, in source
/// order (when a key has more findings than its count, the later ones are new),
/// and records the entries nothing matched.
pub fn compare(scan: &mut Scan, entries: &[Entry], file: &Path) {
    let dir = base_dir(file);
    let mut budget: BTreeMap<Key, usize> = BTreeMap::new();
    for e in entries {
        // Codes are interned by the catalog; an entry for a rule that no longer
        // exists can only be absent.
        if let Some(code) = crate::rules::code_of(&e.code) {
            *budget
                .entry((e.path.clone(), e.resource.clone(), code))
                .or_default() += e.count;
        }
    }
    let paths = relative_paths(scan, &dir);
    for f in &mut scan.findings {
        if f.suppressed.is_some() {
            continue;
        }
        let ks = keys(f, &paths[&f.span.file]);
        let known = ks.iter().all(|k| budget.get(k).is_some_and(|n| *n > 0));
        if known {
            for k in &ks {
                if let Some(n) = budget.get_mut(k) {
                    *n -= 1;
                }
            }
        }
        f.baseline = Some(if known { State::Unchanged } else { State::New });
    }
    let read: HashSet<&str> = paths.values().map(String::as_str).collect();
    let mut absent = Vec::new();
    for e in entries {
        let left = crate::rules::code_of(&e.code).map_or(e.count, |c| {
            let k = (e.path.clone(), e.resource.clone(), c);
            let unused = budget.get(&k).copied().unwrap_or(0);
            // Split what is left of a key over its entries (duplicates in a
            // hand-edited file) without counting it twice.
            let n = unused.min(e.count);
            if let Some(b) = budget.get_mut(&k) {
                *b -= n;
            }
            n
        });
        // Stale only if this scan could have found it: its file was read, or is
        // gone. A file outside the scanned paths (`check infra/`, a pre-commit
        // run) says nothing about its entries.
        let in_scope = read.contains(e.path.as_str()) || !dir.join(&e.path).exists();
        if left > 0 && in_scope {
            absent.push(Absent {
                entry: Entry {
                    count: left,
                    ..e.clone()
                },
                shown: shown(&dir, &e.path),
            });
        }
    }
    scan.baseline = Some(Comparison {
        file: file.to_path_buf(),
        absent,
        since: None,
        diffs: std::collections::BTreeMap::new(),
    });
}

#[cfg(test)]
mod tests {
    use super::relative_to;
    use std::path::Path;

    #[test]
    fn relative_paths_climb_out_of_the_baseline_directory() {
        let r = |p: &str, b: &str| relative_to(Path::new(p), Path::new(b));
        assert_eq!(r("/repo/infra/main.tf", "/repo"), "infra/main.tf");
        assert_eq!(r("/repo/infra/main.tf", "/repo/ci"), "../infra/main.tf");
        assert_eq!(r("/repo/main.tf", "/repo/a/b"), "../../main.tf");
    }
}
