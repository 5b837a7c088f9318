//! Hostile input: every case ends with a clear, located diagnostic (or a clean skip),
//! never a panic, an abort or a hang; the rest of the scan goes on.

mod common;

use bucketlint::walk::FileKind;
use bucketlint::{Input, Options, Scan, analyze, scan_paths};
use common::{assert_valid_sarif, project, write};
use std::fmt::Write;
use std::path::PathBuf;

/// Every file parsed: these inputs test the parsers, which the pre-filter would
/// spare files that name no AWS resource.
fn options() -> Options {
    Options {
        parse_all: true,
        ..Options::default()
    }
}

fn scan_dir(dir: &std::path::Path) -> Scan {
    scan_paths(&[dir.to_path_buf()], &options()).unwrap()
}

fn one(name: &str, text: &str) -> Scan {
    let kind = FileKind::of(std::path::Path::new(name)).unwrap();
    analyze(
        vec![Input {
            path: PathBuf::from(name),
            display: name.to_string(),
            kind,
            content: Ok(text.to_string()),
        }],
        &options(),
    )
}

fn bl001(scan: &Scan) -> Vec<(String, u32, u32, String)> {
    scan.findings
        .iter()
        .filter(|f| f.code == "BL001")
        .map(|f| {
            let file = scan.sources.get(f.span.file);
            let p = file.position(f.span.start as usize);
            (file.display.clone(), p.line, p.column, f.message.clone())
        })
        .collect()
}

fn sarif(scan: &Scan) {
    assert_valid_sarif(&bucketlint::report::render(
        bucketlint::report::Format::Sarif,
        scan,
        bucketlint::report::RenderOptions::default(),
    ));
}

#[test]
fn deeply_nested_expressions_are_rejected_with_a_location() {
    let n = 100_000;
    for (what, text) in [
        (
            "arrays",
            format!("a = {}1{}\n", "[".repeat(n), "]".repeat(n)),
        ),
        (
            "objects",
            format!("a = {}1{}\n", "{a = ".repeat(n), "}".repeat(n)),
        ),
        (
            "parentheses",
            format!("a = {}1{}\n", "(".repeat(n), ")".repeat(n)),
        ),
        (
            "function calls",
            format!("a = {}1{}\n", "f(".repeat(n), ")".repeat(n)),
        ),
        ("operators", format!("a = 1{}\n", " + 1".repeat(n))),
        ("negations", format!("a = {}true\n", "!".repeat(n))),
        (
            "templates",
            format!("a = {}x{}\n", "\"${".repeat(n), "}\"".repeat(n)),
        ),
        (
            "blocks",
            format!("{}{}\n", "b {\n".repeat(n), "}\n".repeat(n)),
        ),
    ] {
        let scan = one("deep/main.tf", &text);
        let errors = bl001(&scan);
        assert_eq!(errors.len(), 1, "{what}: {errors:?}");
        assert_eq!(errors[0].1, 1.max(errors[0].1), "{what}");
        sarif(&scan);
    }
}

#[test]
fn deeply_nested_terraform_json_is_rejected() {
    let n = 100_000;
    let text = format!(
        "{{\"locals\": {{\"a\": {}1{}}}}}",
        "[".repeat(n),
        "]".repeat(n)
    );
    let errors = bl001(&one("deep/main.tf.json", &text));
    assert_eq!(errors.len(), 1);
    assert!(errors[0].3.to_lowercase().contains("nesting"), "{errors:?}");
}

#[test]
fn invalid_utf8_is_located_at_the_first_bad_byte() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "bad/main.tf",
        b"resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"caf\xe9\"\n}\n",
    );
    write(
        dir.path(),
        "good/main.tf",
        b"resource \"aws_s3_bucket\" \"g\" {\n  acl = \"public-read\"\n}\n",
    );
    let scan = scan_dir(dir.path());
    let errors = bl001(&scan);
    assert_eq!(errors.len(), 1);
    assert!(errors[0].0.ends_with("bad/main.tf"));
    assert_eq!((errors[0].1, errors[0].2), (2, 16));
    assert!(errors[0].3.contains("not valid UTF-8"));
    assert!(
        scan.findings.iter().any(|f| f.code == "BL110"),
        "the other file is still scanned"
    );
    sarif(&scan);
}

