//! Findings: what an analyzer reports about an object.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::object::{Object, ObjectRef};
use crate::rule::{Reference, Rule};
use crate::span::Location;

/// How bad a finding is. Ordered: `Info < Low < Medium < High < Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; not a weakness by itself.
    Info,
    /// A weakness with little impact alone.
    Low,
    /// A weakness that helps an attacker.
    Medium,
    /// A direct path to compromise of the workload or its data.
    High,
    /// A direct path to the node or the cluster.
    Critical,
}

impl Severity {
    /// All severities, from most to least severe.
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    /// The lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// The error for an unknown severity name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown severity {0:?} (expected critical, high, medium, low or info)")]
pub struct UnknownSeverity(pub String);

impl FromStr for Severity {
    type Err = UnknownSeverity;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "info" => Ok(Severity::Info),
            "low" => Ok(Severity::Low),
            "medium" => Ok(Severity::Medium),
            "high" => Ok(Severity::High),
            "critical" => Ok(Severity::Critical),
            _ => Err(UnknownSeverity(s.to_string())),
        }
    }
}

/// Why a finding is not counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suppression {
    /// `annotation` (`kspect.dev/ignore` on the object) or `config` (an exception in `.kspect.yaml`).
    pub kind: &'static str,
    /// The justification written next to it.
    pub reason: String,
    /// Where the suppression was written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}

/// One problem found by a rule.
///
/// Text that comes from the rule's static metadata is borrowed (`Cow::Borrowed`), so a
/// scan with tens of thousands of findings does not copy the same titles, remediations
/// and references tens of thousands of times.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The stable rule ID, e.g. `KSP101`.
    pub rule: Cow<'static, str>,
    /// Severity (after configuration overrides).
    pub severity: Severity,
    /// The rule's title.
    pub title: Cow<'static, str>,
    /// What is wrong with this object, specifically.
    pub message: String,
    /// The rule's category (`pss`, `workload`, `rbac` ...).
    pub category: Cow<'static, str>,
    /// The object concerned, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<ObjectRef>,
    /// Where: the offending field, or its nearest parent that exists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// How to fix it.
    pub remediation: Cow<'static, str>,
    /// The value seen, when showing it helps.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    /// CIS, PSS, MITRE and documentation references of the rule.
    pub references: Cow<'static, [Reference]>,
    /// Set when an annotation or an exception suppresses the finding.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<Suppression>,
}

impl Finding {
    /// A finding of `rule` about the field at `pointer` of `object`.
    pub fn at(rule: &Rule, object: &Object, pointer: &str, message: impl Into<String>) -> Finding {
        Finding {
            rule: Cow::Borrowed(rule.id),
            severity: rule.severity,
            title: Cow::Borrowed(rule.title),
            message: message.into(),
            category: Cow::Borrowed(rule.category),
            object: Some(object.id.clone()),
            location: Some(object.locate(pointer)),
            remediation: Cow::Borrowed(rule.remediation),
            evidence: None,
            references: Cow::Borrowed(rule.references),
            suppressed: None,
        }
    }

    /// A finding of `rule` that concerns no single object (e.g. a configuration problem).
    pub fn general(rule: &Rule, location: Option<Location>, message: impl Into<String>) -> Finding {
        Finding {
            rule: Cow::Borrowed(rule.id),
            severity: rule.severity,
            title: Cow::Borrowed(rule.title),
            message: message.into(),
            category: Cow::Borrowed(rule.category),
            object: None,
            location,
            remediation: Cow::Borrowed(rule.remediation),
            evidence: None,
            references: Cow::Borrowed(rule.references),
            suppressed: None,
        }
    }

    /// Adds the value seen.
    pub fn with_evidence(mut self, evidence: impl Into<String>) -> Finding {
        self.evidence = Some(evidence.into());
        self
    }

    /// Replaces the rule's generic remediation with a specific one.
    pub fn with_remediation(mut self, remediation: impl Into<String>) -> Finding {
        self.remediation = Cow::Owned(remediation.into());
        self
    }

    /// True when the finding counts (is not suppressed).
    pub fn is_active(&self) -> bool {
        self.suppressed.is_none()
    }
}

/// Sorts findings for stable output: by file, line, column, then rule.
pub fn sort_findings(findings: &mut [Finding]) {
    use rayon::slice::ParallelSliceMut;
    // Stable, parallel, and comparing borrowed keys: a large scan sorts tens of
    // thousands of findings.
    fn loc(f: &Finding) -> Option<(&str, u32, u32, u32)> {
        f.location
            .as_ref()
            .map(|l| (&*l.file, l.document, l.line, l.column))
    }
    findings.par_sort_by(|a, b| {
        loc(a)
            .cmp(&loc(b))
            .then_with(|| a.object.cmp(&b.object))
            .then_with(|| a.rule.cmp(&b.rule))
            .then_with(|| a.message.cmp(&b.message))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_order_and_parse() {
        assert!(Severity::Critical > Severity::High && Severity::Low > Severity::Info);
        assert_eq!("HIGH".parse::<Severity>().unwrap(), Severity::High);
        assert!("severe".parse::<Severity>().is_err());
    }
}
