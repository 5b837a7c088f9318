//! Evaluates Terraform the way `terraform plan` would, without running Terraform or
//! touching the network: one [`Evaluator`] per module instance (the root module, or a
//! module call with the caller's inputs), resources expanded by `count`/`for_each`,
//! module outputs evaluated in their instance. What cannot be known statically is
//! [`NodeKind::Unknown`] (or a [`Hole`] in a string), never a guess.
//!
//! A conditional whose predicate is unknown is an *atom*: the deployment is
//! evaluated once per assignment of its atoms (a [`World`]), and a finding stands
//! only if it holds in every world in which its resource exists.

use super::ast::{BinaryOp, Block, Expr, ExprKind, ObjectKey, Op, Part, UnaryOp};
use super::functions;
use super::module::{MAX_MODULE_DEPTH, META_ARGUMENTS, Module, ModuleCall, Registry, Resource};
use super::policy_document;
use super::types;
use crate::model::iam::{IAM_ENTITIES, entity_name};
use crate::model::value::{BucketRef, Hole, Key, Node, NodeKind, Text, Tri, format_number};
use crate::source::Span;
use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::rc::{Rc, Weak};

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

/// Evaluation steps allowed per deployment (a root module and its module instances):
/// bounds work on hostile input (exponential locals, huge `range()` calls) so a scan
/// always finishes. The whole corpus of 9,400 real files spends about 100,000.
const FUEL: u64 = 10_000_000;
/// Evaluation steps allowed for a whole scan, shared by every deployment: twenty
/// hostile roots cannot each spend [`FUEL`] (about a second and a half on 2 cores).
pub const SCAN_FUEL: u64 = 40_000_000;
/// Steps a deployment draws from the scan's budget at a time.
const CHUNK: u64 = 100_000;

/// The evaluation steps left for a scan, shared by the deployments evaluated in
/// parallel.
#[derive(Debug, Clone)]
pub struct Budget(std::sync::Arc<std::sync::atomic::AtomicU64>);

impl Budget {
    pub fn new(steps: u64) -> Budget {
        Budget(std::sync::Arc::new(std::sync::atomic::AtomicU64::new(
            steps,
        )))
    }

    /// Gives back steps drawn but not spent.
    fn give_back(&self, n: u64) {
        self.0.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
    }

