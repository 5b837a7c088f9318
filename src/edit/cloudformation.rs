//! CloudFormation edits in JSON and YAML: set a resource property, replacing a literal
//! or inserting what is missing, in the style around it (block or flow mapping,
//! indentation, the file's line breaks). Values written with intrinsics are left
//! alone.

use super::{Fixer, indent_at, line_end, newline};
use crate::cloudformation::parse::{Format, parse, sniff};
use crate::finding::Edit;
use crate::model::value::{Node, NodeKind};
use crate::source::{FileId, Span};

/// A value to write.
#[derive(Debug, Clone, PartialEq)]
pub enum V {
    Bool(bool),
    Str(String),
    Map(Vec<(String, V)>),
    List(Vec<V>),
    /// `Fn::Sub` of a string.
    Sub(String),
    /// `Ref` to a logical ID or parameter.
    Ref(String),
}

/// A string value.
pub fn s(text: &str) -> V {
    V::Str(text.into())
}

/// A mapping of `entries`.
pub fn map<const N: usize>(entries: [(&str, V); N]) -> V {
    V::Map(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

impl V {
    /// The scalar as written bare (for [`Fixer::replace_literal`]).
    fn bare(&self) -> Option<String> {
        match self {
            V::Bool(b) => Some(b.to_string()),
            V::Str(s) => Some(s.clone()),
            V::Map(_) | V::List(_) | V::Sub(_) | V::Ref(_) => None,
        }
    }

    /// On one line: JSON, which is also YAML flow style.
    fn flow(&self) -> String {
        match self {
            V::Bool(b) => b.to_string(),
            V::Str(s) => serde_json::to_string(s).unwrap_or_default(),
            V::Map(entries) => {
                let items: Vec<String> = entries
                    .iter()
                    .map(|(k, v)| format!("{}: {}", V::Str(k.clone()).flow(), v.flow()))
                    .collect();
                format!("{{{}}}", items.join(", "))
            }
            V::List(items) => {
                let items: Vec<String> = items.iter().map(V::flow).collect();
                format!("[{}]", items.join(", "))
            }
            V::Sub(text) => format!("{{\"Fn::Sub\": {}}}", V::Str(text.clone()).flow()),
            V::Ref(id) => format!("{{\"Ref\": {}}}", V::Str(id.clone()).flow()),
        }
    }

    /// JSON over lines, the first at the current position, nested ones at `indent`
    /// plus `step` (also for JSON outside a template: a Terraform heredoc).
    pub fn json(&self, indent: &str, step: &str, nl: &str) -> String {
        let inner = format!("{indent}{step}");
        match self {
            V::Map(entries) if !entries.is_empty() => {
                let items: Vec<String> = entries
                    .iter()
                    .map(|(k, v)| {
                        format!(
                            "{inner}{}: {}",
                            V::Str(k.clone()).flow(),
                            v.json(&inner, step, nl)
                        )
                    })
                    .collect();
                format!("{{{nl}{}{nl}{indent}}}", items.join(&format!(",{nl}")))
            }
            V::List(items) if !items.is_empty() => {
                let items: Vec<String> = items
                    .iter()
                    .map(|v| format!("{inner}{}", v.json(&inner, step, nl)))
                    .collect();
                format!("[{nl}{}{nl}{indent}]", items.join(&format!(",{nl}")))
            }
            _ => self.flow(),
        }
    }

    /// A YAML block-style entry `key: value` at `indent`.
    fn yaml_entry(&self, key: &str, indent: &str, step: &str, nl: &str) -> String {
        match self {
            V::Map(entries) if !entries.is_empty() => {
                let inner = format!("{indent}{step}");
                let items: Vec<String> = entries
                    .iter()
                    .map(|(k, v)| v.yaml_entry(k, &inner, step, nl))
                    .collect();
                format!("{indent}{key}:{nl}{}", items.join(nl))
            }
            V::List(items) if !items.is_empty() => {
                let inner = format!("{indent}{step}");
                let items: Vec<String> = items
                    .iter()
                    .map(|v| v.yaml_item(&inner, step, nl))
                    .collect();
                format!("{indent}{key}:{nl}{}", items.join(nl))
            }
            _ => format!("{indent}{key}: {}", self.yaml_scalar()),
        }
    }

    fn yaml_scalar(&self) -> String {
        match self {
            V::Str(s) if is_plain(s) => s.clone(),
            V::Sub(text) => format!("!Sub '{}'", text.replace('\'', "''")),
            V::Ref(id) => format!("!Ref {id}"),
            other => other.flow(),
        }
    }

    /// A YAML block sequence item `- value` at `indent`.
    fn yaml_item(&self, indent: &str, step: &str, nl: &str) -> String {
        let deeper = format!("{indent}  ");
        match self {
            V::Map(entries) if !entries.is_empty() => {
                let lines: Vec<String> = entries
                    .iter()
                    .map(|(k, v)| v.yaml_entry(k, &deeper, step, nl))
                    .collect();
                format!("{indent}- {}", &lines.join(nl)[deeper.len()..])
            }
            _ => format!("{indent}- {}", self.yaml_scalar()),
        }
    }
}

/// A string YAML reads back as the same string without quotes: no indicator
/// first, no `: ` or ` #`, nothing YAML 1.1 reads as a boolean, number or date.
fn is_plain(s: &str) -> bool {
    let reserved = [
        "true", "false", "yes", "no", "on", "off", "null", "~", "y", "n",
    ];
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/' | ':' | '*'))
        && !s.starts_with(|c: char| c.is_ascii_digit() || matches!(c, '-' | '.' | ':' | '*'))
        && !s.ends_with(':')
        && !reserved.iter().any(|r| r.eq_ignore_ascii_case(s))
}

/// Is this mapping an intrinsic function (`Ref`, `Fn::If`, `!Sub` and the like)?
fn intrinsic(node: &Node) -> bool {
    match &node.kind {
        NodeKind::Map(entries) => {
            entries.len() == 1
                && entries.first().is_some_and(|(k, _)| {
                    k.name == "Ref" || k.name.starts_with("Fn::") || k.name == "Condition"
                })
        }
        _ => false,
    }
}

/// Where the text of a value ends: its last scalar (a block collection's own end
/// may lie on a later line).
fn value_end(node: &Node) -> Option<usize> {
    match &node.kind {
        NodeKind::Map(entries) if !entries.is_empty() && !intrinsic(node) => {
            value_end(&entries.last()?.1)
        }
        NodeKind::List(items) if !items.is_empty() => value_end(items.last()?),
        _ => node.span.map(|s| s.end as usize),
    }
}

/// The resource of the `Resources` mapping whose logical ID is written at `decl`
/// (the entries are in document order: a binary search, not a scan per finding).
fn resource_at(resources: &Node, decl: Span) -> Option<&Node> {
    let NodeKind::Map(entries) = &resources.kind else {
        return None;
    };
    let i = entries
        .binary_search_by_key(&decl.start, |(k, _)| k.span.map_or(0, |s| s.start))
        .ok()?;
    let (k, v) = &entries[i];
    (k.span == Some(decl)).then_some(v)
}

/// The end of the text's content at or before `end`: a block scalar's span takes in
/// the line breaks after it, up to the next key.
fn content_end(text: &str, end: usize) -> usize {
    text[..end].trim_end().len()
}

impl Fixer<'_> {
    /// The template's documents, when it parses.
    fn template(&self, file: FileId) -> Option<&Node> {
        let slot = self.templates.get(file.0 as usize)?;
        slot.get_or_init(|| {
            let text = self.text(file);
            let mut docs = parse(file, text, sniff(text)).ok()?.documents;
            // One tree for every document (a template has one).
            Some(Node::new(NodeKind::List(std::mem::take(&mut docs)), None))
        })
        .as_ref()
    }

    /// The resource whose logical ID is written at `decl`.
    pub fn cfn_resource(&self, decl: Span) -> Option<&Node> {
        if !self.editable(decl.file) {
            return None;
        }
        let NodeKind::List(docs) = &self.template(decl.file)?.kind else {
            return None;
        };
        docs.iter()
            .filter_map(|d| d.get("Resources"))
            .find_map(|r| resource_at(r, decl))
            .filter(|v| matches!(v.kind, NodeKind::Map(_)) && !intrinsic(v))
    }

    /// Sets `Properties.<path>` of the resource declared at `decl` to `value`: a literal
    /// in `old` is replaced, what is missing inserted; a value written with an
    /// intrinsic (or any other way) is left alone.
    pub fn cfn_set(&self, decl: Span, path: &[&str], old: &[&str], value: V) -> Option<Edit> {
        let resource = self.cfn_resource(decl)?;
        let full: Vec<&str> = std::iter::once("Properties")
            .chain(path.iter().copied())
            .collect();
        let mut cur = resource;
        for (i, key) in full.iter().enumerate() {
            match cur.get(key) {
                Some(found) if i + 1 == full.len() => {
                    return match found.kind {
                        NodeKind::Map(_) | NodeKind::List(_) => None,
                        _ => self.replace_literal(found.span?, old, &value.bare()?),
                    };
                }
                Some(found) if matches!(found.kind, NodeKind::Map(_)) && !intrinsic(found) => {
                    cur = found;
                }
                Some(_) => return None,
                None => {
                    let nested = full[i + 1..]
                        .iter()
                        .rev()
                        .fold(value, |v, k| V::Map(vec![((*k).to_string(), v)]));
                    return self.cfn_insert(cur, key, &nested, decl);
                }
            }
        }
        None
    }

    /// Appends `item` to the sequence `list` of the template holding `decl`, in its
    /// style (block or flow, indentation).
    pub fn cfn_append(&self, list: &Node, item: &V, decl: Span) -> Option<Edit> {
        let file = decl.file;
        let text = self.text(file);
        let src = self.source(file);
        let nl = newline(src);
        let NodeKind::List(items) = &list.kind else {
            return None;
        };
        let last = items.last()?;
        let first = items.first()?.span?;
        let span = list.span?;
        let json = matches!(sniff(text), Format::Json);
        let flow = json || text[span.start as usize..].starts_with('[');
        let step = indent_step(src, decl);
        let (at, inserted) = if flow {
            let end = last.span?.end as usize;
            if src.lines().line_of(span.start as usize) == src.lines().line_of(end) {
                (end, format!(", {}", item.flow()))
            } else {
                let indent = indent_at(src, first.start as usize);
                (
                    end,
                    format!(",{nl}{indent}{}", item.json(indent, &step, nl)),
                )
            }
        } else {
            // The column of the first item's `- `.
            let dash = text[..first.start as usize].rfind('-')?;
            let column = dash - super::line_start(src, dash);
            let indent = " ".repeat(column);
            let end = content_end(text, value_end(last)?);
            (
                line_end(src, end),
                format!("{nl}{}", item.yaml_item(&indent, &step, nl)),
            )
        };
        Some(Edit {
            span: Span::new(file, at..at),
            text: inserted,
        })
    }

    /// A new resource `id` (when no resource has that ID) after the others of the
    /// template holding `decl`.
    pub fn cfn_add_resource(&self, decl: Span, id: &str, resource: &V) -> Option<Edit> {
        if !self.editable(decl.file) {
            return None;
        }
        let NodeKind::List(docs) = &self.template(decl.file)?.kind else {
            return None;
        };
        let resources = docs.iter().find_map(|d| {
            let r = d.get("Resources")?;
            resource_at(r, decl).map(|_| r)
        })?;
        if resources.get(id).is_some() {
            return None;
        }
        self.cfn_insert(resources, id, resource, decl)
    }

    /// Inserts `key: value` into the mapping `map`.
    fn cfn_insert(&self, map: &Node, key: &str, value: &V, decl: Span) -> Option<Edit> {
        let file = decl.file;
        let text = self.text(file);
        let src = self.source(file);
        let nl = newline(src);
        let json = matches!(sniff(text), Format::Json);
        let NodeKind::Map(entries) = &map.kind else {
            return None;
        };
        let step = indent_step(src, decl);
        let Some((_, last_value)) = entries.last() else {
            // An empty mapping: `{}` (JSON, YAML flow).
            let span = map.span?;
            let written = text.get(span.range())?;
            if written.trim() != "{}" {
                return None;
            }
            let entry = format!("{}: {}", V::Str(key.into()).flow(), value.flow());
            return Some(Edit {
                span,
                text: format!("{{{entry}}}"),
            });
        };
        let first_key = entries.first()?.0.span?;
        let start = map.span.map_or(first_key.start, |s| s.start) as usize;
        let flow = json || text[start..].starts_with('{');
        // After the last value: in flow style its closing bracket, in block style
        // its last scalar (a block collection's own span may end on a later line).
        let end = if flow {
            last_value.span?.end as usize
        } else {
            content_end(text, value_end(last_value)?)
        };
        let one_line = src.lines().line_of(start) == src.lines().line_of(end);
        let indent = indent_at(src, first_key.start as usize);
        let (at, inserted) = if flow && one_line {
            let k = if json {
                V::Str(key.into()).flow()
            } else {
                key.to_string()
            };
            (end, format!(", {k}: {}", value.flow()))
        } else if flow {
            let k = V::Str(key.into()).flow();
            (
                end,
                format!(",{nl}{indent}{k}: {}", value.json(indent, &step, nl)),
            )
        } else {
            (
                line_end(src, end),
                format!("{nl}{}", value.yaml_entry(key, indent, &step, nl)),
            )
        };
        Some(Edit {
            span: Span::new(file, at..at),
            text: inserted,
        })
    }
}

impl Fixer<'_> {
    /// The span of the default of the parameter that the `Ref` at `span` names.
    pub(super) fn cfn_parameter_default(&self, span: Span) -> Option<Span> {
        if self.is_hcl(span.file) {
            return None;
        }
        // Only a `Ref` (`!Ref X`, `Ref: X`, `{"Ref": "X"}`) names a parameter.
        if !self.text(span.file).get(span.range())?.contains("Ref") {
            return None;
        }
        let NodeKind::List(docs) = &self.template(span.file)?.kind else {
            return None;
        };
        // Down the nodes whose text holds the span, to the one that is it.
        let holds = |n: &&Node| {
            n.span
                .is_some_and(|s| s.start <= span.start && span.end <= s.end)
        };
        let mut stack: Vec<&Node> = docs.iter().filter(holds).collect();
        let mut name = None;
        while let Some(n) = stack.pop() {
            if n.span == Some(span) {
                name = n.get("Ref").and_then(Node::as_str);
                break;
            }
            match &n.kind {
                NodeKind::Map(entries) => {
                    stack.extend(entries.iter().map(|(_, v)| v).filter(holds));
                }
                NodeKind::List(items) => stack.extend(items.iter().filter(holds)),
                _ => {}
            }
        }
        let name = name?;
        docs.iter()
            .find_map(|d| d.get("Parameters")?.get(name)?.get("Default")?.span)
    }

    /// May the parameter whose default is written at `origin` take `value`? Not when
    /// its `AllowedValues` leave it out (anything else is not a parameter: yes).
    pub(super) fn cfn_allows(&self, origin: Span, value: &str) -> bool {
        if self.is_hcl(origin.file) {
            return true;
        }
        match self
            .parameter_with_default(origin)
            .and_then(|(_, p)| p.get("AllowedValues"))
        {
            Some(allowed) => allowed.items().iter().any(|v| v.as_str() == Some(value)),
            None => true,
        }
    }

    /// The parameter (name, declaration) whose `Default` is written at `origin`.
    fn parameter_with_default(&self, origin: Span) -> Option<(&str, &Node)> {
        let NodeKind::List(docs) = &self.template(origin.file)?.kind else {
            return None;
        };
        docs.iter()
            .filter_map(|d| match &d.get("Parameters")?.kind {
                NodeKind::Map(entries) => Some(entries),
                _ => None,
            })
            .flatten()
            .find(|(_, p)| p.get("Default").is_some_and(|d| d.span == Some(origin)))
            .map(|(k, p)| (k.name.as_str(), p))
    }

    /// Is the parameter default written at `origin` read once (one `Ref` or `${NAME}`
    /// in the template)?
    pub(super) fn cfn_used_once(&self, origin: Span) -> bool {
        let Some(NodeKind::List(docs)) = self.template(origin.file).map(|t| &t.kind) else {
            return false;
        };
        let Some((name, _)) = self.parameter_with_default(origin) else {
            return false;
        };
        let scope = format!("template {}", origin.file.0);
        let uses = self.reads(scope, name.to_string(), || count_reads(docs, name));
        uses == 1
    }
}

