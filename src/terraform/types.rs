//! Terraform type constraints (`variable { type = ... }`) and the conversion of a value
//! to its declared type, as Terraform applies it to variable values: `"true"` to a
//! bool, a number to a string, object attributes filled from `optional()` defaults.

use super::ast::{Expr, ExprKind, ObjectKey};
use crate::model::value::{Key, Node, NodeKind, Text, format_number};

#[derive(Debug, Clone, PartialEq)]
pub enum Type {
    Any,
    String,
    Number,
    Bool,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Tuple(Vec<Type>),
    Object(Vec<Attr>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Attr {
    pub name: String,
    pub ty: Type,
    /// `optional(type)` or `optional(type, default)`.
    pub optional: bool,
    pub default: Option<Node>,
}

/// Reads a type constraint. `constant` evaluates `optional()` default expressions.
pub fn parse(e: &Expr, constant: &dyn Fn(&Expr) -> Node) -> Type {
    match &e.kind {
        ExprKind::Var(name) => match name.as_str() {
            "string" => Type::String,
            "number" => Type::Number,
            "bool" => Type::Bool,
            _ => Type::Any,
        },
        ExprKind::Call { name, args, .. } => match (&**name, &**args) {
            ("list", [t]) => Type::List(Box::new(parse(t, constant))),
            ("set", [t]) => Type::Set(Box::new(parse(t, constant))),
            ("map", [t]) => Type::Map(Box::new(parse(t, constant))),
            ("tuple", [t]) => match &t.kind {
                ExprKind::Array(items) => {
                    Type::Tuple(items.iter().map(|i| parse(i, constant)).collect())
                }
                _ => Type::Any,
            },
            ("object", [o]) => match &o.kind {
                ExprKind::Object(entries) => Type::Object(
                    entries
                        .iter()
                        .filter_map(|(k, v)| {
                            let name = match k {
                                ObjectKey::Ident(n, _) => n.to_string(),
                                ObjectKey::Expr(x) => match &x.kind {
                                    ExprKind::Str(t) => t.as_lit()?.to_string(),
                                    ExprKind::Var(n) => n.to_string(),
                                    _ => return None,
                                },
                            };
                            Some(attribute(name, v, constant))
                        })
                        .collect(),
                ),
                _ => Type::Any,
            },
            _ => Type::Any,
        },
        _ => Type::Any,
    }
}

fn attribute(name: String, e: &Expr, constant: &dyn Fn(&Expr) -> Node) -> Attr {
    if let ExprKind::Call { name: f, args, .. } = &e.kind
        && &**f == "optional"
        && let Some(t) = args.first()
    {
        return Attr {
            name,
            ty: parse(t, constant),
            optional: true,
            default: args.get(1).map(constant),
        };
    }
    Attr {
        name,
        ty: parse(e, constant),
        optional: false,
        default: None,
    }
}

/// `value` converted to `ty` where Terraform would convert it; values that do not
/// convert are left as they are (Terraform would reject them; unknown stays unknown).
pub fn convert(value: Node, ty: &Type) -> Node {
    let span = value.span;
    // Unknown and null stay; `any` takes the value as it is.
    if matches!(value.kind, NodeKind::Unknown | NodeKind::Null) || *ty == Type::Any {
        return value;
    }
    match (&value.kind, ty) {
        (NodeKind::Bool(b), Type::String) => {
            Node::str(Text::lit(if *b { "true" } else { "false" }), span)
        }
        (NodeKind::Number(n), Type::String) => Node::str(Text::lit(&format_number(*n)), span),
        (NodeKind::Str(t), Type::Number) => {
            match t.as_lit().and_then(|s| s.trim().parse::<f64>().ok()) {
                Some(n) => Node::new(NodeKind::Number(n), span),
                None => value,
            }
        }
        (NodeKind::Str(t), Type::Bool) => match t.as_lit() {
            Some("true") => Node::new(NodeKind::Bool(true), span),
            Some("false") => Node::new(NodeKind::Bool(false), span),
            _ => value,
        },
        (NodeKind::List(items), Type::List(t) | Type::Set(t)) => Node::new(
            NodeKind::List(items.iter().map(|i| convert(i.clone(), t)).collect()),
            span,
        ),
        (NodeKind::List(items), Type::Tuple(ts)) => Node::new(
            NodeKind::List(
                items
                    .iter()
                    .zip(ts.iter().chain(std::iter::repeat(&Type::Any)))
                    .map(|(i, t)| convert(i.clone(), t))
                    .collect(),
            ),
            span,
        ),
        (NodeKind::Map(entries), Type::Map(t)) => Node::new(
            NodeKind::Map(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), convert(v.clone(), t)))
                    .collect(),
            ),
            span,
        ),
        (NodeKind::Map(_), Type::Object(attrs)) => {
            let entries = attrs
                .iter()
                .map(|a| {
                    let v = match value.get(&a.name) {
                        Some(v) if !v.is_null() => convert(v.clone(), &a.ty),
                        present => match (&a.default, present) {
                            (Some(d), _) => convert(d.clone(), &a.ty),
                            (None, Some(null)) => null.clone(),
                            (None, None) => Node::null(span),
                        },
                    };
                    let key_span = value
                        .entries()
                        .iter()
                        .find(|(k, _)| k.name == a.name)
                        .and_then(|(k, _)| k.span);
                    (
                        Key {
                            name: a.name.clone(),
                            span: key_span,
                        },
                        v,
                    )
                })
                .collect();
            Node::new(NodeKind::Map(entries), span)
        }
        _ => value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;
    use crate::terraform::parse::parse_file;

    fn ty(src: &str) -> Type {
        let body = parse_file(FileId(0), &format!("t = {src}\n"), false).unwrap();
        let constant = |e: &Expr| match &e.kind {
            ExprKind::Bool(b) => Node::new(NodeKind::Bool(*b), None),
            ExprKind::Str(t) => Node::str(t.clone(), None),
            _ => Node::unknown(None),
        };
        parse(&body.attr("t").unwrap().value, &constant)
    }

    fn s(v: &str) -> Node {
        Node::str(Text::lit(v), None)
    }

    #[test]
    fn primitives_convert() {
        assert_eq!(convert(s("true"), &ty("bool")).kind, NodeKind::Bool(true));
        assert_eq!(convert(s("5"), &ty("number")).kind, NodeKind::Number(5.0));
        assert_eq!(
            convert(Node::new(NodeKind::Bool(false), None), &ty("string")).as_str(),
            Some("false")
        );
        assert!(convert(Node::unknown(None), &ty("bool")).is_unknown());
    }

    #[test]
    fn object_optional_defaults() {
        let t =
            ty("object({ enabled = optional(bool, true), mfa = optional(string), name = string })");
        let v = Node::new(
            NodeKind::Map(vec![(
                Key {
                    name: "name".into(),
                    span: None,
                },
                s("x"),
            )]),
            None,
        );
        let c = convert(v, &t);
        assert_eq!(c.get("enabled").unwrap().kind, NodeKind::Bool(true));
        assert!(c.get("mfa").unwrap().is_null());
        assert_eq!(c.get("name").unwrap().as_str(), Some("x"));
    }

    #[test]
    fn collections_convert_their_elements() {
        let t = ty("map(list(bool))");
        let v = Node::new(
            NodeKind::Map(vec![(
                Key {
                    name: "a".into(),
                    span: None,
                },
                Node::new(NodeKind::List(vec![s("false")]), None),
            )]),
            None,
        );
        assert_eq!(
            convert(v, &t).get("a").unwrap().items()[0].kind,
            NodeKind::Bool(false)
        );
    }
}
