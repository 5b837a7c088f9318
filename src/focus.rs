//! Reporting on some files of a larger scan: the files staged for a commit
//! (`--pre-commit`) or changed by a pull request (`--changed-files`).
//!
//! Terraform is evaluated per module directory, so a changed file is scanned
//! with the rest of its directory (a public access block in `access.tf` still
//! covers the bucket in `main.tf`); only the report is narrowed.

use crate::Scan;
use crate::finding::Finding;
use crate::source::{FileId, absolute};
use crate::walk::FileKind;
use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

/// The files to scan for `files`: every Terraform file directly in the
/// directory of a Terraform file (one module, not its subdirectories), and
/// templates themselves. Files bucketlint does not read are dropped.
pub fn module_files(files: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = BTreeSet::new();
    let mut dirs = BTreeSet::new();
    for f in files {
        match FileKind::of(f) {
            Some(k) if k.is_terraform() => {
                let dir = match f.parent() {
                    Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
                    _ => PathBuf::from("."),
                };
                dirs.insert(dir);
            }
            Some(_) => {
                out.insert(f.clone());
            }
            None => {}
        }
    }
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            let is_file = e.file_type().is_ok_and(|t| t.is_file());
            if is_file && FileKind::of(&p).is_some_and(FileKind::is_terraform) {
                // Keep the spelling the user gave (`./main.tf` vs `main.tf`).
                out.insert(if dir == Path::new(".") {
                    PathBuf::from(e.file_name())
                } else {
                    p
                });
            }
        }
    }
    out.into_iter().collect()
}

/// The files a report is narrowed to, made absolute.
#[derive(Debug, Clone, Default)]
pub struct Focus {
    files: HashSet<PathBuf>,
    /// Directories of focused variable files: their values shape every finding of
    /// the module, so its findings are in focus too.
    var_dirs: HashSet<PathBuf>,
}

impl Focus {
    pub fn new(files: &[PathBuf]) -> Focus {
        let mut focus = Focus::default();
        for f in files {
            let abs = absolute(f);
            if FileKind::of(f) == Some(FileKind::TfVars)
                && let Some(dir) = abs.parent()
            {
                focus.var_dirs.insert(dir.to_path_buf());
            }
            focus.files.insert(abs);
        }
        focus
    }

    /// Reads a list of paths, one per line (as `git diff --name-only` prints
    /// them), relative to the working directory.
    pub fn read(list: &Path) -> Result<Focus, String> {
        let text = crate::source::read_regular(list)
            .map_err(|e| format!("cannot read {}: {e}", list.display()))?;
        let files: Vec<PathBuf> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(PathBuf::from)
            .collect();
        Ok(Focus::new(&files))
    }

    fn holds(&self, path: &Path) -> bool {
        let abs = absolute(path);
        self.files.contains(&abs) || abs.parent().is_some_and(|d| self.var_dirs.contains(d))
    }

    /// The scanned files in focus.
    pub fn file_ids(&self, scan: &Scan) -> HashSet<FileId> {
        let ids: BTreeSet<FileId> = scan
            .findings
            .iter()
            .flat_map(|f| std::iter::once(f.span.file).chain(f.related.iter().map(|r| r.span.file)))
            .collect();
        ids.into_iter()
            .filter(|id| self.holds(&scan.sources.get(*id).path))
            .collect()
    }
}

/// A finding is in focus when it is in a focused file or one of its related
/// locations is (the module call whose arguments made a bucket public).
pub fn touches<S: std::hash::BuildHasher>(f: &Finding, ids: &HashSet<FileId, S>) -> bool {
    ids.contains(&f.span.file) || f.related.iter().any(|r| ids.contains(&r.span.file))
}
