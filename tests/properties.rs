//! Properties over generated input: the scanner never panics (not even a panic it
//! catches and reports), every span lies inside its file on a character boundary,
//! and every report renders.

mod common;

use bucketlint::report::{self, Format, RenderOptions};
use bucketlint::walk::FileKind;
use bucketlint::{Input, Options, analyze};
use proptest::prelude::*;
use std::path::PathBuf;

fn check(files: Vec<(String, String)>) {
    let inputs = files
        .into_iter()
        .map(|(name, text)| Input {
            kind: FileKind::of(std::path::Path::new(&name)).unwrap(),
            path: PathBuf::from(&name),
            display: name,
            content: Ok(text),
        })
        .collect();
    let options = Options {
        selection: bucketlint::selection::Selection::new(&["ALL".into()], &[]).unwrap(),
        ..Options::default()
    };
    let scan = analyze(inputs, &options);
    for f in &scan.findings {
        assert!(!f.message.contains("internal error"), "{}", f.message);
        for span in std::iter::once(f.span).chain(f.related.iter().map(|r| r.span)) {
            let text = &scan.sources.get(span.file).text;
            assert!(span.start <= span.end, "{f:?}");
            assert!((span.end as usize) <= text.len(), "{f:?}");
            assert!(
                text.is_char_boundary(span.start as usize)
                    && text.is_char_boundary(span.end as usize),
                "{f:?}"
            );
        }
    }
    for format in Format::ALL {
        let out = report::render(
            format,
            &scan,
            RenderOptions {
                color: format == Format::Text,
            },
        );
        // Concise and annotation output are empty when nothing is found; the others
        // never are.
        assert!(matches!(format, Format::Concise | Format::Github) || !out.is_empty());
        if format == Format::Github {
            assert!(out.lines().all(|l| l.starts_with("::")), "{out}");
        }
    }
}

/// Fragments that real Terraform is made of, to be shuffled into near-valid input.
const TOKENS: &[&str] = &[
    "resource \"aws_s3_bucket\" \"b\" {",
    "resource \"aws_s3_bucket_policy\" \"p\" {",
    "resource \"aws_s3_bucket_public_access_block\" \"a\" {",
    "data \"aws_iam_policy_document\" \"d\" {",
    "variable \"v\" {",
    "locals {",
    "statement {",
    "principals {",
    "condition {",
    "versioning {",
    "}",
    "{",
    "[",
    "]",
    "(",
    ")",
    "\n",
    " ",
    "=",
    ",",
    ":",
    "?",
    "=>",
    "...",
    "for",
    "in",
    "if",
    "bucket",
    "acl",
    "policy",
    "default",
    "count",
    "for_each",
    "each.key",
    "count.index",
    "var.v",
    "local.l",
    "aws_s3_bucket.b.id",
    "aws_s3_bucket.b[0].arn",
    "aws_s3_bucket.b[*].id",
    "data.aws_iam_policy_document.d.json",
    "jsonencode(",
    "merge(",
    "lookup(",
    "try(",
    "format(",
    "\"public-read\"",
    "\"*\"",
    "\"s3:*\"",
    "\"${var.v}\"",
    "\"%{ if true }x%{ endif }\"",
    "true",
    "false",
    "null",
    "0",
    "1",
    "-1",
    "1e309",
    "\"é😀\"",
    "<<EOT\n{\"Statement\": []}\nEOT\n",
    "<<-EOT\n  x\n  EOT\n",
    "# comment\n",
    "/* c */",
    "// c\n",
    "\u{E000}",
    "\"\\u0000\"",
    "\"\\\"\"",
];

/// Fragments of CloudFormation YAML.
const YAML_TOKENS: &[&str] = &[
    "\n",
    "  ",
    "    ",
    "- ",
    ": ",
    "Resources:",
    "Conditions:",
    "Parameters:",
    "Mappings:",
    "B:",
    "P:",
    "Type: AWS::S3::Bucket",
    "Type: AWS::S3::BucketPolicy",
    "Properties:",
    "Bucket: !Ref B",
    "PolicyDocument:",
    "Statement:",
    "Effect: Allow",
    "Principal: '*'",
    "Action: 's3:*'",
    "Condition: C",
    "C: !Equals [!Ref P, x]",
    "!If [C, a, b]",
    "!Sub '${B.Arn}/*'",
    "!GetAtt B.Arn",
    "!Ref AWS::NoValue",
    "!FindInMap [M, a, b]",
    "!Join ['', [a, b]]",
    "!Select [0, [a]]",
    "!Split [',', 'a,b']",
    "&a",
    "*a",
    "VersioningConfiguration:",
    "Status: Suspended",
    "AccessControl: PublicRead",
    "PublicAccessBlockConfiguration:",
    "BlockPublicAcls: false",
    "Fn::ForEach::L:",
    "[x, y]",
    "{a: 1}",
    "'quoted",
    "\"dq",
    "|",
    ">",
    "# c",
    "---",
];

fn yaml_tokens() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(YAML_TOKENS), 0..80).prop_map(|t| t.concat())
}

fn tokens() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(TOKENS), 0..80).prop_map(|t| t.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,300}") {
        let template = format!("AWSTemplateFormatVersion: x\n{text}");
        check(vec![
            ("m/main.tf".into(), text.clone()),
            ("m/x.tf.json".into(), text.clone()),
            ("m/t.yaml".into(), template.clone()),
            ("m/t.json".into(), format!("{{\"AWSTemplateFormatVersion\": 1, {text}")),
            ("m/t.template".into(), template),
        ]);
    }

    #[test]
    fn shuffled_cloudformation_never_panics(a in yaml_tokens(), b in yaml_tokens()) {
        check(vec![
            ("m/a.yaml".into(), format!("AWSTemplateFormatVersion: '2010-09-09'\n{a}")),
            ("m/b.template".into(), format!("Resources:\n  B:\n    Type: AWS::S3::Bucket\n{b}")),
        ]);
    }

    #[test]
    fn shuffled_terraform_never_panics(a in tokens(), b in tokens()) {
        check(vec![("m/a.tf".into(), a), ("m/b.tf".into(), b)]);
    }

    #[test]
    fn mutated_fixtures_never_panic(seed in 0usize..1000, cut in 0usize..4000, insert in prop::sample::select(TOKENS)) {
        let fixtures: Vec<PathBuf> = walk_fixtures();
        let path = &fixtures[seed % fixtures.len()];
        let mut text = std::fs::read_to_string(path).unwrap();
        let mut at = cut.min(text.len());
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        text.insert_str(at, insert);
        let name = match FileKind::of(path) {
            Some(FileKind::TerraformJson) => "m/main.tf.json",
            Some(FileKind::Terraform) => "m/main.tf",
            Some(FileKind::Json) => "m/template.json",
            _ => "m/template.yaml",
        };
        check(vec![(name.into(), text)]);
    }
}

fn walk_fixtures() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = bucketlint::walk::walk(&[common::root().join("testdata")])
        .files
        .into_iter()
        .map(|c| c.path)
        .collect();
    out.sort();
    out
}
