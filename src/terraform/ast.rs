//! The Terraform syntax tree the evaluator works on: one shape for native HCL and for
//! the JSON syntax, every node with its byte span.

use crate::model::value::Text;
use crate::source::Span;
use std::borrow::Cow;

/// A name in the tree (block type, label, attribute, variable): held inline up to
/// 24 bytes, so the many short names of a tree need no allocation each.
pub type Name = compact_str::CompactString;

#[derive(Debug, Clone, PartialEq)]
pub struct Body {
    pub attrs: Vec<Attribute>,
    pub blocks: Vec<Block>,
    pub span: Span,
    /// From a `.tf.json` file: nested blocks are written as objects, so an object
    /// attribute may be a block (see [`Body::blocks`]).
    pub json: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub ident: Name,
    pub labels: Vec<Name>,
    pub body: Body,
    /// From the block type to the last label: where "this resource" findings point.
    pub header: Span,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    pub key: Name,
    pub key_span: Span,
    pub value: Expr,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    Neg,
    Not,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    Eq,
    NotEq,
    LessEq,
    GreaterEq,
    Less,
    Greater,
    Mul,
    Div,
    Mod,
    Add,
    Sub,
    And,
    Or,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    Null,
    Bool(bool),
    Number(f64),
    /// A string with no interpolation.
    Str(Text),
    Template(Vec<Part>),
    Array(Vec<Expr>),
    Object(Vec<(ObjectKey, Expr)>),
    /// A root name: `var`, `local`, `aws_s3_bucket`, a `for` variable...
    Var(Name),
    Traversal(Box<Expr>, Vec<Op>),
    /// Boxed slices: an expression is as large as its largest kind.
    Call {
        name: Box<str>,
        args: Box<[Expr]>,
        expand_final: bool,
    },
    Conditional(Box<Expr>, Box<Expr>, Box<Expr>),
    Unary(UnaryOp, Box<Expr>),
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    For(Box<ForExpr>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum ObjectKey {
    /// A bare identifier key (`a = 1`), always a literal string.
    Ident(Name, Span),
    Expr(Expr),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    Attr(Name),
    /// Boxed: most operators are attributes, and an `Op` is a quarter the size.
    Index(Box<Expr>),
    LegacyIndex(u64),
    AttrSplat,
    FullSplat,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ForExpr {
    pub key_var: Option<Name>,
    pub value_var: Name,
    pub collection: Expr,
    pub key: Option<Expr>,
    pub value: Expr,
    pub cond: Option<Expr>,
    pub grouping: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    Lit(Text),
    Interp(Expr),
    /// Boxed, as `For`: directives are rare, and a part is about half the size.
    If(Box<IfPart>),
    For(Box<ForPart>),
}

/// `%{ if cond }then%{ else }otherwise%{ endif }`.
#[derive(Debug, Clone, PartialEq)]
pub struct IfPart {
    pub cond: Expr,
    pub then: Vec<Part>,
    pub otherwise: Vec<Part>,
}

/// `%{ for key_var, value_var in collection }body%{ endfor }`.
#[derive(Debug, Clone, PartialEq)]
pub struct ForPart {
    pub key_var: Option<Name>,
    pub value_var: Name,
    pub collection: Expr,
    pub body: Vec<Part>,
}

impl Expr {
    /// How a reference is written (`var.bucket`, `data.aws_s3_bucket.b`,
    /// `local.names["logs"]`), without spans: two resources that write their bucket
    /// the same way configure the same bucket. A final `.id`, `.bucket` or `.arn`
    /// is dropped, since each names the same bucket. `None` for other expressions.
    pub fn reference_shape(&self) -> Option<String> {
        let mut out = String::new();
        write_reference(self, &mut out)?;
        for attr in [".id", ".bucket", ".arn"] {
            if let Some(rest) = out.strip_suffix(attr) {
                out.truncate(rest.len());
                break;
            }
        }
        Some(out)
    }
}

impl Expr {
    /// Calls `f` on this expression and every expression inside it.
    pub fn visit(&self, f: &mut dyn FnMut(&Expr)) {
        f(self);
        let parts = |ps: &[Part], f: &mut dyn FnMut(&Expr)| {
            for p in ps {
                p.visit(f);
            }
        };
        match &self.kind {
            ExprKind::Template(ps) => parts(ps, f),
            ExprKind::Array(items) => items.iter().for_each(|i| i.visit(f)),
            ExprKind::Call { args, .. } => args.iter().for_each(|i| i.visit(f)),
            ExprKind::Object(entries) => {
                for (k, v) in entries {
                    if let ObjectKey::Expr(k) = k {
                        k.visit(f);
                    }
                    v.visit(f);
                }
            }
            ExprKind::Traversal(root, ops) => {
                root.visit(f);
                for op in ops {
                    if let Op::Index(i) = op {
                        i.visit(f);
                    }
                }
            }
            ExprKind::Conditional(a, b, c) => {
                a.visit(f);
                b.visit(f);
                c.visit(f);
            }
            ExprKind::Unary(_, a) => a.visit(f),
            ExprKind::Binary(_, a, b) => {
                a.visit(f);
                b.visit(f);
            }
            ExprKind::For(x) => {
                x.collection.visit(f);
                x.value.visit(f);
                for e in [&x.key, &x.cond].into_iter().flatten() {
                    e.visit(f);
                }
            }
            ExprKind::Null
            | ExprKind::Bool(_)
            | ExprKind::Number(_)
            | ExprKind::Str(_)
            | ExprKind::Var(_) => {}
        }
    }

    /// The `root.name` pairs this expression refers to (`aws_s3_bucket.b`,
    /// `local.x`, `var.y`).
    pub fn references(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        self.visit(&mut |e| {
            if let ExprKind::Traversal(root, ops) = &e.kind
                && let ExprKind::Var(root) = &root.kind
                && let Some(Op::Attr(name)) = ops.first()
            {
                out.push((root.to_string(), name.to_string()));
            }
        });
        out
    }
}

impl Part {
    fn visit(&self, f: &mut dyn FnMut(&Expr)) {
        match self {
            Part::Lit(_) => {}
            Part::Interp(e) => e.visit(f),
            Part::If(x) => {
                x.cond.visit(f);
                for p in x.then.iter().chain(&x.otherwise) {
                    p.visit(f);
                }
            }
            Part::For(x) => {
                x.collection.visit(f);
                for p in &x.body {
                    p.visit(f);
                }
            }
        }
    }
}

fn write_reference(e: &Expr, out: &mut String) -> Option<()> {
    match &e.kind {
        ExprKind::Var(name) => out.push_str(name),
        ExprKind::Str(t) => {
            out.push('"');
            out.push_str(t.as_lit()?);
            out.push('"');
        }
        ExprKind::Number(n) => out.push_str(&n.to_string()),
        ExprKind::Traversal(root, ops) => {
            write_reference(root, out)?;
            for op in ops {
                match op {
                    Op::Attr(a) => {
                        out.push('.');
                        out.push_str(a);
                    }
                    Op::Index(i) => {
                        out.push('[');
                        write_reference(i, out)?;
                        out.push(']');
                    }
                    Op::LegacyIndex(i) => {
                        out.push('[');
                        out.push_str(&i.to_string());
                        out.push(']');
                    }
                    Op::AttrSplat | Op::FullSplat => return None,
                }
            }
        }
        _ => return None,
    }
    Some(())
}

impl Body {
    pub fn attr(&self, key: &str) -> Option<&Attribute> {
        self.attrs.iter().rev().find(|a| a.key == key)
    }

    /// The nested blocks of type `ident`. In JSON syntax a block is an object (or an
    /// array of objects) under its type name; it is converted on demand.
    pub fn blocks<'a>(&'a self, ident: &'a str) -> impl Iterator<Item = Cow<'a, Block>> + 'a {
        let native = self
            .blocks
            .iter()
            .filter(move |b| b.ident == ident)
            .map(Cow::Borrowed);
        let json = self
            .json
            .then(|| self.attrs.iter().filter(move |a| a.key == ident))
            .into_iter()
            .flatten()
            .flat_map(move |a| json_blocks(ident, a).into_iter().map(Cow::Owned));
        native.chain(json)
    }

    /// The first nested block of type `ident`.
    pub fn block<'a>(&'a self, ident: &'a str) -> Option<Cow<'a, Block>> {
        self.blocks(ident).next()
    }
}

/// A JSON-syntax attribute read as nested block(s): `{...}` is one block, `[{...}]`
/// several.
fn json_blocks(ident: &str, attr: &Attribute) -> Vec<Block> {
    let one = |e: &Expr| -> Option<Block> {
        let ExprKind::Object(entries) = &e.kind else {
            return None;
        };
        Some(Block {
            ident: ident.into(),
            labels: Vec::new(),
            body: object_body(entries, e.span),
            header: attr.key_span,
            span: e.span,
        })
    };
    match &attr.value.kind {
        ExprKind::Array(items) => items.iter().filter_map(one).collect(),
        _ => one(&attr.value).into_iter().collect(),
    }
}

/// The body of a JSON object: every property is an attribute (blocks are recovered
/// lazily by [`Body::blocks`]).
pub fn object_body(entries: &[(ObjectKey, Expr)], span: Span) -> Body {
    let attrs = entries
        .iter()
        .filter_map(|(k, v)| {
            let (key, key_span) = match k {
                ObjectKey::Ident(name, span) => (name.clone(), *span),
                ObjectKey::Expr(e) => match &e.kind {
                    ExprKind::Str(t) => (Name::from(t.as_lit()?), e.span),
                    _ => return None,
                },
            };
            // "//" keys are comments in Terraform's JSON syntax.
            (key != "//").then(|| Attribute {
                key,
                key_span,
                value: v.clone(),
            })
        })
        .collect();
    Body {
        attrs,
        blocks: Vec::new(),
        span,
        json: true,
    }
}
