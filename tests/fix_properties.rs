//! A property of the fixes: for generated buckets with random misconfigurations
//! (Terraform v3 and v4 style, CloudFormation YAML and JSON), `--unsafe-fixes`
//! leaves no finding that has a fix, and every fixed file still parses.

use bucketlint::fix::Session;
use bucketlint::selection::Selection;
use bucketlint::walk::FileKind;
use bucketlint::{Input, Options, analyze};
use proptest::prelude::*;
use std::collections::HashMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
struct Bucket {
    inline: bool,
    count: bool,
    /// None: no block; Some: each flag absent, false or true.
    pab: Option<[Option<bool>; 4]>,
    versioning: Option<bool>,
    encryption: Option<&'static str>,
    force_destroy: Option<bool>,
    acl: Option<&'static str>,
    ownership: Option<&'static str>,
}

fn bucket() -> impl Strategy<Value = Bucket> {
    let flag = prop::option::of(any::<bool>());
    (
        (any::<bool>(), any::<bool>()),
        prop::option::of([flag.clone(), flag.clone(), flag.clone(), flag]),
        prop::option::of(any::<bool>()),
        prop::option::of(prop::sample::select(vec!["AES256", "aws:kms"])),
        prop::option::of(any::<bool>()),
        prop::option::of(prop::sample::select(vec![
            "private",
            "public-read",
            "public-read-write",
            "authenticated-read",
        ])),
        prop::option::of(prop::sample::select(vec![
            "ObjectWriter",
            "BucketOwnerPreferred",
            "BucketOwnerEnforced",
        ])),
    )
        .prop_map(
            |((inline, count), pab, versioning, encryption, force_destroy, acl, ownership)| {
                Bucket {
                    inline,
                    count,
                    pab,
                    versioning,
                    encryption,
                    force_destroy,
                    acl,
                    ownership,
                }
            },
        )
}

const FLAGS: [&str; 4] = [
    "block_public_acls",
    "ignore_public_acls",
    "block_public_policy",
    "restrict_public_buckets",
];
const CFN_FLAGS: [&str; 4] = [
    "BlockPublicAcls",
    "IgnorePublicAcls",
    "BlockPublicPolicy",
    "RestrictPublicBuckets",
];

fn terraform(buckets: &[Bucket]) -> String {
    let mut s = String::new();
    for (i, b) in buckets.iter().enumerate() {
        let n = format!("b{i}");
        let (meta, at) = if b.count {
            (
                "  count  = 2\n",
                format!("aws_s3_bucket.{n}[count.index].id"),
            )
        } else {
            ("", format!("aws_s3_bucket.{n}.id"))
        };
        let _ = writeln!(
            s,
            "resource \"aws_s3_bucket\" \"{n}\" {{\n{meta}  bucket = \"acme-{n}\""
        );
        if let Some(f) = b.force_destroy {
            let _ = writeln!(s, "  force_destroy = {f}");
        }
        if b.inline {
            if let Some(acl) = b.acl {
                let _ = writeln!(s, "  acl = \"{acl}\"");
            }
            if let Some(v) = b.versioning {
                let _ = writeln!(s, "  versioning {{\n    enabled = {v}\n  }}");
            }
            if let Some(e) = b.encryption {
                let _ = writeln!(
                    s,
                    "  server_side_encryption_configuration {{\n    rule {{\n      apply_server_side_encryption_by_default {{\n        sse_algorithm = \"{e}\"\n      }}\n    }}\n  }}"
                );
            }
        }
        s.push_str("}\n\n");
        if !b.inline {
            if let Some(acl) = b.acl {
                let _ = writeln!(
                    s,
                    "resource \"aws_s3_bucket_acl\" \"{n}\" {{\n{meta}  bucket = {at}\n  acl    = \"{acl}\"\n}}\n"
                );
            }
            if let Some(v) = b.versioning {
                let status = if v { "Enabled" } else { "Suspended" };
                let _ = writeln!(
                    s,
                    "resource \"aws_s3_bucket_versioning\" \"{n}\" {{\n{meta}  bucket = {at}\n  versioning_configuration {{\n    status = \"{status}\"\n  }}\n}}\n"
                );
            }
            if let Some(e) = b.encryption {
                let _ = writeln!(
                    s,
                    "resource \"aws_s3_bucket_server_side_encryption_configuration\" \"{n}\" {{\n{meta}  bucket = {at}\n  rule {{\n    apply_server_side_encryption_by_default {{\n      sse_algorithm = \"{e}\"\n    }}\n  }}\n}}\n"
                );
            }
        }
        if let Some(o) = b.ownership {
            let _ = writeln!(
                s,
                "resource \"aws_s3_bucket_ownership_controls\" \"{n}\" {{\n{meta}  bucket = {at}\n  rule {{\n    object_ownership = \"{o}\"\n  }}\n}}\n"
            );
        }
        if let Some(flags) = b.pab {
            let _ = writeln!(
                s,
                "resource \"aws_s3_bucket_public_access_block\" \"{n}\" {{\n{meta}  bucket = {at}"
            );
            for (name, v) in FLAGS.iter().zip(flags) {
                if let Some(v) = v {
                    let _ = writeln!(s, "  {name} = {v}");
                }
            }
            s.push_str("}\n\n");
        }
    }
    s
}

fn cfn_acl(acl: &str) -> &'static str {
    match acl {
        "public-read" => "PublicRead",
        "public-read-write" => "PublicReadWrite",
        "authenticated-read" => "AuthenticatedRead",
        _ => "Private",
    }
}

