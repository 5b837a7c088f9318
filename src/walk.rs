//! Finding the files to scan: a parallel, gitignore-aware walk that never follows a
//! symlink out of the scanned root.

use ignore::{DirEntry, WalkBuilder, WalkState};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Directories never scanned: VCS metadata, Terraform's download caches, npm's.
pub const SKIPPED_DIRS: &[&str] = &[".git", ".terraform", ".terragrunt-cache", "node_modules"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FileKind {
    /// `.tf`
    Terraform,
    /// `.tf.json`
    TerraformJson,
    /// `.tfvars`, `.tfvars.json`: variable values of the module in the same directory.
    TfVars,
    /// `.json`: a CloudFormation template if its content says so.
    Json,
    /// `.yaml`, `.yml`: a CloudFormation template if its content says so.
    Yaml,
    /// `.template`: JSON or YAML, a CloudFormation template if its content says so.
    Template,
    /// A `.json` file named on the command line: a Terraform plan or state
    /// (`terraform show -json`) if its content says so, else as [`FileKind::Json`].
    /// A directory walk does not read plans: one saved next to its code would report
    /// every finding twice.
    Plan,
}

impl FileKind {
    /// The kind of a file by its name, if bucketlint reads it. Case-sensitive, as
    /// Terraform is: `MAIN.TF` is not loaded.
    #[allow(clippy::case_sensitive_file_extension_comparisons)]
    pub fn of(path: &Path) -> Option<FileKind> {
        let name = path.file_name()?.to_str()?;
        if name.ends_with(".tf.json") {
            Some(FileKind::TerraformJson)
        } else if name.ends_with(".tfvars") || name.ends_with(".tfvars.json") {
            Some(FileKind::TfVars)
        } else if name.ends_with(".tf") {
            Some(FileKind::Terraform)
        } else if name.ends_with(".json") {
            Some(FileKind::Json)
        } else if name.ends_with(".yaml") || name.ends_with(".yml") {
            Some(FileKind::Yaml)
        } else if name.ends_with(".template") {
            Some(FileKind::Template)
        } else {
            None
        }
    }

    pub fn is_terraform(self) -> bool {
        matches!(
            self,
            FileKind::Terraform | FileKind::TerraformJson | FileKind::TfVars
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Candidate {
    pub path: PathBuf,
    pub kind: FileKind,
}

/// Something the walk skipped that the user should hear about (a symlink leaving the
/// root, an unreadable directory). Not a finding: the exit code is not affected.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Notice {
    pub path: PathBuf,
    pub message: String,
}

#[derive(Debug, Default)]
pub struct Walked {
    pub files: Vec<Candidate>,
    pub notices: Vec<Notice>,
    /// Paths given on the command line that do not exist.
    pub missing: Vec<PathBuf>,
    /// Directories or entries the walk could not read: the scan is incomplete.
    pub unreadable: Vec<Notice>,
}

/// Walks `paths` (files or directories). Explicit files are taken even if ignored;
/// directories are walked in parallel honouring `.gitignore` (also outside git).
pub fn walk(paths: &[PathBuf]) -> Walked {
    let mut out = Walked::default();
    for path in paths {
        let Ok(meta) = std::fs::metadata(path) else {
            if std::fs::symlink_metadata(path).is_ok() {
                out.notices.push(Notice {
                    path: path.clone(),
                    message: "broken or looping symbolic link; skipped".into(),
                });
            } else {
                out.missing.push(path.clone());
            }
            continue;
        };
        if meta.is_dir() {
            walk_dir(path, &mut out);
        } else {
            match FileKind::of(path) {
                Some(kind) => out.files.push(Candidate {
                    path: path.clone(),
                    kind: if kind == FileKind::Json {
                        FileKind::Plan
                    } else {
                        kind
                    },
                }),
                // `terraform show -json PLANFILE > plan`: a plan or state under any
                // name, when named.
                None if starts_like_a_plan(path) => out.files.push(Candidate {
                    path: path.clone(),
                    kind: FileKind::Plan,
                }),
                None => out.notices.push(Notice {
                    path: path.clone(),
                    message: "not a Terraform or CloudFormation file (.tf, .tf.json, .tfvars, .json, .yaml, .yml, .template), nor a Terraform plan or state; skipped".into(),
                }),
            }
        }
    }
    out.files.sort();
    out.files.dedup_by(|a, b| a.path == b.path);
    // One directory never yields a file twice (links are not followed); several
    // paths may name one file twice (`check main.tf .`): compare file identities.
    if paths.len() > 1 {
        // A file named on the command line wins over the same file walked to (a plan
        // is read only when named).
        out.files.sort_by_key(|c| c.kind != FileKind::Plan);
        let mut seen = std::collections::HashSet::new();
        out.files
            .retain(|c| identity(&c.path).is_none_or(|id| seen.insert(id)));
        out.files.sort();
    }
    out.notices.sort();
    out
}

/// Does the file begin as `terraform show -json` output does (its first 4 KiB)?
fn starts_like_a_plan(path: &Path) -> bool {
    use std::io::Read;
    let mut head = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(4096).read_to_end(&mut head))
        .is_ok()
        && crate::terraform::plan::sniff(&String::from_utf8_lossy(&head))
}

/// What makes two paths the same file: device and inode on Unix, the real path
/// elsewhere.
#[cfg(unix)]
fn identity(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(path).ok()?;
    Some((m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn identity(path: &Path) -> Option<PathBuf> {
    path.canonicalize().ok()
}

/// Entries a walk visits on one thread before it starts again in parallel.
const SEQUENTIAL_ENTRIES: usize = 256;

fn walk_dir(root: &Path, out: &mut Walked) {
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let files = Mutex::new(Vec::new());
    let notices = Mutex::new(Vec::new());
    let unreadable = Mutex::new(Vec::new());
    let mut builder = WalkBuilder::new(root);
    builder
        .hidden(false)
        .git_ignore(true)
        .git_exclude(true)
        .git_global(false)
        .require_git(false)
        .parents(true)
        .ignore(true)
        .follow_links(false)
        .filter_entry(|e| {
            !(e.file_type().is_some_and(|t| t.is_dir())
                && e.file_name()
                    .to_str()
                    .is_some_and(|n| SKIPPED_DIRS.contains(&n)))
        });
    let each = |entry: Result<DirEntry, ignore::Error>| match entry {
        Ok(e) => visit(&e, &canonical_root, &files, &notices),
        Err(err) => {
            let path = err_path(&err).unwrap_or_default();
            push(
                &unreadable,
                Notice {
                    path,
                    message: format!("cannot read: {err}"),
                },
            );
        }
    };
    // A small tree is walked on this thread: the parallel walker's threads wait for
    // work in millisecond sleeps, a fifth of a small module's whole scan. A tree with
    // more entries is walked again, in parallel (a tenth faster per entry).
    let mut entries = builder.build();
    let small = entries
        .by_ref()
        .take(SEQUENTIAL_ENTRIES + 1)
        .fold(0, |n, entry| {
            each(entry);
            n + 1
        })
        <= SEQUENTIAL_ENTRIES;
    if !small {
        files.lock().map(|mut l| l.clear()).ok();
        notices.lock().map(|mut l| l.clear()).ok();
        unreadable.lock().map(|mut l| l.clear()).ok();
        builder.build_parallel().run(|| {
            Box::new(|entry| {
                each(entry);
                WalkState::Continue
            })
        });
    }
    out.unreadable
        .extend(unreadable.into_inner().unwrap_or_default());
    let mut files = files.into_inner().unwrap_or_default();
    let mut notices = notices.into_inner().unwrap_or_default();
    // Ignore files come with the pull request: inside a git work tree, a tracked
    // file is scanned whatever `.gitignore` says, or one line could hide a bucket.
    let walked: std::collections::HashSet<PathBuf> =
        files.iter().map(|c: &Candidate| c.path.clone()).collect();
    for path in tracked_files(root) {
        let skipped_dir = skipped_component(&path).is_some();
        let Some(kind) = FileKind::of(&path) else {
            continue;
        };
        let is_file = std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_file());
        if skipped_dir || !is_file || walked.contains(&path) {
            continue;
        }
        notices.push(Notice {
            path: path.clone(),
            message: "tracked by git but matched by an ignore file; scanned anyway".into(),
        });
        files.push(Candidate { path, kind });
    }
    out.files.extend(files);
    out.notices.extend(notices);
}

/// The files git tracks below `root` (joined to it), when `root` is inside a git
/// work tree and git is installed; otherwise none. Only the index is read: no
/// network, no hooks, no file system monitor.
fn tracked_files(root: &Path) -> Vec<PathBuf> {
    let in_git = root
        .canonicalize()
        .ok()
        .is_some_and(|r| r.ancestors().any(|a| a.join(".git").exists()));
    if !in_git {
        return Vec::new();
    }
    let out = std::process::Command::new("git")
        .args(["-c", "core.fsmonitor=false", "-C"])
        .arg(root)
        .args(["ls-files", "-z", "--cached"])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output();
    match out {
        Ok(o) if o.status.success() => o
            .stdout
            .split(|&b| b == 0)
            .filter(|p| !p.is_empty())
            .filter_map(|p| std::str::from_utf8(p).ok())
            .map(|p| root.join(p))
            .collect(),
        _ => Vec::new(),
    }
}

/// The first folder of `path` that the walk never enters (`.terraform`, `.git`...).
fn skipped_component(path: &Path) -> Option<&str> {
    path.components()
        .filter_map(|c| c.as_os_str().to_str())
        .find(|n| SKIPPED_DIRS.contains(n))
}

fn push<T>(m: &Mutex<Vec<T>>, item: T) {
    if let Ok(mut v) = m.lock() {
        v.push(item);
    }
}

fn visit(e: &DirEntry, root: &Path, files: &Mutex<Vec<Candidate>>, notices: &Mutex<Vec<Notice>>) {
    let Some(ft) = e.file_type() else { return };
    let kind = FileKind::of(e.path());
    // A FIFO, socket or device with an infrastructure name is not skipped in
    // silence: reading refuses it, and says so (the scan is then incomplete).
    if !ft.is_symlink() && !ft.is_dir() {
        if let Some(kind) = kind {
            push(
                files,
                Candidate {
                    path: e.path().to_path_buf(),
                    kind,
                },
            );
        }
        return;
    }
    // Symbolic links to infrastructure files, and to folders (which may hold them).
    if !ft.is_symlink() || (kind.is_none() && !e.path().is_dir()) {
        return;
    }
    // A symlinked file inside the root is scanned through its real path; one that
    // leaves the root, loops or dangles is reported and skipped.
    match e.path().canonicalize() {
        Ok(target) if target.starts_with(root) => {
            // The real path is walked, unless it lies in a folder the walk skips.
            if let Some(dir) = skipped_component(target.strip_prefix(root).unwrap_or(&target)) {
                push(
                    notices,
                    Notice {
                        path: e.path().to_path_buf(),
                        message: format!(
                            "symbolic link points into `{dir}/`, which is not scanned; not followed"
                        ),
                    },
                );
            }
        }
        Ok(_) => push(
            notices,
            Notice {
                path: e.path().to_path_buf(),
                message: "symbolic link points outside the scanned directory; not followed".into(),
            },
        ),
        Err(err) => push(
            notices,
            Notice {
                path: e.path().to_path_buf(),
                message: format!("broken or looping symbolic link ({err}); skipped"),
            },
        ),
    }
}

fn err_path(err: &ignore::Error) -> Option<PathBuf> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            err_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_named_twice_is_walked_once() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("a")).unwrap();
        std::fs::write(root.join("a/main.tf"), "").unwrap();
        std::fs::write(root.join("b.tf"), "").unwrap();
        // The file itself, its directory, and the directory through `..`.
        let paths = [
            root.join("a/main.tf"),
            root.join("a"),
            root.join("a/../a"),
            root.to_path_buf(),
        ];
        let walked = walk(&paths);
        let names: Vec<_> = walked
            .files
            .iter()
            .map(|c| c.path.file_name().unwrap().to_owned())
            .collect();
        assert_eq!(names.len(), 2, "{:?}", walked.files);
        assert!(names.contains(&"main.tf".into()) && names.contains(&"b.tf".into()));
    }

    /// A tree on either side of [`SEQUENTIAL_ENTRIES`] (walked on one thread, or
    /// again in parallel) yields each file once, and respects ignore files.
    #[test]
    fn small_and_large_trees_walk_alike() {
        for files in [10, SEQUENTIAL_ENTRIES * 2] {
            let dir = tempfile::tempdir().unwrap();
            let root = dir.path();
            std::fs::write(root.join(".gitignore"), "ignored/\n").unwrap();
            std::fs::create_dir_all(root.join("ignored")).unwrap();
            std::fs::write(root.join("ignored/x.tf"), "").unwrap();
            std::fs::write(root.join("notes.txt"), "").unwrap();
            for i in 0..files {
                let sub = root.join(format!("m{}", i % 7));
                std::fs::create_dir_all(&sub).unwrap();
                std::fs::write(sub.join(format!("f{i}.tf")), "").unwrap();
            }
            let walked = walk(&[root.to_path_buf()]);
            assert_eq!(walked.files.len(), files, "{files} files");
            assert!(walked.files.windows(2).all(|w| w[0].path < w[1].path));
            assert!(
                !walked
                    .files
                    .iter()
                    .any(|c| c.path.ends_with("ignored/x.tf"))
            );
            assert!(walked.unreadable.is_empty());
        }
    }
}
