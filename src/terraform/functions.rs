//! Terraform built-in functions that real S3 configurations use. An unknown argument
//! makes the result unknown; a function we do not implement is unknown, never a guess.

use super::eval::{Eval, err, number};
use crate::json;
use crate::model::value::{HOLE_CHAR, Hole, Key, Node, NodeKind, Text, Tri, format_number};
use crate::source::Span;

/// Longest list or string a function may build: bounds memory on hostile input.
const MAX_ITEMS: usize = 100_000;

pub fn call(name: &str, args: Vec<Node>, span: Span) -> Eval {
    let s = Some(span);
    let unknown = Ok(Node::unknown(s));
    // Functions that cope with unknown arguments themselves.
    match name {
        "jsonencode" => {
            let [v] = one_arg(args, span)?;
            return Ok(Node::new(NodeKind::Json(Box::new(v)), s));
        }
        "replace" => return replace(args, span),
        "length" => {
            let [v] = one_arg(args, span)?;
            return Ok(match &v.kind {
                NodeKind::List(items) => num(items.len() as f64, s),
                NodeKind::Map(e) => num(e.len() as f64, s),
                NodeKind::Str(t) if t.is_lit() => num(t.raw().chars().count() as f64, s),
                _ => Node::unknown(s),
            });
        }
        "coalesce" => {
            for a in args {
                match &a.kind {
                    NodeKind::Unknown => return unknown,
                    NodeKind::Null => {}
                    NodeKind::Str(t) if t.raw().is_empty() => {}
                    _ => return Ok(a),
                }
            }
            return Err(err("no non-null, non-empty argument to coalesce()", span));
        }
        _ => {}
    }
    if args.iter().any(Node::is_unknown) {
        return unknown;
    }
    let text = |n: &Node| -> Result<Text, super::eval::EvalError> {
        n.to_text()
            .ok_or_else(|| err("expected a string", n.span.unwrap_or(span)))
    };
    let lit = |n: &Node| -> Result<Option<String>, super::eval::EvalError> {
        Ok(text(n)?.as_lit().map(str::to_string))
    };
    let list = |n: &Node| -> Result<Vec<Node>, super::eval::EvalError> {
        match &n.kind {
            NodeKind::List(items) => Ok(items.clone()),
            _ => Err(err("expected a list", n.span.unwrap_or(span))),
        }
    };
    Ok(match name {
        "jsondecode" => {
            let [v] = one_arg(args, span)?;
            let t = text(&v)?;
            match json::parse(t.raw(), json::Origin::Text(&t)) {
                Ok(p) => p.node,
                // An unknown part outside a string literal (`${jsonencode(var.x)}`).
                Err(_) if t.has_unknown_hole() => return unknown,
                Err(e) => return Err(err(format!("invalid JSON: {}", e.message), span)),
            }
        }
        "yamldecode" => {
            let [v] = one_arg(args, span)?;
            let Some(raw) = text(&v)?.as_lit().map(str::to_string) else {
                return unknown;
            };
            // The template parser: depth and alias limits hold here too.
            let parsed = crate::cloudformation::parse::parse(
                crate::source::FileId(u32::MAX),
                &raw,
                crate::cloudformation::parse::Format::Yaml,
            )
            .map_err(|e| err(format!("invalid YAML: {}", e.message), span))?;
            match <[Node; 1]>::try_from(parsed.documents) {
                Ok([doc]) => {
                    let mut n = doc.without_spans();
                    n.span = s;
                    n
                }
                Err(docs) if docs.is_empty() => Node::null(s),
                Err(_) => return Err(err("yamldecode() takes a single YAML document", span)),
            }
        }
        "merge" => {
            let mut out: Vec<(Key, Node)> = Vec::new();
            for a in &args {
                match &a.kind {
                    NodeKind::Null => {}
                    NodeKind::Map(entries) => {
                        for (k, v) in entries {
                            out.retain(|(x, _)| x.name != k.name);
                            out.push((k.clone(), v.clone()));
                        }
                    }
                    _ if a.contains_unknown() => return unknown,
                    _ => return Err(err("merge() takes maps or objects", a.span.unwrap_or(span))),
                }
            }
            Node::new(NodeKind::Map(out), s)
        }
        "concat" => {
            let mut out = Vec::new();
            for a in &args {
                out.extend(list(a)?);
            }
            capped(out, s)
        }
        "coalescelist" => args
            .into_iter()
            .find(|a| !a.items().is_empty())
            .ok_or_else(|| err("no non-empty list to coalescelist()", span))?,
        "compact" => {
            let [v] = one_arg(args, span)?;
            let items = list(&v)?
                .into_iter()
                .filter(|n| !n.is_null() && n.as_text().is_none_or(|t| !t.raw().is_empty()))
                .collect();
            Node::new(NodeKind::List(items), s)
        }
        "distinct" | "toset" => {
            let [v] = one_arg(args, span)?;
            match distinct(list(&v)?) {
                Some(out) => Node::new(NodeKind::List(out), s),
                None => return unknown,
            }
        }
        "flatten" => {
            let [v] = one_arg(args, span)?;
            let mut out = Vec::new();
            flatten_into(&v, &mut out)?;
            capped(out, s)
        }
        "tolist" => {
            let [v] = one_arg(args, span)?;
            Node::new(NodeKind::List(list(&v)?), s)
        }
        "tomap" => {
            let [v] = one_arg(args, span)?;
            match v.kind {
                NodeKind::Map(_) => v,
                _ => return Err(err("tomap() takes a map or object", span)),
            }
        }
        "tostring" => {
            let [v] = one_arg(args, span)?;
            match &v.kind {
                NodeKind::Null => v,
                _ => Node::str(text(&v)?, s),
            }
        }
        "tonumber" => {
            let [v] = one_arg(args, span)?;
            match number(&v) {
                Some(n) => num(n, s),
                None if v.is_null() => v,
                None => return Err(err("cannot convert to a number", span)),
            }
        }
        "tobool" => {
            let [v] = one_arg(args, span)?;
            match v.as_bool() {
                Some(b) => Node::new(NodeKind::Bool(b), s),
                None if v.is_null() => v,
                None => return Err(err("cannot convert to a bool", span)),
            }
        }
        "lookup" => {
            let (map, key, default) = match args.as_slice() {
                [m, k] => (m, k, None),
                [m, k, d] => (m, k, Some(d)),
                _ => return Err(err("lookup() takes 2 or 3 arguments", span)),
            };
            let Some(k) = lit(key)? else { return unknown };
            match (map.get(&k), default) {
                (Some(v), _) => v.clone(),
                (None, Some(d)) => d.clone(),
                (None, None) if matches!(map.kind, NodeKind::Map(_)) => {
                    return Err(err(format!("no key {k:?}"), span));
                }
                _ => return Err(err("lookup() takes a map", span)),
            }
        }
        "element" => {
            let [l, i] = two_args(args, span)?;
            let items = list(&l)?;
            let i = number(&i).ok_or_else(|| err("index is not a number", span))?;
            if items.is_empty() || i < 0.0 {
                return Err(err("element() of an empty list", span));
            }
            items[i as usize % items.len()].clone()
        }
        "one" => {
            let [l] = one_arg(args, span)?;
            match list(&l)?.as_slice() {
                [] => Node::null(s),
                [x] => x.clone(),
                _ => return Err(err("one() of a list with more than one element", span)),
            }
        }
        "keys" => {
            let [m] = one_arg(args, span)?;
            let mut keys: Vec<&Key> = m.entries().iter().map(|(k, _)| k).collect();
            keys.sort_by(|a, b| a.name.cmp(&b.name));
            Node::new(
                NodeKind::List(
                    keys.into_iter()
                        .map(|k| Node::str(Text::lit(&k.name), k.span))
                        .collect(),
                ),
                s,
            )
        }
        "values" => {
            let [m] = one_arg(args, span)?;
            let mut entries: Vec<&(Key, Node)> = m.entries().iter().collect();
            entries.sort_by(|a, b| a.0.name.cmp(&b.0.name));
            Node::new(
                NodeKind::List(entries.into_iter().map(|(_, v)| v.clone()).collect()),
                s,
            )
        }
        "contains" => {
            let [l, v] = two_args(args, span)?;
            match Tri::any(list(&l)?.iter().map(|x| x.same(&v))) {
                Tri::Yes => Node::new(NodeKind::Bool(true), s),
                Tri::No => Node::new(NodeKind::Bool(false), s),
                Tri::Unknown => return unknown,
            }
        }
        "zipmap" => {
            let [k, v] = two_args(args, span)?;
            let (keys, values) = (list(&k)?, list(&v)?);
            if keys.len() != values.len() {
                return Err(err("zipmap() lists differ in length", span));
            }
            let mut out = Vec::new();
            for (k, v) in keys.iter().zip(values) {
                let Some(name) = lit(k)? else { return unknown };
                out.push((Key { name, span: k.span }, v));
            }
            Node::new(NodeKind::Map(out), s)
        }
        "range" => {
            let nums: Vec<f64> = args
                .iter()
                .map(|a| number(a).ok_or_else(|| err("range() takes numbers", span)))
                .collect::<Result<_, _>>()?;
            let (start, end, step) = match nums.as_slice() {
                [e] => (0.0, *e, 1.0),
                [a, e] => (*a, *e, if e >= a { 1.0 } else { -1.0 }),
                [a, e, st] => (*a, *e, *st),
                _ => return Err(err("range() takes 1 to 3 arguments", span)),
            };
            if step == 0.0 || ((end - start) / step) > MAX_ITEMS as f64 {
                return unknown;
            }
            let mut out = Vec::new();
            let mut x = start;
            while (step > 0.0 && x < end) || (step < 0.0 && x > end) {
                out.push(num(x, None));
                x += step;
            }
            Node::new(NodeKind::List(out), s)
        }
        "join" => {
            let (sep, lists) = args
                .split_first()
                .ok_or_else(|| err("join() needs arguments", span))?;
            let sep = text(sep)?;
            let mut out = Text::default();
            let mut first = true;
            for l in lists {
                for item in list(l)? {
                    if item.is_unknown() {
                        return unknown;
                    }
                    if !first {
                        out.push(&sep);
                    }
                    first = false;
                    out.push(&text(&item)?);
                }
            }
            Node::str(out, s)
        }
        "format" => {
            let (f, rest) = args
                .split_first()
                .ok_or_else(|| err("format() needs a format", span))?;
            let Some(f) = lit(f)? else { return unknown };
            match format(&f, rest, span)? {
                Some(t) => Node::str(t, s),
                None => return unknown,
            }
        }
        "lower" | "upper" | "trimspace" => {
            let [v] = one_arg(args, span)?;
            let Some(v) = lit(&v)? else { return unknown };
            let out = match name {
                "lower" => v.to_lowercase(),
                "upper" => v.to_uppercase(),
                _ => v.trim().to_string(),
            };
            Node::str(Text::lit(&out), s)
        }
        "split" => {
            let [sep, v] = two_args(args, span)?;
            let (Some(sep), Some(v)) = (lit(&sep)?, lit(&v)?) else {
                return unknown;
            };
            if sep.is_empty() {
                return unknown;
            }
            let parts: Vec<Node> = v
                .split(sep.as_str())
                .map(|p| Node::str(Text::lit(p), None))
                .collect();
            capped(parts, s)
        }
        _ => return unknown,
    })
}

