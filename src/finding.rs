//! What a scan reports: findings with exact spans, and severities.

use crate::source::Span;
use serde::Serialize;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s.to_ascii_lowercase().as_str() {
            "low" => Some(Severity::Low),
            "medium" => Some(Severity::Medium),
            "high" => Some(Severity::High),
            "critical" => Some(Severity::Critical),
            _ => None,
        }
    }

    /// SARIF `security-severity` (GitHub maps >= 9.0 to critical, >= 7.0 high,
    /// >= 4.0 medium, else low).
    pub fn security_severity(self) -> &'static str {
        match self {
            Severity::Critical => "9.5",
            Severity::High => "8.0",
            Severity::Medium => "5.5",
            Severity::Low => "2.0",
        }
    }

    /// SARIF `level`.
    pub fn sarif_level(self) -> &'static str {
        match self {
            Severity::Critical | Severity::High => "error",
            Severity::Medium => "warning",
            Severity::Low => "note",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The message of a related location where a value was written (a variable
/// default, a parameter): the fix surface reads it to say where to change it.
pub const VALUE_ORIGIN: &str = "the value comes from here";

/// A secondary location that contributed to a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    pub span: Span,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    /// The offending value, else the block that should contain it, else the
    /// resource header.
    pub span: Span,
    /// A short label shown under the span in the text report.
    pub label: Option<String>,
    /// What to do about it, for this instance.
    pub help: Option<String>,
    pub related: Vec<Related>,
    /// The resource address (`aws_s3_bucket.logs`) or logical ID, when there is one.
    pub resource: Option<String>,
    /// Other module instances with the same finding (their addresses).
    pub instances: Vec<String>,
    /// The deployment the resource belongs to (a Terraform root module directory or
    /// a CloudFormation template), when there is one.
    pub scope: Option<String>,
    /// An inline suppression covers it: it stays in JSON and SARIF, leaves the
    /// terminal reports and the exit status.
    pub suppressed: Option<Suppressed>,
    /// Compared with a baseline (`--baseline`): new, or recorded there (then it is
    /// kept in JSON and SARIF and leaves the terminal reports and exit status).
    pub baseline: Option<crate::baseline::State>,
    /// The edits that remedy it, when the rule can write them.
    pub fix: Option<Box<Fix>>,
}

/// Whether a fix may be applied without a person looking (ruff's model).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Changes nothing the deployment does beyond what the finding is about.
    Safe,
    /// May need a decision (a key to choose, a public website it would close):
    /// applied only with `--unsafe-fixes`.
    Unsafe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }
}

/// Text edits that remedy a finding, applied together or not at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub applicability: Applicability,
    /// What it does, for people (`set block_public_acls = true`).
    pub title: String,
    /// Non-overlapping replacements of byte ranges (empty for an insertion).
    pub edits: Vec<Edit>,
}

/// Replaces the bytes of `span` with `text`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Edit {
    pub span: Span,
    pub text: String,
}

/// Why and where a finding was suppressed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppressed {
    pub justification: String,
    /// The suppression's expiry date (`YYYY-MM-DD`), if it has one.
    pub expires: Option<String>,
    /// The suppression comment or metadata entry.
    pub span: Span,
}

impl Finding {
    /// Reported: neither suppressed inline nor recorded in the baseline.
    pub fn counts(&self) -> bool {
        self.suppressed.is_none() && self.baseline != Some(crate::baseline::State::Unchanged)
    }

    pub fn new(
        code: &'static str,
        severity: Severity,
        span: Span,
        message: impl Into<String>,
    ) -> Finding {
        Finding {
            code,
            severity,
            message: message.into(),
            span,
            label: None,
            help: None,
            related: Vec::new(),
            resource: None,
            instances: Vec::new(),
            scope: None,
            suppressed: None,
            baseline: None,
            fix: None,
        }
    }

    #[must_use]
    pub fn fix(mut self, fix: Option<Fix>) -> Finding {
        self.fix = fix.map(Box::new);
        self
    }

    #[must_use]
    pub fn label(mut self, label: impl Into<String>) -> Finding {
        self.label = Some(label.into());
        self
    }

    #[must_use]
    pub fn help(mut self, help: impl Into<String>) -> Finding {
        self.help = Some(help.into());
        self
    }

    #[must_use]
    pub fn related(mut self, span: Option<Span>, message: impl Into<String>) -> Finding {
        if let Some(span) = span {
            self.related.push(Related {
                span,
                message: message.into(),
            });
        }
        self
    }

    #[must_use]
    pub fn resource(mut self, resource: impl Into<String>) -> Finding {
        self.resource = Some(resource.into());
        self
    }

    /// The order of reports: file, position, code, message.
    pub fn sort_key(&self) -> (u32, u32, u32, &'static str, &str) {
        (
            self.span.file.0,
            self.span.start,
            self.span.end,
            self.code,
            &self.message,
        )
    }
}
