//! The rule catalog's TOML (`rules/*.toml`) is checked and turned into JSON at build
//! time: the binary parses JSON on start-up, several times faster than TOML, and a
//! broken rule file fails the build instead of the first run (a rule's examples are
//! checked by the tests, which parse them).

use std::path::Path;

fn main() {
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
