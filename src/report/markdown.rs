//! A Markdown summary for `$GITHUB_STEP_SUMMARY` and pull-request comments: totals
//! by severity, then a table of the most severe findings.
//!
//! Bounded so it fits where it is pasted: GitHub caps a step summary at 1 MiB and
//! a comment at 65,536 characters, so the table stops after `MAX_ROWS` rows
//! and says how many more there are.

use super::{counts, locate, most_severe_first, plural};
use crate::Scan;
use crate::finding::{Finding, Severity};
use crate::rules;
use std::fmt::Write;

pub const MAX_ROWS: usize = 50;
/// Longest message shown in a cell, in characters.
const MAX_MESSAGE: usize = 300;

/// Text safe in a table cell: no pipes or line breaks, no HTML, bounded.
fn cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, c) in s.chars().enumerate() {
        if i == MAX_MESSAGE {
            out.push('…');
            break;
        }
        match c {
            '|' => out.push_str("\\|"),
            '\n' | '\r' => out.push(' '),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            _ => out.push(c),
        }
    }
    out
}

/// Code spans cannot hold their own delimiter; paths and addresses never need
/// more than a double backtick.
fn code(s: &str) -> String {
    if s.contains('`') {
        format!("`` {} ``", cell(s))
    } else {
        format!("`{}`", cell(s))
    }
}

fn icon(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "🟥",
        Severity::High => "🟧",
        Severity::Medium => "🟨",
        Severity::Low => "🟦",
    }
}

fn row(scan: &Scan, f: &Finding) -> String {
    let at = locate(scan, f.span);
    let rule = match rules::find(f.code) {
        Some(e) => format!("[{}]({}) {}", f.code, e.doc.help_uri(), cell(&e.doc.name)),
        None => f.code.to_string(),
    };
    format!(
        "| {} {} | {rule} | {} | {} | {} |",
        icon(f.severity),
        f.severity,
        code(&format!("{}:{}", at.path, at.start.line)),
        f.resource.as_deref().map(code).unwrap_or_default(),
        cell(&f.message)
    )
}

pub fn render(scan: &Scan) -> String {
    let mut out = String::from("## bucketlint\n\n");
    let reported = most_severe_first(scan);
    let stats = &scan.stats;
    let _ = writeln!(
        out,
        "{} in {} file{}, {} bucket{} ({:.2?}).\n",
        match reported.len() {
            0 => "**No findings**".to_string(),
            n => format!("**{n} finding{}**", plural(n)),
        },
        stats.files,
        plural(stats.files),
        stats.buckets,
        plural(stats.buckets),
        stats.elapsed
    );
    out.push_str("| Severity | Findings |\n|---|---:|\n");
    for (s, n) in counts(&scan.findings) {
        let _ = writeln!(out, "| {} {s} | {n} |", icon(s));
    }
    let suppressed = scan.suppressed();
    if suppressed > 0 {
        let _ = writeln!(out, "| suppressed inline | {suppressed} |");
    }
    match scan.baseline.as_ref().map(|b| b.since.as_deref()) {
        Some(Some(rev)) => {
            let _ = writeln!(
                out,
                "| already at `{}` | {} |",
                cell(rev),
                scan.in_baseline()
            );
        }
        Some(None) => {
            let _ = writeln!(out, "| in the baseline | {} |", scan.in_baseline());
        }
        None => {}
    }
    if !reported.is_empty() {
        out.push_str(
            "\n| Severity | Rule | Location | Resource | Finding |\n|---|---|---|---|---|\n",
        );
        for f in reported.iter().take(MAX_ROWS) {
            let _ = writeln!(out, "{}", row(scan, f));
        }
        if reported.len() > MAX_ROWS {
            let rest = reported.len() - MAX_ROWS;
            let _ = writeln!(
                out,
                "\n… and {rest} more finding{} (less severe); the JSON or SARIF report has them all.",
                plural(rest)
            );
        }
    }
    if let Some(b) = &scan.baseline
        && let Some(rev) = &b.since
        && !b.absent.is_empty()
    {
        let fixed: usize = b.absent.iter().map(|a| a.entry.count).sum();
        let _ = writeln!(
            out,
            "\n{fixed} finding{} that `{}` had {} gone.",
            plural(fixed),
            cell(rev),
            if fixed == 1 { "is" } else { "are" }
        );
    } else if let Some(b) = &scan.baseline
        && !b.absent.is_empty()
    {
        let _ = writeln!(
            out,
            "\n{} baseline entr{} no longer match anything: prune them with `bucketlint baseline`.",
            b.absent.len(),
            if b.absent.len() == 1 { "y" } else { "ies" }
        );
    }
    if scan.incomplete() {
        out.push_str(
            "\n> [!WARNING]\n> Some files could not be parsed (BL001): the scan is incomplete.\n",
        );
    }
    out
}
