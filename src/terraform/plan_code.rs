//! Plan findings located in the code that declared them. When the configuration a
//! plan was made from is on disk (the plan saved in its root module's directory,
//! modules under local sources or installed in `.terraform/modules`), a finding on
//! a planned value points at the resource block, and at the attribute when the code
//! writes it; the plan's value stays as a related location. Module directories are
//! confined to the root's directory: a plan is as untrusted as the code.

use super::ast::Body;
use super::module::Manifest;
use super::parse::parse_file;
use super::plan::list;
use crate::finding::Finding;
use crate::json;
use crate::model::value::{Node, NodeKind};
use crate::source::{FileId, Sources, Span};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// A step into a planned value: an attribute or nested block, or an element.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
}

/// A resource instance of a plan, by the bytes of its object in the plan file.
struct Planned<'a> {
    start: u32,
    end: u32,
    address: String,
    module: String,
    ty: String,
    name: String,
    values: Option<&'a Node>,
}

/// Moves the findings on `plans` (plan files of this scan) to the code that
/// declared their resources, where that code is on disk. Returns the code files
/// read, with their resource, data and module blocks: their suppression comments
/// apply to the findings moved there.
pub fn relocate(
    findings: &mut [Finding],
    sources: &mut Sources,
    plans: &[FileId],
) -> Vec<(FileId, Vec<crate::suppress::Block>)> {
    let mut read = Vec::new();
    for &plan in plans {
        if !findings.iter().any(|f| f.span.file == plan) {
            continue;
        }
        let file = sources.get(plan);
        // `plan.json` named in the current directory has an empty parent.
        let root = match file.path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let Ok(parsed) = json::parse(&file.text, json::Origin::File(plan)) else {
            continue;
        };
        let doc = parsed.node;
        let mut planned = Vec::new();
        if let Some(m) = doc.get("planned_values").and_then(|v| v.get("root_module")) {
            collect(m, &mut planned);
        }
        let mut code = Code {
            root: root.clone(),
            real_root: root.canonicalize().ok(),
            config: doc.get("configuration"),
            manifest: std::fs::read_to_string(root.join(".terraform/modules/modules.json"))
                .ok()
                .and_then(|t| Manifest::parse("", &t)),
            dirs: HashMap::new(),
        };
        for f in findings.iter_mut().filter(|f| f.span.file == plan) {
            let Some(r) = planned
                .iter()
                .find(|r| (r.start..r.end).contains(&f.span.start))
            else {
                continue;
            };
            let path = r.values.map(|v| steps(v, f.span.start)).unwrap_or_default();
            let Some(span) = code.locate(sources, r, &path) else {
                continue;
            };
            let what = path.iter().fold(r.address.clone(), |mut s, step| {
                match step {
                    Step::Key(k) => {
                        s.push('.');
                        s.push_str(k);
                    }
                    Step::Index(i) => {
                        let _ = write!(s, "[{i}]");
                    }
                }
                s
            });
            let planned_at = f.span;
            f.span = span;
            f.related.push(crate::finding::Related {
                span: planned_at,
                message: format!("the planned value ({what})"),
            });
        }
        for body in code.dirs.values().flatten() {
            let blocks = body
                .blocks
                .iter()
                .filter(|b| matches!(&*b.ident, "resource" | "data" | "module"))
                .map(|b| crate::suppress::Block {
                    header: b.header,
                    span: b.span,
                    module_call: &*b.ident == "module",
                })
                .collect();
            read.push((body.span.file, blocks));
        }
    }
    read
}

fn collect<'a>(module: &'a Node, out: &mut Vec<Planned<'a>>) {
    let address = module.get("address").and_then(Node::as_str).unwrap_or("");
    for r in list(module.get("resources")) {
        let (Some(span), Some(a), Some(ty), Some(name)) = (
            r.span,
            r.get("address").and_then(Node::as_str),
            r.get("type").and_then(Node::as_str),
            r.get("name").and_then(Node::as_str),
        ) else {
            continue;
        };
        out.push(Planned {
            start: span.start,
            end: span.end,
            address: a.to_string(),
            module: address.to_string(),
            ty: ty.to_string(),
            name: name.to_string(),
            values: r.get("values"),
        });
    }
    for child in list(module.get("child_modules")) {
        collect(child, out);
    }
}

