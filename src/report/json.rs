//! The JSON report: a stable, documented schema (version 1, see the README).

use super::{counts, locate};
use crate::Scan;
use crate::rules;
use crate::source::{Position, Span};
use serde_json::{Value, json};

fn position(p: Position, offset: u32) -> Value {
    json!({
        "line": p.line,
        "column": p.column,
        "utf16_column": p.utf16_column,
        "offset": offset,
    })
}

fn location(scan: &Scan, span: Span) -> Value {
    let at = locate(scan, span);
    json!({
        "path": at.path,
        "start": position(at.start, span.start),
        "end": position(at.end, span.end),
    })
}

pub fn render(scan: &Scan) -> String {
    let findings: Vec<Value> = scan
        .findings
        .iter()
        .map(|f| {
            let doc = rules::find(f.code).map(|e| &e.doc);
            let mut v = location(scan, f.span);
            let o = v.as_object_mut().expect("location is an object");
            o.insert("code".into(), json!(f.code));
            o.insert("name".into(), json!(doc.map(|d| d.name.as_str())));
            o.insert("severity".into(), json!(f.severity));
            o.insert("message".into(), json!(f.message));
            o.insert("resource".into(), json!(f.resource));
            o.insert("instances".into(), json!(f.instances));
            o.insert("help".into(), json!(f.help));
            o.insert("help_uri".into(), json!(doc.map(rules::RuleDoc::help_uri)));
            o.insert(
                "related".into(),
                Value::Array(
                    f.related
                        .iter()
                        .map(|r| {
                            let mut l = location(scan, r.span);
                            l.as_object_mut()
                                .expect("location is an object")
                                .insert("message".into(), json!(r.message));
                            l
                        })
                        .collect(),
                ),
            );
            v
        })
        .collect();
    let by_severity: serde_json::Map<String, Value> = counts(&scan.findings)
        .into_iter()
        .map(|(s, n)| (s.as_str().to_string(), json!(n)))
        .collect();
    let doc = json!({
        "version": 1,
        "tool": { "name": "bucketlint", "version": env!("CARGO_PKG_VERSION") },
        "findings": findings,
        "notices": scan.notices.iter().map(|n| json!({
            "path": n.path.to_string_lossy(),
            "message": n.message,
        })).collect::<Vec<_>>(),
        "summary": {
            "files": scan.stats.files,
            "bytes": scan.stats.bytes,
            "buckets": scan.stats.buckets,
            "findings": scan.findings.len(),
            "by_severity": by_severity,
            "incomplete": scan.incomplete(),
        },
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}
