//! Edits that remedy findings, written against the source text: everything else in
//! the file (comments, blank lines, order, alignment, quoting, intrinsic forms) stays
//! as its author wrote it. Rules ask a [`Fixer`] for edits while they report; the
//! `fix` surface applies them.

pub mod cloudformation;
pub mod terraform;

use crate::finding::{Applicability, Edit, Fix};
use crate::model::value::Node;
use crate::source::{FileId, SourceFile, Sources, Span};
use crate::terraform::ast::Body;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

/// Reads the scanned files for the rules' fixes: each file is parsed again (once,
/// on first use) for the positions a fix needs and the model does not keep.
pub struct Fixer<'a> {
    sources: &'a Sources,
    hcl: Vec<OnceLock<Option<Body>>>,
    templates: Vec<OnceLock<Option<Node>>>,
    /// Counted once each, not once per finding: how often a value is read (by
    /// module directory or template, and reference), and the resources of each
    /// Terraform module directory (type, name).
    reads: Mutex<HashMap<(String, String), usize>>,
    resources: Mutex<HashMap<Option<PathBuf>, Arc<Declared>>>,
}

/// The resources a module directory declares: (type, name).
type Declared = HashSet<(String, String)>;

impl<'a> Fixer<'a> {
    pub fn new(sources: &'a Sources) -> Fixer<'a> {
        Fixer {
            sources,
            hcl: (0..sources.len()).map(|_| OnceLock::new()).collect(),
            templates: (0..sources.len()).map(|_| OnceLock::new()).collect(),
            reads: Mutex::default(),
            resources: Mutex::default(),
        }
    }

    pub fn text(&self, file: FileId) -> &'a str {
        &self.sources.get(file).text
    }

    pub fn source(&self, file: FileId) -> &'a SourceFile {
        self.sources.get(file)
    }

    /// A fix may edit the file: not a module `terraform init` installed (edited there,
    /// it is overwritten by the next `init`, and it is not the author's code).
    pub fn editable(&self, file: FileId) -> bool {
        let path = &self.sources.get(file).path;
        !path.components().any(|c| c.as_os_str() == ".terraform")
    }

    /// Replaces the literal at `span` with `new` (bare, quoted the way the old value
    /// was) when its text, unquoted and compared case-insensitively, is one of `old`: a value written anywhere else
    /// (a variable, a parameter, an expression) is not this fix's to change.
    pub fn replace_literal(&self, span: Span, old: &[&str], new: &str) -> Option<Edit> {
        if !self.editable(span.file) {
            return None;
        }
        let written = self.text(span.file).get(span.range())?;
        let bare = unquote(written)?;
        if !old.iter().any(|o| o.eq_ignore_ascii_case(bare)) {
            return None;
        }
        // Keep the author's quoting: `"Suspended"` becomes `"Enabled"`, `false` `true`.
        let text = match written.as_bytes()[0] {
            q @ (b'"' | b'\'') => format!("{}{new}{}", q as char, q as char),
            _ => new.to_string(),
        };
        Some(Edit { span, text })
    }
}

impl Fixer<'_> {
    /// [`Fixer::replace_literal`] where the value was written: at `span`, or at its
    /// `origin` (a variable default, a local, a tfvars value, a parameter default)
    /// when that origin is used only there; a shared origin is not this fix's to
    /// change.
    pub fn replace_value(
        &self,
        span: Span,
        origin: Option<Span>,
        old: &[&str],
        new: &str,
    ) -> Option<Edit> {
        // A CloudFormation `Ref` to a parameter: its default is the origin.
        let origin = origin.or_else(|| self.cfn_parameter_default(span));
        match origin {
            None => self.replace_literal(span, old, new),
            Some(o) if self.used_once(o) && self.cfn_allows(o, new) => {
                self.replace_literal(o, old, new)
            }
            Some(_) => None,
        }
    }

    /// How often `reference` is read in `scope`, counted by `count` the first time.
    fn reads(&self, scope: String, reference: String, count: impl FnOnce() -> usize) -> usize {
        memo(&self.reads, (scope, reference), count)
    }

    /// Is `file` Terraform's native syntax (`.tf`, `.tfvars`), not a template?
    fn is_hcl(&self, file: FileId) -> bool {
        let path = &self.sources.get(file).path;
        path.extension().is_some_and(|e| e == "tf" || e == "tfvars")
    }

    /// The directory of `file` (its Terraform module), and the files read there.
    fn module_files(
        &self,
        file: FileId,
    ) -> (Option<PathBuf>, impl Iterator<Item = &SourceFile> + '_) {
        let dir = self
            .sources
            .get(file)
            .path
            .parent()
            .map(std::path::Path::to_path_buf);
        let same = dir.clone();
        let files = self
            .sources
            .iter()
            .filter(move |f| f.path.parent().map(std::path::Path::to_path_buf) == same);
        (dir, files)
    }

    /// Is the value written at `origin` read in one place only?
    fn used_once(&self, origin: Span) -> bool {
        if self.is_hcl(origin.file) {
            let path = &self.sources.get(origin.file).path;
            self.tf_used_once(origin, path.extension().is_some_and(|e| e == "tfvars"))
        } else {
            self.cfn_used_once(origin)
        }
    }

    /// Deletes the block at `span` when it is a literal `ident { ... }` block (not
    /// a `dynamic` one), with its line when it has the line to itself.
    pub fn delete_block(&self, span: Span, ident: &str) -> Option<Edit> {
        if !self.editable(span.file) {
            return None;
        }
        let text = self.text(span.file);
        let written = text.get(span.range())?;
        let rest = written.strip_prefix(ident)?;
        if !rest.trim_start().starts_with('{') || !written.ends_with('}') {
            return None;
        }
        let (start, end) = (span.start as usize, span.end as usize);
        let source = self.source(span.file);
        let line = line_start(source, start);
        let stop = line_end(source, end);
        let range = if text[line..start].trim().is_empty() && text[end..stop].trim().is_empty() {
            line..(stop + 1).min(text.len())
        } else {
            start..end
        };
        Some(Edit {
            span: Span::new(span.file, range),
            text: String::new(),
        })
    }
}

