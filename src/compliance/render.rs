//! The compliance report as Markdown (a pull request or an audit folder), JSON
//! (`version` 1, documented in the README) and CSV (one row per control and
//! resource, for spreadsheets).

use super::build::{Report, Status};
use crate::report::markdown::{cell, code};
use std::fmt::Write as _;

/// Resources listed per control and kind before the rest are counted.
const MAX_LISTED: usize = 50;

fn icon(s: Status) -> &'static str {
    match s {
        Status::Pass => "✅ pass",
        Status::Partial => "🟧 partial",
        Status::Fail => "❌ fail",
        Status::NoResources => "➖ no resources",
    }
}

/// The distinct sources of a control's rule mappings, in rule order.
pub(super) fn sources(c: &super::build::ControlReport) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for s in c.rules.iter().filter_map(|r| r.source.as_deref()) {
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

pub fn markdown(r: &Report) -> String {
    let e = &r.evidence;
    let mut out = format!("# {}: compliance report\n\n", cell(&r.framework.name));
    out.push_str("| Evidence | |\n|---|---|\n");
    let commit = match (&e.commit, e.uncommitted_changes) {
        (Some(c), Some(true)) => format!("{} (with uncommitted changes)", code(c)),
        (Some(c), _) => code(c),
        (None, _) => "not a git work tree".into(),
    };
    let rows = [
        ("Scanner", cell(&e.scanner)),
        ("Rule catalog", code(&e.catalog)),
        (
            "Scanned",
            e.paths
                .iter()
                .map(|p| code(p))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        ("Commit", commit),
        (
            "Configuration",
            e.configuration
                .as_deref()
                .map_or("defaults (no file)".into(), code),
        ),
        (
            "Baseline",
            e.baseline.as_deref().map_or("none".into(), code),
        ),
        ("Rules run", e.rules.join(", ")),
        ("Generated", cell(&e.generated)),
        ("Framework", cell(&r.framework.source)),
    ];
    for (k, v) in rows {
        let _ = writeln!(out, "| {k} | {v} |");
    }
    let s = &r.summary;
    let _ = writeln!(
        out,
        "\n## Summary\n\n{} controls evidenced by the scan: **{} pass**, **{} partial**, **{} fail**, {} with nothing in scope. Not assessed by a static scan: {} more (listed at the end). Findings: {} counted, {} accepted (suppressed or in the baseline).\n",
        s.controls,
        s.passing,
        s.partial,
        s.failing,
        s.no_resources,
        s.not_assessed,
        s.findings,
        s.accepted
    );
    out.push_str(
        "| Control | Title | Status | Failing | Passing | Accepted |\n|---|---|---|---|---|---|\n",
    );
    for c in &r.controls {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            cell(&c.id),
            cell(&c.title),
            icon(c.status),
            c.failing.len(),
            c.passing.len(),
            c.accepted.len()
        );
    }
    out.push_str("\n## Controls\n");
    for c in &r.controls {
        let _ = writeln!(
            out,
            "\n### {} {}\n\n{} · {}\n",
            cell(&c.id),
            cell(&c.title),
            icon(c.status),
            cell(&c.family)
        );
        out.push_str("Evidenced by:\n");
        for rule in &c.rules {
            let _ = writeln!(
                out,
                "- {} {}: {}",
                rule.code,
                code(&rule.name),
                cell(&rule.summary)
            );
        }
        for src in sources(c) {
            let _ = writeln!(out, "\nMapping source: {}", cell(src));
        }
        if !c.failing.is_empty() {
            out.push_str("\n**Failing**\n\n");
            for f in c.failing.iter().take(MAX_LISTED) {
                let _ = write!(out, "- {}", code(&f.resource));
                if let Some(l) = &f.location {
                    let _ = write!(out, " ({})", code(&l.to_string()));
                }
                out.push('\n');
                for x in &f.findings {
                    let _ = writeln!(
                        out,
                        "  - {} at {}: {}",
                        x.code,
                        code(&x.location.to_string()),
                        cell(&x.message)
                    );
                }
            }
            if c.failing.len() > MAX_LISTED {
                let _ = writeln!(
                    out,
                    "- … and {} more (see the JSON report)",
                    c.failing.len() - MAX_LISTED
                );
            }
        }
        if !c.passing.is_empty() {
            out.push_str("\n**Passing**\n\n");
            for p in c.passing.iter().take(MAX_LISTED) {
                let _ = write!(out, "- {}", code(&p.resource));
                if let Some(l) = &p.location {
                    let _ = write!(out, " ({})", code(&l.to_string()));
                }
                out.push('\n');
            }
            if c.passing.len() > MAX_LISTED {
                let _ = writeln!(
                    out,
                    "- … and {} more (see the JSON report)",
                    c.passing.len() - MAX_LISTED
                );
            }
        }
        if !c.accepted.is_empty() {
            out.push_str("\n**Accepted**\n\n");
            for a in c.accepted.iter().take(MAX_LISTED) {
                let _ = write!(
                    out,
                    "- {} {} at {}: {}",
                    code(&a.resource),
                    a.code,
                    code(&a.location.to_string()),
                    a.how
                );
                if let Some(reason) = &a.reason {
                    let _ = write!(out, ", \"{}\"", cell(reason));
                }
                if let Some(x) = &a.expires {
                    let _ = write!(out, ", expires {}", cell(x));
                }
                out.push('\n');
            }
        }
    }
    if !r.not_assessed.is_empty() {
        out.push_str(
            "\n## Not assessed by a static scan\n\n| Control | Title | Why |\n|---|---|---|\n",
        );
        for c in &r.not_assessed {
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                cell(&c.id),
                cell(&c.title),
                cell(c.not_assessed.as_deref().unwrap_or_default())
            );
        }
    }
    out
}

