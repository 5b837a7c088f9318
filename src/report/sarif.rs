//! SARIF 2.1.0 for GitHub code scanning and other viewers.
//!
//! The subset we emit is written as plain serde structs (field names and nesting are
//! checked against the official schema by the test suite). Columns are UTF-16 code
//! units, stated in `columnKind`. `partialFingerprints` are left to the uploader,
//! which computes them from the file contents.

use super::locate;
use crate::Scan;
use crate::baseline;
use crate::finding::{Finding, Severity};
use crate::rules::{self, ExampleFormat, ExampleKind, RuleDoc};
use crate::source::Span;
use serde::Serialize;
use serde_json::{Map, Value, json};
use std::fmt::Write;

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool,
    invocations: Vec<Invocation>,
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<Value>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    tool_execution_notifications: Vec<Value>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    /// `pass` for a baseline entry that no longer fails; absent means `fail`.
    #[serde(skip_serializing_if = "Option::is_none")]
    kind: Option<&'static str>,
    level: &'static str,
    message: Message,
    locations: Vec<Location<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<RelatedLocation<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<SarifSuppression<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline_state: Option<&'static str>,
    /// The finding's fix, when fixes were computed (`--fix`, or a SARIF report).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<SarifFix<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<Properties<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix<'a> {
    description: MessageRef<'a>,
    artifact_changes: Vec<ArtifactChange>,
    properties: FixProperties,
}

#[derive(Serialize)]
struct FixProperties {
    /// `safe` or `unsafe` (applied by `--fix`, or only with `--unsafe-fixes`).
    applicability: crate::finding::Applicability,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange {
    artifact_location: ArtifactLocation,
    replacements: Vec<Replacement>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement {
    /// Where start and end are equal, an insertion point.
    deleted_region: Region,
    inserted_content: InsertedContent,
}

#[derive(Serialize)]
struct InsertedContent {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifSuppression<'a> {
    kind: &'static str,
    justification: std::borrow::Cow<'a, str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<Location<'a>>,
}

#[derive(Serialize)]
struct Message {
    text: String,
}

// Results are typed structs, not `serde_json::Value`s: a report of tens of
// thousands of results would otherwise hold a map per field in memory.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    physical_location: Physical,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    logical_locations: Vec<LogicalLocation<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation<'a> {
    fully_qualified_name: &'a str,
    kind: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RelatedLocation<'a> {
    id: usize,
    physical_location: Physical,
    message: MessageRef<'a>,
}

#[derive(Serialize)]
struct MessageRef<'a> {
    text: &'a str,
}

#[derive(Serialize)]
struct Properties<'a> {
    severity: Severity,
    #[serde(rename = "security-severity")]
    security_severity: &'static str,
    /// The rule's compliance controls (`fsbp:S3.8`), so a result can be filtered
    /// by framework without the rule metadata.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tags: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    compliance: Option<&'a std::collections::BTreeMap<String, Vec<String>>>,
}

/// `framework:control` tags of a rule.
fn control_tags(doc: &RuleDoc) -> Vec<String> {
    doc.compliance
        .iter()
        .flat_map(|(framework, controls)| controls.iter().map(move |c| format!("{framework}:{c}")))
        .collect()
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Physical {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
    end_line: u32,
    end_column: u32,
}

fn physical(scan: &Scan, span: Span) -> Physical {
    let at = locate(scan, span);
    Physical {
        artifact_location: artifact(at.path),
        region: Some(Region {
            start_line: at.start.line,
            start_column: at.start.utf16_column,
            end_line: at.end.line,
            end_column: at.end.utf16_column,
        }),
    }
}

/// A fix as SARIF `artifactChanges`: one per file, its replacements in order.
fn sarif_fix<'a>(scan: &Scan, fix: &'a crate::finding::Fix) -> SarifFix<'a> {
    let mut changes: Vec<ArtifactChange> = Vec::new();
    let mut files: Vec<crate::source::FileId> = Vec::new();
    for e in &fix.edits {
        let Physical {
            artifact_location,
            region,
        } = physical(scan, e.span);
        let replacement = Replacement {
            deleted_region: region.expect("physical locations have a region"),
            inserted_content: InsertedContent {
                text: e.text.clone(),
            },
        };
        if let Some(i) = files.iter().position(|f| *f == e.span.file) {
            changes[i].replacements.push(replacement);
        } else {
            files.push(e.span.file);
            changes.push(ArtifactChange {
                artifact_location,
                replacements: vec![replacement],
            });
        }
    }
    SarifFix {
        description: MessageRef { text: &fix.title },
        artifact_changes: changes,
        properties: FixProperties {
            applicability: fix.applicability,
        },
    }
}

