//! Every rule's documented good and bad examples run as tests: a bad example fires
//! exactly the expected findings (code, line, column) with only its rule selected; a
//! good example is silent.

use bucketlint::rules::{self, ExampleFormat, ExampleKind};
use bucketlint::selection::Selection;
use bucketlint::walk::FileKind;
use bucketlint::{Input, Options, analyze};
use std::path::PathBuf;

fn run(code: &str, format: &ExampleFormat, source: &str) -> Vec<(String, u32, u32)> {
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
    // An unused suppression is only judged for rules that ran: BL002 runs with all.
    let select = if code == "BL002" { "ALL" } else { code };
    let options = Options {
        selection: Selection::new(&[select.to_string()], &[]).unwrap(),
        ..Options::default()
    };
    let scan = analyze(vec![input], &options);
    scan.reported()
        .filter(|f| f.code == code)
        .map(|f| {
            let pos = scan
                .sources
                .get(f.span.file)
                .position(f.span.start as usize);
            (f.code.to_string(), pos.line, pos.column)
        })
        .collect()
}

#[test]
fn every_rule_has_good_and_bad_examples_in_every_format() {
    for entry in rules::catalog() {
        let doc = &entry.doc;
        for format in [
            ExampleFormat::Terraform,
            ExampleFormat::CloudFormationYaml,
            ExampleFormat::CloudFormationJson,
        ] {
            let front_end = match format {
                ExampleFormat::Terraform | ExampleFormat::TerraformJson => "terraform",
                _ => "cloudformation",
            };
            for kind in [ExampleKind::Bad, ExampleKind::Good] {
                // A front end that cannot express the bad state documents why, and
                // shows (as a good example) that its buckets are not reported.
                if kind == ExampleKind::Bad && doc.not_expressible.contains_key(front_end) {
                    continue;
                }
                assert!(
                    doc.examples()
                        .iter()
                        .any(|e| e.kind == kind && e.format == format),
                    "{} has no {kind:?} {format:?} example",
                    doc.code
                );
            }
        }
        for key in doc.not_expressible.keys() {
            assert!(
                key == "terraform" || key == "cloudformation",
                "{}: not_expressible names {key:?}",
                doc.code
            );
        }
        for ex in doc.examples() {
            match ex.kind {
                ExampleKind::Bad => assert!(
                    !ex.expect.is_empty(),
                    "{}: bad example {:?} expects nothing",
                    doc.code,
                    ex.title
                ),
                ExampleKind::Good => assert!(
                    ex.expect.is_empty(),
                    "{}: good example {:?} expects findings",
                    doc.code,
                    ex.title
                ),
            }
        }
    }
}

#[test]
fn examples_behave_as_documented() {
    let mut failures = Vec::new();
    let mut ran = 0;
    for entry in rules::catalog() {
        let doc = &entry.doc;
        for ex in doc.examples() {
            ran += 1;
            let got = run(&doc.code, &ex.format, &ex.source);
            let want: Vec<(String, u32, u32)> = ex
                .expect
                .iter()
                .map(|e| (e.code.clone(), e.line, e.column))
                .collect();
            if got != want {
                failures.push(format!(
                    "{} {:?} example {:?}:\n  expected {want:?}\n  got      {got:?}",
                    doc.code, ex.kind, ex.title
                ));
            }
        }
    }
    assert!(ran > 30, "only {ran} examples ran");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
