//! Terraform modules: every `.tf` and `.tf.json` file of one directory, indexed, and
//! the registry of all modules of a scan with their `module` calls resolved to
//! directories (local paths, and registry or git modules that `terraform init` put
//! under `.terraform/modules`).

use super::ast::{Block, Body, Expr, ExprKind};
use std::collections::{BTreeSet, HashMap, HashSet};

/// Module nesting deeper than this is not followed (Terraform has no limit, but
/// real configurations stay within a handful of levels).
pub const MAX_MODULE_DEPTH: usize = 16;

/// A `resource` or `data` block (its two labels are the type and the name).
#[derive(Debug)]
pub struct Resource {
    pub block: Block,
}

impl Resource {
    pub fn ty(&self) -> &str {
        &self.block.labels[0]
    }

    pub fn name(&self) -> &str {
        &self.block.labels[1]
    }

    /// `aws_s3_bucket.logs` (or `data.aws_iam_policy_document.p`).
    pub fn address(&self, data: bool) -> String {
        if data {
            format!("data.{}.{}", self.ty(), self.name())
        } else {
            format!("{}.{}", self.ty(), self.name())
        }
    }

    pub fn body(&self) -> &Body {
        &self.block.body
    }
}

#[derive(Debug)]
pub struct Variable {
    pub block: Block,
}

impl Variable {
    pub fn default(&self) -> Option<&Expr> {
        self.block.body.attr("default").map(|a| &a.value)
    }

    pub fn type_expr(&self) -> Option<&Expr> {
        self.block.body.attr("type").map(|a| &a.value)
    }
}

/// A `module "name" { source = ... }` block.
#[derive(Debug)]
pub struct ModuleCall {
    pub name: String,
    pub block: Block,
}

/// Arguments of a module block that are not inputs of the module.
pub const META_ARGUMENTS: &[&str] = &[
    "source",
    "version",
    "count",
    "for_each",
    "providers",
    "depends_on",
];

impl ModuleCall {
    /// The literal `source`, if written as a plain string.
    pub fn source(&self) -> Option<&str> {
        match &self.block.body.attr("source")?.value.kind {
            ExprKind::Str(t) => t.as_lit(),
            _ => None,
        }
    }
}

#[derive(Debug, Default)]
pub struct Module {
    /// The directory, as shown to users (relative to the working directory).
    pub dir: String,
    pub variables: HashMap<String, Variable>,
    pub locals: HashMap<String, Expr>,
    pub outputs: HashMap<String, Expr>,
    pub resources: Vec<Resource>,
    pub data: Vec<Resource>,
    pub calls: Vec<ModuleCall>,
    /// Indexes of `resources` and `data` by a hash of type and name, sorted (of two
    /// blocks with one address, the later last): looked up without copying a string.
    index: Vec<(u64, u32)>,
    data_index: Vec<(u64, u32)>,
    /// A file of this module could not be parsed: what it held is missing.
    pub incomplete: bool,
    /// Resource types of blocks lost to a syntax error (the rest of their file was
    /// recovered).
    pub lost_types: Vec<String>,
}

impl Module {
    /// Builds a module from the top-level bodies of its files, in file order.
    pub fn new(dir: String, bodies: Vec<Body>) -> Module {
        let mut m = Module {
            dir,
            ..Module::default()
        };
        // Sized exactly from the start: a module is held until its roots are
        // evaluated, and a vector grown by doubling leaves its old blocks behind.
        let count = |ident: &str| {
            bodies
                .iter()
                .flat_map(|b| &b.blocks)
                .filter(|b| b.ident == ident)
                .count()
        };
        m.resources.reserve_exact(count("resource"));
        m.data.reserve_exact(count("data"));
        m.calls.reserve_exact(count("module"));
        for body in bodies {
            for block in body.blocks {
                m.add(block);
            }
        }
        m.index = sorted_index(&m.resources);
        m.data_index = sorted_index(&m.data);
        m
    }

