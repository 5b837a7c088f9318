//! bucketlint: an offline infrastructure-as-code security scanner for Amazon S3.
//!
//! The flow: [`walk`] finds files, the front ends ([`terraform`],
//! [`cloudformation`]) parse and evaluate them into one [`model`], [`rules`] check the model, and [`report`] renders the
//! findings. [`scan_paths`] runs it all on disk; [`analyze`] runs it on in-memory
//! files (tests, editors).

pub mod baseline;
pub mod cli;
pub mod cloudformation;
pub mod compliance;
pub mod config;
pub mod drift;
pub mod edit;
pub mod finding;
pub mod fix;
pub mod focus;
pub mod fuzz;
pub mod graph;
pub mod json;
pub mod load;
pub mod model;
pub mod report;
pub mod rules;
pub mod selection;
pub mod server;
pub mod since;
pub mod source;
pub mod suppress;
pub mod terraform;
pub mod trace;
pub mod walk;

use cloudformation::template::ParamOverrides;
use finding::Finding;
use load::Loaded;
use model::Model;
use rayon::prelude::*;
use selection::Selection;
use source::{FileId, MAX_FILE_BYTES, Sources, Span};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use terraform::inputs::CliVars;
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

impl Unreadable {
    /// The text kept for a Terraform file that cannot be parsed as read, and the
    /// located error it gets (the byte offset and message of its BL001).
    pub fn terraform_error(self) -> (String, usize, String) {
        match self {
            Unreadable::InvalidUtf8 { offset, lossy } => {
                (lossy, offset, "file is not valid UTF-8".into())
            }
            Unreadable::Binary => (
                String::new(),
                0,
                "binary file (contains NUL bytes), not Terraform".into(),
            ),
            Unreadable::TooLarge(n) => (
                String::new(),
                0,
                format!("file is {n} bytes, more than the {MAX_FILE_BYTES}-byte limit; not parsed"),
            ),
            // A file that cannot be read may hold resources: the scan is incomplete.
            Unreadable::Io(e) => (String::new(), 0, format!("cannot read file: {e}")),
        }
    }
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
    /// The baseline the findings were compared with, if any.
    pub baseline: Option<baseline::Comparison>,
    /// `--changed-files`: the files whose findings become annotations.
    pub annotate: Option<HashSet<FileId>>,
    /// Inputs the scanned configuration rejects (`--var` of an undeclared variable,
    /// a parameter value outside its `AllowedValues`): usage errors, exit 2.
    pub errors: Vec<String>,
    /// Resources and module calls the inputs do not create, so not checked.
    pub not_created: Vec<model::NotCreated>,
    /// The linked model, with [`Options::keep_model`].
    pub model: Option<Box<Model>>,
}

impl Scan {
    /// The findings that count: not suppressed inline, not in the baseline.
    pub fn reported(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.counts())
    }

    /// Findings recorded in the baseline.
    pub fn in_baseline(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.baseline == Some(baseline::State::Unchanged))
            .count()
    }

    pub fn suppressed(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.suppressed.is_some())
            .count()
    }

    /// True if a file could not be parsed (and BL001 was not deselected).
    pub fn incomplete(&self) -> bool {
        !self.errors.is_empty()
            || self
                .findings
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
#[allow(clippy::struct_excessive_bools)] // independent switches of the command line
pub struct Options {
    pub selection: Selection,
    /// Classification tag and values, owned accounts.
    pub settings: rules::Settings,
    /// The account is known to block public access (all four settings).
    pub assume_account_block: bool,
    /// CloudFormation parameter values (`--cfn-param`, `--cfn-params`).
    pub cfn_params: ParamOverrides,
    /// The names given with `--cfn-param`: each must be declared by a scanned
    /// template (a shared `--cfn-params` file may name others' parameters).
    pub cfn_param_names: Vec<String>,
    /// Terraform `--var` values and `TF_VAR_` environment variables.
    pub tf_vars: CliVars,
    /// Terraform `--var-file` files (path, contents), in command-line order.
    pub var_files: Vec<(PathBuf, String)>,
    /// Directories `file()` and module sources may be read from (the scanned paths,
    /// canonical); the working directory is always allowed for module sources.
    pub readable: Vec<PathBuf>,
    /// Excluded paths, per-path ignores and severity overrides from the configuration.
    pub paths: config::PathRules,
    /// `--assume-created`: check resources the inputs do not create (`count = 0`,
    /// an empty `for_each`, a false condition) as if they were.
    pub assume_created: bool,
    /// `--parse-all`: parse every Terraform directory, also those whose bytes show
    /// nothing an S3 rule reads (see [`terraform::prefilter`]).
    pub parse_all: bool,
    /// Unsaved buffers (an editor's, `--stdin-filename`'s) by absolute path: read
    /// instead of the file on disk, and scanned even where no file exists yet.
    pub overlays: Overlays,
    /// Findings carry the edits that fix them (`--fix`, `--diff`, SARIF, the
    /// language server): the files with fixable findings are parsed again for them.
    pub fixes: bool,
    /// Keep the linked model in [`Scan::model`] (drift compares two of them).
    pub keep_model: bool,
    /// Read a Terraform plan as the state it was planned from (`prior_state`).
    pub prior_state: bool,
}

/// Unsaved buffers by absolute path (see [`Options::overlays`]).
pub type Overlays = std::sync::Arc<HashMap<PathBuf, Vec<u8>>>;

impl Options {
    /// The unsaved buffer of `path`, if any.
    pub(crate) fn overlay(&self, path: &Path) -> Option<&Vec<u8>> {
        overlay(&self.overlays, path)
    }
}

fn overlay<'a>(overlays: &'a Overlays, path: &Path) -> Option<&'a Vec<u8>> {
    if overlays.is_empty() {
        return None;
    }
    overlays.get(&source::absolute(path))
}

