//! Evaluates Terraform expressions the way `terraform plan` would, without running
//! Terraform: what cannot be known statically is [`NodeKind::Unknown`] (or a [`Hole`]
//! in a string), never a guess.

use super::ast::{BinaryOp, Expr, ExprKind, ObjectKey, Op, Part, UnaryOp};
use super::functions;
use super::module::{Module, Resource};
use super::policy_document;
use crate::model::value::{BucketRef, Hole, Key, Node, NodeKind, Text, Tri, format_number};
use crate::source::Span;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;

/// Terraform would fail here (wrong type, missing attribute...). Only `try` and `can`
/// observe it; everywhere else it becomes unknown, so it never produces a finding.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalError {
    pub message: String,
    pub span: Span,
}

pub type Eval = Result<Node, EvalError>;

pub fn err(message: impl Into<String>, span: Span) -> EvalError {
    EvalError {
        message: message.into(),
        span,
    }
}

/// Evaluation steps allowed per module: bounds work on hostile input (exponential
/// locals, huge `range()` calls) so a scan always finishes.
const FUEL: u32 = 2_000_000;
/// Reference nesting allowed (local → local → ...), far beyond real configurations.
const MAX_DEPTH: u32 = 128;
/// Largest value (in nodes) a variable or local may hold, and longest string any
/// expression may build: values that double at every step (`a1 = [a0, a0]`) stop
/// here as unknown instead of exhausting memory.
const MAX_NODES: usize = 100_000;
const MAX_STRING: usize = 1 << 20;

/// Local bindings: `for` variables, `count.index`, `each.key`/`each.value`.
#[derive(Debug, Clone, Default)]
pub struct Ctx {
    vars: Vec<(String, Node)>,
    pub count_index: Option<Node>,
    pub each: Option<(Node, Node)>,
}

impl Ctx {
    fn with(&self, name: &str, value: Node) -> Ctx {
        let mut c = self.clone();
        c.vars.push((name.to_string(), value));
        c
    }

    fn get(&self, name: &str) -> Option<&Node> {
        self.vars
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }
}

pub struct Evaluator<'m> {
    pub module: &'m Module,
    /// Evaluated variables, locals and configured attributes, with their size.
    cache: RefCell<HashMap<String, (Node, usize)>>,
    active: RefCell<Vec<String>>,
    fuel: Cell<u32>,
    depth: Cell<u32>,
}

