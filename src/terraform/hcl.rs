//! Native HCL syntax (`.tf`, `.tfvars`, template files) into the [`ast`](super::ast):
//! one recursive-descent pass over the bytes, every node with its byte span.
//!
//! Why our own parser: hcl-edit built a lossless tree that we converted and dropped,
//! about two thirds of a scan's parse time and the largest memory peak of a big
//! root; it also rejected valid Terraform (newlines inside `for` expressions,
//! nesting deeper than 64). The grammar is HashiCorp's native syntax
//! specification; where hcl-edit and Terraform differ we follow Terraform.

use super::ast::{
    Attribute, BinaryOp, Block, Body, Expr, ExprKind, ForExpr, ForPart, IfPart, Name, ObjectKey,
    Op, Part, UnaryOp,
};
use super::parse::{SyntaxError, literal_text};
use crate::source::{FileId, Span, char_range};

/// How deep expressions, blocks, template directives and operator chains may nest:
/// twice hcl-edit's limit and far deeper than any real configuration, and shallow
/// enough for the stacks the scan runs on. A level takes about 2 KB of stack to
/// parse in a release build (13 KB unoptimized): parsing, evaluation and dropping
/// recurse, so trees are parsed on the scan's 64 MiB threads.
pub const MAX_DEPTH: u32 = 128;

type Result<T> = std::result::Result<T, SyntaxError>;

/// Parses a file body. `text` starts at byte `base` of the file (a top-level block
/// being recovered on its own starts further in); spans are file offsets.
pub fn body(file: FileId, text: &str, base: usize) -> Result<Body> {
    let mut p = Parser::new(file, text, base);
    let mut body = p.body(None)?;
    body.span = Span::new(file, base..base + text.len());
    Ok(body)
}

/// Parses a whole text as a template (a `templatefile()` file, a `.tf.json` string),
/// with `text` at byte `base` of `file`.
pub fn template(file: FileId, text: &str, base: usize) -> Result<Vec<Part>> {
    let mut p = Parser::new(file, text, base);
    let (parts, stop) = p.template(Quoting::Raw)?;
    match stop {
        Some(kw) => p.fail(format!("`%{{ {kw} }}` without an opening directive")),
        None => Ok(parts),
    }
}

/// Whether a template's literals take backslash escapes (quoted strings) or not
/// (heredocs and template files).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Quoting {
    Quoted,
    Raw,
}

struct Parser<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
    file: FileId,
    base: usize,
    depth: u32,
    scratch: Scratch,
}

/// Where the items of the collections being parsed accumulate, nested ones above
/// their parent's: each collection is split off when complete, into a vector of
/// exactly its length. Growing each vector by doubling instead left a third of a
/// tree's memory in spare capacity, which shrinking afterwards does not give back
/// (the allocator keeps the freed blocks for their size class).
#[derive(Default)]
struct Scratch {
    attrs: Vec<Attribute>,
    blocks: Vec<Block>,
    exprs: Vec<Expr>,
    entries: Vec<(ObjectKey, Expr)>,
    ops: Vec<Op>,
    labels: Vec<Name>,
}

fn is_id_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || (!c.is_ascii() && unicode_ident::is_xid_start(c))
}

fn is_id_continue(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || c == '_'
        || c == '-'
        || (!c.is_ascii() && unicode_ident::is_xid_continue(c))
}

fn precedence(op: BinaryOp) -> u8 {
    match op {
        BinaryOp::Mul | BinaryOp::Div | BinaryOp::Mod => 6,
        BinaryOp::Add | BinaryOp::Sub => 5,
        BinaryOp::LessEq | BinaryOp::GreaterEq | BinaryOp::Less | BinaryOp::Greater => 4,
        BinaryOp::Eq | BinaryOp::NotEq => 3,
        BinaryOp::And => 2,
        BinaryOp::Or => 1,
    }
}

impl<'a> Parser<'a> {
    fn new(file: FileId, s: &'a str, base: usize) -> Self {
        Parser {
            s,
            b: s.as_bytes(),
            i: 0,
            file,
            base,
            depth: 0,
            scratch: Scratch::default(),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn at(&self, s: &str) -> bool {
        self.b[self.i..].starts_with(s.as_bytes())
    }

    fn char_at(&self, at: usize) -> Option<char> {
        self.s.get(at..).and_then(|r| r.chars().next())
    }

    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, start + self.base..end + self.base)
    }

    fn fail_at<T>(&self, at: usize, message: String) -> Result<T> {
        let r = char_range(self.s, at);
        Err(SyntaxError {
            message,
            span: self.span(r.start, r.end),
        })
    }

    fn fail<T>(&self, message: String) -> Result<T> {
        self.fail_at(self.i, message)
    }

    fn expected<T>(&self, what: &str) -> Result<T> {
        let found = match self.char_at(self.i) {
            None => "the end of the file".to_string(),
            Some('\n' | '\r') => "a newline".to_string(),
            Some(c) => format!("`{c}`"),
        };
        self.fail(format!("expected {what}, found {found}"))
    }

    fn expect(&mut self, c: u8) -> Result<()> {
        if self.peek() == Some(c) {
            self.i += 1;
            Ok(())
        } else {
            self.expected(&format!("`{}`", c as char))
        }
    }

    /// One level deeper; the caller undoes it with `leave`.
    fn enter(&mut self) -> Result<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return self.fail(format!(
                "nesting deeper than {MAX_DEPTH} levels (expressions, blocks, template directives and chained operators): a limit of the HCL parser bucketlint uses, which bounds its stack; Terraform accepts deeper nesting"
            ));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    // ---- whitespace and comments ----

    /// Spaces, tabs and `/* */` comments: what may separate tokens on one line.
    fn sp(&mut self) -> Result<()> {
        loop {
            match self.peek() {
                Some(b' ' | b'\t') => self.i += 1,
                Some(b'/') if self.at("/*") => self.block_comment()?,
                _ => return Ok(()),
            }
        }
    }

