//! From files to model fragments: each Terraform root module (with the modules it
//! calls) and each CloudFormation template is one unit of work, run in parallel
//! under `catch_unwind` so one bad file cannot take the scan down.

use crate::cloudformation::{self, Outcome};
use crate::finding::Finding;
use crate::model::Fragment;
use crate::model::bucket::PartKind;
use crate::rules::parse_error;
use crate::source::{FileId, Sources, Span, char_range};
use crate::suppress;
use crate::terraform;
use crate::terraform::ast::Body;
use crate::terraform::inputs::{CliVars, auto_order, is_auto_tfvars, root_inputs};
use crate::terraform::module::{Manifest, Module, Registry, is_local, join};
use crate::walk::{FileKind, Notice};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

/// What one unit contributed.
#[derive(Debug, Default)]
pub struct Loaded {
    pub fragment: Fragment,
    pub findings: Vec<Finding>,
    /// Templates with undecidable conditions: the findings on their resources are
    /// decided per world.
    pub worlds: Vec<Worlds>,
    /// Files that turned out to be CloudFormation templates (or Terraform files).
    pub files: Vec<FileId>,
    /// Template resources, for block-level suppressions.
    pub blocks: Vec<suppress::Block>,
    /// Suppressions written in resources' `Metadata`.
    pub directives: Vec<suppress::Directive>,
    /// Parameters the templates declare, and command-line values they reject.
    pub params: Vec<String>,
    pub rejected: Vec<String>,
    pub notices: Vec<Notice>,
    /// Terraform plans read (their findings are located in the code when it is on
    /// disk).
    pub plans: Vec<FileId>,
}

/// The alternative fragments of one deployment (a Terraform root module or a
/// CloudFormation template), identified by its scope.
#[derive(Debug)]
pub struct Worlds {
    pub scope: String,
    pub fragments: Vec<Fragment>,
}

/// A one-character span at `offset` (or an empty one at the end of the file).
pub fn error_span(sources: &Sources, id: FileId, offset: usize) -> Span {
    Span::new(id, char_range(&sources.get(id).text, offset))
}

fn internal_error(span: Span, what: &str, panic: &Box<dyn std::any::Any + Send>) -> Finding {
    let message = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".into());
    parse_error::finding(
        span,
        &format!(
            "internal error while {what}: {message}; this is a bucketlint bug, please report it"
        ),
    )
}

/// The text to parse: a byte-order mark (three bytes) becomes three line breaks, so
/// offsets stay the same and no parser sees it, not even as indentation (YAML would
/// take three spaces for an indented first line).
fn parse_text(text: &str) -> std::borrow::Cow<'_, str> {
    match text.strip_prefix('\u{FEFF}') {
        Some(rest) => format!("\n\n\n{rest}").into(),
        None => text.into(),
    }
}

/// Parses one Terraform file; a syntax error (or a caught panic) is its BL001.
fn parse_terraform(id: FileId, kind: FileKind, sources: &Sources) -> Result<Body, Box<Finding>> {
    let file = sources.get(id);
    let text = parse_text(&file.text);
    let json = kind == FileKind::TerraformJson;
    match catch_unwind(AssertUnwindSafe(|| {
        terraform::parse::parse_file(id, &text, json)
    })) {
        Ok(Ok(body)) => Ok(body),
        Ok(Err(e)) => {
            let span = syntax_span(sources, id, e.span);
            let what = if json { "Terraform JSON" } else { "HCL" };
            Err(Box::new(parse_error::finding(
                span,
                &format!("{what} syntax error: {}", e.message),
            )))
        }
        Err(panic) => Err(Box::new(internal_error(
            Span::point(id, 0),
            &format!("parsing {}", file.display),
            &panic,
        ))),
    }
}

/// A syntax error's span, widened to one character when empty.
fn syntax_span(sources: &Sources, id: FileId, span: Span) -> Span {
    if span.start == span.end {
        error_span(sources, id, span.start as usize)
    } else {
        span
    }
}

