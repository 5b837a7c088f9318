//! The terminal report: rustc-like diagnostics rendered by annotate-snippets.

use super::{RenderOptions, escape, notice_lines, summary_line};
use crate::Scan;
use crate::finding::{Finding, Severity};
use crate::rules;
use crate::source::{FileId, SourceFile};
use annotate_snippets::renderer::DecorStyle;
use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use std::collections::HashMap;
use std::fmt::Write;

fn level(s: Severity) -> Level<'static> {
    let base = match s {
        Severity::Critical | Severity::High => Level::ERROR,
        Severity::Medium => Level::WARNING,
        Severity::Low => Level::NOTE,
    };
    base.with_name(s.as_str())
}

/// At most this many findings of one rule in one file are drawn; the rest are
/// counted (JSON and SARIF keep them all).
const PER_RULE_AND_FILE: usize = 50;

pub fn render(scan: &Scan, options: RenderOptions) -> String {
    let renderer = if options.color {
        Renderer::styled()
    } else {
        Renderer::plain()
    }
    .decor_style(DecorStyle::Ascii);
    let mut out = String::new();
    let mut drawn: HashMap<(FileId, &str), usize> = HashMap::new();
    for f in scan.reported() {
        let n = drawn.entry((f.span.file, f.code)).or_default();
        *n += 1;
        if *n > PER_RULE_AND_FILE {
            continue;
        }
        out.push_str(&renderer.render(&[group(scan, f)]));
        out.push_str("\n\n");
    }
    let mut capped: Vec<_> = drawn
        .into_iter()
        .filter(|(_, n)| *n > PER_RULE_AND_FILE)
        .collect();
    capped.sort();
    for ((file, code), n) in capped {
        let _ = writeln!(
            out,
            "note: {}: {} more {code} findings not shown (the JSON and SARIF reports list all {n})",
            escape(&scan.sources.get(file).display),
            n - PER_RULE_AND_FILE
        );
    }
    for line in notice_lines(scan, |path, message| format!("note: {path}: {message}")) {
        let _ = writeln!(out, "{line}");
    }
    out.push_str(&summary_line(scan));
    out.push('\n');
    out
}

/// Lines longer than this are clipped around the annotation.
const MAX_LINE: usize = 400;
/// Bytes kept on each side of an annotation in a clipped line.
const CONTEXT: usize = 120;

/// The part of a file a snippet shows: whole lines around `ranges` (all within a
/// few lines of each other), or, when those lines are long (one-line JSON), a
/// window of the line around them. Rendering the excerpt rather than the file keeps
/// the report linear in the number of findings.
struct Excerpt<'a> {
    text: &'a str,
    /// Byte offset of `text` in the file.
    base: usize,
    /// 1-based line number of its first line.
    line: usize,
    /// The position of the primary annotation, when `text` is a clipped window and
    /// annotate-snippets' own columns would be relative to it.
    clipped_at: Option<String>,
}

fn excerpt<'a>(file: &'a SourceFile, ranges: &[std::ops::Range<usize>]) -> Excerpt<'a> {
    let start = ranges.iter().map(|r| r.start).min().unwrap_or(0);
    let end = ranges.iter().map(|r| r.end).max().unwrap_or(0).max(start);
    let first = file.lines().line_of(start);
    let last = file.lines().line_of(end.saturating_sub(1).max(start));
    let from = file.lines().line_start(first).unwrap_or(0);
    let to = file
        .lines()
        .line_start(last + 1)
        .unwrap_or(file.text.len())
        .min(file.text.len());
    let longest = (first..=last)
        .map(|l| {
            let a = file.lines().line_start(l).unwrap_or(from);
            file.lines().line_start(l + 1).unwrap_or(to).min(to) - a
        })
        .max()
        .unwrap_or(0);
    if longest <= MAX_LINE || end - start > 4 * MAX_LINE {
        return Excerpt {
            text: &file.text[from..to],
            base: from,
            line: first + 1,
            clipped_at: None,
        };
    }
    let mut a = start.saturating_sub(CONTEXT).max(from);
    while !file.text.is_char_boundary(a) {
        a -= 1;
    }
    let mut b = (end + CONTEXT).min(to);
    while !file.text.is_char_boundary(b) {
        b += 1;
    }
    // The window stays on the annotation's lines.
    if let Some(i) = file.text[a..start].rfind('\n') {
        a += i + 1;
    }
    if let Some(i) = file.text[end..b].find('\n') {
        b = end + i;
    }
    let p = file.position(start);
    Excerpt {
        text: &file.text[a..b],
        base: a,
        line: p.line as usize,
        clipped_at: Some(format!("{}:{}:{}", escape(&file.display), p.line, p.column)),
    }
}

