//! Fatal input problems: the analysis stops and names the object and where it was written.

use std::fmt;

/// Where an offending object was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// `Kind ns/name` (or `Kind name` for cluster-scoped objects).
    pub object: String,
    /// `file:line` of the object (or of the offending field).
    pub location: String,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.object, self.location)
    }
}

/// Why the analysis cannot go on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NetpolError {
    /// An object is invalid (bad CIDR, bad selector, bad port, bad peer ...).
    #[error("{origin}: {message}")]
    Invalid {
        /// The object.
        origin: Origin,
        /// What is wrong, starting with the upstream error title (`CIDR error: ...`).
        message: String,
    },
    /// Two objects that must be unique share a name.
    #[error("{origin}: {message}")]
    Duplicate {
        /// The second object.
        origin: Origin,
        /// What is duplicated.
        message: String,
    },
    /// Pods of one owner differ in labels in a way some policy selector can tell apart, so
    /// the owner cannot stand for them as one workload.
    #[error(
        "{workload}: pods with the same owner have different labels that policy selectors tell apart; this input is not supported"
    )]
    PodsOfOneOwnerDiffer {
        /// `ns/owner`.
        workload: String,
    },
    /// No manifest file was found in the input paths.
    #[error("no manifest files found (recognized file extensions are .yaml, .yml, .json)")]
    NoInputFiles,
    /// The input holds no workload and no policy at all.
    #[error("no relevant Kubernetes workload resources found in the input")]
    NothingToAnalyse,
    /// An analysis option that this version does not implement yet.
    #[error("{0} is not implemented yet")]
    Unsupported(&'static str),
    /// A command-line argument names nothing in the input.
    #[error("{0}")]
    BadArgument(String),
}
