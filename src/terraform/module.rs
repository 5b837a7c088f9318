//! A Terraform module: every `.tf` and `.tf.json` file of one directory, with its
//! variables, locals, resources and data sources indexed by name.

use super::ast::{Block, Body, Expr};
use std::collections::HashMap;

/// A `resource` or `data` block.
#[derive(Debug)]
pub struct Resource {
    pub ty: String,
    pub name: String,
    pub block: Block,
}

impl Resource {
    /// `aws_s3_bucket.logs` (or `data.aws_iam_policy_document.p`).
    pub fn address(&self, data: bool) -> String {
        if data {
            format!("data.{}.{}", self.ty, self.name)
        } else {
            format!("{}.{}", self.ty, self.name)
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
}

#[derive(Debug, Default)]
pub struct Module {
    /// Where the module lives, as shown to users (the scope of its bucket refs).
    pub scope: String,
    pub variables: HashMap<String, Variable>,
    pub locals: HashMap<String, Expr>,
    pub resources: Vec<Resource>,
    pub data: Vec<Resource>,
    index: HashMap<(String, String), usize>,
    data_index: HashMap<(String, String), usize>,
}

impl Module {
    /// Builds a module from the top-level bodies of its files, in file order.
    pub fn new(scope: String, bodies: Vec<Body>) -> Module {
        let mut m = Module {
            scope,
            ..Module::default()
        };
        for body in bodies {
            for block in body.blocks {
                m.add(block);
            }
        }
        m
    }

    fn add(&mut self, block: Block) {
        match (block.ident.as_str(), block.labels.as_slice()) {
            ("resource", [ty, name]) => {
                let key = (ty.clone(), name.clone());
                self.index.insert(key, self.resources.len());
                self.resources.push(Resource {
                    ty: ty.clone(),
                    name: name.clone(),
                    block,
                });
            }
            ("data", [ty, name]) => {
                let key = (ty.clone(), name.clone());
                self.data_index.insert(key, self.data.len());
                self.data.push(Resource {
                    ty: ty.clone(),
                    name: name.clone(),
                    block,
                });
            }
            ("variable", [name]) => {
                self.variables.insert(name.clone(), Variable { block });
            }
            ("locals", []) => {
                for attr in block.body.attrs {
                    self.locals.insert(attr.key, attr.value);
                }
            }
            _ => {}
        }
    }

    pub fn resource(&self, ty: &str, name: &str) -> Option<&Resource> {
        self.index
            .get(&(ty.to_string(), name.to_string()))
            .map(|&i| &self.resources[i])
    }

    pub fn data_source(&self, ty: &str, name: &str) -> Option<&Resource> {
        self.data_index
            .get(&(ty.to_string(), name.to_string()))
            .map(|&i| &self.data[i])
    }

    pub fn resources_of<'a>(&'a self, ty: &'a str) -> impl Iterator<Item = &'a Resource> + 'a {
        self.resources.iter().filter(move |r| r.ty == ty)
    }
}