    fn add(&mut self, block: Block) {
        match (block.ident.as_str(), block.labels.as_slice()) {
            ("resource", [_, _]) => self.resources.push(Resource { block }),
            ("data", [_, _]) => self.data.push(Resource { block }),
            ("variable", [name]) => {
                self.variables.insert(name.to_string(), Variable { block });
            }
            ("locals", []) => {
                for attr in block.body.attrs {
                    self.locals.insert(attr.key.into(), attr.value);
                }
            }
            ("output", [name]) => {
                if let Some(value) = block.body.attr("value") {
                    self.outputs.insert(name.to_string(), value.value.clone());
                }
            }
            ("module", [name]) => self.calls.push(ModuleCall {
                name: name.to_string(),
                block,
            }),
            _ => {}
        }
    }

    pub fn resource(&self, ty: &str, name: &str) -> Option<&Resource> {
        find(&self.resources, &self.index, ty, name)
    }

    pub fn data_source(&self, ty: &str, name: &str) -> Option<&Resource> {
        find(&self.data, &self.data_index, ty, name)
    }

    /// The blocks a deployment reads, numbered: its resources, then its module
    /// calls (see `s3::load`).
    pub fn units(&self) -> std::ops::Range<usize> {
        0..self.resources.len() + self.calls.len()
    }

    pub fn call(&self, name: &str) -> Option<&ModuleCall> {
        self.calls.iter().find(|c| c.name == name)
    }
}

fn sorted_index(resources: &[Resource]) -> Vec<(u64, u32)> {
    let mut index: Vec<(u64, u32)> = resources
        .iter()
        .enumerate()
        .map(|(i, r)| (address_hash(r.ty(), r.name()), i as u32))
        .collect();
    index.sort_unstable();
    index
}

/// A hash of a resource's type and name: the index compares these, and strings only
/// where two hashes are equal.
fn address_hash(ty: &str, name: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (ty, name).hash(&mut h);
    h.finish()
}

/// The last resource of `resources` with this type and name, through its sorted
/// `index`: a later block with the same address replaces an earlier one.
fn find<'m>(
    resources: &'m [Resource],
    index: &[(u64, u32)],
    ty: &str,
    name: &str,
) -> Option<&'m Resource> {
    let hash = address_hash(ty, name);
    let from = index.partition_point(|&(h, _)| h < hash);
    index[from..]
        .iter()
        .take_while(|&&(h, _)| h == hash)
        .map(|&(_, i)| &resources[i as usize])
        .filter(|r| r.ty() == ty && r.name() == name)
        .last()
}

/// Is `source` a local path (`./x`, `../x`), as Terraform defines it?
pub fn is_local(source: &str) -> bool {
    source.starts_with("./") || source.starts_with("../") || source == "." || source == ".."
}

/// `base` joined with the relative path `rel`, with `.` and `..` folded (leading
/// `..` of a path above the working directory are kept).
pub fn join(base: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = if base == "." {
        Vec::new()
    } else {
        base.split('/').collect()
    };
    let absolute = base.starts_with('/');
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => match parts.last() {
                Some(&p) if p != ".." && !p.is_empty() => {
                    parts.pop();
                }
                _ if absolute => {}
                _ => parts.push(".."),
            },
            s => parts.push(s),
        }
    }
    let joined = parts.join("/");
    if joined.is_empty() {
        ".".to_string()
    } else {
        joined
    }
}

/// `.terraform/modules/modules.json` of a root module: the directory of each
/// installed module by its key (`s3_bucket`, `vpc.subnets`).
#[derive(Debug, Default, Clone)]
pub struct Manifest {
    pub dirs: HashMap<String, String>,
}

impl Manifest {
    /// Reads a manifest's JSON; `dirs` are joined to `root`.
    pub fn parse(root: &str, json: &str) -> Option<Manifest> {
        let v: serde_json::Value = serde_json::from_str(json).ok()?;
        let mut dirs = HashMap::new();
        for m in v.get("Modules")?.as_array()? {
            let (Some(key), Some(dir)) = (
                m.get("Key").and_then(|k| k.as_str()),
                m.get("Dir").and_then(|d| d.as_str()),
            ) else {
                continue;
            };
            if key.is_empty() {
                continue;
            }
            dirs.insert(key.to_string(), join(root, &dir.replace('\\', "/")));
        }
        Some(Manifest { dirs })
    }
}

