//! `check --new-since REV` on a temporary git repository with two commits: only what
//! the second commit introduced is reported, the work tree and index are never
//! touched, and a missing revision says how to fetch it.

mod common;

use common::{bucketlint_in, git, project};
use std::process::Command;

fn have_git() -> bool {
    let ok = Command::new("git").arg("--version").output().is_ok();
    if !ok {
        eprintln!("skipped: git is not installed");
    }
    ok
}

const OLD: &str = "resource \"aws_s3_bucket\" \"old\" {\n  bucket = \"acme-old\"\n  acl    = \"public-read\"\n}\n";
const NEW: &str = "resource \"aws_s3_bucket\" \"new\" {\n  bucket = \"acme-new\"\n  acl    = \"public-read-write\"\n}\n";

/// `main` has `infra/main.tf`; `feature` moves its bucket down two lines, adds
/// `infra/new.tf`, and leaves an uncommitted change in the work tree.
fn repository() -> tempfile::TempDir {
    let dir = project(&[("infra/main.tf", OLD)]);
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "base"]);
    git(d, &["checkout", "-qb", "feature"]);
    std::fs::write(d.join("infra/main.tf"), format!("# moved\n\n{OLD}")).unwrap();
    std::fs::write(d.join("infra/new.tf"), NEW).unwrap();
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "add a bucket"]);
    // Uncommitted: scanned as it is now, and left as it is.
    std::fs::write(
        d.join("infra/main.tf"),
        format!("# moved\n\n{OLD}# work in progress\n"),
    )
    .unwrap();
    dir
}

#[test]
fn only_findings_the_revision_did_not_have_are_reported() {
    if !have_git() {
        return;
    }
    let repo = repository();
    let d = repo.path();
    let status_before = git(d, &["status", "--porcelain"]);
    let out = bucketlint_in(d)
        .args(["check", "infra", "--new-since", "main", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    let new: Vec<(&str, &str)> = findings
        .iter()
        .filter(|f| f["baseline"] == "new")
        .map(|f| (f["path"].as_str().unwrap(), f["code"].as_str().unwrap()))
        .collect();
    let unchanged: Vec<&str> = findings
        .iter()
        .filter(|f| f["baseline"] == "unchanged")
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert!(new.contains(&("infra/new.tf", "BL110")), "{new:?}");
    assert!(new.iter().all(|(p, _)| *p == "infra/new.tf"), "{new:?}");
    // The old bucket moved within its file: matched by resource and rule.
    assert!(!unchanged.is_empty());
    assert!(
        unchanged.iter().all(|p| *p == "infra/main.tf"),
        "{unchanged:?}"
    );
    // The work tree and the index are as they were.
    assert_eq!(git(d, &["status", "--porcelain"]), status_before);
    assert!(
        std::fs::read_to_string(d.join("infra/main.tf"))
            .unwrap()
            .ends_with("# work in progress\n")
    );

    // From inside the directory, the same.
    let out = bucketlint_in(d.join("infra"))
        .args(["check", ".", "--new-since", "main", "--format", "concise"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("new.tf:3:12: BL110"), "{text}");
    assert!(!text.contains("main.tf"), "{text}");

    // Against itself, nothing is new.
    let out = bucketlint_in(d)
        .args(["check", "infra", "--new-since", "HEAD", "--format", "text"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    // The uncommitted line does not create a finding; everything is at HEAD.
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("already at HEAD"), "{text}");
}

/// The Markdown report (the Action's job summary) has a section per new finding:
/// where, what changed since the revision, the rule and its controls, the remedy and
/// the fix as a diff.
#[test]
fn the_markdown_report_explains_each_new_finding() {
    if !have_git() {
        return;
    }
    let repo = repository();
    let out = bucketlint_in(repo.path())
        .args([
            "check",
            "infra",
            "--new-since",
            "main",
            "--format",
            "markdown",
        ])
        .output()
        .unwrap();
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(md.contains("| already at `main` |"), "{md}");
    assert!(md.contains("### New since `main`"), "{md}");
    let section = md
        .split("#### ")
        .find(|s| s.contains("BL110 `aws_s3_bucket.new` (`infra/new.tf:3`)"))
        .unwrap_or_else(|| panic!("no BL110 section: {md}"));
    for expected in [
        "- **Environment**: `infra`",
        "- **Rule**: [BL110](",
        "**Controls**: ",
        "FSBP S3.2",
        "- **Remediation**: ",
        "<summary>What changed since main</summary>",
        "+  acl    = \"public-read-write\"",
        "<summary>Fix (unsafe): ",
        "-  acl    = \"public-read-write\"\n+  acl    = \"private\"",
    ] {
        assert!(
            section.contains(expected),
            "{expected:?} not in:\n{section}"
        );
    }
    // Only new findings get a section: nothing about the old bucket.
    assert!(!md.contains("#### 🟧 BL110 `aws_s3_bucket.old`"), "{md}");
}

#[test]
fn a_missing_revision_says_how_to_fetch_it() {
    if !have_git() {
        return;
    }
    let repo = repository();
    let out = bucketlint_in(repo.path())
        .args(["check", "infra", "--new-since", "origin/main"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--new-since origin/main: git does not have this revision")
            && err.contains("git fetch"),
        "{err}"
    );
    // Not a revision at all: never handed to git as an option.
    let out = bucketlint_in(repo.path())
        .args(["check", "infra", "--new-since=--output=x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!repo.path().join("x").exists());
}

#[test]
fn outside_a_git_work_tree_is_a_clear_error() {
    if !have_git() {
        return;
    }
    let dir = project(&[("main.tf", OLD)]);
    let out = bucketlint_in(dir.path())
        .args(["check", ".", "--new-since", "main"])
        .env("GIT_CEILING_DIRECTORIES", dir.path().parent().unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--new-since needs a git work tree"), "{err}");
}
