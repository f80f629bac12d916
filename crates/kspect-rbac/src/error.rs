//! Typed errors and collected load problems.

use serde::Serialize;

use crate::objects::SourceRef;

/// Errors returned by the library's fallible operations.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RbacError {
    /// A label selector that upstream would refuse to build.
    #[error("invalid label selector: {0}")]
    InvalidSelector(String),
    /// A SubjectAccessReview that the API server would reject.
    #[error("invalid SubjectAccessReview: {0}")]
    InvalidReview(String),
    /// A `kubectl auth can-i` style argument that cannot be parsed.
    #[error("invalid resource argument {arg:?}: {why}")]
    InvalidResourceArg {
        /// The argument as given.
        arg: String,
        /// What is wrong with it.
        why: String,
    },
}

/// A problem met while reading one object; the object is skipped (or read in
/// part) and the rest of the input is still analysed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoadIssue<S> {
    /// Where the object came from.
    pub source: SourceRef<S>,
    /// `kind` of the object, when it could be read.
    pub kind: String,
    /// `metadata.name`, when it could be read.
    pub name: String,
    /// What is wrong.
    pub message: String,
}
