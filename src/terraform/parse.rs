//! Terraform source text (`.tf` native syntax, `.tf.json` JSON syntax) into the
//! [`ast`](super::ast) the evaluator works on.

use super::ast::{Attribute, Block, Body, Expr, ExprKind, ObjectKey, object_body};
use crate::json;
use crate::model::value::{Node, NodeKind, Text};
use crate::source::{FileId, Span};

/// A syntax error at a byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub message: String,
    pub span: Span,
}

/// Parses one file. `json` selects the JSON syntax (`.tf.json`).
pub fn parse_file(file: FileId, text: &str, json: bool) -> Result<Body, SyntaxError> {
    if json {
        parse_json(file, text)
    } else {
        parse_hcl(file, text)
    }
}

fn parse_hcl(file: FileId, text: &str) -> Result<Body, SyntaxError> {
    parse_hcl_at(file, text, 0)
}

/// Parses native HCL `text` that starts at byte `base` of the file (a top-level
/// block being recovered on its own); spans are offsets into the whole file.
pub fn parse_hcl_at(file: FileId, text: &str, base: usize) -> Result<Body, SyntaxError> {
    super::hcl::body(file, text, base)
}

/// A literal string mapped back to its source bytes: byte-for-byte when the value is
/// the source, line by line when a heredoc was dedented, else by its start.
pub fn literal_text(value: &str, source: &str, span: Span) -> Text {
    if value == source {
        return Text::lit_at(value, span, true);
    }
    let value_lines: Vec<&str> = value.split_inclusive('\n').collect();
    let source_lines: Vec<&str> = source.split_inclusive('\n').collect();
    if value_lines.len() == source_lines.len()
        && value_lines
            .iter()
            .zip(&source_lines)
            .all(|(v, s)| s.ends_with(v))
    {
        let mut out = Text::default();
        let mut at = span.start as usize;
        for (v, s) in value_lines.iter().zip(&source_lines) {
            let start = at + (s.len() - v.len());
            out.push(&Text::lit_at(
                v,
                Span::new(span.file, start..start + v.len()),
                true,
            ));
            at += s.len();
        }
        return out;
    }
    Text::lit_at(value, span, false)
}

fn parse_json(file: FileId, text: &str) -> Result<Body, SyntaxError> {
    let parsed = json::parse(text, json::Origin::File(file)).map_err(|e| SyntaxError {
        message: e.message,
        span: Span::new(file, e.range),
    })?;
    let root = parsed.node;
    let root_span = Span::new(file, 0..text.len());
    let NodeKind::Map(entries) = &root.kind else {
        return Err(SyntaxError {
            message: "a Terraform JSON file must contain an object at the top level".into(),
            span: root.span.unwrap_or(root_span),
        });
    };
    let mut blocks = Vec::new();
    let mut attrs = Vec::new();
    for (key, value) in entries {
        let key_span = key.span.unwrap_or(root_span);
        let labels = match key.name.as_str() {
            "resource" | "data" => 2,
            "variable" | "module" | "output" | "provider" => 1,
            "locals" | "terraform" | "moved" | "import" | "check" => 0,
            "//" => continue,
            _ => {
                attrs.push(Attribute {
                    key: key.name.as_str().into(),
                    key_span,
                    value: json_expr(value, root_span),
                });
                continue;
            }
        };
        json_blocks(
            &key.name,
            labels,
            value,
            key_span,
            &mut Vec::new(),
            &mut blocks,
        );
    }
    Ok(Body {
        attrs,
        blocks,
        span: root_span,
        json: true,
    })
}

/// Unfolds `{"label1": {"label2": {...body...}}}` (or arrays of such objects) into
/// blocks with `labels` labels.
fn json_blocks(
    ident: &str,
    labels: usize,
    value: &Node,
    header: Span,
    prefix: &mut Vec<(String, Span)>,
    out: &mut Vec<Block>,
) {
    let span = value.span.unwrap_or(header);
    if let NodeKind::List(items) = &value.kind {
        for item in items {
            json_blocks(ident, labels, item, header, prefix, out);
        }
        return;
    }
    if prefix.len() == labels {
        let body = match json_expr(value, span) {
            Expr {
                kind: ExprKind::Object(entries),
                span,
            } => object_body(&entries, span),
            _ => return,
        };
        // The innermost label's key (`"exports": {`) stands for the block.
        let header = prefix.last().map_or(header, |(_, s)| *s);
        out.push(Block {
            ident: ident.into(),
            labels: prefix.iter().map(|(l, _)| l.as_str().into()).collect(),
            body,
            header,
            span,
        });
        return;
    }
    for (key, inner) in value.entries() {
        if key.name == "//" {
            continue;
        }
        prefix.push((key.name.clone(), key.span.unwrap_or(span)));
        json_blocks(ident, labels, inner, header, prefix, out);
        prefix.pop();
    }
}

