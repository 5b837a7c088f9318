//! The Terraform front end: `.tf` and `.tf.json` files, one module per directory,
//! evaluated into the S3 model.

pub mod ast;
pub mod eval;
mod for_newlines;
pub mod functions;
pub mod module;
pub mod parse;
pub mod policy_document;
pub mod s3;

use crate::model::Fragment;

/// Loads one module (the parsed bodies of one directory's files, in file order).
pub fn load_module(scope: String, bodies: Vec<ast::Body>) -> Fragment {
    let module = module::Module::new(scope, bodies);
    s3::load(&module)
}
