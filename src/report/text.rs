//! The terminal report: rustc-like diagnostics rendered by annotate-snippets.

use super::{RenderOptions, notice_lines, summary_line};
use crate::Scan;
use crate::finding::{Finding, Severity};
use crate::rules;
use annotate_snippets::renderer::DecorStyle;
use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use std::fmt::Write;

fn level(s: Severity) -> Level<'static> {
    let base = match s {
        Severity::Critical | Severity::High => Level::ERROR,
        Severity::Medium => Level::WARNING,
        Severity::Low => Level::NOTE,
    };
    base.with_name(s.as_str())
}

pub fn render(scan: &Scan, options: RenderOptions) -> String {
    let renderer = if options.color {
        Renderer::styled()
    } else {
        Renderer::plain()
    }
    .decor_style(DecorStyle::Ascii);
    let mut out = String::new();
    for f in scan.reported() {
        out.push_str(&renderer.render(&[group(scan, f)]));
        out.push_str("\n\n");
    }
    for line in notice_lines(scan, |path, message| format!("note: {path}: {message}")) {
        let _ = writeln!(out, "{line}");
    }
    out.push_str(&summary_line(scan));
    out.push('\n');
    out
}

fn group<'a>(scan: &'a Scan, f: &'a Finding) -> Group<'a> {
    let file = scan.sources.get(f.span.file);
    let mut primary = AnnotationKind::Primary.span(f.span.range());
    if let Some(label) = &f.label {
        primary = primary.label(label.as_str());
    }
    let mut snippet = Snippet::source(file.text.as_str())
        .path(file.display.as_str())
        .annotation(primary);
    let mut elsewhere = Vec::new();
    for r in &f.related {
        if r.span.file == f.span.file {
            snippet = snippet.annotation(
                AnnotationKind::Context
                    .span(r.span.range())
                    .label(r.message.as_str()),
            );
        } else {
            elsewhere.push(r);
        }
    }
    let mut g = level(f.severity)
        .primary_title(f.message.as_str())
        .id(f.code)
        .element(snippet);
    for r in elsewhere {
        let other = scan.sources.get(r.span.file);
        g = g.element(
            Snippet::source(other.text.as_str())
                .path(other.display.as_str())
                .annotation(
                    AnnotationKind::Context
                        .span(r.span.range())
                        .label(r.message.as_str()),
                ),
        );
    }
    if let Some(help) = &f.help {
        g = g.element(Level::HELP.message(help.as_str()));
    }
    if let Some(entry) = rules::find(f.code) {
        g = g.element(Level::NOTE.message(format!(
            "rule {} ({}): `bucketlint rule {}` explains it",
            entry.doc.name, f.code, f.code
        )));
    }
    g
}
