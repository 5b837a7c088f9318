//! The CloudFormation front end: JSON and YAML templates (SAM and CDK output
//! included), intrinsics resolved, into the same S3 model as Terraform.

pub mod intrinsics;
pub mod parse;
pub mod s3;
pub mod sam;
pub mod template;
mod yaml_compat;

use crate::json::DuplicateKey;
use crate::model::Fragment;
use crate::model::value::assignments;
use crate::source::{FileId, Span};
use crate::walk::FileKind;
use intrinsics::{Resolver, World};
use template::{ParamOverrides, Template};

/// Undecidable conditions explored exhaustively (2^6 = 64 worlds); beyond, the
/// rest stay unknown.
const MAX_ATOMS: usize = 6;

/// One template (one document of a file) in the model.
#[derive(Debug)]
pub struct Unit {
    pub scope: String,
    /// With every undecidable condition unknown.
    pub base: Fragment,
    /// One fragment per assignment of the undecidable conditions (empty when the
    /// template has none): a finding holds only if it holds in each world in which
    /// its resource exists.
    pub worlds: Vec<Fragment>,
    /// Part of the template could not be expanded (an `Fn::ForEach` over an unknown
    /// collection): "missing" findings are withheld.
    pub incomplete: bool,
    /// Its resources, for block-level suppressions.
    pub blocks: Vec<crate::suppress::Block>,
    /// Suppressions in resources' `Metadata.bucketlint.ignore`.
    pub directives: Vec<crate::suppress::Directive>,
    /// The parameters it declares, and the command-line values it rejects.
    pub params: Vec<String>,
    pub rejected: Vec<String>,
}

/// A problem CloudFormation would reject, to report as BL001.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub message: String,
    pub span: Span,
    /// A second location (the first of two duplicate keys).
    pub related: Option<(Span, String)>,
}

#[derive(Debug)]
pub enum Outcome {
    /// Not CloudFormation: skipped silently.
    NotTemplate,
    Loaded {
        units: Vec<Unit>,
        problems: Vec<Problem>,
    },
    /// It is CloudFormation, but not valid YAML/JSON.
    Failed(Problem),
}

/// A quick look at the text: could this be a template at all?
/// A cheap filter before parsing: the marks of a template, or an escape sequence
/// (`\u003a`, a YAML `\x3a` or escaped line break) that could spell them. Whether
/// it is a template is then decided on the parsed values, never on the raw text, so
/// an escaped `AWS\u003a\u003aS3\u003a\u003aBucket` cannot hide a bucket.
pub fn may_be_template(text: &str) -> bool {
    text.contains("AWSTemplateFormatVersion") || text.contains("AWS::") || text.contains('\\')
}

/// Strong evidence that unparseable text was meant to be a template.
fn surely_template(text: &str) -> bool {
    text.contains("AWSTemplateFormatVersion")
        || (text.contains("Resources") && text.contains("Type") && text.contains("AWS::"))
}

