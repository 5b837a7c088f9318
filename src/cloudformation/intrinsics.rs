//! CloudFormation intrinsic functions and conditions, resolved the way CloudFormation
//! would at deploy time, with what it would only know then left unknown (or as a
//! [`Hole`] in a string).
//!
//! Conditions that cannot be decided statically are handled by *worlds*: each
//! undecidable `Fn::Equals` is an atom, and the template is resolved once per
//! assignment of its atoms (see [`crate::cloudformation::load`]). In the default
//! world every atom is unknown.

use super::template::{Param, Template};
use crate::model::iam::{IAM_ENTITIES, entity_name};
use crate::model::value::{BucketRef, Hole, Node, NodeKind, Text, Tri};
use crate::source::Span;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

/// An undecidable `Fn::Equals`, identified by its position in the file.
pub type Atom = u32;

/// Values given to undecidable conditions.
#[derive(Debug, Clone, Default)]
pub struct World {
    pub atoms: BTreeMap<Atom, bool>,
    /// `--assume-created`: a resource whose condition is false is read as if created.
    pub assume_created: bool,
}

/// Deepest intrinsic nesting resolved (templates are parsed to at most 512 levels;
/// conditions may refer to conditions).
const MAX_DEPTH: usize = 64;

pub struct Resolver<'t> {
    pub t: &'t Template<'t>,
    world: &'t World,
    /// Atoms met while resolving that the world does not decide.
    pub undecided: RefCell<BTreeSet<Atom>>,
    visiting: RefCell<Vec<String>>,
}

