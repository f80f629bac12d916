//! Typed views of the RBAC objects (and the pod -> service account link),
//! read leniently from `serde_json::Value`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::policy::{PolicyRule, null_as_empty};
use crate::selector::LabelSelector;

/// Where an object came from: the caller's opaque handle plus a JSON pointer
/// inside that value (`""` for the value itself, `/items/3` for an item of a
/// `kind: List`). Findings carry it so a report can point at file and line.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct SourceRef<S> {
    /// The handle the caller gave with the value (by default its index).
    pub handle: S,
    /// JSON pointer of the object inside that value.
    pub pointer: String,
}

/// The parts of `metadata` this crate uses.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    /// `metadata.name`.
    #[serde(default)]
    pub name: String,
    /// `metadata.namespace` (`""` when absent).
    #[serde(default)]
    pub namespace: String,
    /// `metadata.labels` (`null` reads as empty).
    #[serde(default, deserialize_with = "null_as_empty_map")]
    pub labels: BTreeMap<String, String>,
    /// `metadata.annotations` (`null` reads as empty).
    #[serde(default, deserialize_with = "null_as_empty_map")]
    pub annotations: BTreeMap<String, String>,
}

fn null_as_empty_map<'de, D>(d: D) -> Result<BTreeMap<String, String>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    Ok(Option::<BTreeMap<String, String>>::deserialize(d)?.unwrap_or_default())
}

/// Kind of a role object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum RoleKind {
    /// Namespaced `Role`.
    Role,
    /// Cluster-scoped `ClusterRole`.
    ClusterRole,
}

impl RoleKind {
    /// The Kubernetes kind string.
    pub fn as_str(self) -> &'static str {
        match self {
            RoleKind::Role => "Role",
            RoleKind::ClusterRole => "ClusterRole",
        }
    }
}

/// Kind of a binding object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum BindingKind {
    /// Namespaced `RoleBinding`.
    RoleBinding,
    /// Cluster-scoped `ClusterRoleBinding`.
    ClusterRoleBinding,
}

impl BindingKind {
    /// The Kubernetes kind string.
    pub fn as_str(self) -> &'static str {
        match self {
            BindingKind::RoleBinding => "RoleBinding",
            BindingKind::ClusterRoleBinding => "ClusterRoleBinding",
        }
    }
}

/// `aggregationRule` of a ClusterRole.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AggregationRule {
    /// Label selectors; ClusterRoles matching any of them are aggregated.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub cluster_role_selectors: Vec<LabelSelector>,
}

/// A Role or ClusterRole.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoleObject<S> {
    /// Role or ClusterRole.
    pub kind: RoleKind,
    /// Metadata (namespace is `""` for ClusterRoles).
    pub meta: Meta,
    /// `.rules` (after aggregation when the model aggregates).
    pub rules: Vec<PolicyRule>,
    /// `.aggregationRule` (ClusterRoles only).
    pub aggregation_rule: Option<AggregationRule>,
    /// Where the object came from.
    pub source: SourceRef<S>,
}

/// `roleRef` of a binding.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleRef {
    /// Ignored by the authorizer (validation requires `rbac.authorization.k8s.io`).
    #[serde(default)]
    pub api_group: String,
    /// `Role` or `ClusterRole`; anything else is an unsupported reference.
    #[serde(default)]
    pub kind: String,
    /// Name of the referenced role.
    #[serde(default)]
    pub name: String,
}

/// A binding subject as written in the object.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Subject {
    /// `User`, `Group` or `ServiceAccount` (anything else never matches).
    #[serde(default)]
    pub kind: String,
    /// Ignored by the authorizer.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub api_group: String,
    /// User name, group name or service account name.
    #[serde(default)]
    pub name: String,
    /// Namespace of a ServiceAccount subject (`""` when not written).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub namespace: String,
}

