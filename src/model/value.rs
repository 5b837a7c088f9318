//! Values as AWS would see them after apply: known or unknown, with the source span
//! they came from.
//!
//! Three shapes:
//! - [`Value<T>`]: a typed model field (known or unknown; explicit with a span, or
//!   AWS's default with none).
//! - [`Text`]: a string that may contain parts only known after apply (a bucket's
//!   generated name, the account ID), so `"${aws_s3_bucket.b.arn}/*"` still says
//!   "the objects of bucket b".
//! - [`Node`]: a spanned JSON-like tree (evaluated Terraform expressions,
//!   CloudFormation templates, policy documents) with an explicit `Unknown`.

use crate::source::{FileId, Span};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use thin_vec::{ThinVec, thin_vec};

/// Every assignment of true/false to the undecidable conditions `atoms` (the
/// "worlds" a configuration may deploy in), or none when there are none or more
/// than `max` (2^max evaluations at most).
pub fn assignments<A: Copy + Ord>(atoms: &[A], max: usize) -> Vec<BTreeMap<A, bool>> {
    if atoms.is_empty() || atoms.len() > max {
        return Vec::new();
    }
    (0u32..(1 << atoms.len()))
        .map(|mask| {
            atoms
                .iter()
                .enumerate()
                .map(|(i, a)| (*a, mask & (1 << i) != 0))
                .collect()
        })
        .collect()
}

/// Three-valued logic: rules report only on `Yes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tri {
    Yes,
    No,
    Unknown,
}

impl std::ops::Not for Tri {
    type Output = Tri;

    fn not(self) -> Tri {
        match self {
            Tri::Yes => Tri::No,
            Tri::No => Tri::Yes,
            Tri::Unknown => Tri::Unknown,
        }
    }
}

impl Tri {
    pub fn from_bool(b: bool) -> Tri {
        if b { Tri::Yes } else { Tri::No }
    }

    #[must_use]
    pub fn and(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::No, _) | (_, Tri::No) => Tri::No,
            (Tri::Yes, Tri::Yes) => Tri::Yes,
            _ => Tri::Unknown,
        }
    }

    #[must_use]
    pub fn or(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::Yes, _) | (_, Tri::Yes) => Tri::Yes,
            (Tri::No, Tri::No) => Tri::No,
            _ => Tri::Unknown,
        }
    }

    /// `Yes` if any item is `Yes`, `No` if all are `No`.
    pub fn any(items: impl IntoIterator<Item = Tri>) -> Tri {
        items.into_iter().fold(Tri::No, Tri::or)
    }

    /// `Yes` if all items are `Yes` (and there is at least zero), `No` if any is `No`.
    pub fn all(items: impl IntoIterator<Item = Tri>) -> Tri {
        items.into_iter().fold(Tri::Yes, Tri::and)
    }
}

/// A model field: the value (or unknown), and where it was written (none when AWS's
/// default applies because nothing was written).
#[derive(Debug, Clone, PartialEq)]
pub struct Value<T> {
    known: Option<T>,
    span: Option<Span>,
    origin: Option<Span>,
}

impl<T> Value<T> {
    /// A value written in the source at `span`.
    pub fn explicit(value: T, span: Span) -> Value<T> {
        Value {
            known: Some(value),
            span: Some(span),
            origin: None,
        }
    }

    /// A value written at `span` that cannot be determined statically.
    pub fn unknown(span: Span) -> Value<T> {
        Value {
            known: None,
            span: Some(span),
            origin: None,
        }
    }

    /// AWS's default, since nothing was written.
    pub fn default_of(value: T) -> Value<T> {
        Value {
            known: Some(value),
            span: None,
            origin: None,
        }
    }

    /// Nothing written and no default known (e.g. a generated bucket name).
    pub fn absent_unknown() -> Value<T> {
        Value {
            known: None,
            span: None,
            origin: None,
        }
    }

    pub fn get(&self) -> Option<&T> {
        self.known.as_ref()
    }

    pub fn is_known(&self) -> bool {
        self.known.is_some()
    }

    pub fn is_explicit(&self) -> bool {
        self.span.is_some()
    }

    pub fn span(&self) -> Option<Span> {
        self.span
    }

