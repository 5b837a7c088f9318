//! `check --fix`, `--unsafe-fixes` and `--diff`: the findings' fixes applied to the
//! files' text, and the scan run again on the result (as unsaved buffers), until no
//! fix applies. Nothing is written until the last pass, and then only to regular
//! files inside the scanned paths.

use crate::Scan;
use crate::finding::{Applicability, Edit, Fix};
use crate::source::absolute;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// Scans after which fixing stops, whatever is left: each pass applies every fix
/// that does not overlap another, so real files need two or three.
pub const MAX_PASSES: usize = 10;

/// A file the fixes changed.
#[derive(Debug, Clone)]
pub struct Changed {
    pub display: String,
    pub original: String,
    pub text: String,
    /// Its text before the last pass, to go back to if that pass broke it.
    before_pass: String,
}

/// The fixes applied so far, over passes.
#[derive(Debug, Default)]
pub struct Session {
    /// By absolute path.
    pub files: BTreeMap<PathBuf, Changed>,
    /// Findings fixed, by rule.
    pub fixed: BTreeMap<&'static str, usize>,
    /// What was not done, and why, for the user.
    pub notes: Vec<String>,
    /// Files a fix made unparseable: restored, and not fixed further.
    frozen: BTreeSet<PathBuf>,
    /// Files that did not parse before any fix.
    broken_before: Option<BTreeSet<PathBuf>>,
}

impl Session {
    /// Scans with `scan` (given the fixed texts as unsaved buffers, over `overlays`),
    /// applies the fixes, and scans again until none applies or [`MAX_PASSES`]; the
    /// last scan. Only files `allowed` admits are changed.
    pub fn run<T>(
        &mut self,
        overlays: &HashMap<PathBuf, Vec<u8>>,
        unsafe_fixes: bool,
        allowed: &dyn Fn(&Path) -> bool,
        mut scan: impl FnMut(HashMap<PathBuf, Vec<u8>>) -> Result<(Scan, T), String>,
    ) -> Result<(Scan, T), String> {
        let mut buffers = overlays.clone();
        let mut pass = 0;
        #[allow(clippy::assigning_clones)] // the previous buffers moved into `scan`
        loop {
            pass += 1;
            let (scanned, extra) = scan(buffers)?;
            let again = pass < MAX_PASSES
                && (self.restore_broken(&scanned)
                    || self.apply(&scanned, unsafe_fixes, allowed) > 0);
            if !again {
                if pass == MAX_PASSES {
                    self.notes.push(format!(
                        "fixes were still applying after {pass} scans; stopped"
                    ));
                }
                return Ok((scanned, extra));
            }
            buffers = overlays.clone();
            buffers.extend(self.overlays());
        }
    }

    /// Puts back the files the last pass left unparseable (the scan of that pass
    /// reports a parse error that was not there before); true if any was.
    pub fn restore_broken(&mut self, scan: &Scan) -> bool {
        let broken = parse_errors(scan);
        let before = self.broken_before.get_or_insert_with(|| broken.clone());
        let mut restored = false;
        for path in broken.difference(before) {
            if let Some(c) = self.files.get_mut(path) {
                c.text.clone_from(&c.before_pass);
                self.frozen.insert(path.clone());
                self.notes.push(format!(
                    "{}: a fix made the file unparseable, so it was not applied (please report this)",
                    c.display
                ));
                restored = true;
            }
        }
        restored
    }

