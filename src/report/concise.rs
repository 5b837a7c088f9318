//! One line per finding: `path:line:col: BL110 [high] message`.

use super::locate;
use crate::Scan;
use std::fmt::Write;

pub fn render(scan: &Scan) -> String {
    let mut out = String::new();
    for f in &scan.findings {
        let at = locate(scan, f.span);
        let _ = writeln!(
            out,
            "{}:{}:{}: {} [{}] {}",
            at.path, at.start.line, at.start.column, f.code, f.severity, f.message
        );
    }
    for n in &scan.notices {
        let _ = writeln!(out, "{}: note: {}", n.path.display(), n.message);
    }
    out
}