impl<'m> Evaluator<'m> {
    pub fn new(module: &'m Module) -> Evaluator<'m> {
        Evaluator {
            module,
            cache: RefCell::new(HashMap::new()),
            active: RefCell::new(Vec::new()),
            fuel: Cell::new(FUEL),
            depth: Cell::new(0),
        }
    }

    /// Evaluates `e`, turning evaluation errors into unknown.
    pub fn value(&self, e: &Expr, cx: &Ctx) -> Node {
        self.eval(e, cx)
            .unwrap_or_else(|_| Node::unknown(Some(e.span)))
    }

    pub fn eval(&self, e: &Expr, cx: &Ctx) -> Eval {
        let fuel = self.fuel.get();
        if fuel == 0 || self.depth.get() > MAX_DEPTH {
            return Ok(Node::unknown(Some(e.span)));
        }
        self.fuel.set(fuel - 1);
        self.depth.set(self.depth.get() + 1);
        let out = self.eval_inner(e, cx);
        self.depth.set(self.depth.get() - 1);
        match out {
            Ok(Node {
                kind: NodeKind::Str(t),
                span,
            }) if t.raw().len() > MAX_STRING => Ok(Node::unknown(span)),
            other => other,
        }
    }

    /// Spends `n` steps of fuel.
    fn charge(&self, n: usize) {
        self.fuel.set(
            self.fuel
                .get()
                .saturating_sub(u32::try_from(n).unwrap_or(u32::MAX)),
        );
    }

    /// The value named `key`, evaluated once by `f`. Every use costs fuel in
    /// proportion to its size, so copying a large value many times is bounded too.
    fn cached(&self, key: String, f: impl FnOnce() -> Eval) -> Eval {
        if let Some((v, size)) = self.cache.borrow().get(&key) {
            self.charge(*size);
            return Ok(v.clone());
        }
        let v = self.guarded(&key, f)?;
        let size = node_size(&v, MAX_NODES + 1);
        let v = if size > MAX_NODES {
            Node::unknown(v.span)
        } else {
            v
        };
        self.cache.borrow_mut().insert(key, (v.clone(), size));
        Ok(v)
    }

    fn eval_inner(&self, e: &Expr, cx: &Ctx) -> Eval {
        let span = Some(e.span);
        Ok(match &e.kind {
            ExprKind::Null => Node::null(span),
            ExprKind::Bool(b) => Node::new(NodeKind::Bool(*b), span),
            ExprKind::Number(n) => Node::new(NodeKind::Number(*n), span),
            ExprKind::Str(t) => Node::str(t.clone(), span),
            ExprKind::Template(parts) => self.template(parts, e.span, cx)?,
            ExprKind::Array(items) => Node::new(
                NodeKind::List(
                    items
                        .iter()
                        .map(|i| self.eval(i, cx))
                        .collect::<Result<_, _>>()?,
                ),
                span,
            ),
            ExprKind::Object(entries) => {
                let mut out: Vec<(Key, Node)> = Vec::with_capacity(entries.len());
                for (k, v) in entries {
                    let key = match k {
                        ObjectKey::Ident(name, s) => Key {
                            name: name.clone(),
                            span: Some(*s),
                        },
                        ObjectKey::Expr(x) => {
                            // `(var.x) = ...` or a bare traversal used as a key.
                            let key_node = match &x.kind {
                                ExprKind::Var(name) if cx.get(name).is_none() => {
                                    Node::str(Text::lit(name), Some(x.span))
                                }
                                _ => self.eval(x, cx)?,
                            };
                            match key_node
                                .to_text()
                                .and_then(|t| t.as_lit().map(str::to_string))
                            {
                                Some(name) => Key {
                                    name,
                                    span: Some(x.span),
                                },
                                None => return Ok(Node::unknown(span)),
                            }
                        }
                    };
                    let value = self.eval(v, cx)?;
                    out.retain(|(k, _)| k.name != key.name);
                    out.push((key, value));
                }
                Node::new(NodeKind::Map(out), span)
            }
            ExprKind::Var(name) => match cx.get(name) {
                Some(v) => v.clone(),
                None => Node::unknown(span),
            },
            ExprKind::Traversal(root, ops) => self.traversal(root, ops, e.span, cx)?,
            ExprKind::Call {
                name,
                args,
                expand_final,
            } => self.call(name, args, *expand_final, e.span, cx)?,
            ExprKind::Conditional(c, t, f) => {
                let cond = self.eval(c, cx)?;
                match cond.as_bool() {
                    Some(true) => self.eval(t, cx)?,
                    Some(false) => self.eval(f, cx)?,
                    None if cond.is_unknown() => {
                        // Both branches agreeing makes the predicate irrelevant.
                        let (a, b) = (self.eval(t, cx)?, self.eval(f, cx)?);
                        if a.same(&b) == Tri::Yes {
                            a
                        } else {
                            Node::unknown(span)
                        }
                    }
                    None => return Err(err("condition is not a bool", c.span)),
                }
            }
            ExprKind::Unary(op, x) => {
                let v = self.eval(x, cx)?;
                match (op, &v.kind) {
                    (_, NodeKind::Unknown) => Node::unknown(span),
                    (UnaryOp::Not, _) => match v.as_bool() {
                        Some(b) => Node::new(NodeKind::Bool(!b), span),
                        None => return Err(err("operand of ! is not a bool", x.span)),
                    },
                    (UnaryOp::Neg, _) => match number(&v) {
                        Some(n) => Node::new(NodeKind::Number(-n), span),
                        None => return Err(err("operand of - is not a number", x.span)),
                    },
                }
            }
            ExprKind::Binary(op, a, b) => self.binary(*op, a, b, e.span, cx)?,
            ExprKind::For(f) => {
                let coll = self.eval(&f.collection, cx)?;
                if coll.is_unknown() {
                    return Ok(Node::unknown(span));
                }
                let Some(pairs) = iteration(&coll) else {
                    return Err(err("cannot iterate over this value", f.collection.span));
                };
                let mut list = Vec::new();
                let mut map: Vec<(Key, Node)> = Vec::new();
                for (k, v) in pairs {
                    let mut inner = cx.with(&f.value_var, v);
                    if let Some(kv) = &f.key_var {
                        inner = inner.with(kv, k);
                    }
                    if let Some(c) = &f.cond {
                        match self.eval(c, &inner)?.as_bool() {
                            Some(true) => {}
                            Some(false) => continue,
                            None => return Ok(Node::unknown(span)),
                        }
                    }
                    let value = self.eval(&f.value, &inner)?;
                    match &f.key {
                        None => list.push(value),
                        Some(kx) => {
                            let key = self.eval(kx, &inner)?;
                            let Some(name) =
                                key.to_text().and_then(|t| t.as_lit().map(str::to_string))
                            else {
                                return Ok(Node::unknown(span));
                            };
                            let key = Key {
                                name,
                                span: key.span,
                            };
                            if f.grouping {
                                if let Some((_, NodeKind::List(items))) = map
                                    .iter_mut()
                                    .find(|(k, _)| k.name == key.name)
                                    .map(|(k, v)| (k, &mut v.kind))
                                {
                                    items.push(value);
                                } else {
                                    map.push((key, Node::new(NodeKind::List(vec![value]), None)));
                                }
                            } else {
                                if map.iter().any(|(k, _)| k.name == key.name) {
                                    return Err(err(
                                        format!("duplicate key {:?} in for expression", key.name),
                                        kx.span,
                                    ));
                                }
                                map.push((key, value));
                            }
                        }
                    }
                }
                if f.key.is_some() {
                    Node::new(NodeKind::Map(map), span)
                } else {
                    Node::new(NodeKind::List(list), span)
                }
            }
        })
    }

    fn template(&self, parts: &[Part], span: Span, cx: &Ctx) -> Eval {
        // "${x}" alone yields x itself, not its string form.
        if let [Part::Interp(x)] = parts {
            return self.eval(x, cx);
        }
        let mut out = Text::default();
        self.template_into(parts, cx, &mut out)?;
        Ok(Node::str(out, Some(span)))
    }

    fn template_into(&self, parts: &[Part], cx: &Ctx, out: &mut Text) -> Result<(), EvalError> {
        for part in parts {
            match part {
                Part::Lit(t) => out.push(t),
                Part::Interp(x) => {
                    let v = self.eval(x, cx)?;
                    out.push(&interpolate(&v, x.span)?);
                }
                Part::If {
                    cond,
                    then,
                    otherwise,
                } => match self.eval(cond, cx)?.as_bool() {
                    Some(true) => self.template_into(then, cx, out)?,
                    Some(false) => self.template_into(otherwise, cx, out)?,
                    None => out.push(&Text::hole_at(Hole::Unknown, cond.span)),
                },
                Part::For {
                    key_var,
                    value_var,
                    collection,
                    body,
                } => {
                    let coll = self.eval(collection, cx)?;
                    let Some(pairs) = iteration(&coll) else {
                        out.push(&Text::hole_at(Hole::Unknown, collection.span));
                        continue;
                    };
                    for (k, v) in pairs {
                        let mut inner = cx.with(value_var, v);
                        if let Some(kv) = key_var {
                            inner = inner.with(kv, k);
                        }
                        self.template_into(body, &inner, out)?;
                    }
                }
            }
        }
        Ok(())
    }

    fn binary(&self, op: BinaryOp, a: &Expr, b: &Expr, span: Span, cx: &Ctx) -> Eval {
        let l = self.eval(a, cx)?;
        // Short-circuit on a known left operand, as Terraform does for unknowns.
        match (op, l.as_bool()) {
            (BinaryOp::And, Some(false)) => {
                return Ok(Node::new(NodeKind::Bool(false), Some(span)));
            }
            (BinaryOp::Or, Some(true)) => return Ok(Node::new(NodeKind::Bool(true), Some(span))),
            _ => {}
        }
        let r = self.eval(b, cx)?;
        let s = Some(span);
        let boolean = |t: Tri| match t {
            Tri::Yes => Node::new(NodeKind::Bool(true), s),
            Tri::No => Node::new(NodeKind::Bool(false), s),
            Tri::Unknown => Node::unknown(s),
        };
        Ok(match op {
            BinaryOp::Eq => boolean(l.same(&r)),
            BinaryOp::NotEq => boolean(!l.same(&r)),
            BinaryOp::And | BinaryOp::Or => {
                let (x, y) = (tri_bool(&l, a.span)?, tri_bool(&r, b.span)?);
                boolean(if op == BinaryOp::And {
                    x.and(y)
                } else {
                    x.or(y)
                })
            }
            _ => {
                if l.is_unknown() || r.is_unknown() {
                    return Ok(Node::unknown(s));
                }
                let (Some(x), Some(y)) = (number(&l), number(&r)) else {
                    return Err(err("arithmetic on a non-number", span));
                };
                match op {
                    BinaryOp::Add => Node::new(NodeKind::Number(x + y), s),
                    BinaryOp::Sub => Node::new(NodeKind::Number(x - y), s),
                    BinaryOp::Mul => Node::new(NodeKind::Number(x * y), s),
                    BinaryOp::Div if y != 0.0 => Node::new(NodeKind::Number(x / y), s),
                    BinaryOp::Mod if y != 0.0 => Node::new(NodeKind::Number(x % y), s),
                    BinaryOp::Div | BinaryOp::Mod => return Err(err("division by zero", span)),
                    BinaryOp::Less => boolean(Tri::from_bool(x < y)),
                    BinaryOp::LessEq => boolean(Tri::from_bool(x <= y)),
                    BinaryOp::Greater => boolean(Tri::from_bool(x > y)),
                    BinaryOp::GreaterEq => boolean(Tri::from_bool(x >= y)),
                    BinaryOp::Eq | BinaryOp::NotEq | BinaryOp::And | BinaryOp::Or => unreachable!(),
                }
            }
        })
    }

    fn call(&self, name: &str, args: &[Expr], expand_final: bool, span: Span, cx: &Ctx) -> Eval {
        match name {
            // Lazy: errors in earlier arguments are caught.
            "try" => {
                for a in args {
                    if let Ok(v) = self.eval(a, cx) {
                        return Ok(v);
                    }
                }
                Err(err("no argument of try() succeeded", span))
            }
            "can" => {
                let [a] = args else {
                    return Err(err("can() takes one argument", span));
                };
                Ok(match self.eval(a, cx) {
                    Ok(v) if v.is_unknown() => Node::unknown(Some(span)),
                    Ok(_) => Node::new(NodeKind::Bool(true), Some(span)),
                    Err(_) => Node::new(NodeKind::Bool(false), Some(span)),
                })
            }
            _ => {
                let mut values: Vec<Node> = args
                    .iter()
                    .map(|a| self.eval(a, cx))
                    .collect::<Result<_, _>>()?;
                if expand_final {
                    match values.pop() {
                        Some(Node {
                            kind: NodeKind::List(items),
                            ..
                        }) => values.extend(items),
                        Some(_) => return Ok(Node::unknown(Some(span))),
                        None => {}
                    }
                }
                functions::call(name, values, span)
            }
        }
    }

    fn traversal(&self, root: &Expr, ops: &[Op], span: Span, cx: &Ctx) -> Eval {
        let root_name = match &root.kind {
            ExprKind::Var(name) if cx.get(name).is_none() => Some(name.as_str()),
            _ => None,
        };
        let Some(root_name) = root_name else {
            let base = self.eval(root, cx)?;
            return self.apply_ops(base, ops, cx);
        };
        let attr = |i: usize| match ops.get(i) {
            Some(Op::Attr(a)) => Some(a.as_str()),
            _ => None,
        };
        let unknown = || Ok(Node::unknown(Some(span)));
        match root_name {
            "var" => {
                let Some(name) = attr(0) else {
                    return unknown();
                };
                let v = self.variable(name, span)?;
                self.apply_ops(v, &ops[1..], cx)
            }
            "local" => {
                let Some(name) = attr(0) else {
                    return unknown();
                };
                let v = self.local(name, span)?;
                self.apply_ops(v, &ops[1..], cx)
            }
            "count" => match (attr(0), &cx.count_index) {
                (Some("index"), Some(i)) => self.apply_ops(i.clone(), &ops[1..], cx),
                _ => unknown(),
            },
            "each" => match (attr(0), &cx.each) {
                (Some("key"), Some((k, _))) => self.apply_ops(k.clone(), &ops[1..], cx),
                (Some("value"), Some((_, v))) => self.apply_ops(v.clone(), &ops[1..], cx),
                _ => unknown(),
            },
            "path" => Ok(Node::str(Text::lit("."), Some(span))),
            "data" => {
                let (Some(ty), Some(name)) = (attr(0), attr(1)) else {
                    return unknown();
                };
                let Some(res) = self.module.data_source(ty, name) else {
                    return unknown();
                };
                let rest = skip_instance_key(&ops[2..]);
                let Some(Op::Attr(a)) = rest.first() else {
                    return unknown();
                };
                let v = self.data_attr(res, a, span)?;
                self.apply_ops(v, &rest[1..], cx)
            }
            // Module outputs, `self`, `terraform.workspace`: not known here.
            "module" | "self" | "terraform" => unknown(),
            ty => {
                let Some(name) = attr(0) else {
                    return unknown();
                };
                let Some(res) = self.module.resource(ty, name) else {
                    return unknown();
                };
                let rest = &ops[1..];
                if matches!(rest.first(), Some(Op::AttrSplat | Op::FullSplat)) {
                    return unknown();
                }
                let rest = skip_instance_key(rest);
                let Some(Op::Attr(a)) = rest.first() else {
                    return unknown();
                };
                let v = self.resource_attr(res, a, span)?;
                self.apply_ops(v, &rest[1..], cx)
            }
        }
    }

    fn apply_ops(&self, mut v: Node, ops: &[Op], cx: &Ctx) -> Eval {
        for (i, op) in ops.iter().enumerate() {
            if v.is_unknown() {
                return Ok(v);
            }
            v = match op {
                Op::Attr(name) => match &v.kind {
                    NodeKind::Map(_) => match v.get(name) {
                        Some(x) => x.clone(),
                        None => {
                            return Err(err(
                                format!("no attribute {name:?}"),
                                v.span.unwrap_or_default(),
                            ));
                        }
                    },
                    _ => {
                        return Err(err(
                            format!("cannot read attribute {name:?} of this value"),
                            v.span.unwrap_or_default(),
                        ));
                    }
                },
                Op::Index(x) => {
                    let key = self.eval(x, cx)?;
                    index(&v, &key, x.span)?
                }
                Op::LegacyIndex(n) => index(
                    &v,
                    &Node::new(NodeKind::Number(*n as f64), None),
                    v.span.unwrap_or_default(),
                )?,
                Op::AttrSplat | Op::FullSplat => {
                    let items = match &v.kind {
                        NodeKind::List(items) => items.clone(),
                        NodeKind::Null => Vec::new(),
                        _ => vec![v.clone()],
                    };
                    let rest = &ops[i + 1..];
                    let mapped = items
                        .into_iter()
                        .map(|item| self.apply_ops(item, rest, cx))
                        .collect::<Result<Vec<_>, _>>()?;
                    return Ok(Node::new(NodeKind::List(mapped), v.span));
                }
            };
        }
        Ok(v)
    }

    /// A variable's value: its default for now (tfvars and `-var` come with full
    /// evaluation); no default means unknown.
    fn variable(&self, name: &str, span: Span) -> Eval {
        let Some(var) = self.module.variables.get(name) else {
            return Err(err(format!("undeclared variable {name:?}"), span));
        };
        match var.default() {
            Some(d) => self.cached(format!("var.{name}"), || self.eval(d, &Ctx::default())),
            None => Ok(Node::unknown(Some(var.block.header))),
        }
    }

    fn local(&self, name: &str, span: Span) -> Eval {
        let Some(expr) = self.module.locals.get(name) else {
            return Err(err(format!("undeclared local {name:?}"), span));
        };
        self.cached(format!("local.{name}"), || self.eval(expr, &Ctx::default()))
    }

    /// Runs `f` unless `key` is already being evaluated (a reference cycle, which
    /// Terraform rejects): then the value is unknown.
    fn guarded(&self, key: &str, f: impl FnOnce() -> Eval) -> Eval {
        if self.active.borrow().iter().any(|k| k == key) {
            return Ok(Node::unknown(None));
        }
        self.active.borrow_mut().push(key.to_string());
        let out = f();
        self.active.borrow_mut().pop();
        out
    }

    /// The model's identity for a bucket resource of this module.
    pub fn bucket_ref(&self, res: &Resource) -> BucketRef {
        BucketRef::new(&self.module.scope, &res.address(false))
    }

    fn resource_attr(&self, res: &Resource, attr: &str, span: Span) -> Eval {
        if res.ty == "aws_s3_bucket" {
            let name = Text::hole_at(Hole::BucketName(self.bucket_ref(res)), span);
            let s = Some(span);
            match attr {
                "id" | "bucket" => return Ok(Node::str(name, s)),
                "arn" => return Ok(Node::str(bucket_arn(&name), s)),
                "bucket_domain_name" => {
                    let mut t = name;
                    t.push_str(".s3.amazonaws.com");
                    return Ok(Node::str(t, s));
                }
                "bucket_regional_domain_name" => {
                    let mut t = name;
                    t.push_str(".s3.");
                    t.push(&Text::hole(Hole::Region));
                    t.push_str(".amazonaws.com");
                    return Ok(Node::str(t, s));
                }
                "region" => return Ok(Node::str(Text::hole(Hole::Region), s)),
                _ => {}
            }
        }
        self.configured_attr(res, attr, span, false)
    }

    fn data_attr(&self, res: &Resource, attr: &str, span: Span) -> Eval {
        let s = Some(span);
        match (res.ty.as_str(), attr) {
            ("aws_iam_policy_document", "json" | "minified_json") => {
                self.cached(res.address(true), || Ok(policy_document::build(self, res)))
            }
            ("aws_caller_identity", "account_id") => Ok(Node::str(Text::hole(Hole::AccountId), s)),
            ("aws_partition", "partition") => Ok(Node::str(Text::hole(Hole::Partition), s)),
            ("aws_region", "name" | "id" | "region") => Ok(Node::str(Text::hole(Hole::Region), s)),
            ("aws_s3_bucket", "arn") => {
                let name = self.configured_attr(res, "bucket", span, true)?;
                Ok(match name.as_text() {
                    Some(t) => Node::str(bucket_arn(t), s),
                    None => Node::unknown(s),
                })
            }
            ("aws_s3_bucket", "id") => self.configured_attr(res, "bucket", span, true),
            _ => self.configured_attr(res, attr, span, true),
        }
    }

    /// An attribute written in a resource's configuration, evaluated where it is
    /// written; computed attributes are unknown.
    fn configured_attr(&self, res: &Resource, attr: &str, span: Span, data: bool) -> Eval {
        let Some(a) = res.body().attr(attr) else {
            return Ok(Node::unknown(Some(span)));
        };
        let key = format!("{}.{attr}", res.address(data));
        self.cached(key, || self.eval(&a.value, &Ctx::default()))
    }
}

/// The (key, value) pairs a `for` iterates over: index and element of a list, key
/// and value of a map. `None` for anything else (unknown, null, a scalar).
fn iteration(coll: &Node) -> Option<Vec<(Node, Node)>> {
    match &coll.kind {
        NodeKind::List(items) => Some(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| (Node::new(NodeKind::Number(i as f64), None), v.clone()))
                .collect(),
        ),
        NodeKind::Map(entries) => Some(
            entries
                .iter()
                .map(|(k, v)| (Node::str(Text::lit(&k.name), k.span), v.clone()))
                .collect(),
        ),
        _ => None,
    }
}

