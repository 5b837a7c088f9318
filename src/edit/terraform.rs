//! Terraform edits in native syntax: set an attribute of a block, add a nested block,
//! add a resource after its bucket, indented and aligned the way `terraform fmt`
//! writes them. Files in JSON syntax get no fixes.

use super::{Fixer, indent_at, line_end, newline};
use crate::finding::Edit;
use crate::source::Span;
use crate::terraform::ast::{Block, Body};
use crate::terraform::parse::parse_file;
use std::collections::HashSet;
use std::sync::Arc;

/// HCL to write: an attribute (name, expression as written) or a nested block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hcl {
    Attr(String, String),
    Block(String, Vec<Hcl>),
}

/// An attribute whose value is written as `value`.
pub fn attr(name: &str, value: impl Into<String>) -> Hcl {
    Hcl::Attr(name.into(), value.into())
}

/// A string literal.
pub fn string(s: &str) -> String {
    format!("\"{s}\"")
}

/// A nested block.
pub fn block(name: &str, items: Vec<Hcl>) -> Hcl {
    Hcl::Block(name.into(), items)
}

/// Writes `items` one per line at `indent`, with `=` aligned across consecutive
/// attributes (as `terraform fmt` does); no line break after the last.
pub fn render(items: &[Hcl], indent: &str, nl: &str) -> String {
    let mut lines = Vec::new();
    let mut i = 0;
    while i < items.len() {
        match &items[i] {
            Hcl::Attr(..) => {
                let group: Vec<_> = items[i..]
                    .iter()
                    .map_while(|h| match h {
                        Hcl::Attr(n, v) => Some((n, v)),
                        Hcl::Block(..) => None,
                    })
                    .collect();
                let width = group.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
                for (n, v) in &group {
                    // A value over lines (a policy) takes the file's line breaks.
                    let v = v.replace('\n', nl);
                    lines.push(format!("{indent}{n:<width$} = {v}"));
                }
                i += group.len();
            }
            Hcl::Block(name, body) => {
                let inner = format!("{indent}  ");
                if body.is_empty() {
                    lines.push(format!("{indent}{name} {{}}"));
                } else {
                    lines.push(format!(
                        "{indent}{name} {{{nl}{}{nl}{indent}}}",
                        render(body, &inner, nl)
                    ));
                }
                i += 1;
            }
        }
    }
    lines.join(nl)
}

