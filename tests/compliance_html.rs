//! `bucketlint report --format html` in a real browser: headless Chromium renders
//! the compliance page of `testdata/compliance`, the test reads the DOM, the
//! console and a screenshot. Skips, saying so, where Chromium is not installed.

mod common;

use common::{
    bucketlint_in, chromium, console_errors, render_in_chromium as render, root, screenshot,
};

#[test]
fn the_compliance_page_shows_controls_and_the_chart_in_chromium() {
    let Some(browser) = chromium() else {
        eprintln!("skipped: Chromium is not installed; `.ci/run` installs Debian's chromium");
        return;
    };
    let out = tempfile::tempdir().unwrap();
    let page = out.path().join("report.html");
    let status = bucketlint_in(root())
        .args([
            "report",
            "--profile",
            "iso27001",
            "testdata/compliance",
            "--format",
            "html",
            "-o",
        ])
        .arg(&page)
        .output()
        .unwrap();
    assert_eq!(
        status.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let html = std::fs::read_to_string(&page).unwrap();
    // Self-contained: nothing to fetch, no script at all.
    assert!(!html.contains("<script"), "no script");
    assert!(
        !html.contains("src=") && !html.contains("href="),
        "nothing linked"
    );
    let url = format!("file://{}", page.display());

    let (dom, log) = render(&browser, &url, &["--dump-dom"]);
    assert!(
        console_errors(&log).is_empty(),
        "{:#?}",
        console_errors(&log)
    );
    for text in [
        "ISO/IEC 27001:2022 Annex A: compliance report",
        "A.8.24 Use of cryptography",
        "A.5.33 Protection of records",
        "Not assessed by a static scan",
        "aws_s3_bucket.uploads",
        "log delivery needs ACL writes",
        "expires 2099-12-31",
    ] {
        assert!(dom.contains(text), "{text} not on the page");
    }
    // The chart: one bar per family, with the counts drawn.
    assert!(dom.contains("aria-label=\"controls per family by result\""));
    assert!(dom.contains("A.8 Technological controls"));
    // Failing controls are open; passing ones closed.
    assert!(dom.contains("<details id=\"A.5.33\" open=\"\">"), "{dom}");
    assert!(dom.contains("<details id=\"A.8.2\">"));

    // A real PNG of a drawn page (not blank: an all-white page compresses to a
    // few kilobytes).
    screenshot(&browser, &url, "1200,1300", &out.path().join("report.png"));
}
