//! Terraform plans and states (`terraform show -json PLANFILE`, `terraform show
//! -json`) into the S3 model. Each resource instance's planned (or recorded) values
//! become a resource block of its module instance, read by the same mapper as the
//! source (`s3.rs`), so a plan is judged exactly as code is. Values only known after
//! apply, and sensitive values, are unknown: never guessed, never printed.
//!
//! Format: <https://developer.hashicorp.com/terraform/internals/json-format>
//! (`format_version` 1.x, written by Terraform 1.x and OpenTofu).

use super::ast::{Attribute, Block, Body, Expr, ExprKind, Name, ObjectKey, Op};
use super::eval::{Allowance, Budget, Evaluator, SCAN_FUEL, World};
use super::module::{Module, Registry};
use crate::json;
use crate::model::Fragment;
use crate::model::value::{Node, NodeKind};
use crate::source::{FileId, Span};
use std::collections::{BTreeMap, HashMap};

/// What `terraform show -json` wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Plan,
    State,
}

/// A plan or state that cannot be read, located in its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanError {
    pub message: String,
    pub span: Span,
}

/// A plan or state read into the model.
#[derive(Debug, Default)]
pub struct Loaded {
    pub fragment: Fragment,
    /// Attributes read as unknown because they are sensitive (never printed).
    pub sensitive: usize,
}

/// A cheap look at the text: could this be `terraform show -json` output? Both keys
/// are decided on the parsed document; a template mentioning them stays a template.
pub fn sniff(text: &str) -> bool {
    text.contains("\"terraform_version\"") && text.contains("\"format_version\"")
}

/// The kind of a parsed document, if it is a plan or a state.
fn kind_of(root: &Node) -> Option<Kind> {
    root.get("terraform_version")?;
    root.get("format_version")?;
    if root.get("planned_values").is_some() || root.get("resource_changes").is_some() {
        Some(Kind::Plan)
    } else if root.get("values").is_some() || root.entries().len() == 2 {
        // An empty state is only the two version keys.
        Some(Kind::State)
    } else {
        None
    }
}

/// What `text` is, `plan` or `state`, if it is one (without loading it).
pub fn detect(text: &str) -> Option<&'static str> {
    let parsed = json::parse(text, json::Origin::File(FileId(0))).ok()?;
    kind_of(&parsed.node).map(|k| match k {
        Kind::Plan => "plan",
        Kind::State => "state",
    })
}

/// Parses `text`; `Ok(None)` when it is JSON but not a plan or state. With
/// `prior_state`, a plan is read as the state it was planned from (`prior_state`,
/// refreshed: what is deployed now).
pub fn load(
    file: FileId,
    scope: &str,
    text: &str,
    prior_state: bool,
) -> Result<Option<(Kind, Loaded)>, PlanError> {
    let whole = Span::new(file, 0..text.len());
    let parsed = json::parse(text, json::Origin::File(file)).map_err(|e| PlanError {
        message: format!("JSON syntax error: {}", e.message),
        span: Span::new(file, e.range),
    })?;
    let root = parsed.node;
    let Some(kind) = kind_of(&root) else {
        return Ok(None);
    };
    let version = root.get("format_version").expect("checked by kind_of");
    let at = version.span.unwrap_or(whole);
    let Some(v) = version.as_str() else {
        return Err(PlanError {
            message: "`format_version` must be a string such as \"1.2\"".into(),
            span: at,
        });
    };
    if v.split('.').next() != Some("1") {
        return Err(PlanError {
            message: format!(
                "{} format {v} is not supported: bucketlint reads format 1.x (Terraform 1.x and OpenTofu)",
                if kind == Kind::Plan { "plan" } else { "state" }
            ),
            span: at,
        });
    }
    let (kind, values) = match kind {
        Kind::Plan if prior_state => (
            Kind::State,
            root.get("prior_state").and_then(|s| s.get("values")),
        ),
        Kind::Plan => (kind, root.get("planned_values")),
        Kind::State => (kind, root.get("values")),
    };
    let mut doc = Document {
        unknown: HashMap::new(),
        config: root.get("configuration"),
        sensitive: 0,
        whole,
    };
    if kind == Kind::Plan {
        for change in list(root.get("resource_changes")) {
            if let (Some(address), Some(after)) = (
                change.get("address").and_then(Node::as_str),
                change.get("change").and_then(|c| c.get("after_unknown")),
            ) {
                doc.unknown.insert(address.to_string(), after);
            }
        }
    }
    let mut modules: Vec<(String, Module)> = Vec::new();
    if let Some(root_module) = values.and_then(|v| v.get("root_module")) {
        doc.modules(scope, root_module, &mut modules);
    }
    let registry = Registry::default();
    let budget = Budget::new(SCAN_FUEL);
    let allowance = Allowance::new(&budget);
    let mut fragments = Vec::with_capacity(modules.len());
    for (address, module) in &modules {
        let ev = Evaluator::root_at(
            &registry,
            module,
            address.clone(),
            World::default(),
            allowance.clone(),
        );
        fragments.push(super::s3::load(&ev, module.units()));
    }
    Ok(Some((
        kind,
        Loaded {
            fragment: Fragment::concat(fragments),
            sensitive: doc.sensitive,
        },
    )))
}

