//! `data "aws_iam_policy_document"` into the JSON tree of the policy it renders, with
//! every element spanned at the HCL that wrote it.

use super::ast::Block;
use super::eval::{Ctx, Evaluator};
use super::module::Resource;
use crate::model::policy::document_tree;
use crate::model::value::{Key, Node, NodeKind, Text};
use crate::source::Span;

fn key(name: &str, span: Option<Span>) -> Key {
    Key {
        name: name.to_string(),
        span,
    }
}

/// The `json` attribute of the data source instance (`cx` holds its `count.index`
/// or `each`), as a [`NodeKind::Json`] tree.
pub fn build(ev: &Evaluator<'_>, res: &Resource, cx: &Ctx) -> Node {
    let body = res.body();
    let mut statements: Vec<Node> = Vec::new();
    let span = Some(res.block.header);

    for attr in ["source_policy_documents", "source_json"] {
        if let Some(a) = body.attr(attr) {
            let v = ev.value(&a.value, cx);
            merge_documents(&v, &mut statements, false);
        }
    }
    let blocks = ev.blocks(body, "statement", cx);
    for (block, bcx) in &blocks.items {
        let st = statement(ev, block, bcx);
        override_by_sid(&mut statements, st);
    }
    if blocks.unknown {
        // A `dynamic` statement over an unknown collection: the document is incomplete.
        statements.push(Node::unknown(Some(res.block.header)));
    }
    for attr in ["override_policy_documents", "override_json"] {
        if let Some(a) = body.attr(attr) {
            let v = ev.value(&a.value, cx);
            merge_documents(&v, &mut statements, true);
        }
    }

    let version = body.attr("version").map_or_else(
        || Node::str(Text::lit("2012-10-17"), None),
        |a| ev.value(&a.value, cx),
    );
    let mut entries = vec![(key("Version", None), version)];
    if let Some(a) = body.attr("policy_id") {
        entries.push((key("Id", Some(a.key_span)), ev.value(&a.value, cx)));
    }
    entries.push((
        key("Statement", None),
        Node::new(NodeKind::List(statements), span),
    ));
    let doc = Node::new(NodeKind::Map(entries), span);
    Node::new(NodeKind::Json(Box::new(doc)), span)
}

/// Adds the statements of each document in `v` (a list of JSON documents, or one).
fn merge_documents(v: &Node, statements: &mut Vec<Node>, by_sid: bool) {
    let docs: Vec<&Node> = match &v.kind {
        NodeKind::List(items) => items.iter().collect(),
        NodeKind::Null => Vec::new(),
        _ => vec![v],
    };
    for d in docs {
        // The provider skips empty documents: modules default their "extra policy"
        // inputs to "".
        if d.is_null() || d.as_str() == Some("") {
            continue;
        }
        let Some(tree) = document_tree(d) else {
            statements.push(Node::unknown(d.span));
            continue;
        };
        let list: Vec<Node> = match tree.get("Statement") {
            Some(Node {
                kind: NodeKind::List(items),
                ..
            }) => items.clone(),
            Some(single) => vec![single.clone()],
            None => Vec::new(),
        };
        for st in list {
            if by_sid {
                override_by_sid(statements, st);
            } else {
                statements.push(st);
            }
        }
    }
}

/// A statement with a `Sid` replaces the earlier statement with the same `Sid`.
fn override_by_sid(statements: &mut Vec<Node>, st: Node) {
    let sid = st.get("Sid").and_then(Node::as_str).map(str::to_string);
    if let Some(sid) = sid.filter(|s| !s.is_empty())
        && let Some(slot) = statements
            .iter_mut()
            .find(|s| s.get("Sid").and_then(Node::as_str) == Some(sid.as_str()))
    {
        *slot = st;
        return;
    }
    statements.push(st);
}

