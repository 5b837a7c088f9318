//! `bucketlint server`: a Language Server Protocol server over standard input and
//! output. Open buffers overlay the files on disk and each change re-runs the one
//! pipeline ([`cli::scan_buffers`], as `check --stdin-filename` does) on the
//! buffer's module; its findings become diagnostics, hovers and code actions.

use crate::cli;
use crate::finding::{Finding, Severity};
use crate::rules;
use crate::source::{Sources, Span, absolute};
use crate::walk::FileKind;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use serde_json::{Value, json};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long to wait for more messages before re-checking: a burst of changes (a
/// paste, a client's batched edits) is checked once, and changes that arrive
/// during a check coalesce into the next one.
const DEBOUNCE: Duration = Duration::from_millis(5);

/// Runs the server until the client says `exit`. The exit status: 0 after a
/// `shutdown`, 1 otherwise (as the protocol asks).
pub fn run() -> u8 {
    let (connection, io) = Connection::stdio();
    let status = match serve(&connection) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("bucketlint server: {e}");
            1
        }
    };
    drop(connection);
    let _ = io.join();
    status
}

fn serve(connection: &Connection) -> Result<(), String> {
    let capabilities = json!({
        "positionEncoding": "utf-16",
        "textDocumentSync": { "openClose": true, "change": 1, "save": { "includeText": false } },
        "hoverProvider": true,
        "codeActionProvider": { "codeActionKinds": ["quickfix"] },
    });
    let (id, params) = connection.initialize_start().map_err(|e| e.to_string())?;
    connection
        .initialize_finish(
            id,
            json!({
                "capabilities": capabilities,
                "serverInfo": { "name": "bucketlint", "version": env!("CARGO_PKG_VERSION") },
            }),
        )
        .map_err(|e| e.to_string())?;
    let mut state = State::new(&params);
    loop {
        // Wait for a message; while checks are pending, only a little, so a burst of
        // changes is checked once.
        let message = if state.dirty.is_empty() {
            match connection.receiver.recv() {
                Ok(m) => Some(m),
                Err(_) => return Ok(()),
            }
        } else {
            connection.receiver.recv_timeout(DEBOUNCE).ok()
        };
        let Some(message) = message else {
            state.check(connection);
            continue;
        };
        match message {
            Message::Request(req) => {
                if connection
                    .handle_shutdown(&req)
                    .map_err(|e| e.to_string())?
                {
                    return Ok(());
                }
                let response = state.request(req);
                send(connection, Message::Response(response));
            }
            Message::Notification(n) => state.notification(&n, connection),
            Message::Response(_) => {}
        }
    }
}

fn send(connection: &Connection, message: Message) {
    let _ = connection.sender.send(message);
}

/// An open buffer.
struct Doc {
    path: PathBuf,
    text: String,
}

/// A diagnostic as published: its range and the finding it tells of.
struct Published {
    range: Value,
    code: &'static str,
    line: u32,
}

struct State {
    docs: HashMap<String, Doc>,
    published: HashMap<String, Vec<Published>>,
    /// Modules (a Terraform directory, or a template file) to check again.
    dirty: BTreeSet<PathBuf>,
    select: Vec<String>,
    profile: Vec<String>,
}

/// The unit a change affects: a Terraform file's directory, else the file.
fn module_of(path: &Path) -> PathBuf {
    match FileKind::of(path) {
        Some(k) if k.is_terraform() => path.parent().map_or_else(PathBuf::new, Path::to_path_buf),
        _ => path.to_path_buf(),
    }
}

impl State {
    fn new(params: &Value) -> State {
        let list = |key: &str| -> Vec<String> {
            match params.pointer(&format!("/initializationOptions/{key}")) {
                Some(Value::String(s)) => vec![s.clone()],
                Some(Value::Array(a)) => a
                    .iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect(),
                _ => Vec::new(),
            }
        };
        State {
            docs: HashMap::new(),
            published: HashMap::new(),
            dirty: BTreeSet::new(),
            select: list("select"),
            profile: list("profile"),
        }
    }

    /// Every open buffer is checked again: the configuration may have changed.
    fn all_dirty(&mut self) {
        let modules: Vec<PathBuf> = self.docs.values().map(|d| module_of(&d.path)).collect();
        self.dirty.extend(modules);
    }

