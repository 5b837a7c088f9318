//! Which scanned module directories can matter, decided from their bytes before
//! anything is parsed: parsing is most of a scan's cost, and a repository's
//! Terraform for other clouds (a third of the corpus is Google Cloud) holds nothing
//! an S3 rule reads.
//!
//! A directory matters when one of its files could name an AWS resource or data
//! source (`aws_`), spells a name with an escape (`\u005f`, so no escape can hide
//! one), holds a `bucketlint` comment (a suppression is judged), has installed
//! modules (`.terraform/modules`), has a module source that cannot be read from
//! the text, or calls a local module that matters (or a directory outside the scan). A
//! directory that does not is not parsed (so a syntax error in it is not reported)
//! unless a module that matters calls it, and the scan says how many were left out.

use super::module::{is_local, join};
use std::collections::{BTreeMap, BTreeSet};

/// What the text of one directory's files says.
#[derive(Debug, Default, Clone)]
pub struct Facts {
    /// Something in it may be read by a rule (see the module documentation).
    pub direct: bool,
    /// Local module sources (`./x`, `../x`), as written.
    pub local_sources: Vec<String>,
}

impl Facts {
    /// Adds one file's text.
    pub fn add(&mut self, text: &str) {
        if ["aws_", "\\u", "\\U", "bucketlint"]
            .iter()
            .any(|m| text.contains(m))
        {
            self.direct = true;
        }
        // Local sources are kept whatever else the text says: they also decide
        // which directories are evaluated together (see `batches`).
        for source in sources(text) {
            match source {
                Some(s) if is_local(s) => self.local_sources.push(s.to_string()),
                // A registry or git source is read only where `terraform init`
                // installed it (see `relevant`); one that names AWS matters anyway,
                // so that its "not installed" note is still given.
                Some(s) if s.to_ascii_lowercase().contains("aws") => self.direct = true,
                Some(_) => {}
                None => self.direct = true,
            }
        }
    }
}

/// The values of `source = "..."` (HCL) and `"source": "..."` (JSON) in `text`;
/// `None` for one that is not a plain literal.
fn sources(text: &str) -> Vec<Option<&str>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("source") {
        let after = &rest[at + "source".len()..];
        rest = after;
        let value = after
            .trim_start_matches('"')
            .trim_start()
            .strip_prefix(['=', ':'])
            .map(str::trim_start);
        let Some(value) = value else { continue };
        let Some(literal) = value.strip_prefix('"') else {
            // `source = var.x` is not valid Terraform; be safe anyway.
            out.push(None);
            continue;
        };
        match literal.find('"') {
            Some(end) if !literal[..end].contains("${") && !literal[..end].contains('\\') => {
                out.push(Some(&literal[..end]));
            }
            _ => out.push(None),
        }
    }
    out
}

/// The directories of `dirs` that matter. `installed` tells whether a directory has
/// modules installed by `terraform init`; `file` whether a path outside `dirs` is a
/// file (`source = "./lambda.zip"` of a file resource loads no module, while a
/// module source that does not exist is said to be missing).
pub fn relevant(
    dirs: &BTreeMap<String, Facts>,
    installed: impl Fn(&str) -> bool,
    file: impl Fn(&str) -> bool,
) -> BTreeSet<String> {
    let mut keep: BTreeSet<String> = dirs
        .iter()
        .filter(|(dir, f)| f.direct || installed(dir))
        .map(|(dir, _)| dir.clone())
        .collect();
    // Callers of a directory that matters matter too, to a fixed point.
    loop {
        let more: Vec<String> = dirs
            .iter()
            .filter(|(dir, _)| !keep.contains(*dir))
            .filter(|(dir, f)| {
                f.local_sources.iter().any(|s| {
                    let target = join(dir, s);
                    keep.contains(&target) || (!dirs.contains_key(&target) && !file(&target))
                })
            })
            .map(|(dir, _)| dir.clone())
            .collect();
        if more.is_empty() {
            return keep;
        }
        keep.extend(more);
    }
}

