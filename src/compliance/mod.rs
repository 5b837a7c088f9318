//! `bucketlint report --profile NAME`: the scanned code control by control, for
//! an auditor. The frameworks' controls (`frameworks/*.toml`: id, family, title,
//! and why a static scan cannot evidence it, where it cannot) meet the rules
//! mapped to them; each control lists the resources that pass and fail, and the
//! findings suppressed or recorded in a baseline with their reasons. The report
//! says what was scanned, so it can be filed as evidence and reproduced.

pub mod build;
pub mod html;
pub mod render;

pub use build::{Report, build};

use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// A control of a framework.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Control {
    pub id: String,
    pub family: String,
    pub title: String,
    /// Why a static scan of the code cannot evidence it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_assessed: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Framework {
    pub id: String,
    pub name: String,
    /// The framework's text or publication the controls are quoted from.
    pub source: String,
    #[serde(rename = "control")]
    pub controls: Vec<Control>,
}

const CATALOGS: [&str; 8] = [
    include_str!("../../frameworks/fsbp.toml"),
    include_str!("../../frameworks/cis.toml"),
    include_str!("../../frameworks/nist.toml"),
    include_str!("../../frameworks/pci.toml"),
    include_str!("../../frameworks/hipaa.toml"),
    include_str!("../../frameworks/soc2.toml"),
    include_str!("../../frameworks/gdpr.toml"),
    include_str!("../../frameworks/iso27001.toml"),
];

/// Every framework, in `--profile` order.
pub fn frameworks() -> &'static [Framework] {
    static ALL: OnceLock<Vec<Framework>> = OnceLock::new();
    ALL.get_or_init(|| {
        CATALOGS
            .iter()
            .map(|text| toml::from_str(text).expect("frameworks/*.toml is checked by the tests"))
            .collect()
    })
}

/// The framework a `--profile` names.
pub fn framework(id: &str) -> Option<&'static Framework> {
    frameworks().iter().find(|f| f.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogs_parse_in_profile_order_with_unique_controls() {
        let ids: Vec<&str> = frameworks().iter().map(|f| f.id.as_str()).collect();
        assert_eq!(ids, crate::selection::PROFILES);
        for f in frameworks() {
            let mut seen = std::collections::BTreeSet::new();
            for c in &f.controls {
                assert!(seen.insert(&c.id), "{}: {} twice", f.id, c.id);
                assert!(!c.title.is_empty() && !c.family.is_empty());
            }
            // Each control is either evidenced by a rule or says why it is not.
            for c in f.controls.iter().filter(|c| c.not_assessed.is_none()) {
                assert!(
                    crate::rules::catalog().iter().any(|e| e
                        .doc
                        .compliance
                        .get(&f.id)
                        .is_some_and(|v| v.contains(&c.id))),
                    "{} {}: no rule evidences it and it does not say why",
                    f.id,
                    c.id
                );
            }
        }
    }
}
