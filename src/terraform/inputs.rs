//! Variable values of a root module from outside its configuration, in Terraform's
//! precedence (later wins): `TF_VAR_name` environment variables, `terraform.tfvars`,
//! `terraform.tfvars.json`, `*.auto.tfvars[.json]` in lexical order, then
//! `--var-file` and `--var` in command-line order.

use super::ast::{Body, Expr, ExprKind};
use super::eval::{Ctx, Evaluator, World};
use super::module::{Module, Registry, Variable};
use crate::model::value::{Node, Text};
use crate::source::FileId;
use std::collections::HashMap;

/// Values given on the command line and in the environment.
#[derive(Debug, Clone, Default)]
pub struct CliVars {
    /// `TF_VAR_name` environment variables (name without the prefix, value).
    pub env: Vec<(String, String)>,
    /// `--var NAME=VALUE`, in order.
    pub vars: Vec<(String, String)>,
}

/// Is this a tfvars file Terraform loads automatically for a root module?
pub fn is_auto_tfvars(file_name: &str) -> bool {
    matches!(file_name, "terraform.tfvars" | "terraform.tfvars.json")
        || file_name.ends_with(".auto.tfvars")
        || file_name.ends_with(".auto.tfvars.json")
}

/// The order Terraform applies automatic tfvars files in.
pub fn auto_order(file_name: &str) -> (u8, String) {
    let rank = match file_name {
        "terraform.tfvars" => 0,
        "terraform.tfvars.json" => 1,
        _ => 2,
    };
    (rank, file_name.to_string())
}

/// Evaluates a constant expression (tfvars values, `-var` values): literals,
/// templates without references, and functions.
pub fn constant(expr: &Expr) -> Node {
    let registry = Registry::default();
    let module = Module::default();
    let ev = Evaluator::root(
        &registry,
        &module,
        HashMap::new(),
        World::default(),
        Vec::new(),
    );
    ev.value(expr, &Ctx::default())
}

/// The values a root module's variables get: `tfvars` are the bodies of its
/// automatic tfvars files in order, then of `--var-file` files in order.
pub fn root_inputs(module: &Module, tfvars: &[&Body], cli: &CliVars) -> HashMap<String, Node> {
    let mut out: HashMap<String, Node> = HashMap::new();
    let declared = |name: &str| module.variables.get(name);
    for (name, raw) in &cli.env {
        if let Some(var) = declared(name) {
            out.insert(name.clone(), from_string(var, raw));
        }
    }
    for body in tfvars {
        for attr in &body.attrs {
            if declared(&attr.key).is_some() {
                out.insert(attr.key.to_string(), constant(&attr.value));
            }
        }
    }
    for (name, raw) in &cli.vars {
        if let Some(var) = declared(name) {
            out.insert(name.clone(), from_string(var, raw));
        }
    }
    out
}

/// A value given as a string (`-var`, `TF_VAR_`): the string itself for primitive
/// types, an HCL expression for collection types, as Terraform reads them.
fn from_string(var: &Variable, raw: &str) -> Node {
    let complex = var.type_expr().is_some_and(|t| match &t.kind {
        ExprKind::Var(name) => name == "any",
        ExprKind::Call { .. } => true,
        _ => false,
    });
    if complex {
        if let Ok(body) = super::parse::parse_file(FileId(u32::MAX), &format!("v = {raw}\n"), false)
            && let Some(attr) = body.attr("v")
        {
            return constant(&attr.value).without_spans();
        }
        return Node::unknown(None);
    }
    Node::str(Text::lit(raw), None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::value::NodeKind;
    use crate::terraform::parse::parse_file;

    fn module(src: &str) -> Module {
        Module::new("m".into(), vec![parse_file(FileId(0), src, false).unwrap()])
    }

    #[test]
    fn precedence_env_then_files_then_cli() {
        let m = module(
            "variable \"a\" {}\nvariable \"b\" {}\nvariable \"c\" {}\nvariable \"d\" { type = list(string) }\n",
        );
        let f1 = parse_file(FileId(1), "a = \"file1\"\nb = \"file1\"\n", false).unwrap();
        let f2 = parse_file(FileId(2), "b = \"file2\"\n", false).unwrap();
        let cli = CliVars {
            env: vec![("a".into(), "env".into()), ("c".into(), "env".into())],
            vars: vec![
                ("b".into(), "cli".into()),
                ("d".into(), "[\"x\", \"y\"]".into()),
            ],
        };
        let v = root_inputs(&m, &[&f1, &f2], &cli);
        assert_eq!(v["a"].as_str(), Some("file1"));
        assert_eq!(v["b"].as_str(), Some("cli"));
        assert_eq!(v["c"].as_str(), Some("env"));
        assert!(matches!(&v["d"].kind, NodeKind::List(items) if items.len() == 2));
    }

    #[test]
    fn automatic_files() {
        let mut names = vec![
            "b.auto.tfvars",
            "terraform.tfvars.json",
            "a.auto.tfvars.json",
            "terraform.tfvars",
        ];
        assert!(names.iter().all(|n| is_auto_tfvars(n)));
        assert!(!is_auto_tfvars("prod.tfvars"));
        names.sort_by_key(|n| auto_order(n));
        assert_eq!(
            names,
            [
                "terraform.tfvars",
                "terraform.tfvars.json",
                "a.auto.tfvars.json",
                "b.auto.tfvars"
            ]
        );
    }
}