/// The representative of `i`'s set (union-find, with path halving).
fn root(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

/// The directories of `keep`, in batches evaluated one after the other: each
/// directory is in the batch of every directory it calls or that calls it (as the
/// text shows, see [`Facts::local_sources`]), and a batch holds whole groups until
/// it reaches `bytes` of source.
pub fn batches(
    facts: &BTreeMap<String, Facts>,
    keep: &BTreeSet<String>,
    sizes: &BTreeMap<String, u64>,
    bytes: u64,
) -> Vec<Vec<String>> {
    // Union-find over the directories kept, joined by their local calls.
    let dirs: Vec<&String> = keep.iter().collect();
    let index: BTreeMap<&str, usize> = dirs
        .iter()
        .enumerate()
        .map(|(i, d)| (d.as_str(), i))
        .collect();
    let mut parent: Vec<usize> = (0..dirs.len()).collect();
    for (i, dir) in dirs.iter().enumerate() {
        for s in facts.get(*dir).map_or(&[][..], |f| &f.local_sources[..]) {
            if let Some(&j) = index.get(join(dir, s).as_str()) {
                let (a, b) = (root(&mut parent, i), root(&mut parent, j));
                parent[a] = b;
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for (i, dir) in dirs.iter().enumerate() {
        let r = root(&mut parent, i);
        groups.entry(r).or_default().push((*dir).clone());
    }
    let mut groups: Vec<Vec<String>> = groups.into_values().collect();
    groups.sort();
    let mut out: Vec<Vec<String>> = Vec::new();
    let mut size = 0;
    for group in groups {
        let group_size: u64 = group.iter().filter_map(|d| sizes.get(d)).sum();
        match out.last_mut() {
            Some(last) if size < bytes => last.extend(group),
            _ => {
                out.push(group);
                size = 0;
            }
        }
        size += group_size;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(text: &str) -> Facts {
        let mut f = Facts::default();
        f.add(text);
        f
    }

    #[test]
    fn aws_names_escapes_and_suppressions_matter() {
        assert!(facts("resource \"aws_s3_bucket\" \"b\" {}").direct);
        assert!(facts("resource \"aws\\u005fs3_bucket\" \"b\" {}").direct);
        assert!(facts("# bucketlint:ignore BL110 reviewed").direct);
        assert!(!facts("resource \"google_storage_bucket\" \"b\" {}").direct);
    }

    #[test]
    fn module_sources_are_read_from_hcl_and_json() {
        let f = facts(
            "module \"a\" {\n  source = \"./a\"\n}\nmodule \"b\" {\n  source  = \"terraform-google-modules/x/google\"\n}\n",
        );
        assert!(!f.direct);
        assert_eq!(f.local_sources, ["./a"]);
        let f = facts("{\"module\": {\"a\": {\"source\": \"../m\"}}}");
        assert_eq!(f.local_sources, ["../m"]);
        // A source that is not a plain literal cannot be followed: it matters.
        assert!(facts("module \"a\" {\n  source = \"./${var.x}\"\n}\n").direct);
        // Other words that contain "source" are not sources.
        assert!(!facts("variable \"sources\" {}\nlocals { resources = 1 }\n").direct);
    }

    #[test]
    fn directories_that_call_each_other_share_a_batch() {
        let mut all = BTreeMap::new();
        all.insert(
            "a".to_string(),
            facts("module \"m\" {\n  source = \"./m\"\n}\n"),
        );
        all.insert("a/m".to_string(), facts(""));
        all.insert(
            "b".to_string(),
            facts("module \"m\" {\n  source = \"../a/m\"\n}\n"),
        );
        all.insert("c".to_string(), facts(""));
        all.insert("d".to_string(), facts(""));
        let keep: BTreeSet<String> = all.keys().cloned().collect();
        let sizes: BTreeMap<String, u64> = all.keys().map(|d| (d.clone(), 10)).collect();
        // a, a/m and b call each other: one group of 30 bytes; c and d alone.
        let b = batches(&all, &keep, &sizes, 20);
        assert_eq!(b, [vec!["a", "a/m", "b"], vec!["c", "d"]]);
        let b = batches(&all, &keep, &sizes, 1000);
        assert_eq!(b.len(), 1);
        let b = batches(&all, &keep, &sizes, 1);
        assert_eq!(b, [vec!["a", "a/m", "b"], vec!["c"], vec!["d"]]);
    }

    #[test]
    fn callers_of_what_matters_matter() {
        let mut dirs = BTreeMap::new();
        dirs.insert(
            "root".into(),
            facts("module \"m\" {\n  source = \"./m\"\n}\n"),
        );
        dirs.insert(
            "root/m".into(),
            facts("resource \"aws_s3_bucket\" \"b\" {}"),
        );
        dirs.insert(
            "gcp".into(),
            facts("module \"g\" {\n  source = \"./g\"\n}\n"),
        );
        dirs.insert("gcp/g".into(), facts("resource \"google_x\" \"y\" {}"));
        dirs.insert(
            "outside".into(),
            facts("module \"o\" {\n  source = \"../x\"\n}\n"),
        );
        dirs.insert(
            "zip".into(),
            facts("resource \"f\" \"o\" {\n  source = \"./a.zip\"\n}\n"),
        );
        dirs.insert(
            "a".into(),
            facts("module \"b\" {\n  source = \"../b\"\n}\n"),
        );
        dirs.insert(
            "b".into(),
            facts("module \"a\" {\n  source = \"../a\"\n}\n"),
        );
        dirs.insert("init".into(), Facts::default());
        let keep = relevant(&dirs, |d| d == "init", |d| d == "zip/a.zip");
        assert_eq!(
            keep.into_iter().collect::<Vec<_>>(),
            ["init", "outside", "root", "root/m"]
        );
    }
}
