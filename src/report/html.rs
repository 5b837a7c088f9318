//! What the self-contained HTML pages (the access graph, compliance reports)
//! share: escaping, and a page whose Content-Security-Policy lets only its own
//! style and script run, by a per-page nonce, so nothing is ever fetched and a
//! label that escaped its quoting could still run nothing.

use std::fmt::Write as _;

/// Text for HTML content and quoted attributes; control characters become spaces.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// At most `n` characters, the last one `…` when some are cut.
pub fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// A random nonce: the standard library's per-process random hash keys, so
/// nothing the scanned code controls can predict it.
fn nonce() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(std::process::id().into());
    let a = h.finish();
    h.write_u64(a);
    format!("{a:016x}{:016x}", h.finish())
}

/// A whole page: `title` (escaped here), `style`, the `body` markup, and scripts
/// (`<script>` elements' content: each gets the nonce).
pub fn page(title: &str, style: &str, body: &str, scripts: &[(&str, &str)]) -> String {
    let nonce = nonce();
    let mut out = String::with_capacity(body.len() + style.len() + 1024);
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'nonce-{nonce}'; script-src 'nonce-{nonce}'; base-uri 'none'; form-action 'none'\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style nonce=\"{nonce}\">{style}</style>\n</head>\n<body>\n{body}",
        esc(title)
    );
    for (attributes, content) in scripts {
        let _ = writeln!(
            out,
            "<script {attributes} nonce=\"{nonce}\">{content}</script>"
        );
    }
    out.push_str("</body>\n</html>\n");
    out
}

/// JSON for a `<script type="application/json">`: markup characters escaped, so
/// no string in it can close the element.
pub fn script_json(v: &serde_json::Value) -> String {
    v.to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}
