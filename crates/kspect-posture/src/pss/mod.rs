//! Pod Security Standards, evaluated exactly as the Pod Security Admission (PSA)
//! library `k8s.io/pod-security-admission` does, for every level and version.
//!
//! [`evaluate`] takes a pod's `metadata` and `spec` as JSON values (a Pod, or the
//! pod template of a workload) and a [`Policy`], runs the checks [`checks_for`]
//! selects, and returns one [`Violation`] per failing check. An empty result means
//! the pod is allowed. The checks, their variants per version, and which
//! restricted checks replace which baseline ones follow the library's
//! `policy/check_*.go`; [`CHECKS`] documents each of them.
//!
//! Two things differ from running the library on a decoded Go struct, both on
//! purpose:
//! * The API server's defaulting that changes a verdict is applied: a volume
//!   with no source becomes `emptyDir` (see `restrictedVolumes`). The hostPort
//!   defaulting for `hostNetwork` pods is not applied: it only ever adds a
//!   `hostPorts` violation to pods `hostNamespaces` already denies, and the API
//!   server no longer applies it to workload pod templates.
//! * Values come from YAML, not from a strict decoder, so mistyped fields are
//!   read by the rules in `value.rs`: never panic, and never let a mistyped
//!   value pass for an allowed one (only JSON `true` is true, etc.).

#![deny(missing_docs)]

mod checks;
mod pod;
mod policy;
mod registry;
mod value;
mod violation;

pub use policy::{Level, Policy, PolicyParseError, Version};
pub use registry::{CHECKS, CheckInfo, checks_for};
pub use violation::{PodPart, Violation};

use serde_json::Value;

/// Evaluates one pod against `policy`.
///
/// `metadata` and `spec` are the pod's (or pod template's) objects; either may be
/// `Value::Null` or of the wrong type, which is read as an empty object. Returns
/// one violation per failing check, baseline checks first, then restricted ones,
/// each group in byte order of the check ID. `Level::Privileged` allows everything.
pub fn evaluate(metadata: &Value, spec: &Value, policy: &Policy) -> Vec<Violation> {
    if policy.level == Level::Privileged {
        return Vec::new();
    }
    let pod = pod::Pod::new(metadata, spec);
    let minor = policy.version.minor();
    registry::active(policy)
        .filter_map(|d| (d.run)(&pod, minor).map(|f| f.into_violation(d.id)))
        .collect()
}

/// True when `policy` allows the pod: [`evaluate`] finds nothing.
pub fn allows(metadata: &Value, spec: &Value, policy: &Policy) -> bool {
    evaluate(metadata, spec, policy).is_empty()
}

/// Looks up a check's documentation by its ID.
pub fn check_info(id: &str) -> Option<&'static CheckInfo> {
    CHECKS.iter().find(|c| c.id == id)
}
