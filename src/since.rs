//! `check --new-since REF`: only the findings a revision did not have. The scanned
//! paths are read as they are at REF from git's object store (checked out into a
//! private temporary directory through a temporary index: the work tree and the
//! real index are never touched), scanned with the same configuration, and recorded
//! as a baseline the current scan is compared with: matched by file, resource and
//! rule, as `--baseline` matches, so moving code within a file is not new.

use crate::Scan;
use crate::baseline::{self, Entry};
use crate::source::absolute;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The name the recorded findings of REF are compared under: a baseline "file" in
/// the working directory, which is never written.
const VIRTUAL: &str = ".bucketlint-new-since";

/// Runs git in `dir`; its standard output, or a message with its standard error.
fn git(dir: &Path, args: &[&str], index: Option<&Path>) -> Result<String, String> {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir).args(args);
    if let Some(index) = index {
        cmd.env("GIT_INDEX_FILE", index);
    }
    let out = cmd
        .output()
        .map_err(|e| format!("--new-since needs git on PATH: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim_end().to_string())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
    }
}

/// A revision's findings.
pub struct Revision {
    pub name: String,
    commit: String,
    /// The work tree's top directory.
    top: PathBuf,
    /// As baseline entries relative to the working directory.
    pub entries: Vec<Entry>,
}

/// The findings of the `paths` at revision `rev`. `scan` scans paths with the run's
/// options.
pub fn findings_at(
    rev: &str,
    paths: &[PathBuf],
    scan: &dyn Fn(&[PathBuf]) -> Result<Scan, String>,
) -> Result<Revision, String> {
    // A revision is a name, never an option git would act on.
    if rev.is_empty() || rev.starts_with('-') {
        return Err(format!("--new-since {rev:?}: not a revision"));
    }
    let cwd = absolute(Path::new("."));
    let top = git(&cwd, &["rev-parse", "--show-toplevel"], None)
        .map_err(|e| format!("--new-since needs a git work tree: {e}"))?;
    let top = absolute(Path::new(&top));
    let commit = git(
        &top,
        &["rev-parse", "--verify", "--quiet", "--end-of-options", &format!("{rev}^{{commit}}")],
        None,
    )
    .map_err(|_| {
        format!(
            "--new-since {rev}: git does not have this revision here (a shallow clone fetches only the commit it checks out): fetch it first, e.g. `git fetch --depth=1 origin main` for origin/main, or check out with `fetch-depth: 0`"
        )
    })?;
    let tmp = tempfile::Builder::new()
        .prefix("bucketlint-new-since-")
        .tempdir()
        .map_err(|e| format!("--new-since: cannot create a temporary directory: {e}"))?;
    let index = tmp.path().join("index");
    let tree = tmp.path().join("tree");
    git(&top, &["read-tree", &commit], Some(&index))
        .map_err(|e| format!("--new-since {rev}: git read-tree failed: {e}"))?;
    let prefix = format!("{}/", tree.display());
    git(
        &top,
        &["checkout-index", "--all", "--prefix", &prefix],
        Some(&index),
    )
    .map_err(|e| format!("--new-since {rev}: git checkout-index failed: {e}"))?;
    // The same paths, at REF. A path that did not exist there yet has no findings.
    let mut old = Vec::new();
    for p in paths {
        let rel = absolute(p)
            .strip_prefix(&top)
            .map(Path::to_path_buf)
            .map_err(|_| {
                format!(
                    "--new-since: {} is outside the git work tree {}",
                    p.display(),
                    top.display()
                )
            })?;
        let there = tree.join(rel);
        if there.exists() {
            old.push(there);
        }
    }
    let mut revision = Revision {
        name: rev.to_string(),
        commit,
        top: top.clone(),
        entries: Vec::new(),
    };
    if old.is_empty() {
        return Ok(revision);
    }
    let scanned = scan(&old).map_err(|e| format!("--new-since {rev}: {e}"))?;
    // Recorded relative to the working directory's place in the old tree, the
    // entries read as relative to the working directory now.
    let here = cwd.strip_prefix(&top).unwrap_or(Path::new(""));
    let file = tree.join(here).join(VIRTUAL);
    let text = baseline::record(&scanned, &file);
    revision.entries = baseline::parse(&text, &file)?;
    Ok(revision)
}

/// Marks each finding of `scan` new or already present at the revision, and keeps
/// what changed since then in the files of the new ones (`git diff`, for reports).
pub fn compare(scan: &mut Scan, revision: &Revision) {
    baseline::compare(scan, &revision.entries, Path::new(VIRTUAL));
    let mut files: Vec<(String, PathBuf)> = scan
        .findings
        .iter()
        .filter(|f| f.baseline == Some(baseline::State::New))
        .map(|f| {
            let file = scan.sources.get(f.span.file);
            (file.display.clone(), absolute(&file.path))
        })
        .collect();
    files.sort();
    files.dedup();
    let mut diffs = std::collections::BTreeMap::new();
    for (display, path) in files {
        let Some(path) = path.to_str() else { continue };
        // Failing (a file git does not track yet): no hunk to show.
        if let Ok(diff) = git(
            &revision.top,
            &[
                "diff",
                "--no-color",
                "--no-ext-diff",
                "--unified=2",
                &revision.commit,
                "--",
                path,
            ],
            None,
        ) && !diff.is_empty()
        {
            diffs.insert(display, diff);
        }
    }
    if let Some(b) = &mut scan.baseline {
        b.since = Some(revision.name.clone());
        b.diffs = diffs;
    }
}