impl Fixer<'_> {
    /// The file's syntax tree, when it is native syntax that parses.
    fn hcl(&self, file: crate::source::FileId) -> Option<&Body> {
        let slot = self.hcl.get(file.0 as usize)?;
        slot.get_or_init(|| {
            self.is_hcl(file)
                .then(|| parse_file(file, self.text(file), false).ok())
                .flatten()
        })
        .as_ref()
    }

    /// The top-level block whose header is `header`, in a file a fix may edit.
    pub fn tf_block(&self, header: Span) -> Option<&Block> {
        if !self.editable(header.file) {
            return None;
        }
        let body = self.hcl(header.file)?;
        let i = body
            .blocks
            .binary_search_by_key(&header.start, |b| b.header.start)
            .ok()?;
        let b = &body.blocks[i];
        (b.header == header).then_some(b)
    }

    /// Inserts `items` at the end of `block`'s body: attributes after its last
    /// attribute (aligned with it), blocks after everything.
    pub fn tf_insert(&self, block: &Block, items: &[Hcl]) -> Vec<Edit> {
        let file = block.header.file;
        let text = self.text(file);
        let src = self.source(file);
        let nl = newline(src);
        let body = &block.body;
        let only_attrs = items.iter().all(|h| matches!(h, Hcl::Attr(..)));
        let last_attr = body.attrs.iter().max_by_key(|a| a.value.span.end);
        let last_item = body
            .attrs
            .iter()
            .map(|a| (a.key_span, a.value.span.end as usize))
            .chain(body.blocks.iter().map(|b| (b.header, b.span.end as usize)))
            .max_by_key(|(_, end)| *end);
        let after = if only_attrs {
            last_attr.map(|a| (a.key_span, a.value.span.end as usize))
        } else {
            last_item
        };
        let Some((key, end)) = after.or(last_item) else {
            // An empty body: `{}` or `{` and `}` on their own lines.
            let indent = indent_at(src, block.header.start as usize);
            let (header_end, end) = (block.header.end as usize, block.span.end as usize);
            let open = header_end + text[header_end..end].find('{').unwrap_or_default();
            let inner = format!("{indent}  ");
            return vec![Edit {
                span: Span::new(file, open..end),
                text: format!("{{{nl}{}{nl}{indent}}}", render(items, &inner, nl)),
            }];
        };
        let indent = indent_at(src, key.start as usize);
        let at = line_end(src, end);
        let mut edits = Vec::new();
        let mut rendered = render(items, indent, nl);
        // One attribute after another: aligned with its group as `terraform fmt`
        // aligns it, the group realigned when the new name is longer.
        if let (Some(last), [Hcl::Attr(n, v)]) = (last_attr.filter(|_| only_attrs), items) {
            let group = aligned_group(src, body, last);
            let column = group.iter().map(|g| g.eq - g.line).max().unwrap_or(0);
            let width = column.saturating_sub(indent.len() + 1).max(n.len());
            rendered = format!("{indent}{n:<width$} = {v}");
            let target = indent.len() + width + 1;
            // Only a longer name moves the others; their own alignment stays as written.
            let widened = target > column;
            for g in group.iter().filter(|g| widened && g.eq - g.line != target) {
                let pad = target.saturating_sub(g.key_end - g.line).max(1);
                edits.push(Edit {
                    span: Span::new(file, g.key_end..g.eq),
                    text: " ".repeat(pad),
                });
            }
        }
        edits.push(Edit {
            span: Span::new(file, at..at),
            text: format!("{nl}{rendered}"),
        });
        edits
    }

    /// The `data "ty" "name"` block in `file`.
    pub fn tf_data_block(
        &self,
        ty: &str,
        name: &str,
        file: crate::source::FileId,
    ) -> Option<&Block> {
        if !self.editable(file) {
            return None;
        }
        self.hcl(file)?.blocks.iter().find(|b| {
            b.ident == "data"
                && b.labels.first().is_some_and(|l| l == ty)
                && b.labels.get(1).is_some_and(|l| l == name)
        })
    }

    /// Was the bucket written for provider v3 (settings as inline blocks)? Then its
    /// fixes are inline blocks too; otherwise separate resources.
    pub fn tf_inline_style(&self, bucket: &Block) -> bool {
        const INLINE: &[&str] = &[
            "versioning",
            "server_side_encryption_configuration",
            "logging",
            "lifecycle_rule",
            "website",
            "cors_rule",
            "replication_configuration",
            "grant",
        ];
        bucket
            .body
            .blocks
            .iter()
            .any(|b| INLINE.contains(&b.ident.as_str()))
    }

    /// Adds configuration to the bucket declared at `decl`: the inline block `inline`
    /// when the bucket is written in the v3 style and there is one, else a resource
    /// `ty` holding `items` (see [`Fixer::tf_resource_for`]).
    pub fn tf_configure(
        &self,
        decl: Span,
        ty: &str,
        items: impl FnOnce(&str) -> Vec<Hcl>,
        inline: Option<Hcl>,
    ) -> Option<Edit> {
        let bucket = self.tf_block(decl).filter(|b| {
            b.ident == "resource" && b.labels.first().is_some_and(|l| l == "aws_s3_bucket")
        })?;
        match inline {
            Some(inline) if self.tf_inline_style(bucket) => {
                let mut edits = self.tf_insert(bucket, &[inline]);
                (edits.len() == 1).then(|| edits.remove(0))
            }
            _ => self.tf_resource_for(bucket, ty, items),
        }
    }

    /// A new resource of type `ty` after the bucket `bucket`, named after it and
    /// targeting it (with the bucket's `count` or `for_each`), holding `items` (given
    /// how it refers to the bucket: `aws_s3_bucket.b`, `each.value`).
    /// None when the module already has a resource of that type and name.
    pub fn tf_resource_for(
        &self,
        bucket: &Block,
        ty: &str,
        items: impl FnOnce(&str) -> Vec<Hcl>,
    ) -> Option<Edit> {
        let name = bucket.labels.get(1)?;
        if self.tf_resource_exists(bucket.header, ty, name) {
            return None;
        }
        let text = self.text(bucket.header.file);
        let mut body = Vec::new();
        // The bucket as the new resource refers to it, one instance per instance.
        let reference = if let Some(count) = bucket.body.attr("count") {
            let written = text.get(count.value.span.range())?;
            body.push(attr("count", written));
            format!("aws_s3_bucket.{name}[count.index]")
        } else if bucket.body.attr("for_each").is_some() {
            body.push(attr("for_each", format!("aws_s3_bucket.{name}")));
            "each.value".to_string()
        } else {
            format!("aws_s3_bucket.{name}")
        };
        body.push(attr("bucket", format!("{reference}.id")));
        let items = items(&reference);
        body.extend(items);
        let src = self.source(bucket.header.file);
        let nl = newline(src);
        let indent = indent_at(src, bucket.header.start as usize);
        let inner = format!("{indent}  ");
        let at = bucket.span.end as usize;
        Some(Edit {
            span: Span::new(bucket.header.file, at..at),
            text: format!(
                "{nl}{nl}{indent}resource \"{ty}\" \"{name}\" {{{nl}{}{nl}{indent}}}",
                render(&body, &inner, nl)
            ),
        })
    }

    /// Is the variable default, local or tfvars value written at `origin` read once
    /// (`var.NAME` or `local.NAME` once in the `.tf` files of its directory)?
    pub(super) fn tf_used_once(&self, origin: Span, tfvars: bool) -> bool {
        let Some(body) = self.hcl(origin.file) else {
            return false;
        };
        let inside = |s: Span| s.start <= origin.start && origin.end <= s.end;
        let reference = if tfvars {
            body.attrs
                .iter()
                .find(|a| a.value.span == origin)
                .map(|a| format!("var.{}", a.key))
        } else {
            body.blocks
                .iter()
                .find(|b| inside(b.span))
                .and_then(|b| match b.ident.as_str() {
                    "variable" => {
                        let default = b.body.attr("default")?;
                        let name = b.labels.first()?;
                        (default.value.span == origin).then(|| format!("var.{name}"))
                    }
                    "locals" => {
                        let a = b.body.attrs.iter().find(|a| a.value.span == origin)?;
                        Some(format!("local.{}", a.key))
                    }
                    _ => None,
                })
        };
        let Some(reference) = reference else {
            return false;
        };
        let (dir, files) = self.module_files(origin.file);
        let scope = dir
            .as_ref()
            .map(|d| d.display().to_string())
            .unwrap_or_default();
        let uses = self.reads(scope, reference.clone(), || {
            files
                .filter(|f| f.path.extension().is_some_and(|e| e == "tf"))
                .map(|f| count_references(&f.text, &reference))
                .sum()
        });
        uses == 1
    }

    /// Does the module of the file holding `at` (the `.tf` files of its directory
    /// that were read) declare `resource "ty" "name"`?
    fn tf_resource_exists(&self, at: Span, ty: &str, name: &str) -> bool {
        let (dir, files) = self.module_files(at.file);
        let declared = super::memo(&self.resources, dir, || {
            let set: HashSet<(String, String)> = files
                .filter_map(|f| self.hcl(f.id))
                .flat_map(|body| &body.blocks)
                .filter(|b| b.ident == "resource")
                .filter_map(|b| Some((b.labels.first()?.to_string(), b.labels.get(1)?.to_string())))
                .collect();
            Arc::new(set)
        });
        declared.contains(&(ty.to_string(), name.to_string()))
    }
}

