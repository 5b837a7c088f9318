//! The control-by-control report of one scan (which kept its model) against one
//! framework: for each control that rules evidence, the resources that pass, fail,
//! or are accepted (suppressed inline or recorded in a baseline) with the reason.

use super::{Control, Framework};
use crate::Scan;
use crate::finding::Finding;
use crate::rules::{AppliesTo, Entry};
use crate::source::{Location, Span};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Serialize)]
pub struct FrameworkRef {
    pub id: String,
    pub name: String,
    pub source: String,
}

/// What was scanned, by what, and how: enough to file the report as evidence and
/// to run the same scan again.
#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    /// `bucketlint VERSION (commit ...)`.
    pub scanner: String,
    /// The rule catalog: the version and a digest of its rule files.
    pub catalog: String,
    pub paths: Vec<String>,
    /// The git commit of the scanned work tree, when it is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// Files of the scanned paths differ from the commit (modified or untracked).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uncommitted_changes: Option<bool>,
    /// The configuration file used (`None`: defaults).
    pub configuration: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<String>,
    /// The rules that ran.
    pub rules: Vec<String>,
    /// When the report was made (UTC; `SOURCE_DATE_EPOCH` when set, for
    /// reproducible reports).
    pub generated: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Every resource in scope passes.
    Pass,
    /// Some pass, some fail.
    Partial,
    /// Every resource in scope fails.
    Fail,
    /// The scan declares nothing this control's rules judge.
    NoResources,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Partial => "partial",
            Status::Fail => "fail",
            Status::NoResources => "no resources",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct RuleRef {
    pub code: String,
    pub name: String,
    pub summary: String,
    /// Where the mapping of this rule to the control comes from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FindingRef {
    pub code: String,
    pub message: String,
    pub location: Location,
}

#[derive(Debug, Clone, Serialize)]
pub struct ResourceResult {
    pub resource: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<FindingRef>,
}

/// A finding accepted rather than fixed.
#[derive(Debug, Clone, Serialize)]
pub struct Accepted {
    pub resource: String,
    pub code: String,
    pub location: Location,
    /// `suppressed` (inline, with its justification) or `baseline`.
    pub how: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ControlReport {
    pub id: String,
    pub family: String,
    pub title: String,
    pub status: Status,
    pub rules: Vec<RuleRef>,
    pub failing: Vec<ResourceResult>,
    pub passing: Vec<ResourceResult>,
    pub accepted: Vec<Accepted>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    /// Controls the scan evidences.
    pub controls: usize,
    pub passing: usize,
    pub partial: usize,
    pub failing: usize,
    pub no_resources: usize,
    /// Controls a static scan cannot evidence.
    pub not_assessed: usize,
    /// Findings that count (neither suppressed nor in the baseline) on mapped rules.
    pub findings: usize,
    pub accepted: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub version: u32,
    pub framework: FrameworkRef,
    pub evidence: Evidence,
    pub summary: Summary,
    pub controls: Vec<ControlReport>,
    pub not_assessed: Vec<Control>,
}

/// `YYYY-MM-DDTHH:MM:SSZ` of seconds since the Unix epoch.
fn timestamp(secs: u64) -> String {
    let (y, m, d) = crate::suppress::civil_from_days(i64::try_from(secs / 86_400).unwrap_or(0));
    let t = secs % 86_400;
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        t / 3600,
        t / 60 % 60,
        t % 60
    )
}

