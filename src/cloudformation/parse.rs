//! CloudFormation template text (JSON or YAML) into spanned [`Node`] trees.
//!
//! YAML is read from saphyr-parser's events into our tree with an explicit stack, so
//! no input can overflow the stack while building: nesting deeper than
//! [`MAX_DEPTH`] is a located error, and aliases may expand to at most
//! [`ALIAS_BUDGET`] nodes in total (billion laughs). Short-form intrinsics (`!Ref X`,
//! `!If [...]`) become their long form (`{"Ref": "X"}`, `{"Fn::If": [...]}`), so
//! everything after parsing sees one shape. saphyr positions count characters; they
//! are converted to byte offsets here.

use crate::json::{self, DuplicateKey, Entries};
use crate::model::value::{Key, Node, NodeKind, Text};
use crate::source::{FileId, Span};
use saphyr_parser::{Event, Marker, Parser, ScalarStyle, Tag};
use std::collections::HashMap;

/// Deepest nesting accepted in a YAML template (real templates stay below 20).
pub const MAX_DEPTH: usize = 256;
/// Nodes that alias expansion may produce in one file.
pub const ALIAS_BUDGET: usize = 100_000;
/// Nodes kept as copies of anchored nodes in one file: nested anchors
/// (`&a0 [&a1 [&a2 ...]]`) would otherwise copy the innermost items once per level.
pub const ANCHOR_STORE: usize = 4 * ALIAS_BUDGET;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Yaml,
}

/// A syntax error at a span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub message: String,
    pub span: Span,
}

/// The documents of a file and the keys that appear twice in a mapping.
#[derive(Debug, Default)]
pub struct Parsed {
    pub documents: Vec<Node>,
    pub duplicates: Vec<DuplicateKey>,
}

/// JSON when the first non-blank character is `{` or `[`, else YAML.
pub fn sniff(text: &str) -> Format {
    match text
        .trim_start_matches('\u{FEFF}')
        .trim_start()
        .chars()
        .next()
    {
        Some('{' | '[') => Format::Json,
        _ => Format::Yaml,
    }
}

pub fn parse(file: FileId, text: &str, format: Format) -> Result<Parsed, SyntaxError> {
    match format {
        Format::Json => {
            let p = json::parse(text, json::Origin::File(file)).map_err(|e| SyntaxError {
                message: e.message,
                span: Span::new(file, e.range),
            })?;
            Ok(Parsed {
                documents: vec![p.node],
                duplicates: p.duplicates,
            })
        }
        Format::Yaml => parse_yaml_strict(file, text).or_else(|e| {
            // Retry with line breaks in flow collections and quoted scalars joined
            // (saphyr is stricter than CloudFormation, see `yaml_compat`); offsets
            // are unchanged, so spans stay exact.
            match super::yaml_compat::join_flow_lines(text) {
                Some(joined) => parse_yaml_strict(file, &joined).map_err(|_| e),
                None => Err(e),
            }
        }),
    }
}

/// YAML as saphyr reads it, without the compatibility retry.
pub(super) fn parse_yaml_strict(file: FileId, text: &str) -> Result<Parsed, SyntaxError> {
    Builder::new(file, text).run()
}

/// Character index → byte offset, for saphyr markers.
struct Offsets<'a> {
    text: &'a str,
    ascii: bool,
    /// The last conversion (character index, byte offset), to walk forward from.
    cursor: (usize, usize),
}

impl Offsets<'_> {
    fn byte(&mut self, m: &Marker) -> usize {
        let idx = m.index();
        if self.ascii {
            return idx.min(self.text.len());
        }
        if idx < self.cursor.0 {
            self.cursor = (0, 0);
        }
        let (mut c, mut b) = self.cursor;
        for ch in self.text[b..].chars() {
            if c == idx {
                break;
            }
            c += 1;
            b += ch.len_utf8();
        }
        self.cursor = (c, b);
        b
    }
}

enum Frame {
    Seq {
        items: Vec<Node>,
        start: usize,
        anchor: usize,
        tag: Option<String>,
    },
    Map {
        entries: Entries,
        key: Option<Key>,
        start: usize,
        anchor: usize,
        tag: Option<String>,
    },
}

