//! `bucketlint.toml`: the project's settings, found by walking up from the scanned
//! paths (or given with `--config`). Paths and globs in it are relative to the
//! file's directory.

use crate::finding::Severity;
use crate::rules;
use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// File names looked for, in this order, in each directory.
pub const FILE_NAMES: [&str; 2] = ["bucketlint.toml", ".bucketlint.toml"];

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Config {
    /// Rules to run instead of the default set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub select: Option<Vec<String>>,
    /// Rules added to the selected set.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extend_select: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignore: Vec<String>,
    /// Compliance profiles (`--profile`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub profile: Vec<String>,
    /// Glob → rules not reported for files matching it.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub per_path_ignores: BTreeMap<String, Vec<String>>,
    /// Rule → severity to report it at.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub severity_overrides: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_on: Option<String>,
    /// Globs of files and directories not to scan.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub owned_accounts: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_public_access_block: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classification: Option<Classification>,
    /// A CloudFormation parameters file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cfn_params: Option<String>,
    /// Terraform variable files, as `--var-file`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub var_files: Vec<String>,
    /// The baseline `check` compares with and `baseline` writes (`--baseline`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Classification {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sensitive: Option<Vec<String>>,
}

/// Keys of each table, for unknown-key messages.
const TOP_KEYS: [&str; 15] = [
    "select",
    "extend-select",
    "ignore",
    "profile",
    "per-path-ignores",
    "severity-overrides",
    "fail-on",
    "exclude",
    "owned-accounts",
    "account-public-access-block",
    "classification",
    "cfn-params",
    "var-files",
    "baseline",
    "$schema",
];
const CLASSIFICATION_KEYS: [&str; 3] = ["tag", "public", "sensitive"];

/// A configuration file that cannot be used, with where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}:{line}:{column}: {message}", path.display())]
pub struct ConfigError {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// A configuration and the directory its relative paths start from.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    pub config: Config,
    /// The file it was read from (`None`: defaults).
    pub path: Option<PathBuf>,
    pub base: PathBuf,
    /// Named with `--config` (the user's choice), rather than found in the tree.
    pub explicit: bool,
}

impl Loaded {
    /// A file the configuration names (`var-files`, `cfn-params`, `baseline`),
    /// relative to it. A configuration found in the scanned tree comes with the pull
    /// request: what it names must lie below its own directory once symbolic links
    /// are resolved, or a pull request could make the scanner read (and echo in a
    /// parse error) `/proc/self/environ` or `~/.aws/credentials`.
    pub fn file(&self, name: &str, key: &str) -> Result<PathBuf, String> {
        let path = self.base.join(name);
        if self.explicit || self.path.is_none() {
            return Ok(path);
        }
        let resolved = crate::source::absolute(&path);
        if resolved.starts_with(&self.base) {
            Ok(path)
        } else {
            Err(format!(
                "{}: `{key}` names {name}, which is outside the configuration's directory {}; a configuration found in the scanned tree may only name files below it (use --config to name another)",
                self.path.as_deref().unwrap_or(Path::new("")).display(),
                self.base.display()
            ))
        }
    }
}