    /// Any whitespace and comments, newlines included.
    fn ws(&mut self) -> Result<()> {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\r' | b'\n') => self.i += 1,
                Some(b'#') => self.line_comment(),
                Some(b'/') if self.at("//") => self.line_comment(),
                Some(b'/') if self.at("/*") => self.block_comment()?,
                _ => return Ok(()),
            }
        }
    }

    /// `ws` where newlines are insignificant (inside brackets), else `sp`.
    fn skip(&mut self, newlines: bool) -> Result<()> {
        if newlines { self.ws() } else { self.sp() }
    }

    /// Up to (not over) the end of the line.
    fn line_comment(&mut self) {
        self.i = memchr::memchr(b'\n', &self.b[self.i..]).map_or(self.b.len(), |n| self.i + n);
    }

    fn block_comment(&mut self) -> Result<()> {
        match memchr::memmem::find(&self.b[self.i + 2..], b"*/") {
            Some(n) => {
                self.i += 2 + n + 2;
                Ok(())
            }
            None => self.fail("unterminated `/*` comment".into()),
        }
    }

    /// After an attribute or block: an optional comment, then a newline or the end.
    fn end_of_line(&mut self) -> Result<()> {
        self.sp()?;
        if self.peek() == Some(b'#') || self.at("//") {
            self.line_comment();
        }
        match self.peek() {
            None => Ok(()),
            Some(b'\n') => {
                self.i += 1;
                Ok(())
            }
            Some(b'\r') if self.at("\r\n") => {
                self.i += 2;
                Ok(())
            }
            _ => self.expected("a newline"),
        }
    }

    fn ident(&mut self) -> Option<(&'a str, usize)> {
        let start = self.i;
        let first = self.char_at(start)?;
        if !is_id_start(first) {
            return None;
        }
        self.i += first.len_utf8();
        while let Some(&c) = self.b.get(self.i) {
            if c.is_ascii_alphanumeric() || c == b'_' || c == b'-' {
                self.i += 1;
            } else if c >= 0x80 {
                match self.char_at(self.i) {
                    Some(ch) if is_id_continue(ch) => self.i += ch.len_utf8(),
                    _ => break,
                }
            } else {
                break;
            }
        }
        Some((&self.s[start..self.i], start))
    }

    fn expect_ident(&mut self, what: &str) -> Result<(&'a str, usize)> {
        match self.ident() {
            Some(id) => Ok(id),
            None => self.expected(what),
        }
    }

    /// A keyword followed by something that cannot continue an identifier.
    fn at_keyword(&self, kw: &str) -> bool {
        self.at(kw) && !self.char_at(self.i + kw.len()).is_some_and(is_id_continue)
    }

    // ---- bodies ----

    /// A body up to the end of the text, or (`open`: where its block's `{` is) up
    /// to its `}`.
    fn body(&mut self, open: Option<usize>) -> Result<Body> {
        let start = self.i;
        let mut end = start;
        let (attrs_at, blocks_at) = (self.scratch.attrs.len(), self.scratch.blocks.len());
        loop {
            self.ws()?;
            match self.peek() {
                None => match open {
                    // Where the block starts says more than the end of the file.
                    Some(at) => return self.fail_at(at, "this block has no closing `}`".into()),
                    None => break,
                },
                Some(b'}') if open.is_some() => break,
                _ => {}
            }
            let at = self.i;
            let Some((ident, ident_start)) = self.ident() else {
                return self.expected("an attribute or a block");
            };
            self.sp()?;
            if self.peek() == Some(b'=') {
                if self.scratch.attrs[attrs_at..]
                    .iter()
                    .any(|a| a.key == ident)
                {
                    return self.fail_at(
                        at,
                        format!("attribute `{ident}` is defined twice in the same body"),
                    );
                }
                let attr = self.attribute(ident, ident_start)?;
                self.scratch.attrs.push(attr);
            } else {
                let block = self.block(ident, ident_start)?;
                self.scratch.blocks.push(block);
            }
            self.end_of_line()?;
            end = self.i;
        }
        // Sized exactly, as every collection below: a module's tree is held until
        // its roots are evaluated.
        Ok(Body {
            attrs: self.scratch.attrs.split_off(attrs_at),
            blocks: self.scratch.blocks.split_off(blocks_at),
            span: self.span(start, end),
            json: false,
        })
    }

    /// `key = value`, at the `=`.
    fn attribute(&mut self, key: &str, key_start: usize) -> Result<Attribute> {
        self.expect(b'=')?;
        self.sp()?;
        let value = self.expr(false)?;
        Ok(Attribute {
            key: key.into(),
            key_span: self.span(key_start, key_start + key.len()),
            value,
        })
    }

    /// Labels and body of a block, after its type.
    fn block(&mut self, ident: &str, start: usize) -> Result<Block> {
        let labels_at = self.scratch.labels.len();
        let mut header_end = start + ident.len();
        loop {
            match self.peek() {
                Some(b'{') => break,
                Some(b'"') => {
                    let label_start = self.i;
                    let (parts, _) = self.quoted()?;
                    let value = match parts.as_slice() {
                        [] => String::new(),
                        [Part::Lit(t)] => t.raw().to_string(),
                        _ => {
                            return self.fail_at(
                                label_start,
                                "a block label cannot contain a template".into(),
                            );
                        }
                    };
                    self.scratch.labels.push(value.into());
                }
                _ => match self.ident() {
                    Some((label, _)) => self.scratch.labels.push(label.into()),
                    None => return self.expected("`=`, a block label or `{`"),
                },
            }
            header_end = self.i;
            self.sp()?;
        }
        let labels = self.scratch.labels.split_off(labels_at);
        let open = self.i;
        self.i += 1;
        self.enter()?;
        self.sp()?;
        if self.peek() == Some(b'#') || self.at("//") {
            self.line_comment();
        }
        let body = match self.peek() {
            Some(b'\n' | b'\r') if self.at("\n") || self.at("\r\n") => {
                // As hcl-edit had it: the body starts at the line break after `{`.
                let newline = self.i;
                self.i += if self.at("\n") { 1 } else { 2 };
                let mut body = self.body(Some(open))?;
                body.span = self.span(newline, self.i);
                body
            }
            // A one-line block: `{}` or `{ key = value }`.
            _ => {
                let mut attrs = Vec::new();
                if let Some((key, key_start)) = self.ident() {
                    self.sp()?;
                    attrs = vec![self.attribute(key, key_start)?];
                    self.sp()?;
                }
                Body {
                    attrs,
                    blocks: Vec::new(),
                    span: Span::default(),
                    json: false,
                }
            }
        };
        self.expect(b'}')?;
        self.leave();
        let span = self.span(start, self.i);
        let mut body = body;
        if body.span == Span::default() {
            body.span = span;
        }
        Ok(Block {
            ident: ident.into(),
            labels,
            body,
            header: self.span(start, header_end),
            span,
        })
    }

    // ---- expressions ----

    fn expr(&mut self, newlines: bool) -> Result<Expr> {
        Ok(self.expr_outer(newlines)?.0)
    }

    /// An expression and its outer span: wider than the expression's own where it
    /// is parenthesized, and what an enclosing operation's span reaches to.
    fn expr_outer(&mut self, nl: bool) -> Result<(Expr, Span)> {
        self.enter()?;
        let r = self.operation(nl);
        self.leave();
        r
    }

    /// Terms joined by binary operators, then perhaps `? :`.
    fn operation(&mut self, nl: bool) -> Result<(Expr, Span)> {
        let (mut cur, mut outer) = self.term(nl)?;
        loop {
            let save = self.i;
            self.skip(nl)?;
            if self.peek() == Some(b'?') {
                self.i += 1;
                self.skip(nl)?;
                let yes = self.expr(nl)?;
                self.skip(nl)?;
                self.expect(b':')?;
                self.skip(nl)?;
                let (no, no_outer) = self.expr_outer(nl)?;
                let span = Span {
                    end: no_outer.end,
                    ..outer
                };
                let kind = ExprKind::Conditional(Box::new(cur), Box::new(yes), Box::new(no));
                return Ok((Expr { kind, span }, span));
            }
            if self.binary_op_ahead().is_none() {
                self.i = save;
                return Ok((cur, outer));
            }
            (cur, outer) = self.binary_chain(cur, outer, nl)?;
        }
    }

    fn binary_op_ahead(&self) -> Option<(BinaryOp, usize)> {
        let two = |s: &str| self.at(s);
        Some(match self.peek()? {
            b'=' if two("==") => (BinaryOp::Eq, 2),
            b'!' if two("!=") => (BinaryOp::NotEq, 2),
            b'<' if two("<=") => (BinaryOp::LessEq, 2),
            b'>' if two(">=") => (BinaryOp::GreaterEq, 2),
            b'<' => (BinaryOp::Less, 1),
            b'>' => (BinaryOp::Greater, 1),
            b'+' => (BinaryOp::Add, 1),
            b'-' => (BinaryOp::Sub, 1),
            b'*' => (BinaryOp::Mul, 1),
            b'/' if !two("//") && !two("/*") => (BinaryOp::Div, 1),
            b'%' => (BinaryOp::Mod, 1),
            b'&' if two("&&") => (BinaryOp::And, 2),
            b'|' if two("||") => (BinaryOp::Or, 2),
            _ => return None,
        })
    }

    /// `first op term op term ...`, at the first operator, grouped by precedence
    /// (all left-associative). Each operand counts one level of depth: a chain is
    /// as deep a tree as its length.
    fn binary_chain(&mut self, first: Expr, outer: Span, nl: bool) -> Result<(Expr, Span)> {
        let depth = self.depth;
        let mut operands = vec![(first, outer)];
        let mut ops: Vec<BinaryOp> = Vec::new();
        while let Some((op, len)) = self.binary_op_ahead() {
            self.i += len;
            self.skip(nl)?;
            self.enter()?;
            let term = self.term(nl)?;
            while ops
                .last()
                .is_some_and(|&top| precedence(top) >= precedence(op))
            {
                reduce(&mut operands, &mut ops);
            }
            ops.push(op);
            operands.push(term);
            let save = self.i;
            self.skip(nl)?;
            if self.binary_op_ahead().is_none() {
                self.i = save;
                break;
            }
        }
        while !ops.is_empty() {
            reduce(&mut operands, &mut ops);
        }
        self.depth = depth;
        Ok(operands.pop().expect("one operand is left"))
    }

    /// One operand: a literal, collection, reference, call, unary operation or
    /// parenthesized expression, with its traversals.
    fn term(&mut self, nl: bool) -> Result<(Expr, Span)> {
        let start = self.i;
        let (expr, outer) = match self.peek() {
            Some(b'"') => {
                let (parts, plain) = self.quoted()?;
                let span = self.span(start, self.i);
                let kind = if plain {
                    let inner = self.span(start + 1, self.i - 1);
                    ExprKind::Str(match parts.into_iter().next() {
                        Some(Part::Lit(t)) => t,
                        _ => literal_text("", "", inner),
                    })
                } else {
                    ExprKind::Template(parts)
                };
                (Expr { kind, span }, span)
            }
            Some(b'[') => self.array()?,
            Some(b'{') => self.object()?,
            Some(b'0'..=b'9') => {
                let n = self.number()?;
                let span = self.span(start, self.i);
                (
                    Expr {
                        kind: ExprKind::Number(n),
                        span,
                    },
                    span,
                )
            }
            Some(b'<') if self.at("<<") => self.heredoc()?,
            Some(b'-' | b'!') => self.unary(nl)?,
            Some(b'(') => {
                self.i += 1;
                self.ws()?;
                let inner = self.expr(true)?;
                self.ws()?;
                self.expect(b')')?;
                (inner, self.span(start, self.i))
            }
            _ => match self.ident() {
                Some((name, _)) => self.identlike(name, start, nl)?,
                None => return self.expected("an expression"),
            },
        };
        self.traversal(expr, outer, start, nl)
    }

    /// `.attr`, `[index]`, `.*`, `[*]`, `.0` after a term.
    fn traversal(
        &mut self,
        root: Expr,
        outer: Span,
        start: usize,
        nl: bool,
    ) -> Result<(Expr, Span)> {
        let ops_at = self.scratch.ops.len();
        loop {
            let save = self.i;
            self.skip(nl)?;
            match self.peek() {
                Some(b'.') if !self.at("..") => {
                    self.i += 1;
                    self.ws()?;
                    let op = match self.peek() {
                        Some(b'*') => {
                            self.i += 1;
                            Op::AttrSplat
                        }
                        Some(b'0'..=b'9') => {
                            let digits = self.digits();
                            match self.s[digits..self.i].parse::<u64>() {
                                Ok(n) => Op::LegacyIndex(n),
                                Err(_) => return self.fail_at(digits, "index too large".into()),
                            }
                        }
                        _ => match self.ident() {
                            Some((name, _)) => Op::Attr(name.into()),
                            None => return self.expected("an attribute name, `*` or an index"),
                        },
                    };
                    self.scratch.ops.push(op);
                }
                Some(b'[') => {
                    self.i += 1;
                    self.ws()?;
                    if self.peek() == Some(b'*') {
                        self.i += 1;
                        self.scratch.ops.push(Op::FullSplat);
                    } else {
                        let index = Op::Index(Box::new(self.expr(true)?));
                        self.scratch.ops.push(index);
                    }
                    self.ws()?;
                    self.expect(b']')?;
                }
                _ => {
                    self.i = save;
                    break;
                }
            }
        }
        if self.scratch.ops.len() == ops_at {
            return Ok((root, outer));
        }
        let ops = self.scratch.ops.split_off(ops_at);
        let span = self.span(start, self.i);
        let kind = ExprKind::Traversal(Box::new(root), ops);
        Ok((Expr { kind, span }, span))
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        start
    }

    fn number(&mut self) -> Result<f64> {
        let start = self.digits();
        if self.peek() == Some(b'.') && self.b.get(self.i + 1).is_some_and(u8::is_ascii_digit) {
            self.i += 1;
            self.digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if !self.peek().is_some_and(|c| c.is_ascii_digit()) {
                return self.expected("a digit of the exponent");
            }
            self.digits();
        }
        Ok(self.s[start..self.i].parse().unwrap_or(f64::NAN))
    }

    /// `-x` or `!x`; `-` before a number is a negative number.
    fn unary(&mut self, nl: bool) -> Result<(Expr, Span)> {
        let start = self.i;
        let op = if self.peek() == Some(b'-') {
            UnaryOp::Neg
        } else {
            UnaryOp::Not
        };
        self.i += 1;
        self.sp()?;
        if op == UnaryOp::Neg && self.peek().is_some_and(|c| c.is_ascii_digit()) {
            let n = self.number()?;
            let span = self.span(start, self.i);
            let kind = ExprKind::Number(-n);
            return Ok((Expr { kind, span }, span));
        }
        self.enter()?;
        let (operand, operand_outer) = self.term(nl)?;
        self.leave();
        let span = Span {
            end: operand_outer.end,
            ..self.span(start, start)
        };
        let kind = ExprKind::Unary(op, Box::new(operand));
        Ok((Expr { kind, span }, span))
    }

    /// A name: a keyword, a variable, or a function call.
    fn identlike(&mut self, name: &str, start: usize, nl: bool) -> Result<(Expr, Span)> {
        let save = self.i;
        self.skip(nl)?;
        let kind = if self.at("::") || self.peek() == Some(b'(') {
            let mut full = name.to_string();
            while self.at("::") {
                self.i += 2;
                self.skip(nl)?;
                let (part, _) = self.expect_ident("a function name")?;
                full.push_str("::");
                full.push_str(part);
                self.skip(nl)?;
            }
            let (args, expand_final) = self.call_args()?;
            ExprKind::Call {
                name: full.into_boxed_str(),
                args: args.into_boxed_slice(),
                expand_final,
            }
        } else {
            self.i = save;
            match name {
                "null" => ExprKind::Null,
                "true" => ExprKind::Bool(true),
                "false" => ExprKind::Bool(false),
                _ => ExprKind::Var(name.into()),
            }
        };
        let span = self.span(start, self.i);
        Ok((Expr { kind, span }, span))
    }

    /// `(a, b, c...)`: the arguments and whether the last one is expanded.
    fn call_args(&mut self) -> Result<(Vec<Expr>, bool)> {
        self.expect(b'(')?;
        let args_at = self.scratch.exprs.len();
        let mut expand = false;
        self.ws()?;
        while self.peek() != Some(b')') {
            let arg = self.expr(true)?;
            self.scratch.exprs.push(arg);
            self.ws()?;
            match self.peek() {
                Some(b',') => {
                    self.i += 1;
                    self.ws()?;
                }
                Some(b'.') if self.at("...") => {
                    self.i += 3;
                    expand = true;
                    self.ws()?;
                    break;
                }
                Some(b')') => break,
                _ => return self.expected("`,` or `)`"),
            }
        }
        self.expect(b')')?;
        Ok((self.scratch.exprs.split_off(args_at), expand))
    }

    /// Whether `for` opens the collection just entered.
    fn for_ahead(&mut self) -> Result<bool> {
        let save = self.i;
        self.ws()?;
        let yes = self.at("for")
            && matches!(
                self.b.get(self.i + 3),
                Some(b' ' | b'\t' | b'\n' | b'\r' | b'#' | b'/')
            );
        self.i = save;
        Ok(yes)
    }

    fn array(&mut self) -> Result<(Expr, Span)> {
        let start = self.i;
        self.i += 1;
        let kind = if self.for_ahead()? {
            self.for_expr(b']')?
        } else {
            let items_at = self.scratch.exprs.len();
            loop {
                self.ws()?;
                if self.peek() == Some(b']') {
                    break;
                }
                let item = self.expr(true)?;
                self.scratch.exprs.push(item);
                self.ws()?;
                match self.peek() {
                    Some(b',') => self.i += 1,
                    Some(b']') => break,
                    _ => return self.expected("`,` or `]`"),
                }
            }
            self.i += 1;
            ExprKind::Array(self.scratch.exprs.split_off(items_at))
        };
        let span = self.span(start, self.i);
        Ok((Expr { kind, span }, span))
    }

    fn object(&mut self) -> Result<(Expr, Span)> {
        let start = self.i;
        self.i += 1;
        let kind = if self.for_ahead()? {
            self.for_expr(b'}')?
        } else {
            let entries_at = self.scratch.entries.len();
            loop {
                self.ws()?;
                if self.peek() == Some(b'}') {
                    self.i += 1;
                    break;
                }
                let key_at = self.i;
                let (key, key_outer) = self.expr_outer(false)?;
                self.sp()?;
                match self.peek() {
                    Some(b'=' | b':') => self.i += 1,
                    _ => return self.expected("`=` or `:`"),
                }
                self.sp()?;
                let value = self.expr(false)?;
                self.sp()?;
                // A bare name is a literal key; `(name)` is the variable's value.
                let key = match key.kind {
                    ExprKind::Var(name) if key_outer == key.span => {
                        ObjectKey::Ident(name, key.span)
                    }
                    kind => ObjectKey::Expr(Expr {
                        kind,
                        span: key.span,
                    }),
                };
                if self.scratch.entries[entries_at..]
                    .iter()
                    .any(|(k, _)| same_key(k, &key))
                {
                    let name = &self.s[key_at..key_outer.end as usize - self.base];
                    return self.fail_at(key_at, format!("object key `{name}` is defined twice"));
                }
                self.scratch.entries.push((key, value));
                match self.peek() {
                    Some(b'}') => {
                        self.i += 1;
                        break;
                    }
                    Some(b',' | b'\n') => self.i += 1,
                    Some(b'\r') if self.at("\r\n") => self.i += 2,
                    Some(b'#') => self.end_of_line()?,
                    Some(b'/') if self.at("//") => self.end_of_line()?,
                    _ => return self.expected("`,`, a newline or `}`"),
                }
            }
            ExprKind::Object(self.scratch.entries.split_off(entries_at))
        };
        let span = self.span(start, self.i);
        Ok((Expr { kind, span }, span))
    }

    /// `for k, v in coll : ...` up to and over the closing bracket.
    fn for_expr(&mut self, close: u8) -> Result<ExprKind> {
        self.ws()?;
        self.i += 3;
        let (key_var, value_var, collection) = self.for_intro()?;
        self.expect(b':')?;
        self.ws()?;
        let first = self.expr(true)?;
        self.ws()?;
        let (key, value, grouping) = if close == b'}' {
            if !self.at("=>") {
                return self.expected("`=>`");
            }
            self.i += 2;
            self.ws()?;
            let value = self.expr(true)?;
            self.ws()?;
            let grouping = self.at("...");
            if grouping {
                self.i += 3;
                self.ws()?;
            }
            (Some(first), value, grouping)
        } else {
            (None, first, false)
        };
        let cond = if self.at_keyword("if") {
            self.i += 2;
            self.ws()?;
            let c = self.expr(true)?;
            self.ws()?;
            Some(c)
        } else {
            None
        };
        self.expect(close)?;
        Ok(ExprKind::For(Box::new(ForExpr {
            key_var,
            value_var,
            collection,
            key,
            value,
            cond,
            grouping,
        })))
    }

    /// `k, v in coll` (after `for`), up to the next token.
    fn for_intro(&mut self) -> Result<(Option<Name>, Name, Expr)> {
        self.ws()?;
        let (first, _) = self.expect_ident("a variable name")?;
        self.ws()?;
        let (key_var, value_var) = if self.peek() == Some(b',') {
            self.i += 1;
            self.ws()?;
            let (second, _) = self.expect_ident("a variable name")?;
            self.ws()?;
            (Some(first.into()), second.into())
        } else {
            (None, first.into())
        };
        if !self.at_keyword("in") {
            return self.expected("`in`");
        }
        self.i += 2;
        self.ws()?;
        let collection = self.expr(true)?;
        self.ws()?;
        Ok((key_var, value_var, collection))
    }

    // ---- strings and templates ----

    /// A quoted string, at its `"`: its parts, and whether it is plain (no
    /// interpolation or directive).
    fn quoted(&mut self) -> Result<(Vec<Part>, bool)> {
        let open = self.i;
        self.i += 1;
        let (parts, stop) = self.template(Quoting::Quoted)?;
        if let Some(kw) = stop {
            return self.fail(format!("`%{{ {kw} }}` without an opening directive"));
        }
        if self.peek() != Some(b'"') {
            return self.fail_at(open, "this string is not closed".into());
        }
        self.i += 1;
        let plain = parts.iter().all(|p| matches!(p, Part::Lit(_)));
        Ok((parts, plain))
    }

    /// Template parts up to the end of the text, a closing quote (`Quoted`), or a
    /// `%{ else }`, `%{ endif }` or `%{ endfor }`, whose keyword is returned.
    fn template(&mut self, quoting: Quoting) -> Result<(Vec<Part>, Option<&'static str>)> {
        let (pieces, stop) = self.pieces(quoting)?;
        Ok((self.parts(pieces), stop))
    }

    fn parts(&self, pieces: Vec<Piece>) -> Vec<Part> {
        let mut parts: Vec<Part> = pieces
            .into_iter()
            .map(|p| match p {
                Piece::Part(p) => p,
                Piece::Lit { start, end, value } => {
                    let source = &self.s[start..end];
                    let value = value.as_deref().unwrap_or(source);
                    Part::Lit(literal_text(value, source, self.span(start, end)))
                }
            })
            .collect();
        parts.shrink_to_fit();
        parts
    }

    /// [`template`](Self::template) before its literals are mapped to their source.
    fn pieces(&mut self, quoting: Quoting) -> Result<(Vec<Piece>, Option<&'static str>)> {
        let mut parts = Vec::new();
        let mut lit = Literal::at(self.i);
        let stop = loop {
            let Some(c) = self.peek() else { break None };
            match c {
                b'"' if quoting == Quoting::Quoted => break None,
                b'\\' if quoting == Quoting::Quoted => {
                    let (value, len) = self.escape()?;
                    lit.replace(self.s, self.i, len, value);
                    self.i += len;
                }
                b'$' | b'%'
                    if self.b.get(self.i + 1) == Some(&c)
                        && self.b.get(self.i + 2) == Some(&b'{') =>
                {
                    lit.replace(self.s, self.i, 3, if c == b'$' { '$' } else { '%' });
                    lit.value.push('{');
                    self.i += 3;
                }
                b'$' if self.at("${") => {
                    lit.flush(self, &mut parts);
                    parts.push(Piece::Part(self.interpolation()?));
                    lit = Literal::at(self.i);
                }
                b'%' if self.at("%{") => {
                    lit.flush(self, &mut parts);
                    match self.directive(quoting)? {
                        Ok(part) => parts.push(Piece::Part(part)),
                        Err(kw) => break Some(kw),
                    }
                    lit = Literal::at(self.i);
                }
                _ => {
                    // A run of plain bytes.
                    self.i += 1;
                    while let Some(&c) = self.b.get(self.i) {
                        if matches!(c, b'$' | b'%')
                            || (quoting == Quoting::Quoted && matches!(c, b'"' | b'\\'))
                        {
                            break;
                        }
                        self.i += 1;
                    }
                }
            }
        };
        lit.flush(self, &mut parts);
        Ok((parts, stop))
    }

    /// A backslash escape of a quoted string: its character and source length.
    fn escape(&self) -> Result<(char, usize)> {
        let hex = |n: usize| -> Option<char> {
            let digits = self.s.get(self.i + 2..self.i + 2 + n)?;
            if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            char::from_u32(u32::from_str_radix(digits, 16).ok()?)
        };
        let c = match self.b.get(self.i + 1) {
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'\\') => '\\',
            Some(b'"') => '"',
            Some(b'u') => {
                return match hex(4) {
                    Some(c) => Ok((c, 6)),
                    None => self.fail(
                        "invalid escape: `\\u` takes four hexadecimal digits of a character".into(),
                    ),
                };
            }
            Some(b'U') => {
                return match hex(8) {
                    Some(c) => Ok((c, 10)),
                    None => self.fail(
                        "invalid escape: `\\U` takes eight hexadecimal digits of a character"
                            .into(),
                    ),
                };
            }
            _ => {
                return self.fail(
                    "invalid escape: a backslash takes one of n, r, t, \\, \", u or U".into(),
                );
            }
        };
        Ok((c, 2))
    }

    /// Over `${` or `%{`, an optional strip marker and whitespace. Strip markers
    /// (`~`) are read and not applied.
    fn open_control(&mut self) -> Result<()> {
        self.i += 2;
        if self.peek() == Some(b'~') {
            self.i += 1;
        }
        self.ws()
    }

    /// `${ expr }`, at the `$`.
    fn interpolation(&mut self) -> Result<Part> {
        self.open_control()?;
        let e = self.expr(true)?;
        self.close_control()?;
        Ok(Part::Interp(e))
    }

    /// Optional whitespace, strip marker, and the `}` that closes `${` or `%{`.
    fn close_control(&mut self) -> Result<()> {
        self.ws()?;
        if self.peek() == Some(b'~') {
            self.i += 1;
        }
        self.expect(b'}')
    }

    /// The keyword of the directive at `%{`, which is not consumed.
    fn directive_keyword(&mut self) -> Result<Option<&'a str>> {
        let save = self.i;
        self.open_control()?;
        let kw = self.ident().map(|(k, _)| k);
        self.i = save;
        Ok(kw)
    }

    /// Consumes `%{ kw }`.
    fn closing_directive(&mut self, kw: &str) -> Result<()> {
        self.open_control()?;
        self.i += kw.len();
        self.close_control()
    }

    /// `%{ if }`/`%{ for }` and their bodies, or `Err(keyword)` at an `else`,
    /// `endif` or `endfor`, left for the directive that encloses it.
    fn directive(&mut self, quoting: Quoting) -> Result<std::result::Result<Part, &'static str>> {
        let at = self.i;
        let is_if = match self.directive_keyword()? {
            Some("else") => return Ok(Err("else")),
            Some("endif") => return Ok(Err("endif")),
            Some("endfor") => return Ok(Err("endfor")),
            Some(kw @ ("if" | "for")) => kw == "if",
            _ => {
                self.i += 2;
                self.ws()?;
                return self.expected("`if`, `for`, `else`, `endif` or `endfor`");
            }
        };
        self.open_control()?;
        self.enter()?;
        let part = if is_if {
            self.i += 2;
            self.ws()?;
            let cond = self.expr(true)?;
            self.close_control()?;
            let (then, mut stop) = self.template(quoting)?;
            let mut otherwise = Vec::new();
            if stop == Some("else") {
                self.closing_directive("else")?;
                (otherwise, stop) = self.template(quoting)?;
            }
            if stop != Some("endif") {
                return self.fail_at(at, "this `%{ if }` has no `%{ endif }`".into());
            }
            self.closing_directive("endif")?;
            Part::If(Box::new(IfPart {
                cond,
                then,
                otherwise,
            }))
        } else {
            self.i += 3;
            let (key_var, value_var, collection) = self.for_intro()?;
            self.close_control()?;
            let (body, stop) = self.template(quoting)?;
            if stop != Some("endfor") {
                return self.fail_at(at, "this `%{ for }` has no `%{ endfor }`".into());
            }
            self.closing_directive("endfor")?;
            Part::For(Box::new(ForPart {
                key_var,
                value_var,
                collection,
                body,
            }))
        };
        self.leave();
        Ok(Ok(part))
    }

    /// `<<EOT` or `<<-EOT` up to its closing line.
    fn heredoc(&mut self) -> Result<(Expr, Span)> {
        let start = self.i;
        self.i += 2;
        let indented = self.peek() == Some(b'-');
        if indented {
            self.i += 1;
        }
        let (delim, _) = self.expect_ident("a heredoc delimiter")?;
        match self.peek() {
            Some(b'\n') => self.i += 1,
            Some(b'\r') if self.at("\r\n") => self.i += 2,
            _ => return self.expected("a newline after the heredoc delimiter"),
        }
        // The closing line: optional spaces, the delimiter, nothing that could
        // continue it.
        let content = self.i;
        let mut line = content;
        // The start of the closing line, and of its delimiter.
        let (close, delim_at) = loop {
            let ind = line
                + self.b[line..]
                    .iter()
                    .take_while(|c| matches!(c, b' ' | b'\t'))
                    .count();
            if self.s[ind..].starts_with(delim)
                && !self.char_at(ind + delim.len()).is_some_and(is_id_continue)
            {
                break (line, ind);
            }
            match memchr::memchr(b'\n', &self.b[line..]) {
                Some(n) => line += n + 1,
                None => {
                    return self
                        .fail_at(start, format!("this heredoc has no closing `{delim}` line"));
                }
            }
        };
        // The content is parsed on its own, so that nothing inside it reads past it.
        let mut inner = Parser {
            s: &self.s[..close],
            b: &self.b[..close],
            i: content,
            file: self.file,
            base: self.base,
            depth: self.depth,
            scratch: Scratch::default(),
        };
        let (mut pieces, stop) = inner.pieces(Quoting::Raw)?;
        if let Some(kw) = stop {
            return inner.fail(format!("`%{{ {kw} }}` without an opening directive"));
        }
        if indented {
            dedent(self.s, &mut pieces);
        }
        let parts = inner.parts(pieces);
        self.i = delim_at + delim.len();
        let span = self.span(start, self.i);
        Ok((
            Expr {
                kind: ExprKind::Template(parts),
                span,
            },
            span,
        ))
    }
}