/// One Terraform directory parsed: its module, and the BL001 of files that failed.
struct ParsedDir {
    dir: String,
    module: Module,
    findings: Vec<Finding>,
}

fn parse_dir(dir: String, files: &[(FileId, FileKind)], sources: &Sources) -> ParsedDir {
    let mut bodies = Vec::with_capacity(files.len());
    let mut findings = Vec::new();
    let mut incomplete = false;
    let mut lost_types = Vec::new();
    // The files of one directory are parsed in parallel too: a large root is one
    // directory, and would otherwise keep one core busy while the other waits.
    let parsed: Vec<_> = files
        .par_iter()
        .map(|&(id, kind)| (id, kind, parse_terraform(id, kind, sources)))
        .collect();
    for (id, kind, result) in parsed {
        match result {
            Ok(body) => bodies.push(body),
            Err(error) => {
                // Native HCL: keep every top-level block that parses on its own.
                let recovered = (kind == FileKind::Terraform)
                    .then(|| {
                        let text = parse_text(&sources.get(id).text);
                        catch_unwind(AssertUnwindSafe(|| terraform::recover::recover(id, &text)))
                            .ok()
                    })
                    .flatten();
                let Some(r) = recovered else {
                    findings.push(*error);
                    incomplete = true;
                    continue;
                };
                for (e, lost) in r.errors.iter().zip(&r.lost) {
                    let message = match lost {
                        Some((kw, labels)) => format!(
                            "HCL syntax error: {} (in {kw}{}, which is skipped)",
                            e.message,
                            labels
                                .iter()
                                .fold(String::new(), |a, l| a + " \"" + l + "\"")
                        ),
                        None => format!("HCL syntax error: {}", e.message),
                    };
                    findings.push(parse_error::finding(
                        syntax_span(sources, id, e.span),
                        &message,
                    ));
                    match lost {
                        Some((kw, labels)) if kw == "resource" => match labels.first() {
                            Some(ty) => lost_types.push(ty.clone()),
                            None => incomplete = true,
                        },
                        // Lost variables, locals or data sources leave values
                        // unknown, which never find; a lost module call is said by
                        // its BL001.
                        Some(_) => {}
                        None => incomplete = true,
                    }
                }
                bodies.push(r.body);
            }
        }
    }
    let mut module = Module::new(dir.clone(), bodies);
    module.incomplete = incomplete;
    module.lost_types = lost_types;
    ParsedDir {
        dir,
        module,
        findings,
    }
}

/// What the Terraform part of a scan produced.
#[derive(Debug, Default)]
pub struct TerraformLoaded {
    pub fragment: Fragment,
    pub findings: Vec<Finding>,
    pub worlds: Vec<Worlds>,
    pub notices: Vec<Notice>,
    /// Every Terraform file read, module sources outside the scan included.
    pub files: Vec<FileId>,
    pub roots: usize,
    /// Resource, data and module blocks, for block-level suppressions.
    pub blocks: Vec<suppress::Block>,
    /// Variables the root modules declare (for `--var`).
    pub declared_vars: BTreeSet<String>,
}

/// Source bytes of Terraform evaluated together (directories that call each other
/// always share a batch): small enough that a repository's syntax trees are never
/// all held at once, large enough to keep every core busy.
const BATCH_BYTES: u64 = 2 << 20;

/// How the Terraform front end is asked to work (see [`crate::Options`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct Switches {
    pub assume_created: bool,
    pub parse_all: bool,
}

/// Where module sources may be read from outside the scanned files: below the
/// working directory or a scanned path.
pub struct Readable {
    pub cwd: PathBuf,
    pub roots: Vec<PathBuf>,
    /// Unsaved buffers, read instead of the files of a called module.
    pub overlays: crate::Overlays,
}

