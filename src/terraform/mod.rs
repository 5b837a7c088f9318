//! The Terraform front end: `.tf` and `.tf.json` files, one module per directory,
//! evaluated from each root module through its module calls into the S3 model.

pub mod ast;
pub mod eval;
#[cfg(test)]
mod for_newlines;
pub mod functions;
pub mod hcl;
#[cfg(test)]
mod hcl_edit_reference;
pub mod inputs;
pub mod module;
pub mod parse;
pub mod plan;
pub mod plan_code;
pub mod policy_document;
pub mod prefilter;
pub mod recover;
pub mod s3;
pub mod types;

use crate::model::Fragment;
use crate::model::value::{Node, assignments};
use eval::{Evaluator, World};
use module::Registry;
use rayon::prelude::*;
use std::collections::{BTreeSet, HashMap};
use std::ops::Range;
use std::path::PathBuf;

/// Undecided conditionals explored exhaustively per deployment (2^4 = 16
/// evaluations); beyond, the rest stay unknown.
const MAX_ATOMS: usize = 4;

/// A root module's deployment, evaluated.
#[derive(Debug, Default)]
pub struct Deployment {
    /// With every undecided conditional unknown.
    pub base: Fragment,
    /// One fragment per assignment of the undecided conditionals (empty when there
    /// are none): a finding holds only if it holds in each world in which its
    /// resource exists.
    pub worlds: Vec<Fragment>,
    /// Evaluation limits reached (see [`Evaluator::limits`]).
    pub limits: Vec<String>,
}

/// A root's blocks are evaluated in slices of about this weight (a resource the
/// model reads weighs 1, a module call [`CALL_WEIGHT`]), at most [`MAX_SLICES`]: below
/// it, what a slice evaluates again (variables, locals) costs more than the thread
/// saves. The slices depend on the code only, so every machine finds the same.
const SLICE_WEIGHT: usize = 1024;
const CALL_WEIGHT: usize = 64;
const MAX_SLICES: usize = 8;

/// The root's blocks (resources, then module calls, numbered in that order) cut
/// into contiguous slices of about equal weight.
fn slices(module: &module::Module) -> Vec<Range<usize>> {
    let weights: Vec<usize> = module
        .resources
        .iter()
        .map(|r| usize::from(s3::relevant(r.ty())))
        .chain(module.calls.iter().map(|_| CALL_WEIGHT))
        .collect();
    let total: usize = weights.iter().sum();
    let n = (total / SLICE_WEIGHT).clamp(1, MAX_SLICES);
    let target = total.div_ceil(n);
    let mut out = Vec::with_capacity(n);
    let (mut start, mut acc) = (0, 0);
    for (i, w) in weights.iter().enumerate() {
        acc += w;
        if acc >= target && out.len() + 1 < n {
            out.push(start..i + 1);
            (start, acc) = (i + 1, 0);
        }
    }
    out.push(start..weights.len());
    out
}