    /// Where the value was written, when that is elsewhere than where it is used
    /// (`acl = var.acl` with the variable's default in another file).
    pub fn origin(&self) -> Option<Span> {
        self.origin
    }

    #[must_use]
    pub fn with_origin(mut self, origin: Option<Span>) -> Value<T> {
        self.origin = origin.filter(|o| {
            self.span
                .is_none_or(|s| s.file != o.file || o.start < s.start || o.end > s.end)
        });
        self
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Value<U> {
        Value {
            known: self.known.map(f),
            span: self.span,
            origin: self.origin,
        }
    }

    /// `Yes`/`No` by `pred` on a known value, `Unknown` otherwise.
    pub fn test(&self, pred: impl FnOnce(&T) -> bool) -> Tri {
        self.known
            .as_ref()
            .map_or(Tri::Unknown, |v| Tri::from_bool(pred(v)))
    }
}

/// A boolean setting written as `node` at `at` (the use site; the node's own span is
/// kept as the origin when it differs). Null means "not set": AWS's default.
pub fn bool_value(node: &Node, at: Span, default: bool) -> Value<bool> {
    if node.is_null() {
        return Value::default_of(default).with_origin(Some(at));
    }
    match node.as_bool() {
        Some(b) => Value::explicit(b, at).with_origin(node.span),
        None => Value::unknown(at),
    }
}

/// A string setting; `None` when null (not set).
pub fn string_value(node: &Node, at: Span) -> Option<Value<String>> {
    if node.is_null() {
        return None;
    }
    Some(match node.as_str() {
        Some(s) => Value::explicit(s.to_string(), at).with_origin(node.span),
        None => Value::unknown(at),
    })
}

/// A string setting that may contain holes of known identity (a bucket's name);
/// `None` when null.
pub fn text_value(node: &Node, at: Span) -> Option<Value<Text>> {
    if node.is_null() {
        return None;
    }
    Some(match node.to_text() {
        Some(t) if !t.has_unknown_hole() => Value::explicit(t, at).with_origin(node.span),
        _ => Value::unknown(at),
    })
}

/// Identity of a bucket in the model, unique within one scan (a module directory or
/// template, plus the resource address).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BucketRef(pub Arc<str>);

impl BucketRef {
    pub fn new(scope: &str, address: &str) -> BucketRef {
        BucketRef::written(scope, |out| out.push_str(address))
    }

    /// [`BucketRef::new`] with the address written in place by `address`, with no
    /// string of its own.
    pub fn written(scope: &str, address: impl FnOnce(&mut String)) -> BucketRef {
        let mut id = String::with_capacity(scope.len() + 64);
        id.push_str(scope);
        id.push('#');
        address(&mut id);
        BucketRef(Arc::from(id))
    }

    /// The resource address part (after the scope).
    pub fn address(&self) -> &str {
        self.0.rsplit_once('#').map_or(&self.0, |(_, a)| a)
    }

    /// The module directory or template the bucket is declared in.
    pub fn scope(&self) -> &str {
        self.0.rsplit_once('#').map_or("", |(s, _)| s)
    }
}

/// A part of a string only known after apply.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Hole {
    /// The name of a bucket in the model whose name is not written literally.
    BucketName(BucketRef),
    /// The name of another resource (an IAM role or policy) that is not written
    /// literally: references to it still identify it.
    Name(BucketRef),
    /// The account ID of the deploying account.
    AccountId,
    Partition,
    Region,
    /// Anything else.
    Unknown,
}

/// Marks the position of a [`Hole`] in [`Text::raw`]. A private-use character, so it
/// never appears in real configuration (literal occurrences are replaced).
pub const HOLE_CHAR: char = '\u{E000}';

/// Maps a run of a [`Text`] back to source bytes: from byte `at` of the text on, the
/// bytes come from `src` in `file`; `exact` says byte-for-byte (no escapes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seg {
    pub at: u32,
    pub file: FileId,
    pub src: u32,
    pub exact: bool,
}

/// A string with holes: literal text plus parts only known after apply, and a map
/// from text offsets back to source offsets.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Text {
    raw: String,
    // Thin vectors (one pointer, no allocation while empty): a text is in every
    // string of the syntax trees and of the evaluated model, and most have no holes.
    holes: ThinVec<Hole>,
    map: ThinVec<Seg>,
}

