//! Terraform source text (`.tf` native syntax, `.tf.json` JSON syntax) into the
//! [`ast`](super::ast) the evaluator works on.

use super::ast::{
    Attribute, BinaryOp, Block, Body, Expr, ExprKind, ForExpr, ForPart, IfPart, ObjectKey, Op,
    Part, UnaryOp, object_body,
};
use crate::json;
use crate::model::value::{Node, NodeKind, Text};
use crate::source::{FileId, Span, char_range};
use hcl_edit::Span as _;
use hcl_edit::expr::{Expression, TraversalOperator};
use hcl_edit::structure::{BlockLabel, Structure};
use hcl_edit::template::{Directive, Element, Template};

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
    let body = match hcl_edit::parser::parse_body(text) {
        Ok(body) => body,
        Err(e) => {
            // Retry with for-expression newlines blanked (an hcl-edit bug, see
            // `for_newlines`); offsets are unchanged, so spans stay exact.
            let retry = super::for_newlines::blank_for_newlines(text)
                .and_then(|t| hcl_edit::parser::parse_body(&t).ok());
            if let Some(body) = retry {
                body
            } else {
                let at = char_range(text, e.location().offset());
                let mut message = e.message().to_string();
                if message.contains("nesting") {
                    // Terraform itself accepts deeper nesting: say whose limit it is.
                    message.push_str(
                        " (a limit of the HCL parser bucketlint uses, hcl-edit; Terraform accepts deeper nesting)",
                    );
                }
                return Err(SyntaxError {
                    message,
                    span: Span::new(file, at.start + base..at.end + base),
                });
            }
        }
    };
    let conv = Converter { file, text, base };
    Ok(conv.body(&body, Span::new(file, base..base + text.len())))
}

/// Converts hcl-edit nodes parsed from `text`, which starts at byte `base` of the
/// file (0 for a whole file; the content of a JSON string for `.tf.json`).
struct Converter<'a> {
    file: FileId,
    text: &'a str,
    base: usize,
}

