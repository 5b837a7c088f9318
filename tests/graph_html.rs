//! `bucketlint graph --format html` in a real browser: headless Chromium (Debian's
//! `chromium`, which `.ci/run` installs) runs the page's script, and the test reads
//! the DOM it leaves, the console and a screenshot. Skips, saying so, where
//! Chromium is not installed.

mod common;

use common::{
    bucketlint_in, chromium, console_errors, project, render_in_chromium as render, root,
    screenshot,
};
use std::path::{Path, PathBuf};

fn write_page(dir: &Path, scan: &Path, args: &[&str]) -> PathBuf {
    let page = dir.join("graph.html");
    let out = bucketlint_in(root())
        .arg("graph")
        .arg(scan)
        .args(["--format", "html", "-o"])
        .arg(&page)
        .args(args)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    page
}

#[test]
fn the_page_shows_each_bucket_and_who_reaches_it_in_chromium() {
    let Some(browser) = chromium() else {
        eprintln!("skipped: Chromium is not installed; `.ci/run` installs Debian's chromium");
        return;
    };
    let out = tempfile::tempdir().unwrap();
    let page = write_page(out.path(), &root().join("testdata/graph"), &[]);
    let url = format!("file://{}", page.display());

    // The DOM once the script has run: ready, no error, and the content.
    let (dom, log) = render(&browser, &url, &["--dump-dom"]);
    assert!(dom.contains("data-ready=\"true\""), "{dom}\n{log}");
    assert!(!dom.contains("data-errors"), "{dom}");
    assert!(
        console_errors(&log).is_empty(),
        "{:#?}",
        console_errors(&log)
    );
    for text in [
        "aws_s3_bucket.data (acme-graph-data)",
        "Assets (acme-graph-assets)",
        "anyone (*)",
        "arn:aws:iam::444455556666:root",
        "aws_lambda_function.thumbnails (graph-thumbnails)",
        "aws_iam_user.analyst (graph-analyst)",
    ] {
        assert!(dom.contains(text), "{text} not on the page");
    }
    // The table says who reaches the public bucket: anyone, directly.
    assert!(
        dom.contains("class=\"anyone\">anyone: anyone (*)</td><td>directly (bucket policy)"),
        "{dom}"
    );
    // A user reaches the data bucket through their group and its policy.
    assert!(
        dom.contains(
            "user: aws_iam_user.analyst (graph-analyst)</td><td>group aws_iam_group.analysts"
        ),
        "{dom}"
    );

    // Picking a bucket (from the URL's fragment) hides the other buckets' rows
    // and dims what does not reach it.
    let (dom, log) = render(
        &browser,
        &format!("{url}#bucket:aws_s3_bucket.public"),
        &["--dump-dom"],
    );
    assert!(dom.contains("data-ready=\"true\""), "{log}");
    assert!(dom.contains("<b id=\"shown\">aws_s3_bucket.public (acme-graph-public)</b>"));
    assert!(dom.contains("<tr data-bucket=\"bucket:aws_s3_bucket.data\" hidden=\"\">"));
    assert!(!dom.contains("<tr data-bucket=\"bucket:aws_s3_bucket.public\" hidden"));
    assert!(dom.contains("class=\"node k-bucket dim\" data-id=\"bucket:Assets\""));
    assert!(dom.contains("class=\"node k-anyone\" data-id=\"anyone:anyone (*)\""));

    // A real PNG of a drawn page (not blank: an all-white page compresses to a
    // few kilobytes).
    screenshot(&browser, &url, "1680,1000", &out.path().join("graph.png"));
}

/// Names from the code cannot break out of the page: the label of a role named
/// like markup is text, and the page's policy lets nothing else run or load.
#[test]
fn hostile_labels_stay_text_in_chromium() {
    let Some(browser) = chromium() else {
        eprintln!("skipped: Chromium is not installed; `.ci/run` installs Debian's chromium");
        return;
    };
    let dir = project(&[(
        "main.tf",
        r#"
resource "aws_s3_bucket" "b" {
  bucket = "acme-b"
}
resource "aws_iam_role" "r" {
  name = "</title></svg><script>document.title='pwned'</script><img src=x onerror=alert(1)>"
  assume_role_policy = jsonencode({
    Statement = [{ Effect = "Allow", Principal = { Service = "ec2.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
  inline_policy {
    name   = "p</script><script>alert(2)</script>"
    policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "s3:*", Resource = "*" }] })
  }
}
"#,
    )]);
    let out = tempfile::tempdir().unwrap();
    let page = write_page(out.path(), dir.path(), &[]);
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(!html.contains("<script>document.title"));
    assert!(!html.contains("<img"));
    let (dom, log) = render(
        &browser,
        &format!("file://{}", page.display()),
        &["--dump-dom"],
    );
    assert!(dom.contains("data-ready=\"true\""), "{log}");
    assert!(dom.contains("<title>bucketlint: who can reach each bucket</title>"));
    assert!(!dom.contains("pwned</title>"));
    assert!(
        console_errors(&log).is_empty(),
        "{:#?}",
        console_errors(&log)
    );
}
