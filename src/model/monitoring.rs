//! CloudWatch Logs metric filters and alarms: what turns trail events into alerts.

use super::value::{Text, Tri, Value};
use crate::source::Span;

#[derive(Debug, Clone, PartialEq)]
pub struct MetricFilter {
    /// The deployment it belongs to.
    pub scope: String,
    pub address: String,
    pub decl: Span,
    pub pattern: Value<Text>,
    /// The metric it publishes: (namespace, name), when known.
    pub metric: Option<(String, String)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Alarm {
    pub scope: String,
    /// (namespace, name) of the metric it watches, when known.
    pub metric: Option<(String, String)>,
}

/// The API calls CIS 4.8 asks a metric filter to catch: changes to a bucket's ACL,
/// policy, CORS, lifecycle and replication.
pub const BUCKET_CHANGE_EVENTS: [&str; 9] = [
    "PutBucketAcl",
    "PutBucketPolicy",
    "PutBucketCors",
    "PutBucketLifecycle",
    "PutBucketReplication",
    "DeleteBucketPolicy",
    "DeleteBucketCors",
    "DeleteBucketLifecycle",
    "DeleteBucketReplication",
];

impl MetricFilter {
    /// Does the pattern select every S3 bucket configuration change
    /// ([`BUCKET_CHANGE_EVENTS`] from `s3.amazonaws.com`)? The pattern is evaluated
    /// as CloudWatch Logs would, on each such event: `&&` and `||` count, so a
    /// pattern that names every event but can never match (`$.eventName = A && $.eventName = B`)
    /// does not. Unknown when the pattern is not known or uses what cannot be
    /// evaluated here.
    pub fn catches_bucket_changes(&self) -> Tri {
        let Some(pattern) = self.pattern.get().and_then(Text::as_lit) else {
            return Tri::Unknown;
        };
        let Some(expr) = pattern::parse(pattern) else {
            return Tri::Unknown;
        };
        Tri::all(BUCKET_CHANGE_EVENTS.iter().map(|e| {
            expr.eval(&|field| match field {
                "eventSource" => Some("s3.amazonaws.com"),
                "eventName" => Some(e),
                _ => None,
            })
        }))
    }
}

/// CloudWatch Logs JSON filter patterns: `{ ($.a = x) && (($.b = y) || ($.b = z)) }`.
mod pattern {
    use crate::model::value::Tri;

    #[derive(Debug)]
    pub enum Expr {
        And(Box<Expr>, Box<Expr>),
        Or(Box<Expr>, Box<Expr>),
        /// `$.field = value` (or `!=`); the value may hold `*` wildcards.
        Cmp {
            field: String,
            equal: bool,
            value: String,
        },
    }

    impl Expr {
        /// Evaluates against an event whose fields `get` knows (`None`: not known).
        pub fn eval(&self, get: &dyn Fn(&str) -> Option<&str>) -> Tri {
            match self {
                Expr::And(a, b) => a.eval(get).and(b.eval(get)),
                Expr::Or(a, b) => a.eval(get).or(b.eval(get)),
                Expr::Cmp {
                    field,
                    equal,
                    value,
                } => match get(field) {
                    Some(v) => {
                        let m = crate::model::policy::glob(value, v);
                        Tri::from_bool(m == *equal)
                    }
                    None => Tri::Unknown,
                },
            }
        }
    }

    #[derive(Debug, PartialEq)]
    enum Tok {
        Open,
        Close,
        And,
        Or,
        Eq,
        Ne,
        Word(String),
    }

