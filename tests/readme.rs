//! The README's rule table is generated from the rule TOML files; this test fails
//! when it is out of date (`UPDATE_README=1 cargo test --test readme` rewrites it).

mod common;

use bucketlint::rules;
use std::fmt::Write;

const START: &str = "<!-- rules:start -->";
const END: &str = "<!-- rules:end -->";

fn table() -> String {
    let mut t = String::from(
        "| code | name | severity | default | fix | what it finds |\n|---|---|---|---|---|---|\n",
    );
    for e in rules::catalog() {
        let d = &e.doc;
        let sev = match d.max_severity {
            Some(max) => format!("{} / {max}", d.severity),
            None => d.severity.to_string(),
        };
        let default = if d.is_default() { "on" } else { "opt-in" };
        let _ = writeln!(
            t,
            "| {} | `{}` | {sev} | {default} | {} | {} |",
            d.code,
            d.name,
            d.fix.as_str(),
            d.summary
        );
    }
    t
}

#[test]
fn readme_rule_table_is_up_to_date() {
    let path = common::root().join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let (start, end) = (
        readme.find(START).expect("start marker"),
        readme.find(END).expect("end marker"),
    );
    let current = &readme[start + START.len()..end];
    let expected = format!("\n{}", table());
    if current != expected {
        if std::env::var_os("UPDATE_README").is_some() {
            let updated = format!("{}{START}{expected}{}", &readme[..start], &readme[end..]);
            std::fs::write(&path, updated).unwrap();
            return;
        }
        panic!(
            "README rule table is out of date; run `UPDATE_README=1 cargo test --test readme`.\nExpected:\n{expected}"
        );
    }
}

/// The README's example configuration is valid.
#[test]
fn readme_examples_are_valid() {
    let readme = std::fs::read_to_string(common::root().join("README.md")).unwrap();
    let toml = readme
        .split("```toml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a ```toml block");
    let config = bucketlint::config::parse(toml).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(
        config.baseline.as_deref(),
        Some(".bucketlint-baseline.json")
    );
    assert_eq!(config.per_path_ignores.len(), 2);
    assert!(config.classification.is_some());
}

const COMPLIANCE_START: &str = "<!-- compliance:start -->";
const COMPLIANCE_END: &str = "<!-- compliance:end -->";

/// One report per framework on `testdata/compliance`: its summary line and its
/// control table, as `bucketlint report` writes them.
fn compliance() -> String {
    let mut out = String::from("\n");
    for profile in bucketlint::selection::PROFILES {
        let run = common::bucketlint_in(common::root())
            .args(["report", "--profile", profile, "testdata/compliance"])
            .output()
            .unwrap();
        let md = String::from_utf8_lossy(&run.stdout);
        let title = md.lines().next().unwrap().trim_start_matches("# ");
        let summary = md
            .split("## Summary\n\n")
            .nth(1)
            .and_then(|s| s.split("\n## Controls").next())
            .unwrap()
            .trim_end();
        let _ = write!(
            out,
            "<details><summary><code>bucketlint report --profile {profile} testdata/compliance</code>: {title}</summary>\n\n{summary}\n\n</details>\n"
        );
    }
    out
}

#[test]
fn readme_compliance_reports_are_up_to_date() {
    let path = common::root().join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let (start, end) = (
        readme.find(COMPLIANCE_START).expect("start marker"),
        readme.find(COMPLIANCE_END).expect("end marker"),
    );
    let current = &readme[start + COMPLIANCE_START.len()..end];
    let expected = compliance();
    if current != expected {
        if std::env::var_os("UPDATE_README").is_some() {
            let updated = format!(
                "{}{COMPLIANCE_START}{expected}{}",
                &readme[..start],
                &readme[end..]
            );
            std::fs::write(&path, updated).unwrap();
            return;
        }
        panic!(
            "README compliance reports are out of date; run `UPDATE_README=1 cargo test --test readme`.\nExpected:\n{expected}"
        );
    }
}