pub fn json(r: &Report) -> String {
    let mut text = serde_json::to_string_pretty(r).unwrap_or_default();
    text.push('\n');
    text
}

/// A CSV field (RFC 4180), with a leading `=`, `+`, `-`, `@` neutralised so a
/// spreadsheet does not run a resource name as a formula.
fn field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

pub fn csv(r: &Report) -> String {
    let mut out = String::from(
        "framework,control,family,title,control_status,resource,result,rules,location,detail\r\n",
    );
    let mut row = |c: &super::build::ControlReport,
                   resource: &str,
                   result: &str,
                   location: &str,
                   detail: &str| {
        let rules: Vec<&str> = c.rules.iter().map(|x| x.code.as_str()).collect();
        let cells = [
            r.framework.id.as_str(),
            &c.id,
            &c.family,
            &c.title,
            c.status.as_str(),
            resource,
            result,
            &rules.join(" "),
            location,
            detail,
        ];
        let line: Vec<String> = cells.iter().map(|x| field(x)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    };
    for c in &r.controls {
        for f in &c.failing {
            for x in &f.findings {
                row(
                    c,
                    &f.resource,
                    "fail",
                    &x.location.to_string(),
                    &format!("{}: {}", x.code, x.message),
                );
            }
        }
        for p in &c.passing {
            row(
                c,
                &p.resource,
                "pass",
                &p.location
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                "",
            );
        }
        for a in &c.accepted {
            let detail = format!(
                "{} {}{}{}",
                a.code,
                a.how,
                a.reason
                    .as_deref()
                    .map(|x| format!(": {x}"))
                    .unwrap_or_default(),
                a.expires
                    .as_deref()
                    .map(|x| format!(" (expires {x})"))
                    .unwrap_or_default()
            );
            row(c, &a.resource, "accepted", &a.location.to_string(), &detail);
        }
        if c.failing.is_empty() && c.passing.is_empty() && c.accepted.is_empty() {
            row(c, "", "no resources", "", "");
        }
    }
    for c in &r.not_assessed {
        let line: Vec<String> = [
            r.framework.id.as_str(),
            &c.id,
            &c.family,
            &c.title,
            "not assessed",
            "",
            "not assessed",
            "",
            "",
            c.not_assessed.as_deref().unwrap_or_default(),
        ]
        .iter()
        .map(|x| field(x))
        .collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn csv_fields_are_quoted_and_never_formulas() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(field("+1"), "'+1");
        assert_eq!(field("@sum"), "'@sum");
        assert_eq!(field("line\nbreak"), "\"line\nbreak\"");
    }
}