/// Runs git offline in `dir`.
fn git(dir: &Path, args: &[&str], paths: &[PathBuf]) -> Option<String> {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .arg("--")
        .args(paths)
        .stdin(std::process::Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// A file relative to where the scan ran, as the scanned paths are.
fn relative(p: &Path) -> String {
    let cwd = std::env::current_dir().unwrap_or_default();
    let absolute = crate::source::absolute(p);
    absolute
        .strip_prefix(&cwd)
        .unwrap_or(&absolute)
        .display()
        .to_string()
}

/// The evidence of a scan of `paths` with the configuration file `config` (if
/// any) and the rules `ran`.
pub fn evidence(
    paths: &[PathBuf],
    config: Option<&Path>,
    baseline: Option<&Path>,
    ran: &[&Entry],
) -> Evidence {
    let secs = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs())
        });
    // The HEAD of the work tree holding the first path: what a reviewer checks out
    // to reproduce the scan, and whether the scanned files differ from it.
    let absolute: Vec<PathBuf> = paths.iter().map(|p| crate::source::absolute(p)).collect();
    let dir = absolute.first().map(|p| {
        if p.is_dir() {
            p.clone()
        } else {
            p.parent().map_or_else(|| p.clone(), Path::to_path_buf)
        }
    });
    let commit = dir
        .as_deref()
        .and_then(|d| git(d, &["log", "-1", "--format=%H", "HEAD"], &[]))
        .filter(|c| !c.is_empty());
    let dirty = match (&commit, &dir) {
        (Some(_), Some(d)) => git(d, &["status", "--porcelain"], &absolute).map(|s| !s.is_empty()),
        _ => None,
    };
    Evidence {
        scanner: format!("bucketlint {}", env!("BUCKETLINT_VERSION")),
        catalog: crate::rules::catalog_digest(),
        paths: paths.iter().map(|p| p.display().to_string()).collect(),
        commit,
        uncommitted_changes: dirty,
        configuration: config.map(relative),
        baseline: baseline.map(relative),
        rules: ran.iter().map(|e| e.doc.code.clone()).collect(),
        generated: timestamp(secs),
    }
}

/// A resource of the model a rule may judge.
struct Judged {
    scope: String,
    address: String,
    decl: Span,
}

/// The resources of the model of each kind rules judge.
fn judged(scan: &Scan) -> BTreeMap<AppliesTo, Vec<Judged>> {
    let mut out: BTreeMap<AppliesTo, Vec<Judged>> = BTreeMap::new();
    let Some(m) = &scan.model else {
        return out;
    };
    let mut add = |kind, scope: &str, address: &str, decl: Span| {
        out.entry(kind).or_default().push(Judged {
            scope: scope.to_string(),
            address: address.to_string(),
            decl,
        });
    };
    for b in &m.buckets {
        add(AppliesTo::Bucket, b.key.scope(), &b.address, b.decl);
    }
    for a in &m.account_blocks {
        add(AppliesTo::AccountBlock, &a.scope, &a.address, a.decl);
    }
    for o in &m.objects {
        add(AppliesTo::Object, &o.scope, &o.address, o.decl);
    }
    for a in &m.access_points {
        add(AppliesTo::AccessPoint, &a.scope, &a.address, a.decl);
    }
    for t in &m.trails {
        add(AppliesTo::Trail, &t.scope, &t.address, t.decl);
    }
    for p in &m.identity_policies {
        add(AppliesTo::IdentityPolicy, &p.scope, &p.address, p.decl);
    }
    for r in &m.roles {
        add(AppliesTo::Role, &r.scope, &r.address, r.decl);
    }
    out
}

/// A finding's resource, for grouping: its deployment (root module or template)
/// and address, else its file.
fn resource_of(scan: &Scan, f: &Finding) -> (String, String) {
    let file = || scan.sources.get(f.span.file).display.clone();
    (
        f.scope.clone().unwrap_or_else(file),
        f.resource.clone().unwrap_or_else(file),
    )
}

