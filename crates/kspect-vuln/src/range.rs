//! OSV `affected[]` evaluation: `ECOSYSTEM` and `SEMVER` ranges made of
//! `introduced` / `fixed` / `last_affected` / `limit` events, plus the
//! explicit `versions` list.
//!
//! The algorithm is the one the OSV schema specifies: sort a range's events
//! by version (`introduced: "0"` first), walk them, and let each event switch
//! the "vulnerable" state when the queried version is at or past it; `limit`
//! events cap the range from above. Events at the same version keep the order
//! in which the record lists them (the sort is stable), so a record can say
//! "fixed in X, reintroduced in X".

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use crate::ecosystem::Ecosystem;
use crate::error::VersionError;
use crate::version::Scheme;

/// The `type` of an OSV range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RangeType {
    /// Versions in the ecosystem's own ordering.
    Ecosystem,
    /// SemVer 2.0 precedence.
    Semver,
    /// Git commit hashes: cannot be evaluated against a version string.
    Git,
    /// A type this crate does not know.
    #[serde(other)]
    Unknown,
}

/// One event of an OSV range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// The first affected version (`"0"`: since the beginning).
    Introduced(String),
    /// The first version that is no longer affected.
    Fixed(String),
    /// The last affected version.
    LastAffected(String),
    /// Versions at or above this are out of the range (`"*"`: no limit).
    Limit(String),
}

impl Event {
    fn version(&self) -> &str {
        match self {
            Event::Introduced(v) | Event::Fixed(v) | Event::LastAffected(v) | Event::Limit(v) => v,
        }
    }
}

/// One OSV range (`affected[].ranges[]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Range {
    /// Range type.
    #[serde(rename = "type")]
    pub kind: RangeType,
    /// Repository URL (GIT ranges).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,
    /// The events, in any order.
    pub events: Vec<Event>,
}

/// Is `version` affected according to these `ranges` and explicit `versions`?
///
/// `ECOSYSTEM` ranges use the ecosystem's ordering, `SEMVER` ranges OSV's
/// SemVer precedence; `GIT` ranges are skipped (they name commits, not
/// versions). An exact match in `versions` is always affected.
pub fn is_affected(
    ecosystem: &Ecosystem,
    ranges: &[Range],
    versions: &[String],
    version: &str,
) -> Result<bool, VersionError> {
    if versions.iter().any(|v| v == version) {
        return Ok(true);
    }
    for range in ranges {
        let scheme = match range.kind {
            RangeType::Ecosystem => ecosystem.scheme(),
            RangeType::Semver => Scheme::OsvSemver,
            RangeType::Git => continue,
            RangeType::Unknown => {
                return Err(VersionError::InvalidOsvRange("unknown range type".into()));
            }
        };
        if range_contains(scheme, &range.events, version)? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Evaluate one range's events in `scheme` for `version`.
pub fn range_contains(
    scheme: Scheme,
    events: &[Event],
    version: &str,
) -> Result<bool, VersionError> {
    scheme.validate(version)?;
    let limits: Vec<&str> = events
        .iter()
        .filter_map(|e| match e {
            Event::Limit(l) => Some(l.as_str()),
            _ => None,
        })
        .collect();
    if !limits.is_empty() {
        let mut below_some = false;
        for l in &limits {
            if *l == "*" || scheme.compare(version, l)? == Ordering::Less {
                below_some = true;
                break;
            }
        }
        if !below_some {
            return Ok(false);
        }
    }
    let mut sorted: Vec<&Event> = events
        .iter()
        .filter(|e| !matches!(e, Event::Limit(_)))
        .collect();
    // Validate event versions first so that sorting cannot hide an error.
    for e in &sorted {
        if !matches!(e, Event::Introduced(v) if v == "0") {
            scheme.validate(e.version())?;
        }
    }
    let is_zero = |e: &Event| matches!(e, Event::Introduced(v) if v == "0");
    let mut err = None;
    sorted.sort_by(|a, b| match (is_zero(a), is_zero(b)) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => scheme
            .compare(a.version(), b.version())
            .unwrap_or_else(|e| {
                err.get_or_insert(e);
                Ordering::Equal
            }),
    });
    if let Some(e) = err {
        return Err(e);
    }
    let mut vulnerable = false;
    for e in sorted {
        match e {
            Event::Introduced(v) => {
                if v == "0" || scheme.compare(version, v)? != Ordering::Less {
                    vulnerable = true;
                }
            }
            Event::Fixed(v) => {
                if scheme.compare(version, v)? != Ordering::Less {
                    vulnerable = false;
                }
            }
            Event::LastAffected(v) => {
                if scheme.compare(version, v)? == Ordering::Greater {
                    vulnerable = false;
                }
            }
            Event::Limit(_) => {}
        }
    }
    Ok(vulnerable)
}