struct Builder<'a> {
    file: FileId,
    text: &'a str,
    offsets: Offsets<'a>,
    stack: Vec<Frame>,
    /// Copies of anchored nodes; `None` for a node too large to ever be aliased.
    anchors: HashMap<usize, Option<Node>>,
    budget: usize,
    store: usize,
    out: Parsed,
}

impl<'a> Builder<'a> {
    fn new(file: FileId, text: &'a str) -> Builder<'a> {
        Builder {
            file,
            text,
            offsets: Offsets {
                text,
                ascii: text.is_ascii(),
                cursor: (0, 0),
            },
            stack: Vec::new(),
            anchors: HashMap::new(),
            budget: ALIAS_BUDGET,
            store: ANCHOR_STORE,
            out: Parsed::default(),
        }
    }

    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, start..end.max(start))
    }

    fn error_at(&mut self, m: &Marker, message: impl Into<String>) -> SyntaxError {
        let at = self.offsets.byte(m);
        SyntaxError {
            message: message.into(),
            span: Span::new(self.file, crate::source::char_range(self.text, at)),
        }
    }

    fn run(mut self) -> Result<Parsed, SyntaxError> {
        let mut parser = Parser::new_from_str(self.text);
        while let Some(next) = parser.next_event() {
            let (event, span) = match next {
                Ok(e) => e,
                Err(e) => {
                    let info = e.info().to_string();
                    return Err(self.error_at(e.marker(), info));
                }
            };
            let start = self.offsets.byte(&span.start);
            let end = self.offsets.byte(&span.end);
            match event {
                Event::Scalar(value, style, anchor, tag) => {
                    let node = self.scalar(&value, style, tag.as_deref(), start, end);
                    self.push(node, anchor);
                }
                Event::SequenceStart(anchor, tag) => {
                    self.check_depth(&span.start)?;
                    self.stack.push(Frame::Seq {
                        items: Vec::new(),
                        start,
                        anchor,
                        tag: custom_tag(tag.as_deref()),
                    });
                }
                Event::MappingStart(anchor, tag) => {
                    self.check_depth(&span.start)?;
                    self.stack.push(Frame::Map {
                        entries: Entries::default(),
                        key: None,
                        start,
                        anchor,
                        tag: custom_tag(tag.as_deref()),
                    });
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    // A flow collection ends at its bracket; a block collection at
                    // its last child (the event's mark is the next token, possibly
                    // lines later).
                    let flow = matches!(self.text.as_bytes().get(start), Some(b']' | b'}'));
                    let end = if flow {
                        end
                    } else {
                        self.last_child_end().unwrap_or(start)
                    };
                    let (node, anchor, tag) = match self.stack.pop() {
                        Some(Frame::Seq {
                            items,
                            start,
                            anchor,
                            tag,
                        }) => (
                            Node::new(NodeKind::List(items), Some(self.span(start, end))),
                            anchor,
                            tag,
                        ),
                        Some(Frame::Map {
                            entries,
                            start,
                            anchor,
                            tag,
                            ..
                        }) => (
                            Node::new(
                                NodeKind::Map(entries.into_vec()),
                                Some(self.span(start, end)),
                            ),
                            anchor,
                            tag,
                        ),
                        None => continue,
                    };
                    let node = match tag {
                        Some(t) => intrinsic(&t, node),
                        None => node,
                    };
                    self.push(node, anchor);
                }
                Event::Alias(id) => {
                    let Some(stored) = self.anchors.get(&id) else {
                        return Err(self.error_at(&span.start, "alias to an unknown anchor"));
                    };
                    let budget = self.budget;
                    let copy = stored
                        .as_ref()
                        .map(|t| (size_within(t, budget), t))
                        .filter(|(size, _)| *size <= budget);
                    let Some((size, target)) = copy else {
                        return Err(self.error_at(
                            &span.start,
                            format!(
                                "alias expansion exceeds {ALIAS_BUDGET} nodes (an alias bomb?)"
                            ),
                        ));
                    };
                    let node = target.clone();
                    self.budget -= size;
                    self.push(node, 0);
                }
                Event::StreamStart
                | Event::StreamEnd
                | Event::DocumentStart(_)
                | Event::DocumentEnd
                | Event::Nothing => {}
            }
        }
        Ok(self.out)
    }

    /// The end of the last child of the collection being closed.
    fn last_child_end(&self) -> Option<usize> {
        let last = match self.stack.last()? {
            Frame::Seq { items, .. } => items.last()?,
            Frame::Map { entries, .. } => entries.last()?,
        };
        last.span.map(|s| s.end as usize)
    }

    fn check_depth(&mut self, at: &Marker) -> Result<(), SyntaxError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(self.error_at(at, format!("nesting deeper than {MAX_DEPTH} levels")));
        }
        Ok(())
    }

    /// Adds a finished node to its parent (or as a document).
    fn push(&mut self, node: Node, anchor: usize) {
        if anchor > 0 {
            // Aliases pay for their copies; the stored copy is paid from its own
            // budget, and a node larger than the alias budget left is never copied
            // since no alias could expand it.
            let limit = self.budget.min(self.store);
            let size = size_within(&node, limit);
            let copy = (size <= limit).then(|| {
                self.store -= size;
                node.clone()
            });
            self.anchors.insert(anchor, copy);
        }
        match self.stack.last_mut() {
            None => self.out.documents.push(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                None => {
                    let name = node
                        .to_text()
                        .map_or_else(|| "?".to_string(), |t| t.raw().to_string());
                    *key = Some(Key {
                        name,
                        span: node.span,
                    });
                }
                Some(k) => {
                    let (name, second) = (k.name.clone(), k.span);
                    if let Some(first) = entries.push(k, node) {
                        self.out.duplicates.push(DuplicateKey {
                            name,
                            first: first.span,
                            second,
                        });
                    }
                }
            },
        }
    }

    fn scalar(
        &self,
        value: &str,
        style: ScalarStyle,
        tag: Option<&Tag>,
        start: usize,
        end: usize,
    ) -> Node {
        let span = self.span(start, end);
        let source = self.text.get(start..end).unwrap_or("");
        let quoted = matches!(style, ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted);
        let text = if quoted && source.len() >= 2 {
            let inner = Span::new(self.file, start + 1..end - 1);
            crate::terraform::parse::literal_text(value, &source[1..source.len() - 1], inner)
        } else {
            crate::terraform::parse::literal_text(value, source, span)
        };
        let node = if tag.is_some() || style != ScalarStyle::Plain {
            Node::str(text, Some(span))
        } else {
            plain(value, text, span)
        };
        match custom_tag(tag) {
            Some(t) => intrinsic(&t, node),
            None => node,
        }
    }
}