/// `arn:${partition}:s3:::NAME`.
pub fn bucket_arn(name: &Text) -> Text {
    let mut t = Text::lit("arn:");
    t.push(&Text::hole(Hole::Partition));
    t.push_str(":s3:::");
    t.push(name);
    t
}

/// Skips `[0]` / `["key"]` after a resource name: instances of a counted resource are
/// one bucket in the model until count/for_each expansion.
fn skip_instance_key(ops: &[Op]) -> &[Op] {
    match ops.first() {
        Some(Op::Index(_) | Op::LegacyIndex(_)) => &ops[1..],
        _ => ops,
    }
}

fn index(v: &Node, key: &Node, span: Span) -> Eval {
    if key.is_unknown() {
        return Ok(Node::unknown(Some(span)));
    }
    match &v.kind {
        NodeKind::List(items) => {
            let i = number(key).ok_or_else(|| err("list index is not a number", span))?;
            if i < 0.0 || i.fract() != 0.0 {
                return Err(err("invalid list index", span));
            }
            items
                .get(i as usize)
                .cloned()
                .ok_or_else(|| err("list index out of range", span))
        }
        NodeKind::Map(_) => {
            let k = key
                .to_text()
                .and_then(|t| t.as_lit().map(str::to_string))
                .ok_or_else(|| err("map key is not a string", span))?;
            v.get(&k)
                .cloned()
                .ok_or_else(|| err(format!("no key {k:?}"), span))
        }
        _ => Err(err("cannot index this value", span)),
    }
}