    /// Applies to the texts every fix of `scan` that `allowed` admits, in file order,
    /// skipping those that overlap one already taken (the next pass gets them).
    /// Returns how many findings it fixed.
    pub fn apply(
        &mut self,
        scan: &Scan,
        unsafe_fixes: bool,
        allowed: &dyn Fn(&Path) -> bool,
    ) -> usize {
        let mut taken: HashMap<u32, Vec<&Edit>> = HashMap::new();
        let mut fixes: Vec<(&'static str, &Fix)> = scan
            .reported()
            .filter_map(|f| Some((f.code, f.fix.as_deref()?)))
            .filter(|(_, fix)| {
                !fix.edits.is_empty() && (fix.applicability == Applicability::Safe || unsafe_fixes)
            })
            .collect();
        fixes.sort_by(|a, b| a.1.edits.first().cmp(&b.1.edits.first()));
        let mut applied = 0;
        let mut seen: BTreeSet<&[Edit]> = BTreeSet::new();
        for (code, fix) in fixes {
            // The same edits for another finding (two instances of a module): done.
            if seen.contains(&fix.edits.as_slice()) {
                *self.fixed.entry(code).or_default() += 1;
                applied += 1;
                continue;
            }
            let ok = fix.edits.iter().all(|e| {
                let source = scan.sources.get(e.span.file);
                let path = absolute(&source.path);
                if !allowed(&path) {
                    let note = format!(
                        "{}: not fixed: outside the scanned paths, or not a regular file",
                        source.display
                    );
                    if !self.notes.contains(&note) {
                        self.notes.push(note);
                    }
                    return false;
                }
                !self.frozen.contains(&path)
                    && taken
                        .get(&e.span.file.0)
                        .is_none_or(|t| t.iter().all(|o| !overlap(o, e)))
            });
            if !ok {
                continue;
            }
            for e in &fix.edits {
                taken.entry(e.span.file.0).or_default().push(e);
            }
            seen.insert(&fix.edits);
            *self.fixed.entry(code).or_default() += 1;
            applied += 1;
        }
        for (file, mut edits) in taken {
            let source = scan.sources.get(crate::source::FileId(file));
            let path = absolute(&source.path);
            let changed = self.files.entry(path).or_insert_with(|| Changed {
                display: source.display.clone(),
                original: source.text.clone(),
                text: source.text.clone(),
                before_pass: String::new(),
            });
            changed.before_pass.clone_from(&source.text);
            changed.text = apply_edits(&source.text, &mut edits);
        }
        applied
    }

    /// The fixed texts, as the unsaved buffers of the next scan.
    pub fn overlays(&self) -> HashMap<PathBuf, Vec<u8>> {
        self.files
            .iter()
            .map(|(p, c)| (p.clone(), c.text.clone().into_bytes()))
            .collect()
    }

    /// The files whose text differs from what was read.
    pub fn changed(&self) -> impl Iterator<Item = (&PathBuf, &Changed)> {
        self.files.iter().filter(|(_, c)| c.text != c.original)
    }

    /// A unified diff of every changed file (`a/PATH`, `b/PATH`).
    pub fn diff(&self) -> String {
        let mut out = String::new();
        for (_, c) in self.changed() {
            let diff = similar::TextDiff::from_lines(&c.original, &c.text);
            out.push_str(
                &diff
                    .unified_diff()
                    .context_radius(3)
                    .header(&format!("a/{}", c.display), &format!("b/{}", c.display))
                    .to_string(),
            );
        }
        out
    }

    /// Writes the changed files in place (each through a temporary file renamed
    /// over it, keeping its permissions); the number written.
    pub fn write(&self) -> Result<usize, String> {
        let mut n = 0;
        for (path, c) in self.changed() {
            write_atomic(path, &c.text).map_err(|e| format!("cannot write {}: {e}", c.display))?;
            n += 1;
        }
        Ok(n)
    }

    /// "12 fixed (BL100 x3, BL401 x9)".
    pub fn summary(&self) -> String {
        let total: usize = self.fixed.values().sum();
        let by_rule: Vec<String> = self
            .fixed
            .iter()
            .map(|(code, n)| format!("{code} x{n}"))
            .collect();
        format!("{total} fixed ({})", by_rule.join(", "))
    }
}

/// What is left for a person after fixing, one line each: findings whose fix is
/// unsafe (when unsafe fixes were not asked for), and findings of rules with fixes
/// that have none here, with why.
pub fn left_over(scan: &Scan, unsafe_fixes: bool) -> Vec<String> {
    let mut unsafe_left = 0;
    let mut out = Vec::new();
    for f in scan.reported() {
        match f.fix.as_deref() {
            Some(fix) if fix.applicability == Applicability::Unsafe && !unsafe_fixes => {
                unsafe_left += 1;
            }
            Some(_) => {}
            None => {
                let has_fixes = crate::rules::find(f.code)
                    .is_some_and(|e| e.doc.fix != crate::rules::FixAvailability::Never);
                if !has_fixes {
                    continue;
                }
                let at = |span: crate::source::Span| {
                    let file = scan.sources.get(span.file);
                    format!(
                        "{}:{}",
                        file.display,
                        file.position(span.start as usize).line
                    )
                };
                let why = match f
                    .related
                    .iter()
                    .find(|r| r.message == crate::finding::VALUE_ORIGIN)
                {
                    Some(r) => format!(
                        "its value is written at {}, which is read in more than one place (or by a module call): change it there",
                        at(r.span)
                    ),
                    None => format!(
                        "no automatic fix for this case (`bucketlint rule {}`)",
                        f.code
                    ),
                };
                out.push(format!("{}: {} not fixed: {why}", at(f.span), f.code));
            }
        }
    }
    if unsafe_left > 0 {
        out.push(format!(
            "{unsafe_left} more finding(s) have unsafe fixes: review them with `--unsafe-fixes --diff`"
        ));
    }
    out
}

/// Do two edits conflict? When they touch the same bytes, or one inserts at the
/// other's boundary. Two insertions at one point do not, unless they begin the same
/// way (two fixes each adding `Properties:` to a resource): side by side, they add
/// independent entries (the policies of two buckets after the last resource).
/// `text` with non-overlapping `edits` (in the order they were taken) applied.
fn apply_edits(text: &str, edits: &mut [&Edit]) -> String {
    let mut text = text.to_string();
    // From the end, so offsets stay valid; insertions at one point end up in the
    // order they were taken (the sort is stable).
    edits.reverse();
    edits.sort_by_key(|e| std::cmp::Reverse((e.span.start, e.span.end)));
    for e in edits.iter() {
        text.replace_range(e.span.range(), &e.text);
    }
    text
}

/// One fix as a unified diff of the files it edits (for a report).
pub fn fix_diff(scan: &Scan, fix: &Fix) -> String {
    let mut by_file: BTreeMap<u32, Vec<&Edit>> = BTreeMap::new();
    for e in &fix.edits {
        by_file.entry(e.span.file.0).or_default().push(e);
    }
    let mut out = String::new();
    for (file, mut edits) in by_file {
        let source = scan.sources.get(crate::source::FileId(file));
        let fixed = apply_edits(&source.text, &mut edits);
        let diff = similar::TextDiff::from_lines(&source.text, &fixed);
        out.push_str(
            &diff
                .unified_diff()
                .context_radius(2)
                .header(
                    &format!("a/{}", source.display),
                    &format!("b/{}", source.display),
                )
                .to_string(),
        );
    }
    out
}

fn overlap(a: &Edit, b: &Edit) -> bool {
    let insertion = |e: &Edit| e.span.start == e.span.end;
    if insertion(a) && insertion(b) && a.span.start == b.span.start {
        return head(&a.text) == head(&b.text);
    }
    a.span.start <= b.span.end && b.span.start <= a.span.end
}

/// What an inserted text begins with: the key, attribute or block header of its
/// first line with content (up to a `:`, `=` or `{`).
fn head(text: &str) -> &str {
    let line = text
        .lines()
        .map(|l| l.trim().trim_start_matches(',').trim())
        .find(|l| !l.is_empty())
        .unwrap_or_default();
    line.split([':', '=', '{'])
        .next()
        .unwrap_or_default()
        .trim()
}

/// The files of `scan` with a parse error, by absolute path.
fn parse_errors(scan: &Scan) -> BTreeSet<PathBuf> {
    scan.findings
        .iter()
        .filter(|f| f.code == crate::rules::parse_error::CODE)
        .map(|f| absolute(&scan.sources.get(f.span.file).path))
        .collect()
}

/// May a fix write `path`? A regular file (not a symbolic link, which may lead
/// anywhere) inside one of `roots` (canonical).
pub fn confined(path: &Path, roots: &[PathBuf]) -> bool {
    let regular = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_file());
    regular
        && path
            .canonicalize()
            .is_ok_and(|real| roots.iter().any(|r| real.starts_with(r)))
}