fn yaml(buckets: &[Bucket]) -> String {
    let mut s = String::from("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n");
    for (i, b) in buckets.iter().enumerate() {
        let _ = writeln!(
            s,
            "  B{i}:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: acme-b{i}"
        );
        if let Some(acl) = b.acl {
            let _ = writeln!(s, "      AccessControl: {}", cfn_acl(acl));
        }
        if let Some(v) = b.versioning {
            let _ = writeln!(
                s,
                "      VersioningConfiguration:\n        Status: {}",
                if v { "Enabled" } else { "Suspended" }
            );
        }
        if let Some(e) = b.encryption {
            let _ = writeln!(
                s,
                "      BucketEncryption:\n        ServerSideEncryptionConfiguration:\n          - ServerSideEncryptionByDefault:\n              SSEAlgorithm: {e}"
            );
        }
        if let Some(o) = b.ownership {
            let _ = writeln!(
                s,
                "      OwnershipControls:\n        Rules:\n          - ObjectOwnership: {o}"
            );
        }
        if let Some(flags) = b.pab
            && flags.iter().any(Option::is_some)
        {
            s.push_str("      PublicAccessBlockConfiguration:\n");
            for (name, v) in CFN_FLAGS.iter().zip(flags) {
                if let Some(v) = v {
                    let _ = writeln!(s, "        {name}: {v}");
                }
            }
        }
    }
    // Last, a block scalar (its span runs on to the next key), then
    // `Outputs`: what is added after the last resource must stay in `Resources`.
    s.push_str("  Notes:\n    Type: AWS::SSM::Parameter\n    Properties:\n      Type: String\n      Value: |\n        a note\n\nOutputs:\n  Name:\n    Value: !Ref B0\n");
    s
}

/// The same template as JSON (a YAML reader's view of it, pretty-printed).
fn json(buckets: &[Bucket]) -> String {
    let mut resources = serde_json::Map::new();
    for (i, b) in buckets.iter().enumerate() {
        let mut p = serde_json::Map::new();
        p.insert("BucketName".into(), format!("acme-b{i}").into());
        if let Some(acl) = b.acl {
            p.insert("AccessControl".into(), cfn_acl(acl).into());
        }
        if let Some(v) = b.versioning {
            p.insert(
                "VersioningConfiguration".into(),
                serde_json::json!({ "Status": if v { "Enabled" } else { "Suspended" } }),
            );
        }
        if let Some(flags) = b.pab {
            let m: serde_json::Map<_, _> = CFN_FLAGS
                .iter()
                .zip(flags)
                .filter_map(|(k, v)| Some(((*k).to_string(), serde_json::Value::Bool(v?))))
                .collect();
            if !m.is_empty() {
                p.insert("PublicAccessBlockConfiguration".into(), m.into());
            }
        }
        let mut r = serde_json::Map::new();
        r.insert("Type".into(), "AWS::S3::Bucket".into());
        if i % 2 == 0 {
            r.insert("Properties".into(), p.into());
        }
        resources.insert(format!("B{i}"), r.into());
    }
    serde_json::to_string_pretty(&serde_json::json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": resources,
    }))
    .unwrap()
}

/// Fixes `files` in memory with `--unsafe-fixes`; the last scan's findings that still
/// have a fix, and the files that no longer parse.
fn fix(files: Vec<(&str, String)>) -> (Vec<String>, Vec<String>, HashMap<PathBuf, String>) {
    let options = Options {
        selection: Selection::new(&["ALL".into()], &[]).unwrap(),
        fixes: true,
        ..Options::default()
    };
    let originals: Vec<(PathBuf, String)> = files
        .into_iter()
        .map(|(name, text)| (Path::new("/virtual").join(name), text))
        .collect();
    let mut session = Session::default();
    let (scan, ()) = session
        .run(&HashMap::new(), true, &|_| true, |buffers| {
            let inputs = originals
                .iter()
                .map(|(path, text)| Input {
                    kind: FileKind::of(path).unwrap(),
                    path: path.clone(),
                    display: path.display().to_string(),
                    content: Ok(buffers
                        .get(path)
                        .map_or_else(|| text.clone(), |b| String::from_utf8_lossy(b).into_owned())),
                })
                .collect();
            Ok((analyze(inputs, &options), ()))
        })
        .unwrap();
    let fixable = scan
        .findings
        .iter()
        .filter(|f| f.fix.is_some() && f.counts())
        .map(|f| format!("{}: {}", f.code, f.message))
        .collect();
    let broken = scan
        .findings
        .iter()
        .filter(|f| f.code == "BL001")
        .map(|f| f.message.clone())
        .collect();
    let texts = session
        .files
        .iter()
        .map(|(p, c)| (p.clone(), c.text.clone()))
        .collect();
    (fixable, broken, texts)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn unsafe_fixes_leave_nothing_fixable(buckets in prop::collection::vec(bucket(), 1..4)) {
        let (fixable, broken, texts) = fix(vec![
            ("tf/main.tf", terraform(&buckets)),
            ("cfn/template.yaml", yaml(&buckets)),
            ("json/template.json", json(&buckets)),
        ]);
        prop_assert!(broken.is_empty(), "{broken:?}\n{texts:#?}");
        prop_assert!(fixable.is_empty(), "{fixable:#?}\n{texts:#?}");
    }
}