/// A plain (unquoted, untagged) scalar, resolved as the YAML core schema does.
fn plain(value: &str, text: Text, span: Span) -> Node {
    let kind = match value {
        "true" | "True" | "TRUE" => NodeKind::Bool(true),
        "false" | "False" | "FALSE" => NodeKind::Bool(false),
        "" | "~" | "null" | "Null" | "NULL" => NodeKind::Null,
        v if looks_numeric(v) => match v.parse::<f64>() {
            Ok(n) if n.is_finite() => NodeKind::Number(n),
            _ => NodeKind::Str(text),
        },
        _ => NodeKind::Str(text),
    };
    Node::new(kind, Some(span))
}

fn looks_numeric(v: &str) -> bool {
    let digits = v.strip_prefix(['-', '+']).unwrap_or(v);
    !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '-' | '+'))
        && digits.starts_with(|c: char| c.is_ascii_digit())
        // Leading zeros are strings to CloudFormation (`007`, account IDs).
        && !(digits.len() > 1 && digits.starts_with('0') && !digits.starts_with("0."))
}

/// A tag other than the YAML core schema (`!!str`...): `!Ref`, `!If`...
fn custom_tag(tag: Option<&Tag>) -> Option<String> {
    let tag = tag?;
    (tag.handle == "!").then(|| tag.suffix.clone())
}

/// The long form of a short-form intrinsic: `!Ref x` → `{"Ref": x}`, `!Condition c`
/// → `{"Condition": c}`, `!Sub s` → `{"Fn::Sub": s}`.
fn intrinsic(tag: &str, value: Node) -> Node {
    let name = match tag {
        "Ref" | "Condition" => tag.to_string(),
        _ => format!("Fn::{tag}"),
    };
    let span = value.span;
    Node::new(NodeKind::Map(vec![(Key { name, span }, value)]), span)
}

