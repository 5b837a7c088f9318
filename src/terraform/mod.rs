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
use std::collections::HashMap;
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
    let run = |world: World| {
        let inputs: HashMap<String, Node> =
            inputs.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        let ev = Evaluator::root_in(
            registry,
            module,
            inputs,
            world,
            readable.to_vec(),
            budget.clone(),
        );
        let fragment = s3::load(&ev);
        (fragment, ev.undecided(), ev.limits())
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