pub(crate) fn list(n: Option<&Node>) -> &[Node] {
    match n.map(|n| &n.kind) {
        Some(NodeKind::List(items)) => items,
        _ => &[],
    }
}

struct Document<'a> {
    /// `resource_changes[].change.after_unknown` by resource instance address.
    unknown: HashMap<String, &'a Node>,
    /// The plan's `configuration`: which attributes the code sets.
    config: Option<&'a Node>,
    sensitive: usize,
    whole: Span,
}

/// `b`, `b[0]` or `b["key"]`: a resource instance's name within its module
/// instance, so that its address reads as Terraform writes it.
fn instance_name(resource: &Node) -> Option<String> {
    let name = resource.get("name")?.as_str()?;
    Some(match resource.get("index").map(|i| &i.kind) {
        None | Some(NodeKind::Null) => name.to_string(),
        Some(NodeKind::Number(n)) => format!("{name}[{n}]"),
        Some(NodeKind::Str(t)) => format!("{name}[{:?}]", t.raw()),
        Some(_) => return None,
    })
}

/// `module.a[0].module.b` into the call names `["a", "b"]`.
pub(crate) fn call_names(address: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = address;
    while let Some(after) = rest.strip_prefix("module.") {
        let end = after.find(['.', '[']).unwrap_or(after.len());
        names.push(after[..end].to_string());
        // Skip an index, which may hold dots inside its quotes.
        let mut tail = &after[end..];
        if tail.starts_with('[') {
            let close = if tail[1..].starts_with('"') {
                tail[2..].find("\"]").map(|i| i + 4)
            } else {
                tail.find(']').map(|i| i + 1)
            };
            tail = &tail[close.unwrap_or(tail.len())..];
        }
        rest = tail.strip_prefix('.').unwrap_or("");
    }
    names
}

impl<'a> Document<'a> {
    /// Every module instance under `module` (a `root_module` or a `child_modules`
    /// entry), as a module of resource blocks.
    fn modules(&mut self, scope: &str, module: &'a Node, out: &mut Vec<(String, Module)>) {
        let address = module
            .get("address")
            .and_then(Node::as_str)
            .unwrap_or("")
            .to_string();
        let config = self.config_module(&address);
        let resources: Vec<&Node> = list(module.get("resources"))
            .iter()
            .filter(|r| r.get("mode").and_then(Node::as_str) == Some("managed"))
            .collect();
        // The instance names of each resource, for references to a bucket.
        let mut names: BTreeMap<String, Vec<(Option<&Node>, String)>> = BTreeMap::new();
        for r in &resources {
            if let (Some(ty), Some(name), Some(inst)) = (
                r.get("type").and_then(Node::as_str),
                r.get("name").and_then(Node::as_str),
                instance_name(r),
            ) {
                names
                    .entry(format!("{ty}.{name}"))
                    .or_default()
                    .push((r.get("index"), inst));
            }
        }
        let blocks: Vec<Block> = resources
            .iter()
            .filter_map(|r| self.block(r, config, &names))
            .collect();
        let body = Body {
            attrs: Vec::new(),
            blocks,
            span: module.span.unwrap_or(self.whole),
            json: true,
        };
        out.push((address, Module::new(scope.to_string(), vec![body])));
        for child in list(module.get("child_modules")) {
            self.modules(scope, child, out);
        }
    }