/// [`read_input`], or the file's unsaved buffer when `overlays` holds one.
pub fn read_input_or_buffer(
    path: &Path,
    display: String,
    kind: FileKind,
    overlays: &Overlays,
) -> Option<Input> {
    match overlay(overlays, path) {
        Some(bytes) => Some(Input {
            path: path.to_path_buf(),
            display,
            kind,
            content: decode(bytes.clone(), MAX_FILE_BYTES),
        }),
        None => read_input(path, display, kind),
    }
}

/// Reads a file, refusing what is not a plausible text file. `None` for a JSON or
/// YAML file too large to be a template and whose start does not look like one.
pub fn read_input(path: &Path, display: String, kind: FileKind) -> Option<Input> {
    let content = match read_text(path, MAX_FILE_BYTES) {
        Err(Unreadable::TooLarge(n)) if !kind.is_terraform() && !starts_like_template(path) => {
            let _ = n;
            return None;
        }
        other => other,
    };
    Some(Input {
        path: path.to_path_buf(),
        display,
        kind,
        content,
    })
}

/// Does the first 64 KiB of a large JSON/YAML file look like a template?
fn starts_like_template(path: &Path) -> bool {
    use std::io::Read;
    let mut head = Vec::new();
    let read = std::fs::File::open(path).and_then(|f| f.take(64 << 10).read_to_end(&mut head));
    read.is_ok() && cloudformation::may_be_template(&String::from_utf8_lossy(&head))
}

fn read_text(path: &Path, limit: u64) -> Result<String, Unreadable> {
    let meta = std::fs::metadata(path).map_err(|e| Unreadable::Io(e.to_string()))?;
    // A FIFO would block the scan forever, a device never ends.
    if !meta.is_file() {
        return Err(Unreadable::Io(
            "not a regular file (a FIFO, socket or device); not read".into(),
        ));
    }
    if meta.len() > limit {
        return Err(Unreadable::TooLarge(meta.len()));
    }
    let bytes = std::fs::read(path).map_err(|e| Unreadable::Io(e.to_string()))?;
    decode(bytes, limit)
}

