//! Inline suppressions: `# bucketlint:ignore BL110[,BL120] [exp:YYYY-MM-DD] reason`
//! comments (`#`, `//`, `/* */`) and CloudFormation resource metadata
//! (`Metadata: { bucketlint: { ignore: [{ code, reason }] } }`).
//!
//! A comment after code covers its own line; a comment on a line of its own covers
//! the next line of code, or the whole block when that line starts a resource,
//! data, module block or template resource (and, for a module block, everything
//! the module creates).

use crate::finding::{Finding, Suppressed};
use crate::rules;
use crate::source::{FileId, SourceFile, Sources, Span};
use std::collections::HashMap;

const MARKER: &str = "bucketlint:ignore";

/// What an unparsable expiry date becomes: expired, so a typo never silences
/// a finding forever.
pub const UNREADABLE_DATE: (i32, u32, u32) = (0, 1, 1);

/// A block a suppression above its header covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Block {
    pub header: Span,
    pub span: Span,
    /// A Terraform `module` block: findings in the module's instances (whose call
    /// site is this header) are covered too.
    pub module_call: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Covers {
    /// Findings starting on a line (1-based) of a file.
    Line {
        file: FileId,
        line: u32,
    },
    Block(Block),
    /// Findings on a resource of a deployment (CloudFormation metadata).
    Resource {
        scope: String,
        address: String,
    },
}

/// A rule named by a suppression, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub written: String,
    /// The rule's code, when the name is one.
    pub code: Option<&'static str>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// Where the suppression is written.
    pub span: Span,
    pub entries: Vec<Entry>,
    pub reason: String,
    /// `exp:YYYY-MM-DD`, as a date triple.
    pub expires: Option<(i32, u32, u32)>,
    pub covers: Covers,
}

pub fn entry(written: &str) -> Entry {
    Entry {
        written: written.to_string(),
        code: rules::code_of(written),
    }
}

/// A date `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Option<(i32, u32, u32)> {
    let mut parts = s.splitn(3, '-');
    let y = parts.next()?.parse().ok()?;
    let m = parts.next()?.parse().ok()?;
    let d = parts.next()?.parse().ok()?;
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (1..=days).contains(&d).then_some((y, m, d))
}

/// `YYYY-MM-DD`.
fn date((y, m, d): (i32, u32, u32)) -> String {
    format!("{y:04}-{m:02}-{d:02}")
}

/// Today's date (UTC), from the system clock.
pub fn today() -> (i32, u32, u32) {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400);
    civil_from_days(i64::try_from(days).unwrap_or(0))
}

/// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's algorithm).
pub fn civil_from_days(z: i64) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (
        i32::try_from(y).unwrap_or(i32::MAX),
        u32::try_from(m).unwrap_or(1),
        u32::try_from(d).unwrap_or(1),
    )
}

/// The suppression comments of a file. `blocks` are the blocks of the scan.
pub fn comments(file: &SourceFile, blocks: &[Block]) -> Vec<Directive> {
    // Most files have none: one search of the text, not one per line.
    if !file.text.contains(MARKER) {
        return Vec::new();
    }
    let id = file.id;
    let line_no = |i: usize| u32::try_from(i + 1).unwrap_or(u32::MAX);
    let mut out = Vec::new();
    for i in 0..file.lines().line_count() {
        let Some((start, line)) = file.line(i) else {
            continue;
        };
        let Some(at) = line.find(MARKER) else {
            continue;
        };
        let before = &line[..at];
        let Some(opener) = ["/*", "//", "#"]
            .iter()
            .filter_map(|o| before.rfind(o))
            .max()
        else {
            continue;
        };
        let (entries, expires, reason) = parse_body(&line[at + MARKER.len()..]);
        let span = Span::new(id, start + opener..start + line.len());
        // After code: its own line. On a line of its own: the next line of code, or
        // the block that line opens.
        let next = if before[..opener].trim().is_empty() {
            (i + 1..file.lines().line_count())
                .filter_map(|k| Some((k, file.line(k)?)))
                .find(|(_, (_, l))| !is_comment_or_blank(l))
        } else {
            None
        };
        let covers = match next {
            None => Covers::Line {
                file: id,
                line: line_no(i),
            },
            Some((k, (next_start, next_line))) => blocks
                .iter()
                .find(|b| {
                    let h = b.header.start as usize;
                    b.header.file == id
                        && h >= next_start
                        && h < next_start + next_line.len().max(1)
                })
                .map_or(
                    Covers::Line {
                        file: id,
                        line: line_no(k),
                    },
                    |b| Covers::Block(*b),
                ),
        };
        out.push(Directive {
            span,
            entries,
            reason,
            expires,
            covers,
        });
    }
    out
}

