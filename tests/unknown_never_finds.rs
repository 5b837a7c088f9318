//! "Unknown never finds", as a property over the whole catalog: in every documented
//! example of every rule, replacing any one literal value by a value only known at
//! deploy time (a variable or parameter without a default) must never add a finding.
//! A rule may go silent; it may not start to guess.

use bucketlint::rules::{self, ExampleFormat};
use bucketlint::selection::Selection;
use bucketlint::walk::FileKind;
use bucketlint::{Input, Options, analyze};
use std::collections::BTreeSet;
use std::path::PathBuf;

/// (code, line) of every finding, but BL003 (it reports unknown values, so it is
/// meant to appear) and BL002 (a suppression is not judged where values are unknown).
fn findings(format: &ExampleFormat, source: &str) -> BTreeSet<(String, u32)> {
    let (name, kind) = match format {
        ExampleFormat::Terraform => ("example/main.tf", FileKind::Terraform),
        ExampleFormat::TerraformJson => ("example/main.tf.json", FileKind::TerraformJson),
        ExampleFormat::CloudFormationYaml => ("example/template.yaml", FileKind::Yaml),
        ExampleFormat::CloudFormationJson => ("example/template.json", FileKind::Json),
    };
    let input = Input {
        path: PathBuf::from(name),
        display: name.to_string(),
        kind,
        content: Ok(source.to_string()),
    };
    let options = Options {
        selection: Selection::new(&["ALL".to_string()], &[]).unwrap(),
        ..Options::default()
    };
    let scan = analyze(vec![input], &options);
    scan.findings
        .iter()
        .filter(|f| f.code != "BL003" && f.code != "BL002")
        .map(|f| {
            let line = scan
                .sources
                .get(f.span.file)
                .position(f.span.start as usize)
                .line;
            (f.code.to_string(), line)
        })
        .collect()
}

/// Byte ranges of the literal scalars of a source that a variable or parameter
/// could replace, with the replacement text.
fn literals(format: &ExampleFormat, source: &str) -> Vec<(std::ops::Range<usize>, String)> {
    let mut out = Vec::new();
    let mut offset = 0;
    for line in source.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        match format {
            ExampleFormat::Terraform => {
                // `key = "literal"`, `key = true`, `key = 12`; not a variable's
                // default (a variable without one is the unknown itself, and the
                // existence of a resource under an unknown `count` is decided per
                // world, as the rest of the suite shows).
                let is_default = body.trim_start().starts_with("default ");
                if let Some(eq) = body.find(" = ").filter(|_| !is_default) {
                    let value = body[eq + 3..].trim_end_matches(',');
                    let start = offset + eq + 3;
                    let literal = (value.starts_with('"')
                        && value.ends_with('"')
                        && value.len() >= 2
                        && !value.contains("${")
                        && value[1..value.len() - 1].find('"').is_none())
                        || matches!(value, "true" | "false")
                        || (!value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()));
                    if literal {
                        out.push((start..start + value.len(), "var.__unknown".to_string()));
                    }
                }
            }
            ExampleFormat::CloudFormationYaml => {
                // `Key: scalar` and `- scalar`, but not the resource type or version.
                let trimmed = body.trim_start();
                let indent = body.len() - trimmed.len();
                let (key, value, at) = if let Some(rest) = trimmed.strip_prefix("- ") {
                    match rest.split_once(": ") {
                        Some((k, v)) => (k, v, indent + 2 + k.len() + 2),
                        // `- Key:` opens a mapping: nothing to replace.
                        None if rest.trim_end().ends_with(':') => ("", "", 0),
                        None => ("", rest, indent + 2),
                    }
                } else {
                    match trimmed.split_once(": ") {
                        Some((k, v)) => (k, v, indent + k.len() + 2),
                        None => continue_line(&mut offset, line),
                    }
                };
                let value = value.trim_end();
                let scalar = !value.is_empty()
                    && !value.starts_with(['!', '[', '{', '|', '>', '&', '*', '#'])
                    && !matches!(
                        key,
                        "Type" | "AWSTemplateFormatVersion" | "Version" | "Transform" | "Condition"
                    );
                if scalar {
                    let start = offset + at;
                    out.push((start..start + value.len(), "!Ref UnknownValue".to_string()));
                }
            }
            ExampleFormat::CloudFormationJson | ExampleFormat::TerraformJson => {
                // `"Key": "scalar"` (or true/false/number), not the type or version.
                let trimmed = body.trim_start();
                if let Some((k, v)) = trimmed.split_once(": ") {
                    let key = k.trim_matches('"');
                    let v = v.trim_end().trim_end_matches(',');
                    let scalar = (v.starts_with('"')
                        && v.ends_with('"')
                        && v.len() >= 2
                        && v[1..v.len() - 1].find('"').is_none())
                        || matches!(v, "true" | "false");
                    if scalar && !matches!(key, "Type" | "AWSTemplateFormatVersion" | "Version") {
                        let start = offset + (body.len() - trimmed.len()) + k.len() + 2;
                        out.push((
                            start..start + v.len(),
                            "{ \"Ref\": \"UnknownValue\" }".to_string(),
                        ));
                    }
                }
            }
        }
        offset += line.len();
    }
    out
}

/// A YAML line without a `key: value`: nothing to replace.
fn continue_line<'a>(_: &mut usize, _: &str) -> (&'a str, &'a str, usize) {
    ("", "", 0)
}

/// Declares the unknown: a variable or parameter with no default, placed so that
/// no line number moves.
fn declare(format: &ExampleFormat, source: &str) -> Option<String> {
    match format {
        ExampleFormat::Terraform => Some(format!("{source}\nvariable \"__unknown\" {{}}\n")),
        ExampleFormat::CloudFormationYaml => (!source.contains("Parameters:"))
            .then(|| format!("{source}\nParameters:\n  UnknownValue:\n    Type: String\n")),
        ExampleFormat::CloudFormationJson => {
            let open = source.find('{')?;
            (!source.contains("\"Parameters\"")).then(|| {
                format!(
                    "{}{{ \"Parameters\": {{ \"UnknownValue\": {{ \"Type\": \"String\" }} }},{}",
                    &source[..open],
                    &source[open + 1..]
                )
            })
        }
        ExampleFormat::TerraformJson => None,
    }
}

#[test]
fn replacing_any_value_by_an_unknown_never_adds_a_finding() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for entry in rules::catalog() {
        // BL001's examples do not parse to begin with.
        if entry.doc.code == "BL001" {
            continue;
        }
        for ex in entry.doc.examples() {
            let before = findings(&ex.format, &ex.source);
            for (range, unknown) in literals(&ex.format, &ex.source) {
                let mut source = ex.source.clone();
                source.replace_range(range.clone(), &unknown);
                let Some(source) = declare(&ex.format, &source) else {
                    continue;
                };
                checked += 1;
                let after = findings(&ex.format, &source);
                let added: Vec<_> = after.difference(&before).collect();
                if !added.is_empty() {
                    failures.push(format!(
                        "{} example {:?}: replacing `{}` added {added:?}",
                        entry.doc.code, ex.title, &ex.source[range]
                    ));
                }
            }
        }
    }
    assert!(checked > 500, "only {checked} replacements tried");
    assert!(
        failures.is_empty(),
        "{} of {checked} replacements added findings:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