    /// Takes up to `n` steps; how many were granted.
    fn draw(&self, n: u64) -> u64 {
        use std::sync::atomic::Ordering;
        let before = self
            .0
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
                Some(left.saturating_sub(n))
            })
            .unwrap_or(0);
        before.min(n)
    }

    fn left(&self) -> u64 {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// Where a deployment's steps come from: the scan's budget, within the
/// deployment's own [`FUEL`], which the slices of a root evaluated in parallel share.
#[derive(Debug, Clone)]
pub struct Allowance {
    scan: Budget,
    deployment: Budget,
}

impl Allowance {
    /// A new deployment's allowance, drawn from the scan's `budget`.
    pub fn new(scan: &Budget) -> Allowance {
        Allowance {
            scan: scan.clone(),
            deployment: Budget::new(FUEL),
        }
    }

    /// Takes up to `n` steps from both; how many were granted.
    fn draw(&self, n: u64) -> u64 {
        let mine = self.deployment.draw(n);
        let got = self.scan.draw(mine);
        self.deployment.give_back(mine - got);
        got
    }

    fn give_back(&self, n: u64) {
        self.scan.give_back(n);
        self.deployment.give_back(n);
    }
}
/// Reference nesting allowed (local → local → ...), far beyond real configurations.
const MAX_DEPTH: u32 = 256;
/// Largest value (in nodes) a variable or local may hold, and longest string any
/// expression may build: values that double at every step (`a1 = [a0, a0]`) stop
/// here as unknown instead of exhausting memory.
const MAX_NODES: usize = 100_000;
const MAX_STRING: usize = 1 << 20;
/// Instances of one resource or module call (`count`, `for_each`); more is unknown.
const MAX_INSTANCES: usize = 10_000;
/// Module instances per deployment, and module nesting depth.
const MAX_MODULE_INSTANCES: usize = 10_000;

/// Largest file `file()` and `templatefile()` read.
const MAX_READ: u64 = 1 << 20;

/// An undecided conditional, identified by its predicate's position.
pub type Atom = u64;

pub fn atom(span: Span) -> Atom {
    (u64::from(span.file.0) << 32) | u64::from(span.start)
}

/// Values given to undecided conditionals.
#[derive(Debug, Clone, Default)]
pub struct World {
    pub atoms: BTreeMap<Atom, bool>,
    /// `--assume-created`: a `count` of 0 or an empty `for_each` stands for an
    /// instance with unknown index or key, so what it would configure is checked.
    pub assume_created: bool,
}

/// Local bindings: `for` variables, `count.index`, `each.key`/`each.value`, the
/// iterator of a `dynamic` block.
#[derive(Debug, Clone, Default)]
pub struct Ctx {
    vars: Vec<(String, Node)>,
    // Boxed: every resource instance holds a context, few hold these.
    pub count_index: Option<Box<Node>>,
    pub each: Option<Box<(Node, Node)>>,
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

/// Which instance of a resource or module call: `[0]`, `["key"]`, or the only one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InstanceKey {
    None,
    Index(usize),
    Key(String),
}

impl InstanceKey {
    /// `""`, `[0]`, `["key"]`: appended to an address.
    pub fn suffix(&self) -> String {
        let mut s = String::new();
        self.write_suffix(&mut s);
        s
    }

    /// Appends [`InstanceKey::suffix`] to `out`.
    pub fn write_suffix(&self, out: &mut String) {
        use std::fmt::Write;
        let _ = match self {
            InstanceKey::None => Ok(()),
            InstanceKey::Index(i) => write!(out, "[{i}]"),
            InstanceKey::Key(k) => write!(out, "[{k:?}]"),
        };
    }

    fn matches(&self, key: &Node) -> bool {
        match self {
            InstanceKey::None => false,
            InstanceKey::Index(i) => number(key).is_some_and(|n| n == *i as f64),
            InstanceKey::Key(k) => key
                .to_text()
                .and_then(|t| t.as_lit().map(|s| s == k))
                .unwrap_or(false),
        }
    }
}

/// A block's position: its file and first byte.
type BlockAt = (u32, u32);

/// One instance of a resource or module call, with its `count.index` / `each`.
#[derive(Debug, Clone)]
pub struct Instance {
    pub key: InstanceKey,
    pub cx: Ctx,
    /// `count`/`for_each` could not be evaluated: this stands for every instance.
    pub unknown: bool,
}

/// Where a module instance sits in its deployment.
#[derive(Debug, Clone, Default)]
pub struct Place {
    /// The root module's directory: the deployment unit.
    pub root: String,
    /// `module.logs[0].module.inner` (empty for the root module).
    pub address: String,
    /// The call names from the root (`logs.inner`): the key of installed modules in
    /// `.terraform/modules/modules.json`.
    pub key: String,
    /// The module blocks that created this instance, outermost first.
    pub call_sites: Vec<Span>,
    /// Directories of the enclosing instances (cycle protection).
    ancestors: Vec<String>,
}

impl Place {
    /// `address` of a resource in this instance (`module.logs.aws_s3_bucket.this[0]`).
    pub fn qualify(&self, address: &str) -> String {
        if self.address.is_empty() {
            address.to_string()
        } else {
            format!("{}.{address}", self.address)
        }
    }
}

impl Drop for Shared {
    /// A finished deployment returns the steps it drew and did not spend.
    fn drop(&mut self) {
        self.allowance.give_back(self.fuel.get());
    }
}

/// State shared by all instances of one deployment.
struct Shared {
    /// Steps drawn from the allowance and not yet spent.
    fuel: Cell<u64>,
    /// A charge the allowance could not cover: no more steps are drawn.
    spent: Cell<bool>,
    allowance: Allowance,
    depth: Cell<u32>,
    world: World,
    undecided: RefCell<BTreeSet<Atom>>,
    module_instances: Cell<usize>,
    /// Where `file()` may read: the scanned directories.
    readable: Vec<std::path::PathBuf>,
    /// Evaluation limits that were reached, said once each: what they left
    /// unchecked or unknown.
    limits: RefCell<BTreeSet<String>>,
}

/// The instances of a module call.
pub enum Children<'r> {
    /// The module's source is not available locally (not installed, remote, a cycle).
    Unavailable,
    Instances(Vec<(InstanceKey, Rc<Evaluator<'r>>)>),
}

/// Where a module instance gets its inputs: the arguments of its `module` block,
/// evaluated in the calling instance when first used. (Evaluating them all when the
/// instance is created loops on modules that take each other's outputs, which
/// Terraform allows when no single value depends on itself.)
struct Caller<'r> {
    parent: Weak<Evaluator<'r>>,
    call: &'r ModuleCall,
    cx: Ctx,
}

pub struct Evaluator<'r> {
    pub registry: &'r Registry,
    pub module: &'r Module,
    pub place: Place,
    /// Variable values given for a root module (tfvars and `-var`).
    inputs: HashMap<String, Node>,
    /// For a module instance: its call.
    caller: Option<Caller<'r>>,
    this: Weak<Evaluator<'r>>,
    shared: Rc<Shared>,
    /// Evaluated variables, locals, outputs and configured attributes, with size.
    cache: RefCell<HashMap<String, (Node, usize)>>,
    active: RefCell<Vec<String>>,
    children: RefCell<HashMap<String, Rc<Children<'r>>>>,
    /// By the block's position: file and start.
    expansions: RefCell<HashMap<BlockAt, Rc<Vec<Instance>>>>,
}

