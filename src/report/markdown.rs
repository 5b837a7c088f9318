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
pub(crate) fn cell(s: &str) -> String {
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
pub(crate) fn code(s: &str) -> String {
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

/// Graphs of who can reach the buckets of critical and high findings, at most this
/// many (the most severe first).
pub const MAX_GRAPHS: usize = 5;
/// Largest graph drawn in the report, in bytes of Mermaid.
const MAX_GRAPH_BYTES: usize = 8_000;

/// Who can reach each bucket with a critical or high finding (`bucketlint graph`),
/// as Mermaid, which GitHub renders in job summaries and comments. Only when the
/// scan kept its model and a bucket has someone reaching it.
fn reach(out: &mut String, scan: &Scan, reported: &[&Finding]) {
    if scan.model.is_none() {
        return;
    }
    let mut buckets: Vec<&str> = Vec::new();
    for f in reported.iter().filter(|f| f.severity >= Severity::High) {
        if let Some(r) = f.resource.as_deref()
            && !buckets.contains(&r)
        {
            buckets.push(r);
        }
    }
    let graph = crate::graph::build(scan);
    let reached: std::collections::HashSet<&str> =
        graph.edges.iter().map(|e| e.to.as_str()).collect();
    for b in buckets
        .into_iter()
        .filter(|b| reached.contains(format!("bucket:{b}").as_str()))
        .take(MAX_GRAPHS)
    {
        let sub = graph.reaching(b);
        let mermaid = crate::graph::render::mermaid(&sub);
        let _ = write!(out, "\n### Who can reach {}\n\n", code(b));
        if mermaid.len() > MAX_GRAPH_BYTES {
            // A step summary holds 1 MiB, a comment 64 KiB.
            let _ = writeln!(
                out,
                "{} nodes and {} edges: too large to draw here; `bucketlint graph --bucket {}` draws it.",
                sub.nodes.len(),
                sub.edges.len(),
                cell(b)
            );
        } else {
            out.push_str(&fenced("mermaid", &mermaid));
        }
    }
}

/// Sections of what is new since a revision, at most this many (the most severe).
pub const MAX_SECTIONS: usize = 20;

/// `text` in a fenced block that its own backticks cannot close.
fn fenced(lang: &str, text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat((longest + 1).max(3));
    format!("{fence}{lang}\n{}\n{fence}\n", text.trim_end_matches('\n'))
}

/// The hunk of a `git diff` whose new side holds `line` (1-based).
fn hunk_at(diff: &str, line: u32) -> Option<String> {
    let mut hunks: Vec<(u32, u32, String)> = Vec::new();
    for l in diff.lines() {
        if let Some(rest) = l.strip_prefix("@@ ") {
            // `@@ -a,b +c,d @@`
            let new = rest.split_whitespace().nth(1)?.strip_prefix('+')?;
            let (start, len) = new.split_once(',').unwrap_or((new, "1"));
            let (start, len): (u32, u32) = (start.parse().ok()?, len.parse().ok()?);
            hunks.push((start, start + len.max(1), format!("{l}\n")));
        } else if let Some(h) = hunks.last_mut() {
            h.2.push_str(l);
            h.2.push('\n');
        }
    }
    hunks
        .into_iter()
        .find(|(start, end, _)| (*start..*end).contains(&line))
        .map(|(_, _, text)| text)
}

/// One section per new finding: where, what changed, which rule and controls, and
/// the remedy (with the fix as a diff when the rule writes one).
fn new_since(
    out: &mut String,
    scan: &Scan,
    reported: &[&Finding],
    rev: &str,
    diffs: &std::collections::BTreeMap<String, String>,
) {
    let new: Vec<&&Finding> = reported
        .iter()
        .filter(|f| f.baseline == Some(crate::baseline::State::New))
        .collect();
    if new.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n### New since {}\n", code(rev));
    for f in new.iter().take(MAX_SECTIONS) {
        let at = locate(scan, f.span);
        let doc = rules::find(f.code).map(|e| &e.doc);
        let _ = writeln!(
            out,
            "#### {} {} {} ({})\n\n{}\n",
            icon(f.severity),
            f.code,
            f.resource.as_deref().map(code).unwrap_or_default(),
            code(&format!("{}:{}", at.path, at.start.line)),
            cell(&f.message)
        );
        if let Some(scope) = &f.scope {
            let _ = writeln!(out, "- **Environment**: {}", code(scope));
        }
        if let Some(doc) = doc {
            let controls: Vec<String> = doc
                .compliance
                .iter()
                .map(|(framework, ids)| format!("{} {}", framework.to_uppercase(), ids.join(", ")))
                .collect();
            let _ = writeln!(
                out,
                "- **Rule**: [{}]({}) {}, {}{}",
                f.code,
                doc.help_uri(),
                cell(&doc.name),
                f.severity,
                if controls.is_empty() {
                    String::new()
                } else {
                    format!(". **Controls**: {}", cell(&controls.join("; ")))
                }
            );
        }
        let remedy = f
            .help
            .clone()
            .or_else(|| doc.map(|d| d.remediation.clone()));
        if let Some(remedy) = remedy {
            let _ = writeln!(out, "- **Remediation**: {}", cell(&remedy));
        }
        if let Some(hunk) = diffs.get(at.path).and_then(|d| hunk_at(d, at.start.line)) {
            let _ = write!(
                out,
                "\n<details><summary>What changed since {}</summary>\n\n{}\n</details>\n",
                cell(rev),
                fenced("diff", &hunk)
            );
        }
        if let Some(fix) = f.fix.as_deref().filter(|x| !x.edits.is_empty()) {
            let _ = write!(
                out,
                "\n<details><summary>Fix ({}): {}</summary>\n\n{}\n</details>\n",
                fix.applicability.as_str(),
                cell(&fix.title),
                fenced("diff", &crate::fix::fix_diff(scan, fix))
            );
        }
        out.push('\n');
    }
    if new.len() > MAX_SECTIONS {
        let _ = writeln!(
            out,
            "… and {} more new finding{}; the JSON or SARIF report has them all.",
            new.len() - MAX_SECTIONS,
            plural(new.len() - MAX_SECTIONS)
        );
    }
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
    {
        new_since(&mut out, scan, &reported, rev, &b.diffs);
    }
    reach(&mut out, scan, &reported);
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

#[cfg(test)]
mod tests {
    use super::{fenced, hunk_at};

    #[test]
    fn the_hunk_holding_a_line() {
        let diff = "diff --git a/m.tf b/m.tf\n--- a/m.tf\n+++ b/m.tf\n@@ -1,2 +1,3 @@\n a\n+b\n c\n@@ -10 +11,2 @@\n-x\n+y\n+z\n";
        assert_eq!(hunk_at(diff, 2).unwrap(), "@@ -1,2 +1,3 @@\n a\n+b\n c\n");
        assert!(hunk_at(diff, 12).unwrap().starts_with("@@ -10 +11,2 @@"));
        assert!(hunk_at(diff, 5).is_none());
    }

    #[test]
    fn a_fence_longer_than_the_backticks_inside() {
        assert_eq!(fenced("diff", "+a\n"), "```diff\n+a\n```\n");
        assert_eq!(fenced("", "x ```` y"), "`````\nx ```` y\n`````\n");
    }
}