/// A literal part being read: where it starts, and, once an escape made its value
/// differ from its source, the value so far and how far the source is copied in.
struct Literal {
    start: usize,
    copied: usize,
    value: String,
    escaped: bool,
}

impl Literal {
    fn at(start: usize) -> Self {
        Literal {
            start,
            copied: start,
            value: String::new(),
            escaped: false,
        }
    }

    /// The `len` source bytes at `at` stand for `c`.
    fn replace(&mut self, s: &str, at: usize, len: usize, c: char) {
        self.value.push_str(&s[self.copied..at]);
        self.value.push(c);
        self.copied = at + len;
        self.escaped = true;
    }

    fn flush(&mut self, p: &Parser, parts: &mut Vec<Piece>) {
        if p.i == self.start {
            return;
        }
        let value = self.escaped.then(|| {
            let mut v = std::mem::take(&mut self.value);
            v.push_str(&p.s[self.copied..p.i]);
            v
        });
        parts.push(Piece::Lit {
            start: self.start,
            end: p.i,
            value,
        });
        *self = Literal::at(p.i);
    }
}

/// A template part, its literals still as source ranges (and values where escapes
/// made them differ), so that a `<<-` heredoc can be dedented first.
enum Piece {
    Lit {
        start: usize,
        end: usize,
        value: Option<String>,
    },
    Part(Part),
}

