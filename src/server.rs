//! `bucketlint server`: a Language Server Protocol server over standard input and
//! output. Open buffers overlay the files on disk and each change re-runs the one
//! pipeline ([`cli::scan_buffers`], as `check --stdin-filename` does) on the
//! buffer's module; its findings become diagnostics, hovers and code actions.

use crate::cli;
use crate::finding::{Applicability, Finding, Fix, Severity};
use crate::rules;
use crate::source::{Sources, Span, absolute};
use crate::walk::FileKind;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types as lsp;
use lsp_types::notification::{self as note, Notification as _};
use lsp_types::request::{self as req, Request as _};
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::str::FromStr;
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
    let capabilities = lsp::ServerCapabilities {
        position_encoding: Some(lsp::PositionEncodingKind::UTF16),
        text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(
            lsp::TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(lsp::TextDocumentSyncKind::FULL),
                save: Some(lsp::TextDocumentSyncSaveOptions::SaveOptions(
                    lsp::SaveOptions {
                        include_text: Some(false),
                    },
                )),
                ..lsp::TextDocumentSyncOptions::default()
            },
        )),
        hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
        code_action_provider: Some(lsp::CodeActionProviderCapability::Options(
            lsp::CodeActionOptions {
                code_action_kinds: Some(vec![lsp::CodeActionKind::QUICKFIX]),
                ..lsp::CodeActionOptions::default()
            },
        )),
        ..lsp::ServerCapabilities::default()
    };
    let result = lsp::InitializeResult {
        capabilities,
        server_info: Some(lsp::ServerInfo {
            name: "bucketlint".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
    };
    let (id, params) = connection.initialize_start().map_err(|e| e.to_string())?;
    let result = serde_json::to_value(result).map_err(|e| e.to_string())?;
    connection
        .initialize_finish(id, result)
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
                // After `shutdown` is answered, a client that closes the pipe without
                // sending `exit` has shut us down all the same: exit 0.
                if connection.handle_shutdown(&req).unwrap_or(true) {
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

/// What a notification does to a buffer.
enum Event {
    Open(String),
    Change(String),
    Save,
    Close,
}

/// An open buffer.
struct Doc {
    path: PathBuf,
    text: String,
}

/// A diagnostic as published: its range and the finding it tells of.
struct Published {
    range: lsp::Range,
    code: &'static str,
    /// The resource address or logical ID.
    resource: Option<String>,
    /// Its fix as a code action, when it has one.
    fix: Option<lsp::CodeAction>,
}

struct State {
    docs: HashMap<String, Doc>,
    published: HashMap<String, Vec<Published>>,
    /// Modules (a Terraform directory, or a template file) to check again.
    dirty: BTreeSet<PathBuf>,
    editor: cli::EditorSettings,
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
        let init = serde_json::from_value::<lsp::InitializeParams>(params.clone()).ok();
        let options = init
            .as_ref()
            .and_then(|p| p.initialization_options.clone())
            .unwrap_or(Value::Null);
        let list = |key: &str| -> Vec<String> {
            match options.get(key) {
                Some(Value::String(s)) => vec![s.clone()],
                Some(Value::Array(a)) => a
                    .iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect(),
                _ => Vec::new(),
            }
        };
        // The workspace folders (or the older root URI): where module sources may
        // be read from.
        #[allow(deprecated)]
        let root = init.as_ref().and_then(|p| p.root_uri.clone());
        let workspace = init
            .as_ref()
            .and_then(|p| p.workspace_folders.clone())
            .map(|f| f.into_iter().map(|f| f.uri).collect::<Vec<_>>())
            .filter(|f| !f.is_empty())
            .or_else(|| root.map(|r| vec![r]))
            .unwrap_or_default()
            .iter()
            .filter_map(|u| uri_to_path(u.as_str()))
            .collect();
        State {
            docs: HashMap::new(),
            published: HashMap::new(),
            dirty: BTreeSet::new(),
            editor: cli::EditorSettings {
                select: list("select"),
                profile: list("profile"),
                workspace,
            },
        }
    }

    /// Every open buffer is checked again: the configuration may have changed.
    fn all_dirty(&mut self) {
        let modules: Vec<PathBuf> = self.docs.values().map(|d| module_of(&d.path)).collect();
        self.dirty.extend(modules);
    }

    fn notification(&mut self, n: &Notification, connection: &Connection) {
        fn params<P: serde::de::DeserializeOwned>(n: &Notification) -> Option<P> {
            serde_json::from_value(n.params.clone()).ok()
        }
        let (uri, event) = match n.method.as_str() {
            note::DidChangeWatchedFiles::METHOD => {
                self.all_dirty();
                return;
            }
            note::DidOpenTextDocument::METHOD => {
                let Some(p) = params::<lsp::DidOpenTextDocumentParams>(n) else {
                    return;
                };
                (p.text_document.uri, Event::Open(p.text_document.text))
            }
            note::DidChangeTextDocument::METHOD => {
                let Some(mut p) = params::<lsp::DidChangeTextDocumentParams>(n) else {
                    return;
                };
                // Full synchronization: the last change holds the whole text.
                let Some(change) = p.content_changes.pop() else {
                    return;
                };
                (p.text_document.uri, Event::Change(change.text))
            }
            note::DidSaveTextDocument::METHOD => {
                let Some(p) = params::<lsp::DidSaveTextDocumentParams>(n) else {
                    return;
                };
                (p.text_document.uri, Event::Save)
            }
            note::DidCloseTextDocument::METHOD => {
                let Some(p) = params::<lsp::DidCloseTextDocumentParams>(n) else {
                    return;
                };
                (p.text_document.uri, Event::Close)
            }
            _ => return,
        };
        let key = uri.as_str().to_string();
        let Some(path) = uri_to_path(&key) else {
            return;
        };
        // The configuration is read from disk, as the CLI reads it: saving it
        // re-checks everything. Other files bucketlint does not read are not kept.
        let is_config = path
            .file_name()
            .is_some_and(|f| crate::config::FILE_NAMES.iter().any(|n| f == *n));
        if is_config && matches!(event, Event::Save) {
            self.all_dirty();
            return;
        }
        if FileKind::of(&path).is_none() {
            return;
        }
        match event {
            Event::Open(text) => {
                self.dirty.insert(module_of(&path));
                self.docs.insert(key, Doc { path, text });
            }
            Event::Change(text) => {
                if let Some(doc) = self.docs.get_mut(&key) {
                    doc.text = text;
                    self.dirty.insert(module_of(&doc.path));
                }
            }
            Event::Save => {
                if let Some(doc) = self.docs.get(&key) {
                    self.dirty.insert(module_of(&doc.path));
                }
            }
            Event::Close => {
                if let Some(doc) = self.docs.remove(&key) {
                    // The other buffers of its module now see the file on disk.
                    self.dirty.insert(module_of(&doc.path));
                }
                self.published.remove(&key);
                publish(connection, uri, Vec::new());
            }
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
            let scan = match cli::scan_buffers(&named, overlays.clone(), &self.editor) {
                Ok(scan) => scan,
                Err(e) => {
                    let log = lsp::LogMessageParams {
                        typ: lsp::MessageType::ERROR,
                        message: format!("bucketlint: {e}"),
                    };
                    send(
                        connection,
                        Message::Notification(Notification::new(
                            note::LogMessage::METHOD.into(),
                            log,
                        )),
                    );
                    continue;
                }
            };
            // Each file's absolute path, resolved once for all the findings.
            let mut files: HashMap<crate::source::FileId, PathBuf> = HashMap::new();
            for f in &scan.findings {
                for id in std::iter::once(f.span.file).chain(f.related.iter().map(|r| r.span.file))
                {
                    files
                        .entry(id)
                        .or_insert_with(|| absolute(&scan.sources.get(id).path));
                }
            }
            for (uri, path) in open {
                let key = absolute(&path);
                let in_doc = |span: Span| files.get(&span.file) == Some(&key);
                let mut diagnostics = Vec::new();
                let mut published = Vec::new();
                for f in scan.findings.iter().filter(|f| f.suppressed.is_none()) {
                    // A finding in a called module is shown where this file calls it.
                    let at = if in_doc(f.span) {
                        f.span
                    } else if let Some(r) = f.related.iter().find(|r| in_doc(r.span)) {
                        r.span
                    } else {
                        continue;
                    };
                    let d = diagnostic(f, at, &scan.sources);
                    published.push(Published {
                        range: d.range,
                        code: f.code,
                        resource: f.resource.clone(),
                        fix: f
                            .fix
                            .as_deref()
                            .and_then(|x| fix_action(x, &scan.sources, &d)),
                    });
                    diagnostics.push(d);
                }
                if let Ok(u) = lsp::Uri::from_str(&uri) {
                    publish(connection, u, diagnostics);
                }
                self.published.insert(uri, published);
            }
        }
    }

    fn request(&self, request: Request) -> Response {
        let id = request.id.clone();
        let answer = match request.method.as_str() {
            req::HoverRequest::METHOD => serde_json::from_value::<lsp::HoverParams>(request.params)
                .ok()
                .map(|p| self.hover(&p)),
            req::CodeActionRequest::METHOD => {
                serde_json::from_value::<lsp::CodeActionParams>(request.params)
                    .ok()
                    .map(|p| self.code_actions(p))
            }
            _ => {
                return Response::new_err(
                    id,
                    ErrorCode::MethodNotFound as i32,
                    format!("bucketlint does not handle {}", request.method),
                );
            }
        };
        match answer {
            Some(v) => Response::new_ok(id, v),
            None => Response::new_err(
                id,
                ErrorCode::InvalidParams as i32,
                "invalid parameters".into(),
            ),
        }
    }

    fn published(&self, uri: &lsp::Uri) -> &[Published] {
        self.published
            .get(uri.as_str())
            .map_or(&[][..], Vec::as_slice)
    }

    fn hover(&self, p: &lsp::HoverParams) -> Value {
        let at = p.text_document_position_params.position;
        let here: Vec<&Published> = self
            .published(&p.text_document_position_params.text_document.uri)
            .iter()
            .filter(|x| x.range.start <= at && at <= x.range.end)
            .collect();
        let Some(first) = here.first() else {
            return Value::Null;
        };
        let text: Vec<String> = here.iter().filter_map(|x| hover_text(x.code)).collect();
        serde_json::to_value(lsp::Hover {
            contents: lsp::HoverContents::Markup(lsp::MarkupContent {
                kind: lsp::MarkupKind::Markdown,
                value: text.join("\n\n---\n\n"),
            }),
            range: Some(first.range),
        })
        .unwrap_or(Value::Null)
    }

    fn code_actions(&self, p: lsp::CodeActionParams) -> Value {
        let uri = p.text_document.uri;
        let Some(doc) = self.docs.get(uri.as_str()) else {
            return Value::Array(Vec::new());
        };
        let r = p.range;
        let mut seen = BTreeSet::new();
        let actions: Vec<lsp::CodeActionOrCommand> = self
            .published(&uri)
            .iter()
            .filter(|x| x.range.start <= r.end && r.start <= x.range.end)
            .filter(|x| seen.insert((x.code, x.range.start.line)))
            .flat_map(|x| {
                x.fix
                    .clone()
                    .into_iter()
                    .chain(suppress_action(&uri, doc, x))
            })
            .map(lsp::CodeActionOrCommand::CodeAction)
            .collect();
        serde_json::to_value(actions).unwrap_or(Value::Null)
    }
}

fn publish(connection: &Connection, uri: lsp::Uri, diagnostics: Vec<lsp::Diagnostic>) {
    let params = lsp::PublishDiagnosticsParams {
        uri,
        diagnostics,
        version: None,
    };
    send(
        connection,
        Message::Notification(Notification::new(
            note::PublishDiagnostics::METHOD.into(),
            params,
        )),
    );
}

/// An LSP range (0-based lines, UTF-16 columns) of a span.
fn range(span: Span, sources: &Sources) -> lsp::Range {
    let file = sources.get(span.file);
    let at = |offset: u32| {
        let p = file.position(offset as usize);
        lsp::Position::new(p.line - 1, p.utf16_column - 1)
    };
    lsp::Range::new(at(span.start), at(span.end))
}

/// The diagnostic of `f`, shown at `at`: its own span, or where this file calls the
/// module it is in (then its own place is the first related location).
fn diagnostic(f: &Finding, at: Span, sources: &Sources) -> lsp::Diagnostic {
    let severity = match f.severity {
        Severity::Critical | Severity::High => lsp::DiagnosticSeverity::ERROR,
        Severity::Medium => lsp::DiagnosticSeverity::WARNING,
        Severity::Low => lsp::DiagnosticSeverity::INFORMATION,
    };
    let own = (at != f.span).then(|| (f.span, "the finding".to_string()));
    let related: Vec<lsp::DiagnosticRelatedInformation> = own
        .into_iter()
        .chain(f.related.iter().map(|r| (r.span, r.message.clone())))
        .filter(|(span, _)| *span != at)
        .filter_map(|(span, message)| {
            let uri = path_to_uri(&absolute(&sources.get(span.file).path))?;
            Some(lsp::DiagnosticRelatedInformation {
                location: lsp::Location::new(uri, range(span, sources)),
                message,
            })
        })
        .collect();
    let message = if at == f.span {
        f.message.clone()
    } else {
        let file = sources.get(f.span.file);
        let line = file.position(f.span.start as usize).line;
        format!("{} (in {}:{line})", f.message, file.display)
    };
    lsp::Diagnostic {
        range: range(at, sources),
        severity: Some(severity),
        code: Some(lsp::NumberOrString::String(f.code.into())),
        code_description: rules::find(f.code)
            .and_then(|e| lsp::Uri::from_str(&e.doc.help_uri()).ok())
            .map(|href| lsp::CodeDescription { href }),
        source: Some("bucketlint".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        // An unused suppression is dead text: editors fade it.
        tags: (f.code == rules::unused_suppression::CODE)
            .then(|| vec![lsp::DiagnosticTag::UNNECESSARY]),
        data: None,
    }
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

/// "Suppress BLxxx here": a comment line above the finding's line, indented as it
/// is, with a reason to write; in a JSON template, an entry in the resource's
/// `Metadata`. Terraform JSON has neither: no action there.
/// The code action that applies `fix` (the same edits as `check --fix`), for the
/// diagnostic `d`; preferred when the fix is safe.
#[allow(clippy::mutable_key_type)] // lsp-types keys workspace edits by `Uri`
fn fix_action(fix: &Fix, sources: &Sources, d: &lsp::Diagnostic) -> Option<lsp::CodeAction> {
    let mut changes: HashMap<lsp::Uri, Vec<lsp::TextEdit>> = HashMap::new();
    for e in &fix.edits {
        let uri = path_to_uri(&absolute(&sources.get(e.span.file).path))?;
        changes.entry(uri).or_default().push(lsp::TextEdit {
            range: range(e.span, sources),
            new_text: e.text.clone(),
        });
    }
    let safe = fix.applicability == Applicability::Safe;
    Some(lsp::CodeAction {
        title: if safe {
            format!("Fix: {}", fix.title)
        } else {
            format!("Fix (unsafe, review it): {}", fix.title)
        },
        kind: Some(lsp::CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![d.clone()]),
        edit: Some(lsp::WorkspaceEdit {
            changes: Some(changes),
            ..lsp::WorkspaceEdit::default()
        }),
        is_preferred: Some(safe),
        ..lsp::CodeAction::default()
    })
}

fn suppress_action(uri: &lsp::Uri, doc: &Doc, p: &Published) -> Option<lsp::CodeAction> {
    let edit = match FileKind::of(&doc.path)? {
        FileKind::TerraformJson => return None,
        FileKind::Json | FileKind::Plan => metadata_edit(doc, p)?,
        _ => {
            let line = p.range.start.line;
            let line_text = doc.text.lines().nth(line as usize).unwrap_or("");
            let indent: String = line_text
                .chars()
                .take_while(|c| *c == ' ' || *c == '\t')
                .collect();
            let at = lsp::Position::new(line, 0);
            lsp::TextEdit {
                range: lsp::Range::new(at, at),
                new_text: format!("{indent}# bucketlint:ignore {} reason: \n", p.code),
            }
        }
    };
    Some(lsp::CodeAction {
        title: format!("Suppress {} here (with a reason)", p.code),
        kind: Some(lsp::CodeActionKind::QUICKFIX),
        edit: Some(lsp::WorkspaceEdit {
            changes: Some(HashMap::from([(uri.clone(), vec![edit])])),
            ..lsp::WorkspaceEdit::default()
        }),
        ..lsp::CodeAction::default()
    })
}

/// The `Metadata` entry that suppresses `p` in a JSON template: added to the
/// resource's existing `Metadata.bucketlint.ignore`, or to its `Metadata`, or as
/// its `Metadata`.
fn metadata_edit(doc: &Doc, p: &Published) -> Option<lsp::TextEdit> {
    use crate::model::value::{Node, NodeKind};
    let parsed = crate::json::parse(
        &doc.text,
        crate::json::Origin::File(crate::source::FileId(0)),
    )
    .ok()?;
    let resource = parsed.node.get("Resources")?.get(p.resource.as_deref()?)?;
    let entry = format!("{{\"code\": \"{}\", \"reason\": \"\"}}", p.code);
    let object = |n: &Node| matches!(n.kind, NodeKind::Map(_));
    // The container to insert into (just inside its opening bracket), and what.
    let (container, text): (&Node, String) = match resource.get("Metadata") {
        None => (
            resource,
            format!("\"Metadata\": {{\"bucketlint\": {{\"ignore\": [{entry}]}}}}"),
        ),
        Some(meta) if object(meta) => match meta.get("bucketlint") {
            None => (meta, format!("\"bucketlint\": {{\"ignore\": [{entry}]}}")),
            Some(b) if object(b) => match b.get("ignore") {
                None => (b, format!("\"ignore\": [{entry}]")),
                Some(list) if matches!(list.kind, NodeKind::List(_)) => (list, entry),
                Some(_) => return None,
            },
            Some(_) => return None,
        },
        Some(_) => return None,
    };
    if !object(container) && !matches!(container.kind, NodeKind::List(_)) {
        return None;
    }
    // A container with members: a comma follows the new one.
    let members = !container.entries().is_empty() || !container.items().is_empty();
    let text = if members { format!("{text}, ") } else { text };
    let at = container.span?.start as usize + 1;
    let pos = crate::source::LineIndex::new(&doc.text).position(&doc.text, at);
    let at = lsp::Position::new(pos.line - 1, pos.utf16_column - 1);
    Some(lsp::TextEdit {
        range: lsp::Range::new(at, at),
        new_text: text,
    })
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

fn path_to_uri(path: &Path) -> Option<lsp::Uri> {
    let s = path.to_string_lossy().replace('\\', "/");
    let lead = if s.starts_with('/') { "" } else { "/" };
    lsp::Uri::from_str(&format!(
        "file://{lead}{}",
        crate::report::percent_encode_path(&s)
    ))
    .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_uris_round_trip() {
        for p in ["/a/b c/main.tf", "/x/ü%#.tf"] {
            let uri = path_to_uri(Path::new(p)).unwrap();
            let uri = uri.as_str();
            assert!(!uri.contains(' ') && !uri.contains('#'), "{uri}");
            assert_eq!(uri_to_path(uri).as_deref(), Some(Path::new(p)));
        }
        assert_eq!(uri_to_path("untitled:1"), None);
    }
}