impl Converter<'_> {
    fn span(&self, range: Option<std::ops::Range<usize>>, fallback: Span) -> Span {
        range.map_or(fallback, |r| {
            Span::new(self.file, r.start + self.base..r.end + self.base)
        })
    }

    fn body(&self, body: &hcl_edit::structure::Body, span: Span) -> Body {
        // Sized exactly: every module's tree is held until its roots are evaluated.
        let n_attrs = body.iter().filter(|s| s.is_attribute()).count();
        let mut attrs = Vec::with_capacity(n_attrs);
        let mut blocks = Vec::with_capacity(body.len() - n_attrs);
        for structure in body {
            match structure {
                Structure::Attribute(a) => {
                    let key_span = self.span(a.key.span(), span);
                    attrs.push(Attribute {
                        key: a.key.as_str().to_string(),
                        key_span,
                        value: self.expr(&a.value, key_span),
                    });
                }
                Structure::Block(b) => blocks.push(self.block(b, span)),
            }
        }
        Body {
            attrs,
            blocks,
            span,
            json: false,
        }
    }

    fn block(&self, b: &hcl_edit::structure::Block, parent: Span) -> Block {
        let span = self.span(b.span(), parent);
        let ident_span = self.span(b.ident.span(), span);
        let labels: Vec<String> = b
            .labels
            .iter()
            .map(|l| match l {
                BlockLabel::Ident(i) => i.as_str().to_string(),
                BlockLabel::String(s) => s.value().clone(),
            })
            .collect();
        let header_end = b
            .labels
            .last()
            .and_then(hcl_edit::Span::span)
            .map_or(ident_span.end, |r| (r.end + self.base) as u32);
        let header = Span {
            end: header_end,
            ..ident_span
        };
        let body_span = self.span(b.body.span(), span);
        Block {
            ident: b.ident.as_str().to_string(),
            labels,
            body: self.body(&b.body, body_span),
            header,
            span,
        }
    }

    /// The source text of a file range.
    fn source(&self, range: std::ops::Range<usize>) -> Option<&str> {
        self.text
            .get(range.start.checked_sub(self.base)?..range.end.checked_sub(self.base)?)
    }

    /// A literal string whose value is `value` and whose source bytes are `range`
    /// (file offsets).
    fn literal(&self, value: &str, range: std::ops::Range<usize>) -> Text {
        literal_text(
            value,
            self.source(range.clone()).unwrap_or(""),
            Span::new(self.file, range),
        )
    }

    fn expr(&self, e: &Expression, parent: Span) -> Expr {
        let span = self.span(e.span(), parent);
        let kind = match e {
            Expression::Null(_) => ExprKind::Null,
            Expression::Bool(b) => ExprKind::Bool(*b.value()),
            Expression::Number(n) => ExprKind::Number(n.value().as_f64().unwrap_or(f64::NAN)),
            Expression::String(s) => {
                let r = span.range();
                let inner = if self.source(r.clone()).is_some_and(|t| t.starts_with('"')) {
                    r.start + 1..r.end.saturating_sub(1).max(r.start + 1)
                } else {
                    r
                };
                ExprKind::Str(self.literal(s.value(), inner))
            }
            Expression::Array(a) => ExprKind::Array(a.iter().map(|x| self.expr(x, span)).collect()),
            Expression::Object(o) => ExprKind::Object(
                o.iter()
                    .map(|(k, v)| {
                        let key = match k {
                            hcl_edit::expr::ObjectKey::Ident(i) => {
                                ObjectKey::Ident(i.as_str().to_string(), self.span(i.span(), span))
                            }
                            hcl_edit::expr::ObjectKey::Expression(x) => {
                                ObjectKey::Expr(self.expr(x, span))
                            }
                        };
                        (key, self.expr(v.expr(), span))
                    })
                    .collect(),
            ),
            Expression::StringTemplate(t) => ExprKind::Template(self.template(t, span)),
            Expression::HeredocTemplate(h) => ExprKind::Template(self.template(&h.template, span)),
            Expression::Parenthesis(p) => return self.expr(p.inner(), span),
            Expression::Variable(v) => ExprKind::Var(v.as_str().to_string()),
            Expression::Conditional(c) => ExprKind::Conditional(
                Box::new(self.expr(&c.cond_expr, span)),
                Box::new(self.expr(&c.true_expr, span)),
                Box::new(self.expr(&c.false_expr, span)),
            ),
            Expression::FuncCall(f) => {
                let mut name = String::new();
                for ns in &f.name.namespace {
                    name.push_str(ns.as_str());
                    name.push_str("::");
                }
                name.push_str(f.name.name.as_str());
                ExprKind::Call {
                    name,
                    args: f.args.iter().map(|a| self.expr(a, span)).collect(),
                    expand_final: f.args.expand_final(),
                }
            }
            Expression::Traversal(t) => ExprKind::Traversal(
                Box::new(self.expr(&t.expr, span)),
                t.operators
                    .iter()
                    .map(|op| match op.value() {
                        TraversalOperator::AttrSplat(_) => Op::AttrSplat,
                        TraversalOperator::FullSplat(_) => Op::FullSplat,
                        TraversalOperator::GetAttr(i) => Op::Attr(i.as_str().to_string()),
                        TraversalOperator::Index(x) => Op::Index(Box::new(self.expr(x, span))),
                        TraversalOperator::LegacyIndex(i) => Op::LegacyIndex(*i.value()),
                    })
                    .collect(),
            ),
            Expression::UnaryOp(u) => ExprKind::Unary(
                match u.operator.value() {
                    hcl_edit::expr::UnaryOperator::Neg => UnaryOp::Neg,
                    hcl_edit::expr::UnaryOperator::Not => UnaryOp::Not,
                },
                Box::new(self.expr(&u.expr, span)),
            ),
            Expression::BinaryOp(b) => {
                use hcl_edit::expr::BinaryOperator as B;
                let op = match b.operator.value() {
                    B::Eq => BinaryOp::Eq,
                    B::NotEq => BinaryOp::NotEq,
                    B::LessEq => BinaryOp::LessEq,
                    B::GreaterEq => BinaryOp::GreaterEq,
                    B::Less => BinaryOp::Less,
                    B::Greater => BinaryOp::Greater,
                    B::Plus => BinaryOp::Add,
                    B::Minus => BinaryOp::Sub,
                    B::Mul => BinaryOp::Mul,
                    B::Div => BinaryOp::Div,
                    B::Mod => BinaryOp::Mod,
                    B::And => BinaryOp::And,
                    B::Or => BinaryOp::Or,
                };
                ExprKind::Binary(
                    op,
                    Box::new(self.expr(&b.lhs_expr, span)),
                    Box::new(self.expr(&b.rhs_expr, span)),
                )
            }
            Expression::ForExpr(f) => ExprKind::For(Box::new(ForExpr {
                key_var: f.intro.key_var.as_ref().map(|k| k.as_str().to_string()),
                value_var: f.intro.value_var.as_str().to_string(),
                collection: self.expr(&f.intro.collection_expr, span),
                key: f.key_expr.as_ref().map(|k| self.expr(k, span)),
                value: self.expr(&f.value_expr, span),
                cond: f.cond.as_ref().map(|c| self.expr(&c.expr, span)),
                grouping: f.grouping,
            })),
        };
        Expr { kind, span }
    }

    fn template(&self, t: &Template, parent: Span) -> Vec<Part> {
        t.iter()
            .map(|el| match el {
                Element::Literal(l) => {
                    let span = self.span(l.span(), parent);
                    Part::Lit(self.literal(l.value(), span.range()))
                }
                Element::Interpolation(i) => Part::Interp(self.expr(&i.expr, parent)),
                Element::Directive(d) => match d.as_ref() {
                    Directive::If(d) => Part::If(Box::new(IfPart {
                        cond: self.expr(&d.if_expr.cond_expr, parent),
                        then: self.template(&d.if_expr.template, parent),
                        otherwise: d
                            .else_expr
                            .as_ref()
                            .map(|e| self.template(&e.template, parent))
                            .unwrap_or_default(),
                    })),
                    Directive::For(d) => Part::For(Box::new(ForPart {
                        key_var: d.for_expr.key_var.as_ref().map(|k| k.as_str().to_string()),
                        value_var: d.for_expr.value_var.as_str().to_string(),
                        collection: self.expr(&d.for_expr.collection_expr, parent),
                        body: self.template(&d.for_expr.template, parent),
                    })),
                },
            })
            .collect()
    }
}