/// The value `compute` gives for `key`, computed on the first call only.
fn memo<K: std::hash::Hash + Eq, V: Clone>(
    map: &Mutex<HashMap<K, V>>,
    key: K,
    compute: impl FnOnce() -> V,
) -> V {
    if let Some(v) = map.lock().ok().and_then(|m| m.get(&key).cloned()) {
        return v;
    }
    let v = compute();
    if let Ok(mut m) = map.lock() {
        m.insert(key, v.clone());
    }
    v
}

/// The text of a scalar without its quotes, when it has no escapes.
fn unquote(s: &str) -> Option<&str> {
    let s = s.trim();
    let inner = match s.as_bytes().first()? {
        q @ (b'"' | b'\'') if s.len() >= 2 && s.as_bytes()[s.len() - 1] == *q => &s[1..s.len() - 1],
        b'"' | b'\'' => return None,
        _ => s,
    };
    (!inner.contains(['\\', '$', '%', '"', '\''])).then_some(inner)
}

/// A fix of one or more edits.
pub fn fix(applicability: Applicability, title: impl Into<String>, edits: Vec<Edit>) -> Fix {
    Fix {
        applicability,
        title: title.into(),
        edits,
    }
}

/// The start of the line holding byte `at` (through the file's line index: a fix
/// in a one-line template must not scan the line once per finding).
pub(crate) fn line_start(file: &SourceFile, at: usize) -> usize {
    let lines = file.lines();
    lines.line_start(lines.line_of(at)).unwrap_or(0)
}

/// The end of the line holding byte `at` (its `\n`, or the end of the text).
pub(crate) fn line_end(file: &SourceFile, at: usize) -> usize {
    let lines = file.lines();
    lines
        .line_start(lines.line_of(at) + 1)
        .map_or(file.text.len(), |next| next - 1)
}

/// The whitespace that starts the line holding byte `at`.
pub(crate) fn indent_at(file: &SourceFile, at: usize) -> &str {
    let rest = &file.text[line_start(file, at)..];
    &rest[..rest.len() - rest.trim_start_matches([' ', '\t']).len()]
}

/// The line break the file uses (`\r\n` or `\n`).
pub(crate) fn newline(file: &SourceFile) -> &'static str {
    match file.lines().line_start(1) {
        Some(next) if next >= 2 && file.text.as_bytes()[next - 2] == b'\r' => "\r\n",
        _ => "\n",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unquote_takes_plain_and_quoted_scalars_only() {
        assert_eq!(unquote("false"), Some("false"));
        assert_eq!(unquote("\"Suspended\""), Some("Suspended"));
        assert_eq!(unquote("'x'"), Some("x"));
        assert_eq!(unquote("\"a${b}\""), None);
        assert_eq!(unquote("\"a"), None);
    }

    #[test]
    fn lines_and_indents() {
        let file = |t: &str| SourceFile::new(FileId(0), "t".into(), "t".into(), t.into());
        let t = file("a\n  b = 1\r\n");
        assert_eq!(line_start(&t, 5), 2);
        assert_eq!(line_end(&t, 5), 10);
        assert_eq!(indent_at(&t, 5), "  ");
        assert_eq!(newline(&t), "\n");
        assert_eq!(newline(&file("x\r\ny")), "\r\n");
        assert_eq!(line_end(&file("one line"), 3), 8);
    }
}