impl Readable {
    fn allows(&self, path: &Path) -> bool {
        path.canonicalize()
            .is_ok_and(|p| p.starts_with(&self.cwd) || self.roots.iter().any(|r| p.starts_with(r)))
    }
}

/// Parses every Terraform module directory and tfvars file, loads the module
/// sources they call (local paths, `.terraform/modules`), and evaluates each root
/// module with its inputs. `files` are the scanned Terraform files.
pub fn terraform(
    sources: &mut Sources,
    files: &[(FileId, FileKind)],
    var_files: &[FileId],
    cli: &CliVars,
    readable: &Readable,
    switches: Switches,
) -> TerraformLoaded {
    let assume_created = switches.assume_created;
    let mut out = TerraformLoaded::default();
    let mut dirs: BTreeMap<String, Vec<(FileId, FileKind)>> = BTreeMap::new();
    let mut tfvars: BTreeMap<String, Vec<FileId>> = BTreeMap::new();
    for &(id, kind) in files {
        let dir = parent_dir(&sources.get(id).display);
        if kind == FileKind::TfVars {
            tfvars.entry(dir).or_default().push(id);
        } else {
            dirs.entry(dir).or_default().push((id, kind));
        }
        out.files.push(id);
    }
    // What each directory's bytes say: whether it can matter to an S3 rule, and
    // the local modules it calls.
    let facts: BTreeMap<String, terraform::prefilter::Facts> = dirs
        .par_iter()
        .map(|(dir, files)| {
            let mut f = terraform::prefilter::Facts::default();
            for (id, _) in files {
                f.add(&sources.get(*id).text);
            }
            (dir.clone(), f)
        })
        .collect();
    // Directories whose bytes show nothing an S3 rule reads are set aside, and
    // parsed only if a module that matters calls them.
    let keep: BTreeSet<String> = if switches.parse_all {
        facts.keys().cloned().collect()
    } else {
        terraform::prefilter::relevant(
            &facts,
            |dir| fs_path(dir).join(".terraform/modules").exists(),
            |path| fs_path(path).is_file(),
        )
    };
    let mut unparsed: BTreeSet<String> = dirs
        .keys()
        .filter(|d| !keep.contains(*d))
        .cloned()
        .collect();
    // Directories that call each other are evaluated together, a batch of them at
    // a time, and each batch's syntax trees are dropped before the next is parsed:
    // memory follows the largest batch, not the repository.
    let sizes: BTreeMap<String, u64> = dirs
        .iter()
        .map(|(d, files)| {
            let bytes = files
                .iter()
                .map(|(id, _)| sources.get(*id).text.len() as u64);
            (d.clone(), bytes.sum())
        })
        .collect();
    let batches = terraform::prefilter::batches(&facts, &keep, &sizes, BATCH_BYTES);
    // Module directories read from disk, once for the whole scan.
    let mut from_disk: HashMap<String, Vec<(FileId, FileKind)>> = HashMap::new();

    // Variable values: automatic tfvars of each root, then --var-file, then --var.
    let mut bodies: HashMap<FileId, Body> = HashMap::new();
    for &id in tfvars.values().flatten().chain(var_files) {
        let json = std::path::Path::new(&sources.get(id).display)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
        let kind = if json {
            FileKind::TerraformJson
        } else {
            FileKind::Terraform
        };
        match parse_terraform(id, kind, sources) {
            Ok(b) => {
                bodies.insert(id, b);
            }
            Err(e) => out.findings.push(*e),
        }
    }
    let readable_roots = readable.roots.clone();
    // One evaluation budget for the whole scan, drawn by the roots in parallel.
    let budget = terraform::eval::Budget::new(terraform::eval::SCAN_FUEL);
    let mut seen = BTreeSet::new();

    let last = batches.len().saturating_sub(1);
    for (nth, batch) in batches.into_iter().enumerate() {
        let scanned: BTreeSet<String> = batch.into_iter().collect();

        crate::trace::stage("batch");
        let registry = parse_batch(
            &scanned,
            &dirs,
            &mut from_disk,
            &mut unparsed,
            sources,
            readable,
            &mut out,
        );

        for m in registry.modules.values() {
            out.blocks
                .extend(m.resources.iter().chain(&m.data).map(|r| suppress::Block {
                    header: r.block.header,
                    span: r.block.span,
                    module_call: false,
                }));
            out.blocks.extend(m.calls.iter().map(|c| suppress::Block {
                header: c.block.header,
                span: c.block.span,
                module_call: true,
            }));
        }

        crate::trace::stage("parsed");
        // A scanned module that another scanned module calls is a child, not a root.
        let roots = registry.roots(&scanned);
        out.roots += roots.len();
        out.declared_vars.extend(
            roots
                .iter()
                .filter_map(|d| registry.get(d))
                .flat_map(|m| m.variables.keys().cloned()),
        );
        for dir in &roots {
            for (path, message) in registry.unfollowed_calls(dir) {
                if seen.insert((path.clone(), message.clone())) {
                    out.notices.push(Notice {
                        path: PathBuf::from(path),
                        message,
                    });
                }
            }
        }
        let incomplete: BTreeSet<&str> = registry
            .modules
            .values()
            .filter(|m| m.incomplete)
            .map(|m| m.dir.as_str())
            .collect();
        // Resource blocks lost to a syntax error, by module: the kinds of bucket
        // configuration they may have set are not certain.
        let lost: BTreeMap<&str, Vec<PartKind>> = registry
            .modules
            .values()
            .filter(|m| !m.lost_types.is_empty())
            .map(|m| {
                let kinds = m
                    .lost_types
                    .iter()
                    .filter_map(|t| terraform::s3::part_kind(t))
                    .collect();
                (m.dir.as_str(), kinds)
            })
            .collect();
        let deployments: Vec<(String, Result<terraform::Deployment, Finding>)> = roots
            .par_iter()
            .map(|dir| {
                let module = registry.get(dir).expect("roots are parsed");
                let mut auto: Vec<FileId> = tfvars
                    .get(dir)
                    .map(|ids| {
                        ids.iter()
                            .copied()
                            .filter(|id| is_auto_tfvars(file_name(&sources.get(*id).display)))
                            .collect()
                    })
                    .unwrap_or_default();
                auto.sort_by_key(|id| auto_order(file_name(&sources.get(*id).display)));
                let vars: Vec<&Body> = auto
                    .iter()
                    .chain(var_files)
                    .filter_map(|id| bodies.get(id))
                    .collect();
                let inputs = root_inputs(module, &vars, cli);
                let result = catch_unwind(AssertUnwindSafe(|| {
                    terraform::load_root(
                        &registry,
                        dir,
                        &inputs,
                        &readable_roots,
                        &budget,
                        assume_created,
                    )
                }));
                let result = result.map_err(|panic| {
                    let anchor = module
                        .resources
                        .first()
                        .map_or_else(Span::default, |r| r.block.header);
                    internal_error(anchor, &format!("evaluating module {dir}"), &panic)
                });
                ((*dir).clone(), result)
            })
            .collect();
        crate::trace::stage("evaluated");
        for (dir, result) in deployments {
            match result {
                Ok(mut d) => {
                    out.notices.extend(d.limits.drain(..).map(|message| Notice {
                        path: PathBuf::from(&dir),
                        message,
                    }));
                    let mut mark =
                        |f: &mut Fragment| mark_buckets_of(f, &incomplete, &lost, sources);
                    mark(&mut d.base);
                    d.worlds.iter_mut().for_each(&mut mark);
                    out.fragment.extend(d.base);
                    if !d.worlds.is_empty() {
                        out.worlds.push(Worlds {
                            scope: dir,
                            fragments: d.worlds,
                        });
                    }
                }
                Err(f) => out.findings.push(f),
            }
        }
        // The next batch's trees replace these: freed first, so that only one
        // batch's are held. The last batch's are freed while the rules run.
        if nth == last {
            crate::discard(registry);
        } else {
            drop(registry);
        }
    }

    // What no module that matters called stays unparsed: said once.
    if let Some(first) = unparsed.first() {
        let files: usize = unparsed.iter().map(|d| dirs[d].len()).sum();
        out.notices.push(Notice {
            path: PathBuf::from(first),
            message: format!(
                "this and {} other Terraform module directories ({files} files in all) name no AWS resource or data source and call no module that does: not parsed (--parse-all parses them)",
                unparsed.len() - 1
            ),
        });
    }
    out
}