#[test]
fn binary_empty_and_oversized_files() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "bin/main.tf",
        &[0x7f, b'E', b'L', b'F', 0, 0, 1, 2, 3, 0xff, 0xfe],
    );
    write(dir.path(), "empty/main.tf", b"");
    write(dir.path(), "empty/other.tf.json", b"{}");
    let big = dir.path().join("big/main.tf");
    std::fs::create_dir_all(big.parent().unwrap()).unwrap();
    // Sparse: the size check happens before reading.
    std::fs::File::create(&big)
        .unwrap()
        .set_len(bucketlint::source::MAX_FILE_BYTES + 1)
        .unwrap();
    let scan = scan_dir(dir.path());
    let errors = bl001(&scan);
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors
            .iter()
            .any(|e| e.0.ends_with("bin/main.tf") && e.3.contains("binary"))
    );
    assert!(
        errors
            .iter()
            .any(|e| e.0.ends_with("big/main.tf") && e.3.contains("limit"))
    );
    sarif(&scan);
}

#[test]
fn empty_json_document_is_an_error() {
    let errors = bl001(&one("x/main.tf.json", "   "));
    assert_eq!(errors.len(), 1);
    let errors = bl001(&one("x/main.tf.json", "[1, 2]"));
    assert!(
        errors[0].3.contains("object at the top level"),
        "{errors:?}"
    );
}

#[cfg(unix)]
#[test]
fn symlink_loops_and_escapes_do_not_hang() {
    use std::os::unix::fs::symlink;
    let outside = project(&[("secret/main.tf", "resource \"aws_s3_bucket\" \"s\" {}\n")]);
    let dir = project(&[("real/main.tf", "resource \"aws_s3_bucket\" \"r\" {}\n")]);
    let root = dir.path();
    symlink("b.tf", root.join("real/a.tf")).unwrap();
    symlink("a.tf", root.join("real/b.tf")).unwrap();
    symlink("..", root.join("real/up")).unwrap();
    symlink(root, root.join("real/self")).unwrap();
    symlink(outside.path().join("secret"), root.join("escape")).unwrap();
    symlink(
        outside.path().join("secret/main.tf"),
        root.join("real/escape.tf"),
    )
    .unwrap();
    symlink("main.tf", root.join("real/alias.tf")).unwrap();
    let scan = scan_dir(root);
    // Only the real file is read; the alias is the same file.
    assert_eq!(scan.stats.files, 1, "{:?}", scan.notices);
    assert_eq!(scan.stats.buckets, 1);
    assert!(bl001(&scan).is_empty());
    let notes: Vec<String> = scan.notices.iter().map(|n| n.message.clone()).collect();
    assert!(
        notes.iter().filter(|m| m.contains("looping")).count() == 2,
        "{notes:?}"
    );
    assert!(notes.iter().any(|m| m.contains("outside")), "{notes:?}");
    sarif(&scan);
}

#[test]
fn exponential_values_are_bounded() {
    // Each local doubles the previous one: 2^60 elements if evaluated naively.
    let mut text = String::from("locals {\n  l0 = \"x\"\n  s0 = \"ab\"\n");
    for i in 1..=60 {
        let p = i - 1;
        let _ = writeln!(text, "  l{i} = [local.l{p}, local.l{p}]");
        let _ = writeln!(text, "  s{i} = \"${{local.s{p}}}${{local.s{p}}}\"");
    }
    text.push_str("}\nresource \"aws_s3_bucket\" \"b\" {\n  bucket = local.s60\n  acl = local.s60 == \"\" ? \"private\" : \"public-read\"\n  tags = { n = length(flatten(local.l60)) }\n}\n");
    let start = std::time::Instant::now();
    let scan = one("exp/main.tf", &text);
    assert!(bl001(&scan).is_empty());
    // The 2^60-byte string is unknown (and yields no finding); the scan finishes.
    assert!(!scan.findings.iter().any(|f| f.code == "BL110"));
    assert!(start.elapsed().as_secs() < 60, "took {:?}", start.elapsed());
}

