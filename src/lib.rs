//! bucketlint: an offline infrastructure-as-code security scanner for Amazon S3.
//!
//! The flow: [`walk`] finds files, the front ends ([`terraform`]) parse and evaluate
//! them into one [`model`], [`rules`] check the model, and [`report`] renders the
//! findings. [`scan_paths`] runs it all on disk; [`analyze`] runs it on in-memory
//! files (tests, editors).

pub mod cli;
pub mod finding;
pub mod json;
pub mod model;
pub mod report;
pub mod rules;
pub mod selection;
pub mod source;
pub mod terraform;
pub mod walk;

use finding::Finding;
use model::bucket::PartKind;
use model::{Fragment, Model};
use rayon::prelude::*;
use selection::Selection;
use source::{FileId, MAX_FILE_BYTES, Sources, Span};
use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use walk::{FileKind, Notice};

/// A file to analyze: its text, or why it could not be read as text.
#[derive(Debug, Clone)]
pub struct Input {
    pub path: PathBuf,
    pub display: String,
    pub kind: FileKind,
    pub content: Result<String, Unreadable>,
}

/// Why a file's content is not text we can parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unreadable {
    Io(String),
    TooLarge(u64),
    Binary,
    /// Invalid UTF-8 at this byte offset; the text is the lossy decoding.
    InvalidUtf8 {
        offset: usize,
        lossy: String,
    },
}

#[derive(Debug, Clone, Default)]
pub struct Stats {
    pub files: usize,
    pub bytes: u64,
    pub modules: usize,
    pub buckets: usize,
    pub parse_errors: usize,
    pub elapsed: Duration,
}

/// The outcome of a scan.
#[derive(Debug, Default)]
pub struct Scan {
    pub sources: Sources,
    pub findings: Vec<Finding>,
    pub notices: Vec<Notice>,
    pub stats: Stats,
}

impl Scan {
    /// True if a file could not be parsed (and BL001 was not deselected).
    pub fn incomplete(&self) -> bool {
        self.findings
            .iter()
            .any(|f| f.code == rules::parse_error::CODE)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("path not found: {0}")]
    Missing(PathBuf),
}

/// Options of one scan.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub selection: Selection,
    /// The account is known to block public access (all four settings).
    pub assume_account_block: bool,
}

/// Reads a file, refusing what is not a plausible text file.
pub fn read_input(path: &Path, display: String, kind: FileKind) -> Input {
    let content = read_text(path);
    Input {
        path: path.to_path_buf(),
        display,
        kind,
        content,
    }
}