/// The items without repeats, first occurrence kept; `None` when an unknown item
/// makes equality undecidable. Known primitives (what real sets hold) are compared
/// through a hash set, so a large `toset()` stays linear; other items pairwise.
fn distinct(items: Vec<Node>) -> Option<Vec<Node>> {
    let mut seen: std::collections::HashSet<(u8, String)> = std::collections::HashSet::new();
    let mut out: Vec<Node> = Vec::new();
    let mut complex: Vec<usize> = Vec::new();
    for item in items {
        let key = match &item.kind {
            NodeKind::Str(t) if t.is_lit() => Some((0, t.raw().to_string())),
            NodeKind::Number(n) => Some((1, format_number(*n))),
            NodeKind::Bool(b) => Some((2, b.to_string())),
            NodeKind::Null => Some((3, String::new())),
            _ => None,
        };
        if let Some(k) = key {
            if seen.insert(k) {
                out.push(item);
            }
            continue;
        }
        if item.contains_unknown() {
            return None;
        }
        match complex
            .iter()
            .map(|&i| out[i].same(&item))
            .fold(Tri::No, Tri::or)
        {
            Tri::Yes => {}
            Tri::No => {
                complex.push(out.len());
                out.push(item);
            }
            Tri::Unknown => return None,
        }
    }
    Some(out)
}

