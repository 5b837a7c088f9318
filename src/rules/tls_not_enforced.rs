//! BL210: the bucket policy does not deny requests over plain HTTP.

use super::{About, Context, Rule, severity};
use crate::edit::cloudformation::{V, map, s};
use crate::edit::terraform::{Hcl, attr, block, render, string};
use crate::edit::{Fixer, fix};
use crate::finding::{Applicability, Edit, Finding, Fix};
use crate::model::bucket::{Attached, Bucket, BucketPolicy, Origin, PartKind};
use crate::model::policy::enforces_tls;
use crate::model::value::NodeKind;
use crate::model::value::Tri;
use crate::terraform::ast::{ExprKind, ObjectKey};

pub const RULE: Rule = Rule {
    doc: rule_doc!("tls_not_enforced"),
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    use rayon::prelude::*;
    // The costliest rule (every statement against every way of naming the bucket):
    // buckets are judged in parallel, their findings kept in bucket order.
    let per_bucket: Vec<Vec<Finding>> = cx
        .model
        .buckets
        .par_iter()
        .map(|b| {
            let mut found = Vec::new();
            bucket(cx, b, &mut found);
            found
        })
        .collect();
    out.extend(per_bucket.into_iter().flatten());
}

fn bucket(cx: &Context<'_>, b: &Bucket, out: &mut Vec<Finding>) {
    let names = |k: &_| cx.model.name_of(k);
    let help = match b.origin {
        Origin::Terraform => {
            "add a statement that denies `s3:*` to every principal (`\"*\"`) on the bucket ARN and `<bucket ARN>/*` when `aws:SecureTransport` is `false` (condition test `Bool`)"
        }
        Origin::CloudFormation => {
            "add a `Deny` statement for `s3:*`, `Principal: \"*\"`, on the bucket ARN and `<bucket ARN>/*`, with `Condition: { Bool: { aws:SecureTransport: false } }`"
        }
    };
    if b.policies.is_empty() {
        if b.presence(PartKind::Policy) == Tri::No {
            let f = Finding::new(
                "BL210",
                severity("BL210"),
                b.decl,
                format!(
                    "{} has no bucket policy, so nothing denies requests over plain HTTP",
                    b.subject()
                ),
            )
            .label("no bucket policy")
            .fix(cx.fix_bucket(b, |fx| add_policy(fx, b)));
            out.push(f.help(help).about(b));
        }
        return;
    }
    // With several policies, whichever is applied last is the bucket's: each
    // must enforce TLS on its own.
    for policy in &b.policies {
        let Some(doc) = &policy.value.document else {
            continue;
        };
        if cx.model.about_bucket(b, |i| enforces_tls(doc, i, &names)) != Tri::No {
            continue;
        }
        let finding = Finding::new(
            "BL210",
            severity("BL210"),
            policy.span,
            format!(
                "the bucket policy of {} has no statement denying requests over plain HTTP (`aws:SecureTransport` = false) for the bucket and its objects",
                b.label()
            ),
        )
        .label("no TLS-only statement in this policy")
        .related(
            (policy.via.is_some() && !b.external).then_some(b.decl),
            "for this bucket",
        )
        .fix(cx.fix_with(|fx| add_statement(fx, b, policy)));
        out.push(finding.help(help).about(b));
    }
}

const SID: &str = "DenyInsecureTransport";

/// The TLS-only statement in Terraform, for the bucket whose ARN is written `arn`.
fn tf_statement(arn: &str) -> Vec<Hcl> {
    vec![
        attr("Sid", string(SID)),
        attr("Effect", string("Deny")),
        attr("Principal", string("*")),
        attr("Action", string("s3:*")),
        attr("Resource", format!("[{arn}, \"${{{arn}}}/*\"]")),
        attr(
            "Condition",
            "{ Bool = { \"aws:SecureTransport\" = \"false\" } }",
        ),
    ]
}

/// The same in CloudFormation, for the bucket named by `name` (a `Sub` reference).
fn cfn_statement(name: &str) -> V {
    let arn = format!("arn:${{AWS::Partition}}:s3:::{name}");
    json_statement(V::Sub(arn.clone()), V::Sub(format!("{arn}/*")))
}