/// The text of a file's bytes, or why it is not text we parse.
pub fn decode(bytes: Vec<u8>, limit: u64) -> Result<String, Unreadable> {
    if bytes.len() as u64 > limit {
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
    // A buffer with no file on disk yet is no path to walk.
    let unsaved: Vec<&PathBuf> = paths
        .iter()
        .filter(|p| options.overlay(p).is_some() && !p.exists())
        .collect();
    let on_disk: Vec<PathBuf> = paths
        .iter()
        .filter(|p| !unsaved.contains(p))
        .cloned()
        .collect();
    trace::stage("start");
    let mut walked = walk::walk(&on_disk);
    trace::stage("walked");
    if let Some(missing) = walked.missing.first() {
        return Err(ScanError::Missing(missing.clone()));
    }
    // Files named on the command line are scanned even if excluded, as with .gitignore.
    let found = walked.files.len();
    let mut dirs = HashMap::new();
    walked
        .files
        .retain(|c| paths.contains(&c.path) || !options.paths.excluded_walked(&c.path, &mut dirs));
    if found > 0 && walked.files.is_empty() {
        walked.notices.push(Notice {
            path: paths.first().cloned().unwrap_or_default(),
            message: format!(
                "the configuration's `exclude` leaves out all {found} files found: nothing was scanned"
            ),
        });
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    let mut inputs: Vec<Input> = with_pool(|| {
        walked
            .files
            .par_iter()
            .filter_map(|c| {
                let abs = if c.path.is_absolute() {
                    c.path.clone()
                } else {
                    cwd.join(&c.path)
                };
                let display = source::display_path(&abs, &cwd);
                read_input_or_buffer(&c.path, display, c.kind, &options.overlays)
            })
            .collect()
    });
    inputs.extend(unsaved.into_iter().filter_map(|path| {
        let display = source::display_path(&source::absolute(path), &cwd);
        read_input_or_buffer(path, display, FileKind::of(path)?, &options.overlays)
    }));
    let mut options = options.clone();
    if options.readable.is_empty() {
        // An unsaved buffer's directory is what its module may read.
        options.readable = paths
            .iter()
            .filter_map(|p| match p.canonicalize() {
                Ok(c) => Some(c),
                Err(_) => source::absolute(p).parent()?.canonicalize().ok(),
            })
            .collect();
    }
    trace::stage("read");
    let mut scan = analyze(inputs, &options);
    scan.notices.extend(walked.notices);
    // By path, then message: the same tree gives the same report, however its
    // directories were batched or walked in parallel.
    scan.notices.sort();
    scan.notices.dedup();
    scan.errors.extend(walked.unreadable.iter().map(|n| {
        format!(
            "{}: {}; the scan is incomplete",
            n.path.display(),
            n.message
        )
    }));
    scan.stats.elapsed = start.elapsed();
    Ok(scan)
}

/// The scan's pool, with large stacks: parsing and evaluation recurse, and a
/// hostile file must hit our depth limits, not the end of a 2 MiB stack. One pool
/// for the process: its threads, and the memory their allocator heaps already
/// hold, serve every stage of every scan.
fn pool() -> Option<&'static rayon::ThreadPool> {
    static POOL: std::sync::OnceLock<Option<rayon::ThreadPool>> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .stack_size(64 << 20)
            .build()
            .ok()
    })
    .as_ref()
}

/// Runs `f` on the scan's pool.
fn with_pool<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    match pool() {
        Some(pool) => pool.install(f),
        None => f(),
    }
}

