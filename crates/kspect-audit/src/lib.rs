//! Kubernetes audit logs and audit policies.
//!
//! - [`reader`]: every shape audit logs arrive in (JSON lines, rotated and gzipped
//!   files, webhook `EventList` batches, v1/v1beta1, GKE/AKS/CloudWatch wrappers);
//!   malformed input is counted and located, never fatal.
//! - [`analyze`]: kspect's own detections (first secret reads, exec/attach, anonymous
//!   access, privileged/hostPath pods, cluster-admin bindings, RBAC changes, bursts of
//!   403s, service-account tokens from outside) and the analyst's summary.
//! - [`policy`]: the API server's audit-policy evaluation and findings on a Policy.
//! - [`findings`]: both as kspect findings (rules KSA001–KSA009, KAP001–KAP006) for
//!   the shared reporters.
//!
//! The Falco `ka.*` fields over these events come from
//! [`kspect_rules::fields::k8saudit::AuditEvent`]; [`to_rule_event`] makes one.
#![deny(missing_docs)]

pub mod analyze;
pub mod findings;
pub mod policy;
pub mod reader;

use kspect_rules::fields::k8saudit::AuditEvent;

/// Wraps an event for the Falco k8s-audit rules.
pub fn to_rule_event(ev: serde_json::Value) -> AuditEvent {
    AuditEvent::new(ev)
}
