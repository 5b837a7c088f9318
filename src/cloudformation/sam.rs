//! What the SAM transform makes of an `AWS::Serverless::Function` without a
//! `Role`: an execution role that Lambda assumes, holding the function's
//! `Policies`: AWS managed policy names or ARNs, inline policy documents, and SAM
//! policy templates. The S3 templates are expanded as the SAM translator defines
//! them (`samtranslator/policy_templates_data/policy_templates.json`, checked at
//! aws/serverless-application-model 7000d0a, 2026-05-29); others grant
//! nothing on S3 and are left out.

use crate::model::value::{Hole, Key, Node, NodeKind, Text};
use crate::source::Span;

/// A template's statement: its actions, and whether it covers the bucket and its
/// objects.
type TemplateStatement = (&'static [&'static str], bool, bool);

/// The S3 policy templates by name.
const S3_TEMPLATES: [(&str, &[TemplateStatement]); 4] = [
    (
        "S3ReadPolicy",
        &[(
            &[
                "s3:GetObject",
                "s3:ListBucket",
                "s3:GetBucketLocation",
                "s3:GetObjectVersion",
                "s3:GetLifecycleConfiguration",
            ],
            true,
            true,
        )],
    ),
    (
        "S3WritePolicy",
        &[(
            &[
                "s3:PutObject",
                "s3:PutObjectAcl",
                "s3:PutLifecycleConfiguration",
            ],
            true,
            true,
        )],
    ),
    (
        "S3CrudPolicy",
        &[(
            &[
                "s3:GetObject",
                "s3:ListBucket",
                "s3:GetBucketLocation",
                "s3:GetObjectVersion",
                "s3:PutObject",
                "s3:PutObjectAcl",
                "s3:GetLifecycleConfiguration",
                "s3:PutLifecycleConfiguration",
                "s3:DeleteObject",
            ],
            true,
            true,
        )],
    ),
    (
        "S3FullAccessPolicy",
        &[
            (
                &[
                    "s3:GetObject",
                    "s3:GetObjectAcl",
                    "s3:GetObjectVersion",
                    "s3:PutObject",
                    "s3:PutObjectAcl",
                    "s3:DeleteObject",
                    "s3:DeleteObjectTagging",
                    "s3:DeleteObjectVersionTagging",
                    "s3:GetObjectTagging",
                    "s3:GetObjectVersionTagging",
                    "s3:PutObjectTagging",
                    "s3:PutObjectVersionTagging",
                ],
                false,
                true,
            ),
            (
                &[
                    "s3:ListBucket",
                    "s3:GetBucketLocation",
                    "s3:GetLifecycleConfiguration",
                    "s3:PutLifecycleConfiguration",
                ],
                true,
                false,
            ),
        ],
    ),
];

fn map(entries: Vec<(&str, Node)>, span: Option<Span>) -> Node {
    let entries = entries
        .into_iter()
        .map(|(k, v)| {
            (
                Key {
                    name: k.to_string(),
                    span,
                },
                v,
            )
        })
        .collect();
    Node::new(NodeKind::Map(entries), span)
}

fn string(s: &str, span: Option<Span>) -> Node {
    Node::str(Text::lit(s), span)
}

/// The trust policy of the role SAM creates: Lambda assumes it.
pub fn trust(span: Span) -> Node {
    let s = Some(span);
    let statement = map(
        vec![
            ("Effect", string("Allow", s)),
            (
                "Principal",
                map(vec![("Service", string("lambda.amazonaws.com", s))], s),
            ),
            ("Action", string("sts:AssumeRole", s)),
        ],
        s,
    );
    map(
        vec![("Statement", Node::new(NodeKind::List(vec![statement]), s))],
        s,
    )
}

/// One entry of a function's `Policies`, as SAM reads it.
pub enum SamPolicy {
    /// An AWS managed policy (by name) or a policy ARN.
    Managed(Text),
    /// A policy document: inline, or a policy template expanded.
    Document(Node),
    /// An entry that cannot be read statically.
    Unknown,
}

/// The entries of `Policies` (a list, or one entry) that may bear on S3.
pub fn policies(node: &Node) -> Vec<SamPolicy> {
    let items: Vec<&Node> = match &node.kind {
        NodeKind::List(l) => l.iter().collect(),
        _ => vec![node],
    };
    items.into_iter().filter_map(entry).collect()
}

/// One entry; `None` for a policy template that grants nothing on S3.
fn entry(item: &Node) -> Option<SamPolicy> {
    if item.is_unknown() {
        return Some(SamPolicy::Unknown);
    }
    if let Some(t) = item.as_text() {
        // `AmazonS3FullAccess` is SAM's short form of the AWS managed policy.
        let arn = match t.as_lit() {
            Some(name) if !name.starts_with("arn:") => {
                Text::lit(&format!("arn:aws:iam::aws:policy/{name}"))
            }
            _ => t.clone(),
        };
        return Some(SamPolicy::Managed(arn));
    }
    if item.get("Statement").is_some() {
        return Some(SamPolicy::Document(item.clone()));
    }
    let (key, params) = item.entries().first()?;
    let (_, statements) = S3_TEMPLATES.iter().find(|(n, _)| *n == key.name)?;
    let Some(bucket) = params.get("BucketName").and_then(Node::as_text) else {
        return Some(SamPolicy::Unknown);
    };
    let span = item.span;
    let arn = |objects: bool| {
        let mut t = Text::lit("arn:");
        t.push(&Text::hole(Hole::Partition));
        t.push_str(":s3:::");
        t.push(bucket);
        if objects {
            t.push_str("/*");
        }
        Node::str(t, span)
    };
    let statements = statements
        .iter()
        .map(|(actions, on_bucket, on_objects)| {
            let actions = actions.iter().map(|a| string(a, span)).collect();
            let mut resources = Vec::new();
            if *on_bucket {
                resources.push(arn(false));
            }
            if *on_objects {
                resources.push(arn(true));
            }
            map(
                vec![
                    ("Effect", string("Allow", span)),
                    ("Action", Node::new(NodeKind::List(actions), span)),
                    ("Resource", Node::new(NodeKind::List(resources), span)),
                ],
                span,
            )
        })
        .collect();
    Some(SamPolicy::Document(map(
        vec![("Statement", Node::new(NodeKind::List(statements), span))],
        span,
    )))
}