impl Subject {
    /// A `User` subject.
    pub fn user(name: &str) -> Self {
        Subject {
            kind: "User".into(),
            api_group: crate::RBAC_GROUP.into(),
            name: name.into(),
            namespace: String::new(),
        }
    }

    /// A `Group` subject.
    pub fn group(name: &str) -> Self {
        Subject {
            kind: "Group".into(),
            api_group: crate::RBAC_GROUP.into(),
            name: name.into(),
            namespace: String::new(),
        }
    }

    /// A `ServiceAccount` subject.
    pub fn service_account(namespace: &str, name: &str) -> Self {
        Subject {
            kind: "ServiceAccount".into(),
            api_group: String::new(),
            name: name.into(),
            namespace: namespace.into(),
        }
    }

    /// The user name this subject stands for, when it stands for one user:
    /// a User's name, or `system:serviceaccount:NS:NAME` for a ServiceAccount
    /// whose namespace is written or defaulted from `binding_namespace`
    /// (`""` for a ClusterRoleBinding, where an SA without namespace never matches).
    pub fn effective_user(&self, binding_namespace: &str) -> Option<String> {
        match self.kind.as_str() {
            "User" => Some(self.name.clone()),
            "ServiceAccount" => {
                let ns = if self.namespace.is_empty() {
                    binding_namespace
                } else {
                    &self.namespace
                };
                if ns.is_empty() {
                    None
                } else {
                    Some(crate::service_account_user(ns, &self.name))
                }
            }
            _ => None,
        }
    }

    /// How the API server names the subject in reasons (`describeSubject`).
    pub fn describe(&self, binding_namespace: &str) -> String {
        if self.kind == "ServiceAccount" {
            let ns = if self.namespace.is_empty() {
                binding_namespace
            } else {
                &self.namespace
            };
            format!(
                "{} {}",
                self.kind,
                go_quote(&format!("{}/{}", self.name, ns))
            )
        } else {
            format!("{} {}", self.kind, go_quote(&self.name))
        }
    }
}

/// A RoleBinding or ClusterRoleBinding.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BindingObject<S> {
    /// RoleBinding or ClusterRoleBinding.
    pub kind: BindingKind,
    /// Metadata (namespace is `""` for ClusterRoleBindings).
    pub meta: Meta,
    /// `.roleRef`.
    pub role_ref: RoleRef,
    /// `.subjects` in written order.
    pub subjects: Vec<Subject>,
    /// Where the object came from.
    pub source: SourceRef<S>,
}

impl<S> BindingObject<S> {
    /// `name` for a ClusterRoleBinding, `name/namespace` for a RoleBinding,
    /// the form the API server uses in reasons.
    pub fn display_name(&self) -> String {
        match self.kind {
            BindingKind::ClusterRoleBinding => self.meta.name.clone(),
            BindingKind::RoleBinding => format!("{}/{}", self.meta.name, self.meta.namespace),
        }
    }
}

/// A ServiceAccount object.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceAccountObject<S> {
    /// Metadata (annotations carry cloud IAM links, RISKS R28).
    pub meta: Meta,
    /// `automountServiceAccountToken`, when set.
    pub automount_token: Option<bool>,
    /// Where the object came from.
    pub source: SourceRef<S>,
}

/// A pod or pod-owning workload and the service account its pods run as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Workload<S> {
    /// `Pod`, `Deployment`, `CronJob`, ...
    pub kind: String,
    /// Object name.
    pub name: String,
    /// Object namespace (`""` when not written).
    pub namespace: String,
    /// `serviceAccountName` (or the deprecated `serviceAccount`), `default` when unset.
    pub service_account: String,
    /// `automountServiceAccountToken` of the pod spec, when set.
    pub automount_token: Option<bool>,
    /// Where the object came from.
    pub source: SourceRef<S>,
}

/// Go's `%q` for the plain strings that appear in RBAC names: a JSON string
/// literal is the same for printable ASCII, which is what names contain.
pub(crate) fn go_quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}
