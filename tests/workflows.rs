//! The release and CI workflows: audited by the real zizmor (from PyPI; `.ci/run`
//! installs it), and the release's archive and checksum names are the ones the
//! Action downloads, for the same targets.

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
            ".github/workflows/",
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
