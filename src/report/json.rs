//! The JSON report: a stable, documented schema (version 1, see the README).
//!
//! Written from borrowed, typed structs rather than `serde_json::Value`s so that a
//! report of tens of thousands of findings costs little more than its text.

use super::{counts, locate};
use crate::Scan;
use crate::finding::{Finding, Severity};
use crate::rules;
use crate::source::{Position, Span};
use serde::Serialize;

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    tool: Tool,
    findings: Vec<JsonFinding<'a>>,
    notices: Vec<Notice<'a>>,
    /// Resources and module calls the inputs do not create: not checked.
    not_created: Vec<NotCreated<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<JsonBaseline<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct At {
    line: u32,
    column: u32,
    utf16_column: u32,
    offset: u32,
}

#[derive(Serialize)]
struct Location<'a> {
    path: &'a str,
    start: At,
    end: At,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    #[serde(flatten)]
    at: Location<'a>,
    code: &'a str,
    name: Option<&'a str>,
    severity: Severity,
    message: &'a str,
    resource: Option<&'a str>,
    deployment: Option<&'a str>,
    instances: &'a [String],
    help: Option<&'a str>,
    help_uri: Option<String>,
    related: Vec<Related<'a>>,
    /// Set when an inline suppression covers the finding.
    suppressed: Option<JsonSuppressed<'a>>,
    /// `new` or `unchanged` when compared with a baseline.
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<&'static str>,
}

#[derive(Serialize)]
struct JsonBaseline<'a> {
    file: std::borrow::Cow<'a, str>,
    new: usize,
    unchanged: usize,
    /// Entries that match nothing any more.
    absent: Vec<&'a crate::baseline::Entry>,
}

#[derive(Serialize)]
struct JsonSuppressed<'a> {
    kind: &'static str,
    justification: &'a str,
    #[serde(flatten)]
    at: Location<'a>,
}

#[derive(Serialize)]
struct Related<'a> {
    #[serde(flatten)]
    at: Location<'a>,
    message: &'a str,
}

#[derive(Serialize)]
struct Notice<'a> {
    path: std::borrow::Cow<'a, str>,
    message: &'a str,
}

#[derive(Serialize)]
struct NotCreated<'a> {
    #[serde(flatten)]
    at: Location<'a>,
    resource: &'a str,
    reason: &'a str,
}

#[derive(Serialize)]
struct Summary {
    files: usize,
    bytes: u64,
    buckets: usize,
    findings: usize,
    suppressed: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    in_baseline: Option<usize>,
    by_severity: BySeverity,
    not_created: usize,
    incomplete: bool,
}

#[derive(Serialize)]
struct BySeverity {
    critical: usize,
    high: usize,
    medium: usize,
    low: usize,
}

fn at(p: Position, offset: u32) -> At {
    At {
        line: p.line,
        column: p.column,
        utf16_column: p.utf16_column,
        offset,
    }
}

fn location(scan: &Scan, span: Span) -> Location<'_> {
    let l = locate(scan, span);
    Location {
        path: l.path,
        start: at(l.start, span.start),
        end: at(l.end, span.end),
    }
}

fn finding<'a>(scan: &'a Scan, f: &'a Finding) -> JsonFinding<'a> {
    let doc = rules::find(f.code).map(|e| &e.doc);
    JsonFinding {
        at: location(scan, f.span),
        code: f.code,
        name: doc.map(|d| d.name.as_str()),
        severity: f.severity,
        message: &f.message,
        resource: f.resource.as_deref(),
        deployment: f.scope.as_deref(),
        instances: &f.instances,
        help: f.help.as_deref(),
        help_uri: doc.map(rules::RuleDoc::help_uri),
        related: f
            .related
            .iter()
            .map(|r| Related {
                at: location(scan, r.span),
                message: &r.message,
            })
            .collect(),
        suppressed: f.suppressed.as_ref().map(|s| JsonSuppressed {
            kind: "inSource",
            justification: &s.justification,
            at: location(scan, s.span),
        }),
        baseline: f.baseline.map(crate::baseline::State::as_str),
    }
}

/// Writes the report as it is serialized: a large report is never held whole.
pub fn write(scan: &Scan, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let report = Report {
        version: 1,
        tool: Tool {
            name: "bucketlint",
            version: env!("CARGO_PKG_VERSION"),
        },
        findings: scan.findings.iter().map(|f| finding(scan, f)).collect(),
        notices: scan
            .notices
            .iter()
            .map(|n| Notice {
                path: n.path.to_string_lossy(),
                message: &n.message,
            })
            .collect(),
        not_created: scan
            .not_created
            .iter()
            .map(|n| NotCreated {
                at: location(scan, n.span),
                resource: &n.address,
                reason: &n.reason,
            })
            .collect(),
        baseline: scan.baseline.as_ref().map(|b| JsonBaseline {
            file: b.file.to_string_lossy(),
            new: scan
                .findings
                .iter()
                .filter(|f| f.baseline == Some(crate::baseline::State::New))
                .count(),
            unchanged: scan.in_baseline(),
            absent: b.absent.iter().map(|a| &a.entry).collect(),
        }),
        summary: Summary {
            files: scan.stats.files,
            bytes: scan.stats.bytes,
            buckets: scan.stats.buckets,
            findings: scan.reported().count(),
            suppressed: scan.suppressed(),
            in_baseline: scan.baseline.as_ref().map(|_| scan.in_baseline()),
            by_severity: {
                let [critical, high, medium, low] = counts(&scan.findings).map(|(_, n)| n);
                BySeverity {
                    critical,
                    high,
                    medium,
                    low,
                }
            },
            not_created: scan.not_created.len(),
            incomplete: scan.incomplete(),
        },
    };
    super::write_pretty(&report, out)
}