    /// The `configuration` module of a module instance address.
    fn config_module(&self, address: &str) -> Option<&'a Node> {
        let mut m = self.config?.get("root_module")?;
        for name in call_names(address) {
            m = m.get("module_calls")?.get(&name)?.get("module")?;
        }
        Some(m)
    }

    /// One resource instance as a resource block.
    fn block(
        &mut self,
        r: &'a Node,
        config: Option<&'a Node>,
        names: &BTreeMap<String, Vec<(Option<&Node>, String)>>,
    ) -> Option<Block> {
        let ty = r.get("type")?.as_str()?;
        let name = r.get("name")?.as_str()?;
        let address = r.get("address")?;
        let header = address.span.unwrap_or(self.whole);
        let values = r.get("values");
        let span = values.and_then(|v| v.span).unwrap_or(header);
        let unknown = address.as_str().and_then(|a| self.unknown.get(a).copied());
        let sensitive = r.get("sensitive_values");
        // The code's expressions of this resource: an attribute that is unknown but
        // not set in the code is computed by the provider from other resources (a v4
        // bucket's `versioning` reflects `aws_s3_bucket_versioning`): absent, as in
        // the code. Without the configuration, unknown stays unknown.
        let expressions = config.and_then(|m| {
            list(m.get("resources"))
                .iter()
                .find(|c| c.get("address").and_then(Node::as_str) == Some(&format!("{ty}.{name}")))
                .and_then(|c| c.get("expressions"))
        });
        let mut keys: Vec<(&str, Option<&Node>, Option<Span>)> = values
            .map(|v| {
                v.entries()
                    .iter()
                    .map(|(k, v)| (k.name.as_str(), Some(v), k.span))
                    .collect()
            })
            .unwrap_or_default();
        for (k, _) in unknown.map(Node::entries).unwrap_or_default() {
            if !keys.iter().any(|(n, _, _)| *n == k.name) {
                keys.push((k.name.as_str(), None, None));
            }
        }
        let mut attrs = Vec::with_capacity(keys.len());
        for (key, value, key_span) in keys {
            if ty == "aws_s3_bucket" && key == "grant" && value.is_some_and(owner_grant_only) {
                continue;
            }
            let u = unknown.and_then(|u| u.get(key));
            let s = sensitive.and_then(|s| s.get(key));
            let set_in_code = expressions.is_none_or(|e| e.get(key).is_some());
            if is_true(u) && !set_in_code {
                continue;
            }
            let at = value.and_then(|v| v.span).or(key_span).unwrap_or(header);
            let mut expr = self.expr(value, u, s, at);
            if key == "bucket"
                && ty != "aws_s3_bucket"
                && matches!(expr.kind, ExprKind::Call { .. })
                && let Some(e) = expressions.and_then(|e| e.get("bucket"))
                && let Some(reference) = bucket_reference(e, r.get("index"), names, at)
            {
                expr = reference;
            }
            attrs.push(Attribute {
                key: key.into(),
                key_span: key_span.unwrap_or(at),
                value: expr,
            });
        }
        let labels: Vec<Name> = vec![ty.into(), instance_name(r)?.into()];
        Some(Block {
            ident: "resource".into(),
            labels,
            body: Body {
                attrs,
                blocks: Vec::new(),
                span,
                json: true,
            },
            header,
            span: r.span.unwrap_or(header),
        })
    }

    /// A value as a literal expression; unknown (`after_unknown`) and sensitive
    /// parts become an expression whose value is unknown.
    fn expr(
        &mut self,
        value: Option<&Node>,
        unknown: Option<&Node>,
        sensitive: Option<&Node>,
        at: Span,
    ) -> Expr {
        if is_true(sensitive) {
            self.sensitive += 1;
            return unknown_expr(at);
        }
        if is_true(unknown) {
            return unknown_expr(at);
        }
        let Some(value) = value else {
            return unknown_expr(at);
        };
        let span = value.span.unwrap_or(at);
        let kind = match &value.kind {
            NodeKind::Null | NodeKind::Json(_) | NodeKind::Unknown => ExprKind::Null,
            NodeKind::Bool(b) => ExprKind::Bool(*b),
            NodeKind::Number(n) => ExprKind::Number(*n),
            NodeKind::Str(t) => ExprKind::Str(t.clone()),
            NodeKind::List(items) => {
                // `after_unknown` lists only the elements it knows about.
                let mut out: Vec<Expr> = items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        self.expr(Some(item), index(unknown, i), index(sensitive, i), span)
                    })
                    .collect();
                let more = list(unknown).len().saturating_sub(items.len());
                out.extend((0..more).map(|_| unknown_expr(span)));
                ExprKind::Array(out)
            }
            NodeKind::Map(entries) => {
                let mut out: Vec<(ObjectKey, Expr)> = entries
                    .iter()
                    .map(|(k, v)| {
                        let key_span = k.span.unwrap_or(span);
                        (
                            ObjectKey::Ident(k.name.as_str().into(), key_span),
                            self.expr(
                                Some(v),
                                unknown.and_then(|u| u.get(&k.name)),
                                sensitive.and_then(|s| s.get(&k.name)),
                                span,
                            ),
                        )
                    })
                    .collect();
                for (k, u) in unknown.map(Node::entries).unwrap_or_default() {
                    if is_true(Some(u)) && !entries.iter().any(|(e, _)| e.name == k.name) {
                        out.push((
                            ObjectKey::Ident(k.name.as_str().into(), span),
                            unknown_expr(span),
                        ));
                    }
                }
                ExprKind::Object(out)
            }
        };
        Expr { kind, span }
    }
}