fn statement(ev: &Evaluator<'_>, block: &Block, cx: &Ctx) -> Node {
    let body = &block.body;
    let mut e: Vec<(Key, Node)> = Vec::new();
    let attr = |name: &str| {
        body.attr(name)
            .map(|a| (a.key_span, ev.value(&a.value, cx)))
    };

    if let Some((k, v)) = attr("sid") {
        e.push((key("Sid", Some(k)), v));
    }
    match attr("effect") {
        Some((k, v)) => e.push((key("Effect", Some(k)), v)),
        None => e.push((key("Effect", None), Node::str(Text::lit("Allow"), None))),
    }
    for (hcl, json) in [
        ("actions", "Action"),
        ("not_actions", "NotAction"),
        ("resources", "Resource"),
        ("not_resources", "NotResource"),
    ] {
        if let Some((k, v)) = attr(hcl) {
            e.push((key(json, Some(k)), v));
        }
    }
    for (hcl, json) in [
        ("principals", "Principal"),
        ("not_principals", "NotPrincipal"),
    ] {
        let expanded = ev.blocks(body, hcl, cx);
        let blocks = expanded.items;
        if blocks.is_empty() && !expanded.unknown {
            continue;
        }
        let mut by_type: Vec<(Key, Node)> = Vec::new();
        let mut span: Option<Span> = None;
        let mut star = false;
        if expanded.unknown {
            by_type.push((key("?", None), Node::unknown(Some(block.header))));
        }
        for (b, bcx) in &blocks {
            span = Some(span.map_or(b.span, |s| s.to(b.span)));
            let ty = b.body.attr("type").map(|a| ev.value(&a.value, bcx));
            let ids = b
                .body
                .attr("identifiers")
                .map_or_else(|| Node::unknown(Some(b.span)), |a| ev.value(&a.value, bcx));
            match ty.as_ref().and_then(Node::as_str) {
                // `type = "*"` renders as `"Principal": "*"`.
                Some("*") => star = true,
                Some(t) => match by_type.iter_mut().find(|(k, _)| k.name == t) {
                    Some((
                        _,
                        Node {
                            kind: NodeKind::List(items),
                            ..
                        },
                    )) => items.extend(ids.items().iter().cloned()),
                    _ => by_type.push((key(t, ty.as_ref().and_then(|n| n.span)), ids)),
                },
                None => by_type.push((key("?", None), Node::unknown(Some(b.span)))),
            }
        }
        let principal = if star && by_type.is_empty() {
            Node::str(Text::lit("*"), span)
        } else {
            if star {
                by_type.push((key("*", None), Node::str(Text::lit("*"), span)));
            }
            Node::new(NodeKind::Map(by_type), span)
        };
        e.push((key(json, blocks.first().map(|(b, _)| b.header)), principal));
    }
    let expanded = ev.blocks(body, "condition", cx);
    let conditions = expanded.items;
    if !conditions.is_empty() || expanded.unknown {
        let mut ops: Vec<(Key, Node)> = Vec::new();
        let mut span: Option<Span> = None;
        if expanded.unknown {
            ops.push((key("?", None), Node::unknown(Some(block.header))));
        }
        for (c, ccx) in &conditions {
            span = Some(span.map_or(c.span, |s| s.to(c.span)));
            let test = c.body.attr("test").map(|a| ev.value(&a.value, ccx));
            let var = c.body.attr("variable").map(|a| ev.value(&a.value, ccx));
            let values = c
                .body
                .attr("values")
                .map_or_else(|| Node::unknown(Some(c.span)), |a| ev.value(&a.value, ccx));
            let (Some(test_name), Some(var_name)) = (
                test.as_ref().and_then(Node::as_str),
                var.as_ref().and_then(Node::as_str),
            ) else {
                ops.push((key("?", Some(c.span)), Node::unknown(Some(c.span))));
                continue;
            };
            let entry = (key(var_name, var.as_ref().and_then(|n| n.span)), values);
            match ops.iter_mut().find(|(k, _)| k.name == test_name) {
                Some((
                    _,
                    Node {
                        kind: NodeKind::Map(m),
                        ..
                    },
                )) => m.push(entry),
                _ => ops.push((
                    key(test_name, test.as_ref().and_then(|n| n.span)),
                    Node::new(NodeKind::Map(vec![entry]), Some(c.span)),
                )),
            }
        }
        e.push((
            key("Condition", conditions.first().map(|(b, _)| b.header)),
            Node::new(NodeKind::Map(ops), span),
        ));
    }
    Node::new(NodeKind::Map(e), Some(block.span))
}
