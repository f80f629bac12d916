//! Errors returned by version parsing, comparison and range evaluation.

use thiserror::Error;

/// Why a version string, an ecosystem name or an OSV range could not be used.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum VersionError {
    /// The string is not a version in the given scheme.
    #[error("invalid {scheme} version {version:?}: {reason}")]
    Invalid {
        /// Scheme name (dpkg, apk, rpm, ...).
        scheme: &'static str,
        /// The offending input.
        version: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The OSV ecosystem name is not one this crate knows how to order.
    #[error("unsupported ecosystem {0:?}")]
    UnsupportedEcosystem(String),
    /// An npm range expression could not be parsed.
    #[error("invalid range {range:?}: {reason}")]
    InvalidRange {
        /// The offending range text.
        range: String,
        /// What is wrong with it.
        reason: String,
    },
    /// An OSV `affected[].ranges[]` entry is malformed (unknown type, bad event).
    #[error("invalid OSV range: {0}")]
    InvalidOsvRange(String),
}

impl VersionError {
    /// Shorthand for [`VersionError::Invalid`].
    pub(crate) fn invalid(scheme: &'static str, version: &str, reason: impl Into<String>) -> Self {
        VersionError::Invalid {
            scheme,
            version: version.to_owned(),
            reason: reason.into(),
        }
    }
}