/// Paths below the working directory are relative to the checkout root; others
/// (scanned by absolute path from elsewhere) are absolute file URIs.
fn artifact(path: &str) -> ArtifactLocation {
    if path.starts_with('/') {
        ArtifactLocation {
            uri: format!("file://{}", super::percent_encode_path(path)),
            uri_base_id: None,
        }
    } else {
        ArtifactLocation {
            uri: super::percent_encode_path(path),
            uri_base_id: Some("%SRCROOT%"),
        }
    }
}

fn rule_descriptor(doc: &RuleDoc) -> Value {
    let mut tags = vec!["security".to_string(), "s3".to_string()];
    tags.extend(control_tags(doc));
    let mut properties = Map::new();
    properties.insert(
        "security-severity".into(),
        json!(doc.max_severity.unwrap_or(doc.severity).security_severity()),
    );
    properties.insert("tags".into(), json!(tags));
    properties.insert("precision".into(), json!("high"));
    properties.insert(
        "default".into(),
        json!(if doc.is_default() { "on" } else { "opt-in" }),
    );
    if !doc.compliance.is_empty() {
        properties.insert("compliance".into(), json!(doc.compliance));
    }
    json!({
        "id": doc.code,
        "name": doc.name,
        "shortDescription": { "text": doc.summary },
        "fullDescription": { "text": doc.explanation.trim() },
        "help": { "text": help_text(doc), "markdown": help_markdown(doc) },
        "helpUri": doc.help_uri(),
        "defaultConfiguration": { "level": doc.severity.sarif_level(), "enabled": doc.is_default() },
        "properties": properties,
    })
}

fn help_text(doc: &RuleDoc) -> String {
    format!(
        "{}\n\nRemediation: {}",
        doc.explanation.trim(),
        doc.remediation.trim()
    )
}

fn help_markdown(doc: &RuleDoc) -> String {
    let mut md = format!(
        "**{} {}** ({})\n\n{}\n\n### Remediation\n\n{}\n",
        doc.code,
        doc.name,
        doc.severity,
        doc.explanation.trim(),
        doc.remediation.trim()
    );
    if !doc.compliance.is_empty() {
        md.push_str("\n### Compliance\n\n");
        for (framework, controls) in &doc.compliance {
            let _ = writeln!(md, "- {}: {}", framework, controls.join(", "));
        }
    }
    // One bad example per format, so both Terraform and CloudFormation users see theirs.
    for format in [
        ExampleFormat::Terraform,
        ExampleFormat::CloudFormationYaml,
        ExampleFormat::CloudFormationJson,
    ] {
        let Some(ex) = doc
            .examples()
            .iter()
            .find(|e| e.kind == ExampleKind::Bad && e.format == format)
        else {
            continue;
        };
        let lang = match format {
            ExampleFormat::Terraform => "hcl",
            ExampleFormat::CloudFormationYaml => "yaml",
            ExampleFormat::TerraformJson | ExampleFormat::CloudFormationJson => "json",
        };
        let _ = write!(
            md,
            "\n### Example: {}\n\n```{lang}\n{}\n```\n",
            ex.title,
            ex.source.trim_end()
        );
    }
    md
}