#[test]
fn reference_cycles_are_unknown() {
    let scan = one(
        "cycle/main.tf",
        "locals {\n  a = local.b\n  b = local.a\n}\nvariable \"v\" {\n  default = var.v\n}\nresource \"aws_s3_bucket\" \"b\" {\n  acl = local.a\n  bucket = var.v\n}\n",
    );
    assert!(bl001(&scan).is_empty());
    assert!(!scan.findings.iter().any(|f| f.code == "BL110"));
    assert_eq!(scan.stats.buckets, 1);
}

#[test]
fn scanning_from_inside_a_small_stack_rayon_worker() {
    // Callers may run us from their own thread pool (an editor, a test runner).
    let pool = rayon::ThreadPoolBuilder::new()
        .stack_size(2 << 20)
        .num_threads(1)
        .build()
        .unwrap();
    let text = format!("a = {}1{}\n", "[".repeat(100_000), "]".repeat(100_000));
    let errors = pool.install(|| bl001(&one("deep/main.tf", &text)));
    assert_eq!(errors.len(), 1);
}

#[test]
fn a_byte_order_mark_is_accepted_and_positions_stay_exact() {
    let scan = one(
        "bom/main.tf",
        "\u{FEFF}resource \"aws_s3_bucket\" \"b\" {\n  acl = \"public-read\"\n}\n",
    );
    assert!(bl001(&scan).is_empty());
    let f = scan.findings.iter().find(|f| f.code == "BL110").unwrap();
    let p = scan
        .sources
        .get(f.span.file)
        .position(f.span.start as usize);
    assert_eq!((p.line, p.column), (2, 9));
    let decl = scan.findings.iter().find(|f| f.code == "BL100").unwrap();
    // Editors hide the BOM: the header starts in column 1.
    let p = scan
        .sources
        .get(decl.span.file)
        .position(decl.span.start as usize);
    assert_eq!((p.line, p.column, p.utf16_column), (1, 1, 1));
}

const TEMPLATE_HEAD: &str = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n";

#[test]
fn yaml_billion_laughs_is_refused_quickly() {
    let mut text = String::from(TEMPLATE_HEAD);
    text.push_str("  B:\n    Type: AWS::S3::Bucket\n    Metadata:\n      a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let p = i - 1;
        let _ = writeln!(
            text,
            "      a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]"
        );
    }
    let start = std::time::Instant::now();
    let errors = bl001(&one("bomb/template.yaml", &text));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].3.contains("alias"), "{errors:?}");
    assert!(start.elapsed().as_secs() < 10);
}

#[test]
fn deep_yaml_and_json_templates_are_rejected_in_a_small_stack_worker() {
    let n = 100_000;
    let flow = format!("{TEMPLATE_HEAD}  B: {}x{}\n", "[".repeat(n), "]".repeat(n));
    let block = format!(
        "{TEMPLATE_HEAD}  B:\n    Type: AWS::S3::Bucket\n    Metadata: {}x\n",
        "- ".repeat(n)
    );
    let json = format!(
        "{{\"AWSTemplateFormatVersion\": \"2010-09-09\", \"Resources\": {{\"B\": {{\"Type\": \"AWS::S3::Bucket\", \"Metadata\": {}1{}}}}}}}",
        "[".repeat(n),
        "]".repeat(n)
    );
    let pool = rayon::ThreadPoolBuilder::new()
        .stack_size(2 << 20)
        .num_threads(1)
        .build()
        .unwrap();
    for (name, text) in [
        ("flow.yaml", flow),
        ("block.yaml", block),
        ("deep.json", json),
    ] {
        let errors = pool.install(|| bl001(&one(&format!("deep/{name}"), &text)));
        assert_eq!(errors.len(), 1, "{name}: {errors:?}");
        assert!(errors[0].1 >= 1, "{name}");
    }
}