/// The nearest configuration file at or above `start` (a file or directory).
pub fn discover(start: &Path) -> Option<PathBuf> {
    let start = start.canonicalize().ok()?;
    let mut dir = if start.is_dir() {
        start.as_path()
    } else {
        start.parent()?
    };
    loop {
        for name in FILE_NAMES {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
        dir = dir.parent()?;
    }
}

/// Reads and checks a configuration file.
pub fn load(path: &Path) -> Result<Loaded, ConfigError> {
    let text = crate::source::read_regular(path).map_err(|e| ConfigError {
        path: path.to_path_buf(),
        line: 1,
        column: 1,
        message: format!("cannot read: {e}"),
    })?;
    let config = parse(&text).map_err(|(line, column, message)| ConfigError {
        path: path.to_path_buf(),
        line,
        column,
        message,
    })?;
    let base = path
        .canonicalize()
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .unwrap_or_default();
    Ok(Loaded {
        config,
        path: Some(path.to_path_buf()),
        base,
        explicit: false,
    })
}

/// Parses and validates a configuration: unknown keys, rule names, severities,
/// account IDs, globs. Errors carry a 1-based line and column.
pub fn parse(text: &str) -> Result<Config, (usize, usize, String)> {
    let table: toml::Table = toml::from_str(text).map_err(|e| {
        let (line, column) = e.span().map_or((1, 1), |s| line_column(text, s.start));
        (line, column, e.message().to_string())
    })?;
    for key in table.keys() {
        if !TOP_KEYS.contains(&key.as_str()) {
            return Err(unknown_key(text, key, &TOP_KEYS, None));
        }
    }
    if let Some(toml::Value::Table(c)) = table.get("classification") {
        for key in c.keys() {
            if !CLASSIFICATION_KEYS.contains(&key.as_str()) {
                return Err(unknown_key(
                    text,
                    key,
                    &CLASSIFICATION_KEYS,
                    Some("classification"),
                ));
            }
        }
    }
    let config: Config = toml::from_str(text).map_err(|e| {
        let (line, column) = e.span().map_or((1, 1), |s| line_column(text, s.start));
        (line, column, e.message().to_string())
    })?;
    let at = |key: &str| key_position(text, key);
    let rule_lists = config
        .select
        .iter()
        .flatten()
        .map(|r| ("select", r))
        .chain(config.extend_select.iter().map(|r| ("extend-select", r)))
        .chain(config.ignore.iter().map(|r| ("ignore", r)))
        .chain(
            config
                .per_path_ignores
                .iter()
                .flat_map(|(glob, rs)| rs.iter().map(move |r| (glob.as_str(), r))),
        );
    for (key, rule) in rule_lists {
        if let Err(e) = crate::selection::Selection::new(std::slice::from_ref(rule), &[]) {
            let (line, column) = at(key);
            return Err((line, column, e.to_string()));
        }
    }
    for (rule, sev) in &config.severity_overrides {
        if rules::find(rule).is_none() {
            let (line, column) = at(rule);
            return Err((
                line,
                column,
                format!("unknown rule {rule:?} in severity-overrides"),
            ));
        }
        if Severity::parse(sev).is_none() {
            let (line, column) = at(rule);
            return Err((
                line,
                column,
                format!("severity {sev:?} for {rule}: expected critical, high, medium or low"),
            ));
        }
    }
    if let Some(f) = &config.fail_on
        && !matches!(f.as_str(), "critical" | "high" | "medium" | "low" | "none")
    {
        let (line, column) = at("fail-on");
        return Err((
            line,
            column,
            format!("fail-on {f:?}: expected critical, high, medium, low or none"),
        ));
    }
    if let Some(bad) = config.owned_accounts.iter().find(|a| !is_account_id(a)) {
        let (line, column) = at("owned-accounts");
        return Err((
            line,
            column,
            format!("{bad:?} is not a 12-digit AWS account ID"),
        ));
    }
    for p in &config.profile {
        if crate::selection::Selection::default()
            .with_profiles(std::slice::from_ref(p))
            .is_err()
        {
            let (line, column) = at("profile");
            return Err((line, column, format!("unknown profile {p:?}")));
        }
    }
    for glob in config.exclude.iter().chain(config.per_path_ignores.keys()) {
        if let Err(e) = Glob::new(glob) {
            let (line, column) = at(glob);
            return Err((line, column, format!("invalid glob {glob:?}: {e}")));
        }
    }
    Ok(config)
}

pub fn is_account_id(a: &str) -> bool {
    a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit())
}

fn unknown_key(
    text: &str,
    key: &str,
    known: &[&str],
    table: Option<&str>,
) -> (usize, usize, String) {
    let (line, column) = key_position(text, key);
    let suggestion = known
        .iter()
        .map(|k| (crate::selection::edit_distance(key, k), *k))
        .filter(|(d, k)| *d <= k.len() / 3 + 1)
        .min()
        .map(|(_, k)| format!(" (did you mean `{k}`?)"))
        .unwrap_or_default();
    let place = table.map_or_else(String::new, |t| format!(" in [{t}]"));
    (
        line,
        column,
        format!("unknown key `{key}`{place}{suggestion}"),
    )
}

/// Where `key` is first written as a key or a quoted string (1-based).
fn key_position(text: &str, key: &str) -> (usize, usize) {
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let bare = trimmed.strip_prefix('[').unwrap_or(trimmed);
        let quoted = format!("\"{key}\"");
        if bare.starts_with(key) && bare[key.len()..].trim_start().starts_with(['=', ']', '.']) {
            return (i + 1, indent + 1 + (trimmed.len() - bare.len()));
        }
        if let Some(at) = line.find(&quoted) {
            return (i + 1, at + 1);
        }
    }
    (1, 1)
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Globs compiled against the configuration's directory.
#[derive(Debug, Clone, Default)]
pub struct PathRules {
    pub base: PathBuf,
    pub exclude: Option<GlobSet>,
    /// (matcher, rule codes).
    pub per_path_ignores: Vec<(GlobSet, Vec<String>)>,
    /// Rule code → severity.
    pub severity: BTreeMap<String, Severity>,
}

/// `path` made absolute against the working directory, links not resolved.
fn in_cwd(path: &Path) -> Option<PathBuf> {
    if path.is_absolute() {
        Some(path.to_path_buf())
    } else {
        Some(std::env::current_dir().ok()?.join(path))
    }
}