/// The modules of one batch: its scanned directories, then the modules they call,
/// level by level (each level's directories parsed in parallel). A called directory
/// that was set aside is parsed after all; one outside the scan is read once.
fn parse_batch(
    scanned: &BTreeSet<String>,
    dirs: &BTreeMap<String, Vec<(FileId, FileKind)>>,
    from_disk: &mut HashMap<String, Vec<(FileId, FileKind)>>,
    unparsed: &mut BTreeSet<String>,
    sources: &mut Sources,
    readable: &Readable,
    out: &mut TerraformLoaded,
) -> Registry {
    let mut registry = Registry::default();
    let mut pending: Vec<(String, Vec<(FileId, FileKind)>)> = scanned
        .iter()
        .map(|d| (d.clone(), dirs[d].clone()))
        .collect();
    let mut tried: BTreeSet<String> = scanned.clone();
    // Each real directory is loaded once: `m/a -> .` must not make `m/a/a/a...` a
    // chain of new modules (exponential with two such links).
    let mut real_dirs: BTreeMap<PathBuf, String> = scanned
        .iter()
        .filter_map(|d| Some((fs_path(d).canonicalize().ok()?, d.clone())))
        .collect();
    while !pending.is_empty() {
        let parsed: Vec<ParsedDir> = {
            let sources: &Sources = sources;
            pending
                .par_iter()
                .map(|(dir, files)| parse_dir(dir.clone(), files, sources))
                .collect()
        };
        pending = Vec::new();
        let mut wanted: BTreeSet<String> = BTreeSet::new();
        for p in parsed {
            out.findings.extend(p.findings);
            if scanned.contains(&p.dir)
                && let Some(m) = read_manifest(&p.dir, readable)
            {
                wanted.extend(m.dirs.values().cloned());
                registry.manifests.insert(p.dir.clone(), m);
            }
            for call in &p.module.calls {
                if let Some(src) = call.source().filter(|s| is_local(s)) {
                    wanted.insert(join(&p.dir, src));
                }
            }
            registry.modules.insert(p.dir, p.module);
        }
        for dir in wanted {
            if !tried.insert(dir.clone()) {
                continue;
            }
            if let Ok(real) = fs_path(&dir).canonicalize() {
                if let Some(first) = real_dirs.get(&real) {
                    out.notices.push(Notice {
                        path: PathBuf::from(&dir),
                        message: format!(
                            "module source is the directory {first} again, through a symbolic link; not followed"
                        ),
                    });
                    continue;
                }
                real_dirs.insert(real, dir.clone());
            }
            // A scanned directory (set aside, or in another batch) is parsed from
            // the files already read; one outside the scan is read once. A directory
            // with no files (or none at all) is never a module, in any batch: its
            // callers are told it is not found.
            let files = if let Some(files) = dirs.get(&dir).or_else(|| from_disk.get(&dir)) {
                unparsed.remove(&dir);
                files.clone()
            } else {
                let loaded = load_module_dir(&dir, sources, readable, &mut out.findings);
                out.files.extend(loaded.iter().map(|(id, _)| *id));
                from_disk.insert(dir.clone(), loaded.clone());
                loaded
            };
            if !files.is_empty() {
                pending.push((dir, files));
            }
        }
    }
    registry
}