impl Text {
    /// A literal string with no source mapping.
    pub fn lit(s: &str) -> Text {
        Text {
            raw: sanitize(s),
            holes: ThinVec::new(),
            map: ThinVec::new(),
        }
    }

    /// A literal string whose bytes come from `span` (byte-for-byte when `exact`).
    pub fn lit_at(s: &str, span: Span, exact: bool) -> Text {
        let exact = exact && s.len() == (span.end - span.start) as usize;
        Text {
            raw: sanitize(s),
            holes: ThinVec::new(),
            map: thin_vec![Seg {
                at: 0,
                file: span.file,
                src: span.start,
                exact,
            }],
        }
    }

    pub fn hole(hole: Hole) -> Text {
        Text {
            raw: HOLE_CHAR.to_string(),
            holes: thin_vec![hole],
            map: ThinVec::new(),
        }
    }

    /// Like [`Text::hole`], mapped to the span of the expression that produced it.
    pub fn hole_at(hole: Hole, span: Span) -> Text {
        let mut t = Text::hole(hole);
        t.map.push(Seg {
            at: 0,
            file: span.file,
            src: span.start,
            exact: false,
        });
        t
    }

    /// Appends `other`, keeping holes and source mapping.
    pub fn push(&mut self, other: &Text) {
        let base = self.raw.len() as u32;
        if other.map.first().is_none_or(|s| s.at != 0) {
            self.unmapped_run();
        }
        self.raw.push_str(&other.raw);
        self.holes.extend(other.holes.iter().cloned());
        self.map.extend(other.map.iter().map(|s| Seg {
            at: s.at + base,
            ..*s
        }));
    }

    /// Appends a literal string: as `push(&Text::lit(s))`, without the copy.
    pub fn push_str(&mut self, s: &str) {
        self.unmapped_run();
        push_sanitized(&mut self.raw, s);
    }

    /// Appends a hole: as `push(&Text::hole(hole))`, without the copy.
    pub fn push_hole(&mut self, hole: Hole) {
        self.unmapped_run();
        self.raw.push(HOLE_CHAR);
        self.holes.push(hole);
    }

    /// Starts a run with no source mapping: it must not inherit the previous run's.
    fn unmapped_run(&mut self) {
        if !self.map.is_empty() {
            self.map.push(Seg {
                at: self.raw.len() as u32,
                file: FileId(u32::MAX),
                src: 0,
                exact: false,
            });
        }
    }

    pub fn concat<'a>(parts: impl IntoIterator<Item = &'a Text>) -> Text {
        let mut out = Text::default();
        for p in parts {
            out.push(p);
        }
        out
    }

    /// The literal string, if the text has no holes.
    pub fn as_lit(&self) -> Option<&str> {
        self.holes.is_empty().then_some(self.raw.as_str())
    }

    /// The text after its last hole, when its only holes are the partition and the
    /// account: what an ARN of the deploying account names (`role/NAME`,
    /// `oidc-provider/HOST`) is literal. The whole text if it has no holes.
    pub fn lit_after_account(&self) -> Option<&str> {
        if !self
            .holes
            .iter()
            .all(|h| matches!(h, Hole::AccountId | Hole::Partition))
        {
            return None;
        }
        Some(self.raw.rsplit(HOLE_CHAR).next().unwrap_or(&self.raw))
    }

    pub fn is_lit(&self) -> bool {
        self.holes.is_empty()
    }

    /// The text with each hole as [`HOLE_CHAR`].
    pub fn raw(&self) -> &str {
        &self.raw
    }

    pub fn holes(&self) -> &[Hole] {
        &self.holes
    }

    /// True if some hole is [`Hole::Unknown`] (as opposed to a known-identity hole).
    pub fn has_unknown_hole(&self) -> bool {
        self.holes.iter().any(|h| matches!(h, Hole::Unknown))
    }

    /// Source span of the raw byte range `range`, when this text maps to source.
    pub fn source_span(&self, range: std::ops::Range<usize>) -> Option<Span> {
        let seg_for = |off: usize| -> Option<(Seg, usize)> {
            let i = self.map.partition_point(|s| s.at as usize <= off);
            let seg = *self.map.get(i.checked_sub(1)?)?;
            (seg.file.0 != u32::MAX).then_some((seg, off))
        };
        let (start_seg, start) = seg_for(range.start)?;
        let src_start = if start_seg.exact {
            start_seg.src as usize + (start - start_seg.at as usize)
        } else {
            start_seg.src as usize
        };
        let end_off = range.end.max(range.start + 1) - 1;
        let src_end = match seg_for(end_off) {
            Some((seg, off)) if seg.exact && seg.file == start_seg.file => {
                seg.src as usize + (off - seg.at as usize) + 1
            }
            _ => src_start,
        };
        Some(Span::new(
            start_seg.file,
            src_start..src_end.max(src_start).min(u32::MAX as usize),
        ))
    }

    /// Splits the raw byte range `range` into a new text, keeping holes and mapping.
    #[must_use]
    pub fn slice(&self, range: std::ops::Range<usize>) -> Text {
        let raw = self.raw[range.clone()].to_string();
        let skipped = self.raw[..range.start].matches(HOLE_CHAR).count();
        let count = raw.matches(HOLE_CHAR).count();
        let holes = ThinVec::from(&self.holes[skipped..skipped + count]);
        let mut map = ThinVec::new();
        let first = self.map.partition_point(|s| s.at as usize <= range.start);
        if let Some(seg) = first.checked_sub(1).and_then(|i| self.map.get(i)) {
            let delta = range.start - seg.at as usize;
            map.push(Seg {
                at: 0,
                src: if seg.exact {
                    seg.src + delta as u32
                } else {
                    seg.src
                },
                ..*seg
            });
        }
        for seg in &self.map[first..] {
            if seg.at as usize >= range.end {
                break;
            }
            map.push(Seg {
                at: seg.at - range.start as u32,
                ..*seg
            });
        }
        Text { raw, holes, map }
    }
}