/// A JSON value as a Terraform expression: strings are templates (`"${var.x}"`).
fn json_expr(node: &Node, parent: Span) -> Expr {
    let span = node.span.unwrap_or(parent);
    let kind = match &node.kind {
        NodeKind::Null | NodeKind::Json(_) | NodeKind::Unknown => ExprKind::Null,
        NodeKind::Bool(b) => ExprKind::Bool(*b),
        NodeKind::Number(n) => ExprKind::Number(*n),
        NodeKind::Str(t) => json_string(t, span),
        NodeKind::List(items) => {
            ExprKind::Array(items.iter().map(|i| json_expr(i, span)).collect())
        }
        NodeKind::Map(entries) => ExprKind::Object(
            entries
                .iter()
                .map(|(k, v)| {
                    (
                        ObjectKey::Ident(k.name.as_str().into(), k.span.unwrap_or(span)),
                        json_expr(v, span),
                    )
                })
                .collect(),
        ),
    };
    Expr { kind, span }
}

/// A JSON string in Terraform's JSON syntax is a template.
fn json_string(t: &Text, span: Span) -> ExprKind {
    let raw = t.raw();
    if !raw.contains("${") && !raw.contains("%{") {
        return ExprKind::Str(t.clone());
    }
    // Template offsets are relative to the string's content, which starts one byte
    // after the opening quote (exact unless escapes precede an interpolation).
    match super::hcl::template(span.file, raw, span.start as usize + 1) {
        Ok(parts) => ExprKind::Template(parts),
        // Not a valid template: Terraform would reject it; treat as a plain string.
        Err(_) => ExprKind::Str(t.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::terraform::ast::Part;

    fn hcl(src: &str) -> Body {
        parse_file(FileId(0), src, false).unwrap()
    }

    #[test]
    fn blocks_keep_header_spans() {
        let src = "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n}\n";
        let body = hcl(src);
        let b = &body.blocks[0];
        assert_eq!(b.labels, ["aws_s3_bucket", "b"]);
        assert_eq!(&src[b.header.range()], "resource \"aws_s3_bucket\" \"b\"");
        let attr = b.body.attr("bucket").unwrap();
        assert_eq!(&src[attr.value.span.range()], "\"x\"");
        let ExprKind::Str(t) = &attr.value.kind else {
            panic!()
        };
        assert_eq!(&src[t.source_span(0..1).unwrap().range()], "x");
    }

    #[test]
    fn dedented_heredoc_maps_line_by_line() {
        let src = "x = <<-EOT\n    {\n      \"a\": 1\n    }\n    EOT\n";
        let body = hcl(src);
        let ExprKind::Template(parts) = &body.attr("x").unwrap().value.kind else {
            panic!("{:?}", body.attr("x"))
        };
        let Part::Lit(t) = &parts[0] else { panic!() };
        let a = t.raw().find("\"a\"").unwrap();
        assert_eq!(&src[t.source_span(a..a + 3).unwrap().range()], "\"a\"");
    }

    #[test]
    fn syntax_errors_are_located() {
        let err = parse_file(FileId(0), "a = {\n  b = \n}\n", false).unwrap_err();
        assert!(err.span.start > 0, "{err:?}");
    }

    #[test]
    fn error_offsets_inside_a_character_are_moved_back() {
        let src = "À\"\"ⶸ";
        let err = parse_file(FileId(0), src, false).unwrap_err();
        assert!(src.is_char_boundary(err.span.start as usize), "{err:?}");
        assert!(src.is_char_boundary(err.span.end as usize), "{err:?}");
    }

    #[test]
    fn json_syntax_blocks_and_templates() {
        let src = r#"{"resource": {"aws_s3_bucket": {"b": {"bucket": "x-${var.env}", "versioning": {"enabled": true}}}}}"#;
        let body = parse_file(FileId(0), src, true).unwrap();
        let b = &body.blocks[0];
        assert_eq!(b.ident, "resource");
        assert_eq!(b.labels, ["aws_s3_bucket", "b"]);
        let v: Vec<_> = b.body.blocks("versioning").collect();
        assert_eq!(v.len(), 1);
        assert!(v[0].body.attr("enabled").is_some());
        let ExprKind::Template(parts) = &b.body.attr("bucket").unwrap().value.kind else {
            panic!()
        };
        let Part::Interp(e) = &parts[1] else { panic!() };
        assert_eq!(&src[e.span.range()], "var.env");
    }
}