/// Drops `value` on the scan's pool, off the critical path: freeing the syntax
/// trees or the model of a large scan takes as long as a stage, and nothing waits
/// for it (a process that exits first need not free at all).
pub(crate) fn discard<T: Send + 'static>(value: T) {
    match pool() {
        Some(pool) => pool.spawn(move || drop(value)),
        None => drop(value),
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
    let mut notices = Vec::new();
    let mut terraform_files = Vec::new();
    let mut templates = Vec::new();
    for input in inputs {
        let terraform = input.kind.is_terraform();
        let (text, error) = match input.content {
            // JSON and YAML that cannot be CloudFormation are not ours: skipped.
            Ok(t)
                if !terraform
                    && !cloudformation::may_be_template(&t)
                    && !terraform::plan::sniff(&t) =>
            {
                continue;
            }
            Ok(t) => (t, None),
            Err(Unreadable::InvalidUtf8 { lossy, .. })
                if !terraform && !cloudformation::may_be_template(&lossy) =>
            {
                continue;
            }
            // Binary data under a template's name: not a template, but said.
            Err(Unreadable::Binary) if !terraform => {
                notices.push(Notice {
                    path: input.path,
                    message: "binary file (contains NUL bytes), not a template; skipped".into(),
                });
                continue;
            }
            Err(Unreadable::TooLarge(n)) if !terraform => (
                String::new(),
                Some((
                    0,
                    format!(
                        "template is {n} bytes: CloudFormation accepts at most 1 MB, and files over {MAX_FILE_BYTES} bytes are not parsed"
                    ),
                )),
            ),
            Err(e) => {
                let (text, offset, message) = e.terraform_error();
                (text, Some((offset, message)))
            }
        };
        let id = sources.add(input.path, input.display, text);
        if let Some((offset, message)) = error {
            findings.push(rules::parse_error::finding(
                load::error_span(&sources, id, offset),
                &message,
            ));
        } else if terraform {
            terraform_files.push((id, input.kind));
        } else {
            templates.push((id, input.kind));
        }
    }
    let var_files: Vec<FileId> = options
        .var_files
        .iter()
        .map(|(path, text)| {
            sources.add(
                path.clone(),
                path.to_string_lossy().replace('\\', "/"),
                text.clone(),
            )
        })
        .collect();
    let mut scanned: BTreeSet<FileId> = findings.iter().map(|f: &Finding| f.span.file).collect();

    let readable = load::Readable {
        cwd: std::env::current_dir()
            .and_then(|d| d.canonicalize())
            .unwrap_or_default(),
        roots: options.readable.clone(),
        overlays: options.overlays.clone(),
    };
    // Templates are loaded while Terraform is: each front end's stragglers keep the
    // other's threads busy. Templates read the files as they are now (a cheap copy
    // of shared handles); Terraform adds the module files it reads from disk.
    let snapshot = sources.clone();
    let (tf, loaded): (_, Vec<Loaded>) = with_pool(|| {
        rayon::join(
            || {
                load::terraform(
                    &mut sources,
                    &terraform_files,
                    &var_files,
                    &options.tf_vars,
                    &readable,
                    load::Switches {
                        assume_created: options.assume_created,
                        parse_all: options.parse_all,
                    },
                )
            },
            || {
                templates
                    .par_iter()
                    .map(|&(id, kind)| {
                        load::document_file(
                            id,
                            kind,
                            &snapshot,
                            &options.cfn_params,
                            options.assume_created,
                            options.prior_state,
                        )
                    })
                    .collect()
            },
        )
    });
    drop(snapshot);
    trace::stage("loaded");
    let mut stats = Stats {
        modules: tf.roots,
        ..Stats::default()
    };
    let mut fragment = tf.fragment;
    let mut worlds = tf.worlds;
    findings.extend(tf.findings);
    notices.extend(tf.notices);
    scanned.extend(tf.files);
    let mut blocks = tf.blocks;
    let mut directives = Vec::new();
    let mut errors: Vec<String> = Vec::new();
    if tf.roots > 0 {
        for (name, _) in &options.tf_vars.vars {
            if !tf.declared_vars.contains(name) {
                errors.push(format!(
                    "--var {name}: no scanned root module declares a variable {name:?}; Terraform rejects it"
                ));
            }
        }
    }
    let mut cfn_params: BTreeSet<String> = BTreeSet::new();
    let mut any_template = false;
    let mut plans = Vec::new();

    for l in loaded {
        fragment.extend(l.fragment);
        findings.extend(l.findings);
        worlds.extend(l.worlds);
        any_template |= !l.files.is_empty();
        scanned.extend(l.files);
        blocks.extend(l.blocks);
        directives.extend(l.directives);
        cfn_params.extend(l.params);
        errors.extend(l.rejected);
        notices.extend(l.notices);
        plans.extend(l.plans);
    }
    if any_template {
        for name in &options.cfn_param_names {
            if !cfn_params.contains(name) {
                errors.push(format!(
                    "--cfn-param {name}: no scanned template declares this parameter; CloudFormation rejects it"
                ));
            }
        }
    }
    errors.sort();
    errors.dedup();
    stats.files = scanned.len();
    stats.bytes = scanned
        .iter()
        .map(|id| sources.get(*id).text.len() as u64)
        .sum();

    let enabled = |doc: &rules::RuleDoc| options.selection.enabled(doc);
    let mut not_created = std::mem::take(&mut fragment.not_created);
    not_created.sort();
    not_created.dedup();
    trace::stage("merged");
    let mut model = Model::link(fragment);
    trace::stage("linked");
    model.assume_account_block = options.assume_account_block;
    stats.buckets = model.buckets.len();
    stats.parse_errors = findings.len();

    let by_tag = |d: &rules::RuleDoc| options.selection.by_classification(d);
    let checked = with_pool(|| {
        let fixer = options.fixes.then(|| edit::Fixer::new(&sources));
        let mut checked =
            rules::check(&model, &options.settings, &enabled, &by_tag, fixer.as_ref());
        for w in &worlds {
            decide_worlds(&mut checked, w, options, &enabled);
        }
        checked
    });
    findings.extend(checked);
    trace::stage("checked");
    // Diagnostics produced outside the rules (BL001) follow the selection too; the
    // classification-driven rules already kept only their tagged buckets.
    findings.retain(|f| {
        rules::find(f.code).is_none_or(|e| {
            options.selection.enabled(&e.doc)
                || (rules::FOR_SENSITIVE.contains(&f.code)
                    && options.selection.by_classification(&e.doc))
        })
    });
    // Inline suppressions: comments in every file read, and template metadata.
    for id in &scanned {
        directives.extend(suppress::comments(sources.get(*id), &blocks));
    }
    if !directives.is_empty() {
        let ran = |code: &str| rules::find(code).is_some_and(|e| enabled(&e.doc));
        let uncertain = uncertain_files(&model, &findings, &scanned, &sources);
        let unused = suppress::apply(
            &mut findings,
            &directives,
            &sources,
            suppress::today(),
            &|code: &str, file: FileId| ran(code) && !uncertain.contains(&file),
        );
        if ran(rules::unused_suppression::CODE) {
            findings.extend(unused);
        }
    }
    let model = if options.keep_model {
        Some(Box::new(model))
    } else {
        discard(model);
        None
    };
    trace::stage("suppressed");
    // After suppression: a comment above one module call covers its instances only.
    // A plan's findings move to the code that declared them, when it is on disk;
    // then instances of one block merge as in the code.
    let code = terraform::plan_code::relocate(&mut findings, &mut sources, &plans);
    // The suppression comments of that code cover the findings moved to it (they
    // are not judged unused: the plan judged only what it planned).
    let directives: Vec<suppress::Directive> = code
        .iter()
        .flat_map(|(id, blocks)| suppress::comments(sources.get(*id), blocks))
        .collect();
    if !directives.is_empty() {
        suppress::apply(
            &mut findings,
            &directives,
            &sources,
            suppress::today(),
            &|_: &str, _: FileId| false,
        );
    }
    let mut findings = merge_instances(findings);
    trace::stage("merged instances");
    // The configuration's per-path ignores and severity overrides.
    findings.retain(|f| {
        f.code == rules::parse_error::CODE
            || !options
                .paths
                .ignores(&sources.get(f.span.file).path, f.code)
    });
    for f in &mut findings {
        if let Some(s) = options.paths.severity.get(f.code) {
            f.severity = *s;
        }
    }
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    findings.dedup();
    stats.elapsed = start.elapsed();
    Scan {
        sources,
        findings,
        notices,
        stats,
        baseline: None,
        annotate: None,
        errors,
        not_created,
        model,
    }
}

