//! `bucketlint drift --state STATE.json [PATH]`: what is deployed (a Terraform state,
//! `terraform show -json`) against what the code declares. Both go through the one
//! pipeline into the model; buckets are matched by address, then by name (an
//! address that moved), and every security-relevant setting is compared as S3
//! applies it (an absent setting is AWS's default). A deployed value that breaks a
//! rule the declared value keeps is named with the rule and its controls.

pub mod render;

use crate::Scan;
use crate::finding::{Finding, Severity};
use crate::model::bucket::{Bucket, Grant, VersioningStatus};
use crate::model::policy::{Items, PolicyDocument, Principal};
use crate::model::value::{Hole, Text};
use crate::source::{Location, Span};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// What `terraform apply` does about drift, or what to do if the change was meant.
pub const REMEDIATION: &str = "`terraform apply` restores the declared value; if the change was intended, update the code to match it";

/// A setting whose deployed value differs from the declared one.
#[derive(Debug, Clone)]
pub struct Change {
    /// The bucket, by its address in the code.
    pub address: String,
    /// The deployed bucket's address, when it moved.
    pub deployed_address: String,
    pub setting: &'static str,
    pub declared: String,
    /// Where the code declares it (the bucket when the setting is left to AWS).
    pub declared_at: Span,
    pub deployed: String,
    pub deployed_at: Span,
}

/// A rule the deployed bucket breaks and the declared one keeps.
#[derive(Debug, Clone)]
pub struct Broken {
    pub address: String,
    pub code: &'static str,
    pub severity: Severity,
    /// The finding on the deployed bucket (its message and span, in the state).
    pub message: String,
    pub deployed_at: Span,
    pub controls: BTreeMap<String, Vec<String>>,
}

/// A bucket on one side only.
#[derive(Debug, Clone)]
pub struct Lone {
    pub address: String,
    pub name: Option<String>,
    pub at: Span,
}

#[derive(Debug, Default)]
pub struct Drift {
    pub changes: Vec<Change>,
    pub broken: Vec<Broken>,
    /// Deployed, no longer declared.
    pub undeclared: Vec<Lone>,
    /// Declared, not deployed.
    pub undeployed: Vec<Lone>,
    /// Settings that could not be compared (a value unknown on one side).
    pub undetermined: usize,
    pub matched: usize,
}

impl Drift {
    /// Security-relevant drift exists (exit status 1).
    pub fn any(&self) -> bool {
        !(self.changes.is_empty()
            && self.broken.is_empty()
            && self.undeclared.is_empty()
            && self.undeployed.is_empty())
    }
}

/// One setting of a bucket as S3 applies it: `None` when unknown.
struct Setting {
    name: &'static str,
    value: Option<String>,
    span: Span,
}