fn read_text(path: &Path) -> Result<String, Unreadable> {
    let meta = std::fs::metadata(path).map_err(|e| Unreadable::Io(e.to_string()))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(Unreadable::TooLarge(meta.len()));
    }
    let bytes = std::fs::read(path).map_err(|e| Unreadable::Io(e.to_string()))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(Unreadable::TooLarge(bytes.len() as u64));
    }
    if bytes[..bytes.len().min(8192)].contains(&0) {
        return Err(Unreadable::Binary);
    }
    String::from_utf8(bytes).map_err(|e| Unreadable::InvalidUtf8 {
        offset: e.utf8_error().valid_up_to(),
        lossy: String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

/// Walks `paths`, reads every file and analyzes them.
pub fn scan_paths(paths: &[PathBuf], options: &Options) -> Result<Scan, ScanError> {
    let start = Instant::now();
    let walked = walk::walk(paths);
    if let Some(missing) = walked.missing.first() {
        return Err(ScanError::Missing(missing.clone()));
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    let inputs: Vec<Input> = with_pool(|| {
        walked
            .files
            .par_iter()
            .map(|c| {
                let abs = if c.path.is_absolute() {
                    c.path.clone()
                } else {
                    cwd.join(&c.path)
                };
                read_input(&c.path, source::display_path(&abs, &cwd), c.kind)
            })
            .collect()
    });
    let mut scan = analyze(inputs, options);
    scan.notices.extend(walked.notices);
    scan.stats.elapsed = start.elapsed();
    Ok(scan)
}

/// Runs `f` on a pool with large stacks: parsing and evaluation recurse, and a
/// hostile file must hit our depth limits, not the end of a 2 MiB stack.
fn with_pool<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    match rayon::ThreadPoolBuilder::new().stack_size(64 << 20).build() {
        Ok(pool) => pool.install(f),
        Err(_) => f(),
    }
}

/// Analyzes in-memory files: parse, evaluate, link, check. Deterministic: findings
/// are sorted by (path, position, code).
pub fn analyze(mut inputs: Vec<Input>, options: &Options) -> Scan {
    let start = Instant::now();
    inputs.sort_by(|a, b| a.display.cmp(&b.display));
    inputs.dedup_by(|a, b| a.display == b.display);

    let mut sources = Sources::new();
    let mut findings = Vec::new();
    let mut stats = Stats::default();
    let mut parseable: Vec<(FileId, FileKind)> = Vec::with_capacity(inputs.len());
    for input in inputs {
        stats.files += 1;
        let (text, error) = match input.content {
            Ok(t) => (t, None),
            Err(Unreadable::InvalidUtf8 { offset, lossy }) => {
                (lossy, Some((offset, "file is not valid UTF-8".to_string())))
            }
            Err(Unreadable::Binary) => (
                String::new(),
                Some((0, "binary file (contains NUL bytes), not Terraform".into())),
            ),
            Err(Unreadable::TooLarge(n)) => (
                String::new(),
                Some((
                    0,
                    format!("file is {n} bytes, more than the {MAX_FILE_BYTES}-byte limit"),
                )),
            ),
            Err(Unreadable::Io(e)) => (String::new(), Some((0, format!("cannot read file: {e}")))),
        };
        stats.bytes += text.len() as u64;
        let id = sources.add(input.path, input.display, text);
        if let Some((offset, message)) = error {
            findings.push(rules::parse_error::finding(
                error_span(&sources, id, offset),
                &message,
            ));
        } else {
            parseable.push((id, input.kind));
        }
    }

    // One module per directory, files in path order. Each module is parsed, loaded
    // and its syntax trees dropped in one task, so memory holds one module's trees
    // per thread, not the whole repository's.
    let mut modules: BTreeMap<String, Vec<(FileId, FileKind)>> = BTreeMap::new();
    for (id, kind) in parseable {
        modules
            .entry(parent_dir(&sources.get(id).display))
            .or_default()
            .push((id, kind));
    }
    stats.modules = modules.len();
    let loaded: Vec<(Fragment, Vec<Finding>)> = with_pool(|| {
        modules
            .into_par_iter()
            .map(|(scope, files)| load_directory(&scope, &files, &sources))
            .collect()
    });
    let mut fragment = Fragment::default();
    for (f, errors) in loaded {
        fragment.extend(f);
        findings.extend(errors);
    }

    let mut model = Model::link(fragment);
    model.assume_account_block = options.assume_account_block;
    stats.buckets = model.buckets.len();
    stats.parse_errors = findings.len();

    findings.extend(rules::check(&model, &|doc| options.selection.enabled(doc)));
    findings.retain(|f| rules::find(f.code).is_none_or(|e| options.selection.enabled(&e.doc)));
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    findings.dedup();
    stats.elapsed = start.elapsed();
    Scan {
        sources,
        findings,
        notices: Vec::new(),
        stats,
    }
}

/// A one-character span at `offset` (or an empty one at the end of the file).
fn error_span(sources: &Sources, id: FileId, offset: usize) -> Span {
    Span::new(id, source::char_range(&sources.get(id).text, offset))
}

/// Parses the files of one module directory and loads them into a fragment.
fn load_directory(
    scope: &str,
    files: &[(FileId, FileKind)],
    sources: &Sources,
) -> (Fragment, Vec<Finding>) {
    let mut bodies = Vec::with_capacity(files.len());
    let mut errors = Vec::new();
    for &(id, kind) in files {
        match parse_one(id, kind, sources) {
            Ok(body) => bodies.push(body),
            Err(error) => errors.push(*error),
        }
    }
    let incomplete = !errors.is_empty();
    let anchor = files.first().map(|&(id, _)| Span::point(id, 0));
    match catch_unwind(AssertUnwindSafe(|| {
        terraform::load_module(scope.to_string(), bodies)
    })) {
        Ok(mut fragment) => {
            if incomplete {
                mark_incomplete(&mut fragment);
            }
            (fragment, errors)
        }
        Err(panic) => {
            errors.extend(anchor.map(|s| {
                rules::parse_error::finding(
                    s,
                    &format!(
                        "internal error while evaluating module {scope}: {}; this is a bucketlint bug, please report it",
                        panic_message(&panic)
                    ),
                )
            }));
            (Fragment::default(), errors)
        }
    }
}

/// Parses one file; a syntax error (or a caught panic) is its BL001 finding.
fn parse_one(
    id: FileId,
    kind: FileKind,
    sources: &Sources,
) -> Result<terraform::ast::Body, Box<Finding>> {
    let file = sources.get(id);
    // A byte-order mark is not HCL; blank it in place so offsets stay the same.
    let cleaned;
    let text = if let Some(rest) = file.text.strip_prefix('\u{FEFF}') {
        cleaned = format!("   {rest}");
        cleaned.as_str()
    } else {
        file.text.as_str()
    };
    let result = catch_unwind(AssertUnwindSafe(|| {
        terraform::parse::parse_file(id, text, kind == FileKind::TerraformJson)
    }));
    match result {
        Ok(Ok(body)) => Ok(body),
        Ok(Err(e)) => {
            let span = if e.span.start == e.span.end {
                error_span(sources, id, e.span.start as usize)
            } else {
                e.span
            };
            let what = match kind {
                FileKind::Terraform => "HCL",
                FileKind::TerraformJson => "Terraform JSON",
            };
            Err(Box::new(rules::parse_error::finding(
                span,
                &format!("{what} syntax error: {}", e.message),
            )))
        }
        Err(panic) => Err(Box::new(rules::parse_error::finding(
            Span::point(id, 0),
            &format!(
                "internal error while parsing {}: {}; this is a bucketlint bug, please report it",
                file.display,
                panic_message(&panic)
            ),
        ))),
    }
}

fn panic_message(p: &Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".into())
}

/// A module with a file that failed to parse is missing configuration: what its
/// buckets lack may be in that file, so "missing" findings are not certain.
fn mark_incomplete(fragment: &mut Fragment) {
    const ALL: [PartKind; 13] = [
        PartKind::PublicAccessBlock,
        PartKind::Acl,
        PartKind::Policy,
        PartKind::Encryption,
        PartKind::Versioning,
        PartKind::Logging,
        PartKind::Ownership,
        PartKind::Lifecycle,
        PartKind::Replication,
        PartKind::Website,
        PartKind::Cors,
        PartKind::ObjectLock,
        PartKind::Notification,
    ];
    for b in &mut fragment.buckets {
        for k in ALL {
            if !b.has(k) && !b.maybe.contains(&k) {
                b.maybe.push(k);
            }
        }
    }
}

fn parent_dir(display: &str) -> String {
    match display.rsplit_once('/') {
        Some(("", _)) => "/".to_string(),
        Some((dir, _)) => dir.to_string(),
        None => ".".to_string(),
    }
}
