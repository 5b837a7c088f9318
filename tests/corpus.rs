//! The real-world corpus (../shared/corpus, outside the repository): every Terraform
//! file loads or yields a located BL001, nothing panics, and the SARIF validates and
//! stays within GitHub's upload limits. Skips cleanly when the corpus is absent.

mod common;

use bucketlint::report::{self, Format, RenderOptions};
use bucketlint::selection::Selection;
use bucketlint::{Options, scan_paths};
use common::{assert_valid_sarif, root};

#[test]
fn corpus_scans_without_panics_and_every_error_is_located() {
    let corpus = root().join("../shared/corpus");
    if !corpus.join("MANIFEST.tsv").exists() {
        eprintln!("skipped: {} not present", corpus.display());
        return;
    }
    // Every directory parsed, whether or not it can hold AWS resources.
    let options = Options {
        selection: Selection::new(&["ALL".into()], &[]).unwrap(),
        parse_all: true,
        ..Options::default()
    };
    let scan = scan_paths(std::slice::from_ref(&corpus), &options).unwrap();

    // Every .tf / .tf.json file listed in the manifest's file list was scanned.
    let listed = std::fs::read_to_string(corpus.join("tf-files.txt")).unwrap_or_default();
    let tf_listed = listed
        .lines()
        .filter(|l| bucketlint::walk::FileKind::of(std::path::Path::new(l)).is_some())
        .count();
    assert!(
        scan.stats.files >= tf_listed,
        "scanned {} of {tf_listed}",
        scan.stats.files
    );
    assert!(scan.stats.files > 4000, "{}", scan.stats.files);

    for f in &scan.findings {
        let file = scan.sources.get(f.span.file);
        assert!(
            f.span.start <= f.span.end && f.span.end as usize <= file.text.len(),
            "{f:?}"
        );
        assert!(file.text.is_char_boundary(f.span.start as usize), "{f:?}");
        for r in &f.related {
            let rf = scan.sources.get(r.span.file);
            assert!(r.span.end as usize <= rf.text.len(), "{r:?}");
        }
    }
    let errors: Vec<_> = scan.findings.iter().filter(|f| f.code == "BL001").collect();
    for e in &errors {
        eprintln!(
            "BL001 {}: {}",
            scan.sources.get(e.span.file).display,
            e.message
        );
    }
    // Measured and investigated (see CHANGELOG/notes): no Terraform file fails since
    // the for-expression workaround; the CloudFormation failures are templates that
    // are genuinely broken or not CloudFormation yet. A new kind is a regression or a
    // new case to investigate.
    let known = [
        "duplicate key",                                       // 15, in 12 templates
        "is not a string for resource",                        // 12 Rain-module templates
        "`Resources` must be a mapping", // 5 SAM/CDK placeholders with `Resources:` empty
        "invalid trailing content after double-quoted scalar", // 1: `Description: '...' (tag)`
        "simple key expect ':'",         // 1: a key typo `MappingRestEdge:curc`
        "is defined twice",              // 1 tfvars: a duplicate key, Terraform rejects it too
    ];
    for e in &errors {
        let path = &scan.sources.get(e.span.file).display;
        let kind = bucketlint::walk::FileKind::of(std::path::Path::new(path));
        assert!(
            !matches!(
                kind,
                Some(
                    bucketlint::walk::FileKind::Terraform
                        | bucketlint::walk::FileKind::TerraformJson
                )
            ),
            "{path}: {}",
            e.message
        );
        assert!(
            known.iter().any(|k| e.message.contains(k)),
            "{path}: {}",
            e.message
        );
    }
    assert!(errors.len() <= 35, "{} BL001, 35 expected", errors.len());
    let sarif = report::render(Format::Sarif, &scan, RenderOptions::default());
    assert_valid_sarif(&sarif);
    // GitHub code scanning: at most 25,000 results per run and 10 MB gzipped (the
    // raw size bounds the gzipped size).
    let v: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    assert!(v["runs"][0]["results"].as_array().unwrap().len() <= 25_000);
    assert!(sarif.len() < 10 << 20, "SARIF is {} bytes", sarif.len());

    // The byte pre-filter that leaves out directories with nothing an S3 rule reads
    // changes no finding: the same findings, in the same order, at the same places.
    let filtered = scan_paths(
        std::slice::from_ref(&corpus),
        &Options {
            parse_all: false,
            ..options
        },
    )
    .unwrap();
    let shown = |s: &bucketlint::Scan| -> Vec<String> {
        s.findings
            .iter()
            .map(|f| {
                let at = report::locate(s, f.span);
                format!(
                    "{}:{}:{} {} {}",
                    at.path, at.start.line, at.start.column, f.code, f.message
                )
            })
            .collect()
    };
    let (all, some) = (shown(&scan), shown(&filtered));
    assert_eq!(all.len(), some.len());
    assert!(all == some, "the pre-filter changed findings");
    let left_out = filtered
        .notices
        .iter()
        .find(|n| n.message.contains("not parsed (--parse-all parses them)"))
        .expect("the corpus has directories for other clouds");
    eprintln!("pre-filter: {}", left_out.message);
}