/// A bucket's ACL always grants its owner `FULL_CONTROL`, and a provider v4+ state
/// records that grant in the bucket's `grant`: alone, it is the default private ACL,
/// which the code leaves unwritten.
fn owner_grant_only(grants: &Node) -> bool {
    let [g] = list(Some(grants)) else {
        return false;
    };
    let permissions: Vec<&str> = list(g.get("permissions"))
        .iter()
        .filter_map(Node::as_str)
        .collect();
    g.get("type").and_then(Node::as_str) == Some("CanonicalUser") && permissions == ["FULL_CONTROL"]
}

fn is_true(n: Option<&Node>) -> bool {
    matches!(n.map(|n| &n.kind), Some(NodeKind::Bool(true)))
}

fn index(n: Option<&Node>, i: usize) -> Option<&Node> {
    list(n).get(i)
}

/// An expression whose value is unknown: a call no function answers to.
fn unknown_expr(span: Span) -> Expr {
    Expr {
        kind: ExprKind::Call {
            name: "known_after_apply".into(),
            args: Box::new([]),
            expand_final: false,
        },
        span,
    }
}

/// A split resource's `bucket`, unknown in the plan (a generated bucket name), as
/// the reference the code wrote (`aws_s3_bucket.b.id` in the same module instance),
/// so that it joins its bucket as in the code. The instance is the one with the
/// same index, or the only one.
fn bucket_reference(
    expression: &Node,
    own_index: Option<&Node>,
    names: &BTreeMap<String, Vec<(Option<&Node>, String)>>,
    at: Span,
) -> Option<Expr> {
    let refs: Vec<&str> = list(expression.get("references"))
        .iter()
        .filter_map(Node::as_str)
        .collect();
    let mut buckets: Vec<&str> = refs
        .iter()
        .filter_map(|r| {
            let rest = r.strip_prefix("aws_s3_bucket.")?;
            let end = rest.find(['.', '[']).unwrap_or(rest.len());
            Some(&rest[..end])
        })
        .collect();
    buckets.dedup();
    let [bucket] = buckets.as_slice() else {
        return None;
    };
    let instances = names.get(&format!("aws_s3_bucket.{bucket}"))?;
    let same = |i: Option<&Node>| match (i, own_index) {
        (Some(a), Some(b)) => a.same(b) == crate::model::value::Tri::Yes,
        _ => false,
    };
    let name = match instances.as_slice() {
        [(_, only)] => only,
        many => &many.iter().find(|(i, _)| same(*i))?.1,
    };
    let var = Expr {
        kind: ExprKind::Var("aws_s3_bucket".into()),
        span: at,
    };
    Some(Expr {
        kind: ExprKind::Traversal(
            Box::new(var),
            vec![Op::Attr(name.as_str().into()), Op::Attr("id".into())],
        ),
        span: at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_names_of_module_addresses() {
        assert!(call_names("").is_empty());
        assert_eq!(call_names("module.a"), ["a"]);
        assert_eq!(
            call_names("module.a[0].module.b[\"x.y\"].module.c"),
            ["a", "b", "c"]
        );
    }

    #[test]
    fn an_unknown_major_format_is_a_located_error() {
        let text =
            r#"{"format_version": "2.0", "terraform_version": "9.0.0", "planned_values": {}}"#;
        let err = load(FileId(0), "plan.json", text, false).unwrap_err();
        assert!(
            err.message.contains("plan format 2.0 is not supported"),
            "{err:?}"
        );
        assert_eq!(&text[err.span.range()], "\"2.0\"");
    }

    #[test]
    fn other_json_is_not_a_plan() {
        let text = r#"{"format_version": "1.0", "Resources": {}}"#;
        assert!(load(FileId(0), "t.json", text, false).unwrap().is_none());
    }
}
