//! Block-level recovery for native HCL: when a file does not parse, each top-level
//! block is parsed on its own, so a syntax error loses only the block that holds it.
//! Editors need this most (a buffer being typed is broken most of the time), but a
//! scan gains too: one broken block no longer hides the rest of its module.

use super::ast::Body;
use super::parse::{SyntaxError, parse_hcl_at};
use crate::source::{FileId, Span};

/// Keywords that open a top-level block in a Terraform file.
const TOP_LEVEL: &[&str] = &[
    "resource",
    "data",
    "module",
    "variable",
    "output",
    "locals",
    "provider",
    "terraform",
    "moved",
    "import",
    "check",
    "removed",
];

/// What a broken file still gives.
#[derive(Debug)]
pub struct Recovered {
    /// The blocks that parse, at their offsets in the file.
    pub body: Body,
    /// One error per block that does not parse.
    pub errors: Vec<SyntaxError>,
    /// The blocks lost: keyword and labels as far as the header can be read
    /// (`None` when not even that can be).
    pub lost: Vec<Option<(String, Vec<String>)>>,
}

/// Byte offsets where a top-level block starts: lines beginning (at column 0) with
/// a block keyword, outside heredocs. Brace counting is of no use here, since the
/// error is often an unbalanced brace.
fn block_starts(text: &str) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut heredoc: Option<String> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let at = offset;
        offset += line.len();
        let trimmed = line.trim_end();
        if let Some(end) = &heredoc {
            if trimmed.trim_start() == end {
                heredoc = None;
            }
            continue;
        }
        if let Some(pos) = trimmed.rfind("<<") {
            let marker = trimmed[pos + 2..].trim_start_matches('-');
            if !marker.is_empty() && marker.chars().all(|c| c.is_alphanumeric() || c == '_') {
                heredoc = Some(marker.to_string());
            }
        }
        let word: String = line.chars().take_while(char::is_ascii_alphabetic).collect();
        let rest = &line[word.len()..];
        if TOP_LEVEL.contains(&word.as_str()) && rest.starts_with([' ', '\t', '"', '{']) {
            starts.push(at);
        }
    }
    starts
}

/// The keyword and quoted labels of a block header (`resource "aws_s3_bucket" "b"`).
fn header(chunk: &str) -> Option<(String, Vec<String>)> {
    let line = chunk.lines().next()?;
    let word: String = line.chars().take_while(char::is_ascii_alphabetic).collect();
    let mut labels = Vec::new();
    let mut rest = &line[word.len()..];
    loop {
        rest = rest.trim_start();
        let Some(after) = rest.strip_prefix('"') else {
            break;
        };
        let end = after.find('"')?;
        labels.push(after[..end].to_string());
        rest = &after[end + 1..];
    }
    rest.trim_start().starts_with('{').then_some((word, labels))
}

/// Parses the top-level blocks of `text` one by one.
pub fn recover(file: FileId, text: &str) -> Recovered {
    let mut starts = block_starts(text);
    if starts.first() != Some(&0) {
        starts.insert(0, 0);
    }
    let mut out = Recovered {
        body: Body {
            attrs: Vec::new(),
            blocks: Vec::new(),
            span: Span::new(file, 0..text.len()),
            json: false,
        },
        errors: Vec::new(),
        lost: Vec::new(),
    };
    for (i, &start) in starts.iter().enumerate() {
        let end = starts.get(i + 1).copied().unwrap_or(text.len());
        let chunk = &text[start..end];
        match parse_hcl_at(file, chunk, start) {
            Ok(body) => {
                out.body.attrs.extend(body.attrs);
                out.body.blocks.extend(body.blocks);
            }
            Err(e) => {
                out.errors.push(e);
                out.lost.push(header(chunk));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(r: &Recovered) -> Vec<String> {
        r.body
            .blocks
            .iter()
            .map(|b| format!("{} {}", b.ident, b.labels.join(".")))
            .collect()
    }

    #[test]
    fn a_broken_block_loses_only_itself() {
        let text = "resource \"aws_s3_bucket\" \"a\" {\n  acl = \"public-read\"\n}\n\nresource \"aws_s3_bucket_versioning\" \"v\" {\n  bucket = aws_s3_bucket.a.id\n  versioning_configuration { status = \"Enabled\"\n\nresource \"aws_s3_bucket\" \"c\" {\n  bucket = \"c\"\n}\n";
        let r = recover(FileId(0), text);
        assert_eq!(
            ids(&r),
            ["resource aws_s3_bucket.a", "resource aws_s3_bucket.c"]
        );
        assert_eq!(r.errors.len(), 1);
        assert_eq!(
            r.lost,
            [Some((
                "resource".to_string(),
                vec!["aws_s3_bucket_versioning".to_string(), "v".to_string()]
            ))]
        );
        // Spans are offsets into the whole file.
        let c = &r.body.blocks[1];
        assert_eq!(
            &text[c.header.start as usize..c.header.start as usize + 8],
            "resource"
        );
        assert!(r.errors[0].span.start as usize > text.find("aws_s3_bucket_versioning").unwrap());
    }

    #[test]
    fn heredocs_do_not_split() {
        let text = "locals {\n  x = <<EOT\nresource \"a\" \"b\" {\nEOT\n}\nresource \"aws_s3_bucket\" \"c\" {\n  bucket = \n}\n";
        let r = recover(FileId(0), text);
        assert_eq!(ids(&r), ["locals "]);
        assert_eq!(r.lost.len(), 1);
    }

    #[test]
    fn a_lone_broken_block_is_named() {
        let r = recover(FileId(0), "resource \"a\" \"b\" {\n  x = \n");
        assert!(r.body.blocks.is_empty());
        assert_eq!(
            r.lost,
            [Some(("resource".into(), vec!["a".into(), "b".into()]))]
        );
    }

    #[test]
    fn text_before_the_first_block_is_its_own_chunk() {
        let r = recover(FileId(0), "}}}\nresource \"a\" \"b\" {\n}\n");
        assert_eq!(ids(&r), ["resource a.b"]);
        assert_eq!(r.lost, [None]);
    }
}