/// Removes the indentation common to every line of a `<<-` heredoc. A line that
/// starts with an interpolation or directive has none; so, as in hcl-edit, the
/// literals inside directives are left as they are.
fn dedent(s: &str, pieces: &mut [Piece]) {
    let text = |p: &Piece| match p {
        Piece::Lit { start, end, value } => {
            Some(value.clone().unwrap_or_else(|| s[*start..*end].to_string()))
        }
        Piece::Part(_) => None,
    };
    // Each literal's lines, each with whether it starts a line of the heredoc and
    // holds more than its line break (only those are indented).
    let texts: Vec<Option<String>> = pieces.iter().map(text).collect();
    let mut lines: Vec<Vec<(bool, &str)>> = Vec::with_capacity(texts.len());
    let mut at_start = true;
    for t in &texts {
        let Some(t) = t else {
            // An interpolation or directive at a line start: no indentation to remove.
            if at_start {
                return;
            }
            lines.push(Vec::new());
            continue;
        };
        let content = |l: &str| !l.trim_end_matches('\n').trim_end_matches('\r').is_empty();
        lines.push(
            t.split_inclusive('\n')
                .enumerate()
                .map(|(i, l)| ((i > 0 || at_start) && content(l), l))
                .collect(),
        );
        at_start = t.ends_with('\n');
    }
    let indent = lines
        .iter()
        .flatten()
        .filter(|(indented, _)| *indented)
        .map(|(_, l)| l.chars().take_while(|c| *c == ' ' || *c == '\t').count())
        .min();
    let Some(n) = indent.filter(|n| *n > 0) else {
        return;
    };
    for (p, lines) in pieces.iter_mut().zip(&lines) {
        if let Piece::Lit { value, .. } = p {
            let mut out = String::new();
            for (indented, l) in lines {
                let from = if *indented {
                    l.char_indices().nth(n).map_or(l.len(), |(b, _)| b)
                } else {
                    0
                };
                out.push_str(&l[from..]);
            }
            *value = Some(out);
        }
    }
}