/// `replace(string, substring, replacement)` with a literal substring. Where the
/// replacement is unknown or has holes (an account ID, a generated bucket name),
/// each occurrence becomes that hole and the rest of the string stays known: the
/// placeholder-substitution idiom of policy modules keeps its statements.
fn replace(args: Vec<Node>, span: Span) -> Eval {
    let s = Some(span);
    let [v, from, to] = three_args(args, span)?;
    let as_text = |n: &Node| match &n.kind {
        NodeKind::Json(inner) => Some(to_json_text(inner)),
        _ => n.to_text(),
    };
    if v.is_unknown() || from.is_unknown() {
        return Ok(Node::unknown(s));
    }
    let (Some(v), Some(from)) = (as_text(&v), as_text(&from)) else {
        return Err(err("replace() takes strings", span));
    };
    let Some(from) = from.as_lit() else {
        return Ok(Node::unknown(s));
    };
    // "/.../" is a regular expression: not evaluated here.
    if from.is_empty()
        || (from.len() > 1 && from.starts_with('/') && from.ends_with('/'))
        || from.contains(HOLE_CHAR)
    {
        return Ok(Node::unknown(s));
    }
    let to = if to.is_unknown() {
        Text::hole(Hole::Unknown)
    } else {
        as_text(&to).ok_or_else(|| err("replace() takes strings", span))?
    };
    let raw = v.raw();
    let mut out = Text::lit("");
    let mut last = 0;
    for (at, _) in raw.match_indices(from) {
        out.push(&v.slice(last..at));
        out.push(&to);
        last = at + from.len();
        if out.raw().len() > MAX_ITEMS * 100 {
            return Ok(Node::unknown(s));
        }
    }
    out.push(&v.slice(last..raw.len()));
    Ok(Node::str(out, s))
}