/// `BL110,public-bucket-policy exp:2027-01-31 reason...`
fn parse_body(body: &str) -> (Vec<Entry>, Option<(i32, u32, u32)>, String) {
    let body = body.trim().trim_end_matches("*/").trim();
    let mut entries = Vec::new();
    let mut expires = None;
    let mut reason = Vec::new();
    // Codes until a token that does not end with a comma (`BL110, BL120 why`).
    let mut codes = true;
    for token in body.split_whitespace() {
        if let Some(date) = token.strip_prefix("exp:") {
            expires = parse_date(date).or(Some(UNREADABLE_DATE));
        } else if codes {
            entries.extend(token.split(',').filter(|p| !p.is_empty()).map(entry));
            codes = token.ends_with(',');
        } else {
            reason.push(token);
        }
    }
    (entries, expires, reason.join(" "))
}

fn is_comment_or_blank(line: &str) -> bool {
    let t = line.trim_start();
    t.is_empty()
        || t.starts_with('#')
        || t.starts_with("//")
        || t.starts_with("/*")
        || t.starts_with('*')
}

impl Directive {
    fn covers(&self, f: &Finding, sources: &Sources) -> bool {
        match &self.covers {
            Covers::Line { file, line } => {
                f.span.file == *file
                    && sources.get(*file).lines().line_of(f.span.start as usize) + 1
                        == *line as usize
            }
            Covers::Block(b) => {
                (f.span.file == b.span.file
                    && b.span.start <= f.span.start
                    && f.span.end <= b.span.end)
                    || (b.module_call && f.related.iter().any(|r| r.span == b.header))
            }
            Covers::Resource { scope, address } => {
                f.scope.as_deref() == Some(scope.as_str()) && f.resource.as_deref() == Some(address)
            }
        }
    }
}