    fn notification(&mut self, n: &Notification, connection: &Connection) {
        if n.method == "workspace/didChangeWatchedFiles" {
            self.all_dirty();
            return;
        }
        let uri = n
            .params
            .pointer("/textDocument/uri")
            .and_then(Value::as_str)
            .map(String::from);
        let Some(uri) = uri else { return };
        let path = uri_to_path(&uri);
        // The configuration is read from disk, as the CLI reads it: saving it
        // re-checks everything. Other files bucketlint does not read are not kept.
        let is_config = path
            .as_deref()
            .and_then(Path::file_name)
            .is_some_and(|f| crate::config::FILE_NAMES.iter().any(|n| f == *n));
        if is_config && n.method == "textDocument/didSave" {
            self.all_dirty();
            return;
        }
        if path.as_deref().and_then(FileKind::of).is_none() {
            return;
        }
        match n.method.as_str() {
            "textDocument/didOpen" => {
                let Some(path) = path else {
                    return;
                };
                let text = n
                    .params
                    .pointer("/textDocument/text")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                self.dirty.insert(module_of(&path));
                self.docs.insert(
                    uri,
                    Doc {
                        path,
                        text: text.to_string(),
                    },
                );
            }
            "textDocument/didChange" => {
                // Full synchronization: the last change holds the whole text.
                let text = n
                    .params
                    .get("contentChanges")
                    .and_then(Value::as_array)
                    .and_then(|c| c.last())
                    .and_then(|c| c.get("text"))
                    .and_then(Value::as_str);
                if let (Some(doc), Some(text)) = (self.docs.get_mut(&uri), text) {
                    doc.text = text.to_string();
                    self.dirty.insert(module_of(&doc.path));
                }
            }
            "textDocument/didSave" => {
                if let Some(doc) = self.docs.get(&uri) {
                    self.dirty.insert(module_of(&doc.path));
                }
            }
            "textDocument/didClose" => {
                if let Some(doc) = self.docs.remove(&uri) {
                    // The other buffers of its module now see the file on disk.
                    self.dirty.insert(module_of(&doc.path));
                }
                self.published.remove(&uri);
                publish(connection, &uri, &[]);
            }
            _ => {}
        }
    }

    /// Checks every dirty module and publishes the diagnostics of its open buffers.
    fn check(&mut self, connection: &Connection) {
        let overlays: crate::Overlays = std::sync::Arc::new(
            self.docs
                .values()
                .map(|d| (absolute(&d.path), d.text.clone().into_bytes()))
                .collect(),
        );
        for module in std::mem::take(&mut self.dirty) {
            let open: Vec<(String, PathBuf)> = self
                .docs
                .iter()
                .filter(|(_, d)| module_of(&d.path) == module)
                .map(|(u, d)| (u.clone(), d.path.clone()))
                .collect();
            if open.is_empty() {
                continue;
            }
            let named: Vec<PathBuf> = open.iter().map(|(_, p)| p.clone()).collect();
            let scan =
                match cli::scan_buffers(&named, overlays.clone(), &self.select, &self.profile) {
                    Ok(scan) => scan,
                    Err(e) => {
                        send(
                            connection,
                            Message::Notification(Notification::new(
                                "window/logMessage".into(),
                                json!({ "type": 1, "message": format!("bucketlint: {e}") }),
                            )),
                        );
                        continue;
                    }
                };
            for (uri, path) in open {
                let key = absolute(&path);
                let mine: Vec<&Finding> = scan
                    .findings
                    .iter()
                    .filter(|f| f.suppressed.is_none())
                    .filter(|f| absolute(&scan.sources.get(f.span.file).path) == key)
                    .collect();
                let mut diagnostics = Vec::new();
                let mut published = Vec::new();
                for f in mine {
                    let d = diagnostic(f, &scan.sources);
                    published.push(Published {
                        range: d["range"].clone(),
                        code: f.code,
                        line: d["range"]["start"]["line"].as_u64().unwrap_or(0) as u32,
                    });
                    diagnostics.push(d);
                }
                publish(connection, &uri, &diagnostics);
                self.published.insert(uri, published);
            }
        }
    }

    fn request(&self, req: Request) -> Response {
        let uri = req
            .params
            .pointer("/textDocument/uri")
            .and_then(Value::as_str)
            .unwrap_or("");
        let published = self.published.get(uri).map_or(&[][..], Vec::as_slice);
        match req.method.as_str() {
            "textDocument/hover" => {
                let at = req.params.get("position").cloned().unwrap_or(Value::Null);
                let here: Vec<&Published> = published
                    .iter()
                    .filter(|p| contains(&p.range, &at))
                    .collect();
                if here.is_empty() {
                    return Response::new_ok(req.id, Value::Null);
                }
                let text: Vec<String> = here.iter().filter_map(|p| hover_text(p.code)).collect();
                Response::new_ok(
                    req.id,
                    json!({
                        "contents": { "kind": "markdown", "value": text.join("\n\n---\n\n") },
                        "range": here[0].range,
                    }),
                )
            }
            "textDocument/codeAction" => {
                let range = req.params.get("range").cloned().unwrap_or(Value::Null);
                let Some(doc) = self.docs.get(uri) else {
                    return Response::new_ok(req.id, json!([]));
                };
                let mut actions = Vec::new();
                let mut seen = BTreeSet::new();
                for p in published.iter().filter(|p| overlaps(&p.range, &range)) {
                    if seen.insert((p.code, p.line))
                        && let Some(a) = suppress_action(uri, doc, p)
                    {
                        actions.push(a);
                    }
                }
                Response::new_ok(req.id, Value::Array(actions))
            }
            _ => Response::new_err(
                req.id,
                ErrorCode::MethodNotFound as i32,
                format!("bucketlint does not handle {}", req.method),
            ),
        }
    }
}

