//! Works around an hcl-edit 0.10 bug: inside a `{ for ... }` object expression,
//! HashiCorp's HCL ignores newlines (its parser turns newline sensitivity off for
//! for-expressions), so a value may continue on the next line:
//!
//! ```hcl
//! users = { for k, v in var.users : k =>
//!   local.is_mysql
//!   ? { name = k }
//!   : { name = v.name }
//! }
//! ```
//!
//! hcl-edit treats those newlines as item separators and rejects the file. When a
//! parse fails, [`blank_for_newlines`] rewrites such newlines (and line comments
//! that end on them) to spaces, byte for byte, so every offset of the original text
//! stays valid; the caller parses the rewrite and keeps the original for positions.

/// What the scanner is inside of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ctx {
    /// A bracket in code; `true` for the brace of a `{ for` expression.
    Bracket(u8, bool),
    /// A quoted string (template).
    Str,
    /// `${` or `%{` inside a string: code until the matching `}`.
    Interp,
}

/// A copy of `text` with the newlines that sit directly inside `{ for ... }` braces
/// blanked, or `None` if there are none. Same length, same char boundaries.
pub fn blank_for_newlines(text: &str) -> Option<String> {
    let b = text.as_bytes();
    let mut out = b.to_vec();
    let mut stack: Vec<Ctx> = Vec::new();
    let mut changed = false;
    let mut i = 0;
    while i < b.len() {
        let top = stack.last().copied();
        if top == Some(Ctx::Str) {
            match b[i] {
                b'\\' => i += 2,
                b'"' => {
                    stack.pop();
                    i += 1;
                }
                b'$' | b'%' if b.get(i + 1) == Some(&b'{') => {
                    if i > 0 && b[i - 1] == b[i] {
                        // `$${` and `%%{` are escapes, not interpolations.
                        i += 2;
                    } else {
                        stack.push(Ctx::Interp);
                        i += 2;
                    }
                }
                _ => i += 1,
            }
            continue;
        }
        let in_for = matches!(top, Some(Ctx::Bracket(b'{', true)));
        match b[i] {
            b'"' => {
                stack.push(Ctx::Str);
                i += 1;
            }
            b'#' => i = line_comment(b, i, in_for, &mut out, &mut changed),
            b'/' if b.get(i + 1) == Some(&b'/') => {
                i = line_comment(b, i, in_for, &mut out, &mut changed);
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i = find(b, i + 2, b"*/").map_or(b.len(), |e| e + 2);
            }
            b'<' if b.get(i + 1) == Some(&b'<') => i = heredoc(b, i).unwrap_or(i + 2),
            b'\n' => {
                if in_for {
                    out[i] = b' ';
                    changed = true;
                }
                i += 1;
            }
            c @ (b'{' | b'[' | b'(') => {
                let is_for = c == b'{' && starts_for(b, i + 1);
                stack.push(Ctx::Bracket(c, is_for));
                i += 1;
            }
            b'}' | b']' | b')' => {
                stack.pop();
                i += 1;
            }
            _ => i += 1,
        }
    }
    // Only ASCII bytes were replaced, by ASCII spaces: still UTF-8.
    changed.then(|| String::from_utf8(out).expect("only ASCII bytes were replaced"))
}

/// Skips a `#` or `//` comment; inside a for-brace, blanks it with its newline.
fn line_comment(b: &[u8], start: usize, in_for: bool, out: &mut [u8], changed: &mut bool) -> usize {
    let end = b[start..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(b.len(), |p| start + p);
    if in_for {
        out[start..end].fill(b' ');
        if end < b.len() {
            out[end] = b' ';
        }
        *changed = true;
    }
    end + 1
}

fn find(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    b.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p)
}

/// Is `{` at `i - 1` followed (after blanks and newlines) by the `for` keyword?
fn starts_for(b: &[u8], mut i: usize) -> bool {
    while i < b.len() && b[i].is_ascii_whitespace() {
        i += 1;
    }
    b.get(i..i + 3) == Some(b"for")
        && b.get(i + 3)
            .is_none_or(|c| !(c.is_ascii_alphanumeric() || *c == b'_' || *c == b'-'))
}

/// The end of a heredoc starting at `i` (`<<EOT` or `<<-EOT` then a newline), or
/// `None` if this is not one.
fn heredoc(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 2;
    if b.get(j) == Some(&b'-') {
        j += 1;
    }
    let start = j;
    while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_' || b[j] == b'-') {
        j += 1;
    }
    let delim = &b[start..j];
    if delim.is_empty() {
        return None;
    }
    while j < b.len() && b[j] != b'\n' {
        if !b[j].is_ascii_whitespace() {
            return None;
        }
        j += 1;
    }
    let mut line = j + 1;
    while line < b.len() {
        let end = b[line..]
            .iter()
            .position(|&c| c == b'\n')
            .map_or(b.len(), |p| line + p);
        if b[line..end].trim_ascii() == delim {
            return Some(end);
        }
        line = end + 1;
    }
    Some(b.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blanks_newlines_at_for_brace_level_only() {
        let src =
            "a = { for k, v in x : k =>\n  c\n  ? { p = 1\n q = 2 }\n  : {} # note\n}\nb = 1\n";
        let out = blank_for_newlines(src).unwrap();
        assert_eq!(out.len(), src.len());
        // The nested object keeps its newline separator; the comment is blanked; the
        // newline after the closing brace stays.
        assert!(out.contains("p = 1\n q = 2"), "{out:?}");
        assert!(!out.contains('#'));
        assert_eq!(out.matches('\n').count(), 3, "{out:?}");
        assert!(
            out.starts_with("a = { for k, v in x : k =>   c   ?"),
            "{out:?}"
        );
        assert!(hcl_edit::parser::parse_body(&out).is_ok());
    }

    #[test]
    fn leaves_strings_heredocs_and_plain_objects_alone() {
        let src = "a = {\n  b = \"{ for x\n\"\n}\nc = <<EOT\n{ for\nEOT\nd = [for x in y : x]\n";
        assert_eq!(blank_for_newlines(src), None);
    }

    #[test]
    fn multibyte_text_stays_valid() {
        let src = "a = { for k in x : k =>\n  \"é😀\" # ü\n}\n";
        let out = blank_for_newlines(src).unwrap();
        assert_eq!(out.len(), src.len());
        assert!(out.contains("\"é😀\""));
    }
}
