//! One line per finding: `path:line:col: BL110 [high] message`.

use super::{escape, locate, notice_lines};
use crate::Scan;
use std::fmt::Write;

pub fn render(scan: &Scan) -> String {
    let mut out = String::new();
    for f in scan.reported() {
        let at = locate(scan, f.span);
        let _ = writeln!(
            out,
            "{}:{}:{}: {} [{}] {}",
            escape(at.path),
            at.start.line,
            at.start.column,
            f.code,
            f.severity,
            escape(&f.message)
        );
    }
    for line in notice_lines(scan, |path, message| format!("{path}: note: {message}")) {
        let _ = writeln!(out, "{line}");
    }
    out
}
