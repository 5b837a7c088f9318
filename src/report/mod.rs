//! Renderers: one diagnostic type, several formats.

pub mod concise;
pub mod github;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod sarif;
pub mod text;

use crate::Scan;
use crate::finding::{Finding, Severity};
use crate::source::{Position, Span};
use std::fmt;
use std::fmt::Write as _;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Concise,
    Json,
    Sarif,
    Github,
    Junit,
    Markdown,
}

impl Format {
    pub const ALL: [Format; 7] = [
        Format::Text,
        Format::Concise,
        Format::Json,
        Format::Sarif,
        Format::Github,
        Format::Junit,
        Format::Markdown,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Concise => "concise",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Github => "github",
            Format::Junit => "junit",
            Format::Markdown => "markdown",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Format, String> {
        Format::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                format!(
                    "unknown format {s:?} (expected one of: {})",
                    Format::ALL.map(Format::name).join(", ")
                )
            })
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    pub color: bool,
}

/// A slash-separated path as the path of a URI: unreserved bytes and `/` kept,
/// the rest percent-encoded (SARIF artifact locations, LSP `file:` URIs).
pub fn percent_encode_path(path: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b'/'
            | b'+'
            | b'@'
            | b'='
            | b',' => {
                out.push(b as char);
            }
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

pub fn render(format: Format, scan: &Scan, options: RenderOptions) -> String {
    match format {
        Format::Text => text::render(scan, options),
        Format::Concise => concise::render(scan),
        Format::Json | Format::Sarif => {
            let mut out = Vec::new();
            write(format, scan, options, &mut out).expect("writing to memory does not fail");
            String::from_utf8(out).expect("serde_json writes UTF-8")
        }
        Format::Github => github::render(scan),
        Format::Junit => junit::render(scan),
        Format::Markdown => markdown::render(scan),
    }
}

/// `value` as pretty JSON and a final newline. Buffered here, in a writer of known
/// type: the serializer's many small writes are then copies, not calls through
/// `dyn Write` (a third of a large report's time).
fn write_pretty(
    value: &impl serde::Serialize,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::BufWriter::with_capacity(64 << 10, out);
    serde_json::to_writer_pretty(&mut out, value)?;
    out.write_all(b"\n")?;
    out.flush()
}

/// Writes the report to `out`; JSON and SARIF are streamed as they are serialized.
pub fn write(
    format: Format,
    scan: &Scan,
    options: RenderOptions,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    match format {
        Format::Json => json::write(scan, out),
        Format::Sarif => sarif::write(scan, out),
        _ => out.write_all(render(format, scan, options).as_bytes()),
    }
}

/// A span resolved to a path and start/end positions.
pub struct Located<'a> {
    pub path: &'a str,
    pub start: Position,
    pub end: Position,
}

pub fn locate(scan: &Scan, span: Span) -> Located<'_> {
    let file = scan.sources.get(span.file);
    let (start, end) = file.span_positions(span);
    Located {
        path: &file.display,
        start,
        end,
    }
}

/// Notices shown by the terminal formats before the rest are tallied: a
/// repository of uninstalled registry modules yields one per call, which would
/// bury the findings. JSON and SARIF always carry them all.
pub const NOTICES_SHOWN: usize = 10;

/// Terminal lines for the notices, `line(path, message)` per shown notice
/// and one tally line for the rest.
/// Control characters (a newline in a file name or bucket name) shown as escapes, so
/// nothing a pull request writes can start a line of the log.
pub fn escape(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return s.into();
    }
    s.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect::<String>()
        .into()
}

/// The notes of a scan for the human formats, control characters escaped.
pub fn notice_lines(scan: &Scan, line: impl Fn(&str, &str) -> String) -> Vec<String> {
    let stale: Vec<(String, String)> = scan
        .baseline
        .iter()
        .filter(|b| b.since.is_none())
        .flat_map(|b| &b.absent)
        .map(|a| (a.shown.clone(), stale_message(&a.entry)))
        .collect();
    let all: Vec<(String, &str)> = scan
        .notices
        .iter()
        .map(|n| (n.path.display().to_string(), n.message.as_str()))
        .chain(stale.iter().map(|(p, m)| (p.clone(), m.as_str())))
        .collect();
    let mut lines: Vec<String> = all
        .iter()
        .take(NOTICES_SHOWN)
        .map(|(path, message)| line(&escape(path), &escape(message)))
        .collect();
    let rest = all.len().saturating_sub(NOTICES_SHOWN);
    if rest > 0 {
        lines.push(format!(
            "note: {rest} more notice{} not shown (use --format json to list all)",
            plural(rest)
        ));
    }
    lines
}

/// The reported findings, most severe first (report order within a severity).
pub fn most_severe_first(scan: &Scan) -> Vec<&Finding> {
    let mut v: Vec<&Finding> = scan.reported().collect();
    v.sort_by_key(|f| std::cmp::Reverse(f.severity));
    v
}

/// What a stale baseline entry is, for people.
pub fn stale_message(e: &crate::baseline::Entry) -> String {
    let on = if e.resource.is_empty() {
        String::new()
    } else {
        format!(" on {}", e.resource)
    };
    format!(
        "baseline entry {}{on} ({} finding{}) matches nothing any more: fixed or moved; prune it with `bucketlint baseline`",
        e.code,
        e.count,
        plural(e.count)
    )
}

/// Reported (not suppressed) findings by severity, most severe first.
pub fn counts(findings: &[Finding]) -> [(Severity, usize); 4] {
    [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
    ]
    .map(|s| {
        (
            s,
            findings
                .iter()
                .filter(|f| f.severity == s && f.counts())
                .count(),
        )
    })
}

/// "3 findings (1 critical, 2 high) in 12 files, 4 buckets, 2 suppressed, 0.05s" /
/// "no findings (...)".
pub fn summary_line(scan: &Scan) -> String {
    let n = scan.reported().count();
    let stats = &scan.stats;
    if stats.files == 0 {
        return "no Terraform or CloudFormation files found: nothing was scanned".to_string();
    }
    let mut context = format!(
        "{} file{}, {} bucket{}",
        stats.files,
        plural(stats.files),
        stats.buckets,
        plural(stats.buckets)
    );
    let suppressed = scan.suppressed();
    if suppressed > 0 {
        let _ = write!(context, ", {suppressed} suppressed");
    }
    let known = scan.in_baseline();
    if known > 0 {
        match scan.baseline.as_ref().and_then(|b| b.since.as_deref()) {
            Some(rev) => {
                let _ = write!(context, ", {known} already at {rev}");
            }
            None => {
                let _ = write!(context, ", {known} in the baseline");
            }
        }
    }
    let absent = scan.not_created.len();
    if absent > 0 {
        let _ = write!(
            context,
            ", {absent} not created by these inputs and not checked (--assume-created checks them)"
        );
    }
    if n == 0 {
        return format!("no findings ({context}, {:.2?})", stats.elapsed);
    }
    let by: Vec<String> = counts(&scan.findings)
        .into_iter()
        .filter(|(_, c)| *c > 0)
        .map(|(s, c)| format!("{c} {s}"))
        .collect();
    format!(
        "{n} finding{} ({}) in {context}, {:.2?}",
        plural(n),
        by.join(", "),
        stats.elapsed
    )
}

pub(crate) fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
