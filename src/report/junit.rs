//! JUnit XML, for CI systems that show test reports (GitLab, Jenkins, Azure
//! Pipelines, CircleCI): a test suite per file with findings, a failing test
//! case per finding (an `error` for a file that does not parse, `skipped` for a
//! suppressed one), and a passing `bucketlint` suite so a clean scan is a green
//! report rather than an empty one.

use super::locate;
use crate::Scan;
use crate::finding::Finding;
use crate::rules;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Text for an XML attribute or element: the five entities escaped and the
/// characters XML 1.0 cannot hold at all (most C0 controls) dropped.
pub fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Attribute values normalise raw line breaks to spaces: keep them.
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

fn case(scan: &Scan, f: &Finding) -> String {
    let at = locate(scan, f.span);
    let name = rules::find(f.code).map_or("", |e| e.doc.name.as_str());
    let mut title = format!("{} {name}", f.code);
    if let Some(r) = &f.resource {
        let _ = write!(title, ": {r}");
    }
    let mut details = format!(
        "{}:{}:{}: [{}] {}",
        at.path, at.start.line, at.start.column, f.severity, f.message
    );
    if let Some(help) = &f.help {
        let _ = write!(details, "\nFix: {help}");
    }
    let body = if let Some(s) = &f.suppressed {
        format!(
            "<skipped message=\"{}\"/>",
            xml(&format!("suppressed: {}", s.justification))
        )
    } else if f.baseline == Some(crate::baseline::State::Unchanged) {
        "<skipped message=\"recorded in the baseline\"/>".to_string()
    } else {
        let tag = if f.code == rules::parse_error::CODE {
            "error"
        } else {
            "failure"
        };
        format!(
            "<{tag} type=\"{}\" message=\"{}\">{}</{tag}>",
            f.code,
            xml(&f.message),
            xml(&details)
        )
    };
    format!(
        "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" line=\"{}\">{body}</testcase>\n",
        xml(&title),
        xml(at.path),
        xml(at.path),
        at.start.line
    )
}

#[derive(Default)]
struct Tally {
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
}

impl Tally {
    fn add(&mut self, f: &Finding) {
        self.tests += 1;
        if !f.counts() {
            self.skipped += 1;
        } else if f.code == rules::parse_error::CODE {
            self.errors += 1;
        } else {
            self.failures += 1;
        }
    }

    fn attributes(&self) -> String {
        format!(
            "tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\"",
            self.tests, self.failures, self.errors, self.skipped
        )
    }
}

pub fn render(scan: &Scan) -> String {
    let mut by_file: BTreeMap<&str, (Tally, String)> = BTreeMap::new();
    let mut total = Tally::default();
    for f in &scan.findings {
        let path = scan.sources.get(f.span.file).display.as_str();
        let (tally, cases) = by_file.entry(path).or_default();
        tally.add(f);
        total.add(f);
        cases.push_str(&case(scan, f));
    }
    total.tests += 1;
    let secs = scan.stats.elapsed.as_secs_f64();
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"bucketlint\" {} time=\"{secs:.3}\">\n",
        total.attributes()
    );
    let _ = write!(
        out,
        "  <testsuite name=\"bucketlint\" tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"0\" time=\"{secs:.3}\">\n    <testcase name=\"{}\" classname=\"bucketlint\"/>\n  </testsuite>\n",
        xml(&format!(
            "scanned {} file{}, {} bucket{}",
            scan.stats.files,
            super::plural(scan.stats.files),
            scan.stats.buckets,
            super::plural(scan.stats.buckets)
        ))
    );
    for (path, (tally, cases)) in &by_file {
        let _ = write!(
            out,
            "  <testsuite name=\"{}\" {}>\n{cases}  </testsuite>\n",
            xml(path),
            tally.attributes()
        );
    }
    out.push_str("</testsuites>\n");
    out
}