fn result<'a>(scan: &'a Scan, f: &'a Finding, index: usize) -> SarifResult<'a> {
    let doc = rules::find(f.code).map(|e| &e.doc);
    // Every module instance the finding holds for, so code scanning can tell which
    // deployments are affected.
    let logical_locations = f
        .resource
        .iter()
        .chain(&f.instances)
        .map(|name| LogicalLocation {
            fully_qualified_name: name,
            kind: "resource",
        })
        .collect();
    let mut text = f.message.clone();
    if let Some(help) = &f.help {
        let _ = write!(text, ". Fix: {help}.");
    }
    SarifResult {
        rule_id: f.code,
        rule_index: index,
        level: f.severity.sarif_level(),
        message: Message { text },
        locations: vec![Location {
            physical_location: physical(scan, f.span),
            logical_locations,
        }],
        related_locations: f
            .related
            .iter()
            .enumerate()
            .map(|(i, r)| RelatedLocation {
                id: i + 1,
                physical_location: physical(scan, r.span),
                message: MessageRef { text: &r.message },
            })
            .collect(),
        suppressions: f
            .suppressed
            .iter()
            .map(|s| SarifSuppression {
                kind: "inSource",
                justification: s.justification.as_str().into(),
                location: Some(Location {
                    physical_location: physical(scan, s.span),
                    logical_locations: Vec::new(),
                }),
            })
            .chain(
                (f.baseline == Some(baseline::State::Unchanged)).then(|| SarifSuppression {
                    kind: "external",
                    justification: in_baseline(scan).into(),
                    location: None,
                }),
            )
            .collect(),
        baseline_state: f.baseline.map(baseline::State::as_str),
        fixes: f.fix.iter().map(|x| sarif_fix(scan, x)).collect(),
        kind: None,
        properties: Some(Properties {
            severity: f.severity,
            security_severity: f.severity.security_severity(),
            tags: doc.map(control_tags).unwrap_or_default(),
            compliance: doc.map(|d| &d.compliance).filter(|c| !c.is_empty()),
        }),
    }
}

fn in_baseline(scan: &Scan) -> String {
    scan.baseline
        .as_ref()
        .map_or_else(String::new, |b| match &b.since {
            Some(rev) => format!("found at {rev} too (--new-since)"),
            None => format!("recorded in the baseline {}", b.file.display()),
        })
}

/// The index of a rule in the run's `rules` (the catalog order).
fn rule_index(code: &str) -> usize {
    rules::catalog()
        .iter()
        .position(|e| e.doc.code == code)
        .unwrap_or(0)
}

/// A baseline entry no finding matches any more: the rule now passes there.
fn absent<'a>(scan: &'a Scan, a: &'a baseline::Absent) -> SarifResult<'a> {
    let e = &a.entry;
    SarifResult {
        rule_id: &e.code,
        rule_index: rule_index(&e.code),
        kind: Some("pass"),
        fixes: Vec::new(),
        level: "none",
        message: Message {
            text: format!("{} ({})", super::stale_message(e), in_baseline(scan)),
        },
        locations: vec![Location {
            physical_location: Physical {
                artifact_location: artifact(&a.shown),
                region: None,
            },
            logical_locations: (!e.resource.is_empty())
                .then(|| LogicalLocation {
                    fully_qualified_name: &e.resource,
                    kind: "resource",
                })
                .into_iter()
                .collect(),
        }],
        related_locations: Vec::new(),
        suppressions: Vec::new(),
        baseline_state: Some("absent"),
        properties: None,
    }
}

/// GitHub code scanning rejects a run with more results than this.
pub const MAX_RESULTS: usize = 25_000;

/// The findings a run can carry: all of them, or the `MAX_RESULTS` most severe
/// (in report order within a severity), and how many were left out.
fn kept(findings: &[Finding]) -> (Vec<&Finding>, usize) {
    let mut kept: Vec<&Finding> = findings.iter().collect();
    if kept.len() <= MAX_RESULTS {
        return (kept, 0);
    }
    kept.sort_by_key(|f| std::cmp::Reverse(f.severity));
    let dropped = kept.len() - MAX_RESULTS;
    kept.truncate(MAX_RESULTS);
    // Back to report order, for stable output.
    let order: std::collections::HashMap<*const Finding, usize> = findings
        .iter()
        .enumerate()
        .map(|(i, f)| (std::ptr::from_ref(f), i))
        .collect();
    kept.sort_by_key(|f| order[&std::ptr::from_ref(*f)]);
    (kept, dropped)
}

