//! The access graph as Mermaid (GitHub renders it in Markdown and job summaries),
//! Graphviz DOT, and JSON (`version` 1: `nodes` with `id`, `kind`, `label`,
//! `location`; `edges` with `from`, `to`, `kind`, `actions`, `conditions`,
//! `unknown`). Labels come from the code a pull request controls: escaped for
//! each format, control characters included.

use super::{Edge, EdgeKind, Graph, NodeKind};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// At most this many actions on an edge label; the rest are counted.
const MAX_ACTIONS: usize = 3;

pub(super) fn edge_label(e: &Edge) -> String {
    let mut parts = Vec::new();
    match e.kind {
        EdgeKind::Grants => {
            let mut a = e
                .actions
                .iter()
                .take(MAX_ACTIONS)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ");
            if e.actions.len() > MAX_ACTIONS {
                let _ = write!(a, " +{}", e.actions.len() - MAX_ACTIONS);
            }
            parts.push(if a.is_empty() { "grants".into() } else { a });
        }
        EdgeKind::AttachedTo => parts.push("holds".into()),
        EdgeKind::CanAssume => parts.push("can assume".into()),
        EdgeKind::MemberOf => parts.push("member of".into()),
        EdgeKind::RunsAs => parts.push("runs as".into()),
    }
    if !e.conditions.is_empty() {
        parts.push(format!("if {}", e.conditions.join(" and ")));
    }
    if e.unknown {
        parts.push("(unknown)".into());
    }
    parts.join(" ")
}

/// Mermaid text in a quoted label: quotes and markup as entities, no line breaks.
fn mermaid_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '#' => out.push_str("#35;"),
            '`' => out.push_str("#96;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

pub fn mermaid(g: &Graph) -> String {
    let ids: BTreeMap<&str, String> = g
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.as_str(), format!("n{i}")))
        .collect();
    let mut out = String::from("flowchart LR\n");
    for n in &g.nodes {
        let label = mermaid_text(&format!("{}: {}", super::kind_name(n.kind), n.label));
        let (open, close) = match n.kind {
            NodeKind::Bucket => ("[(\"", "\")]"),
            NodeKind::Role | NodeKind::InstanceProfile => ("([\"", "\"])"),
            NodeKind::User | NodeKind::Group => ("[[\"", "\"]]"),
            NodeKind::Function | NodeKind::Task | NodeKind::Instance => ("[\\\"", "\"/]"),
            NodeKind::Policy => ("[/\"", "\"/]"),
            NodeKind::Anyone | NodeKind::Unknown => ("{{\"", "\"}}"),
            _ => ("[\"", "\"]"),
        };
        let _ = writeln!(out, "  {}{open}{label}{close}", ids[n.id.as_str()]);
    }
    for e in &g.edges {
        let arrow = if e.unknown { "-.->" } else { "-->" };
        let _ = writeln!(
            out,
            "  {} {arrow}|\"{}\"| {}",
            ids[e.from.as_str()],
            mermaid_text(&edge_label(e)),
            ids[e.to.as_str()]
        );
    }
    for (kind, class) in [
        (NodeKind::Anyone, "fill:#fdd,stroke:#c00"),
        (
            NodeKind::Unknown,
            "fill:#eee,stroke:#888,stroke-dasharray:3",
        ),
    ] {
        let members: Vec<&str> = g
            .nodes
            .iter()
            .filter(|n| n.kind == kind)
            .map(|n| ids[n.id.as_str()].as_str())
            .collect();
        if !members.is_empty() {
            let name = super::kind_name(kind);
            let _ = writeln!(out, "  classDef {name} {class}");
            let _ = writeln!(out, "  class {} {name}", members.join(","));
        }
    }
    out
}

/// A DOT quoted string.
fn dot_text(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

pub fn dot(g: &Graph) -> String {
    let mut out =
        String::from("digraph bucketlint {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n");
    for n in &g.nodes {
        let shape = match n.kind {
            NodeKind::Bucket => "cylinder",
            NodeKind::Role | NodeKind::InstanceProfile => "ellipse",
            NodeKind::User | NodeKind::Group => "box3d",
            NodeKind::Function | NodeKind::Task | NodeKind::Instance => "component",
            NodeKind::Policy => "note",
            NodeKind::Anyone => "doubleoctagon",
            NodeKind::Unknown => "diamond",
            _ => "box",
        };
        let _ = writeln!(
            out,
            "  {} [label={}, shape={shape}];",
            dot_text(&n.id),
            dot_text(&format!("{}: {}", super::kind_name(n.kind), n.label))
        );
    }
    for e in &g.edges {
        let style = if e.unknown { ", style=dashed" } else { "" };
        let _ = writeln!(
            out,
            "  {} -> {} [label={}{style}];",
            dot_text(&e.from),
            dot_text(&e.to),
            dot_text(&edge_label(e))
        );
    }
    out.push_str("}\n");
    out
}

pub fn json(g: &Graph) -> String {
    let mut text = serde_json::to_string_pretty(g).unwrap_or_default();
    text.push('\n');
    text
}
