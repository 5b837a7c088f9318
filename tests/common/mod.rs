//! Shared test helpers.
#![allow(dead_code)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The repository root (tests run with it as the working directory).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Validates a SARIF document against the official SARIF 2.1.0 JSON schema
/// (vendored in tests/schemas, from the OASIS sarif-spec repository), with format
/// assertions on.
pub fn assert_valid_sarif(text: &str) {
    static SCHEMA: OnceLock<(boon::Schemas, boon::SchemaIndex)> = OnceLock::new();
    let (schemas, index) = SCHEMA.get_or_init(|| {
        let path = root().join("tests/schemas/sarif-2.1.0.json");
        let schema: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let mut schemas = boon::Schemas::new();
        let mut compiler = boon::Compiler::new();
        compiler.enable_format_assertions();
        compiler.add_resource("sarif-2.1.0.json", schema).unwrap();
        let index = compiler.compile("sarif-2.1.0.json", &mut schemas).unwrap();
        (schemas, index)
    });
    let instance: serde_json::Value = serde_json::from_str(text).expect("SARIF is JSON");
    if let Err(e) = schemas.validate(&instance, *index) {
        panic!("SARIF does not validate against the 2.1.0 schema:\n{e:#}");
    }
}

/// Writes `files` (relative path, contents) under a fresh temporary directory.
pub fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        write(dir.path(), path, text.as_bytes());
    }
    dir
}

pub fn write(dir: &Path, path: &str, bytes: &[u8]) {
    let p = dir.join(path);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, bytes).unwrap();
}

/// The bucketlint binary run in `dir`, with the environment switches that change
/// its output (`GITHUB_ACTIONS`, `NO_COLOR`) cleared: tests see the defaults, also
/// when they run inside GitHub Actions.
pub fn bucketlint_in(dir: impl AsRef<Path>) -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("bucketlint").unwrap();
    c.current_dir(dir)
        .env_remove("GITHUB_ACTIONS")
        .env_remove("NO_COLOR");
    c
}

/// `n` buckets with a public canned ACL, one block each.
pub fn public_buckets(n: usize) -> String {
    let mut s = String::new();
    for i in 0..n {
        let _ = write!(
            s,
            "resource \"aws_s3_bucket\" \"b{i}\" {{\n  acl = \"public-read\"\n}}\n"
        );
    }
    s
}

/// A JSON template of `n` public buckets on one line (non-ASCII names).
pub fn one_line_template(n: usize) -> String {
    let resources: Vec<String> = (0..n)
        .map(|i| {
            format!(
                "\"B{i}\": {{\"Type\": \"AWS::S3::Bucket\", \"Properties\": {{\"AccessControl\": \"PublicRead\", \"BucketName\": \"é-{i}\"}}}}"
            )
        })
        .collect();
    format!("{{\"Resources\": {{{}}}}}\n", resources.join(", "))
}

/// A YAML template whose buckets are public under one of `conditions` parameters
/// that no input decides.
pub fn undecidable_conditions(conditions: usize, buckets: usize) -> String {
    let mut t = String::from("Parameters:\n");
    for i in 0..conditions {
        let _ = write!(t, "  P{i}:\n    Type: String\n");
    }
    t.push_str("Conditions:\n");
    for i in 0..conditions {
        let _ = writeln!(t, "  C{i}: !Equals [!Ref P{i}, 'yes']");
    }
    t.push_str("Resources:\n");
    for b in 0..buckets {
        let _ = write!(
            t,
            "  B{b}:\n    Type: AWS::S3::Bucket\n    Properties:\n      AccessControl: !If [C{}, PublicRead, Private]\n",
            b % conditions
        );
    }
    t
}

/// Runs git in `dir` as a test author (no global configuration needed); its
/// standard output. Panics when git fails.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Debian's Chromium (or another Chromium) on PATH, for the tests of HTML pages.
pub fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            let out = std::process::Command::new("which")
                .arg(name)
                .output()
                .ok()?;
            out.status
                .success()
                .then(|| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
        })
}

/// Runs Chromium headless on `url` with a fresh profile and no background network,
/// returning (DOM after the script ran, what it logged).
pub fn render_in_chromium(browser: &Path, url: &str, extra: &[&str]) -> (String, String) {
    let profile = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=3000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(url)
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Console messages and page errors in Chromium's log.
pub fn console_errors(log: &str) -> Vec<&str> {
    log.lines()
        .filter(|l| {
            l.contains("CONSOLE")
                || l.contains("Uncaught")
                || l.contains("Content Security Policy")
                || l.contains("Refused to")
        })
        .collect()
}

/// Renders `url` to a PNG at `shot` in a window of `size` (`W,H`) and checks that
/// it is a PNG of a drawn page (over 40 KB; a blank one is a few). Copied to
/// `$BUCKETLINT_SCREENSHOT` when set (the README's screenshots).
pub fn screenshot(browser: &Path, url: &str, size: &str, shot: &Path) {
    let (_, log) = render_in_chromium(
        browser,
        url,
        &[
            &format!("--screenshot={}", shot.display()),
            &format!("--window-size={size}"),
        ],
    );
    let png = std::fs::read(shot).unwrap_or_else(|e| panic!("{e}\n{log}"));
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    assert!(png.len() > 40_000, "{} bytes", png.len());
    if let Ok(dest) = std::env::var("BUCKETLINT_SCREENSHOT") {
        std::fs::copy(shot, dest).unwrap();
    }
}
