//! hcl-edit's tree converted to our [`ast`](super::ast): the reference that the
//! differential tests hold our own parser ([`hcl`](super::hcl)) to, on our
//! fixtures and on the corpus.

use super::ast::{
    Attribute, BinaryOp, Block, Body, Expr, ExprKind, ForExpr, ForPart, IfPart, ObjectKey, Op,
    Part, UnaryOp,
};
use super::parse::{SyntaxError, literal_text};
use crate::model::value::Text;
use crate::source::{FileId, Span, char_range};
use hcl_edit::Span as _;
use hcl_edit::expr::{Expression, TraversalOperator};
use hcl_edit::structure::{BlockLabel, Structure};
use hcl_edit::template::{Directive, Element, Template};

/// hcl-edit's parse of `text` (at byte `base` of `file`), with the retry that works
/// around its rejection of newlines in `for` expressions.
pub fn body(file: FileId, text: &str, base: usize) -> Result<Body, SyntaxError> {
    let body = match hcl_edit::parser::parse_body(text) {
        Ok(body) => body,
        Err(e) => {
            let retry = super::for_newlines::blank_for_newlines(text)
                .and_then(|t| hcl_edit::parser::parse_body(&t).ok());
            let Some(body) = retry else {
                let at = char_range(text, e.location().offset());
                return Err(SyntaxError {
                    message: e.message().to_string(),
                    span: Span::new(file, at.start + base..at.end + base),
                });
            };
            body
        }
    };
    let conv = Converter { file, text, base };
    Ok(conv.body(&body, Span::new(file, base..base + text.len())))
}

/// The reference the differential test holds our parser to: hcl-edit's tree,
/// converted. Converts hcl-edit nodes parsed from `text`, which starts at byte `base` of the
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
                        key: a.key.as_str().into(),
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
        let labels: Vec<super::ast::Name> = b
            .labels
            .iter()
            .map(|l| match l {
                BlockLabel::Ident(i) => i.as_str().into(),
                BlockLabel::String(s) => s.value().as_str().into(),
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
            ident: b.ident.as_str().into(),
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
                                ObjectKey::Ident(i.as_str().into(), self.span(i.span(), span))
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
            Expression::Variable(v) => ExprKind::Var(v.as_str().into()),
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
                    name: name.into(),
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
                        TraversalOperator::GetAttr(i) => Op::Attr(i.as_str().into()),
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
                key_var: f.intro.key_var.as_ref().map(|k| k.as_str().into()),
                value_var: f.intro.value_var.as_str().into(),
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
                        key_var: d.for_expr.key_var.as_ref().map(|k| k.as_str().into()),
                        value_var: d.for_expr.value_var.as_str().into(),
                        collection: self.expr(&d.for_expr.collection_expr, parent),
                        body: self.template(&d.for_expr.template, parent),
                    })),
                },
            })
            .collect()
    }
}