/// Compares the code's scan with the state's (both kept their models).
pub fn compare(code: &Scan, state: &Scan) -> Drift {
    let mut out = Drift::default();
    let (Some(code_model), Some(state_model)) = (&code.model, &state.model) else {
        return out;
    };
    // Only Terraform buckets declared in the scan: a template's or an external
    // bucket is not in a Terraform state.
    let declared: Vec<&Bucket> = code_model
        .buckets
        .iter()
        .filter(|b| !b.external && b.origin == crate::model::bucket::Origin::Terraform)
        .map(|b| &**b)
        .collect();
    let deployed: Vec<&Bucket> = state_model
        .buckets
        .iter()
        .filter(|b| !b.external)
        .map(|b| &**b)
        .collect();
    let mut taken: BTreeSet<usize> = BTreeSet::new();
    let mut pairs: Vec<(&Bucket, &Bucket)> = Vec::new();
    let mut unmatched: Vec<&Bucket> = Vec::new();
    for d in &declared {
        let by_address = deployed
            .iter()
            .position(|s| s.address == d.address)
            .filter(|i| !taken.contains(i));
        match by_address {
            Some(i) => {
                taken.insert(i);
                pairs.push((d, deployed[i]));
            }
            None => unmatched.push(d),
        }
    }
    // An address that moved (a `moved` block, a refactor into a module): by name.
    for d in unmatched {
        let name = d.literal_name();
        let by_name = name.and_then(|n| {
            deployed
                .iter()
                .enumerate()
                .position(|(i, s)| !taken.contains(&i) && s.literal_name() == Some(n))
        });
        match by_name {
            Some(i) => {
                taken.insert(i);
                pairs.push((d, deployed[i]));
            }
            None => out.undeployed.push(lone(d)),
        }
    }
    for (i, s) in deployed.iter().enumerate() {
        if !taken.contains(&i) {
            out.undeclared.push(lone(s));
        }
    }
    let code_names = names(&declared);
    let state_names = names(&deployed);
    let code_rules = rules_by_address(code);
    let state_rules = rules_by_address(state);
    for (d, s) in pairs {
        out.matched += 1;
        let declared = settings(d, &code_names);
        let deployed = settings(s, &state_names);
        for (a, b) in declared.iter().zip(&deployed) {
            debug_assert_eq!(a.name, b.name);
            match (&a.value, &b.value) {
                (Some(x), Some(y)) if x != y => out.changes.push(Change {
                    address: d.address.clone(),
                    deployed_address: s.address.clone(),
                    setting: a.name,
                    declared: x.clone(),
                    declared_at: a.span,
                    deployed: y.clone(),
                    deployed_at: b.span,
                }),
                (Some(_), Some(_)) => {}
                _ => out.undetermined += 1,
            }
        }
        let keeps = code_rules.get(d.address.as_str());
        for f in state_rules.get(s.address.as_str()).into_iter().flatten() {
            if keeps.is_some_and(|k| k.iter().any(|c| c.code == f.code)) {
                continue;
            }
            out.broken.push(Broken {
                address: d.address.clone(),
                code: f.code,
                severity: f.severity,
                message: f.message.clone(),
                deployed_at: f.span,
                controls: crate::rules::find(f.code)
                    .map(|e| e.doc.compliance.clone())
                    .unwrap_or_default(),
            });
        }
    }
    out
}

fn lone(b: &Bucket) -> Lone {
    Lone {
        address: b.address.clone(),
        name: b.literal_name().map(str::to_string),
        at: b.decl,
    }
}

/// The literal names of buckets by key: a reference to a bucket of the
/// configuration (`target_bucket = aws_s3_bucket.logs.id`) is compared by name.
type Names<'a> = BTreeMap<&'a str, &'a str>;

fn names<'a>(buckets: &[&'a Bucket]) -> Names<'a> {
    buckets
        .iter()
        .filter_map(|b| Some((&*b.key.0, b.literal_name()?)))
        .collect()
}

/// The reported findings of a scan by every resource address they cover.
fn rules_by_address(scan: &Scan) -> BTreeMap<&str, Vec<&Finding>> {
    let mut out: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in scan.reported() {
        for address in f.resource.iter().chain(&f.instances) {
            out.entry(address.as_str()).or_default().push(f);
        }
    }
    out
}