/// The statement as a JSON document holds it, on the bucket `bucket` and its objects
/// `objects` (a template's `Sub`, a heredoc's interpolation).
fn json_statement(bucket: V, objects: V) -> V {
    map([
        ("Sid", s(SID)),
        ("Effect", s("Deny")),
        ("Principal", s("*")),
        ("Action", s("s3:*")),
        ("Resource", V::List(vec![bucket, objects])),
        (
            "Condition",
            map([("Bool", map([("aws:SecureTransport", s("false"))]))]),
        ),
    ])
}

/// A policy holding only the TLS-only statement. Unsafe: a policy the bucket has
/// outside the scanned code (S3 keeps one) would be replaced.
fn add_policy(fx: &Fixer<'_>, b: &Bucket) -> Option<Fix> {
    let edit = match b.origin {
        Origin::Terraform => fx.tf_configure(
            b.decl,
            "aws_s3_bucket_policy",
            |bucket| {
                let statement = render(&tf_statement(&format!("{bucket}.arn")), "      ", "\n");
                vec![attr(
                    "policy",
                    format!(
                        "jsonencode({{\n    Version = \"2012-10-17\"\n    Statement = [{{\n{statement}\n    }}]\n  }})"
                    ),
                )]
            },
            None,
        )?,
        Origin::CloudFormation => {
            let id = &b.address;
            let name = format!("${{{id}}}");
            let resource = map([
                ("Type", s("AWS::S3::BucketPolicy")),
                (
                    "Properties",
                    map([
                        ("Bucket", V::Ref(id.clone())),
                        (
                            "PolicyDocument",
                            map([
                                ("Version", s("2012-10-17")),
                                ("Statement", V::List(vec![cfn_statement(&name)])),
                            ]),
                        ),
                    ]),
                ),
            ]);
            fx.cfn_add_resource(b.decl, &format!("{id}TlsOnlyPolicy"), &resource)?
        }
    };
    Some(fix(
        Applicability::Unsafe,
        "add a bucket policy that denies requests over plain HTTP",
        vec![edit],
    ))
}

/// The TLS-only statement added to the existing `policy`: a `jsonencode` document's
/// `Statement` list, an `aws_iam_policy_document`, a template's `PolicyDocument`.
fn add_statement(fx: &Fixer<'_>, b: &Bucket, policy: &Attached<BucketPolicy>) -> Option<Fix> {
    let edit = match b.origin {
        Origin::Terraform => tf_add_statement(fx, policy)?,
        Origin::CloudFormation => cfn_add_statement(fx, policy)?,
    };
    Some(fix(
        Applicability::Safe,
        "add a statement that denies requests over plain HTTP",
        vec![edit],
    ))
}

