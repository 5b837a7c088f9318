//! Strict JSON into spanned [`Node`] trees, for `.tf.json` files, policy documents in
//! strings and CloudFormation JSON templates.

use crate::model::value::{HOLE_CHAR, Key, Node, NodeKind, Text};
use crate::source::Span;
use jsonc_parser::ast;
use jsonc_parser::{CollectOptions, ParseOptions};

/// A JSON syntax error with the byte range it was found at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    pub message: String,
    pub range: std::ops::Range<usize>,
}

/// A key that appears twice in one object: the first and the second occurrence.
#[derive(Debug, Clone, PartialEq)]
pub struct DuplicateKey {
    pub name: String,
    pub first: Option<Span>,
    pub second: Option<Span>,
}

/// The entries of a mapping being built, with duplicate detection that stays linear
/// on huge mappings (a hash index once there are more than a few keys).
#[derive(Debug, Default)]
pub struct Entries {
    entries: Vec<(Key, Node)>,
    index: Option<std::collections::HashMap<String, usize>>,
}

impl Entries {
    /// Adds an entry; returns the first occurrence of the same key, if any.
    pub fn push(&mut self, key: Key, value: Node) -> Option<&Key> {
        const INDEX_FROM: usize = 16;
        if self.index.is_none() && self.entries.len() >= INDEX_FROM {
            let mut index = std::collections::HashMap::with_capacity(self.entries.len() * 2);
            for (i, (k, _)) in self.entries.iter().enumerate() {
                index.entry(k.name.clone()).or_insert(i);
            }
            self.index = Some(index);
        }
        let first = match &mut self.index {
            Some(index) => {
                let first = index.get(&key.name).copied();
                if first.is_none() {
                    index.insert(key.name.clone(), self.entries.len());
                }
                first
            }
            None => self.entries.iter().position(|(k, _)| k.name == key.name),
        };
        self.entries.push((key, value));
        first.map(|i| &self.entries[i].0)
    }

    pub fn into_vec(self) -> Vec<(Key, Node)> {
        self.entries
    }

    /// The value of the last entry.
    pub fn last(&self) -> Option<&Node> {
        self.entries.last().map(|(_, v)| v)
    }
}

/// The result of parsing: the tree and any duplicate keys (JSON allows them
/// syntactically; what consumes them decides whether that is an error).
#[derive(Debug)]
pub struct Parsed {
    pub node: Node,
    pub duplicates: Vec<DuplicateKey>,
}

fn strict() -> ParseOptions {
    ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    }
}

/// Where the parsed text came from: a whole file, or a [`Text`] (possibly with holes)
/// whose bytes map back to source through its segments.
#[derive(Clone, Copy)]
pub enum Origin<'a> {
    File(crate::source::FileId),
    Text(&'a Text),
}

impl Origin<'_> {
    fn span(&self, range: std::ops::Range<usize>) -> Option<Span> {
        match self {
            Origin::File(file) => Some(Span::new(*file, range)),
            Origin::Text(text) => text.source_span(range),
        }
    }

    /// The text of a string literal whose decoded value is `value` and whose inner
    /// (unquoted) raw range is `inner`.
    fn string(&self, value: &str, inner: std::ops::Range<usize>, raw: &str) -> Text {
        let verbatim = raw.get(inner.clone()) == Some(value);
        match self {
            Origin::File(file) => Text::lit_at(value, Span::new(*file, inner), verbatim),
            Origin::Text(text) => {
                if verbatim {
                    return text.slice(inner);
                }
                // Escapes moved bytes around: keep the holes in order, map the start.
                let holes = text.slice(inner.clone()).holes().to_vec();
                let mut out = Text::default();
                for (i, part) in value.split(HOLE_CHAR).enumerate() {
                    if i > 0 {
                        match holes.get(i - 1) {
                            Some(h) => out.push(&Text::hole(h.clone())),
                            None => out.push_str("\u{FFFD}"),
                        }
                    }
                    out.push_str(part);
                }
                match text.source_span(inner.start..inner.start + 1) {
                    Some(span) if out.is_lit() => Text::lit_at(out.raw(), span, false),
                    _ => out,
                }
            }
        }
    }
}