/// The security-relevant settings of a bucket, always in the same order, as S3
/// applies them: what is not declared is AWS's default for a bucket created today.
fn settings(b: &Bucket, names: &Names<'_>) -> Vec<Setting> {
    let at = b.decl;
    let mut out = Vec::new();
    let mut push = |name: &'static str, value: Option<String>, span: Option<Span>| {
        out.push(Setting {
            name,
            value,
            span: span.unwrap_or(at),
        });
    };

    // ACL: a canned ACL, or the grants beyond the owner's own.
    match &b.acl {
        None => push("acl", Some("private".into()), None),
        Some(acl) => {
            let value = match &acl.value.canned {
                Some(c) => c.get().cloned(),
                None if acl.value.grants_unknown => None,
                None => grants(&acl.value.grants),
            };
            push("acl", value, Some(acl.span));
        }
    }

    // The bucket's public access block, flag by flag ("none" when absent: a state
    // records only blocks Terraform manages).
    let flags = b.public_access_block.as_ref();
    for (name, get) in [
        ("block_public_acls", 0),
        ("ignore_public_acls", 1),
        ("block_public_policy", 2),
        ("restrict_public_buckets", 3),
    ] {
        match flags {
            None => push(name, Some("none".into()), None),
            Some(p) => {
                let v = match get {
                    0 => &p.value.block_public_acls,
                    1 => &p.value.ignore_public_acls,
                    2 => &p.value.block_public_policy,
                    _ => &p.value.restrict_public_buckets,
                };
                push(
                    name,
                    v.get().map(ToString::to_string),
                    v.span().or(Some(p.span)),
                );
            }
        }
    }

    // Default encryption: SSE-S3 when nothing is declared (since January 2023).
    match &b.encryption {
        None => push("encryption", Some("AES256".into()), None),
        Some(e) if e.value.unknown => push("encryption", None, Some(e.span)),
        Some(e) => match e.value.rules.first() {
            None => push("encryption", Some("AES256".into()), Some(e.span)),
            Some(r) => {
                let key = r
                    .kms_key
                    .as_ref()
                    .and_then(|k| k.get().map(|t| t.raw().to_string()))
                    .filter(|k| !k.is_empty());
                let value = r.algorithm.get().map(|a| match &key {
                    Some(k) if a.starts_with("aws:kms") => format!("{a} ({k})"),
                    _ => a.clone(),
                });
                push("encryption", value, r.algorithm.span().or(Some(r.span)));
            }
        },
    }

    match &b.versioning {
        None => {
            push("versioning", Some("Disabled".into()), None);
            push("mfa_delete", Some("false".into()), None);
        }
        Some(v) => {
            let status = v.value.status.get().map(|s| {
                match s {
                    VersioningStatus::Enabled => "Enabled",
                    VersioningStatus::Suspended => "Suspended",
                    VersioningStatus::Disabled => "Disabled",
                }
                .to_string()
            });
            push("versioning", status, v.value.status.span().or(Some(v.span)));
            push(
                "mfa_delete",
                v.value.mfa_delete.get().map(ToString::to_string),
                v.value.mfa_delete.span().or(Some(v.span)),
            );
        }
    }

    match &b.logging {
        None => push("logging", Some("off".into()), None),
        Some(l) => push(
            "logging",
            l.value.target_bucket.get().and_then(|t| {
                t.as_lit()
                    .map(|n| format!("to {n}"))
                    .or_else(|| match t.holes() {
                        // A reference to a bucket of the configuration: by its name.
                        [Hole::BucketName(r)]
                            if t.raw() == crate::model::value::HOLE_CHAR.to_string() =>
                        {
                            names.get(&*r.0).map(|n| format!("to {n}"))
                        }
                        _ => None,
                    })
            }),
            l.value.target_bucket.span().or(Some(l.span)),
        ),
    }

    // Object ownership: ACLs disabled (BucketOwnerEnforced) by default since April
    // 2023.
    match &b.ownership {
        None => push("ownership", Some("BucketOwnerEnforced".into()), None),
        Some(o) => push(
            "ownership",
            o.value.rule.get().cloned(),
            o.value.rule.span().or(Some(o.span)),
        ),
    }

    let lock = b
        .object_lock
        .as_ref()
        .map(|l| (&l.value.enabled, l.span))
        .filter(|(v, _)| v.is_explicit())
        .map_or_else(
            || {
                (
                    b.object_lock_enabled.get().copied(),
                    b.object_lock_enabled.span(),
                )
            },
            |(v, span)| (v.get().copied(), v.span().or(Some(span))),
        );
    push(
        "object_lock",
        lock.0
            .map(|e| if e { "Enabled" } else { "off" }.into())
            .or(Some("off".into())),
        lock.1,
    );

    // The bucket policy: its statements in a canonical form.
    let policy = if b.policies.is_empty() {
        Some("none".to_string())
    } else {
        b.policies
            .iter()
            .map(|p| p.value.document.as_ref().and_then(|d| canonical(d, b)))
            .collect::<Option<Vec<String>>>()
            .map(|docs| docs.join(" + "))
    };
    let span = b.policies.first().map(|p| p.span);
    push("policy", policy, span);
    out
}

/// Grants beyond the owner's default one, sorted; `private` when there are none.
fn grants(grants: &[Grant]) -> Option<String> {
    let mut out = Vec::new();
    for g in grants {
        let ty = g.grantee_type.get()?;
        let who = match ty.as_str() {
            "Group" => g
                .uri
                .as_ref()
                .and_then(|u| u.get())
                .map(|u| format!("group {}", u.raw().rsplit('/').next().unwrap_or(""))),
            _ => {
                g.id.as_ref()
                    .and_then(|i| i.get())
                    .map(|i| format!("{} {}", ty.to_lowercase(), i.raw()))
            }
        }?;
        for p in &g.permissions {
            out.push(format!("{who} {}", p.get()?));
        }
    }
    out.sort();
    out.dedup();
    // The owner's own FULL_CONTROL, which every bucket has, alone: private.
    if out.len() == 1 && out[0].starts_with("canonicaluser ") && out[0].ends_with(" FULL_CONTROL") {
        out.clear();
    }
    Some(if out.is_empty() {
        "private".into()
    } else {
        out.join(", ")
    })
}