/// Every module of a scan, by directory, and the manifests of the roots that were
/// initialised.
#[derive(Debug, Default)]
pub struct Registry {
    pub modules: HashMap<String, Module>,
    pub manifests: HashMap<String, Manifest>,
}

impl Registry {
    /// The directory a module call refers to: a local path relative to the caller,
    /// or an installed module found in the root's manifest under `key` (the call's
    /// names from the root, joined with `.`).
    pub fn resolve(
        &self,
        caller_dir: &str,
        root_dir: &str,
        key: &str,
        source: &str,
    ) -> Option<String> {
        if is_local(source) {
            return Some(join(caller_dir, source));
        }
        self.manifests.get(root_dir)?.dirs.get(key).cloned()
    }

    pub fn get(&self, dir: &str) -> Option<&Module> {
        self.modules.get(dir)
    }

    /// Directories of the local modules `dir` calls.
    fn local_callees<'a>(&'a self, dir: &'a str) -> impl Iterator<Item = String> + 'a {
        self.get(dir).into_iter().flat_map(move |m| {
            m.calls
                .iter()
                .filter_map(|c| c.source().filter(|s| is_local(s)))
                .map(move |src| join(dir, src))
                .filter(move |target| target != dir)
        })
    }

    /// The root modules among the `scanned` directories: those no other scanned
    /// module calls, then, for modules only reachable through a call cycle, the
    /// first of each cycle (so a cycle is evaluated and reported, not skipped).
    pub fn roots(&self, scanned: &BTreeSet<String>) -> Vec<String> {
        let called: HashSet<String> = scanned.iter().flat_map(|d| self.local_callees(d)).collect();
        let mut roots: Vec<String> = scanned
            .iter()
            .filter(|d| !called.contains(*d))
            .cloned()
            .collect();
        let mut reached: HashSet<String> = HashSet::new();
        let mut stack: Vec<String> = roots.clone();
        loop {
            while let Some(dir) = stack.pop() {
                if reached.insert(dir.clone()) {
                    stack.extend(self.local_callees(&dir));
                }
            }
            match scanned.iter().find(|d| !reached.contains(*d)) {
                Some(orphan) => {
                    roots.push(orphan.clone());
                    stack.push(orphan.clone());
                }
                None => break,
            }
        }
        roots
    }

    /// Module calls below `root` that cannot be followed: sources that are not
    /// available locally, calls back into an enclosing module, nesting beyond
    /// [`MAX_MODULE_DEPTH`]. Each as (calling module directory, message); every
    /// module directory is visited once.
    pub fn unfollowed_calls(&self, root: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut visited = HashSet::new();
        self.walk_calls(
            root,
            root,
            "",
            &mut vec![root.to_string()],
            &mut visited,
            &mut out,
        );
        out
    }