/// Globs and their "everything below" forms, so `examples` and `examples/` cover a
/// directory's contents too.
fn globset<'a>(patterns: impl IntoIterator<Item = &'a String>) -> GlobSet {
    let mut b = GlobSetBuilder::new();
    for pattern in patterns {
        let trimmed = pattern.trim_start_matches("./").trim_end_matches('/');
        for p in [trimmed.to_string(), format!("{trimmed}/**")] {
            if let Ok(g) = Glob::new(&p) {
                b.add(g);
            }
        }
    }
    b.build().unwrap_or_else(|_| GlobSet::empty())
}

impl PathRules {
    pub fn new(loaded: &Loaded) -> PathRules {
        let c = &loaded.config;
        let exclude = (!c.exclude.is_empty()).then(|| globset(&c.exclude));
        PathRules {
            base: loaded.base.clone(),
            exclude,
            per_path_ignores: c
                .per_path_ignores
                .iter()
                .map(|(g, codes)| (globset([g]), codes.clone()))
                .collect(),
            severity: c
                .severity_overrides
                .iter()
                .filter_map(|(r, s)| Some((rules::find(r)?.doc.code.clone(), Severity::parse(s)?)))
                .collect(),
        }
    }

    /// `path` relative to the configuration's directory, `/`-separated; `None` when
    /// outside it.
    fn relative(&self, path: &Path) -> Option<String> {
        let abs = in_cwd(path)?;
        self.below_base(&abs.canonicalize().unwrap_or(abs))
    }

    /// A resolved path relative to the configuration's directory, `/`-separated.
    fn below_base(&self, real: &Path) -> Option<String> {
        let rel = real.strip_prefix(&self.base).ok()?;
        Some(rel.to_string_lossy().replace('\\', "/"))
    }

    pub fn excluded(&self, path: &Path) -> bool {
        let Some(set) = &self.exclude else {
            return false;
        };
        self.relative(path).is_some_and(|rel| set.is_match(&rel))
    }

    /// [`PathRules::excluded`] for the files of a walk, which are never symbolic
    /// links themselves: each directory is resolved once (`dirs` remembers them), not
    /// every file.
    pub fn excluded_walked(
        &self,
        path: &Path,
        dirs: &mut std::collections::HashMap<PathBuf, Option<PathBuf>>,
    ) -> bool {
        let Some(set) = &self.exclude else {
            return false;
        };
        let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
            return self.excluded(path);
        };
        let real = dirs
            .entry(parent.to_path_buf())
            .or_insert_with(|| in_cwd(parent)?.canonicalize().ok())
            .clone();
        match real {
            Some(real) => self
                .below_base(&real.join(name))
                .is_some_and(|rel| set.is_match(&rel)),
            None => self.excluded(path),
        }
    }

    /// Is rule `code` ignored for files at `path`?
    pub fn ignores(&self, path: &Path, code: &str) -> bool {
        if self.per_path_ignores.is_empty() {
            return false;
        }
        let Some(rel) = self.relative(path) else {
            return false;
        };
        self.per_path_ignores.iter().any(|(set, codes)| {
            set.is_match(&rel)
                && codes.iter().any(|c| {
                    crate::selection::Selection::new(std::slice::from_ref(c), &[])
                        .is_ok_and(|s| rules::find(code).is_some_and(|e| s.enabled(&e.doc)))
                })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_located_with_a_suggestion() {
        let (line, column, message) =
            parse("select = [\"BL1\"]\n\nfail_on = \"high\"\n").unwrap_err();
        assert_eq!((line, column), (3, 1));
        assert_eq!(message, "unknown key `fail_on` (did you mean `fail-on`?)");
        let (line, _, message) =
            parse("[classification]\ntag = \"Data\"\nsensitiv = [\"pii\"]\n").unwrap_err();
        assert_eq!(line, 3);
        assert_eq!(
            message,
            "unknown key `sensitiv` in [classification] (did you mean `sensitive`?)"
        );
    }

    #[test]
    fn values_are_checked() {
        assert!(
            parse("select = [\"BL999\"]\n")
                .unwrap_err()
                .2
                .contains("unknown rule")
        );
        assert!(
            parse("[severity-overrides]\nBL113 = \"urgent\"\n")
                .unwrap_err()
                .2
                .contains("expected critical")
        );
        assert_eq!(parse("owned-accounts = [\"1234\"]\n").unwrap_err().0, 1);
        let c = parse(
            "select = [\"BL1\"]\nextend-select = [\"BL403\"]\n[per-path-ignores]\n\"examples/**\" = [\"BL100\", \"versioning-disabled\"]\n",
        )
        .unwrap();
        assert_eq!(c.per_path_ignores["examples/**"].len(), 2);
    }
}