/// Number of nodes in `n`, counting at most to `limit + 1`.
fn size_within(n: &Node, limit: usize) -> usize {
    let mut count = 0;
    let mut stack = vec![n];
    while let Some(n) = stack.pop() {
        count += 1;
        if count > limit {
            return count;
        }
        match &n.kind {
            NodeKind::List(items) => stack.extend(items),
            NodeKind::Map(entries) => stack.extend(entries.iter().map(|(_, v)| v)),
            _ => {}
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(src: &str) -> Parsed {
        parse(FileId(0), src, Format::Yaml).unwrap()
    }

    #[test]
    fn short_forms_become_long_forms_with_spans() {
        let src = "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Sub '${AWS::StackName}-b'\n      Tags: !If [C, [], !Ref AWS::NoValue]\n";
        let p = yaml(src);
        let props = p.documents[0]
            .get("Resources")
            .unwrap()
            .get("B")
            .unwrap()
            .get("Properties")
            .unwrap();
        let sub = props.get("BucketName").unwrap().get("Fn::Sub").unwrap();
        assert_eq!(sub.as_str(), Some("${AWS::StackName}-b"));
        // The string maps to its source without the quotes.
        let t = sub.as_text().unwrap();
        assert_eq!(&src[t.source_span(0..2).unwrap().range()], "${");
        let args = props.get("Tags").unwrap().get("Fn::If").unwrap();
        assert_eq!(
            args.items()[2].get("Ref").unwrap().as_str(),
            Some("AWS::NoValue")
        );
    }

    #[test]
    fn plain_scalars_resolve_like_yaml_core() {
        let p = yaml("a: true\nb: 'true'\nc: 12\nd: 0123\ne: ~\nf: 2010-09-09\n");
        let d = &p.documents[0];
        assert_eq!(d.get("a").unwrap().kind, NodeKind::Bool(true));
        assert_eq!(d.get("b").unwrap().as_str(), Some("true"));
        assert_eq!(d.get("c").unwrap().kind, NodeKind::Number(12.0));
        assert_eq!(d.get("d").unwrap().as_str(), Some("0123"));
        assert!(d.get("e").unwrap().is_null());
        assert_eq!(d.get("f").unwrap().as_str(), Some("2010-09-09"));
    }

    #[test]
    fn positions_are_bytes_not_characters() {
        let src = "# é😀\nA: ü\nB: x\n";
        let p = yaml(src);
        let b = p.documents[0].get("B").unwrap();
        assert_eq!(&src[b.span.unwrap().range()], "x");
    }

    #[test]
    fn block_collections_end_with_their_last_child_flow_ones_at_the_bracket() {
        let src = "A:\n  - x: 1\n    y: [1, 2]\n\n\nB: 2\n";
        let p = yaml(src);
        let a = p.documents[0].get("A").unwrap();
        assert_eq!(&src[a.span.unwrap().range()], "- x: 1\n    y: [1, 2]");
        let y = a.items()[0].get("y").unwrap();
        assert_eq!(&src[y.span.unwrap().range()], "[1, 2]");
    }

    #[test]
    fn duplicate_keys_keep_both_locations() {
        let src = "A: 1\nB: 2\nA: 3\n";
        let p = yaml(src);
        let d = &p.duplicates[0];
        assert_eq!(d.name, "A");
        assert_eq!(d.first.unwrap().start, 0);
        assert_eq!(d.second.unwrap().start, 10);
    }

    #[test]
    fn billion_laughs_is_refused() {
        use std::fmt::Write;
        let mut src = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            let _ = writeln!(
                src,
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]"
            );
        }
        let err = parse(FileId(0), &src, Format::Yaml).unwrap_err();
        assert!(err.message.contains("alias"), "{err:?}");
    }

    #[test]
    fn deep_block_nesting_is_a_located_error() {
        let src = format!("{}x\n", "- ".repeat(100_000));
        let err = parse(FileId(0), &src, Format::Yaml).unwrap_err();
        assert!(err.message.contains("nesting"), "{err:?}");
        let flow = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(parse(FileId(0), &flow, Format::Yaml).is_err());
    }

    #[test]
    fn multiple_documents() {
        let p = yaml("a: 1\n---\nb: 2\n");
        assert_eq!(p.documents.len(), 2);
    }

    #[test]
    fn sniffing() {
        assert_eq!(sniff("  \n{\"a\": 1}"), Format::Json);
        assert_eq!(sniff("a: 1"), Format::Yaml);
    }
}