impl<'t> Resolver<'t> {
    pub fn new(t: &'t Template<'t>, world: &'t World) -> Resolver<'t> {
        Resolver {
            t,
            world,
            undecided: RefCell::new(BTreeSet::new()),
            visiting: RefCell::new(Vec::new()),
        }
    }

    pub fn world(&self) -> &World {
        self.world
    }

    /// The value of `node` after intrinsics; `None` for `AWS::NoValue` (the property
    /// or list element is removed).
    pub fn resolve(&self, node: &Node) -> Option<Node> {
        self.resolve_at(node, 0)
    }

    fn resolve_at(&self, node: &Node, depth: usize) -> Option<Node> {
        if depth > MAX_DEPTH {
            return Some(Node::unknown(node.span));
        }
        match &node.kind {
            NodeKind::Map(entries) => {
                if let [(key, arg)] = entries.as_slice()
                    && (key.name == "Ref" || key.name.starts_with("Fn::"))
                {
                    return self.intrinsic(&key.name, arg, node.span, depth + 1);
                }
                let resolved = entries
                    .iter()
                    .filter_map(|(k, v)| Some((k.clone(), self.resolve_at(v, depth + 1)?)))
                    .collect();
                Some(Node::new(NodeKind::Map(resolved), node.span))
            }
            NodeKind::List(items) => Some(Node::new(
                NodeKind::List(
                    items
                        .iter()
                        .filter_map(|i| self.resolve_at(i, depth + 1))
                        .collect(),
                ),
                node.span,
            )),
            _ => Some(node.clone()),
        }
    }

    /// Like [`Resolver::resolve`], with `AWS::NoValue` read as null.
    pub fn value(&self, node: &Node) -> Node {
        self.resolve(node).unwrap_or_else(|| Node::null(node.span))
    }

    fn intrinsic(&self, name: &str, arg: &Node, span: Option<Span>, depth: usize) -> Option<Node> {
        let unknown = || Some(Node::unknown(span));
        let at = |mut n: Node| {
            // A computed value is located where the function is written.
            n.span = span;
            Some(n)
        };
        match name {
            "Ref" => match arg.as_str() {
                Some("AWS::NoValue") => None,
                Some(target) => at(self.reference(target, span)),
                None => unknown(),
            },
            "Fn::GetAtt" => {
                let (res, attr) = match &arg.kind {
                    NodeKind::Str(t) => match t.as_lit()?.split_once('.') {
                        Some((r, a)) => (r.to_string(), a.to_string()),
                        None => return unknown(),
                    },
                    NodeKind::List(items) => match items.as_slice() {
                        [r, a] => {
                            let a = self.resolve_at(a, depth)?;
                            match (r.as_str(), a.as_str()) {
                                (Some(r), Some(a)) => (r.to_string(), a.to_string()),
                                _ => return unknown(),
                            }
                        }
                        _ => return unknown(),
                    },
                    _ => return unknown(),
                };
                at(self.attribute(&res, &attr, span))
            }
            "Fn::Sub" => at(self.sub(arg, span, depth)),
            "Fn::Join" => {
                let [delim, list] = arg.items() else {
                    return unknown();
                };
                let delim = self.resolve_at(delim, depth)?.to_text()?;
                let list = self.resolve_at(list, depth)?;
                let NodeKind::List(items) = &list.kind else {
                    return unknown();
                };
                let mut out = Text::default();
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(&delim);
                    }
                    match item.to_text() {
                        Some(t) => out.push(&t),
                        None => out.push(&Text::hole(Hole::Unknown)),
                    }
                }
                at(Node::str(out, span))
            }
            "Fn::Select" => {
                let [index, list] = arg.items() else {
                    return unknown();
                };
                let index = self.resolve_at(index, depth)?;
                let list = self.resolve_at(list, depth)?;
                let i = match &index.kind {
                    NodeKind::Number(n) => *n as usize,
                    NodeKind::Str(t) => t.as_lit()?.parse().ok()?,
                    _ => return unknown(),
                };
                match &list.kind {
                    NodeKind::List(items) => items.get(i).cloned().or_else(unknown),
                    _ => unknown(),
                }
            }
            "Fn::Split" => {
                let [delim, s] = arg.items() else {
                    return unknown();
                };
                let delim = self.resolve_at(delim, depth)?;
                let s = self.resolve_at(s, depth)?;
                match (delim.as_str(), s.as_str()) {
                    (Some(d), Some(s)) if !d.is_empty() => Some(Node::new(
                        NodeKind::List(s.split(d).map(|p| Node::str(Text::lit(p), span)).collect()),
                        span,
                    )),
                    _ => unknown(),
                }
            }
            "Fn::FindInMap" => {
                let items = arg.items();
                let keys: Vec<Option<String>> = items
                    .iter()
                    .take(3)
                    .map(|k| {
                        self.resolve_at(k, depth)
                            .and_then(|n| n.to_text()?.as_lit().map(str::to_string))
                    })
                    .collect();
                let default = items.get(3).and_then(|d| d.get("DefaultValue"));
                let (Some(Some(map)), Some(Some(top)), Some(Some(second))) =
                    (keys.first(), keys.get(1), keys.get(2))
                else {
                    return unknown();
                };
                match self
                    .t
                    .mappings
                    .and_then(|m| m.get(map))
                    .and_then(|m| m.get(top))
                    .and_then(|m| m.get(second))
                {
                    Some(v) => self.resolve_at(v, depth),
                    None => match default {
                        Some(d) => self.resolve_at(d, depth),
                        None => unknown(),
                    },
                }
            }
            "Fn::If" => {
                let [cond, yes, no] = arg.items() else {
                    return unknown();
                };
                let Some(cond) = cond.as_str() else {
                    return unknown();
                };
                match self.condition(cond) {
                    Tri::Yes => self.resolve_at(yes, depth),
                    Tri::No => self.resolve_at(no, depth),
                    Tri::Unknown => unknown(),
                }
            }
            "Fn::ToJsonString" => {
                let v = self.resolve_at(arg, depth)?;
                Some(Node::new(NodeKind::Json(Box::new(v)), span))
            }
            // Known only at deploy time (or not relevant to any rule).
            _ => unknown(),
        }
    }

    /// `Ref`: a parameter, a pseudo parameter or a resource.
    fn reference(&self, target: &str, span: Option<Span>) -> Node {
        let hole = |h: Hole| Node::str(Text::hole(h), span);
        match target {
            "AWS::AccountId" => hole(Hole::AccountId),
            "AWS::Region" => hole(Hole::Region),
            "AWS::Partition" => hole(Hole::Partition),
            "AWS::URLSuffix" => Node::str(Text::lit("amazonaws.com"), span),
            _ => {
                if let Some(p) = self.t.params.get(target) {
                    return match p {
                        Param::Value(v) => v.clone(),
                        Param::Unknown => Node::unknown(span),
                    };
                }
                if let Some((kind, prop, ref_is_arn)) = self.iam_entity(target) {
                    // A role, user, group or instance profile's name; a managed
                    // policy's or identity provider's ARN.
                    let name = self.iam_name(target, kind, prop);
                    return Node::str(
                        if ref_is_arn {
                            crate::terraform::eval::iam_arn(kind, &name)
                        } else {
                            name
                        },
                        span,
                    );
                }
                match self.t.resource_type(target) {
                    Some("AWS::S3::Bucket") => hole(Hole::BucketName(self.bucket_ref(target))),
                    _ => Node::unknown(span),
                }
            }
        }
    }

    pub fn bucket_ref(&self, logical_id: &str) -> BucketRef {
        BucketRef::new(&self.t.scope, logical_id)
    }

    /// The name of an IAM entity ([`IAM_ENTITIES`]): its literal name property,
    /// else a hole that identifies it.
    fn iam_name(&self, id: &str, kind: &str, prop: &str) -> Text {
        self.t
            .resources
            .iter()
            .find(|r| r.id.name == id)
            .and_then(|r| r.properties()?.get(prop)?.as_str().map(Text::lit))
            .map_or_else(
                || Text::hole(Hole::Name(self.bucket_ref(id))),
                |t| entity_name(kind, t),
            )
    }

    /// The IAM entity `res` is, if it is one: its ARN kind, name property and
    /// whether `Ref` gives its ARN.
    fn iam_entity(&self, res: &str) -> Option<(&'static str, &'static str, bool)> {
        let Some(ty) = self.t.resource_type(res) else {
            // `{Function}Role`: the role the SAM transform creates for a function
            // without `Role` (see `sam`).
            let function = res.strip_suffix("Role")?;
            let sam = self.t.resources.iter().any(|r| {
                r.id.name == function
                    && self.t.resource_type(function) == Some("AWS::Serverless::Function")
                    && r.properties().is_none_or(|p| p.get("Role").is_none())
            });
            return sam.then_some(("role", "RoleName", false));
        };
        IAM_ENTITIES
            .iter()
            .find(|e| e.3 == ty)
            .map(|&(kind, _, _, _, prop, ref_is_arn)| (kind, prop, ref_is_arn))
    }

    /// `Fn::GetAtt` of a bucket, or the `Arn` of an IAM entity; other resources'
    /// attributes are unknown.
    fn attribute(&self, res: &str, attr: &str, span: Option<Span>) -> Node {
        if let Some((kind, prop, _)) = self.iam_entity(res)
            && attr == "Arn"
        {
            return Node::str(
                crate::terraform::eval::iam_arn(kind, &self.iam_name(res, kind, prop)),
                span,
            );
        }
        if self.t.resource_type(res) != Some("AWS::S3::Bucket") {
            return Node::unknown(span);
        }
        let name = Text::hole(Hole::BucketName(self.bucket_ref(res)));
        let mut t = Text::default();
        match attr {
            "Arn" => return Node::str(crate::terraform::eval::bucket_arn(&name), span),
            "DomainName" => {
                t.push(&name);
                t.push_str(".s3.amazonaws.com");
            }
            "RegionalDomainName" | "DualStackDomainName" => {
                t.push(&name);
                t.push_str(if attr == "DualStackDomainName" {
                    ".s3.dualstack."
                } else {
                    ".s3."
                });
                t.push(&Text::hole(Hole::Region));
                t.push_str(".amazonaws.com");
            }
            _ => return Node::unknown(span),
        }
        Node::str(t, span)
    }

    /// `Fn::Sub` in both forms: `"text ${Name} ${Res.Attr} ${!Literal}"` and
    /// `["text", {Name: value}]`.
    fn sub(&self, arg: &Node, span: Option<Span>, depth: usize) -> Node {
        let (template, vars) = match &arg.kind {
            NodeKind::Str(t) => (t, None),
            NodeKind::List(items) => match items.as_slice() {
                [s, vars] => match s.as_text() {
                    Some(t) => (t, Some(vars)),
                    None => return Node::unknown(span),
                },
                _ => return Node::unknown(span),
            },
            _ => return Node::unknown(span),
        };
        let raw = template.raw();
        let mut out = Text::default();
        let mut i = 0;
        while let Some(rel) = raw[i..].find("${") {
            let open = i + rel;
            out.push(&template.slice(i..open));
            let Some(close) = raw[open..].find('}').map(|c| open + c) else {
                out.push(&template.slice(open..raw.len()));
                i = raw.len();
                break;
            };
            let name = &raw[open + 2..close];
            if let Some(literal) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(literal);
                out.push_str("}");
            } else {
                let var = vars
                    .and_then(|v| v.get(name.trim()))
                    .map(|v| self.value_at(v, depth));
                let value = var.unwrap_or_else(|| match name.trim().split_once('.') {
                    Some((res, attr)) if !name.trim().starts_with("AWS::") => {
                        self.attribute(res, attr, span)
                    }
                    _ => self.reference(name.trim(), span),
                });
                match value.to_text() {
                    Some(t) => out.push(&t),
                    None => out.push(&Text::hole(Hole::Unknown)),
                }
            }
            i = close + 1;
        }
        out.push(&template.slice(i..raw.len()));
        Node::str(out, span)
    }

    fn value_at(&self, node: &Node, depth: usize) -> Node {
        self.resolve_at(node, depth)
            .unwrap_or_else(|| Node::null(node.span))
    }

    /// A named condition: `Yes`, `No`, or `Unknown` when it depends on an atom the
    /// world does not decide.
    pub fn condition(&self, name: &str) -> Tri {
        let Some(def) = self.t.conditions.get(name) else {
            return Tri::Unknown;
        };
        if self.visiting.borrow().iter().any(|n| n == name) {
            return Tri::Unknown;
        }
        self.visiting.borrow_mut().push(name.to_string());
        let out = self.condition_expr(def, 0);
        self.visiting.borrow_mut().pop();
        out
    }

    fn condition_expr(&self, node: &Node, depth: usize) -> Tri {
        if depth > MAX_DEPTH {
            return Tri::Unknown;
        }
        let Some((key, arg)) = node.entries().first().filter(|_| node.entries().len() == 1) else {
            return node.as_bool().map_or(Tri::Unknown, Tri::from_bool);
        };
        match key.name.as_str() {
            "Condition" => arg.as_str().map_or(Tri::Unknown, |c| self.condition(c)),
            "Fn::Not" => match arg.items() {
                [c] => !self.condition_expr(c, depth + 1),
                _ => Tri::Unknown,
            },
            "Fn::And" => Tri::all(
                arg.items()
                    .iter()
                    .map(|c| self.condition_expr(c, depth + 1)),
            ),
            "Fn::Or" => Tri::any(
                arg.items()
                    .iter()
                    .map(|c| self.condition_expr(c, depth + 1)),
            ),
            "Fn::Equals" => {
                let [a, b] = arg.items() else {
                    return Tri::Unknown;
                };
                let (a, b) = (self.value_at(a, depth + 1), self.value_at(b, depth + 1));
                let eq = match (a.to_text(), b.to_text()) {
                    // CloudFormation compares the string forms.
                    (Some(x), Some(y)) if x.is_lit() && y.is_lit() => {
                        Tri::from_bool(x.raw() == y.raw())
                    }
                    _ => a.same(&b),
                };
                if eq != Tri::Unknown {
                    return eq;
                }
                let Some(atom) = node.span.map(|s| s.start) else {
                    return Tri::Unknown;
                };
                if let Some(v) = self.world.atoms.get(&atom) {
                    Tri::from_bool(*v)
                } else {
                    self.undecided.borrow_mut().insert(atom);
                    Tri::Unknown
                }
            }
            _ => Tri::Unknown,
        }
    }
}