    fn walk_calls(
        &self,
        root: &str,
        dir: &str,
        key: &str,
        path: &mut Vec<String>,
        visited: &mut HashSet<String>,
        out: &mut Vec<(String, String)>,
    ) {
        let Some(module) = self.get(dir) else {
            return;
        };
        for call in &module.calls {
            let Some(src) = call.source() else {
                continue;
            };
            let name = &call.name;
            let key = if key.is_empty() {
                name.clone()
            } else {
                format!("{key}.{name}")
            };
            let target = self
                .resolve(dir, root, &key, src)
                .filter(|d| self.get(d).is_some());
            let Some(target) = target else {
                let message = if is_local(src) {
                    format!(
                        "module \"{name}\": source {src} not found; its resources are not checked"
                    )
                } else {
                    format!(
                        "module \"{name}\": {src} is not installed under .terraform/modules (run `terraform init` to check it); its resources are not checked"
                    )
                };
                out.push((dir.to_string(), message));
                continue;
            };
            if let Some(at) = path.iter().position(|d| *d == target) {
                let cycle = path[at..].join(" -> ");
                out.push((
                    dir.to_string(),
                    format!(
                        "module \"{name}\": source {src} calls back into an enclosing module ({cycle} -> {target}); the cycle is not followed"
                    ),
                ));
                continue;
            }
            if path.len() > MAX_MODULE_DEPTH {
                out.push((
                    dir.to_string(),
                    format!(
                        "module \"{name}\": nested more than {MAX_MODULE_DEPTH} modules deep; its resources are not checked"
                    ),
                ));
                continue;
            }
            if !visited.insert(target.clone()) {
                continue;
            }
            path.push(target.clone());
            self.walk_calls(root, &target, &key, path, visited, out);
            path.pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_are_found_by_address_and_a_later_block_wins() {
        use crate::source::FileId;
        let text = r#"
resource "aws_s3_bucket" "a" { bucket = "first" }
resource "aws_s3_bucket" "b" { bucket = "other" }
data "aws_s3_bucket" "a" { bucket = "data" }
resource "aws_s3_bucket" "a" { bucket = "second" }
resource "aws_s3_bucket_policy" "a" { bucket = "policy" }
"#;
        let body = super::super::parse::parse_hcl_at(FileId(0), text, 0).unwrap();
        let m = Module::new(".".into(), vec![body]);
        let bucket = |r: Option<&Resource>| {
            r.and_then(|r| r.body().attr("bucket"))
                .and_then(|a| match &a.value.kind {
                    ExprKind::Str(t) => t.as_lit().map(str::to_string),
                    _ => None,
                })
        };
        for (found, want) in [
            (m.resource("aws_s3_bucket", "a"), "second"),
            (m.resource("aws_s3_bucket", "b"), "other"),
            (m.resource("aws_s3_bucket_policy", "a"), "policy"),
            (m.data_source("aws_s3_bucket", "a"), "data"),
        ] {
            assert_eq!(bucket(found).as_deref(), Some(want));
        }
        assert!(m.resource("aws_s3_bucket", "c").is_none());
        assert!(m.data_source("aws_s3_bucket", "b").is_none());
    }

    #[test]
    fn joining_paths() {
        assert_eq!(join("envs/prod", "../../modules/b"), "modules/b");
        assert_eq!(join("envs/prod", "./b"), "envs/prod/b");
        assert_eq!(join(".", "./b"), "b");
        assert_eq!(join("a", "../../x"), "../x");
        assert_eq!(join("../corpus/repo", "../shared"), "../corpus/shared");
        assert_eq!(join("a/b", ".."), "a");
        assert_eq!(join("/r/a", "../../../x"), "/x");
    }

    #[test]
    fn manifest_dirs_are_relative_to_the_root() {
        let m = Manifest::parse(
            "live",
            r#"{"Modules":[{"Key":"","Source":"","Dir":"."},{"Key":"s3","Source":"registry.terraform.io/terraform-aws-modules/s3-bucket/aws","Version":"4.1.0","Dir":".terraform/modules/s3"}]}"#,
        )
        .unwrap();
        assert_eq!(
            m.dirs.get("s3").map(String::as_str),
            Some("live/.terraform/modules/s3")
        );
        assert_eq!(m.dirs.len(), 1);
    }

    #[test]
    fn path_module_is_relative_to_the_root() {
        use crate::terraform::eval::relative_dir;
        assert_eq!(relative_dir("envs/prod", "modules/b"), "../../modules/b");
        assert_eq!(relative_dir("envs/prod", "envs/prod"), ".");
        assert_eq!(
            relative_dir("r", "r/.terraform/modules/s3"),
            ".terraform/modules/s3"
        );
        assert_eq!(relative_dir("../c/repo", "../c/repo/m"), "m");
    }

    #[test]
    fn local_sources() {
        assert!(is_local("./modules/b") && is_local("../shared"));
        assert!(!is_local("terraform-aws-modules/s3-bucket/aws") && !is_local("git::https://x"));
    }
}
