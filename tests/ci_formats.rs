//! Output for CI: GitHub workflow-command annotations (escaping, order, the
//! per-step limit), JUnit XML parsed back, and the GitHub Actions default.

mod common;

use common::project;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

fn run(dir: &Path, args: &[&str], actions: bool) -> std::process::Output {
    let mut cmd = common::bucketlint_in(dir);
    cmd.args(args);
    if actions {
        cmd.env("GITHUB_ACTIONS", "true");
    }
    cmd.output().unwrap()
}

/// Undoes the workflow-command escaping (`%25` last, so `%250A` stays `%0A`).
fn unescape(s: &str) -> String {
    s.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
}

struct Annotation {
    level: String,
    props: BTreeMap<String, String>,
    message: String,
}

/// Parses `::level k=v,k=v::message` lines the way the runner does: split the
/// properties on `,` and `=`, then unescape.
fn annotations(stdout: &str) -> Vec<Annotation> {
    stdout
        .lines()
        .filter_map(|l| l.strip_prefix("::"))
        .map(|l| {
            let (head, message) = l
                .split_once("::")
                .expect("a command has `::` before its data");
            let (level, props) = head.split_once(' ').unwrap_or((head, ""));
            let props = props
                .split(',')
                .filter(|p| !p.is_empty())
                .map(|p| {
                    let (k, v) = p.split_once('=').expect("key=value");
                    (k.to_string(), unescape(v))
                })
                .collect();
            Annotation {
                level: level.to_string(),
                props,
                message: unescape(message),
            }
        })
        .collect()
}