/// The findings a directive may cover, found without scanning them all: a scan
/// with many suppressions and many findings stays linear.
struct Index {
    lines: HashMap<(FileId, usize, &'static str), Vec<usize>>,
    /// By file and code, sorted by start offset.
    files: HashMap<(FileId, &'static str), Vec<(u32, usize)>>,
    resources: HashMap<(String, String, &'static str), Vec<usize>>,
    codes: HashMap<&'static str, Vec<usize>>,
}

impl Index {
    fn new(findings: &[Finding], sources: &Sources) -> Index {
        let mut index = Index {
            lines: HashMap::new(),
            files: HashMap::new(),
            resources: HashMap::new(),
            codes: HashMap::new(),
        };
        for (i, f) in findings.iter().enumerate() {
            let line = sources
                .get(f.span.file)
                .lines()
                .line_of(f.span.start as usize)
                + 1;
            index
                .lines
                .entry((f.span.file, line, f.code))
                .or_default()
                .push(i);
            index
                .files
                .entry((f.span.file, f.code))
                .or_default()
                .push((f.span.start, i));
            if let (Some(scope), Some(resource)) = (&f.scope, &f.resource) {
                index
                    .resources
                    .entry((scope.clone(), resource.clone(), f.code))
                    .or_default()
                    .push(i);
            }
            index.codes.entry(f.code).or_default().push(i);
        }
        for v in index.files.values_mut() {
            v.sort_unstable();
        }
        index
    }

    /// Indexes of the findings of `code` that `d` may cover (a superset).
    fn candidates(&self, d: &Directive, code: &str) -> Vec<usize> {
        let all = |v: Option<&Vec<usize>>| v.cloned().unwrap_or_default();
        match &d.covers {
            Covers::Line { file, line } => all(self.lines.get(&(*file, *line as usize, code))),
            // A module call covers findings located in the module: any file.
            Covers::Block(b) if b.module_call => all(self.codes.get(code)),
            Covers::Block(b) => {
                let Some(v) = self.files.get(&(b.span.file, code)) else {
                    return Vec::new();
                };
                let from = v.partition_point(|&(s, _)| s < b.span.start);
                let to = v.partition_point(|&(s, _)| s <= b.span.end);
                v[from..to.max(from)].iter().map(|&(_, i)| i).collect()
            }
            Covers::Resource { scope, address } => {
                all(self.resources.get(&(scope.clone(), address.clone(), code)))
            }
        }
    }
}

/// Marks the findings the directives cover as suppressed, and returns the BL002
/// findings: suppressions that named no rule, covered nothing, or expired. A
/// suppression is judged unused only when `judged(code, file)`: its rule ran and
/// nothing in its file was left unknown.
pub fn apply(
    findings: &mut [Finding],
    directives: &[Directive],
    sources: &Sources,
    today: (i32, u32, u32),
    judged: &dyn Fn(&str, FileId) -> bool,
) -> Vec<Finding> {
    let mut unused = Vec::new();
    let index = Index::new(findings, sources);
    for d in directives {
        if let Some(exp) = d.expires
            && exp < today
        {
            let message = if exp == UNREADABLE_DATE {
                "this suppression's expiry date is not a date (write `exp:YYYY-MM-DD`), so it is treated as expired and the findings it covered are reported".to_string()
            } else {
                format!(
                    "this suppression expired on {}: the findings it covered are reported again",
                    date(exp)
                )
            };
            unused.push(rules::unused_suppression::finding(d.span, &message));
            continue;
        }
        if d.entries.is_empty() {
            unused.push(rules::unused_suppression::finding(
                d.span,
                "this suppression names no rule, so it has no effect: write `bucketlint:ignore BL110 reason`",
            ));
            continue;
        }
        for e in &d.entries {
            let Some(code) = e.code else {
                unused.push(rules::unused_suppression::finding(
                    d.span,
                    &format!(
                        "`{}` names no rule, so this suppression has no effect",
                        e.written
                    ),
                ));
                continue;
            };
            let mut used = false;
            for i in index.candidates(d, code) {
                let f = &mut findings[i];
                if f.suppressed.is_none() && d.covers(f, sources) {
                    f.suppressed = Some(Suppressed {
                        justification: d.reason.clone(),
                        expires: d.expires.map(date),
                        span: d.span,
                    });
                    used = true;
                }
            }
            if !used && judged(code, d.span.file) {
                unused.push(rules::unused_suppression::finding(
                    d.span,
                    &format!(
                        "this suppression of {code} matches no finding: the issue is fixed or the code is wrong; remove it"
                    ),
                ));
            }
        }
    }
    unused
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_779), (2026, 11, 22));
        assert_eq!(parse_date("2027-01-31"), Some((2027, 1, 31)));
        assert_eq!(parse_date("2027-13-01"), None);
        // Days that do not exist are not dates (so the suppression counts as expired).
        assert_eq!(parse_date("2027-02-30"), None);
        assert_eq!(parse_date("2027-02-29"), None);
        assert_eq!(parse_date("2028-02-29"), Some((2028, 2, 29)));
        assert_eq!(parse_date("2100-02-29"), None);
        assert_eq!(parse_date("2027-04-31"), None);
        assert!(today() > (2025, 1, 1));
    }

    #[test]
    fn comment_forms() {
        let text = "a = 1 # bucketlint:ignore BL110,BL120 exp:2030-01-01 reviewed by sec\n// bucketlint:ignore public-acl, BL201 legacy\nb = 2\n/* bucketlint:ignore BL130 */\n";
        let d = comments(
            &SourceFile::new(FileId(0), "t.tf".into(), "t.tf".into(), text.into()),
            &[],
        );
        assert_eq!(d.len(), 3);
        assert_eq!(
            d[0].covers,
            Covers::Line {
                file: FileId(0),
                line: 1
            }
        );
        assert_eq!(
            d[0].entries
                .iter()
                .map(|e| e.code.unwrap())
                .collect::<Vec<_>>(),
            ["BL110", "BL120"]
        );
        assert_eq!(d[0].expires, Some((2030, 1, 1)));
        assert_eq!(d[0].reason, "reviewed by sec");
        assert_eq!(
            d[1].covers,
            Covers::Line {
                file: FileId(0),
                line: 3
            }
        );
        assert_eq!(
            d[1].entries
                .iter()
                .map(|e| e.code.unwrap())
                .collect::<Vec<_>>(),
            ["BL110", "BL201"]
        );
        assert_eq!(d[1].reason, "legacy");
        assert_eq!(d[2].entries[0].code, Some("BL130"));
        assert_eq!(d[2].reason, "");
    }
}
