//! Severity of an advisory: CVSS base scores from vectors, else the
//! qualitative rating the database gives.
//!
//! CVSS v3.0/v3.1 and v4.0 vectors are scored by RustSec's `cvss` crate;
//! it has no v2.0 scoring, so v2 vectors are scored by `cvssrust`.

use std::str::FromStr;

use cvssrust::CVSSScore;
use kspect_core::Severity;
use serde::Serialize;

/// Which CVSS specification a vector follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum CvssVersion {
    /// CVSS v2.0
    V2,
    /// CVSS v3.0
    V3_0,
    /// CVSS v3.1
    V3_1,
    /// CVSS v4.0
    V4,
}

/// A scored CVSS vector.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CvssScore {
    /// The specification version.
    pub version: CvssVersion,
    /// The vector as given.
    pub vector: String,
    /// Base score, 0.0 to 10.0.
    pub score: f64,
}

/// Score one vector; `None` when it is not a valid vector of a version
/// this module knows.
pub fn score_vector(vector: &str) -> Option<CvssScore> {
    let v = vector.trim();
    let version = if v.starts_with("CVSS:4.0/") {
        CvssVersion::V4
    } else if v.starts_with("CVSS:3.1/") {
        CvssVersion::V3_1
    } else if v.starts_with("CVSS:3.0/") {
        CvssVersion::V3_0
    } else {
        let body = v.strip_prefix("CVSS:2.0/").unwrap_or(v);
        let parsed = cvssrust::v2::V2Vector::from_str(body).ok()?;
        return Some(CvssScore {
            version: CvssVersion::V2,
            vector: v.to_owned(),
            score: parsed.base_score().value(),
        });
    };
    let parsed = cvss::Cvss::from_str(v).ok()?;
    Some(CvssScore {
        version,
        vector: v.to_owned(),
        score: parsed.score(),
    })
}

/// The qualitative rating of a CVSS score (the v3/v4 scale: 0.1-3.9 low,
/// 4.0-6.9 medium, 7.0-8.9 high, 9.0-10.0 critical; 0.0 is none).
pub fn rating(score: f64) -> Severity {
    if score >= 9.0 {
        Severity::Critical
    } else if score >= 7.0 {
        Severity::High
    } else if score >= 4.0 {
        Severity::Medium
    } else if score > 0.0 {
        Severity::Low
    } else {
        Severity::Info
    }
}

/// A database's own word for severity (GHSA `MODERATE`, Debian/Ubuntu
/// urgencies and priorities, Red Hat `Important`, ...).
pub fn parse_label(label: &str) -> Option<Severity> {
    let l = label.trim().to_ascii_lowercase();
    Some(match l.as_str() {
        "critical" => Severity::Critical,
        "high" | "important" | "emergency" => Severity::High,
        "medium" | "moderate" => Severity::Medium,
        "low" | "minor" | "unimportant" | "negligible" => Severity::Low,
        "none" | "informational" | "info" | "not yet assigned" | "unknown" => Severity::Info,
        _ => return None,
    })
}