/// The canonical directories the scanned `paths` name (a file's directory).
pub fn roots(paths: &[PathBuf]) -> Vec<PathBuf> {
    paths
        .iter()
        .filter_map(|p| {
            let real = p.canonicalize().ok()?;
            Some(if real.is_file() {
                real.parent()?.to_path_buf()
            } else {
                real
            })
        })
        .collect()
}

fn write_atomic(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let tmp = dir.join(format!(".{name}.bucketlint-{}.tmp", std::process::id()));
    let permissions = std::fs::metadata(path)?.permissions();
    let result = std::fs::write(&tmp, text)
        .and_then(|()| std::fs::set_permissions(&tmp, permissions))
        .and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    fn edit(range: std::ops::Range<usize>, text: &str) -> Edit {
        Edit {
            span: crate::source::Span::new(FileId(0), range),
            text: text.into(),
        }
    }

    #[test]
    fn insertions_at_one_point_conflict_only_when_they_begin_alike() {
        let policy = |id: &str| {
            edit(
                10..10,
                &format!("\n  {id}:\n    Type: AWS::S3::BucketPolicy"),
            )
        };
        assert!(!overlap(&policy("A"), &policy("B")));
        assert!(overlap(&policy("A"), &policy("A")));
        let props = |key: &str| {
            edit(
                10..10,
                &format!(",\n      \"Properties\": {{\"{key}\": 1}}"),
            )
        };
        assert!(overlap(&props("X"), &props("Y")));
        // An insertion at the boundary of a replacement, or inside it, conflicts.
        assert!(overlap(&edit(10..10, "x"), &edit(5..10, "y")));
        assert!(overlap(&edit(7..7, "x"), &edit(5..10, "y")));
        assert!(!overlap(&edit(11..11, "x"), &edit(5..10, "y")));
        assert!(overlap(&edit(5..8, "x"), &edit(7..9, "y")));
    }
}