/// Evaluates the root module in `dir` with its variable values (`inputs`), every
/// module instance it creates included. `readable` bounds what `file()` may read.
pub fn load_root<S: std::hash::BuildHasher + Sync>(
    registry: &Registry,
    dir: &str,
    inputs: &HashMap<String, Node, S>,
    readable: &[PathBuf],
    budget: &eval::Budget,
    assume_created: bool,
) -> Deployment {
    let Some(module) = registry.get(dir) else {
        return Deployment::default();
    };
    let slices = slices(module);
    // Each slice of the root's blocks on its own evaluator: evaluators are not shared
    // between threads, and a slice evaluates again only what it shares with another
    // (variables, locals, a referenced resource). Concatenated in block order, the
    // slices give the fragment one evaluator would.
    let run = |world: World| {
        // One allowance per evaluation of the deployment, shared by its slices.
        let allowance = eval::Allowance::new(budget);
        let parts: Vec<_> = slices
            .par_iter()
            .map(|units| {
                let inputs: HashMap<String, Node> =
                    inputs.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
                let ev = Evaluator::root_in(
                    registry,
                    module,
                    inputs,
                    world.clone(),
                    readable.to_vec(),
                    allowance.clone(),
                );
                let fragment = s3::load(&ev, units.clone());
                (fragment, ev.undecided(), ev.limits())
            })
            .collect();
        let mut fragments = Vec::with_capacity(parts.len());
        let mut undecided = BTreeSet::new();
        let mut limits = BTreeSet::new();
        for (f, u, l) in parts {
            fragments.push(f);
            undecided.extend(u);
            limits.extend(l);
        }
        let fragment = Fragment::concat(fragments);
        (fragment, undecided, limits.into_iter().collect::<Vec<_>>())
    };
    let (base, atoms, limits) = run(World {
        assume_created,
        ..World::default()
    });
    let atoms: Vec<eval::Atom> = atoms.into_iter().collect();
    // Worlds are independent evaluations: in parallel (up to 16 of them).
    let worlds = assignments(&atoms, MAX_ATOMS)
        .into_par_iter()
        .map(|atoms| {
            run(World {
                atoms,
                assume_created,
            })
            .0
        })
        .collect();
    Deployment {
        base,
        worlds,
        limits,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;
    use module::Module;
    use parse::parse_file;
    use std::fmt::Write;

    /// A root large enough to be cut into slices, whose blocks refer across slice
    /// boundaries (a policy names a bucket declared far away, locals and variables
    /// are shared, a conditional is undecided), and that calls a module.
    fn big_root() -> Registry {
        let mut src = String::from(
            "variable \"env\" {}\nlocals {\n  prefix = \"acme-${var.env}\"\n  status = var.env == \"prod\" ? \"Enabled\" : \"Suspended\"\n}\nmodule \"child\" {\n  source = \"./child\"\n  count  = 3\n  name   = \"${local.prefix}-child-${count.index}\"\n}\n",
        );
        let n = 1500;
        for i in 0..n {
            let far = (i + 700) % n;
            let _ = write!(
                src,
                "resource \"aws_s3_bucket\" \"b{i}\" {{\n  bucket = \"${{local.prefix}}-{i}\"\n}}\nresource \"aws_s3_bucket_versioning\" \"b{i}\" {{\n  bucket = aws_s3_bucket.b{i}.id\n  versioning_configuration {{\n    status = local.status\n  }}\n}}\nresource \"aws_s3_bucket_policy\" \"b{i}\" {{\n  bucket = aws_s3_bucket.b{far}.id\n  policy = jsonencode({{ Statement = [{{ Effect = \"Allow\", Principal = \"*\", Action = \"s3:GetObject\", Resource = \"${{aws_s3_bucket.b{i}.arn}}/*\" }}] }})\n}}\n"
            );
        }
        let child = "variable \"name\" {}\nresource \"aws_s3_bucket\" \"c\" {\n  bucket = var.name\n  acl    = \"public-read\"\n}\n";
        let mut registry = Registry::default();
        for (dir, text) in [("big", src.as_str()), ("big/child", child)] {
            let body = parse_file(FileId(0), text, false).unwrap();
            registry
                .modules
                .insert(dir.into(), Module::new(dir.into(), vec![body]));
        }
        registry
    }

    #[test]
    fn slices_of_a_root_give_what_one_evaluator_gives() {
        let registry = big_root();
        let module = registry.get("big").unwrap();
        let slices = slices(module);
        assert!(slices.len() > 1, "{slices:?}");
        assert_eq!(slices.first().unwrap().start, 0);
        assert_eq!(slices.last().unwrap().end, module.units().end);
        assert!(slices.windows(2).all(|w| w[0].end == w[1].start));

        let budget = eval::Budget::new(eval::SCAN_FUEL);
        let sliced = load_root(&registry, "big", &HashMap::new(), &[], &budget, false);
        let ev = Evaluator::root_in(
            &registry,
            module,
            HashMap::new(),
            World::default(),
            Vec::new(),
            eval::Allowance::new(&budget),
        );
        let whole = s3::load(&ev, module.units());
        assert_eq!(whole.buckets.len(), 1503);
        assert_eq!(format!("{:?}", sliced.base), format!("{whole:?}"));
        // The undecided `var.env == "prod"` gives two worlds, evaluated in slices too.
        assert_eq!(ev.undecided().len(), 1);
        assert_eq!(sliced.worlds.len(), 2);
    }

    #[test]
    fn a_small_root_is_one_slice() {
        let body = parse_file(
            FileId(0),
            "resource \"aws_s3_bucket\" \"b\" {}\nresource \"aws_instance\" \"i\" {}\n",
            false,
        )
        .unwrap();
        assert_eq!(slices(&Module::new("m".into(), vec![body])), vec![0..2]);
    }
}