fn file_name(display: &str) -> &str {
    display.rsplit('/').next().unwrap_or(display)
}

/// The filesystem path of a display path (relative to the working directory).
fn fs_path(display: &str) -> PathBuf {
    PathBuf::from(display)
}

/// `.terraform/modules/modules.json` of a root module directory, if initialised.
fn read_manifest(dir: &str, readable: &Readable) -> Option<Manifest> {
    let path = fs_path(dir).join(".terraform/modules/modules.json");
    if !readable.allows(&path) {
        return None;
    }
    let text = crate::source::read_regular(&path).ok()?;
    Manifest::parse(dir, &text)
}

/// Reads the `.tf` and `.tf.json` files of a module directory outside the scan.
fn load_module_dir(
    dir: &str,
    sources: &mut Sources,
    readable: &Readable,
    errors: &mut Vec<Finding>,
) -> Vec<(FileId, FileKind)> {
    let path = fs_path(dir);
    if !readable.allows(&path) {
        return Vec::new();
    }
    let Ok(entries) = std::fs::read_dir(&path) else {
        return Vec::new();
    };
    let mut files: Vec<(PathBuf, FileKind)> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| {
            let p = e.path();
            let kind = FileKind::of(&p)
                .filter(|k| matches!(k, FileKind::Terraform | FileKind::TerraformJson))?;
            Some((p, kind))
        })
        .collect();
    files.sort();
    files
        .into_iter()
        .filter_map(|(p, kind)| {
            let display = format!("{dir}/{}", p.file_name()?.to_string_lossy());
            let input = crate::read_input_or_buffer(&p, display, kind, &readable.overlays)?;
            // A module file that cannot be read is said, never dropped in silence.
            let (text, error) = match input.content {
                Ok(text) => (text, None),
                Err(e) => {
                    let (text, offset, message) = e.terraform_error();
                    (text, Some((offset, message)))
                }
            };
            let id = sources.add(input.path, input.display, text);
            if let Some((offset, message)) = error {
                errors.push(parse_error::finding(
                    error_span(sources, id, offset),
                    &message,
                ));
                return None;
            }
            Some((id, kind))
        })
        .collect()
}

