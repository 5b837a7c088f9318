//! Works around saphyr's strict indentation inside flow collections and multi-line
//! quoted scalars. libyaml (and CloudFormation) accept a closing bracket or a
//! continuation line at the indentation of the key that owns the value:
//!
//! ```yaml
//!     Action: [
//!       "s3:GetObject",
//!     ]
//!     PolicyDocument: !Sub '{
//!       "Statement": []
//!     }'
//! ```
//!
//! saphyr rejects both ("invalid indentation"). Line breaks inside a flow collection
//! or a quoted scalar are only separators (folded to a space), so when a parse fails,
//! [`join_flow_lines`] rewrites them (and comments inside flow collections) to spaces,
//! byte for byte: offsets stay those of the original text. Quoted scalars then keep
//! the continuation line's leading blanks instead of folding them, a difference in
//! white space only.

/// A copy of `text` with line breaks inside flow collections and quoted scalars
/// blanked, or `None` if there are none.
pub fn join_flow_lines(text: &str) -> Option<String> {
    let b = text.as_bytes();
    let mut out = b.to_vec();
    let mut changed = false;
    let mut flow = 0usize;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\n' | b'\r' => {
                if flow > 0 {
                    out[i] = b' ';
                    changed = true;
                }
                i += 1;
            }
            b'#' if i == 0 || b[i - 1].is_ascii_whitespace() => {
                let end = b[i..]
                    .iter()
                    .position(|&x| x == b'\n')
                    .map_or(b.len(), |p| i + p);
                if flow > 0 {
                    out[i..end].fill(b' ');
                    changed = true;
                }
                i = end;
            }
            b'\'' | b'"' if node_start(b, i) => {
                let end = quoted_end(b, i);
                for (k, x) in b.iter().enumerate().take(end).skip(i) {
                    if *x == b'\n' || *x == b'\r' {
                        out[k] = b' ';
                        changed = true;
                    }
                }
                i = end;
            }
            b'[' | b'{' if flow > 0 || node_start(b, i) => {
                flow += 1;
                i += 1;
            }
            b']' | b'}' if flow > 0 => {
                flow -= 1;
                i += 1;
            }
            b'|' | b'>' if flow == 0 && node_start(b, i) => i = block_scalar_end(b, i),
            _ => i += 1,
        }
    }
    // Only ASCII bytes were replaced, by ASCII spaces: still UTF-8.
    changed.then(|| String::from_utf8(out).expect("only ASCII bytes were replaced"))
}

/// Is `b[i]` the first character of a node: after indentation, `- `, `: `, `? `, a
/// flow indicator, or a tag or anchor?
fn node_start(b: &[u8], i: usize) -> bool {
    let mut j = i;
    while j > 0 && (b[j - 1] == b' ' || b[j - 1] == b'\t') {
        j -= 1;
    }
    if j == 0 || b[j - 1] == b'\n' {
        return true;
    }
    if j == i && !matches!(b[j - 1], b'[' | b'{' | b',') {
        return false;
    }
    match b[j - 1] {
        b'-' | b':' | b'?' | b'[' | b'{' | b',' => true,
        _ => {
            // After a tag (`!Sub `) or an anchor (`&a `) that itself starts a node.
            let word_end = j;
            let mut k = word_end;
            while k > 0 && !b[k - 1].is_ascii_whitespace() {
                k -= 1;
            }
            matches!(b.get(k), Some(b'!' | b'&')) && k < word_end && node_start(b, k)
        }
    }
}

/// The byte after the closing quote of a quoted scalar starting at `i`.
fn quoted_end(b: &[u8], i: usize) -> usize {
    let q = b[i];
    let mut k = i + 1;
    while k < b.len() {
        match b[k] {
            b'\\' if q == b'"' => k += 2,
            x if x == q => {
                // `''` is an escaped quote in a single-quoted scalar.
                if q == b'\'' && b.get(k + 1) == Some(&b'\'') {
                    k += 2;
                } else {
                    return k + 1;
                }
            }
            _ => k += 1,
        }
    }
    b.len()
}

/// The end of a block scalar (`|`, `>`) whose indicator is at `i`: its content is
/// the following lines indented more than the line holding the indicator.
fn block_scalar_end(b: &[u8], i: usize) -> usize {
    let line_start = b[..i]
        .iter()
        .rposition(|&x| x == b'\n')
        .map_or(0, |p| p + 1);
    let indent = b[line_start..].iter().take_while(|&&x| x == b' ').count();
    let Some(nl) = b[i..].iter().position(|&x| x == b'\n').map(|p| i + p) else {
        return b.len();
    };
    let mut k = nl + 1;
    while k < b.len() {
        let end = b[k..]
            .iter()
            .position(|&x| x == b'\n')
            .map_or(b.len(), |p| k + p);
        let line = &b[k..end];
        let spaces = line.iter().take_while(|&&x| x == b' ').count();
        if spaces <= indent && !line.trim_ascii().is_empty() {
            return k;
        }
        k = end + 1;
    }
    b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parses(s: &str) -> bool {
        super::super::parse::parse_yaml_strict(crate::source::FileId(0), s).is_ok()
    }

    #[test]
    fn flow_collection_closed_at_the_key_indentation() {
        let src = "A:\n  Action: [\n    \"s3:GetObject\", # read\n  ]\n  B: 1\n";
        assert!(
            !parses(src),
            "saphyr now accepts this: the workaround can go"
        );
        let fixed = join_flow_lines(src).unwrap();
        assert_eq!(fixed.len(), src.len());
        assert!(parses(&fixed), "{fixed:?}");
        assert!(!fixed.contains('#'));
    }

    #[test]
    fn quoted_scalar_continued_at_the_key_indentation() {
        let src = "P:\n  Doc: !Sub '{\n      \"a\": 1\n  }'\n  Q: it's plain\n";
        assert!(
            !parses(src),
            "saphyr now accepts this: the workaround can go"
        );
        let fixed = join_flow_lines(src).unwrap();
        assert!(parses(&fixed), "{fixed:?}");
        assert!(fixed.contains("it's plain\n"));
    }

    #[test]
    fn block_scalars_and_plain_scalars_are_left_alone() {
        let src = "A: |\n  [not flow\n  'not quoted\nB: it's [plain]\n";
        assert_eq!(join_flow_lines(src), None);
    }
}