/// How many times the templates `docs` read parameter `name` (`Ref`, `${name}`).
fn count_reads(docs: &[Node], name: &str) -> usize {
    let sub = format!("${{{name}}}");
    let mut uses = 0;
    let mut stack: Vec<&Node> = docs.iter().collect();
    while let Some(n) = stack.pop() {
        match &n.kind {
            NodeKind::Map(entries) => {
                for (k, v) in entries {
                    if k.name == "Ref" && v.as_str() == Some(name) {
                        uses += 1;
                    }
                    stack.push(v);
                }
            }
            NodeKind::List(items) => stack.extend(items),
            NodeKind::Str(t) => uses += t.raw().matches(&sub).count(),
            _ => {}
        }
    }
    uses
}

/// The file's indentation step: how much deeper a resource's keys are than its
/// logical ID (2 when that cannot be told).
fn indent_step(src: &crate::source::SourceFile, decl: Span) -> String {
    let text = src.text.as_str();
    let id = indent_at(src, decl.start as usize).len();
    let after = line_end(src, decl.start as usize);
    let next = text[after..]
        .lines()
        .skip(1)
        .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
    let step = next
        .map(|l| l.len() - l.trim_start_matches([' ', '\t']).len())
        .filter(|&n| n > id)
        .map_or(2, |n| n - id);
    " ".repeat(step.min(8))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_scalars_are_only_those_yaml_reads_back() {
        for plain in [
            "Enabled",
            "AWS::S3::BucketPolicy",
            "aws:SecureTransport",
            "s3:*",
            "a-b.c/d",
        ] {
            assert!(is_plain(plain), "{plain}");
        }
        for quoted in [
            "*",
            "true",
            "No",
            "2012-10-17",
            "1.5",
            "a: b",
            "a:",
            "",
            "-x",
            "a #b",
        ] {
            assert!(!is_plain(quoted), "{quoted}");
        }
    }

    #[test]
    fn values_in_yaml_and_json() {
        let v = map([
            ("BlockPublicAcls", V::Bool(true)),
            (
                "Rules",
                V::List(vec![map([
                    ("SSEAlgorithm", s("AES256")),
                    ("Key", s("true")),
                ])]),
            ),
        ]);
        assert_eq!(
            v.yaml_entry("P", "  ", "  ", "\n"),
            "  P:\n    BlockPublicAcls: true\n    Rules:\n      - SSEAlgorithm: AES256\n        Key: \"true\""
        );
        assert_eq!(
            v.json("  ", "  ", "\n"),
            "{\n    \"BlockPublicAcls\": true,\n    \"Rules\": [\n      {\n        \"SSEAlgorithm\": \"AES256\",\n        \"Key\": \"true\"\n      }\n    ]\n  }"
        );
        assert_eq!(
            v.flow(),
            "{\"BlockPublicAcls\": true, \"Rules\": [{\"SSEAlgorithm\": \"AES256\", \"Key\": \"true\"}]}"
        );
    }
}