/// A snippet of `file` showing `primary` (if any) and `context` annotations
/// (range, label), with the location line when the excerpt is clipped.
fn snippet<'a>(
    file: &'a SourceFile,
    primary: Option<(std::ops::Range<usize>, Option<&'a str>)>,
    context: &[(std::ops::Range<usize>, &'a str)],
) -> (
    Snippet<'a, annotate_snippets::Annotation<'a>>,
    Option<String>,
) {
    let ranges: Vec<_> = primary
        .iter()
        .map(|(r, _)| r.clone())
        .chain(context.iter().map(|(r, _)| r.clone()))
        .collect();
    let ex = excerpt(file, &ranges);
    let len = ex.text.len();
    let shift = |r: &std::ops::Range<usize>| {
        (r.start.saturating_sub(ex.base)).min(len)..(r.end.saturating_sub(ex.base)).min(len)
    };
    let mut snippet = Snippet::source(ex.text).line_start(ex.line);
    if ex.clipped_at.is_none() {
        snippet = snippet.path(escape(&file.display).into_owned());
    }
    if let Some((r, label)) = primary {
        let mut a = AnnotationKind::Primary.span(shift(&r));
        if let Some(label) = label {
            a = a.label(escape(label).into_owned());
        }
        snippet = snippet.annotation(a);
    }
    for (r, label) in context {
        snippet = snippet.annotation(
            AnnotationKind::Context
                .span(shift(r))
                .label(escape(label).into_owned()),
        );
    }
    (snippet, ex.clipped_at)
}

/// Related locations of the same file this close to the finding share its snippet.
const NEAR_LINES: usize = 10;

fn group<'a>(scan: &'a Scan, f: &'a Finding) -> Group<'a> {
    let file = scan.sources.get(f.span.file);
    let line = file.lines().line_of(f.span.start as usize);
    let (near, far): (Vec<_>, Vec<_>) = f.related.iter().partition(|r| {
        r.span.file == f.span.file
            && file.lines().line_of(r.span.start as usize).abs_diff(line) <= NEAR_LINES
    });
    let near: Vec<_> = near
        .iter()
        .map(|r| (r.span.range(), r.message.as_str()))
        .collect();
    let (main, clipped) = snippet(file, Some((f.span.range(), f.label.as_deref())), &near);
    let title = level(f.severity)
        .primary_title(escape(&f.message).into_owned())
        .id(f.code);
    let mut g = match clipped {
        Some(at) => title
            .element(
                Level::NOTE.message(format!("at {at} (a long line, shown around the finding)")),
            )
            .element(main),
        None => title.element(main),
    };
    for r in far {
        let other = scan.sources.get(r.span.file);
        let (s, clipped) = snippet(other, None, &[(r.span.range(), r.message.as_str())]);
        if let Some(at) = clipped {
            g = g.element(Level::NOTE.message(format!("at {at}")));
        }
        g = g.element(s);
    }
    if let Some(help) = &f.help {
        g = g.element(Level::HELP.message(escape(help).into_owned()));
    }
    if let Some(entry) = rules::find(f.code) {
        g = g.element(Level::NOTE.message(format!(
            "rule {} ({}): `bucketlint rule {}` explains it",
            entry.doc.name, f.code, f.code
        )));
    }
    g
}
