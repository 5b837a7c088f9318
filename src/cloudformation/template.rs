//! A CloudFormation template's sections, indexed: parameters with their values,
//! conditions, mappings and resources.

use crate::model::value::{Key, Node, NodeKind, Text};
use crate::source::Span;
use std::borrow::Cow;
use std::collections::HashMap;

/// Parameter values supplied by the user (`--cfn-param`, a parameters file).
pub type ParamOverrides = HashMap<String, String>;

/// A parameter's value at deploy time, as far as it is known.
#[derive(Debug, Clone)]
pub enum Param {
    Value(Node),
    Unknown,
}

/// A resource of the template.
#[derive(Debug)]
pub struct Resource<'a> {
    pub id: &'a Key,
    pub ty: &'a str,
    pub node: &'a Node,
}

impl<'a> Resource<'a> {
    pub fn properties(&self) -> Option<&'a Node> {
        self.node.get("Properties")
    }

    /// The CDK construct path (`Stack/Bucket/Resource`) from the resource metadata.
    pub fn cdk_path(&self) -> Option<&'a str> {
        self.node.get("Metadata")?.get("aws:cdk:path")?.as_str()
    }
}

/// A problem with the template's structure that CloudFormation would reject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub message: String,
    pub span: Option<Span>,
}

#[derive(Debug)]
pub struct Template<'a> {
    /// The file (or `file#N` for the N-th document of a multi-document file).
    pub scope: String,
    pub params: HashMap<String, Param>,
    pub conditions: HashMap<&'a str, &'a Node>,
    pub mappings: Option<&'a Node>,
    pub resources: Vec<Resource<'a>>,
    pub invalid: Vec<Invalid>,
    /// Parameter values given on the command line that the template rejects (not
    /// in `AllowedValues`): a usage error, as CloudFormation would refuse them.
    pub rejected: Vec<String>,
    types: HashMap<&'a str, &'a str>,
}

/// Is this document a CloudFormation template? A top-level
/// `AWSTemplateFormatVersion`, or `Resources` with an entry whose `Type` is
/// `AWS::...`. `Transform` alone (SAM) counts too.
pub fn is_template(root: &Node) -> bool {
    if !matches!(root.kind, NodeKind::Map(_)) {
        return false;
    }
    if root.get("AWSTemplateFormatVersion").is_some() {
        return true;
    }
    let transform = root
        .get("Transform")
        .and_then(Node::as_str)
        .is_some_and(|t| t.starts_with("AWS::"));
    let typed = root.get("Resources").is_some_and(|r| {
        r.entries().iter().any(|(_, res)| {
            res.get("Type")
                .and_then(Node::as_str)
                .is_some_and(|t| t.starts_with("AWS::"))
        })
    });
    transform || typed
}

impl<'a> Template<'a> {
    pub fn new(scope: String, root: &'a Node, overrides: &ParamOverrides) -> Template<'a> {
        let mut t = Template {
            scope,
            params: HashMap::new(),
            conditions: HashMap::new(),
            mappings: root.get("Mappings"),
            resources: Vec::new(),
            invalid: Vec::new(),
            rejected: Vec::new(),
            types: HashMap::new(),
        };
        for (name, def) in root
            .get("Parameters")
            .map(Node::entries)
            .unwrap_or_default()
        {
            let given = overrides.get(&name.name);
            if let (Some(v), Some(allowed)) = (given, def.get("AllowedValues")) {
                let values: Vec<&str> = allowed.items().iter().filter_map(Node::as_str).collect();
                if !values.is_empty() && !values.contains(&v.as_str()) {
                    t.rejected.push(format!(
                        "parameter {}={v} is not one of its AllowedValues ({}) in {}: CloudFormation rejects it",
                        name.name,
                        values.join(", "),
                        t.scope
                    ));
                }
            }
            t.params.insert(name.name.clone(), param(def, given));
        }
        for (name, def) in root
            .get("Conditions")
            .map(Node::entries)
            .unwrap_or_default()
        {
            t.conditions.insert(name.name.as_str(), def);
        }
        let mut odd_types: Vec<(&str, Option<Span>)> = Vec::new();
        match root.get("Resources") {
            Some(Node {
                kind: NodeKind::Map(entries),
                ..
            }) => {
                for (id, node) in entries {
                    match node.get("Type").map(|ty| (ty, ty.as_str())) {
                        Some((_, Some(ty))) => {
                            t.types.insert(id.name.as_str(), ty);
                            t.resources.push(Resource { id, ty, node });
                        }
                        Some((ty, None)) => odd_types.push((id.name.as_str(), ty.span.or(id.span))),
                        None => t.invalid.push(Invalid {
                            message: format!("resource {} has no `Type`", id.name),
                            span: id.span,
                        }),
                    }
                }
            }
            Some(other) => t.invalid.push(Invalid {
                message: "`Resources` must be a mapping of logical IDs to resources".into(),
                span: root
                    .entries()
                    .iter()
                    .find(|(k, _)| k.name == "Resources")
                    .and_then(|(k, _)| k.span)
                    .or(other.span),
            }),
            None => {}
        }
        // One diagnostic for all of them: a preprocessor's syntax, not CloudFormation.
        if let Some((_, span)) = odd_types.first() {
            let names: Vec<&str> = odd_types.iter().map(|(n, _)| *n).collect();
            t.invalid.push(Invalid {
                message: format!(
                    "`Type` is not a string for {} ({}): this is a preprocessor's syntax (such as Rain modules), not CloudFormation; scan the processed template",
                    if names.len() == 1 { "resource" } else { "resources" },
                    names.join(", ")
                ),
                span: *span,
            });
        }
        t
    }

    pub fn resource_type(&self, id: &str) -> Option<&'a str> {
        self.types.get(id).copied()
    }
}