#[test]
fn invalid_utf8_and_oversized_templates() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "bad/template.yaml",
        b"AWSTemplateFormatVersion: '2010-09-09'\nDescription: caf\xe9\nResources: {}\n",
    );
    // Not a template: skipped silently, whatever its bytes.
    write(dir.path(), "other/data.json", b"{\"x\": \"\xff\"}");
    // A 50 MB template: only its first 64 KiB are read to recognize it.
    let big = dir.path().join("big/template.yaml");
    std::fs::create_dir_all(big.parent().unwrap()).unwrap();
    std::fs::write(&big, TEMPLATE_HEAD).unwrap();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&big)
        .unwrap()
        .set_len(50 << 20)
        .unwrap();
    // A 50 MB JSON file that is not a template: skipped.
    let data = dir.path().join("big/data.json");
    std::fs::write(&data, "[").unwrap();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&data)
        .unwrap()
        .set_len(50 << 20)
        .unwrap();
    let scan = scan_dir(dir.path());
    let errors = bl001(&scan);
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors
            .iter()
            .any(|e| e.0.ends_with("bad/template.yaml") && e.1 == 2 && e.3.contains("UTF-8"))
    );
    assert!(
        errors
            .iter()
            .any(|e| e.0.ends_with("big/template.yaml") && e.3.contains("1 MB"))
    );
    assert_eq!(scan.stats.files, 2);
    sarif(&scan);
}

#[test]
fn terraform_instance_bombs_are_capped_and_said() {
    let mut files: Vec<(String, String)> = vec![(
        "main.tf".into(),
        r#"
resource "aws_s3_bucket" "many" {
  count = 1000000000
  acl   = "public-read"
}
resource "aws_s3_bucket" "each" {
  for_each = toset([for i in range(20000) : tostring(i)])
  acl      = "public-read"
}
module "fan" {
  count  = 10
  source = "./m1"
}
"#
        .into(),
    )];
    // Each level multiplies the module instances by ten: 10^6 at the bottom.
    for level in 1..=6 {
        let next = if level < 6 {
            format!(
                "module \"fan\" {{\n  count  = 10\n  source = \"../m{}\"\n}}\n",
                level + 1
            )
        } else {
            String::new()
        };
        files.push((
            format!("m{level}/main.tf"),
            format!("{next}resource \"aws_s3_bucket\" \"b\" {{\n  acl = \"public-read\"\n}}\n"),
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in &files {
        write(dir.path(), path, text.as_bytes());
    }
    let scan = scan_dir(dir.path());
    let notes: Vec<&str> = scan.notices.iter().map(|n| n.message.as_str()).collect();
    assert!(
        notes
            .iter()
            .any(|m| m.starts_with("aws_s3_bucket.many has 1000000000 instances")),
        "{notes:?}"
    );
    assert!(
        notes
            .iter()
            .any(|m| m.starts_with("aws_s3_bucket.each has 20000 instances")),
        "{notes:?}"
    );
    assert!(
        notes
            .iter()
            .any(|m| m.starts_with("more than 10000 module instances")),
        "{notes:?}"
    );
    // Capped, the rest is still checked: one finding per resource block.
    let public: Vec<&str> = scan
        .findings
        .iter()
        .filter(|f| f.code == "BL110")
        .map(|f| f.resource.as_deref().unwrap())
        .collect();
    assert_eq!(public.len(), 8, "{public:?}");
    assert!(scan.findings.iter().all(|f| f.message.len() < 1000));
}

#[test]
fn long_reference_chains_stop_at_the_depth_limit_with_a_note() {
    // local.l0 -> local.l1 -> ... -> local.l5000: each hop is one level of
    // recursion, far past the limit; the value is unknown, the stack holds.
    let mut text = String::from("locals {\n");
    for i in 0..5000 {
        let _ = writeln!(text, "  l{i} = local.l{}", i + 1);
    }
    text.push_str(
        "  l5000 = \"public-read\"\n}\nresource \"aws_s3_bucket\" \"b\" {\n  acl = local.l0\n}\n",
    );
    let scan = one("chain/main.tf", &text);
    assert!(!scan.findings.iter().any(|f| f.code == "BL110"));
    assert!(
        scan.notices
            .iter()
            .any(|n| n.message.contains("nested more than 256 deep")),
        "{:?}",
        scan.notices
    );
    // A chain within the limit resolves.
    let scan = one(
        "chain/main.tf",
        &text.replace("  l100 = local.l101", "  l100 = \"public-read\""),
    );
    assert!(scan.findings.iter().any(|f| f.code == "BL110"));
}