/// A policy's statements, order-insensitive, with this bucket's own name written
/// as `{bucket}` (the code refers to it, the state spells it): `None` when a part
/// is unknown.
fn canonical(doc: &PolicyDocument, b: &Bucket) -> Option<String> {
    if doc.incomplete {
        return None;
    }
    let name = b.literal_name();
    let text = |t: &Text| -> Option<String> {
        let mut s = t.raw().to_string();
        for h in t.holes() {
            let with = match h {
                Hole::BucketName(r) if *r == b.key => "{bucket}",
                Hole::Partition => "{partition}",
                _ => return None,
            };
            s = s.replacen(crate::model::value::HOLE_CHAR, with, 1);
        }
        for partition in ["aws", "aws-cn", "aws-us-gov"] {
            s = s.replace(&format!("arn:{partition}:"), "arn:{partition}:");
        }
        if let Some(n) = name {
            s = s.replace(&format!(":::{n}"), ":::{bucket}");
        }
        Some(s)
    };
    let items = |i: &Option<Items>| -> Option<String> {
        let Some(i) = i else {
            return Some("-".into());
        };
        if i.unknown {
            return None;
        }
        let mut v: Vec<String> = i
            .values
            .iter()
            .map(|(t, _)| text(t))
            .collect::<Option<_>>()?;
        v.sort();
        v.dedup();
        Some(format!(
            "{}{}",
            if i.not { "not " } else { "" },
            v.join("|")
        ))
    };
    let principal = |p: &Option<Principal>| -> Option<String> {
        let Some(p) = p else {
            return Some("-".into());
        };
        if p.unknown {
            return None;
        }
        let mut v: Vec<String> = p
            .entries
            .iter()
            .map(|e| Some(format!("{}:{}", e.kind, text(&e.value)?)))
            .collect::<Option<_>>()?;
        v.sort();
        v.dedup();
        Some(format!(
            "{}{}",
            if p.not { "not " } else { "" },
            v.join("|")
        ))
    };
    let mut statements = Vec::new();
    for s in &doc.statements {
        if s.conditions_unknown {
            return None;
        }
        let mut conditions: Vec<String> = s
            .conditions
            .iter()
            .map(|c| {
                Some(format!(
                    "{} {} {}",
                    c.operator,
                    c.key.to_ascii_lowercase(),
                    items(&Some(c.values.clone()))?
                ))
            })
            .collect::<Option<_>>()?;
        conditions.sort();
        statements.push(format!(
            "{:?} {} {} on {}{}",
            s.effect?,
            principal(&s.principal)?,
            items(&s.action)?.to_ascii_lowercase(),
            items(&s.resource)?,
            if conditions.is_empty() {
                String::new()
            } else {
                format!(" if {}", conditions.join(" and "))
            }
        ));
    }
    statements.sort();
    Some(if statements.is_empty() {
        "no statements".into()
    } else {
        statements.join("; ")
    })
}

/// The JSON form of a drift report (`drift --format json`).
#[derive(Serialize)]
pub struct JsonDrift<'a> {
    pub version: &'static str,
    pub matched: usize,
    pub undetermined: usize,
    pub changes: Vec<JsonChange<'a>>,
    pub broken: Vec<JsonBroken<'a>>,
    pub undeclared: Vec<JsonLone<'a>>,
    pub undeployed: Vec<JsonLone<'a>>,
    pub remediation: &'static str,
}

#[derive(Serialize)]
pub struct JsonChange<'a> {
    pub resource: &'a str,
    pub deployed_resource: &'a str,
    pub setting: &'a str,
    pub declared: &'a str,
    pub declared_at: Location,
    pub deployed: &'a str,
    pub deployed_at: Location,
}

#[derive(Serialize)]
pub struct JsonBroken<'a> {
    pub resource: &'a str,
    pub code: &'a str,
    pub severity: &'a str,
    pub message: &'a str,
    pub deployed_at: Location,
    pub controls: &'a BTreeMap<String, Vec<String>>,
}

#[derive(Serialize)]
pub struct JsonLone<'a> {
    pub resource: &'a str,
    pub name: Option<&'a str>,
    pub at: Location,
}