/// The parts of a template read from `text` (a file that is not a scanned source,
/// for `templatefile()`); `file` labels its spans.
pub fn template_parts(template: &Template, file: FileId, text: &str) -> Vec<Part> {
    let conv = Converter {
        file,
        text,
        base: 0,
    };
    conv.template(template, Span::new(file, 0..text.len()))
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
                    key: key.name.clone(),
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
            ident: ident.to_string(),
            labels: prefix.iter().map(|(l, _)| l.clone()).collect(),
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
                        ObjectKey::Ident(k.name.clone(), k.span.unwrap_or(span)),
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
    match hcl_edit::parser::parse_template(raw) {
        Ok(template) => {
            let conv = Converter {
                file: span.file,
                text: raw,
                base: span.start as usize + 1,
            };
            let content = Span {
                start: span.start + 1,
                ..span
            };
            ExprKind::Template(conv.template(&template, content))
        }
        // Not a valid template: Terraform would reject it; treat as a plain string.
        Err(_) => ExprKind::Str(t.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn deep_nesting_is_rejected_not_overflowed() {
        let src = format!("a = {}1{}\n", "[".repeat(100_000), "]".repeat(100_000));
        let err = parse_file(FileId(0), &src, false).unwrap_err();
        assert!(err.message.contains("nesting"), "{}", err.message);
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
