//! From files to model fragments: each Terraform module directory and each
//! CloudFormation template is one unit, parsed and loaded in one task (so syntax
//! trees are dropped as soon as their unit is done), under `catch_unwind` so one bad
//! file cannot take the scan down.

use crate::cloudformation::{self, Outcome};
use crate::finding::Finding;
use crate::model::Fragment;
use crate::model::bucket::PartKind;
use crate::rules::parse_error;
use crate::source::{FileId, Sources, Span, char_range};
use crate::terraform;
use crate::walk::FileKind;
use std::panic::{AssertUnwindSafe, catch_unwind};

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
}

/// The alternative fragments of one template.
#[derive(Debug)]
pub struct Worlds {
    pub file: FileId,
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

/// The text to parse: a byte-order mark is blanked in place so offsets stay the same.
fn parse_text(text: &str) -> std::borrow::Cow<'_, str> {
    match text.strip_prefix('\u{FEFF}') {
        Some(rest) => format!("   {rest}").into(),
        None => text.into(),
    }
}

/// Parses and loads the files of one Terraform module directory.
pub fn terraform_module(scope: &str, files: &[(FileId, FileKind)], sources: &Sources) -> Loaded {
    let mut bodies = Vec::with_capacity(files.len());
    let mut out = Loaded {
        files: files.iter().map(|(id, _)| *id).collect(),
        ..Loaded::default()
    };
    for &(id, kind) in files {
        match parse_terraform(id, kind, sources) {
            Ok(body) => bodies.push(body),
            Err(error) => out.findings.push(*error),
        }
    }
    let incomplete = !out.findings.is_empty();
    let anchor = files.first().map(|&(id, _)| Span::point(id, 0));
    match catch_unwind(AssertUnwindSafe(|| {
        terraform::load_module(scope.to_string(), bodies)
    })) {
        Ok(mut fragment) => {
            if incomplete {
                mark_incomplete(&mut fragment);
            }
            out.fragment = fragment;
        }
        Err(panic) => out.findings.extend(
            anchor.map(|s| internal_error(s, &format!("evaluating module {scope}"), &panic)),
        ),
    }
    out
}

/// Parses one Terraform file; a syntax error (or a caught panic) is its BL001.
fn parse_terraform(
    id: FileId,
    kind: FileKind,
    sources: &Sources,
) -> Result<terraform::ast::Body, Box<Finding>> {
    let file = sources.get(id);
    let text = parse_text(&file.text);
    let json = kind == FileKind::TerraformJson;
    match catch_unwind(AssertUnwindSafe(|| {
        terraform::parse::parse_file(id, &text, json)
    })) {
        Ok(Ok(body)) => Ok(body),
        Ok(Err(e)) => {
            let span = if e.span.start == e.span.end {
                error_span(sources, id, e.span.start as usize)
            } else {
                e.span
            };
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

/// Parses and loads one JSON/YAML file if it is a CloudFormation template.
pub fn cloudformation_file(
    id: FileId,
    kind: FileKind,
    sources: &Sources,
    params: &cloudformation::template::ParamOverrides,
) -> Loaded {
    let file = sources.get(id);
    let text = parse_text(&file.text);
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        cloudformation::load(id, &file.display, &text, kind, params)
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
                if !problems.is_empty() || unit.incomplete {
                    mark_incomplete(&mut unit.base);
                    unit.worlds.iter_mut().for_each(mark_incomplete);
                }
                out.fragment.extend(unit.base);
                if !unit.worlds.is_empty() {
                    out.worlds.push(Worlds {
                        file: id,
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