fn tf_add_statement(fx: &Fixer<'_>, policy: &Attached<BucketPolicy>) -> Option<Edit> {
    // A separate `aws_s3_bucket_policy`: an inline policy cannot name its own bucket.
    let resource = fx.tf_block(policy.via.as_ref()?.decl)?;
    let text = fx.text(resource.header.file);
    // The bucket's ARN, from how the policy names the bucket (`aws_s3_bucket.b.id`).
    let bucket = text.get(resource.body.attr("bucket")?.value.span.range())?;
    let base = bucket
        .strip_suffix(".id")
        .or_else(|| bucket.strip_suffix(".bucket"))
        .filter(|b| b.starts_with("aws_s3_bucket.") || *b == "each.value")?;
    let arn = format!("{base}.arn");
    let value = &resource.body.attr("policy")?.value;
    match &value.kind {
        ExprKind::Call { name, args, .. } if &**name == "jsonencode" => {
            let ExprKind::Object(entries) = &args.first()?.kind else {
                return None;
            };
            let list = entries.iter().find_map(|(k, v)| {
                let key = match k {
                    ObjectKey::Ident(n, _) => n.as_str(),
                    ObjectKey::Expr(e) => match &e.kind {
                        ExprKind::Str(t) => t.as_lit()?,
                        _ => return None,
                    },
                };
                (key == "Statement").then_some(v)
            })?;
            let ExprKind::Array(items) = &list.kind else {
                return None;
            };
            let end = items.last()?.span.end as usize;
            let src = fx.source(resource.header.file);
            let base_indent = crate::edit::indent_at(src, end);
            let nl = crate::edit::newline(src);
            let body = render(&tf_statement(&arn), &format!("{base_indent}  "), nl);
            Some(Edit {
                span: crate::source::Span::new(resource.header.file, end..end),
                text: format!(", {{{nl}{body}{nl}{base_indent}}}"),
            })
        }
        ExprKind::Template(_) | ExprKind::Str(_) if text[value.span.range()].starts_with("<<") => {
            heredoc_statement(fx, value.span, &arn)
        }
        ExprKind::Traversal(..) => {
            // `data.aws_iam_policy_document.NAME.json`, declared in the same file.
            let written = text.get(value.span.range())?;
            let name = written
                .strip_prefix("data.aws_iam_policy_document.")?
                .strip_suffix(".json")?;
            let doc = fx.tf_data_block("aws_iam_policy_document", name, resource.header.file)?;
            fx.tf_insert(
                doc,
                &[block(
                    "statement",
                    vec![
                        attr("sid", string(SID)),
                        attr("effect", string("Deny")),
                        attr("actions", "[\"s3:*\"]"),
                        attr("resources", format!("[{arn}, \"${{{arn}}}/*\"]")),
                        block(
                            "principals",
                            vec![attr("type", string("*")), attr("identifiers", "[\"*\"]")],
                        ),
                        block(
                            "condition",
                            vec![
                                attr("test", string("Bool")),
                                attr("variable", string("aws:SecureTransport")),
                                attr("values", "[\"false\"]"),
                            ],
                        ),
                    ],
                )],
            )
            .pop()
        }
        _ => None,
    }
}

fn cfn_add_statement(fx: &Fixer<'_>, policy: &Attached<BucketPolicy>) -> Option<Edit> {
    let decl = policy.via.as_ref()?.decl;
    let props = fx.cfn_resource(decl)?.get("Properties")?;
    let name = match &props.get("Bucket")?.kind {
        NodeKind::Str(t) => t
            .as_lit()
            .filter(|n| !n.contains(['$', '\'', '"']))?
            .to_string(),
        NodeKind::Map(_) => format!("${{{}}}", props.get("Bucket")?.get("Ref")?.as_str()?),
        _ => return None,
    };
    let list = props.get("PolicyDocument")?.get("Statement")?;
    fx.cfn_append(list, &cfn_statement(&name), decl)
}

/// The statement appended to a heredoc's JSON document (`policy = <<EOF ... EOF`),
/// with the bucket's ARN interpolated; a heredoc with template directives is left
/// alone.
fn heredoc_statement(fx: &Fixer<'_>, span: crate::source::Span, arn: &str) -> Option<Edit> {
    let text = fx.text(span.file);
    let heredoc = &text[span.range()];
    // The content: after the opening line, up to the closing delimiter's line.
    let open = heredoc.find('\n')? + 1;
    let close = heredoc.trim_end().rfind('\n')? + 1;
    let content = heredoc.get(open..close)?;
    if content.contains("%{") {
        return None;
    }
    let base = span.start as usize + open;
    let doc = crate::json::parse(content, crate::json::Origin::File(span.file)).ok()?;
    let list = doc.node.get("Statement")?;
    let NodeKind::List(items) = &list.kind else {
        return None;
    };
    let last = items.last()?.span?;
    let first = items.first()?.span?;
    let src = fx.source(span.file);
    let nl = crate::edit::newline(src);
    let indent = crate::edit::indent_at(src, base + first.start as usize);
    let step = "  ";
    let statement = json_statement(s(&format!("${{{arn}}}")), s(&format!("${{{arn}}}/*")));
    let at = base + last.end as usize;
    Some(Edit {
        span: crate::source::Span::new(span.file, at..at),
        text: format!(",{nl}{indent}{}", statement.json(indent, step, nl)),
    })
}
