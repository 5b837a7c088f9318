//! IAM policy documents (bucket policies now, identity policies later) and the
//! semantics the rules share: wildcard matching, "public" as AWS defines it, and TLS
//! enforcement.

use super::value::{BucketRef, HOLE_CHAR, Hole, Node, NodeKind, Text, Tri};
use crate::json;
use crate::source::Span;
use std::borrow::Cow;

/// The JSON tree of a policy document written as a JSON string, a `jsonencode(...)`
/// value or an object (CloudFormation). `None` when it cannot be known.
pub fn document_tree(node: &Node) -> Option<Node> {
    match &node.kind {
        NodeKind::Json(inner) => Some((**inner).clone()),
        NodeKind::Map(_) => Some(node.clone()),
        NodeKind::Str(text) => json::parse(text.raw(), json::Origin::Text(text))
            .ok()
            .map(|p| p.node),
        _ => None,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
}

/// A list of strings (`Action`, `Resource`, condition values) or its negation.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Items {
    /// `NotAction` / `NotResource`.
    pub not: bool,
    pub values: Vec<(Text, Option<Span>)>,
    /// Some element could not be determined.
    pub unknown: bool,
    pub span: Option<Span>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PrincipalEntry {
    /// `AWS`, `Service`, `Federated`, `CanonicalUser`, or `*` for `"Principal": "*"`.
    pub kind: String,
    pub value: Text,
    pub span: Option<Span>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Principal {
    /// `NotPrincipal`.
    pub not: bool,
    pub entries: Vec<PrincipalEntry>,
    pub unknown: bool,
    pub span: Option<Span>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// As written, e.g. `ForAnyValue:StringLike`, `BoolIfExists`.
    pub operator: String,
    pub key: String,
    pub values: Items,
    pub span: Option<Span>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Statement {
    pub sid: Option<String>,
    /// `None` when unknown.
    pub effect: Option<Effect>,
    pub principal: Option<Principal>,
    pub action: Option<Items>,
    pub resource: Option<Items>,
    pub conditions: Vec<Condition>,
    /// The `Condition` element could not be fully read.
    pub conditions_unknown: bool,
    pub span: Option<Span>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct PolicyDocument {
    pub statements: Vec<Statement>,
    /// Some statements could not be determined (a `dynamic` block, an unknown
    /// element): rules that need "no statement does X" must not conclude.
    pub incomplete: bool,
    pub span: Option<Span>,
}

impl PolicyDocument {
    /// Reads a policy from its JSON tree. `None` if the tree is not a policy at all.
    pub fn from_tree(tree: &Node) -> Option<PolicyDocument> {
        if !matches!(tree.kind, NodeKind::Map(_)) {
            return None;
        }
        let mut doc = PolicyDocument {
            span: tree.span,
            ..PolicyDocument::default()
        };
        let list: Vec<&Node> = match tree.get_ci("Statement") {
            Some(n) if n.is_unknown() => {
                doc.incomplete = true;
                Vec::new()
            }
            Some(Node {
                kind: NodeKind::List(items),
                ..
            }) => items.iter().collect(),
            Some(single) => vec![single],
            None => Vec::new(),
        };
        doc.statements.reserve_exact(list.len());
        for st in list {
            match statement(st) {
                Some(s) => doc.statements.push(s),
                None => doc.incomplete = true,
            }
        }
        Some(doc)
    }

    /// Reads a policy from a value as written in configuration (see
    /// [`document_tree`]).
    pub fn from_value(node: &Node) -> Option<PolicyDocument> {
        PolicyDocument::from_tree(&document_tree(node)?)
    }
}

fn items(node: &Node, not: bool) -> Items {
    let mut out = Items {
        not,
        span: node.span,
        ..Items::default()
    };
    // Exact capacity: a policy keeps thousands of one-item lists.
    if let NodeKind::List(list) = &node.kind {
        out.values.reserve_exact(list.len());
    } else {
        out.values.reserve_exact(1);
    }
    let mut push = |n: &Node| match n.to_text() {
        Some(t) if !t.has_unknown_hole() => out.values.push((t, n.span)),
        _ => out.unknown = true,
    };
    match &node.kind {
        NodeKind::List(list) => list.iter().for_each(&mut push),
        _ => push(node),
    }
    out
}

fn statement(node: &Node) -> Option<Statement> {
    if !matches!(node.kind, NodeKind::Map(_)) {
        return None;
    }
    let mut st = Statement {
        span: node.span,
        sid: node
            .get_ci("Sid")
            .and_then(Node::as_str)
            .map(str::to_string),
        effect: match node.get_ci("Effect").and_then(Node::as_str) {
            Some(e) if e.eq_ignore_ascii_case("allow") => Some(Effect::Allow),
            Some(e) if e.eq_ignore_ascii_case("deny") => Some(Effect::Deny),
            _ => None,
        },
        ..Statement::default()
    };
    for (name, not) in [("Principal", false), ("NotPrincipal", true)] {
        if let Some(p) = node.get_ci(name) {
            st.principal = Some(principal(p, not));
        }
    }
    for (name, not) in [("Action", false), ("NotAction", true)] {
        if let Some(a) = node.get_ci(name) {
            st.action = Some(items(a, not));
        }
    }
    for (name, not) in [("Resource", false), ("NotResource", true)] {
        if let Some(r) = node.get_ci(name) {
            st.resource = Some(items(r, not));
        }
    }
    if let Some(c) = node.get_ci("Condition") {
        match &c.kind {
            NodeKind::Map(ops) => {
                st.conditions.reserve_exact(
                    ops.iter()
                        .map(|(_, keys)| match &keys.kind {
                            NodeKind::Map(keys) => keys.len(),
                            _ => 0,
                        })
                        .sum(),
                );
                for (op, keys) in ops {
                    match &keys.kind {
                        NodeKind::Map(keys) => {
                            for (key, values) in keys {
                                st.conditions.push(Condition {
                                    operator: op.name.clone(),
                                    key: key.name.clone(),
                                    values: items(values, false),
                                    span: key.span.map(|s| values.span.map_or(s, |v| s.to(v))),
                                });
                            }
                        }
                        _ => st.conditions_unknown = true,
                    }
                }
            }
            _ => st.conditions_unknown = true,
        }
    }
    Some(st)
}

fn principal(node: &Node, not: bool) -> Principal {
    let mut p = Principal {
        not,
        span: node.span,
        ..Principal::default()
    };
    match &node.kind {
        NodeKind::Str(t) if !t.has_unknown_hole() => {
            p.entries = vec![PrincipalEntry {
                kind: "*".into(),
                value: t.clone(),
                span: node.span,
            }];
        }
        NodeKind::Map(kinds) => {
            for (kind, values) in kinds {
                let list = items(values, false);
                p.unknown |= list.unknown;
                p.entries.reserve_exact(list.values.len());
                for (value, span) in list.values {
                    p.entries.push(PrincipalEntry {
                        kind: kind.name.clone(),
                        value,
                        span,
                    });
                }
            }
        }
        _ => p.unknown = true,
    }
    p
}

// ---------------------------------------------------------------------------------
// Matching

/// Case-insensitive wildcard match of an action pattern (`s3:Get*`) against an
/// action. Unknown when the pattern has holes.
pub fn action_matches(pattern: &Text, action: &str) -> Tri {
    match pattern.as_lit() {
        Some(p) => Tri::from_bool(glob(&p.to_ascii_lowercase(), &action.to_ascii_lowercase())),
        None => Tri::Unknown,
    }
}

/// Plain `*`/`?` wildcard match of literal strings.
pub fn glob(pattern: &str, s: &str) -> bool {
    // Bytes are characters when both are ASCII (nearly always): no allocation.
    if pattern.is_ascii() && s.is_ascii() {
        return glob_slices(pattern.as_bytes(), s.as_bytes(), b'*', b'?');
    }
    let p: Vec<char> = pattern.chars().collect();
    let s: Vec<char> = s.chars().collect();
    glob_slices(&p, &s, '*', '?')
}

/// Wildcard match with one backtracking point (the last star): linear in practice.
fn glob_slices<T: PartialEq + Copy>(p: &[T], s: &[T], any_run: T, any_one: T) -> bool {
    let (mut pi, mut si) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while si < s.len() {
        if pi < p.len() && (p[pi] == any_one || p[pi] == s[si]) {
            pi += 1;
            si += 1;
        } else if pi < p.len() && p[pi] == any_run {
            star = Some(pi);
            mark = si;
            pi += 1;
        } else if let Some(st) = star {
            pi = st + 1;
            mark += 1;
            si = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == any_run)
}

#[derive(Debug, Clone, PartialEq)]
enum Tok<'t> {
    Char(char),
    Hole(&'t Hole),
}

fn tokens(t: &Text) -> Vec<Tok<'_>> {
    static UNKNOWN: Hole = Hole::Unknown;
    let mut holes = t.holes().iter();
    t.raw()
        .chars()
        .map(|c| {
            if c == HOLE_CHAR {
                Tok::Hole(holes.next().unwrap_or(&UNKNOWN))
            } else {
                Tok::Char(c)
            }
        })
        .collect()
}

/// Replaces the partition of a leading `arn:PARTITION:` with `aws`, so ARNs compare
/// across partitions (the partition is one per account, never what a rule is about).
fn normalize_arn(mut toks: Vec<Tok<'_>>) -> Vec<Tok<'_>> {
    let prefix: Vec<Tok> = "arn:".chars().map(Tok::Char).collect();
    if toks.len() > 4
        && toks[..4] == prefix[..]
        && let Some(colon) = toks[4..].iter().position(|t| *t == Tok::Char(':'))
    {
        toks.splice(4..4 + colon, "aws".chars().map(Tok::Char));
    }
    toks
}

/// [`normalize_arn`] of a literal.
fn normalize_arn_str(s: &str) -> Cow<'_, str> {
    match s.strip_prefix("arn:").and_then(|rest| rest.split_once(':')) {
        Some((partition, rest)) if partition != "aws" => format!("arn:aws:{rest}").into(),
        _ => s.into(),
    }
}

/// [`normalize_arn`] of a text that is literal once its ARN partition is replaced
/// (`arn:${data.aws_partition.current.partition}:s3:::logs`, the ARN Terraform
/// gives a bucket): `None` when other holes remain.
fn literal_arn(t: &Text) -> Option<Cow<'_, str>> {
    if let Some(lit) = t.as_lit() {
        return Some(normalize_arn_str(lit));
    }
    let (partition, rest) = t.raw().strip_prefix("arn:")?.split_once(':')?;
    (partition.matches(HOLE_CHAR).count() == t.holes().len())
        .then(|| format!("arn:aws:{rest}").into())
}

/// Wildcard match of a resource pattern against a subject, both possibly with holes.
/// A hole matches only the same hole; anything else involving a hole is unknown.
pub fn resource_matches(pattern: &Text, subject: &Text) -> Tri {
    // Literals (the common case): a plain wildcard match, no token vectors.
    if let (Some(p), Some(s)) = (literal_arn(pattern), literal_arn(subject)) {
        return Tri::from_bool(glob(&p, &s));
    }
    resource_matches_tokens(pattern, subject)
}

fn resource_matches_tokens(pattern: &Text, subject: &Text) -> Tri {
    let p = normalize_arn(tokens(pattern));
    let s = normalize_arn(tokens(subject));
    let mut memo = vec![None; (p.len() + 1) * (s.len() + 1)];
    match_from(&p, &s, 0, 0, &mut memo)
}

fn match_from(
    p: &[Tok<'_>],
    s: &[Tok<'_>],
    i: usize,
    j: usize,
    memo: &mut Vec<Option<Tri>>,
) -> Tri {
    let idx = i * (s.len() + 1) + j;
    if let Some(t) = memo[idx] {
        return t;
    }
    let out = if i == p.len() {
        Tri::from_bool(j == s.len())
    } else {
        match &p[i] {
            Tok::Char('*') => {
                // Empty, or consume one subject token and stay on the star.
                let mut r = match_from(p, s, i + 1, j, memo);
                if r != Tri::Yes && j < s.len() {
                    r = r.or(match_from(p, s, i, j + 1, memo));
                }
                r
            }
            _ if j == s.len() => Tri::No,
            Tok::Char('?') => match &s[j] {
                Tok::Char(_) => match_from(p, s, i + 1, j + 1, memo),
                Tok::Hole(_) => Tri::Unknown.and(match_from(p, s, i + 1, j + 1, memo)),
            },
            Tok::Char(c) => match &s[j] {
                Tok::Char(d) if c == d => match_from(p, s, i + 1, j + 1, memo),
                Tok::Char(_) => Tri::No,
                // The name of a bucket of the scan is that bucket's: a literal names
                // another (a generated name is never one written elsewhere).
                Tok::Hole(Hole::BucketName(_)) => {
                    Tri::Unknown.and(match_from(p, s, i + 1, j + 1, memo))
                }
                // Any other value only known after apply may be any run of
                // characters: it matches, maybe, if some continuation does.
                Tok::Hole(_) => {
                    let mut r = Tri::No;
                    for k in i + 1..=p.len() {
                        r = r.or(match_from(p, s, k, j + 1, memo));
                        if r != Tri::No {
                            break;
                        }
                    }
                    Tri::Unknown.and(r)
                }
            },
            Tok::Hole(h) => match &s[j] {
                Tok::Hole(g) if h == g && !matches!(h, Hole::Unknown) => {
                    match_from(p, s, i + 1, j + 1, memo)
                }
                _ => Tri::Unknown,
            },
        }
    };
    memo[idx] = Some(out);
    out
}

// ---------------------------------------------------------------------------------
// What a bucket policy means

/// How a bucket is named in ARNs: its literal name, or the hole for a generated one.
#[derive(Debug, Clone)]
pub struct BucketIdent {
    pub name: Text,
}

impl BucketIdent {
    pub fn new(literal: Option<&str>, key: &BucketRef) -> BucketIdent {
        BucketIdent {
            name: literal.map_or_else(|| Text::hole(Hole::BucketName(key.clone())), Text::lit),
        }
    }

    pub fn arn(&self) -> Text {
        let mut t = Text::lit("arn:aws:s3:::");
        t.push(&self.name);
        t
    }

    /// An ARN for "every object": a key nobody writes literally, so only wildcards
    /// (`bucket/*`, `*`) cover it.
    pub fn objects_arn(&self) -> Text {
        let mut t = self.arn();
        t.push_str("/\u{1}any-object");
        t
    }
}

/// Resolves holes naming other buckets to their literal names, when known.
pub type NameResolver<'a> = &'a dyn Fn(&BucketRef) -> Option<String>;

/// `pattern` with bucket-name holes replaced by literal names where the model knows
/// them, so `${aws_s3_bucket.b.id}` and `"my-bucket"` compare equal.
pub fn resolve_names<'t>(pattern: &'t Text, names: NameResolver<'_>) -> Cow<'t, Text> {
    if pattern
        .holes()
        .iter()
        .all(|h| !matches!(h, Hole::BucketName(_)))
    {
        return Cow::Borrowed(pattern);
    }
    let mut out = Text::default();
    let mut holes = pattern.holes().iter();
    for (i, run) in pattern.raw().split(HOLE_CHAR).enumerate() {
        if i > 0 {
            match holes.next() {
                Some(Hole::BucketName(b)) => match names(b) {
                    Some(n) => out.push_str(&n),
                    None => out.push_hole(Hole::BucketName(b.clone())),
                },
                Some(h) => out.push_hole(h.clone()),
                None => out.push_hole(Hole::Unknown),
            }
        }
        out.push_str(run);
    }
    Cow::Owned(out)
}

/// Does `items` (a `Resource`/`NotResource`) cover `subject`?
pub fn covers(items: &Items, subject: &Text, names: NameResolver<'_>) -> Tri {
    covers_each(items, &[subject], names)
}

/// Does `items` cover every one of `subjects`? Each pattern's names are resolved
/// once for all of them.
pub fn covers_each(items: &Items, subjects: &[&Text], names: NameResolver<'_>) -> Tri {
    let patterns: Vec<Cow<'_, Text>> = items
        .values
        .iter()
        .map(|(p, _)| resolve_names(p, names))
        .collect();
    Tri::all(subjects.iter().map(|subject| {
        let any = Tri::any(patterns.iter().map(|p| resource_matches(p, subject)));
        let any = if items.unknown {
            any.or(Tri::Unknown)
        } else {
            any
        };
        if items.not { !any } else { any }
    }))
}

/// Does the action list cover `action`?
pub fn allows_action(items: &Items, action: &str) -> Tri {
    let any = Tri::any(items.values.iter().map(|(p, _)| action_matches(p, action)));
    let any = if items.unknown {
        any.or(Tri::Unknown)
    } else {
        any
    };
    if items.not { !any } else { any }
}

/// Actions AWS counts as able to expose data ("The meaning of public" in the S3 User
/// Guide): every action under `s3:Get*`, `s3:List*`, `s3:Put*`, `s3:Delete*`, and
/// `s3:AbortMultipartUpload`, `s3:RestoreObject`.
const BAD_ACTIONS: &[&str] = &[
    "s3:get*",
    "s3:list*",
    "s3:put*",
    "s3:delete*",
    "s3:abortmultipartupload",
    "s3:restoreobject",
];

/// The subset of [`BAD_ACTIONS`] that changes data or configuration.
const WRITE_PATTERNS: &[&str] = &[
    "s3:put*",
    "s3:delete*",
    "s3:abortmultipartupload",
    "s3:restoreobject",
];

/// Named members of those families, to judge a `NotAction` (which allows everything
/// it does not list): one of them left out is enough.
const NOT_ACTION_PROBES: &[&str] = &[
    "s3:GetObject",
    "s3:GetObjectVersion",
    "s3:GetBucketPolicy",
    "s3:GetBucketAcl",
    "s3:ListBucket",
    "s3:ListBucketVersions",
    "s3:PutObject",
    "s3:PutObjectAcl",
    "s3:PutObjectTagging",
    "s3:PutBucketPolicy",
    "s3:PutBucketAcl",
    "s3:DeleteObject",
    "s3:DeleteObjectVersion",
    "s3:DeleteBucket",
    "s3:DeleteBucketPolicy",
    "s3:AbortMultipartUpload",
    "s3:RestoreObject",
];

/// Can two wildcard patterns (`*`, `?`) match a common string? Case-insensitive.
pub fn patterns_overlap(a: &str, b: &str) -> bool {
    let a: Vec<char> = a.to_ascii_lowercase().chars().collect();
    let b: Vec<char> = b.to_ascii_lowercase().chars().collect();
    // seen[i][j]: the suffixes a[i..] and b[j..] were already explored.
    let mut seen = vec![vec![false; b.len() + 1]; a.len() + 1];
    let mut stack = vec![(0usize, 0usize)];
    while let Some((i, j)) = stack.pop() {
        if std::mem::replace(&mut seen[i][j], true) {
            continue;
        }
        if i == a.len() && j == b.len() {
            return true;
        }
        if i < a.len() && a[i] == '*' {
            stack.push((i + 1, j));
            if j < b.len() {
                stack.push((i, j + 1));
            }
        }
        if j < b.len() && b[j] == '*' {
            stack.push((i, j + 1));
            if i < a.len() {
                stack.push((i + 1, j));
            }
        }
        if i < a.len()
            && j < b.len()
            && a[i] != '*'
            && b[j] != '*'
            && (a[i] == b[j] || a[i] == '?' || b[j] == '?')
        {
            stack.push((i + 1, j + 1));
        }
    }
    false
}

/// Does the action list allow some action of the `families` (patterns)? A
/// `NotAction` allows one when it leaves out one of the probes in the families.
fn allows_some(items: &Items, families: &[&str]) -> Tri {
    if items.not {
        return Tri::any(
            NOT_ACTION_PROBES
                .iter()
                .filter(|p| families.iter().any(|f| glob(f, &p.to_ascii_lowercase())))
                .map(|p| allows_action(items, p)),
        );
    }
    let any = Tri::any(items.values.iter().map(|(p, _)| match p.as_lit() {
        Some(p) => Tri::from_bool(families.iter().any(|f| patterns_overlap(p, f))),
        None => Tri::Unknown,
    }));
    if items.unknown {
        any.or(Tri::Unknown)
    } else {
        any
    }
}

/// The AWS account an `AWS` principal (an account ID, an account or IAM ARN) belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Account {
    /// A literal 12-digit account ID.
    Id(String),
    /// The deploying account (`data.aws_caller_identity`, `AWS::AccountId`).
    Current,
    /// Only known after apply.
    Unknown,
}

/// Which account principal `e` is in; `None` for service, federated and canonical
/// user principals and for `*`.
pub fn principal_account(e: &PrincipalEntry) -> Option<Account> {
    if e.kind != "AWS" {
        return None;
    }
    match e.value.as_lit() {
        Some("*") => None,
        Some(v) => {
            let id = if v.len() == 12 && v.bytes().all(|b| b.is_ascii_digit()) {
                v
            } else {
                // arn:PARTITION:iam::ACCOUNT:root|user/..|role/..
                let mut parts = v.splitn(6, ':');
                match (parts.next(), parts.nth(1), parts.nth(1)) {
                    (Some("arn"), Some("iam" | "sts"), Some(acct)) => acct,
                    _ => return Some(Account::Unknown),
                }
            };
            Some(Account::Id(id.to_string()))
        }
        None if !e.value.has_unknown_hole()
            && e.value.holes().iter().any(|h| matches!(h, Hole::AccountId)) =>
        {
            Some(Account::Current)
        }
        None => Some(Account::Unknown),
    }
}

/// Does the statement's principal mean "anyone"? `*`, `{"AWS": "*"}`, a wildcard in an
/// AWS principal, or any `NotPrincipal` (with `Allow`: everyone but a few).
pub fn principal_is_anyone(p: &Principal) -> Tri {
    if p.not {
        return Tri::Yes;
    }
    let anyone = Tri::any(p.entries.iter().map(|e| match e.value.as_lit() {
        Some(v) => Tri::from_bool(
            (e.kind == "*" || e.kind == "AWS")
                && (v == "*" || (e.kind == "AWS" && v.contains('*'))),
        ),
        None => Tri::Unknown,
    }));
    if p.unknown {
        anyone.or(Tri::Unknown)
    } else {
        anyone
    }
}

/// Condition keys whose fixed values make a statement non-public (S3 User Guide,
/// "The meaning of public"; the PutPublicAccessBlock API reference).
const PINNING_KEYS: &[&str] = &[
    "aws:sourcearn",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceowner",
    "aws:sourceaccount",
    "aws:principalorgid",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:userid",
    "aws:sourceip",
    "s3:x-amz-server-side-encryption-aws-kms-key-id",
    "s3:dataaccesspointarn",
    "s3:dataaccesspointaccount",
];

/// Does this condition pin the statement to fixed values of a non-public key?
pub fn condition_pins(c: &Condition) -> Tri {
    let key = c.key.to_ascii_lowercase();
    if !PINNING_KEYS.contains(&key.as_str()) {
        return Tri::No;
    }
    let op = c
        .operator
        .rsplit(':')
        .next()
        .unwrap_or(&c.operator)
        .to_ascii_lowercase();
    // IfExists passes when the key is absent: anyone without it gets in.
    let positive = matches!(
        op.as_str(),
        "stringequals"
            | "stringequalsignorecase"
            | "stringlike"
            | "arnequals"
            | "arnlike"
            | "ipaddress"
    );
    if !positive || (key == "aws:sourceip") != (op == "ipaddress") {
        return Tri::No;
    }
    if c.values.values.is_empty() {
        return if c.values.unknown {
            Tri::Unknown
        } else {
            Tri::No
        };
    }
    let fixed = Tri::all(c.values.values.iter().map(|(v, _)| {
        match v.as_lit() {
            None => Tri::Unknown,
            Some(v) if key == "aws:sourceip" => Tri::from_bool(cidr_is_narrow(v)),
            Some(v) if key == "aws:userid" => Tri::from_bool(
                !v.contains("${")
                    && (!v.contains(['*', '?'])
                        || v.strip_suffix(":*")
                            .is_some_and(|id| !id.contains(['*', '?']))),
            ),
            Some(v) => {
                Tri::from_bool(!v.contains(['*', '?']) && !v.contains("${") && !v.is_empty())
            }
        }
    }));
    if c.values.unknown {
        fixed.and(Tri::Unknown)
    } else {
        fixed
    }
}

/// AWS evaluates `aws:SourceIp` ranges broader than /8 (IPv4) or /32 (IPv6) as public.
fn cidr_is_narrow(v: &str) -> bool {
    let (addr, prefix) = v
        .split_once('/')
        .unwrap_or((v, if v.contains(':') { "128" } else { "32" }));
    let Ok(prefix) = prefix.parse::<u8>() else {
        return false;
    };
    if addr.contains(':') {
        addr.parse::<std::net::Ipv6Addr>().is_ok() && prefix >= 32
    } else {
        addr.parse::<std::net::Ipv4Addr>().is_ok() && prefix >= 8
    }
}

/// Is this statement public as AWS defines it: `Allow` to anyone, for an action that
/// can expose data, not pinned by a condition on fixed values?
pub fn statement_is_public(st: &Statement) -> Tri {
    let allow = match st.effect {
        Some(Effect::Allow) => Tri::Yes,
        Some(Effect::Deny) => Tri::No,
        None => Tri::Unknown,
    };
    let anyone = st.principal.as_ref().map_or(Tri::No, principal_is_anyone);
    let bad_action = st
        .action
        .as_ref()
        .map_or(Tri::No, |a| allows_some(a, BAD_ACTIONS));
    let pinned = Tri::any(st.conditions.iter().map(condition_pins));
    let pinned = if st.conditions_unknown {
        pinned.or(Tri::Unknown)
    } else {
        pinned
    };
    allow.and(anyone).and(bad_action).and(!pinned)
}

/// Does the statement allow any write action?
pub fn statement_allows_write(st: &Statement) -> Tri {
    st.action
        .as_ref()
        .map_or(Tri::No, |a| allows_some(a, WRITE_PATTERNS))
}

/// Could the resource list apply to the bucket itself (not only its objects)? A
/// bucket policy can only name its own bucket, so any ARN without a key part (`/`)
/// does, whatever the bucket's name.
fn names_bucket_itself(r: &Items) -> Tri {
    if r.not {
        return Tri::Unknown;
    }
    let any = Tri::any(r.values.iter().map(|(t, _)| {
        let raw = t.raw();
        Tri::from_bool(raw == "*" || !raw.contains('/'))
    }));
    if r.unknown { any.or(Tri::Unknown) } else { any }
}

/// Is the statement a `Deny`, and is its principal everyone (`*`, not a
/// `NotPrincipal`, which names whom it spares)?
fn denies_everyone(st: &Statement) -> (Tri, Tri) {
    let deny = match st.effect {
        Some(Effect::Deny) => Tri::Yes,
        Some(Effect::Allow) => Tri::No,
        None => Tri::Unknown,
    };
    let everyone = st.principal.as_ref().map_or(Tri::No, |p| {
        if p.not {
            Tri::No
        } else {
            principal_is_anyone(p)
        }
    });
    (deny, everyone)
}

/// Bucket policy actions: denying them to everyone leaves only the root user able
/// to read or repair the policy.
const POLICY_ACTIONS: &[&str] = &[
    "s3:PutBucketPolicy",
    "s3:DeleteBucketPolicy",
    "s3:GetBucketPolicy",
];

/// Does this statement lock every principal out of the bucket policy: `Deny` to
/// everyone for a policy action on the bucket, with no condition (a condition may
/// exempt the owning account's principals or pin the denial to insecure requests)?
/// `NotPrincipal` names whom it exempts: it is never judged a lockout.
pub fn statement_locks_out(st: &Statement) -> Tri {
    let (deny, everyone) = denies_everyone(st);
    let policy_action = st.action.as_ref().map_or(Tri::No, |a| {
        Tri::any(POLICY_ACTIONS.iter().map(|x| allows_action(a, x)))
    });
    let bucket = st.resource.as_ref().map_or(Tri::No, names_bucket_itself);
    let unconditional = if st.conditions_unknown {
        Tri::Unknown
    } else {
        Tri::from_bool(st.conditions.is_empty())
    };
    deny.and(everyone)
        .and(policy_action)
        .and(bucket)
        .and(unconditional)
}

/// Is there a statement denying every principal all S3 actions on the bucket and its
/// objects when `aws:SecureTransport` is false (`Bool` or `BoolIfExists`), and nothing
/// else narrows it?
pub fn enforces_tls(doc: &PolicyDocument, bucket: &BucketIdent, names: NameResolver<'_>) -> Tri {
    let found = Tri::any(
        doc.statements
            .iter()
            .map(|st| denies_plain_http(st, bucket, names)),
    );
    if doc.incomplete {
        found.or(Tri::Unknown)
    } else {
        found
    }
}

fn denies_plain_http(st: &Statement, bucket: &BucketIdent, names: NameResolver<'_>) -> Tri {
    let (deny, everyone) = denies_everyone(st);
    let all_s3 = st.action.as_ref().map_or(Tri::No, |a| {
        if a.not {
            return Tri::No;
        }
        let any = Tri::any(a.values.iter().map(|(p, _)| match p.as_lit() {
            Some(v) => Tri::from_bool(v == "*" || v.eq_ignore_ascii_case("s3:*")),
            None => Tri::Unknown,
        }));
        if a.unknown { any.or(Tri::Unknown) } else { any }
    });
    let resources = st.resource.as_ref().map_or(Tri::No, |r| {
        covers_each(r, &[&bucket.arn(), &bucket.objects_arn()], names)
    });
    let insecure = if st.conditions_unknown {
        Tri::Unknown
    } else {
        let mut tls = Tri::No;
        let mut other = Tri::No;
        for c in &st.conditions {
            let op = c.operator.to_ascii_lowercase();
            if c.key.eq_ignore_ascii_case("aws:SecureTransport")
                && (op == "bool" || op == "boolifexists")
            {
                let is_false = Tri::any(c.values.values.iter().map(|(v, _)| match v.as_lit() {
                    Some(v) => Tri::from_bool(v.eq_ignore_ascii_case("false")),
                    None => Tri::Unknown,
                }));
                tls = tls.or(if c.values.unknown {
                    is_false.or(Tri::Unknown)
                } else {
                    is_false
                });
            } else {
                other = Tri::Yes;
            }
        }
        tls.and(!other)
    };
    deny.and(everyone).and(all_s3).and(resources).and(insecure)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    fn doc(json: &str) -> PolicyDocument {
        let t = Text::lit(json);
        PolicyDocument::from_value(&Node::str(t, None)).unwrap()
    }

    fn no_names(_: &BucketRef) -> Option<String> {
        None
    }

    #[test]
    fn principal_accounts() {
        let entry = |kind: &str, value: Text| PrincipalEntry {
            kind: kind.into(),
            value,
            span: None,
        };
        let id = |v: &str| principal_account(&entry("AWS", Text::lit(v)));
        assert_eq!(id("444455556666"), Some(Account::Id("444455556666".into())));
        assert_eq!(
            id("arn:aws:iam::444455556666:role/ops"),
            Some(Account::Id("444455556666".into()))
        );
        assert_eq!(
            id("arn:aws-us-gov:sts::444455556666:assumed-role/a/b"),
            Some(Account::Id("444455556666".into()))
        );
        assert_eq!(id("*"), None);
        assert_eq!(id("AIDAEXAMPLE"), Some(Account::Unknown));
        assert_eq!(
            principal_account(&entry("Service", Text::lit("logging.s3.amazonaws.com"))),
            None
        );
        let mut own = Text::lit("arn:aws:iam::");
        own.push(&Text::hole(Hole::AccountId));
        own.push_str(":root");
        assert_eq!(
            principal_account(&entry("AWS", own)),
            Some(Account::Current)
        );
        assert_eq!(
            principal_account(&entry("AWS", Text::hole(Hole::Unknown))),
            Some(Account::Unknown)
        );
    }

    #[test]
    fn globbing() {
        assert!(glob("s3:get*", "s3:getobject"));
        assert!(glob("*", ""));
        assert!(!glob("s3:put*", "s3:getobject"));
        assert!(glob("a?c", "abc"));
        assert!(glob("é*?", "éàb"));
        assert!(!glob("é?", "é"));
    }

    #[test]
    fn resource_matching_with_holes() {
        let key = BucketRef::new("m", "aws_s3_bucket.b");
        let bucket = BucketIdent::new(None, &key);
        let mut p = Text::lit("arn:aws:s3:::");
        p.push(&Text::hole(Hole::BucketName(key.clone())));
        p.push_str("/*");
        assert_eq!(resource_matches(&p, &bucket.objects_arn()), Tri::Yes);
        assert_eq!(resource_matches(&p, &bucket.arn()), Tri::No);
        // A different bucket's hole: cannot tell without names.
        let other = BucketIdent::new(None, &BucketRef::new("m", "aws_s3_bucket.c"));
        assert_eq!(resource_matches(&p, &other.objects_arn()), Tri::Unknown);
        // Partitions compare equal.
        let gov = Text::lit("arn:aws-us-gov:s3:::x/*");
        assert_eq!(
            resource_matches(&gov, &BucketIdent::new(Some("x"), &key).objects_arn()),
            Tri::Yes
        );
    }

    #[test]
    fn a_partition_hole_matches_as_the_token_path_does() {
        let arn = |partition: &[Option<&str>], rest: &str| {
            let mut t = Text::lit("arn:");
            for p in partition {
                match p {
                    Some(lit) => t.push_str(lit),
                    None => t.push(&Text::hole(Hole::Partition)),
                }
            }
            t.push_str(rest);
            t
        };
        let texts = [
            arn(&[None], ":s3:::logs"),
            arn(&[None], ":s3:::logs/*"),
            arn(&[Some("aws-"), None], ":s3:::log?"),
            arn(&[Some("aws")], ":s3:::*"),
            arn(&[Some("aws-cn")], ":s3:::logs"),
            arn(&[None], ":s3"),
            Text::lit("*"),
            Text::lit("arn:aws:s3:::logs/\u{1}any-object"),
            {
                let mut t = arn(&[None], ":s3:::");
                t.push(&Text::hole(Hole::Unknown));
                t
            },
        ];
        let mut fast = 0;
        for p in &texts {
            for s in &texts {
                if literal_arn(p).is_some() && literal_arn(s).is_some() {
                    fast += 1;
                }
                assert_eq!(
                    resource_matches(p, s),
                    resource_matches_tokens(p, s),
                    "{p:?} against {s:?}"
                );
            }
        }
        assert_eq!(fast, 64);
    }

    #[test]
    fn public_statement_and_pins() {
        let d = doc(
            r#"{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}]}"#,
        );
        assert_eq!(statement_is_public(&d.statements[0]), Tri::Yes);
        let d = doc(
            r#"{"Statement": {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:GetObject", "Resource": "*",
            "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1"}}}}"#,
        );
        assert_eq!(statement_is_public(&d.statements[0]), Tri::No);
        let d = doc(
            r#"{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*",
            "Condition": {"StringLike": {"aws:PrincipalOrgID": "o-*"}}}}"#,
        );
        assert_eq!(statement_is_public(&d.statements[0]), Tri::Yes);
        let d = doc(
            r#"{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*",
            "Condition": {"IpAddress": {"aws:SourceIp": ["0.0.0.0/0"]}}}}"#,
        );
        assert_eq!(statement_is_public(&d.statements[0]), Tri::Yes);
        let d = doc(
            r#"{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*",
            "Condition": {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24"]}}}}"#,
        );
        assert_eq!(statement_is_public(&d.statements[0]), Tri::No);
        let d = doc(
            r#"{"Statement": {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:*", "Resource": "*"}}"#,
        );
        assert_eq!(statement_is_public(&d.statements[0]), Tri::No);
    }

    #[test]
    fn tls_enforcement() {
        let b = BucketIdent::new(Some("b"), &BucketRef::new("m", "x"));
        let good = doc(
            r#"{"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}"#,
        );
        assert_eq!(enforces_tls(&good, &b, &no_names), Tri::Yes);
        let objects_only = doc(
            r#"{"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": "arn:aws:s3:::b/*", "Condition": {"BoolIfExists": {"aws:SecureTransport": false}}}]}"#,
        );
        assert_eq!(enforces_tls(&objects_only, &b, &no_names), Tri::No);
    }

    #[test]
    fn statement_spans_from_file_json() {
        let src = r#"{"Statement": [{"Effect": "Allow"}]}"#;
        let p = json::parse(src, json::Origin::File(FileId(0))).unwrap();
        let d = PolicyDocument::from_tree(&p.node).unwrap();
        let span = d.statements[0].span.unwrap();
        assert_eq!(&src[span.range()], r#"{"Effect": "Allow"}"#);
    }

    #[test]
    fn literal_resource_matching_agrees_with_the_token_matcher() {
        let texts = [
            "arn:aws:s3:::logs",
            "arn:aws:s3:::logs/*",
            "arn:aws-us-gov:s3:::logs/*",
            "arn:*:s3:::log?",
            "arn::s3:::logs",
            "arn:aws:s3:::*",
            "*",
            "arn:x",
            "arn:aws:s3:::logs*/a?c",
            "arn:aws:s3:::logs-2/abc",
            "arn:aws:s3:::é*",
            "arn:aws:s3:::éa",
            "",
        ];
        for p in texts {
            for s in texts {
                let (p, s) = (Text::lit(p), Text::lit(s));
                assert_eq!(
                    resource_matches(&p, &s),
                    resource_matches_tokens(&p, &s),
                    "{p:?} against {s:?}"
                );
            }
        }
    }
}