/// Files where values are unknown (a bucket with unresolved settings, a file
/// of a module with a file that does not parse): a finding there may be
/// withheld, so a suppression there is not judged unused.
fn uncertain_files(
    model: &Model,
    findings: &[Finding],
    scanned: &BTreeSet<FileId>,
    sources: &Sources,
) -> HashSet<FileId> {
    let broken_dirs: HashSet<&Path> = findings
        .iter()
        .filter(|f| f.code == rules::parse_error::CODE)
        .filter_map(|f| sources.get(f.span.file).path.parent())
        .collect();
    model
        .buckets
        .iter()
        .filter(|b| !b.unknown_fields().is_empty())
        .map(|b| b.decl.file)
        .chain(scanned.iter().copied().filter(|id| {
            sources
                .get(*id)
                .path
                .parent()
                .is_some_and(|d| broken_dirs.contains(d))
        }))
        .collect()
}

/// One finding for module instances that give the same finding: same rule, same
/// place, same message but for the instance address. The others' addresses are
/// kept (`instances`) and their call sites stay as related locations.
fn merge_instances(findings: Vec<Finding>) -> Vec<Finding> {
    // The message names a few; `instances` (JSON, SARIF) has them all.
    const NAMED: usize = 5;
    // Rule, place, message without the address, suppression.
    type Key = (&'static str, Span, String, Option<Span>);
    let mut out: Vec<Finding> = Vec::with_capacity(findings.len());
    let mut index: HashMap<Key, usize> = HashMap::new();
    // The names each merged finding holds, so a module with thousands of instances
    // is merged in linear time.
    let mut named: HashSet<(usize, String)> = HashSet::new();
    // Only findings of one rule at one place can merge: the others are not keyed.
    let mut at: HashMap<(&'static str, Span), u32> = HashMap::new();
    for f in &findings {
        *at.entry((f.code, f.span)).or_default() += 1;
    }
    for f in findings {
        let Some(resource) = f.resource.clone().filter(|_| at[&(f.code, f.span)] > 1) else {
            out.push(f);
            continue;
        };
        let key = (
            f.code,
            f.span,
            f.message.replace(&resource, "\u{0}"),
            f.suppressed.as_ref().map(|s| s.span),
        );
        if let Some(&i) = index.get(&key) {
            let first = &mut out[i];
            // The same address in another deployment (a module shared by two
            // environments) is told apart by the deployment's directory.
            let name = match &f.scope {
                Some(scope) if f.scope != first.scope => format!("{resource} (in {scope})"),
                _ => resource,
            };
            if first.resource.as_ref() != Some(&name) && named.insert((i, name.clone())) {
                first.instances.push(name);
            }
            for r in f.related {
                if !first.related.contains(&r) {
                    first.related.push(r);
                }
            }
        } else {
            index.insert(key, out.len());
            out.push(f);
        }
    }
    for f in &mut out {
        if !f.instances.is_empty() {
            let n = f.instances.len();
            let mut names = f.instances[..n.min(NAMED)].join(", ");
            if n > NAMED {
                let _ = write!(names, ", ...");
            }
            let _ = write!(
                f.message,
                " (and in {n} more module instance{}: {names})",
                if n == 1 { "" } else { "s" },
            );
        }
    }
    out
}

/// Replaces the findings on a template's resources by those that hold in every world
/// (assignment of its undecidable conditions) in which the resource exists.
fn decide_worlds(
    findings: &mut Vec<Finding>,
    worlds: &load::Worlds,
    options: &Options,
    enabled: &(dyn Fn(&rules::RuleDoc) -> bool + Sync),
) {
    let per_world: Vec<(HashSet<String>, Vec<Finding>)> = worlds
        .fragments
        .par_iter()
        .map(|f| {
            let mut model = Model::link(f.clone());
            let exists = model.addresses();
            model.assume_account_block = options.assume_account_block;
            let by_tag = |d: &rules::RuleDoc| options.selection.by_classification(d);
            let found = rules::check(&model, &options.settings, enabled, &by_tag, None)
                .into_iter()
                .filter(|x| x.scope.as_deref() == Some(worlds.scope.as_str()))
                .collect();
            (exists, found)
        })
        .collect();
    // Each world's findings by (rule, resource): deciding a finding is a lookup
    // per world, not a scan of every world's findings (that was quadratic).
    let by_key: Vec<HashMap<(&str, &str), Vec<&Finding>>> = per_world
        .iter()
        .map(|(_, found)| {
            let mut m: HashMap<(&str, &str), Vec<&Finding>> = HashMap::new();
            for f in found {
                if let Some(r) = &f.resource {
                    m.entry((f.code, r.as_str())).or_default().push(f);
                }
            }
            m
        })
        .collect();
    let holds = |code: &str, resource: &str| {
        let mut exists_somewhere = false;
        for ((exists, _), found) in per_world.iter().zip(&by_key) {
            if exists.contains(resource) {
                exists_somewhere = true;
                if !found.contains_key(&(code, resource)) {
                    return false;
                }
            }
        }
        exists_somewhere
    };
    // Of the worlds where a finding holds, report the mildest: only that much is
    // certain (a public-read ACL in one world, public-read-write in the other, is
    // certainly public-read).
    let mut decided: Vec<Finding> = Vec::new();
    let mut seen: HashSet<(&str, String)> = HashSet::new();
    for (_, found) in &per_world {
        for f in found {
            let Some(resource) = &f.resource else {
                continue;
            };
            if seen.contains(&(f.code, resource.clone())) || !holds(f.code, resource) {
                continue;
            }
            seen.insert((f.code, resource.clone()));
            let mildest = by_key
                .iter()
                .filter_map(|m| m.get(&(f.code, resource.as_str())))
                .min_by_key(|v| v.iter().map(|g| g.severity).max());
            decided.extend(mildest.into_iter().flatten().map(|g| (*g).clone()));
        }
    }
    findings.retain(|f| f.scope.as_deref() != Some(worlds.scope.as_str()));
    findings.extend(decided);
}
