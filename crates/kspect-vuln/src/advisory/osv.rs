//! The OSV record format (<https://ossf.github.io/osv-schema/>), the parts
//! kspect uses; unknown fields are ignored, and the full record is kept in
//! the database as imported.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::range::Range;

/// One OSV advisory record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OsvRecord {
    /// Identifier (`GHSA-...`, `CVE-...`, `RUSTSEC-...`).
    pub id: String,
    /// RFC 3339 time of the last change.
    #[serde(default)]
    pub modified: String,
    /// RFC 3339 publication time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// Set when the record was withdrawn: it must not produce findings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<String>,
    /// Other IDs of the same vulnerability.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// IDs of closely related (not identical) vulnerabilities.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<String>,
    /// One-line summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Longer description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    /// CVSS vectors and other severity scores.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub severity: Vec<OsvSeverity>,
    /// The affected packages.
    #[serde(default)]
    pub affected: Vec<Affected>,
    /// Links.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<Reference>,
    /// Database-specific data (GHSA's `severity` lives here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_specific: Option<Value>,
}

/// `severity[]` / `affected[].severity[]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OsvSeverity {
    /// `CVSS_V2`, `CVSS_V3`, `CVSS_V4`, `Ubuntu`, ...
    #[serde(rename = "type")]
    pub kind: String,
    /// The vector or label.
    pub score: String,
}

/// `affected[].package`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AffectedPackage {
    /// OSV ecosystem string (`Debian:12`, `PyPI`).
    pub ecosystem: String,
    /// Package name.
    pub name: String,
    /// Package URL, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
}

/// `affected[]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Affected {
    /// The package (absent in some GIT-only records).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<AffectedPackage>,
    /// Severity of this package's part, when it differs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub severity: Vec<OsvSeverity>,
    /// Affected ranges.
    #[serde(default)]
    pub ranges: Vec<Range>,
    /// Explicitly affected versions.
    #[serde(default)]
    pub versions: Vec<String>,
    /// Ecosystem-specific data (Ubuntu/Debian urgency, Go symbols).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ecosystem_specific: Option<Value>,
    /// Database-specific data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_specific: Option<Value>,
}

/// `references[]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference {
    /// `ADVISORY`, `FIX`, `WEB`, ...
    #[serde(rename = "type")]
    pub kind: String,
    /// The URL.
    pub url: String,
}

impl OsvRecord {
    /// Parse one record from JSON text.
    pub fn from_json(text: &str) -> Result<OsvRecord, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// This record's ID, its aliases, and the CVE its ID embeds: distribution
    /// databases name per-CVE records `ALPINE-CVE-2025-26519`,
    /// `UBUNTU-CVE-...`, `DEBIAN-CVE-...` without listing the CVE as an alias.
    pub fn all_ids(&self) -> Vec<String> {
        let mut ids = vec![self.id.clone()];
        ids.extend(self.aliases.iter().cloned());
        if let Some(i) = self.id.find("-CVE-") {
            let cve = &self.id[i + 1..];
            let tail = &cve["CVE-".len()..];
            let ok = tail.split_once('-').is_some_and(|(y, n)| {
                y.len() == 4
                    && y.bytes().all(|b| b.is_ascii_digit())
                    && !n.is_empty()
                    && n.bytes().all(|b| b.is_ascii_digit())
            });
            if ok && !ids.iter().any(|x| x == cve) {
                ids.push(cve.to_owned());
            }
        }
        ids
    }
}
