//! GitHub Actions workflow commands: `::error file=…,line=…::message`, which the
//! runner turns into annotations on the pull request's diff.
//!
//! A step shows at most 10 error, 10 warning and 10 notice annotations (GitHub's
//! limits for workflow commands and problem matchers, actions/toolkit
//! docs/problem-matchers.md); the rest are silently dropped. So annotations go
//! most severe first, and when some must be left out the last notice says how
//! many, instead of letting GitHub drop them without a word.

use super::{locate, most_severe_first, plural};
use crate::Scan;
use crate::finding::{Finding, Severity};
use crate::rules;
use std::fmt::Write;

/// Annotations of one level GitHub shows per step.
pub const PER_LEVEL: usize = 10;

/// Escapes a command's message (actions/toolkit `escapeData`).
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command property value (actions/toolkit `escapeProperty`).
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "notice",
    }
}

fn command(scan: &Scan, f: &Finding) -> String {
    let at = locate(scan, f.span);
    let mut props = format!(
        "file={},line={},endLine={}",
        escape_property(at.path),
        at.start.line,
        at.end.line
    );
    // GitHub ignores (or misplaces) columns on an annotation spanning lines.
    if at.start.line == at.end.line {
        let _ = write!(
            props,
            ",col={},endColumn={}",
            at.start.column,
            at.end.column.max(at.start.column)
        );
    }
    let name = rules::find(f.code).map_or("", |e| e.doc.name.as_str());
    let _ = write!(
        props,
        ",title={}",
        escape_property(&format!("{} {name} [{}]", f.code, f.severity))
    );
    let mut message = f.message.clone();
    if let Some(help) = &f.help {
        let _ = write!(message, "\nFix: {help}");
    }
    format!("::{} {props}::{}", level(f.severity), escape_data(&message))
}

pub fn render(scan: &Scan) -> String {
    let mut findings = most_severe_first(scan);
    let total = findings.len();
    if let Some(ids) = &scan.annotate {
        findings.retain(|f| crate::focus::touches(f, ids));
    }
    let elsewhere = total - findings.len();
    let count = |l: &str| findings.iter().filter(|f| level(f.severity) == l).count();
    let (errors, warnings, notices) = (count("error"), count("warning"), count("notice"));
    let overflow = errors > PER_LEVEL || warnings > PER_LEVEL || notices > PER_LEVEL;
    // The tally is a notice too: it takes the last notice slot.
    let notice_slots = if overflow { PER_LEVEL - 1 } else { PER_LEVEL };
    let mut shown = [0usize; 3];
    let mut out = String::new();
    for f in &findings {
        let (k, cap) = match level(f.severity) {
            "error" => (0, PER_LEVEL),
            "warning" => (1, PER_LEVEL),
            _ => (2, notice_slots),
        };
        if shown[k] < cap {
            shown[k] += 1;
            let _ = writeln!(out, "{}", command(scan, f));
        }
    }
    let left_out = findings.len() - shown.iter().sum::<usize>();
    if left_out > 0 {
        let _ = writeln!(
            out,
            "::notice title={}::{}",
            escape_property("bucketlint: more findings"),
            escape_data(&format!(
                "{left_out} more finding{} not annotated: GitHub shows at most {PER_LEVEL} annotations of each level per step. The job log (text report) and the SARIF upload have them all.",
                plural(left_out)
            ))
        );
    }
    if elsewhere > 0 {
        // Said in the log, not as an annotation: it is about no changed line.
        let _ = writeln!(
            out,
            "bucketlint: {elsewhere} more finding{} in files this change does not touch (in the SARIF report and the text log).",
            plural(elsewhere)
        );
    }
    out
}
