//! The rule catalog's TOML (`rules/*.toml`) is checked and turned into JSON at build
//! time: the binary parses JSON on start-up, several times faster than TOML, and a
//! broken rule file fails the build instead of the first run (a rule's examples are
//! checked by the tests, which parse them).

use std::path::Path;

fn main() {
    commit();
    println!("cargo:rerun-if-changed=rules");
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("rules");
    std::fs::create_dir_all(&out).expect("OUT_DIR is writable");
    let mut files: Vec<_> = std::fs::read_dir("rules")
        .expect("rules/ is present")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    for path in files {
        println!("cargo:rerun-if-changed={}", path.display());
        let text = std::fs::read_to_string(&path).expect("a rule file is readable");
        let mut value: toml::Table = toml::from_str(&text)
            .unwrap_or_else(|e| panic!("{}: invalid TOML: {e}", path.display()));
        // The examples (70% of the catalog) apart: only tests and the rule's docs
        // read them, so a scan does not parse them.
        let examples = value
            .remove("example")
            .unwrap_or_else(|| toml::Value::Array(Vec::new()));
        let name = path.file_stem().expect("a file name").to_string_lossy();
        for (file, v) in [
            (format!("{name}.json"), toml::Value::Table(value)),
            (format!("{name}.examples.json"), examples),
        ] {
            let json = serde_json::to_string(&v).expect("TOML values are JSON values");
            std::fs::write(out.join(file), json).expect("OUT_DIR is writable");
        }
    }
}

/// `--version`: the version and the commit the binary is built from:
/// `BUCKETLINT_COMMIT` when the release build sets it, else the work tree's `HEAD`
/// (offline, through `git`), else none (a source archive). Rebuilt when `HEAD` moves.
fn commit() {
    println!("cargo:rerun-if-env-changed=BUCKETLINT_COMMIT");
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    let commit = std::env::var("BUCKETLINT_COMMIT")
        .ok()
        .or_else(|| git(&["rev-parse", "--short=12", "HEAD"]))
        .filter(|c| !c.is_empty() && c.chars().all(|c| c.is_ascii_hexdigit()));
    let version = std::env::var("CARGO_PKG_VERSION").expect("cargo sets the version");
    let long = match commit {
        Some(c) => format!("{version} (commit {c})"),
        None => version,
    };
    println!("cargo:rustc-env=BUCKETLINT_VERSION={long}");
    // Where HEAD and the branch it names live: only files that exist (a missing one
    // would make every build run this script again).
    for name in ["HEAD", "packed-refs"] {
        if let Some(p) = git(&["rev-parse", "--git-path", name]) {
            watch(&p);
        }
    }
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"])
        && let Some(p) = git(&["rev-parse", "--git-path", &branch])
    {
        watch(&p);
    }
}

fn watch(path: &str) {
    if Path::new(path).exists() {
        println!("cargo:rerun-if-changed={path}");
    }
}
