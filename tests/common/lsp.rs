//! A language-server client for tests and benchmarks: starts `bucketlint server`
//! and speaks JSON-RPC over its standard input and output.
#![allow(dead_code)]

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

pub struct Client {
    pub child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    next_id: u64,
}

impl Client {
    /// Starts the server `bin` in `dir` and initializes it with `options`, with
    /// `dir` as the workspace.
    pub fn start(bin: &str, dir: &Path, options: &Value) -> Client {
        Client::start_in(bin, dir, dir, options)
    }

    /// Starts the server `bin` in the directory `cwd`, for the workspace folder
    /// `workspace`.
    pub fn start_in(bin: &str, cwd: &Path, workspace: &Path, options: &Value) -> Client {
        let mut child = Command::new(bin)
            .arg("server")
            .current_dir(cwd)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the server starts");
        let stdin = child.stdin.take().unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let (tx, messages) = channel();
        std::thread::spawn(move || {
            loop {
                let mut length = None;
                loop {
                    let mut line = String::new();
                    if out.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(n) = line.strip_prefix("Content-Length: ") {
                        length = n.parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; length.expect("a Content-Length header")];
                out.read_exact(&mut body).unwrap();
                if tx.send(serde_json::from_slice(&body).unwrap()).is_err() {
                    return;
                }
            }
        });
        let mut c = Client {
            child,
            stdin,
            messages,
            next_id: 0,
        };
        let root = format!("file://{}", workspace.display());
        let init = c.request(
            "initialize",
            &json!({ "processId": null, "rootUri": root, "capabilities": {}, "initializationOptions": options }),
        );
        assert_eq!(init["capabilities"]["hoverProvider"], true, "{init}");
        c.notify("initialized", &json!({}));
        c
    }

    pub fn send(&mut self, message: &Value) {
        let text = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{text}", text.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    pub fn next(&mut self) -> Value {
        self.messages
            .recv_timeout(Duration::from_secs(20))
            .expect("the server answers within 20 s")
    }

    pub fn request(&mut self, method: &str, params: &Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        loop {
            let m = self.next();
            if m["id"] == id && m.get("method").is_none() {
                assert!(m.get("error").is_none(), "{m}");
                return m["result"].clone();
            }
        }
    }

    pub fn notify(&mut self, method: &str, params: &Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// `didOpen` of `uri`, in `language`, with `text`.
    pub fn open(&mut self, uri: &str, language: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            &json!({ "textDocument": { "uri": uri, "languageId": language, "version": 1, "text": text } }),
        );
    }

    /// `didChange` of `uri` to `text` (full synchronization).
    pub fn change(&mut self, uri: &str, version: u64, text: &str) {
        self.notify(
            "textDocument/didChange",
            &json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "text": text }] }),
        );
    }

    /// `shutdown` (its answer checked) and `exit`: the server's exit status.
    pub fn shutdown(mut self) -> ExitStatus {
        assert_eq!(self.request("shutdown", &Value::Null), Value::Null);
        self.notify("exit", &Value::Null);
        self.child.wait().expect("the server exits")
    }

    /// The diagnostics next published for `uri` that satisfy `done`.
    pub fn diagnostics(&mut self, uri: &str, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        loop {
            let m = self.next();
            if m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri {
                let d = m["params"]["diagnostics"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                if done(&d) {
                    return d;
                }
            }
        }
    }
}