impl<'r> Evaluator<'r> {
    /// The root module of a deployment. `readable` are the directories `file()` may
    /// read from (the scanned paths).
    pub fn root(
        registry: &'r Registry,
        module: &'r Module,
        inputs: HashMap<String, Node>,
        world: World,
        readable: Vec<std::path::PathBuf>,
    ) -> Rc<Evaluator<'r>> {
        let allowance = Allowance::new(&Budget::new(FUEL));
        Evaluator::root_in(registry, module, inputs, world, readable, allowance)
    }

    /// A root module's evaluator (or one of a slice of its blocks) that draws its
    /// steps from `allowance`.
    pub fn root_in(
        registry: &'r Registry,
        module: &'r Module,
        inputs: HashMap<String, Node>,
        world: World,
        readable: Vec<std::path::PathBuf>,
        allowance: Allowance,
    ) -> Rc<Evaluator<'r>> {
        Self::new_root(
            registry,
            module,
            String::new(),
            inputs,
            world,
            readable,
            allowance,
        )
    }

    /// An evaluator of `module` as the module instance at `address` of a
    /// deployment (`module.logs[0]`): a plan's module instance, whose values are
    /// already evaluated, read on its own.
    pub fn root_at(
        registry: &'r Registry,
        module: &'r Module,
        address: String,
        world: World,
        allowance: Allowance,
    ) -> Rc<Evaluator<'r>> {
        Self::new_root(
            registry,
            module,
            address,
            HashMap::new(),
            world,
            Vec::new(),
            allowance,
        )
    }

    fn new_root(
        registry: &'r Registry,
        module: &'r Module,
        address: String,
        inputs: HashMap<String, Node>,
        world: World,
        readable: Vec<std::path::PathBuf>,
        allowance: Allowance,
    ) -> Rc<Evaluator<'r>> {
        Rc::new_cyclic(|this| Evaluator {
            registry,
            module,
            place: Place {
                root: module.dir.clone(),
                address,
                ..Place::default()
            },
            inputs,
            caller: None,
            this: this.clone(),
            shared: Rc::new(Shared {
                fuel: Cell::new(0),
                spent: Cell::new(false),
                allowance,
                depth: Cell::new(0),
                world,
                undecided: RefCell::new(BTreeSet::new()),
                module_instances: Cell::new(0),
                readable,
                limits: RefCell::new(BTreeSet::new()),
            }),
            cache: RefCell::new(HashMap::new()),
            active: RefCell::new(Vec::new()),
            children: RefCell::new(HashMap::new()),
            expansions: RefCell::new(HashMap::new()),
        })
    }

    /// Conditionals met whose predicate was unknown and that the world does not decide.
    pub fn undecided(&self) -> BTreeSet<Atom> {
        self.shared.undecided.borrow().clone()
    }

    /// The evaluation limits this deployment reached, as notes for the user.
    pub fn limits(&self) -> Vec<String> {
        self.shared.limits.borrow().iter().cloned().collect()
    }

    fn limit(&self, message: String) {
        self.shared.limits.borrow_mut().insert(message);
    }

    /// Evaluates `e`, turning evaluation errors into unknown.
    pub fn value(&self, e: &Expr, cx: &Ctx) -> Node {
        self.eval(e, cx)
            .unwrap_or_else(|_| Node::unknown(Some(e.span)))
    }

    /// Draws more steps when this deployment's are spent: from the scan's budget,
    /// up to [`FUEL`] for the deployment. Zero when neither has any left.
    fn refuel(&self) -> u64 {
        let s = &self.shared;
        let got = if s.spent.get() {
            0
        } else {
            s.allowance.draw(CHUNK)
        };
        s.fuel.set(got);
        if got == 0 {
            self.limit(if s.allowance.deployment.left() == 0 {
                format!(
                    "evaluation of root module {} stopped after {FUEL} steps: later values are unknown",
                    self.place.root
                )
            } else {
                format!(
                    "evaluation of root module {} stopped: the scan's budget of {SCAN_FUEL} steps is spent; later values are unknown",
                    self.place.root
                )
            });
        }
        got
    }

    pub fn eval(&self, e: &Expr, cx: &Ctx) -> Eval {
        let mut fuel = self.shared.fuel.get();
        if fuel == 0 {
            fuel = self.refuel();
        }
        if fuel == 0 || self.shared.depth.get() > MAX_DEPTH {
            if fuel != 0 {
                self.limit(format!(
                    "expressions nested more than {MAX_DEPTH} deep are unknown"
                ));
            }
            return Ok(Node::unknown(Some(e.span)));
        }
        self.shared.fuel.set(fuel - 1);
        self.shared.depth.set(self.shared.depth.get() + 1);
        let out = self.eval_inner(e, cx);
        self.shared.depth.set(self.shared.depth.get() - 1);
        match out {
            Ok(Node {
                kind: NodeKind::Str(t),
                span,
            }) if t.raw().len() > MAX_STRING => Ok(Node::unknown(span)),
            other => other,
        }
    }

    /// Spends `n` steps of fuel; what the drawn steps do not cover is drawn now.
    fn charge(&self, n: usize) {
        let s = &self.shared;
        let n = n as u64;
        let have = s.fuel.get();
        if n <= have {
            s.fuel.set(have - n);
            return;
        }
        s.fuel.set(0);
        let excess = n - have;
        if s.allowance.draw(excess) < excess {
            s.spent.set(true);
        }
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
                            name: name.to_string(),
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
                        // Both branches agreeing makes the predicate irrelevant;
                        // otherwise the predicate is an atom decided per world.
                        let (a, b) = (self.eval(t, cx)?, self.eval(f, cx)?);
                        if a.same(&b) == Tri::Yes {
                            a
                        } else {
                            let atom = atom(c.span);
                            match self.shared.world.atoms.get(&atom) {
                                Some(true) => a,
                                Some(false) => b,
                                None => {
                                    self.shared.undecided.borrow_mut().insert(atom);
                                    Node::unknown(span)
                                }
                            }
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
                let mut index: HashMap<String, usize> = HashMap::new();
                // The result is capped while it is built, not after: nested `for`s
                // over `range()` would otherwise hold gigabytes before the cap.
                let mut size = 1;
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
                    size += node_size(&value, MAX_NODES + 1);
                    if size > MAX_NODES {
                        return Ok(Node::unknown(span));
                    }
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
                            match index.get(&key.name) {
                                Some(&at) if f.grouping => {
                                    if let NodeKind::List(items) = &mut map[at].1.kind {
                                        items.push(value);
                                    }
                                }
                                Some(_) => {
                                    return Err(err(
                                        format!("duplicate key {:?} in for expression", key.name),
                                        kx.span,
                                    ));
                                }
                                None => {
                                    index.insert(key.name.clone(), map.len());
                                    let value = if f.grouping {
                                        Node::new(NodeKind::List(vec![value]), None)
                                    } else {
                                        value
                                    };
                                    map.push((key, value));
                                }
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
                Part::If(x) => match self.eval(&x.cond, cx)?.as_bool() {
                    Some(true) => self.template_into(&x.then, cx, out)?,
                    Some(false) => self.template_into(&x.otherwise, cx, out)?,
                    None => out.push(&Text::hole_at(Hole::Unknown, x.cond.span)),
                },
                Part::For(x) => {
                    let coll = self.eval(&x.collection, cx)?;
                    let Some(pairs) = iteration(&coll) else {
                        out.push(&Text::hole_at(Hole::Unknown, x.collection.span));
                        continue;
                    };
                    for (k, v) in pairs {
                        let mut inner = cx.with(&x.value_var, v);
                        if let Some(kv) = &x.key_var {
                            inner = inner.with(kv, k);
                        }
                        self.template_into(&x.body, &inner, out)?;
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
                match name {
                    "file" | "templatefile" => Ok(self.read_file(name, &values, span)),
                    _ => functions::call(name, values, span),
                }
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
                (Some("index"), Some(i)) => self.apply_ops((**i).clone(), &ops[1..], cx),
                _ => unknown(),
            },
            "each" => match (attr(0), cx.each.as_deref()) {
                (Some("key"), Some((k, _))) => self.apply_ops(k.clone(), &ops[1..], cx),
                (Some("value"), Some((_, v))) => self.apply_ops(v.clone(), &ops[1..], cx),
                _ => unknown(),
            },
            // As Terraform sees them: relative to the root module, its working
            // directory.
            "path" => match attr(0) {
                Some("module") => Ok(Node::str(
                    Text::lit(&relative_dir(&self.place.root, &self.module.dir)),
                    Some(span),
                )),
                Some("root" | "cwd") => Ok(Node::str(Text::lit("."), Some(span))),
                _ => unknown(),
            },
            "data" => {
                let (Some(ty), Some(name)) = (attr(0), attr(1)) else {
                    return unknown();
                };
                let Some(res) = self.module.data_source(ty, name) else {
                    return unknown();
                };
                self.resource_ref(res, true, &ops[2..], span, cx)
            }
            "module" => {
                let Some(name) = attr(0) else {
                    return unknown();
                };
                self.module_ref(name, &ops[1..], span, cx)
            }
            // `self`, `terraform.workspace`: not known here.
            "self" | "terraform" => unknown(),
            ty => {
                let Some(name) = attr(0) else {
                    return unknown();
                };
                let Some(res) = self.module.resource(ty, name) else {
                    return unknown();
                };
                self.resource_ref(res, false, &ops[1..], span, cx)
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

    /// A variable's value: the caller's input (tfvars and `-var` for a root module),
    /// else its default, converted to its declared type; unknown without either.
    fn variable(&self, name: &str, span: Span) -> Eval {
        let Some(var) = self.module.variables.get(name) else {
            return Err(err(format!("undeclared variable {name:?}"), span));
        };
        self.cached(format!("var.{name}"), || {
            let raw = match (self.input(name), var.default()) {
                (Some(v), _) => v,
                (None, Some(d)) => self.eval(d, &Ctx::default())?,
                (None, None) => return Ok(Node::unknown(Some(var.block.header))),
            };
            Ok(match var.type_expr() {
                Some(t) => {
                    let constant = |e: &Expr| self.value(e, &Ctx::default());
                    types::convert(raw, &types::parse(t, &constant))
                }
                None => raw,
            })
        })
    }

    /// The value the caller gives variable `name`, if it gives one.
    fn input(&self, name: &str) -> Option<Node> {
        let Some(caller) = &self.caller else {
            return self.inputs.get(name).cloned();
        };
        if META_ARGUMENTS.contains(&name) {
            return None;
        }
        let attr = caller.call.block.body.attr(name)?;
        // The parent outlives its children: it holds them.
        let parent = caller.parent.upgrade()?;
        Some(parent.value(&attr.value, &caller.cx))
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

    // ------------------------------------------------------------------ instances

    /// The instances of a resource, data source or module call block: `count` and
    /// `for_each` expanded (empty when known to be zero).
    pub fn instances(&self, block: &Block) -> Rc<Vec<Instance>> {
        let key = (block.span.file.0, block.span.start);
        if let Some(done) = self.expansions.borrow().get(&key) {
            return done.clone();
        }
        let out = Rc::new(self.expand(block));
        self.expansions.borrow_mut().insert(key, out.clone());
        out
    }

    fn too_many(&self, block: &Block, n: usize) {
        let what = match block.labels.as_slice() {
            [ty, name] => self.place.qualify(&format!("{ty}.{name}")),
            [name] => self.place.qualify(&format!("module.{name}")),
            _ => block.ident.to_string(),
        };
        self.limit(format!(
            "{what} has {n} instances, more than {MAX_INSTANCES}: it is checked once, as an instance with unknown key"
        ));
    }

    fn expand(&self, block: &Block) -> Vec<Instance> {
        let cx = Ctx::default();
        let unknown = |count: bool| {
            let mut cx = Ctx::default();
            if count {
                cx.count_index = Some(Box::new(Node::unknown(None)));
            } else {
                cx.each = Some(Box::new((Node::unknown(None), Node::unknown(None))));
            }
            vec![Instance {
                key: InstanceKey::None,
                cx,
                unknown: true,
            }]
        };
        if let Some(c) = block.body.attr("count") {
            let v = self.value(&c.value, &cx);
            return match number(&v) {
                Some(n) if n > MAX_INSTANCES as f64 => {
                    self.too_many(block, n as usize);
                    unknown(true)
                }
                Some(n) if n < 1.0 && self.shared.world.assume_created => unknown(true),
                Some(n) if n >= 0.0 => (0..n as usize)
                    .map(|i| Instance {
                        key: InstanceKey::Index(i),
                        cx: Ctx {
                            count_index: Some(Box::new(Node::new(
                                NodeKind::Number(i as f64),
                                None,
                            ))),
                            ..Ctx::default()
                        },
                        unknown: false,
                    })
                    .collect(),
                _ => unknown(true),
            };
        }
        if let Some(f) = block.body.attr("for_each") {
            let v = self.value(&f.value, &cx);
            let pairs: Vec<(String, Node)> = match &v.kind {
                NodeKind::Map(entries) => entries
                    .iter()
                    .map(|(k, v)| (k.name.clone(), v.clone()))
                    .collect(),
                NodeKind::List(items) => {
                    let mut keys = Vec::new();
                    for i in items {
                        match i.to_text().and_then(|t| t.as_lit().map(str::to_string)) {
                            Some(k) => keys.push((k, i.clone())),
                            None => return unknown(false),
                        }
                    }
                    keys
                }
                _ => return unknown(false),
            };
            if pairs.len() > MAX_INSTANCES {
                self.too_many(block, pairs.len());
                return unknown(false);
            }
            if pairs.is_empty() && self.shared.world.assume_created {
                return unknown(false);
            }
            return pairs
                .into_iter()
                .map(|(k, value)| Instance {
                    cx: Ctx {
                        each: Some(Box::new((Node::str(Text::lit(&k), None), value))),
                        ..Ctx::default()
                    },
                    key: InstanceKey::Key(k),
                    unknown: false,
                })
                .collect();
        }
        vec![Instance {
            key: InstanceKey::None,
            cx,
            unknown: false,
        }]
    }

    /// A reference to a resource or data source: `TYPE.NAME[KEY].ATTR...`.
    fn resource_ref(&self, res: &Resource, data: bool, ops: &[Op], span: Span, cx: &Ctx) -> Eval {
        let instances = self.instances(&res.block);
        let single = instances.len() == 1 && (instances[0].key == InstanceKey::None);
        if single {
            // No count/for_each, or an unknown expansion standing for every instance;
            // an index on the latter picks "some instance".
            let rest = match ops.first() {
                Some(Op::Index(_) | Op::LegacyIndex(_)) if instances[0].unknown => &ops[1..],
                Some(Op::AttrSplat | Op::FullSplat) => return Ok(Node::unknown(Some(span))),
                _ => ops,
            };
            return self.instance_ref(res, data, &instances[0], rest, span, cx);
        }
        match ops.first() {
            Some(Op::Index(x)) => {
                let key = self.eval(x, cx)?;
                if key.is_unknown() {
                    return Ok(Node::unknown(Some(span)));
                }
                match instances.iter().find(|i| i.key.matches(&key)) {
                    Some(inst) => self.instance_ref(res, data, inst, &ops[1..], span, cx),
                    None => Err(err("no such instance", x.span)),
                }
            }
            Some(Op::LegacyIndex(n)) => match instances.get(*n as usize) {
                Some(inst) => self.instance_ref(res, data, inst, &ops[1..], span, cx),
                None => Err(err("no such instance", span)),
            },
            Some(Op::AttrSplat | Op::FullSplat) => {
                let items = instances
                    .iter()
                    .map(|inst| self.instance_ref(res, data, inst, &ops[1..], span, cx))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Node::new(NodeKind::List(items), Some(span)))
            }
            // The whole collection: a list (count) or a map (for_each) of objects.
            _ => {
                let objects: Vec<(InstanceKey, Node)> = instances
                    .iter()
                    .map(|inst| {
                        Ok((
                            inst.key.clone(),
                            self.instance_object(res, data, inst, span)?,
                        ))
                    })
                    .collect::<Result<_, EvalError>>()?;
                let all = if objects
                    .iter()
                    .all(|(k, _)| matches!(k, InstanceKey::Key(_)))
                {
                    NodeKind::Map(
                        objects
                            .into_iter()
                            .map(|(k, v)| {
                                let InstanceKey::Key(name) = k else {
                                    unreachable!()
                                };
                                (Key { name, span: None }, v)
                            })
                            .collect(),
                    )
                } else {
                    NodeKind::List(objects.into_iter().map(|(_, v)| v).collect())
                };
                self.apply_ops(Node::new(all, Some(span)), ops, cx)
            }
        }
    }

    /// `ops` applied to one instance: the first is the attribute.
    fn instance_ref(
        &self,
        res: &Resource,
        data: bool,
        inst: &Instance,
        ops: &[Op],
        span: Span,
        cx: &Ctx,
    ) -> Eval {
        let Some(Op::Attr(a)) = ops.first() else {
            let object = self.instance_object(res, data, inst, span)?;
            return self.apply_ops(object, ops, cx);
        };
        let v = if data {
            self.data_attr(res, inst, a, span)?
        } else {
            self.resource_attr(res, inst, a, span)?
        };
        self.apply_ops(v, &ops[1..], cx)
    }

    /// An instance as an object: the attributes known for its type and those written
    /// in its configuration.
    fn instance_object(&self, res: &Resource, data: bool, inst: &Instance, span: Span) -> Eval {
        let mut names: Vec<String> = vec!["id".into(), "arn".into()];
        if res.ty() == "aws_s3_bucket" {
            names.extend(
                [
                    "bucket",
                    "bucket_domain_name",
                    "bucket_regional_domain_name",
                    "region",
                ]
                .map(String::from),
            );
        }
        if data && res.ty() == "aws_iam_policy_document" {
            names.push("json".into());
        }
        names.extend(res.body().attrs.iter().map(|a| a.key.to_string()));
        names.dedup();
        let mut entries = Vec::new();
        for name in names {
            let v = if data {
                self.data_attr(res, inst, &name, span)?
            } else {
                self.resource_attr(res, inst, &name, span)?
            };
            entries.push((Key { name, span: None }, v));
        }
        Ok(Node::new(NodeKind::Map(entries), Some(span)))
    }

    /// The model's identity for a bucket instance of this module instance.
    pub fn bucket_ref(&self, res: &Resource, key: &InstanceKey) -> BucketRef {
        BucketRef::written(&self.place.root, |out| self.write_address(res, key, out))
    }

    /// The full address of a resource instance: `module.m.aws_s3_bucket.b["k"]`.
    pub fn address(&self, res: &Resource, key: &InstanceKey) -> String {
        let mut out = String::with_capacity(64);
        self.write_address(res, key, &mut out);
        out
    }

    /// Appends [`Evaluator::address`] to `out`, written once rather than formatted
    /// in pieces: it is asked for at every reference to a resource.
    fn write_address(&self, res: &Resource, key: &InstanceKey, out: &mut String) {
        if !self.place.address.is_empty() {
            out.push_str(&self.place.address);
            out.push('.');
        }
        out.push_str(res.ty());
        out.push('.');
        out.push_str(res.name());
        key.write_suffix(out);
    }

    fn resource_attr(&self, res: &Resource, inst: &Instance, attr: &str, span: Span) -> Eval {
        if res.ty() == "aws_s3_bucket" {
            let name = Text::hole_at(Hole::BucketName(self.bucket_ref(res, &inst.key)), span);
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
        if let Some(&(kind, _, name_attr, _, _, id_is_arn)) =
            IAM_ENTITIES.iter().find(|e| e.1 == res.ty())
        {
            let s = Some(span);
            let name = match self.configured_attr(res, inst, name_attr, span, true)? {
                n if n.as_str().is_some() => entity_name(kind, n.to_text().unwrap_or_default()),
                _ => Text::hole_at(Hole::Name(self.bucket_ref(res, &inst.key)), span),
            };
            match attr {
                "arn" => return Ok(Node::str(iam_arn(kind, &name), s)),
                "id" if id_is_arn => return Ok(Node::str(iam_arn(kind, &name), s)),
                "id" => return Ok(Node::str(name, s)),
                _ if attr == name_attr && kind != "oidc-provider" => {
                    return Ok(Node::str(name, s));
                }
                _ => {}
            }
        }
        self.configured_attr(res, inst, attr, span, false)
    }

    fn data_attr(&self, res: &Resource, inst: &Instance, attr: &str, span: Span) -> Eval {
        let s = Some(span);
        match (res.ty(), attr) {
            ("aws_iam_policy_document", "json" | "minified_json") => {
                let key = format!("{}{}.json", res.address(true), inst.key.suffix());
                self.cached(key, || Ok(policy_document::build(self, res, &inst.cx)))
            }
            ("aws_caller_identity", "account_id") => Ok(Node::str(Text::hole(Hole::AccountId), s)),
            ("aws_partition", "partition") => Ok(Node::str(Text::hole(Hole::Partition), s)),
            ("aws_region", "name" | "id" | "region") => Ok(Node::str(Text::hole(Hole::Region), s)),
            ("aws_s3_bucket", "arn") => {
                let name = self.configured_attr(res, inst, "bucket", span, true)?;
                Ok(match name.as_text() {
                    Some(t) => Node::str(bucket_arn(t), s),
                    None => Node::unknown(s),
                })
            }
            ("aws_s3_bucket", "id") => self.configured_attr(res, inst, "bucket", span, true),
            _ => self.configured_attr(res, inst, attr, span, true),
        }
    }

    /// An attribute written in a resource's configuration, evaluated where it is
    /// written (with the instance's `count.index`/`each`); computed attributes are
    /// unknown.
    fn configured_attr(
        &self,
        res: &Resource,
        inst: &Instance,
        attr: &str,
        span: Span,
        data: bool,
    ) -> Eval {
        let Some(a) = res.body().attr(attr) else {
            return Ok(Node::unknown(Some(span)));
        };
        let mut key = res.address(data);
        inst.key.write_suffix(&mut key);
        key.push('.');
        key.push_str(attr);
        self.cached(key, || self.eval(&a.value, &inst.cx))
    }

    // ------------------------------------------------------------------ modules

    /// The instances of module call `name`, created on first use.
    pub fn children(&self, name: &str) -> Rc<Children<'r>> {
        if let Some(c) = self.children.borrow().get(name) {
            return c.clone();
        }
        let out = Rc::new(self.instantiate(name));
        self.children
            .borrow_mut()
            .insert(name.to_string(), out.clone());
        out
    }

    /// Drops the cached instances of module call `name` (once their resources are
    /// read, so that a large deployment holds one module's values at a time); a later
    /// reference to the call's outputs instantiates it again, with the same result.
    pub fn forget_children(&self, name: &str) {
        let gone = self.children.borrow_mut().remove(name);
        drop(gone);
    }

    fn instantiate(&self, name: &str) -> Children<'r> {
        let Some(call) = self.module.call(name) else {
            return Children::Unavailable;
        };
        let key = if self.place.key.is_empty() {
            name.to_string()
        } else {
            format!("{}.{name}", self.place.key)
        };
        let Some(dir) = call.source().and_then(|src| {
            self.registry
                .resolve(&self.module.dir, &self.place.root, &key, src)
        }) else {
            return Children::Unavailable;
        };
        let Some(module) = self.registry.get(&dir) else {
            return Children::Unavailable;
        };
        if dir == self.module.dir
            || self.place.ancestors.contains(&dir)
            || self.place.ancestors.len() >= MAX_MODULE_DEPTH
        {
            return Children::Unavailable;
        }
        let mut out = Vec::new();
        for inst in self.instances(&call.block).iter() {
            let count = self.shared.module_instances.get() + 1;
            if count > MAX_MODULE_INSTANCES {
                self.limit(format!(
                    "more than {MAX_MODULE_INSTANCES} module instances: the resources of the others are not checked"
                ));
                return Children::Unavailable;
            }
            self.shared.module_instances.set(count);
            out.push((inst.key.clone(), self.child(call, module, &key, inst)));
        }
        Children::Instances(out)
    }

    fn child(
        &self,
        call: &'r ModuleCall,
        module: &'r Module,
        key: &str,
        inst: &Instance,
    ) -> Rc<Evaluator<'r>> {
        let mut ancestors = self.place.ancestors.clone();
        ancestors.push(self.module.dir.clone());
        let mut call_sites = self.place.call_sites.clone();
        call_sites.push(call.block.header);
        Rc::new_cyclic(|this| Evaluator {
            registry: self.registry,
            module,
            place: Place {
                root: self.place.root.clone(),
                address: self
                    .place
                    .qualify(&format!("module.{}{}", call.name, inst.key.suffix())),
                key: key.to_string(),
                call_sites,
                ancestors,
            },
            inputs: HashMap::new(),
            caller: Some(Caller {
                parent: self.this.clone(),
                call,
                cx: inst.cx.clone(),
            }),
            this: this.clone(),
            shared: self.shared.clone(),
            cache: RefCell::new(HashMap::new()),
            active: RefCell::new(Vec::new()),
            children: RefCell::new(HashMap::new()),
            expansions: RefCell::new(HashMap::new()),
        })
    }

    /// `module.NAME[KEY].OUTPUT...`.
    fn module_ref(&self, name: &str, ops: &[Op], span: Span, cx: &Ctx) -> Eval {
        let children = self.children(name);
        let Children::Instances(list) = &*children else {
            return Ok(Node::unknown(Some(span)));
        };
        let single = list.len() == 1 && list[0].0 == InstanceKey::None;
        if single {
            return self.output_ref(&list[0].1, ops, span, cx);
        }
        match ops.first() {
            Some(Op::Index(x)) => {
                let key = self.eval(x, cx)?;
                if key.is_unknown() {
                    return Ok(Node::unknown(Some(span)));
                }
                match list.iter().find(|(k, _)| k.matches(&key)) {
                    Some((_, child)) => self.output_ref(child, &ops[1..], span, cx),
                    None => Err(err("no such module instance", x.span)),
                }
            }
            Some(Op::AttrSplat | Op::FullSplat) => {
                let items = list
                    .iter()
                    .map(|(_, child)| self.output_ref(child, &ops[1..], span, cx))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Node::new(NodeKind::List(items), Some(span)))
            }
            _ => Ok(Node::unknown(Some(span))),
        }
    }

    fn output_ref(&self, child: &Evaluator<'r>, ops: &[Op], span: Span, cx: &Ctx) -> Eval {
        let Some(Op::Attr(out)) = ops.first() else {
            return Ok(Node::unknown(Some(span)));
        };
        let v = child.output(out, span)?;
        self.apply_ops(v, &ops[1..], cx)
    }

    /// The value of output `name` of this instance.
    pub fn output(&self, name: &str, span: Span) -> Eval {
        let Some(expr) = self.module.outputs.get(name) else {
            return Err(err(format!("no output {name:?}"), span));
        };
        self.cached(format!("output.{name}"), || {
            self.eval(expr, &Ctx::default())
        })
    }

    // ------------------------------------------------------------------ blocks

    /// The nested blocks `ident` of `body` as they expand: static blocks, and
    /// `dynamic "ident"` blocks once per element of their `for_each`, each with the
    /// context its contents are evaluated in. `unknown` is set when a `dynamic`
    /// block's collection cannot be determined.
    pub fn blocks<'b>(&self, body: &'b super::ast::Body, ident: &'b str, cx: &Ctx) -> Blocks<'b> {
        let mut out = Blocks {
            items: body.blocks(ident).map(|b| (b, cx.clone())).collect(),
            unknown: false,
        };
        for d in body.blocks("dynamic") {
            if d.labels.first().map(super::ast::Name::as_str) != Some(ident) {
                continue;
            }
            let iterator = d
                .body
                .attr("iterator")
                .and_then(|a| match &a.value.kind {
                    ExprKind::Var(n) => Some(n.to_string()),
                    _ => None,
                })
                .unwrap_or_else(|| ident.to_string());
            let Some(content) = d.body.block("content") else {
                continue;
            };
            let coll = d
                .body
                .attr("for_each")
                .map_or_else(|| Node::unknown(None), |a| self.value(&a.value, cx));
            let Some(pairs) = iteration(&coll) else {
                out.unknown = true;
                continue;
            };
            for (k, v) in pairs {
                let it = Node::new(
                    NodeKind::Map(vec![
                        (
                            Key {
                                name: "key".into(),
                                span: None,
                            },
                            k,
                        ),
                        (
                            Key {
                                name: "value".into(),
                                span: None,
                            },
                            v,
                        ),
                    ]),
                    None,
                );
                let mut block = content.clone().into_owned();
                block.ident = ident.into();
                block.header = d.header;
                out.items.push((Cow::Owned(block), cx.with(&iterator, it)));
            }
        }
        out
    }

    // ------------------------------------------------------------------ files

    /// `file(path)` and `templatefile(path, vars)`, reading only below the scanned
    /// directories (the scanner runs on untrusted pull requests).
    fn read_file(&self, name: &str, args: &[Node], span: Span) -> Node {
        let unknown = Node::unknown(Some(span));
        let Some(path) = args.first().and_then(Node::as_str) else {
            return unknown;
        };
        let Some(text) = self.read_below_scan(path) else {
            return unknown;
        };
        if name == "file" {
            return Node::str(Text::lit(&text), Some(span));
        }
        // The template file is not one of our sources: its literals map to no span
        // (the file id no source has), so findings point at the call.
        let Ok(parts) = super::hcl::template(crate::source::FileId(u32::MAX), &text, 0) else {
            return unknown;
        };
        let mut cx = Ctx::default();
        if let Some(vars) = args.get(1) {
            for (k, v) in vars.entries() {
                cx = cx.with(&k.name, v.clone());
            }
        }
        let mut out = Text::default();
        match self.template_into(&parts, &cx, &mut out) {
            Ok(()) => Node::str(out, Some(span)),
            Err(_) => unknown,
        }
    }

    fn read_below_scan(&self, path: &str) -> Option<String> {
        // Relative paths are relative to Terraform's working directory: the root.
        let p = std::path::Path::new(path);
        let full = if p.is_absolute() {
            p.to_path_buf()
        } else {
            std::path::Path::new(&self.place.root).join(p)
        };
        let canonical = full.canonicalize().ok()?;
        if !self
            .shared
            .readable
            .iter()
            .any(|r| canonical.starts_with(r))
        {
            return None;
        }
        let meta = std::fs::metadata(&canonical).ok()?;
        if !meta.is_file() || meta.len() > MAX_READ {
            return None;
        }
        std::fs::read_to_string(canonical).ok()
    }
}

/// Blocks after `dynamic` expansion.
pub struct Blocks<'b> {
    pub items: Vec<(Cow<'b, Block>, Ctx)>,
    pub unknown: bool,
}

/// The path of directory `to` relative to directory `from` (both relative to the
/// same base, `/`-separated): what `path.module` is when Terraform runs in `from`.
pub fn relative_dir(from: &str, to: &str) -> String {
    let parts = |p: &str| -> Vec<String> {
        p.split('/')
            .filter(|s| !s.is_empty() && *s != ".")
            .map(str::to_string)
            .collect()
    };
    let (f, t) = (parts(from), parts(to));
    let common = f.iter().zip(&t).take_while(|(a, b)| a == b).count();
    // A `..` left in `from` cannot be undone without knowing the directory names.
    if f[common..].iter().any(|s| s == "..") {
        return to.to_string();
    }
    let mut out: Vec<String> = vec!["..".to_string(); f.len() - common];
    out.extend(t[common..].iter().cloned());
    if out.is_empty() {
        ".".to_string()
    } else {
        out.join("/")
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
/// The IAM entity kind of a resource type whose name and ARN identify it.
/// `arn:${partition}:iam::${account}:KIND/NAME` (paths are not modelled).
pub fn iam_arn(kind: &str, name: &Text) -> Text {
    let mut t = Text::lit("arn:");
    t.push(&Text::hole(Hole::Partition));
    t.push_str(":iam::");
    t.push(&Text::hole(Hole::AccountId));
    t.push_str(&format!(":{kind}/"));
    t.push(name);
    t
}

pub fn bucket_arn(name: &Text) -> Text {
    let mut t = Text::lit("arn:");
    t.push(&Text::hole(Hole::Partition));
    t.push_str(":s3:::");
    t.push(name);
    t
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