#[test]
fn annotations_escape_percent_line_breaks_colons_and_commas() {
    let dir = project(&[(
        "odd: dir, really/main.tf",
        "resource \"aws_s3_bucket\" \"site\" {\n  bucket = \"100%-site\\r\\nnext\"\n  acl    = \"public-read\"\n}\n",
    )]);
    let out = run(
        dir.path(),
        &["check", ".", "--format", "github", "--select", "BL110"],
        false,
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    // One physical line per annotation: raw line breaks would end the command.
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(
        stdout.contains("%25") && stdout.contains("%0D%0A"),
        "{stdout}"
    );
    assert!(
        stdout.contains("file=odd%3A dir%2C really/main.tf,"),
        "{stdout}"
    );
    let a = &annotations(&stdout)[0];
    assert_eq!(a.level, "error");
    assert_eq!(a.props["file"], "odd: dir, really/main.tf");
    assert_eq!(a.props["line"], "3");
    assert_eq!(a.props["endLine"], "3");
    assert_eq!(a.props["col"], "12");
    assert_eq!(a.props["endColumn"], "25");
    assert_eq!(a.props["title"], "BL110 public-acl [high]");
    // The message round-trips to what the JSON report says.
    let json = run(
        dir.path(),
        &["check", ".", "--format", "json", "--select", "BL110"],
        false,
    );
    let json: Value = serde_json::from_slice(&json.stdout).unwrap();
    let f = &json["findings"][0];
    assert!(f["message"].as_str().unwrap().contains("100%-site\r\nnext"));
    assert_eq!(
        a.message,
        format!(
            "{}\nFix: {}",
            f["message"].as_str().unwrap(),
            f["help"].as_str().unwrap()
        )
    );
}

#[test]
fn annotations_go_most_severe_first_and_stop_at_the_step_limit() {
    let mut files = Vec::new();
    for i in 0..15 {
        files.push((
            format!("b{i:02}.tf"),
            format!(
                "resource \"aws_s3_bucket\" \"b{i}\" {{\n  bucket = \"example-{i}\"\n  acl    = \"public-read\"\n}}\n"
            ),
        ));
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let dir = project(&refs);
    let out = run(dir.path(), &["check", ".", "--format", "github"], false);
    let stdout = String::from_utf8(out.stdout).unwrap();
    let all = annotations(&stdout);
    let count = |l: &str| all.iter().filter(|a| a.level == l).count();
    assert_eq!(count("error"), 10);
    assert_eq!(count("warning"), 10);
    assert_eq!(count("notice"), 10, "nine findings and the tally");
    // Most severe first.
    let order: Vec<&str> = all.iter().map(|a| a.level.as_str()).collect();
    let rank = |l: &str| match l {
        "error" => 0,
        "warning" => 1,
        _ => 2,
    };
    assert!(
        order.windows(2).all(|w| rank(w[0]) <= rank(w[1])),
        "{order:?}"
    );
    // The last one says how many were left out, and that number is right.
    let json = run(dir.path(), &["check", ".", "--format", "json"], false);
    let total = serde_json::from_slice::<Value>(&json.stdout).unwrap()["summary"]["findings"]
        .as_u64()
        .unwrap() as usize;
    let tally = all.last().unwrap();
    assert_eq!(tally.props["title"], "bucketlint: more findings");
    assert!(
        tally
            .message
            .starts_with(&format!("{} more findings not annotated", total - 29)),
        "{}",
        tally.message
    );
}

#[test]
fn in_github_actions_the_default_is_annotations_and_the_text_report() {
    let dir = project(&[(
        "main.tf",
        "resource \"aws_s3_bucket\" \"site\" {\n  bucket = \"example-site\"\n  acl    = \"public-read\"\n}\n",
    )]);
    let out = run(dir.path(), &["check", "."], true);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.starts_with("::error file=main.tf,line=1"),
        "{stdout}"
    );
    assert!(
        stdout.contains("\n::error file=main.tf,line=3,endLine=3,col=12"),
        "{stdout}"
    );
    assert!(stdout.contains("high[BL110]"), "{stdout}");
    assert!(
        stdout
            .lines()
            .last()
            .unwrap()
            .contains("in 1 file, 1 bucket"),
        "{stdout}"
    );
    // An explicit format wins.
    let out = run(dir.path(), &["check", ".", "--format", "concise"], true);
    assert!(!String::from_utf8(out.stdout).unwrap().contains("::error"));
}

#[test]
fn junit_parses_back_with_consistent_counts() {
    let dir = project(&[
        (
            "main.tf",
            // Quotes, angle brackets and a control character in the bucket name
            // reach the message: the XML must stay well-formed.
            "resource \"aws_s3_bucket\" \"site\" {\n  bucket = \"<a href='x'>&\\u0007\\\"]]>\"\n  acl    = \"public-read\" # bucketlint:ignore BL110 a \"reviewed\" <exception>\n}\n",
        ),
        // In its own module: a broken file makes its module's values uncertain.
        ("other/broken.tf", "resource \"aws_s3_bucket\" {\n"),
    ]);
    let out = run(
        dir.path(),
        &["check", ".", "--format", "junit", "--select", "ALL"],
        false,
    );
    let xml = String::from_utf8(out.stdout).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let attr = |n: roxmltree::Node, a: &str| n.attribute(a).unwrap().parse::<usize>().unwrap();
    let suites: Vec<_> = root
        .children()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    let mut sums = [0usize; 4];
    for s in &suites {
        let cases: Vec<_> = s
            .children()
            .filter(|n| n.has_tag_name("testcase"))
            .collect();
        let kind = |k: &str| {
            cases
                .iter()
                .filter(|c| c.children().any(|x| x.has_tag_name(k)))
                .count()
        };
        assert_eq!(attr(*s, "tests"), cases.len());
        assert_eq!(attr(*s, "failures"), kind("failure"));
        assert_eq!(attr(*s, "errors"), kind("error"));
        assert_eq!(attr(*s, "skipped"), kind("skipped"));
        for (i, k) in ["tests", "failures", "errors", "skipped"]
            .iter()
            .enumerate()
        {
            sums[i] += attr(*s, k);
        }
    }
    for (i, k) in ["tests", "failures", "errors", "skipped"]
        .iter()
        .enumerate()
    {
        assert_eq!(attr(root, k), sums[i], "{k}");
    }
    // Against the JSON report: every finding is a case; suppressed ones are skipped.
    let json = run(
        dir.path(),
        &["check", ".", "--format", "json", "--select", "ALL"],
        false,
    );
    let json: Value = serde_json::from_slice(&json.stdout).unwrap();
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(
        attr(root, "tests"),
        findings.len() + 1,
        "plus the scan case"
    );
    assert_eq!(attr(root, "skipped"), 1);
    assert_eq!(attr(root, "errors"), 1, "the file that does not parse");
    let skipped = doc
        .descendants()
        .find(|n| n.has_tag_name("skipped"))
        .unwrap();
    assert_eq!(
        skipped.attribute("message"),
        Some("suppressed: a \"reviewed\" <exception>")
    );
    let failure = doc
        .descendants()
        .find(|n| n.has_tag_name("failure") && n.attribute("type") == Some("BL100"))
        .unwrap();
    assert!(
        failure
            .attribute("message")
            .unwrap()
            .contains("<a href='x'>&\"]]>")
    );
    let case = failure.parent().unwrap();
    assert_eq!(case.attribute("file"), Some("main.tf"));
    assert_eq!(case.attribute("line"), Some("1"));
}