fn publish(connection: &Connection, uri: &str, diagnostics: &[Value]) {
    send(
        connection,
        Message::Notification(Notification::new(
            "textDocument/publishDiagnostics".into(),
            json!({ "uri": uri, "diagnostics": diagnostics }),
        )),
    );
}

/// An LSP range (0-based lines, UTF-16 columns) of a span.
fn range(span: Span, sources: &Sources) -> Value {
    let file = sources.get(span.file);
    let at = |offset: u32| {
        let p = file.position(offset as usize);
        json!({ "line": p.line - 1, "character": p.utf16_column - 1 })
    };
    json!({ "start": at(span.start), "end": at(span.end) })
}

fn diagnostic(f: &Finding, sources: &Sources) -> Value {
    let severity = match f.severity {
        Severity::Critical | Severity::High => 1,
        Severity::Medium => 2,
        Severity::Low => 3,
    };
    let mut d = json!({
        "range": range(f.span, sources),
        "severity": severity,
        "code": f.code,
        "source": "bucketlint",
        "message": f.message,
    });
    if let Some(entry) = rules::find(f.code) {
        d["codeDescription"] = json!({ "href": entry.doc.help_uri() });
    }
    if f.code == rules::unused_suppression::CODE {
        // An unused suppression is dead text: editors fade it.
        d["tags"] = json!([1]);
    }
    let related: Vec<Value> = f
        .related
        .iter()
        .map(|r| {
            json!({
                "location": {
                    "uri": path_to_uri(&absolute(&sources.get(r.span.file).path)),
                    "range": range(r.span, sources),
                },
                "message": r.message,
            })
        })
        .collect();
    if !related.is_empty() {
        d["relatedInformation"] = Value::Array(related);
    }
    d
}

fn hover_text(code: &str) -> Option<String> {
    let doc = &rules::find(code)?.doc;
    Some(format!(
        "**{} {}** ({})\n\n{}\n\n{}\n\n**Remediation.** {}\n\n[Documentation]({})",
        doc.code,
        doc.name,
        doc.severity,
        doc.summary,
        doc.explanation.trim(),
        doc.remediation.trim(),
        doc.help_uri()
    ))
}

fn pos(v: &Value) -> (u64, u64) {
    (
        v["line"].as_u64().unwrap_or(0),
        v["character"].as_u64().unwrap_or(0),
    )
}

fn contains(range: &Value, at: &Value) -> bool {
    let at = pos(at);
    pos(&range["start"]) <= at && at <= pos(&range["end"])
}

fn overlaps(a: &Value, b: &Value) -> bool {
    pos(&a["start"]) <= pos(&b["end"]) && pos(&b["start"]) <= pos(&a["end"])
}

/// "Suppress BLxxx here": a comment line above the finding's line, indented as it
/// is, with a reason to write. JSON has no comments: no action there.
fn suppress_action(uri: &str, doc: &Doc, p: &Published) -> Option<Value> {
    let kind = FileKind::of(&doc.path)?;
    if matches!(kind, FileKind::TerraformJson | FileKind::Json) {
        return None;
    }
    let line_text = doc.text.lines().nth(p.line as usize).unwrap_or("");
    let indent: String = line_text
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let comment = format!("{indent}# bucketlint:ignore {} reason: \n", p.code);
    Some(json!({
        "title": format!("Suppress {} here (with a reason)", p.code),
        "kind": "quickfix",
        "edit": { "changes": { uri: [{
            "range": { "start": { "line": p.line, "character": 0 }, "end": { "line": p.line, "character": 0 } },
            "newText": comment,
        }] } },
    }))
}

/// The path of a `file:` URI (percent-decoded).
fn uri_to_path(uri: &str) -> Option<PathBuf> {
    let rest = uri.strip_prefix("file://")?;
    // `file:///C:/x` on Windows: the path starts at the drive letter.
    let rest = match rest.as_bytes() {
        [b'/', d, b':', ..] if cfg!(windows) && d.is_ascii_alphabetic() => &rest[1..],
        _ => rest,
    };
    let mut bytes = Vec::with_capacity(rest.len());
    let b = rest.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let Some(v) = rest
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            bytes.push(v);
            i += 3;
            continue;
        }
        bytes.push(b[i]);
        i += 1;
    }
    Some(PathBuf::from(String::from_utf8(bytes).ok()?))
}

fn path_to_uri(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    let lead = if s.starts_with('/') { "" } else { "/" };
    format!("file://{lead}{}", crate::report::percent_encode_path(&s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_uris_round_trip() {
        for p in ["/a/b c/main.tf", "/x/ü%#.tf"] {
            let uri = path_to_uri(Path::new(p));
            assert!(!uri.contains(' ') && !uri.contains('#'), "{uri}");
            assert_eq!(uri_to_path(&uri).as_deref(), Some(Path::new(p)));
        }
        assert_eq!(uri_to_path("untitled:1"), None);
    }
}