/// Replaces the hole marker in untrusted literal text (same UTF-8 length).
fn sanitize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_sanitized(&mut out, s);
    out
}

/// Appends `s` to `out`, sanitized as [`sanitize`] does.
fn push_sanitized(out: &mut String, s: &str) {
    if s.contains(HOLE_CHAR) {
        out.push_str(&s.replace(HOLE_CHAR, "\u{FFFD}"));
    } else {
        out.push_str(s);
    }
}

impl fmt::Display for Text {
    /// Holes are shown as `${...}` placeholders naming what they stand for.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut holes = self.holes.iter();
        for part in self.raw.split(HOLE_CHAR).enumerate() {
            if part.0 > 0 {
                match holes.next() {
                    Some(Hole::BucketName(b)) => write!(f, "${{{}.id}}", b.address())?,
                    Some(Hole::Name(r)) => write!(f, "${{{}.name}}", r.address())?,
                    Some(Hole::AccountId) => f.write_str("${account_id}")?,
                    Some(Hole::Partition) => f.write_str("${partition}")?,
                    Some(Hole::Region) => f.write_str("${region}")?,
                    Some(Hole::Unknown) | None => f.write_str("${?}")?,
                }
            }
            f.write_str(part.1)?;
        }
        Ok(())
    }
}

/// An object key with its span.
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    pub name: String,
    pub span: Option<Span>,
}

/// A spanned JSON-like value with holes and an explicit unknown.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub kind: NodeKind,
    pub span: Option<Span>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    Null,
    Bool(bool),
    Number(f64),
    Str(Text),
    List(Vec<Node>),
    Map(Vec<(Key, Node)>),
    /// A string holding the JSON encoding of the inner value (Terraform's
    /// `jsonencode`, `aws_iam_policy_document.json`), kept as a tree so that policy
    /// statements keep their spans.
    Json(Box<Node>),
    Unknown,
}

impl Node {
    /// The node written out without spans (`{"Fn::ImportValue":"shared"}`), when it
    /// is small: two nodes of the same shape are written the same way.
    pub fn shape(&self) -> Option<String> {
        const MAX: usize = 512;
        fn write(n: &Node, out: &mut String) -> Option<()> {
            if out.len() > MAX {
                return None;
            }
            match &n.kind {
                NodeKind::Null | NodeKind::Unknown => out.push_str("null"),
                NodeKind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
                NodeKind::Number(x) => out.push_str(&x.to_string()),
                NodeKind::Str(t) => {
                    out.push('"');
                    out.push_str(t.as_lit()?);
                    out.push('"');
                }
                NodeKind::List(items) => {
                    out.push('[');
                    for i in items {
                        write(i, out)?;
                        out.push(',');
                    }
                    out.push(']');
                }
                NodeKind::Map(entries) => {
                    out.push('{');
                    for (k, v) in entries {
                        out.push_str(&k.name);
                        out.push(':');
                        write(v, out)?;
                        out.push(',');
                    }
                    out.push('}');
                }
                NodeKind::Json(inner) => write(inner, out)?,
            }
            Some(())
        }
        let mut out = String::new();
        write(self, &mut out)?;
        (out.len() <= MAX).then_some(out)
    }