/// Pops two operands and an operator into a binary expression.
fn reduce(operands: &mut Vec<(Expr, Span)>, ops: &mut Vec<BinaryOp>) {
    let op = ops.pop().expect("an operator to reduce");
    let (rhs, rhs_outer) = operands.pop().expect("a right operand");
    let (lhs, lhs_outer) = operands.pop().expect("a left operand");
    let span = Span {
        end: rhs_outer.end,
        ..lhs_outer
    };
    let kind = ExprKind::Binary(op, Box::new(lhs), Box::new(rhs));
    operands.push((Expr { kind, span }, span));
}

fn same_key(a: &ObjectKey, b: &ObjectKey) -> bool {
    match (a, b) {
        (ObjectKey::Ident(a, _), ObjectKey::Ident(b, _)) => a == b,
        (ObjectKey::Expr(a), ObjectKey::Expr(b)) => match (&a.kind, &b.kind) {
            (ExprKind::Str(a), ExprKind::Str(b)) => a.raw() == b.raw(),
            _ => false,
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::terraform::hcl_edit_reference as reference;
    use std::path::{Path, PathBuf};

    /// A tree with what hcl-edit does not record set aside: the span of an
    /// identifier object key (it gives the object's).
    fn canonical(mut b: Body) -> Body {
        fn expr(e: &mut Expr) {
            match &mut e.kind {
                ExprKind::Template(ps) => ps.iter_mut().for_each(part),
                ExprKind::Array(items) => items.iter_mut().for_each(expr),
                ExprKind::Call { args, .. } => args.iter_mut().for_each(expr),
                ExprKind::Object(entries) => {
                    for (k, v) in entries {
                        match k {
                            ObjectKey::Ident(_, s) => *s = Span::default(),
                            ObjectKey::Expr(k) => expr(k),
                        }
                        expr(v);
                    }
                }
                ExprKind::Traversal(root, ops) => {
                    expr(root);
                    for op in ops {
                        if let Op::Index(i) = op {
                            expr(i);
                        }
                    }
                }
                ExprKind::Conditional(a, b, c) => {
                    expr(a);
                    expr(b);
                    expr(c);
                }
                ExprKind::Unary(_, a) => expr(a),
                ExprKind::Binary(_, a, b) => {
                    expr(a);
                    expr(b);
                }
                ExprKind::For(f) => {
                    expr(&mut f.collection);
                    f.key.iter_mut().for_each(expr);
                    expr(&mut f.value);
                    f.cond.iter_mut().for_each(expr);
                }
                _ => {}
            }
        }
        fn part(p: &mut Part) {
            match p {
                Part::Lit(_) => {}
                Part::Interp(e) => expr(e),
                Part::If(i) => {
                    expr(&mut i.cond);
                    i.then.iter_mut().for_each(part);
                    i.otherwise.iter_mut().for_each(part);
                }
                Part::For(f) => {
                    expr(&mut f.collection);
                    f.body.iter_mut().for_each(part);
                }
            }
        }
        fn body(b: &mut Body) {
            b.attrs.iter_mut().for_each(|a| expr(&mut a.value));
            b.blocks.iter_mut().for_each(|bl| body(&mut bl.body));
        }
        body(&mut b);
        b
    }

    fn native_files(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            let Ok(ft) = e.file_type() else { continue };
            if ft.is_dir() {
                native_files(&p, out);
            } else if ft.is_file()
                && p.extension()
                    .is_some_and(|x| x == "tf" || x == "tfvars" || x == "hcl")
            {
                out.push(p);
            }
        }
    }

    /// Our parser against hcl-edit's on every file under `dir`: the same tree for
    /// every file both parse; what differs, and the files only one of them parses.
    fn differential(dir: &Path) -> (usize, Vec<String>) {
        use rayon::prelude::*;
        let mut files = Vec::new();
        native_files(dir, &mut files);
        files.sort();
        let results: Vec<Option<String>> = files
            .par_iter()
            .filter_map(|path| {
                let text = std::fs::read_to_string(path).ok()?;
                let text = text.strip_prefix('\u{FEFF}').unwrap_or(&text);
                let theirs = reference::body(FileId(0), text, 0);
                let ours = body(FileId(0), text, 0);
                let at = path.display();
                Some(match (theirs, ours) {
                    (Ok(t), Ok(o)) => {
                        let (t, o) = (canonical(t), canonical(o));
                        (t != o).then(|| {
                            let (t, o) = (format!("{t:#?}"), format!("{o:#?}"));
                            let line = t
                                .lines()
                                .zip(o.lines())
                                .position(|(a, b)| a != b)
                                .unwrap_or(0);
                            let ctx = |s: &str| {
                                s.lines()
                                    .skip(line.saturating_sub(6))
                                    .take(12)
                                    .collect::<Vec<_>>()
                                    .join("\n")
                            };
                            format!("{at}:\n--- hcl-edit\n{}\n--- ours\n{}", ctx(&t), ctx(&o))
                        })
                    }
                    (Err(_), Err(_)) => None,
                    (Err(t), Ok(_)) => {
                        Some(format!("{at}: only hcl-edit rejects it: {}", t.message))
                    }
                    (Ok(_), Err(o)) => Some(format!(
                        "{at}: only we reject it: {} at {:?}",
                        o.message, o.span
                    )),
                })
            })
            .collect();
        let compared = results.len();
        (compared, results.into_iter().flatten().collect())
    }

    #[test]
    fn same_trees_as_hcl_edit_on_the_fixtures() {
        let (compared, differ) =
            differential(&Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata"));
        assert!(compared > 50, "{compared}");
        assert!(differ.is_empty(), "{}", differ.join("\n\n"));
    }

    /// Every native Terraform file of the corpus gives the tree hcl-edit gave.
    #[test]
    fn same_trees_as_hcl_edit_on_the_corpus() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
        if !dir.is_dir() {
            eprintln!("skipped: ../shared/corpus is absent");
            return;
        }
        let (compared, differ) = differential(&dir);
        assert!(compared > 4000, "{compared}");
        let shown: Vec<_> = differ.iter().take(5).cloned().collect();
        assert!(
            differ.is_empty(),
            "{} of {compared} files differ:\n{}",
            differ.len(),
            shown.join("\n\n")
        );
    }

    fn parse(src: &str) -> Body {
        body(FileId(0), src, 0).unwrap_or_else(|e| panic!("{src}: {e:?}"))
    }

    fn value(src: &str) -> Expr {
        parse(src)
            .attrs
            .into_iter()
            .next()
            .expect("one attribute")
            .value
    }

    /// Terraform reads newlines inside `for` expressions as spaces; hcl-edit
    /// rejected them.
    #[test]
    fn newlines_inside_for_expressions() {
        let e = value("x = {\n  for k, v in var.m :\n  k => v\n  if v != null\n}\n");
        let ExprKind::For(f) = e.kind else {
            panic!("{e:?}")
        };
        assert_eq!(f.key_var.as_deref(), Some("k"));
        assert!(f.key.is_some() && f.cond.is_some());
        let e = value("x = [for s in var.l :\n upper(s)\n]\n");
        assert!(matches!(e.kind, ExprKind::For(_)), "{e:?}");
    }

    /// Runs `f` on a stack like the scan's threads have.
    fn on_scan_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        std::thread::Builder::new()
            .stack_size(64 << 20)
            .spawn(f)
            .expect("a thread")
            .join()
            .expect("no panic")
    }

    /// Deeper than hcl-edit's 64 levels parses; past our bound is an error, not an
    /// overflowed stack (arrays, parentheses, operator chains, directives).
    #[test]
    fn nesting_is_bounded_not_overflowed() {
        on_scan_stack(nesting_is_bounded);
    }

    fn nesting_is_bounded() {
        let ok = format!("a = {}1{}\n", "[".repeat(120), "]".repeat(120));
        parse(&ok);
        for src in [
            format!("a = {}1{}\n", "[".repeat(100_000), "]".repeat(100_000)),
            format!("a = {}1{}\n", "(".repeat(100_000), ")".repeat(100_000)),
            format!("a = 1{}\n", " + 1".repeat(100_000)),
            format!("a = {}1\n", "!".repeat(100_000)),
            format!("a = \"{}\"\n", "%{ if true }".repeat(100_000)),
            format!("{}\n", "b {\n".repeat(100_000)),
        ] {
            let err = body(FileId(0), &src, 0).unwrap_err();
            assert!(
                err.message.contains("nesting deeper than"),
                "{}",
                err.message
            );
        }
    }

    #[test]
    fn operators_group_by_precedence_and_from_the_left() {
        let e = value("x = a || b && c == d + e * f - g\n");
        let ExprKind::Binary(BinaryOp::Or, _, rhs) = &e.kind else {
            panic!("{e:?}")
        };
        let ExprKind::Binary(BinaryOp::And, _, rhs) = &rhs.kind else {
            panic!("{rhs:?}")
        };
        let ExprKind::Binary(BinaryOp::Eq, _, rhs) = &rhs.kind else {
            panic!("{rhs:?}")
        };
        // (d + e * f) - g
        let ExprKind::Binary(BinaryOp::Sub, lhs, _) = &rhs.kind else {
            panic!("{rhs:?}")
        };
        assert!(
            matches!(lhs.kind, ExprKind::Binary(BinaryOp::Add, _, _)),
            "{lhs:?}"
        );
        let e = value("x = (a ? b : c) ? d : e\n");
        let ExprKind::Conditional(c, ..) = &e.kind else {
            panic!("{e:?}")
        };
        assert!(matches!(c.kind, ExprKind::Conditional(..)));
    }

    /// `(k) = v` takes the key from `k`'s value; `k = v` is the literal key "k".
    #[test]
    fn parenthesized_object_keys_are_expressions() {
        let e = value("x = { k = 1, (k) = 2, \"s\" = 3 }\n");
        let ExprKind::Object(entries) = &e.kind else {
            panic!("{e:?}")
        };
        assert!(matches!(&entries[0].0, ObjectKey::Ident(k, _) if k == "k"));
        assert!(
            matches!(&entries[1].0, ObjectKey::Expr(Expr { kind: ExprKind::Var(k), .. }) if k == "k")
        );
        assert!(matches!(
            &entries[2].0,
            ObjectKey::Expr(Expr {
                kind: ExprKind::Str(_),
                ..
            })
        ));
    }

    #[test]
    fn templates_escapes_and_directives() {
        let src = "x = \"a\\n$${b}%%{c}${d}%{ if e }f%{ else }g%{ endif }\"\n";
        let e = value(src);
        let ExprKind::Template(parts) = &e.kind else {
            panic!("{e:?}")
        };
        let Part::Lit(t) = &parts[0] else {
            panic!("{parts:?}")
        };
        assert_eq!(t.raw(), "a\n${b}%{c}");
        assert!(matches!(&parts[1], Part::Interp(Expr { kind: ExprKind::Var(d), .. }) if d == "d"));
        let Part::If(i) = &parts[2] else {
            panic!("{parts:?}")
        };
        assert!(matches!(&i.then[..], [Part::Lit(t)] if t.raw() == "f"));
        assert!(matches!(&i.otherwise[..], [Part::Lit(t)] if t.raw() == "g"));
        // A string without interpolation is a plain string, mapped byte for byte.
        let src = "x = \"plain\"\n";
        let ExprKind::Str(t) = value(src).kind else {
            panic!()
        };
        assert_eq!(&src[t.source_span(0..5).unwrap().range()], "plain");
    }

    /// `<<-` removes the indentation common to all lines; a line at column 0 means
    /// there is none. The closing line may be indented.
    #[test]
    fn heredocs() {
        let lit = |src: &str| {
            let ExprKind::Template(parts) = value(src).kind else {
                panic!()
            };
            parts
                .iter()
                .map(|p| match p {
                    Part::Lit(t) => t.raw().to_string(),
                    _ => "${}".into(),
                })
                .collect::<String>()
        };
        assert_eq!(lit("x = <<-EOT\n    a\n      b\n    EOT\n"), "a\n  b\n");
        assert_eq!(lit("x = <<-EOT\n    a\nb\n  EOT\n"), "    a\nb\n");
        assert_eq!(lit("x = <<EOT\n  a ${b}\nEOTX\nEOT\n"), "  a ${}\nEOTX\n");
        assert_eq!(lit("x = <<EOT\nEOT\n"), "");
        // The closing delimiter may be followed by what closes the call.
        let ExprKind::Call { args, .. } = value("x = f(<<EOT\nq\nEOT\n)\n").kind else {
            panic!()
        };
        assert!(
            matches!(&args[0].kind, ExprKind::Template(p) if matches!(&p[..], [Part::Lit(t)] if t.raw() == "q\n"))
        );
    }

    #[test]
    fn errors_are_located_and_say_what_was_expected() {
        for (src, at, says) in [
            ("a = \"open\n", 4, "not closed"),
            ("a = [1, 2\n", 10, "expected `,` or `]`"),
            ("b {\n  c = 1\n", 2, "no closing `}`"),
            ("a = 1\na = 2\n", 6, "defined twice"),
            ("a = <<EOT\nno end\n", 4, "no closing `EOT` line"),
            ("a = \"\\q\"\n", 5, "invalid escape"),
            ("a = 1 2\n", 6, "expected a newline"),
            ("a = /* open\n", 4, "unterminated"),
        ] {
            let err = body(FileId(0), src, 0).unwrap_err();
            assert_eq!(err.span.start as usize, at, "{src:?}: {err:?}");
            assert!(err.message.contains(says), "{src:?}: {}", err.message);
        }
    }
}