/// Buckets declared in a module whose files did not all parse may miss configuration.
fn mark_buckets_of(
    fragment: &mut Fragment,
    incomplete: &BTreeSet<&str>,
    lost: &BTreeMap<&str, Vec<PartKind>>,
    sources: &Sources,
) {
    if !lost.is_empty() {
        for b in &mut fragment.buckets {
            let dir = parent_dir(&sources.get(b.decl.file).display);
            for &k in lost.get(dir.as_str()).into_iter().flatten() {
                if !b.has(k) && !b.maybe.contains(&k) {
                    b.maybe.push(k);
                }
            }
        }
    }
    if incomplete.is_empty() {
        return;
    }
    let mut partial = Fragment::default();
    let (keep, mark): (Vec<_>, Vec<_>) = std::mem::take(&mut fragment.buckets)
        .into_iter()
        .partition(|b| {
            !incomplete.contains(parent_dir(&sources.get(b.decl.file).display).as_str())
        });
    partial.buckets = mark;
    mark_incomplete(&mut partial);
    fragment.buckets = keep;
    fragment.buckets.extend(partial.buckets);
}

/// Loads one JSON/YAML file: a Terraform plan or state (`terraform show -json`) named
/// on the command line, a CloudFormation template, or neither.
pub fn document_file(
    id: FileId,
    kind: FileKind,
    sources: &Sources,
    params: &cloudformation::template::ParamOverrides,
    assume_created: bool,
    prior_state: bool,
) -> Loaded {
    let file = sources.get(id);
    if matches!(kind, FileKind::Json | FileKind::Plan) && terraform::plan::sniff(&file.text) {
        let text = parse_text(&file.text);
        let mut out = Loaded::default();
        if kind == FileKind::Json {
            if let Some(what) = terraform::plan::detect(&text) {
                out.notices.push(Notice {
                    path: file.path.clone(),
                    message: format!(
                        "a Terraform {what} (terraform show -json): name it on the command line to scan it; a directory walk skips plans, which would repeat their code's findings"
                    ),
                });
                return out;
            }
        } else {
            let outcome = catch_unwind(AssertUnwindSafe(|| {
                terraform::plan::load(id, &file.display, &text, prior_state)
            }));
            match outcome {
                Ok(Ok(None)) => {}
                Ok(Ok(Some((kind, loaded)))) => {
                    out.files.push(id);
                    if kind == terraform::plan::Kind::Plan {
                        out.plans.push(id);
                    }
                    out.fragment = loaded.fragment;
                    return out;
                }
                Ok(Err(e)) => {
                    out.files.push(id);
                    let span = syntax_span(sources, id, e.span);
                    out.findings.push(parse_error::finding(span, &e.message));
                    return out;
                }
                Err(panic) => {
                    out.files.push(id);
                    out.findings.push(internal_error(
                        Span::point(id, 0),
                        &format!("loading the plan {}", file.display),
                        &panic,
                    ));
                    return out;
                }
            }
        }
    }
    cloudformation_file(id, kind, sources, params, assume_created)
}

