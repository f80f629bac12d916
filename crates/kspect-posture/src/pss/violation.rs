//! What a failing check reports, and the builder checks use to assemble it.

use serde::Serialize;

/// Which object a [`Violation::pointer`] is rooted at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PodPart {
    /// The pod's (or pod template's) `metadata`, e.g. for annotations.
    Metadata,
    /// The pod's (or pod template's) `spec`.
    Spec,
}

/// One failing check for one pod.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// The library's check ID, e.g. `seccompProfile_restricted`.
    pub check: &'static str,
    /// The library's short forbidden reason, e.g. `allowPrivilegeEscalation != false`.
    pub reason: String,
    /// Which containers and fields offend, and with what values.
    pub detail: String,
    /// The object [`Violation::pointer`] is relative to.
    pub part: PodPart,
    /// JSON pointer of the first offending field, relative to the pod metadata or
    /// spec. For a required field that is missing, where it should be; the caller
    /// resolves the nearest existing parent for a line number.
    pub pointer: String,
}

/// A failing check before it is stamped with its ID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    pub reason: String,
    pub detail: String,
    pub part: PodPart,
    pub pointer: String,
}

impl Failure {
    pub(crate) fn into_violation(self, check: &'static str) -> Violation {
        Violation {
            check,
            reason: self.reason,
            detail: self.detail,
            part: self.part,
            pointer: self.pointer,
        }
    }
}

/// Collects the offending fields of one check, in the order the library visits them.
#[derive(Debug, Default)]
pub(crate) struct Offenses {
    items: Vec<(PodPart, String, String)>,
}

impl Offenses {
    pub(crate) fn new() -> Offenses {
        Offenses::default()
    }

    /// Records an offending field of the pod spec and a sentence about it.
    pub(crate) fn spec(&mut self, pointer: impl Into<String>, sentence: impl Into<String>) {
        self.items
            .push((PodPart::Spec, pointer.into(), sentence.into()));
    }

    /// Records an offending field of the pod metadata and a sentence about it.
    pub(crate) fn metadata(&mut self, pointer: impl Into<String>, sentence: impl Into<String>) {
        self.items
            .push((PodPart::Metadata, pointer.into(), sentence.into()));
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// `None` when nothing offended; otherwise a failure pointing at the first
    /// offence and describing all of them.
    pub(crate) fn finish(self, reason: impl Into<String>) -> Option<Failure> {
        let (part, pointer, _) = self.items.first()?.clone();
        let detail = self
            .items
            .into_iter()
            .map(|(_, _, sentence)| sentence)
            .collect::<Vec<_>>()
            .join("; ");
        Some(Failure {
            reason: reason.into(),
            detail,
            part,
            pointer,
        })
    }
}