pub fn load(
    file: FileId,
    display: &str,
    text: &str,
    kind: FileKind,
    params: &ParamOverrides,
    assume_created: bool,
) -> Outcome {
    if !may_be_template(text) {
        return Outcome::NotTemplate;
    }
    let format = match kind {
        FileKind::Json | FileKind::Plan => parse::Format::Json,
        FileKind::Yaml => parse::Format::Yaml,
        _ => parse::sniff(text),
    };
    let parsed = match parse::parse(file, text, format) {
        Ok(p) => p,
        Err(e) if surely_template(text) => {
            let what = match format {
                parse::Format::Json => "JSON",
                parse::Format::Yaml => "YAML",
            };
            return Outcome::Failed(Problem {
                message: format!("{what} syntax error: {}", e.message),
                span: e.span,
                related: None,
            });
        }
        Err(_) => return Outcome::NotTemplate,
    };
    let templates: Vec<(usize, &crate::model::value::Node)> = parsed
        .documents
        .iter()
        .enumerate()
        .filter(|(_, d)| template::is_template(d))
        .collect();
    if templates.is_empty() {
        return Outcome::NotTemplate;
    }
    let mut problems: Vec<Problem> = parsed
        .duplicates
        .iter()
        .map(|d| duplicate(file, d))
        .collect();
    let multi = parsed.documents.len() > 1;
    let mut units = Vec::new();
    for (i, root) in templates {
        let scope = if multi {
            format!("{display}#{}", i + 1)
        } else {
            display.to_string()
        };
        let (root, unexpanded) = template::expand_for_each(root, params);
        let t = Template::new(scope.clone(), &root, params);
        let at = root.span.unwrap_or_else(|| Span::point(file, 0));
        problems.extend(t.invalid.iter().map(|p| Problem {
            message: p.message.clone(),
            span: p.span.unwrap_or(at),
            related: None,
        }));
        let mut unit = load_template(&t, scope.clone(), assume_created);
        unit.incomplete = unexpanded;
        for res in &t.resources {
            let (Some(header), Some(body)) = (res.id.span, res.node.span) else {
                continue;
            };
            unit.blocks.push(crate::suppress::Block {
                header,
                span: header.to(body),
                module_call: false,
            });
            unit.directives
                .extend(metadata_suppressions(res, &scope, header));
        }
        units.push(unit);
    }
    Outcome::Loaded { units, problems }
}

/// `Metadata: { bucketlint: { ignore: [{ code, reason, expires }] } }` of a
/// resource (an entry may also be just the code).
fn metadata_suppressions(
    res: &template::Resource<'_>,
    scope: &str,
    at: Span,
) -> Vec<crate::suppress::Directive> {
    use crate::suppress::{Covers, Directive, entry, parse_date};
    let Some(list) = res
        .node
        .get("Metadata")
        .and_then(|m| m.get("bucketlint"))
        .and_then(|b| b.get("ignore"))
    else {
        return Vec::new();
    };
    list.items()
        .iter()
        .map(|item| {
            let text = |k: &str| item.get(k).and_then(|v| v.as_str()).map(str::to_string);
            // An entry without a code is reported by BL002 rather than dropped.
            let code = item
                .as_str()
                .map(str::to_string)
                .or_else(|| text("code"))
                .unwrap_or_else(|| "(no `code`)".to_string());
            Directive {
                span: item.span.unwrap_or(at),
                entries: vec![entry(&code)],
                reason: text("reason").unwrap_or_default(),
                expires: text("expires")
                    .map(|d| parse_date(&d).unwrap_or(crate::suppress::UNREADABLE_DATE)),
                covers: Covers::Resource {
                    scope: scope.to_string(),
                    address: res.id.name.clone(),
                },
            }
        })
        .collect()
}

fn duplicate(file: FileId, d: &DuplicateKey) -> Problem {
    let span = d.second.unwrap_or_else(|| Span::point(file, 0));
    Problem {
        message: format!(
            "duplicate key `{}`: the template is ambiguous (parsers keep different copies; bucketlint reads the last)",
            d.name
        ),
        span,
        related: d
            .first
            .map(|s| (s, format!("`{}` first defined here", d.name))),
    }
}

/// Resolves a template once with every undecidable condition unknown, then once per
/// assignment of those conditions.
fn load_template(t: &Template<'_>, scope: String, assume_created: bool) -> Unit {
    let base_world = World {
        assume_created,
        ..World::default()
    };
    let r = Resolver::new(t, &base_world);
    let base = s3::fragment(&r);
    let atoms: Vec<intrinsics::Atom> = r.undecided.borrow().iter().copied().collect();
    let worlds = assignments(&atoms, MAX_ATOMS)
        .into_iter()
        .map(|atoms| {
            s3::fragment(&Resolver::new(
                t,
                &World {
                    atoms,
                    assume_created,
                },
            ))
        })
        .collect();
    Unit {
        scope,
        base,
        worlds,
        incomplete: false,
        blocks: Vec::new(),
        directives: Vec::new(),
        params: t.params.keys().cloned().collect(),
        rejected: t.rejected.clone(),
    }
}