    fn lex(s: &str) -> Option<Vec<Tok>> {
        let mut out = Vec::new();
        let mut chars = s.chars().peekable();
        while let Some(&c) = chars.peek() {
            match c {
                c if c.is_whitespace() => {
                    chars.next();
                }
                '(' | ')' => {
                    chars.next();
                    out.push(if c == '(' { Tok::Open } else { Tok::Close });
                }
                '&' | '|' | '!' | '=' => {
                    chars.next();
                    let next = chars.peek().copied();
                    out.push(match (c, next) {
                        ('&', Some('&')) => {
                            chars.next();
                            Tok::And
                        }
                        ('|', Some('|')) => {
                            chars.next();
                            Tok::Or
                        }
                        ('!', Some('=')) => {
                            chars.next();
                            Tok::Ne
                        }
                        ('=', Some('=')) => {
                            chars.next();
                            Tok::Eq
                        }
                        ('=', _) => Tok::Eq,
                        _ => return None,
                    });
                }
                '"' => {
                    chars.next();
                    let mut w = String::new();
                    loop {
                        match chars.next()? {
                            '"' => break,
                            '\\' => w.push(chars.next()?),
                            c => w.push(c),
                        }
                    }
                    out.push(Tok::Word(w));
                }
                _ => {
                    let mut w = String::new();
                    while let Some(&c) = chars.peek() {
                        if c.is_whitespace() || "()&|!=\"".contains(c) {
                            break;
                        }
                        w.push(c);
                        chars.next();
                    }
                    out.push(Tok::Word(w));
                }
            }
        }
        Some(out)
    }

    /// Parses a JSON filter pattern; `None` for anything else (term patterns,
    /// numeric comparisons, `IS NULL`, `NOT EXISTS`).
    pub fn parse(pattern: &str) -> Option<Expr> {
        let inner = pattern.trim().strip_prefix('{')?.strip_suffix('}')?;
        let toks = lex(inner)?;
        let mut at = 0;
        let e = or(&toks, &mut at, 0)?;
        (at == toks.len()).then_some(e)
    }

    const MAX_DEPTH: usize = 64;

    fn or(t: &[Tok], at: &mut usize, depth: usize) -> Option<Expr> {
        let mut e = and(t, at, depth)?;
        while t.get(*at) == Some(&Tok::Or) {
            *at += 1;
            e = Expr::Or(Box::new(e), Box::new(and(t, at, depth)?));
        }
        Some(e)
    }

    fn and(t: &[Tok], at: &mut usize, depth: usize) -> Option<Expr> {
        let mut e = term(t, at, depth)?;
        while t.get(*at) == Some(&Tok::And) {
            *at += 1;
            e = Expr::And(Box::new(e), Box::new(term(t, at, depth)?));
        }
        Some(e)
    }

    fn term(t: &[Tok], at: &mut usize, depth: usize) -> Option<Expr> {
        if depth > MAX_DEPTH {
            return None;
        }
        if t.get(*at) == Some(&Tok::Open) {
            *at += 1;
            let e = or(t, at, depth + 1)?;
            if t.get(*at) != Some(&Tok::Close) {
                return None;
            }
            *at += 1;
            return Some(e);
        }
        let Some(Tok::Word(field)) = t.get(*at) else {
            return None;
        };
        let field = field.strip_prefix("$.")?.to_string();
        let equal = match t.get(*at + 1)? {
            Tok::Eq => true,
            Tok::Ne => false,
            _ => return None,
        };
        let Some(Tok::Word(value)) = t.get(*at + 2) else {
            return None;
        };
        *at += 3;
        Some(Expr::Cmp {
            field,
            equal,
            value: value.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FileId, Span};

    fn filter(p: &str) -> MetricFilter {
        MetricFilter {
            scope: String::new(),
            address: String::new(),
            decl: Span::point(FileId(0), 0),
            pattern: Value::explicit(Text::lit(p), Span::point(FileId(0), 0)),
            metric: None,
        }
    }

    #[test]
    fn the_cis_pattern_catches_every_change() {
        let cis = "{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }";
        assert_eq!(filter(cis).catches_bucket_changes(), Tri::Yes);
        // Every event named, but joined by && so nothing ever matches.
        let never = cis.replace("||", "&&");
        assert_eq!(filter(&never).catches_bucket_changes(), Tri::No);
        // One event missing.
        let missing = cis.replace(" || ($.eventName = DeleteBucketCors)", "");
        assert_eq!(filter(&missing).catches_bucket_changes(), Tri::No);
        // A wildcard covers them all; another field cannot be judged.
        assert_eq!(
            filter("{ $.eventSource = \"s3.amazonaws.com\" && $.eventName = *Bucket* }")
                .catches_bucket_changes(),
            Tri::Yes
        );
        assert_eq!(
            filter("{ $.eventSource = s3.amazonaws.com && $.userIdentity.type = Root }")
                .catches_bucket_changes(),
            Tri::Unknown
        );
        assert_eq!(filter("ERROR").catches_bucket_changes(), Tri::Unknown);
    }
}