/// Writes the log as it is serialized: a large log is never held whole.
pub fn write(scan: &Scan, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let catalog = rules::catalog();
    let (kept, dropped) = kept(&scan.findings);
    let results = kept
        .into_iter()
        .map(|f| result(scan, f, rule_index(f.code)))
        .chain(
            scan.baseline
                .iter()
                .flat_map(|b| &b.absent)
                .map(|a| absent(scan, a)),
        )
        .collect();
    let notifications = scan
        .findings
        .iter()
        .filter(|f| f.code == rules::parse_error::CODE)
        .map(|f| {
            json!({
                "level": "error",
                "message": { "text": f.message },
                "locations": [Location {
                    physical_location: physical(scan, f.span),
                    logical_locations: Vec::new(),
                }],
                "descriptor": { "id": f.code },
            })
        })
        .chain((dropped > 0).then(|| {
            json!({
                "level": "warning",
                "message": { "text": format!(
                    "{dropped} less severe results are left out: GitHub code scanning accepts at most {MAX_RESULTS} results per run; the JSON report has them all"
                ) },
            })
        }))
        .chain(scan.notices.iter().map(|n| {
            json!({
                "level": "warning",
                "message": { "text": format!("{}: {}", n.path.display(), n.message) },
            })
        }))
        .collect();
    let log = Log {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "bucketlint",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: env!("CARGO_PKG_REPOSITORY"),
                    rules: catalog.iter().map(|e| rule_descriptor(&e.doc)).collect(),
                },
            },
            invocations: vec![Invocation {
                execution_successful: true,
                tool_execution_notifications: notifications,
            }],
            column_kind: "utf16CodeUnits",
            results,
        }],
    };
    super::write_pretty(&log, out)
}

#[cfg(test)]
mod tests {
    use super::MAX_RESULTS;
    use crate::Scan;
    use crate::finding::{Finding, Severity};
    use crate::source::{Sources, Span};

    #[test]
    fn a_run_keeps_the_most_severe_results_within_githubs_limit() {
        let mut scan = Scan {
            sources: Sources::new(),
            ..Scan::default()
        };
        let file = scan
            .sources
            .add("main.tf".into(), "main.tf".into(), "x".into());
        let span = Span::new(file, 0..1);
        for i in 0..MAX_RESULTS + 10 {
            let severity = if i % 1000 == 0 {
                Severity::High
            } else {
                Severity::Low
            };
            scan.findings.push(Finding::new(
                "BL201",
                severity,
                span,
                format!("finding {i}"),
            ));
        }
        let sarif: serde_json::Value = serde_json::from_str(&crate::report::render(
            crate::report::Format::Sarif,
            &scan,
            crate::report::RenderOptions::default(),
        ))
        .unwrap();
        let run = &sarif["runs"][0];
        let results = run["results"].as_array().unwrap();
        assert_eq!(results.len(), MAX_RESULTS);
        // Every high finding survived, in report order.
        let high: Vec<&str> = results
            .iter()
            .filter(|r| r["level"] == "error")
            .map(|r| r["message"]["text"].as_str().unwrap())
            .collect();
        assert_eq!(high.len(), 26);
        assert!(high[0].starts_with("finding 0") && high[1].starts_with("finding 1000"));
        let note = &run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"];
        assert!(
            note.as_str()
                .unwrap()
                .starts_with("10 less severe results are left out")
        );
    }

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(
            crate::report::percent_encode_path("a b/ü.tf"),
            "a%20b/%C3%BC.tf"
        );
        assert_eq!(
            crate::report::percent_encode_path("mod-1/main.tf"),
            "mod-1/main.tf"
        );
    }
}