fn num(n: f64, span: Option<Span>) -> Node {
    Node::new(NodeKind::Number(n), span)
}

fn capped(items: Vec<Node>, span: Option<Span>) -> Node {
    if items.len() > MAX_ITEMS {
        return Node::unknown(span);
    }
    Node::new(NodeKind::List(items), span)
}

fn one_arg(args: Vec<Node>, span: Span) -> Result<[Node; 1], super::eval::EvalError> {
    args.try_into()
        .map_err(|_| err("expected one argument", span))
}

fn two_args(args: Vec<Node>, span: Span) -> Result<[Node; 2], super::eval::EvalError> {
    args.try_into()
        .map_err(|_| err("expected two arguments", span))
}

fn three_args(args: Vec<Node>, span: Span) -> Result<[Node; 3], super::eval::EvalError> {
    args.try_into()
        .map_err(|_| err("expected three arguments", span))
}

fn flatten_into(v: &Node, out: &mut Vec<Node>) -> Result<(), super::eval::EvalError> {
    for item in v.items() {
        match &item.kind {
            NodeKind::List(_) => flatten_into(item, out)?,
            _ => out.push(item.clone()),
        }
        if out.len() > MAX_ITEMS {
            return Ok(());
        }
    }
    Ok(())
}

/// `format()` for the verbs configurations use: `%s`, `%d`, `%v`, `%q`, `%%`.
/// `None` when a verb or width is not supported.
fn format(f: &str, args: &[Node], span: Span) -> Result<Option<Text>, super::eval::EvalError> {
    let mut out = Text::default();
    let mut args = args.iter();
    let mut chars = f.chars().peekable();
    let mut lit = String::new();
    while let Some(c) = chars.next() {
        if c != '%' {
            lit.push(c);
            continue;
        }
        let verb = chars.next();
        if verb == Some('%') {
            lit.push('%');
            continue;
        }
        out.push_str(&lit);
        lit.clear();
        let arg = args
            .next()
            .ok_or_else(|| err("too few arguments to format()", span))?;
        match verb {
            Some('s' | 'v' | 'd') => match arg.to_text() {
                Some(t) => out.push(&t),
                None => return Ok(None),
            },
            Some('q') => match arg.to_text() {
                Some(t) => {
                    out.push_str("\"");
                    out.push(&t);
                    out.push_str("\"");
                }
                None => return Ok(None),
            },
            _ => return Ok(None),
        }
    }
    out.push_str(&lit);
    Ok(Some(out))
}

/// The JSON text of a value as `jsonencode` would produce it (object keys sorted),
/// with holes kept inside string literals.
pub fn to_json_text(v: &Node) -> Text {
    let mut out = Text::default();
    write_json(v, &mut out);
    out
}

fn write_json(v: &Node, out: &mut Text) {
    match &v.kind {
        NodeKind::Null => out.push_str("null"),
        NodeKind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        NodeKind::Number(n) => out.push_str(&format_number(*n)),
        NodeKind::Str(t) => write_json_string(t, out),
        NodeKind::List(items) => {
            out.push_str("[");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(",");
                }
                write_json(item, out);
            }
            out.push_str("]");
        }
        NodeKind::Map(entries) => {
            let mut sorted: Vec<&(Key, Node)> = entries.iter().collect();
            sorted.sort_by(|a, b| a.0.name.cmp(&b.0.name));
            out.push_str("{");
            for (i, (k, val)) in sorted.into_iter().enumerate() {
                if i > 0 {
                    out.push_str(",");
                }
                write_json_string(&Text::lit(&k.name), out);
                out.push_str(":");
                write_json(val, out);
            }
            out.push_str("}");
        }
        NodeKind::Json(inner) => write_json_string(&to_json_text(inner), out),
        NodeKind::Unknown => out.push(&Text::hole(Hole::Unknown)),
    }
}