/// The control-by-control report of `scan` against `framework`.
pub fn build(scan: &Scan, framework: &Framework, evidence: Evidence, ran: &[&Entry]) -> Report {
    let judged = judged(scan);
    let mut controls = Vec::new();
    let mut summary = Summary::default();
    let mut counted: BTreeSet<usize> = BTreeSet::new();
    let mut accepted_all: BTreeSet<usize> = BTreeSet::new();
    for control in framework
        .controls
        .iter()
        .filter(|c| c.not_assessed.is_none())
    {
        let rules: Vec<&Entry> = ran
            .iter()
            .copied()
            .filter(|e| {
                e.doc
                    .compliance
                    .get(&framework.id)
                    .is_some_and(|v| v.contains(&control.id))
            })
            .collect();
        let codes: BTreeSet<&str> = rules.iter().map(|e| e.doc.code.as_str()).collect();
        let findings: Vec<(usize, &Finding)> = scan
            .findings
            .iter()
            .enumerate()
            .filter(|(_, f)| codes.contains(f.code))
            .collect();
        // Failing: every resource with a finding that counts, in the model or not
        // (a failure is never dropped for want of a place to put it).
        let mut failing: BTreeMap<(String, String), ResourceResult> = BTreeMap::new();
        let mut accepted = Vec::new();
        for &(i, f) in &findings {
            let key = resource_of(scan, f);
            let resource = key.1.clone();
            let location = scan.sources.location(f.span);
            if f.counts() {
                counted.insert(i);
                failing
                    .entry(key)
                    .or_insert_with(|| ResourceResult {
                        resource,
                        location: None,
                        findings: Vec::new(),
                    })
                    .findings
                    .push(FindingRef {
                        code: f.code.to_string(),
                        message: f.message.clone(),
                        location,
                    });
            } else {
                accepted_all.insert(i);
                let (how, reason, expires) = match &f.suppressed {
                    Some(s) => (
                        "suppressed",
                        Some(s.justification.clone()).filter(|r| !r.is_empty()),
                        s.expires.clone(),
                    ),
                    None => ("baseline", None, None),
                };
                accepted.push(Accepted {
                    resource,
                    code: f.code.to_string(),
                    location,
                    how,
                    reason,
                    expires,
                });
            }
        }
        // In scope: what the rules judge. Passing: those with no finding at all
        // (looked up by address: a scan of 10,000 buckets stays linear).
        let mut found: HashMap<&str, Vec<Option<&str>>> = HashMap::new();
        for (_, f) in &findings {
            if let Some(r) = f.resource.as_deref() {
                found.entry(r).or_default().push(f.scope.as_deref());
            }
        }
        let kinds: BTreeSet<AppliesTo> = rules.iter().map(|e| e.doc.applies_to).collect();
        let mut passing = Vec::new();
        for j in kinds
            .iter()
            .flat_map(|k| judged.get(k).into_iter().flatten())
        {
            let location = Some(scan.sources.location(j.decl));
            let about = found
                .get(j.address.as_str())
                .is_some_and(|scopes| scopes.iter().any(|s| s.is_none_or(|s| s == j.scope)));
            if about {
                // Failing (it gets its declaration's location) or accepted.
                if let Some(r) = failing.get_mut(&(j.scope.clone(), j.address.clone())) {
                    r.location = location;
                }
                continue;
            }
            passing.push(ResourceResult {
                resource: j.address.clone(),
                location,
                findings: Vec::new(),
            });
        }
        let status = match (failing.is_empty(), passing.is_empty()) {
            (true, true) if accepted.is_empty() => Status::NoResources,
            (true, _) => Status::Pass,
            (false, true) => Status::Fail,
            (false, false) => Status::Partial,
        };
        match status {
            Status::Pass => summary.passing += 1,
            Status::Partial => summary.partial += 1,
            Status::Fail => summary.failing += 1,
            Status::NoResources => summary.no_resources += 1,
        }
        controls.push(ControlReport {
            id: control.id.clone(),
            family: control.family.clone(),
            title: control.title.clone(),
            status,
            rules: rules
                .iter()
                .map(|e| RuleRef {
                    code: e.doc.code.clone(),
                    name: e.doc.name.clone(),
                    summary: e.doc.summary.clone(),
                    source: e.doc.compliance_sources.get(&framework.id).cloned(),
                })
                .collect(),
            failing: failing.into_values().collect(),
            passing,
            accepted,
        });
    }
    let not_assessed: Vec<Control> = framework
        .controls
        .iter()
        .filter(|c| c.not_assessed.is_some())
        .cloned()
        .collect();
    summary.controls = controls.len();
    summary.not_assessed = not_assessed.len();
    summary.findings = counted.len();
    summary.accepted = accepted_all.len();
    Report {
        version: 1,
        framework: FrameworkRef {
            id: framework.id.clone(),
            name: framework.name.clone(),
            source: framework.source.clone(),
        },
        evidence,
        summary,
        controls,
        not_assessed,
    }
}
