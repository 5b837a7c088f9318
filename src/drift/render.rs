//! Drift reports: text for the terminal, JSON (`version` 1), Markdown for a job
//! summary, SARIF 2.1.0 for code scanning. Declared locations are in the code's
//! files, deployed ones in the state.

use super::{Drift, JsonBroken, JsonChange, JsonDrift, JsonLone, REMEDIATION};
use crate::report::markdown::{cell, code};
use crate::source::{Sources, Span};
use serde_json::json;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The sources of the two sides.
pub struct Sides<'a> {
    pub code: &'a Sources,
    pub state: &'a Sources,
}

fn at(sources: &Sources, span: Span) -> String {
    let l = sources.location(span);
    format!("{}:{}:{}", crate::report::escape(&l.path), l.line, l.column)
}

fn controls(c: &BTreeMap<String, Vec<String>>) -> String {
    c.iter()
        .map(|(framework, ids)| format!("{framework} {}", ids.join(", ")))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The buckets with drift, in address order.
fn drifted(d: &Drift) -> Vec<&str> {
    let mut v: Vec<&str> = d
        .changes
        .iter()
        .map(|c| c.address.as_str())
        .chain(d.broken.iter().map(|b| b.address.as_str()))
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

fn summary(d: &Drift) -> String {
    format!(
        "{} setting{} drifted, {} rule{} broken by the deployed values, {} bucket{} deployed but no longer declared, {} declared but not deployed ({} matched, {} setting{} not comparable)",
        d.changes.len(),
        plural(d.changes.len()),
        d.broken.len(),
        plural(d.broken.len()),
        d.undeclared.len(),
        plural(d.undeclared.len()),
        d.undeployed.len(),
        d.matched,
        d.undetermined,
        plural(d.undetermined),
    )
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

pub fn text(d: &Drift, s: &Sides<'_>) -> String {
    let esc = |t: &str| crate::report::escape(t).into_owned();
    let mut out = String::new();
    for address in drifted(d) {
        let _ = writeln!(out, "drift: {}", esc(address));
        for c in d.changes.iter().filter(|c| c.address == address) {
            let _ = writeln!(
                out,
                "  {}: declared `{}` ({}), deployed `{}` ({})",
                c.setting,
                esc(&c.declared),
                at(s.code, c.declared_at),
                esc(&c.deployed),
                at(s.state, c.deployed_at),
            );
        }
        for b in d.broken.iter().filter(|b| b.address == address) {
            let _ = writeln!(
                out,
                "  breaks {} [{}]: {} ({})",
                b.code,
                b.severity.as_str(),
                esc(&b.message),
                at(s.state, b.deployed_at),
            );
            if !b.controls.is_empty() {
                let _ = writeln!(out, "    controls: {}", controls(&b.controls));
            }
        }
        let _ = writeln!(out, "  = remediation: {REMEDIATION}");
    }
    // A bucket on one side only: `ADDRESS (NAME) (LOCATION)`.
    let lone = |l: &super::Lone, sources: &Sources| {
        let name = l.name.as_deref().map(|n| format!(" ({})", esc(n)));
        format!(
            "{}{} ({})",
            esc(&l.address),
            name.unwrap_or_default(),
            at(sources, l.at)
        )
    };
    for l in &d.undeclared {
        let _ = writeln!(
            out,
            "deployed, no longer declared: {}: remove it from the state (`terraform state rm`) only if it is managed elsewhere; else declare it again",
            lone(l, s.state)
        );
    }
    for l in &d.undeployed {
        let _ = writeln!(
            out,
            "declared, not deployed: {}: `terraform apply` creates it",
            lone(l, s.code)
        );
    }
    let _ = writeln!(out, "\n{}", summary(d));
    out
}

pub fn json(d: &Drift, s: &Sides<'_>) -> String {
    let doc = JsonDrift {
        version: "1",
        matched: d.matched,
        undetermined: d.undetermined,
        changes: d
            .changes
            .iter()
            .map(|c| JsonChange {
                resource: &c.address,
                deployed_resource: &c.deployed_address,
                setting: c.setting,
                declared: &c.declared,
                declared_at: s.code.location(c.declared_at),
                deployed: &c.deployed,
                deployed_at: s.state.location(c.deployed_at),
            })
            .collect(),
        broken: d
            .broken
            .iter()
            .map(|b| JsonBroken {
                resource: &b.address,
                code: b.code,
                severity: b.severity.as_str(),
                message: &b.message,
                deployed_at: s.state.location(b.deployed_at),
                controls: &b.controls,
            })
            .collect(),
        undeclared: d
            .undeclared
            .iter()
            .map(|l| JsonLone {
                resource: &l.address,
                name: l.name.as_deref(),
                at: s.state.location(l.at),
            })
            .collect(),
        undeployed: d
            .undeployed
            .iter()
            .map(|l| JsonLone {
                resource: &l.address,
                name: l.name.as_deref(),
                at: s.code.location(l.at),
            })
            .collect(),
        remediation: REMEDIATION,
    };
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

pub fn markdown(d: &Drift, s: &Sides<'_>) -> String {
    let mut out = String::from("## bucketlint drift\n\n");
    if !d.any() {
        let _ = writeln!(
            out,
            "**No drift**: {} bucket{} deployed as declared.",
            d.matched,
            plural(d.matched)
        );
        return out;
    }
    let _ = writeln!(out, "{}.\n", summary(d));
    for address in drifted(d) {
        let _ = writeln!(out, "### {}\n", code(address));
        let changes: Vec<_> = d.changes.iter().filter(|c| c.address == address).collect();
        if !changes.is_empty() {
            out.push_str("| Setting | Declared | Deployed |\n|---|---|---|\n");
            for c in changes {
                let _ = writeln!(
                    out,
                    "| {} | {} ({}) | {} ({}) |",
                    c.setting,
                    code(&c.declared),
                    code(&at(s.code, c.declared_at)),
                    code(&c.deployed),
                    code(&at(s.state, c.deployed_at)),
                );
            }
            out.push('\n');
        }
        for b in d.broken.iter().filter(|b| b.address == address) {
            let _ = writeln!(
                out,
                "- **{}** ({}): {}{}",
                b.code,
                b.severity.as_str(),
                cell(&b.message),
                if b.controls.is_empty() {
                    String::new()
                } else {
                    format!(" Controls: {}.", cell(&controls(&b.controls)))
                }
            );
        }
        let _ = writeln!(out, "\n**Remediation**: {REMEDIATION}.\n");
    }
    if !d.undeclared.is_empty() {
        out.push_str("### Deployed, no longer declared\n\n");
        for l in &d.undeclared {
            let _ = writeln!(out, "- {} ({})", code(&l.address), code(&at(s.state, l.at)));
        }
        out.push('\n');
    }
    if !d.undeployed.is_empty() {
        out.push_str("### Declared, not deployed\n\n");
        for l in &d.undeployed {
            let _ = writeln!(out, "- {} ({})", code(&l.address), code(&at(s.code, l.at)));
        }
    }
    out
}

fn sarif_location(sources: &Sources, span: Span) -> serde_json::Value {
    let file = sources.get(span.file);
    let p = file.position(span.start as usize);
    json!({
        "physicalLocation": {
            "artifactLocation": { "uri": crate::report::percent_encode_path(&file.display) },
            "region": { "startLine": p.line, "startColumn": p.utf16_column }
        }
    })
}

pub fn sarif(d: &Drift, s: &Sides<'_>) -> String {
    let mut rules = vec![json!({
        "id": "drift",
        "name": "deployed-differs-from-declared",
        "shortDescription": { "text": "A deployed setting differs from the declared one" },
        "help": { "text": REMEDIATION },
    })];
    let mut codes: Vec<&str> = d.broken.iter().map(|b| b.code).collect();
    codes.sort_unstable();
    codes.dedup();
    for code in &codes {
        if let Some(e) = crate::rules::find(code) {
            rules.push(json!({
                "id": code,
                "name": e.doc.name,
                "shortDescription": { "text": e.doc.summary },
            }));
        }
    }
    let mut results = Vec::new();
    for c in &d.changes {
        results.push(json!({
            "ruleId": "drift",
            "ruleIndex": 0,
            "level": "warning",
            "message": { "text": format!("{} of {}: declared `{}`, deployed `{}`. Remediation: {REMEDIATION}.", c.setting, c.address, c.declared, c.deployed) },
            "locations": [sarif_location(s.code, c.declared_at)],
            "relatedLocations": [{
                "id": 1,
                "message": { "text": "the deployed value" },
                "physicalLocation": sarif_location(s.state, c.deployed_at)["physicalLocation"].clone(),
            }],
        }));
    }
    for b in &d.broken {
        let index = 1 + codes.iter().position(|c| *c == b.code).unwrap_or(0);
        results.push(json!({
            "ruleId": b.code,
            "ruleIndex": index,
            "level": b.severity.sarif_level(),
            "message": { "text": format!("deployed {}: {}", b.address, b.message) },
            "locations": [sarif_location(s.state, b.deployed_at)],
        }));
    }
    for (lones, sources, level, what) in [
        (
            &d.undeclared,
            s.state,
            "warning",
            "is deployed but no longer declared",
        ),
        (
            &d.undeployed,
            s.code,
            "note",
            "is declared but not deployed",
        ),
    ] {
        for l in lones {
            results.push(json!({
                "ruleId": "drift",
                "ruleIndex": 0,
                "level": level,
                "message": { "text": format!("{} {what}", l.address) },
                "locations": [sarif_location(sources, l.at)],
            }));
        }
    }
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "bucketlint",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/bucketlint/bucketlint",
                "rules": rules,
            }},
            "automationDetails": { "id": "bucketlint/drift/" },
            "columnKind": "utf16CodeUnits",
            "results": results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}