fn write_json_string(t: &Text, out: &mut Text) {
    out.push_str("\"");
    // Escape literal runs; holes pass through in place.
    let mut holes = t.holes().iter();
    for (i, run) in t.raw().split(crate::model::value::HOLE_CHAR).enumerate() {
        if i > 0 {
            out.push(&Text::hole(holes.next().cloned().unwrap_or(Hole::Unknown)));
        }
        let escaped = serde_json::to_string(run).unwrap_or_default();
        out.push_str(&escaped[1..escaped.len() - 1]);
    }
    out.push_str("\"");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    fn s(v: &str) -> Node {
        Node::str(Text::lit(v), None)
    }

    fn l(items: Vec<Node>) -> Node {
        Node::new(NodeKind::List(items), None)
    }

    fn sp() -> Span {
        Span::point(FileId(0), 0)
    }

    #[test]
    fn string_functions() {
        assert_eq!(
            call("lower", vec![s("AbC")], sp()).unwrap().as_str(),
            Some("abc")
        );
        assert_eq!(
            call("format", vec![s("%s-%d%%"), s("a"), num(3.0, None)], sp())
                .unwrap()
                .as_str(),
            Some("a-3%")
        );
        assert_eq!(
            call("join", vec![s(","), l(vec![s("a"), s("b")])], sp())
                .unwrap()
                .as_str(),
            Some("a,b")
        );
        assert_eq!(
            call("replace", vec![s("a-b"), s("-"), s("_")], sp())
                .unwrap()
                .as_str(),
            Some("a_b")
        );
        assert!(
            call("replace", vec![s("a-b"), s("/-/"), s("_")], sp())
                .unwrap()
                .is_unknown()
        );
        // An unknown replacement leaves holes where the substring was, and a string
        // without the substring stays known.
        let holed = call(
            "replace",
            vec![s("X:a:X"), s("X"), Node::unknown(None)],
            sp(),
        )
        .unwrap();
        let t = holed.as_text().unwrap();
        assert_eq!(t.holes().len(), 2);
        assert_eq!(t.to_string(), "${?}:a:${?}");
        assert_eq!(
            call("replace", vec![s("abc"), s("X"), Node::unknown(None)], sp())
                .unwrap()
                .as_str(),
            Some("abc")
        );
    }

    #[test]
    fn collection_functions() {
        let v = call("flatten", vec![l(vec![l(vec![s("a")]), s("b")])], sp()).unwrap();
        assert_eq!(v.items().len(), 2);
        let d = call("distinct", vec![l(vec![s("a"), s("a"), s("b")])], sp()).unwrap();
        assert_eq!(d.items().len(), 2);
        assert!(
            call("concat", vec![l(vec![]), Node::unknown(None)], sp())
                .unwrap()
                .is_unknown()
        );
        assert!(
            call("range", vec![num(1e12, None)], sp())
                .unwrap()
                .is_unknown()
        );
        assert!(call("element", vec![l(vec![]), num(0.0, None)], sp()).is_err());
    }

    #[test]
    fn yamldecode_reads_one_document() {
        let v = call(
            "yamldecode",
            vec![s("acl: public-read\nflags: [true, 3]\n")],
            sp(),
        )
        .unwrap();
        assert_eq!(v.get("acl").and_then(Node::as_str), Some("public-read"));
        assert!(matches!(
            v.get("flags").unwrap().items()[0].kind,
            NodeKind::Bool(true)
        ));
        assert!(v.get("acl").unwrap().span.is_none());
        assert!(call("yamldecode", vec![s("a: [")], sp()).is_err());
        assert!(call("yamldecode", vec![s("a: 1\n---\nb: 2\n")], sp()).is_err());
    }

    #[test]
    fn json_round_trip_keeps_holes() {
        let mut t = Text::lit("arn:aws:s3:::");
        t.push(&Text::hole(Hole::AccountId));
        let v = Node::new(
            NodeKind::Map(vec![(
                Key {
                    name: "R".into(),
                    span: None,
                },
                Node::str(t, None),
            )]),
            None,
        );
        let text = to_json_text(&v);
        assert_eq!(text.to_string(), "{\"R\":\"arn:aws:s3:::${account_id}\"}");
        let back = call("jsondecode", vec![Node::str(text, None)], sp()).unwrap();
        assert_eq!(
            back.get("R").unwrap().as_text().unwrap().holes(),
            &[Hole::AccountId]
        );
    }
}