/// Parses strict JSON (RFC 8259: no comments, no trailing commas). Nesting deeper
/// than the parser's limit (512) is a located error, not a stack overflow.
///
/// In a [`Text`], a hole outside string literals stands for a whole value not known
/// before apply (`jsonencode` of an unknown, a `dynamic` statement over an unknown
/// collection): it parses as an unknown node, so the rest of the document stays
/// known.
pub fn parse(text: &str, origin: Origin<'_>) -> Result<Parsed, JsonError> {
    let bare = match origin {
        Origin::Text(_) => bare_holes(text),
        Origin::File(_) => Vec::new(),
    };
    let masked;
    let text_to_parse = if bare.is_empty() {
        text
    } else {
        // Same length, so every offset still maps back: the three bytes of the
        // marker become a number and two spaces.
        let mut bytes = text.as_bytes().to_vec();
        for &at in &bare {
            bytes[at..at + HOLE_CHAR.len_utf8()].copy_from_slice(b"0  ");
        }
        masked = String::from_utf8(bytes).expect("an ASCII replacement of a whole char");
        masked.as_str()
    };
    let result = jsonc_parser::parse_to_ast(text_to_parse, &CollectOptions::default(), &strict())
        .map_err(|e| {
        let r = e.range();
        JsonError {
            message: e.kind().to_string(),
            range: r.start..r.end,
        }
    })?;
    let Some(value) = result.value else {
        return Err(JsonError {
            message: "expected a JSON value, found an empty document".into(),
            range: 0..0,
        });
    };
    let mut cx = Convert {
        raw: text,
        origin,
        bare: &bare,
        duplicates: Vec::new(),
    };
    let node = cx.convert(&value);
    Ok(Parsed {
        node,
        duplicates: cx.duplicates,
    })
}

/// Byte offsets of hole markers outside string literals.
fn bare_holes(text: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let (mut in_string, mut escaped) = (false, false);
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            HOLE_CHAR if !in_string => out.push(i),
            _ => {}
        }
    }
    out
}

struct Convert<'a> {
    raw: &'a str,
    origin: Origin<'a>,
    bare: &'a [usize],
    duplicates: Vec<DuplicateKey>,
}

impl Convert<'_> {
    fn convert(&mut self, value: &ast::Value<'_>) -> Node {
        let (raw, origin) = (self.raw, self.origin);
        match value {
            ast::Value::StringLit(s) => string_node(s, raw, origin),
            ast::Value::NumberLit(n) if self.bare.binary_search(&n.range.start).is_ok() => {
                Node::unknown(origin.span(n.range.start..n.range.start + HOLE_CHAR.len_utf8()))
            }
            ast::Value::NumberLit(n) => Node::new(
                NodeKind::Number(n.value.parse().unwrap_or(f64::NAN)),
                origin.span(n.range.start..n.range.end),
            ),
            ast::Value::BooleanLit(b) => Node::new(
                NodeKind::Bool(b.value),
                origin.span(b.range.start..b.range.end),
            ),
            ast::Value::NullKeyword(n) => Node::null(origin.span(n.range.start..n.range.end)),
            ast::Value::Array(a) => Node::new(
                NodeKind::List(a.elements.iter().map(|v| self.convert(v)).collect()),
                origin.span(a.range.start..a.range.end),
            ),
            ast::Value::Object(o) => {
                let mut entries = Entries::default();
                for prop in &o.properties {
                    let (name, key_span) = match &prop.name {
                        ast::ObjectPropName::String(s) => {
                            (s.value.to_string(), origin.span(s.range.start..s.range.end))
                        }
                        ast::ObjectPropName::Word(w) => {
                            (w.value.to_string(), origin.span(w.range.start..w.range.end))
                        }
                    };
                    let value = self.convert(&prop.value);
                    let key = Key {
                        name: name.clone(),
                        span: key_span,
                    };
                    if let Some(first) = entries.push(key, value) {
                        self.duplicates.push(DuplicateKey {
                            name,
                            first: first.span,
                            second: key_span,
                        });
                    }
                }
                let entries = entries.into_vec();
                Node::new(
                    NodeKind::Map(entries),
                    origin.span(o.range.start..o.range.end),
                )
            }
        }
    }
}

