//! Shared test helpers.
#![allow(dead_code)]

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