/// The path to the innermost value of `values` whose bytes hold `offset`.
fn steps(values: &Node, offset: u32) -> Vec<Step> {
    let mut out = Vec::new();
    let mut node = values;
    let holds = |n: &Node| {
        n.span
            .is_some_and(|s| s.start <= offset && offset < s.end.max(s.start + 1))
    };
    loop {
        let next = match &node.kind {
            NodeKind::Map(entries) => entries
                .iter()
                .find(|(k, v)| {
                    holds(v) || k.span.is_some_and(|s| (s.start..s.end).contains(&offset))
                })
                .map(|(k, v)| (Step::Key(k.name.clone()), v)),
            NodeKind::List(items) => items
                .iter()
                .enumerate()
                .find(|(_, v)| holds(v))
                .map(|(i, v)| (Step::Index(i), v)),
            _ => None,
        };
        match next {
            Some((step, n)) => {
                out.push(step);
                node = n;
            }
            None => return out,
        }
    }
}

struct Code<'a> {
    root: PathBuf,
    real_root: Option<PathBuf>,
    config: Option<&'a Node>,
    manifest: Option<Manifest>,
    /// Parsed module directories (none when not on disk).
    dirs: HashMap<PathBuf, Vec<Body>>,
}

impl Code<'_> {
    /// The module directory of a module instance address, inside the root.
    fn module_dir(&self, module: &str) -> Option<PathBuf> {
        let names = super::plan::call_names(module);
        if names.is_empty() {
            return Some(self.root.clone());
        }
        // Installed modules by their key (`a.b`); local sources by joining.
        if let Some(dir) = self
            .manifest
            .as_ref()
            .and_then(|m| m.dirs.get(&names.join(".")))
        {
            return self.confined(self.root.join(dir));
        }
        let mut dir = self.root.clone();
        let mut m = self.config?.get("root_module")?;
        for name in &names {
            let call = m.get("module_calls")?.get(name)?;
            let source = call.get("source")?.as_str()?;
            if !(source.starts_with("./") || source.starts_with("../")) {
                return None;
            }
            dir = dir.join(source);
            m = call.get("module")?;
        }
        self.confined(dir)
    }

    fn confined(&self, dir: PathBuf) -> Option<PathBuf> {
        let real = dir.canonicalize().ok()?;
        real.starts_with(self.real_root.as_ref()?).then_some(dir)
    }

    /// The `.tf` files of `dir`, parsed once (added to the scan's sources).
    fn bodies(&mut self, sources: &mut Sources, dir: &Path) -> &[Body] {
        self.dirs.entry(dir.to_path_buf()).or_insert_with(|| {
            let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "tf") && p.is_file())
                .collect();
            files.sort();
            let mut out = Vec::new();
            for path in files {
                let Ok(text) = crate::source::read_regular(&path) else {
                    continue;
                };
                let display = crate::source::display_path(&path, Path::new("."));
                let id = sources.add(path, display, text.clone());
                if let Ok(body) = parse_file(id, &text, false) {
                    out.push(body);
                }
            }
            out
        })
    }

    /// Where the code declares `r`'s value at `path`: the attribute, else the
    /// innermost nested block written, else the resource block.
    fn locate(&mut self, sources: &mut Sources, r: &Planned<'_>, path: &[Step]) -> Option<Span> {
        let dir = self.module_dir(&r.module)?;
        let bodies = self.bodies(sources, &dir);
        let block = bodies.iter().flat_map(|b| &b.blocks).find(|b| {
            b.ident == "resource"
                && b.labels.len() == 2
                && b.labels[0] == r.ty.as_str()
                && b.labels[1] == r.name.as_str()
        })?;
        let mut body = &block.body;
        let mut span = block.header;
        let mut i = 0;
        while let Some(Step::Key(key)) = path.get(i) {
            if let Some(a) = body.attr(key) {
                return Some(a.value.span);
            }
            let index = match path.get(i + 1) {
                Some(Step::Index(n)) => *n,
                _ => 0,
            };
            let nested: Vec<_> = body
                .blocks
                .iter()
                .filter(|b| b.ident == key.as_str())
                .collect();
            let Some(b) = nested.get(index) else {
                break;
            };
            span = b.header;
            body = &b.body;
            i += if matches!(path.get(i + 1), Some(Step::Index(_))) {
                2
            } else {
                1
            };
        }
        Some(span)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_path_to_a_value() {
        let text = r#"{"acl": "x", "rule": [{"a": 1}, {"b": [true]}]}"#;
        let n = json::parse(text, json::Origin::File(FileId(0)))
            .unwrap()
            .node;
        let at = |needle: &str| steps(&n, text.find(needle).unwrap() as u32);
        assert_eq!(at("\"x\""), [Step::Key("acl".into())]);
        assert_eq!(
            at("true"),
            [
                Step::Key("rule".into()),
                Step::Index(1),
                Step::Key("b".into()),
                Step::Index(0)
            ]
        );
    }
}