fn string_node(s: &ast::StringLit<'_>, raw: &str, origin: Origin<'_>) -> Node {
    let inner = (s.range.start + 1)..s.range.end.saturating_sub(1).max(s.range.start + 1);
    Node::str(
        origin.string(&s.value, inner, raw),
        origin.span(s.range.start..s.range.end),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::value::{BucketRef, Hole};
    use crate::source::FileId;

    #[test]
    fn file_json_keeps_byte_spans() {
        let src = r#"{"a": [1, "é\"x"], "b": true}"#;
        let p = parse(src, Origin::File(FileId(3))).unwrap();
        let arr = p.node.get("a").unwrap();
        let s = &arr.items()[1];
        let span = s.span.unwrap();
        assert_eq!(&src[span.range()], r#""é\"x""#);
        assert_eq!(s.as_str(), Some("é\"x"));
        assert_eq!(p.node.get("b").unwrap().as_bool(), Some(true));
    }

    #[test]
    fn strictness_and_duplicates() {
        assert!(parse(r#"{"a": 1,}"#, Origin::File(FileId(0))).is_err());
        assert!(parse("// c\n{}", Origin::File(FileId(0))).is_err());
        let p = parse(r#"{"a": 1, "a": 2}"#, Origin::File(FileId(0))).unwrap();
        assert_eq!(p.duplicates.len(), 1);
        assert_eq!(p.node.get("a").unwrap().kind, NodeKind::Number(2.0));
    }

    #[test]
    fn duplicates_are_found_in_huge_objects_too() {
        use std::fmt::Write;
        let mut src = String::from("{");
        for i in 0..1000 {
            let _ = write!(src, "\"k{i}\": {i}, ");
        }
        src.push_str("\"k7\": 1, \"k999\": 2}");
        let p = parse(&src, Origin::File(FileId(0))).unwrap();
        let names: Vec<&str> = p.duplicates.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, ["k7", "k999"]);
        assert!(p.duplicates[0].first.unwrap().start < p.duplicates[0].second.unwrap().start);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = "[".repeat(100_000) + &"]".repeat(100_000);
        let err = parse(&deep, Origin::File(FileId(0))).unwrap_err();
        assert!(
            err.message.to_lowercase().contains("nesting"),
            "{}",
            err.message
        );
    }

    #[test]
    fn a_bare_hole_is_an_unknown_value_and_offsets_survive() {
        let bucket = || Hole::BucketName(BucketRef::new("m", "aws_s3_bucket.b"));
        let mut t = Text::lit(r#"{"a": ["#);
        t.push(&Text::hole(Hole::Unknown));
        t.push_str(r#", "x\""#);
        t.push(&Text::hole(bucket()));
        t.push_str(r#""], "b": true}"#);
        let p = parse(t.raw(), Origin::Text(&t)).unwrap();
        let a = p.node.get("a").unwrap().items();
        assert!(a[0].is_unknown());
        // A hole inside a string (after an escaped quote) stays part of the string.
        assert_eq!(a[1].as_text().unwrap().holes(), [bucket()]);
        assert!(matches!(
            p.node.get("b").unwrap().kind,
            NodeKind::Bool(true)
        ));
    }

    #[test]
    fn text_with_holes_maps_back() {
        let file = FileId(1);
        let mut t = Text::lit_at(
            r#"{"Resource": "arn:aws:s3:::"#,
            Span::new(file, 100..127),
            true,
        );
        t.push(&Text::hole(Hole::BucketName(BucketRef::new(
            "m",
            "aws_s3_bucket.b",
        ))));
        t.push(&Text::lit_at(r#"/*"}"#, Span::new(file, 200..204), true));
        let p = parse(t.raw(), Origin::Text(&t)).unwrap();
        let r = p.node.get("Resource").unwrap();
        let text = r.as_text().unwrap();
        assert_eq!(text.to_string(), "arn:aws:s3:::${aws_s3_bucket.b.id}/*");
        // The string node starts at its opening quote in the source.
        assert_eq!(r.span.unwrap().start, 113);
    }
}