pub fn number(v: &Node) -> Option<f64> {
    match &v.kind {
        NodeKind::Number(n) => Some(*n),
        NodeKind::Str(t) => t.as_lit()?.trim().parse().ok(),
        _ => None,
    }
}

fn tri_bool(v: &Node, span: Span) -> Result<Tri, EvalError> {
    if v.is_unknown() {
        return Ok(Tri::Unknown);
    }
    v.as_bool()
        .map(Tri::from_bool)
        .ok_or_else(|| err("operand is not a bool", span))
}

/// The string form of a value inside `"${...}"`.
fn interpolate(v: &Node, span: Span) -> Result<Text, EvalError> {
    match &v.kind {
        NodeKind::Str(t) => Ok(t.clone()),
        NodeKind::Number(n) => Ok(Text::lit(&format_number(*n))),
        NodeKind::Bool(b) => Ok(Text::lit(if *b { "true" } else { "false" })),
        NodeKind::Unknown => Ok(Text::hole_at(Hole::Unknown, span)),
        NodeKind::Json(inner) => Ok(functions::to_json_text(inner)),
        NodeKind::Null => Err(err("null value in a template", span)),
        NodeKind::List(_) | NodeKind::Map(_) => {
            Err(err("a collection cannot be interpolated", span))
        }
    }
}

/// Number of nodes in `v`, counting at most up to `limit`.
fn node_size(v: &Node, limit: usize) -> usize {
    let mut count = 0;
    let mut stack = vec![v];
    while let Some(n) = stack.pop() {
        count += 1;
        if count >= limit {
            return count;
        }
        match &n.kind {
            NodeKind::List(items) => stack.extend(items),
            NodeKind::Map(entries) => stack.extend(entries.iter().map(|(_, v)| v)),
            NodeKind::Json(inner) => stack.push(inner),
            NodeKind::Str(t) => count += t.raw().len() / 64,
            _ => {}
        }
    }
    count
}
