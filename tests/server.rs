//! `bucketlint server` spoken to as an editor does: JSON-RPC over its standard input
//! and output, with unsaved buffers.

mod common;
#[path = "common/lsp.rs"]
mod lsp;

use lsp::Client;
use serde_json::{Value, json};

fn codes(d: &[Value]) -> Vec<String> {
    d.iter()
        .map(|x| x["code"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn unsaved_buffers_get_diagnostics_hovers_and_quick_fixes() {
    let dir = common::project(&[
        (
            "m/main.tf",
            "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n  acl    = var.acl\n}\n",
        ),
        (
            "m/variables.tf",
            "variable \"acl\" {\n  default = \"private\"\n}\n",
        ),
    ]);
    let root = dir.path().canonicalize().unwrap();
    let main = format!("file://{}/m/main.tf", root.display());
    let vars = format!("file://{}/m/variables.tf", root.display());
    let mut c = Client::start(
        env!("CARGO_BIN_EXE_bucketlint"),
        &root,
        &json!({ "select": ["BL110", "BL001"] }),
    );
    // An unsaved public ACL in main.tf.
    let public =
        "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n  acl    = \"public-read\"\n}\n";
    c.open(&main, "terraform", public);
    let d = c.diagnostics(&main, |d| !d.is_empty());
    assert_eq!(codes(&d), ["BL110"]);
    assert_eq!(
        d[0]["range"]["start"],
        json!({ "line": 2, "character": 11 }),
        "{}",
        d[0]
    );
    assert_eq!(d[0]["severity"], 1);
    assert_eq!(d[0]["source"], "bucketlint");
    assert!(
        d[0]["codeDescription"]["href"]
            .as_str()
            .unwrap()
            .ends_with("public_acl.toml"),
        "{}",
        d[0]
    );

    // Hover on it explains the rule; the quick fix suppresses it with a reason.
    let hover = c.request(
        "textDocument/hover",
        &json!({ "textDocument": { "uri": main }, "position": { "line": 2, "character": 14 } }),
    );
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(
        text.contains("BL110") && text.contains("Remediation"),
        "{text}"
    );
    let nothing = c.request(
        "textDocument/hover",
        &json!({ "textDocument": { "uri": main }, "position": { "line": 0, "character": 0 } }),
    );
    assert_eq!(nothing, Value::Null);
    let actions = c.request(
        "textDocument/codeAction",
        &json!({
            "textDocument": { "uri": main },
            "range": d[0]["range"],
            "context": { "diagnostics": d },
        }),
    );
    // First the fix (unsafe: it takes the public access away), then the suppression.
    assert_eq!(
        actions[0]["title"], "Fix (unsafe, review it): make the canned ACL private",
        "{actions}"
    );
    assert_eq!(actions[0]["isPreferred"], false);
    let fix = &actions[0]["edit"]["changes"][&main][0];
    assert_eq!(fix["newText"], "\"private\"", "{actions}");
    assert_eq!(fix["range"]["start"], json!({ "line": 2, "character": 11 }));
    let edit = &actions[1]["edit"]["changes"][&main][0];
    assert_eq!(
        edit["newText"], "  # bucketlint:ignore BL110 reason: \n",
        "{actions}"
    );
    assert_eq!(edit["range"]["start"], json!({ "line": 2, "character": 0 }));

    // The quick fix, applied, suppresses the finding.
    let suppressed = public.replacen("  acl", "  # bucketlint:ignore BL110 reason: \n  acl", 1);
    c.change(&main, 2, &suppressed);
    c.diagnostics(&main, <[Value]>::is_empty);

    // Fixed in the buffer, not saved: the diagnostic goes.
    c.change(&main, 3, public);
    c.diagnostics(&main, |d| !d.is_empty());
    c.change(
        &main,
        4,
        "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n  acl    = var.acl\n}\n",
    );
    c.diagnostics(&main, <[Value]>::is_empty);

    // A change in variables.tf changes what main.tf is told.
    c.open(
        &vars,
        "terraform",
        "variable \"acl\" {\n  default = \"private\"\n}\n",
    );
    c.change(
        &vars,
        2,
        "variable \"acl\" {\n  default = \"public-read\"\n}\n",
    );
    let d = c.diagnostics(&main, |d| !d.is_empty());
    assert_eq!(codes(&d), ["BL110"]);

    // While typing, a block breaks: the error is located, and the findings of the
    // blocks that still parse stay.
    let broken = format!("{public}\nresource \"aws_s3_bucket\" \"c\" {{\n  bucket = \n");
    c.change(&main, 5, &broken);
    let d = c.diagnostics(&main, |d| codes(d).contains(&"BL001".to_string()));
    assert_eq!(codes(&d), ["BL110", "BL001"]);
    assert_eq!(d[1]["range"]["start"]["line"], 6, "{}", d[1]);
    assert_eq!(d[1]["severity"], 1);

    // Closing clears; shutdown and exit end the process cleanly.
    c.notify(
        "textDocument/didClose",
        &json!({ "textDocument": { "uri": main } }),
    );
    c.diagnostics(&main, <[Value]>::is_empty);
    let status = c.shutdown();
    assert!(status.success(), "{status}");
    // Nothing was written to disk.
    let on_disk = std::fs::read_to_string(root.join("m/main.tf")).unwrap();
    assert!(on_disk.contains("var.acl"));
}

#[test]
fn saving_the_configuration_checks_the_open_buffers_again() {
    let dir = common::project(&[(
        "main.tf",
        "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n  acl    = \"public-read\"\n}\n",
    )]);
    let root = dir.path().canonicalize().unwrap();
    let main = format!("file://{}/main.tf", root.display());
    let mut c = Client::start(env!("CARGO_BIN_EXE_bucketlint"), &root, &json!({}));
    let text = std::fs::read_to_string(root.join("main.tf")).unwrap();
    c.open(&main, "terraform", &text);
    let d = c.diagnostics(&main, |d| !d.is_empty());
    assert!(codes(&d).len() > 1, "{:?}", codes(&d));
    std::fs::write(root.join("bucketlint.toml"), "select = [\"BL110\"]\n").unwrap();
    let config = format!("file://{}/bucketlint.toml", root.display());
    c.notify(
        "textDocument/didSave",
        &json!({ "textDocument": { "uri": config } }),
    );
    let d = c.diagnostics(&main, |d| d.len() == 1);
    assert_eq!(codes(&d), ["BL110"]);
    assert!(c.shutdown().success());
}

/// A finding in a called module shows where the open file calls it, and points to
/// its place; the module is found in the workspace even when the server runs
/// elsewhere.
#[test]
fn findings_in_called_modules_show_at_the_call() {
    let dir = common::project(&[
        (
            "root/main.tf",
            "module \"store\" {\n  source = \"../store\"\n}\n",
        ),
        (
            "store/main.tf",
            "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n  acl    = \"public-read\"\n}\n",
        ),
    ]);
    let ws = dir.path().canonicalize().unwrap();
    let main = format!("file://{}/root/main.tf", ws.display());
    let mut c = Client::start_in(
        env!("CARGO_BIN_EXE_bucketlint"),
        &ws.join("root"),
        &ws,
        &json!({ "select": "BL110" }),
    );
    let text = std::fs::read_to_string(ws.join("root/main.tf")).unwrap();
    c.open(&main, "terraform", &text);
    let d = c.diagnostics(&main, |d| !d.is_empty());
    assert_eq!(codes(&d), ["BL110"]);
    assert_eq!(d[0]["range"]["start"]["line"], 0, "{}", d[0]);
    assert!(
        d[0]["message"]
            .as_str()
            .unwrap()
            .contains("store/main.tf:3"),
        "{}",
        d[0]
    );
    let place = &d[0]["relatedInformation"][0]["location"];
    assert_eq!(
        place["uri"],
        format!("file://{}/store/main.tf", ws.display())
    );
    assert_eq!(place["range"]["start"]["line"], 2);
    assert!(c.shutdown().success());
}

/// Inserts `edit` (an LSP text edit at one position, ASCII text) into `text`.
/// `text` with an LSP text edit applied (ASCII text: columns are bytes).
fn apply(text: &str, edit: &Value) -> String {
    let offset = |p: &Value| {
        let line = p["line"].as_u64().unwrap() as usize;
        let col = p["character"].as_u64().unwrap() as usize;
        text.split_inclusive('\n')
            .take(line)
            .map(str::len)
            .sum::<usize>()
            + col
    };
    let (start, end) = (
        offset(&edit["range"]["start"]),
        offset(&edit["range"]["end"]),
    );
    format!(
        "{}{}{}",
        &text[..start],
        edit["newText"].as_str().unwrap(),
        &text[end..]
    )
}

/// In a JSON template the quick fix writes the resource's `Metadata`, which
/// suppresses the finding, whether the resource has `Metadata` or not.
#[test]
fn json_templates_are_suppressed_through_metadata() {
    let dir = common::project(&[]);
    let root = dir.path().canonicalize().unwrap();
    let uri = format!("file://{}/stack.json", root.display());
    let mut c = Client::start(
        env!("CARGO_BIN_EXE_bucketlint"),
        &root,
        &json!({ "select": ["BL110"] }),
    );
    for (version, text) in [
        "{\"Resources\": {\"B\": {\"Type\": \"AWS::S3::Bucket\", \"Properties\": {\"AccessControl\": \"PublicRead\"}}}}\n",
        "{\"Resources\": {\"B\": {\"Metadata\": {\"Owner\": \"x\"}, \"Type\": \"AWS::S3::Bucket\", \"Properties\": {\"AccessControl\": \"PublicRead\"}}}}\n",
        "{\"Resources\": {\"B\": {\"Metadata\": {\"bucketlint\": {\"ignore\": [{\"code\": \"BL401\", \"reason\": \"x\"}]}}, \"Type\": \"AWS::S3::Bucket\", \"Properties\": {\"AccessControl\": \"PublicRead\"}}}}\n",
    ]
    .into_iter()
    .enumerate()
    {
        let version = version as u64 * 2 + 1;
        if version == 1 {
            c.open(&uri, "json", text);
        } else {
            c.change(&uri, version, text);
        }
        let d = c.diagnostics(&uri, |d| !d.is_empty());
        assert_eq!(codes(&d), ["BL110"], "{text}");
        let actions = c.request(
            "textDocument/codeAction",
            &json!({ "textDocument": { "uri": uri }, "range": d[0]["range"], "context": { "diagnostics": d } }),
        );
        let suppress = actions
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["title"].as_str().unwrap().starts_with("Suppress"))
            .unwrap();
        let fixed = apply(text, &suppress["edit"]["changes"][&uri][0]);
        assert!(serde_json::from_str::<Value>(&fixed).is_ok(), "{fixed}");
        c.change(&uri, version + 1, &fixed);
        c.diagnostics(&uri, <[Value]>::is_empty);
    }
    assert!(c.shutdown().success());
}

/// A safe fix is the preferred quick fix, and applying it clears the diagnostic.
#[test]
fn fixes_are_code_actions() {
    let dir = common::project(&[]);
    let root = dir.path().canonicalize().unwrap();
    let uri = format!("file://{}/stack.yaml", root.display());
    let mut c = Client::start(
        env!("CARGO_BIN_EXE_bucketlint"),
        &root,
        &json!({ "select": ["BL401"] }),
    );
    let text = "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      VersioningConfiguration:\n        Status: Suspended\n";
    c.open(&uri, "yaml", text);
    let d = c.diagnostics(&uri, |d| !d.is_empty());
    assert_eq!(codes(&d), ["BL401"]);
    let actions = c.request(
        "textDocument/codeAction",
        &json!({ "textDocument": { "uri": uri }, "range": d[0]["range"], "context": { "diagnostics": d } }),
    );
    assert_eq!(actions[0]["title"], "Fix: enable versioning", "{actions}");
    assert_eq!(actions[0]["isPreferred"], true);
    let fixed = apply(text, &actions[0]["edit"]["changes"][&uri][0]);
    assert!(fixed.ends_with("Status: Enabled\n"), "{fixed}");
    c.change(&uri, 2, &fixed);
    c.diagnostics(&uri, <[Value]>::is_empty);
    assert!(c.shutdown().success());
}

/// An unused suppression is published faded (`unnecessary`).
#[test]
fn unused_suppressions_are_faded() {
    let dir = common::project(&[]);
    let root = dir.path().canonicalize().unwrap();
    let uri = format!("file://{}/main.tf", root.display());
    let mut c = Client::start(
        env!("CARGO_BIN_EXE_bucketlint"),
        &root,
        &json!({ "select": ["BL002", "BL110"] }),
    );
    let text = "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n  # bucketlint:ignore BL110 reviewed\n  acl    = \"private\"\n}\n";
    c.open(&uri, "terraform", text);
    let d = c.diagnostics(&uri, |d| !d.is_empty());
    assert_eq!(codes(&d), ["BL002"]);
    assert_eq!(d[0]["tags"], json!([1]));
    assert_eq!(d[0]["range"]["start"]["line"], 2);
    assert!(c.shutdown().success());
}