/// An attribute line of an alignment group: byte offsets of its line, the end of its
/// key and its `=`.
struct Aligned {
    line: usize,
    key_end: usize,
    eq: usize,
}

/// The attributes `terraform fmt` aligns with `last`: the one-line attributes on the
/// lines just above it, without a blank line, comment or block between.
fn aligned_group(
    src: &crate::source::SourceFile,
    body: &Body,
    last: &crate::terraform::ast::Attribute,
) -> Vec<Aligned> {
    let text = src.text.as_str();
    let mut attrs: Vec<_> = body.attrs.iter().collect();
    attrs.sort_by_key(|a| a.key_span.start);
    let one_line = |a: &crate::terraform::ast::Attribute| {
        let line = super::line_start(src, a.key_span.start as usize);
        let key_end = a.key_span.end as usize;
        let eq = key_end + text[key_end..a.value.span.start as usize].find('=')?;
        (!text[line..a.value.span.end as usize].contains('\n')).then_some(Aligned {
            line,
            key_end,
            eq,
        })
    };
    let Some(i) = attrs.iter().position(|a| std::ptr::eq(*a, last)) else {
        return Vec::new();
    };
    let mut group = Vec::new();
    let mut next_line = None;
    for a in attrs[..=i].iter().rev() {
        let Some(g) = one_line(a) else {
            break;
        };
        // Directly above the previous one: its line ends where that one's starts.
        if let Some(next) = next_line
            && line_end(src, g.line) + 1 != next
        {
            break;
        }
        next_line = Some(g.line);
        group.push(g);
    }
    group
}

/// How many times `reference` (`var.acl`) appears in `text` as a whole name.
fn count_references(text: &str, reference: &str) -> usize {
    let ident = |c: char| c.is_alphanumeric() || c == '_' || c == '-';
    text.match_indices(reference)
        .filter(|(i, _)| {
            let before = text[..*i].chars().next_back();
            let after = text[i + reference.len()..].chars().next();
            !before.is_some_and(|c| ident(c) || c == '.') && !after.is_some_and(ident)
        })
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_counted_as_whole_names() {
        let t = "a = var.acl\nb = var.acl_x\nc = \"${var.acl}\"\nd = myvar.acl\n";
        assert_eq!(count_references(t, "var.acl"), 2);
    }

    #[test]
    fn attributes_are_aligned_in_groups() {
        let items = vec![
            attr("bucket", "aws_s3_bucket.b.id"),
            attr("block_public_acls", "true"),
            block(
                "rule",
                vec![block(
                    "apply_server_side_encryption_by_default",
                    vec![attr("sse_algorithm", string("AES256"))],
                )],
            ),
        ];
        assert_eq!(
            render(&items, "  ", "\n"),
            "  bucket            = aws_s3_bucket.b.id\n  block_public_acls = true\n  rule {\n    apply_server_side_encryption_by_default {\n      sse_algorithm = \"AES256\"\n    }\n  }"
        );
    }
}