    pub fn new(kind: NodeKind, span: Option<Span>) -> Node {
        Node { kind, span }
    }

    pub fn unknown(span: Option<Span>) -> Node {
        Node::new(NodeKind::Unknown, span)
    }

    pub fn null(span: Option<Span>) -> Node {
        Node::new(NodeKind::Null, span)
    }

    pub fn str(text: Text, span: Option<Span>) -> Node {
        Node::new(NodeKind::Str(text), span)
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self.kind, NodeKind::Unknown)
    }

    pub fn is_null(&self) -> bool {
        matches!(self.kind, NodeKind::Null)
    }

    /// The value of key `name` in a map (the last one wins, as in JSON decoders).
    pub fn get(&self, name: &str) -> Option<&Node> {
        match &self.kind {
            NodeKind::Map(entries) => entries
                .iter()
                .rev()
                .find(|(k, _)| k.name == name)
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// Like [`Node::get`], ignoring ASCII case (IAM element names, CFN is strict but
    /// IAM policies in the wild are not).
    pub fn get_ci(&self, name: &str) -> Option<&Node> {
        match &self.kind {
            NodeKind::Map(entries) => entries
                .iter()
                .rev()
                .find(|(k, _)| k.name.eq_ignore_ascii_case(name))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn entries(&self) -> &[(Key, Node)] {
        match &self.kind {
            NodeKind::Map(entries) => entries,
            _ => &[],
        }
    }

    pub fn items(&self) -> &[Node] {
        match &self.kind {
            NodeKind::List(items) => items,
            _ => &[],
        }
    }

    pub fn as_text(&self) -> Option<&Text> {
        match &self.kind {
            NodeKind::Str(t) => Some(t),
            _ => None,
        }
    }

    /// A literal string (no holes).
    pub fn as_str(&self) -> Option<&str> {
        self.as_text().and_then(Text::as_lit)
    }

    /// A boolean, with Terraform's and CloudFormation's string conversion
    /// (`"true"`/`"false"`).
    pub fn as_bool(&self) -> Option<bool> {
        match &self.kind {
            NodeKind::Bool(b) => Some(*b),
            NodeKind::Str(t) => match t.as_lit()? {
                s if s.eq_ignore_ascii_case("true") => Some(true),
                s if s.eq_ignore_ascii_case("false") => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    /// A string rendering of scalars (numbers as Terraform prints them).
    /// The value without source spans: for values parsed from text that is not a
    /// source file (`--var`, `yamldecode` of a computed string).
    #[must_use]
    pub fn without_spans(mut self) -> Node {
        self.span = None;
        match &mut self.kind {
            NodeKind::List(items) => {
                for i in items.iter_mut() {
                    *i = std::mem::replace(i, Node::null(None)).without_spans();
                }
            }
            NodeKind::Map(entries) => {
                for (k, v) in entries.iter_mut() {
                    k.span = None;
                    *v = std::mem::replace(v, Node::null(None)).without_spans();
                }
            }
            NodeKind::Str(t) => *t = Text::lit(t.raw()),
            _ => {}
        }
        self
    }

    pub fn to_text(&self) -> Option<Text> {
        match &self.kind {
            NodeKind::Str(t) => Some(t.clone()),
            NodeKind::Bool(b) => Some(Text::lit(if *b { "true" } else { "false" })),
            NodeKind::Number(n) => Some(Text::lit(&format_number(*n))),
            _ => None,
        }
    }

    /// Structural equality ignoring spans; `Unknown` if either side is not fully known.
    pub fn same(&self, other: &Node) -> Tri {
        let (a, b) = (self, other);
        match (&a.kind, &b.kind) {
            (NodeKind::Unknown, _) | (_, NodeKind::Unknown) => Tri::Unknown,
            (NodeKind::Null, NodeKind::Null) => Tri::Yes,
            (NodeKind::Bool(x), NodeKind::Bool(y)) => Tri::from_bool(x == y),
            (NodeKind::Number(x), NodeKind::Number(y)) => Tri::from_bool(x == y),
            (NodeKind::Str(x), NodeKind::Str(y)) => {
                if x.raw() == y.raw() && x.holes() == y.holes() && !x.has_unknown_hole() {
                    Tri::Yes
                } else if x.is_lit() && y.is_lit() {
                    Tri::No
                } else {
                    Tri::Unknown
                }
            }
            (NodeKind::List(x), NodeKind::List(y)) => {
                if x.len() != y.len() {
                    return Tri::No;
                }
                Tri::all(x.iter().zip(y).map(|(a, b)| a.same(b)))
            }
            (NodeKind::Map(x), NodeKind::Map(y)) => {
                if x.len() != y.len() {
                    return Tri::No;
                }
                Tri::all(x.iter().map(|(k, v)| match b.get(&k.name) {
                    Some(w) => v.same(w),
                    None => Tri::No,
                }))
            }
            (NodeKind::Json(x), NodeKind::Json(y)) => x.same(y),
            _ => Tri::No,
        }
    }

    /// True if this node or anything inside it is unknown.
    pub fn contains_unknown(&self) -> bool {
        match &self.kind {
            NodeKind::Unknown => true,
            NodeKind::Str(t) => t.has_unknown_hole(),
            NodeKind::List(items) => items.iter().any(Node::contains_unknown),
            NodeKind::Map(entries) => entries.iter().any(|(_, v)| v.contains_unknown()),
            NodeKind::Json(inner) => inner.contains_unknown(),
            _ => false,
        }
    }
}

/// Numbers as Terraform and JSON print them: integers without a fraction.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(s: u32, e: u32) -> Span {
        Span {
            file: FileId(0),
            start: s,
            end: e,
        }
    }

    #[test]
    fn text_concat_keeps_holes_and_mapping() {
        let mut t = Text::lit_at("arn:aws:s3:::", span(10, 23), true);
        t.push(&Text::hole(Hole::BucketName(BucketRef::new(
            "m",
            "aws_s3_bucket.b",
        ))));
        t.push(&Text::lit_at("/*", span(40, 42), true));
        assert_eq!(t.as_lit(), None);
        assert_eq!(t.to_string(), "arn:aws:s3:::${aws_s3_bucket.b.id}/*");
        // "aws" maps byte-for-byte.
        assert_eq!(t.source_span(4..7), Some(span(14, 17)));
        // "/*" after the hole maps to its own segment.
        let slash = t.raw().find('/').unwrap();
        assert_eq!(t.source_span(slash..slash + 2), Some(span(40, 42)));
        // The hole has no mapping of its own.
        let hole = t.raw().find(HOLE_CHAR).unwrap();
        assert_eq!(t.source_span(hole..hole + 3), None);
    }

    #[test]
    fn literal_hole_marker_is_neutralised() {
        let t = Text::lit("a\u{E000}b");
        assert!(t.is_lit());
        assert_eq!(t.raw(), "a\u{FFFD}b");
    }

    #[test]
    fn slice_keeps_the_right_holes() {
        let mut t = Text::lit("x");
        t.push(&Text::hole(Hole::AccountId));
        t.push_str("-y-");
        t.push(&Text::hole(Hole::Region));
        let start = t.raw().find('-').unwrap();
        let s = t.slice(start..t.raw().len());
        assert_eq!(s.holes(), &[Hole::Region]);
        assert_eq!(s.to_string(), "-y-${region}");
    }

    #[test]
    fn tri_logic() {
        assert_eq!(Tri::Yes.and(Tri::Unknown), Tri::Unknown);
        assert_eq!(Tri::No.and(Tri::Unknown), Tri::No);
        assert_eq!(Tri::Yes.or(Tri::Unknown), Tri::Yes);
        assert_eq!(Tri::any([Tri::No, Tri::Unknown]), Tri::Unknown);
        assert_eq!(Tri::all([]), Tri::Yes);
    }
}