/// Parses and loads one JSON/YAML file if it is a CloudFormation template.
pub fn cloudformation_file(
    id: FileId,
    kind: FileKind,
    sources: &Sources,
    params: &cloudformation::template::ParamOverrides,
    assume_created: bool,
) -> Loaded {
    let file = sources.get(id);
    let text = parse_text(&file.text);
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        cloudformation::load(id, &file.display, &text, kind, params, assume_created)
    }));
    let mut out = Loaded::default();
    match outcome {
        Ok(Outcome::NotTemplate) => {}
        Ok(Outcome::Failed(p)) => {
            out.files.push(id);
            out.findings.push(problem(sources, id, &p));
        }
        Ok(Outcome::Loaded { units, problems }) => {
            out.files.push(id);
            out.findings
                .extend(problems.iter().map(|p| problem(sources, id, p)));
            for mut unit in units {
                out.blocks.append(&mut unit.blocks);
                out.directives.append(&mut unit.directives);
                out.params.append(&mut unit.params);
                out.rejected.append(&mut unit.rejected);
                if !problems.is_empty() || unit.incomplete {
                    mark_incomplete(&mut unit.base);
                    unit.worlds.iter_mut().for_each(mark_incomplete);
                }
                out.fragment.extend(unit.base);
                if !unit.worlds.is_empty() {
                    out.worlds.push(Worlds {
                        scope: unit.scope,
                        fragments: unit.worlds,
                    });
                }
            }
        }
        Err(panic) => {
            out.files.push(id);
            out.findings.push(internal_error(
                Span::point(id, 0),
                &format!("loading {}", file.display),
                &panic,
            ));
        }
    }
    out
}

fn problem(sources: &Sources, id: FileId, p: &cloudformation::Problem) -> Finding {
    let span = if p.span.start == p.span.end {
        error_span(sources, id, p.span.start as usize)
    } else {
        p.span
    };
    let mut f = parse_error::finding(span, &p.message);
    if let Some((at, message)) = &p.related {
        f = f.related(Some(*at), message.clone());
    }
    f
}

/// A unit with a file or resource that failed to load is missing configuration: what
/// its buckets lack may be there, so "missing" findings are not certain.
pub fn mark_incomplete(fragment: &mut Fragment) {
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

/// The directory part of a display path: the Terraform module a file belongs to.
pub fn parent_dir(display: &str) -> String {
    match display.rsplit_once('/') {
        Some(("", _)) => "/".to_string(),
        Some((dir, _)) => dir.to_string(),
        None => ".".to_string(),
    }
}