/// A parameter's value: the user's, else the default. SSM parameter types resolve
/// at deploy time (their default is a parameter *name*): unknown.
fn param(def: &Node, given: Option<&String>) -> Param {
    let ty = def.get("Type").and_then(Node::as_str).unwrap_or("String");
    if ty.starts_with("AWS::SSM::Parameter::Value") {
        return Param::Unknown;
    }
    let list = ty.starts_with("List<") || ty == "CommaDelimitedList";
    let value = match given {
        Some(v) => Node::str(Text::lit(v), None),
        None => match def.get("Default") {
            Some(d) => d.clone(),
            None => return Param::Unknown,
        },
    };
    if list && let Some(s) = value.as_str() {
        let items = s
            .split(',')
            .map(|p| Node::str(Text::lit(p.trim()), value.span))
            .collect();
        return Param::Value(Node::new(NodeKind::List(items), value.span));
    }
    Param::Value(value)
}

/// Expands `Fn::ForEach::Name: [Identifier, [items...], {OutputKey: template}]` loops
/// in `Resources` (the `AWS::LanguageExtensions` transform): one resource per item,
/// with `${Identifier}`, `&{Identifier}` and `{"Ref": Identifier}` replaced. Returns
/// the (possibly) expanded root and whether a loop could not be expanded (its
/// collection is not known).
pub fn expand_for_each<'a>(root: &'a Node, overrides: &ParamOverrides) -> (Cow<'a, Node>, bool) {
    let Some(resources) = root.get("Resources") else {
        return (Cow::Borrowed(root), false);
    };
    if !resources
        .entries()
        .iter()
        .any(|(k, _)| k.name.starts_with("Fn::ForEach::"))
    {
        return (Cow::Borrowed(root), false);
    }
    let params = root.get("Parameters");
    let mut incomplete = false;
    let expanded = expand_entries(resources.entries(), params, overrides, &mut incomplete, 0);
    let mut out = root.clone();
    if let NodeKind::Map(entries) = &mut out.kind {
        for (k, v) in entries.iter_mut() {
            if k.name == "Resources" {
                v.kind = NodeKind::Map(expanded.clone());
            }
        }
    }
    (Cow::Owned(out), incomplete)
}

fn expand_entries(
    entries: &[(Key, Node)],
    params: Option<&Node>,
    overrides: &ParamOverrides,
    incomplete: &mut bool,
    depth: usize,
) -> Vec<(Key, Node)> {
    let mut out = Vec::new();
    for (key, value) in entries {
        if !key.name.starts_with("Fn::ForEach::") {
            out.push((key.clone(), value.clone()));
            continue;
        }
        let items = match value.items() {
            [ident, collection, template] => ident
                .as_str()
                .zip(collection_items(collection, params, overrides))
                .map(|(i, c)| (i, c, template)),
            _ => None,
        };
        let Some((ident, collection, template)) = items.filter(|_| depth < 4) else {
            *incomplete = true;
            continue;
        };
        for item in &collection {
            let substituted: Vec<(Key, Node)> = template
                .entries()
                .iter()
                .map(|(k, v)| {
                    let name = substitute(&k.name, ident, item);
                    (Key { name, span: k.span }, replace(v, ident, item))
                })
                .collect();
            out.extend(expand_entries(
                &substituted,
                params,
                overrides,
                incomplete,
                depth + 1,
            ));
        }
    }
    out
}

/// The loop's collection: a literal list, or a list parameter.
fn collection_items(
    node: &Node,
    params: Option<&Node>,
    overrides: &ParamOverrides,
) -> Option<Vec<String>> {
    if let NodeKind::List(items) = &node.kind {
        return items
            .iter()
            .map(|i| i.to_text()?.as_lit().map(str::to_string))
            .collect();
    }
    let name = node.get("Ref")?.as_str()?;
    let raw = match overrides.get(name) {
        Some(v) => v.clone(),
        None => params?
            .get(name)?
            .get("Default")?
            .to_text()?
            .as_lit()?
            .to_string(),
    };
    Some(raw.split(',').map(|s| s.trim().to_string()).collect())
}

/// `${Identifier}` → the item; `&{Identifier}` → the item without non-alphanumerics.
fn substitute(s: &str, ident: &str, item: &str) -> String {
    let alnum: String = item.chars().filter(char::is_ascii_alphanumeric).collect();
    s.replace(&format!("${{{ident}}}"), item)
        .replace(&format!("&{{{ident}}}"), &alnum)
}

fn replace(node: &Node, ident: &str, item: &str) -> Node {
    match &node.kind {
        NodeKind::Str(t) => match t.as_lit() {
            Some(s) if s.contains(ident) => {
                let new = substitute(s, ident, item);
                match node.span {
                    Some(span) => Node::str(Text::lit_at(&new, span, false), Some(span)),
                    None => Node::str(Text::lit(&new), None),
                }
            }
            _ => node.clone(),
        },
        NodeKind::Map(entries) => {
            if let [(k, v)] = entries.as_slice()
                && k.name == "Ref"
                && v.as_str() == Some(ident)
            {
                return Node::str(Text::lit(item), node.span);
            }
            Node::new(
                NodeKind::Map(
                    entries
                        .iter()
                        .map(|(k, v)| {
                            (
                                Key {
                                    name: substitute(&k.name, ident, item),
                                    span: k.span,
                                },
                                replace(v, ident, item),
                            )
                        })
                        .collect(),
                ),
                node.span,
            )
        }
        NodeKind::List(items) => Node::new(
            NodeKind::List(items.iter().map(|i| replace(i, ident, item)).collect()),
            node.span,
        ),
        _ => node.clone(),
    }
}
