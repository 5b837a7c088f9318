//! Which rules run: `--select` / `--ignore` by code, name, code prefix or `ALL`.

use crate::rules::{self, RuleDoc};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// Empty (and no profile): the rules that are on by default.
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    /// Compliance frameworks (`--profile`): every rule mapped to one runs.
    pub profiles: Vec<String>,
    /// Rules added to whatever else is selected (`extend-select`).
    pub extend: Vec<String>,
}

/// The compliance frameworks rules map to, as `--profile` names them.
pub const PROFILES: [&str; 8] = [
    "fsbp", "cis", "nist", "pci", "hipaa", "soc2", "gdpr", "iso27001",
];

/// A `--profile` that names no framework.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown profile {0:?} (expected one of: fsbp, cis, nist, pci, hipaa, soc2, gdpr, iso27001)"
)]
pub struct UnknownProfile(pub String);

/// A selector that names no rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown rule {selector:?}{}", suggestion.as_ref().map(|s| format!(" (did you mean {s}?)")).unwrap_or_default())]
pub struct UnknownRule {
    pub selector: String,
    pub suggestion: Option<String>,
}

fn matches(selector: &str, doc: &RuleDoc) -> bool {
    selector.eq_ignore_ascii_case("ALL")
        || selector.eq_ignore_ascii_case(&doc.name)
        || (selector.len() >= 2
            && selector.len() <= doc.code.len()
            && doc.code[..selector.len()].eq_ignore_ascii_case(selector))
}

impl Selection {
    /// Builds a selection from comma-separated or repeated values.
    pub fn new(select: &[String], ignore: &[String]) -> Result<Selection, UnknownRule> {
        let split = |v: &[String]| -> Vec<String> {
            v.iter()
                .flat_map(|s| s.split(','))
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        };
        let sel = Selection {
            select: split(select),
            ignore: split(ignore),
            profiles: Vec::new(),
            extend: Vec::new(),
        };
        for s in sel.select.iter().chain(&sel.ignore) {
            if !rules::catalog().iter().any(|e| matches(s, &e.doc)) {
                return Err(UnknownRule {
                    selector: s.clone(),
                    suggestion: suggest(s),
                });
            }
        }
        Ok(sel)
    }

    /// Adds compliance profiles: with one, the default set is replaced by the rules
    /// mapped to the profiles (plus the scanner diagnostics), `--select` adding more.
    pub fn with_profiles(mut self, profiles: &[String]) -> Result<Selection, UnknownProfile> {
        for p in profiles.iter().flat_map(|p| p.split(',')).map(str::trim) {
            if p.is_empty() {
                continue;
            }
            let p = p.to_ascii_lowercase();
            if !PROFILES.contains(&p.as_str()) {
                return Err(UnknownProfile(p));
            }
            if !self.profiles.contains(&p) {
                self.profiles.push(p);
            }
        }
        Ok(self)
    }

    /// Adds rules to the selection, whatever it is (`extend-select`).
    pub fn with_extend(mut self, extend: &[String]) -> Result<Selection, UnknownRule> {
        let more = Selection::new(extend, &[])?;
        self.extend.extend(more.select);
        Ok(self)
    }

    pub fn enabled(&self, doc: &RuleDoc) -> bool {
        // A file that cannot be parsed makes the scan incomplete, whatever is
        // selected: it is always said, and the exit status says it too.
        if doc.code == crate::rules::parse_error::CODE {
            return true;
        }
        if self.extend.iter().any(|s| matches(s, doc)) && !self.ignored(doc) {
            return true;
        }
        let selected = if self.select.is_empty() && self.profiles.is_empty() {
            doc.is_default()
        } else {
            self.select.iter().any(|s| matches(s, doc))
                || (!self.profiles.is_empty()
                    && (doc.code.starts_with("BL0") && doc.is_default()
                        || self.profiles.iter().any(|p| doc.compliance.contains_key(p))))
        };
        selected && !self.ignored(doc)
    }

    /// May a bucket's classification tag turn this rule on? Not when rules were
    /// picked explicitly with `--select`, nor when `--ignore` names it.
    pub fn by_classification(&self, doc: &RuleDoc) -> bool {
        self.select.is_empty() && !self.ignored(doc)
    }

    /// Deselected with `--ignore` (which also wins over a classification tag).
    pub fn ignored(&self, doc: &RuleDoc) -> bool {
        self.ignore.iter().any(|s| matches(s, doc))
    }
}

/// The closest rule name or code, by edit distance.
fn suggest(s: &str) -> Option<String> {
    let s = s.to_ascii_lowercase();
    rules::catalog()
        .iter()
        .flat_map(|e| [e.doc.code.to_ascii_lowercase(), e.doc.name.clone()])
        .map(|c| (edit_distance(&s, &c), c))
        .filter(|(d, c)| *d <= c.len() / 3 + 1)
        .min()
        .map(|(_, c)| c)
}

pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(code: &str) -> &'static RuleDoc {
        &rules::find(code).unwrap().doc
    }

    #[test]
    fn select_by_code_name_prefix() {
        let s = Selection::new(&["BL1".into()], &["public-acl".into()]).unwrap();
        assert!(s.enabled(doc("BL100")));
        assert!(!s.enabled(doc("BL110")));
        assert!(!s.enabled(doc("BL201")));
        let all = Selection::new(&["ALL".into()], &[]).unwrap();
        assert!(all.enabled(doc("BL401")));
        let split = Selection::new(&["BL110, bl201".into()], &[]).unwrap();
        assert!(split.enabled(doc("BL201")) && split.enabled(doc("BL110")));
    }

    #[test]
    fn profiles_select_their_mapped_rules() {
        let s = Selection::new(&[], &[])
            .unwrap()
            .with_profiles(&["CIS".into()])
            .unwrap();
        assert!(s.enabled(doc("BL210")), "CIS 2.1.1");
        assert!(!s.enabled(doc("BL401")), "not mapped to CIS");
        assert!(s.enabled(doc("BL001")), "diagnostics stay");
        let s = Selection::new(&["BL401".into()], &["BL210".into()])
            .unwrap()
            .with_profiles(&["cis".into()])
            .unwrap();
        assert!(s.enabled(doc("BL401")) && !s.enabled(doc("BL210")));
        assert!(
            Selection::default()
                .with_profiles(&["iso9001".into()])
                .is_err()
        );
    }

    #[test]
    fn unknown_rules_get_a_suggestion() {
        let e = Selection::new(&["public-acls".into()], &[]).unwrap_err();
        assert_eq!(e.suggestion.as_deref(), Some("public-acl"));
        assert!(Selection::new(&[], &["BL999".into()]).is_err());
    }
}
