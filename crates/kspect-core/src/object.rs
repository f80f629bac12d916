//! Kubernetes objects as kspect sees them: identity, raw value and where they were written.

use std::fmt;
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

use crate::span::{DocSpans, DocumentId, Location};

/// The identity of an object: what a person types to find it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct ObjectRef {
    /// `apiVersion`, e.g. `apps/v1`.
    #[serde(rename = "apiVersion")]
    pub api_version: String,
    /// `kind`, e.g. `Deployment`.
    pub kind: String,
    /// `metadata.namespace`, absent for cluster-scoped objects and for namespaced
    /// objects written without one.
    pub namespace: Option<String>,
    /// `metadata.name` (or `generateName` followed by `*` when only that is set).
    pub name: String,
}

impl fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{}/{} ({ns})", self.kind, self.name),
            None => write!(f, "{}/{}", self.kind, self.name),
        }
    }
}

/// Where an object came from, with the index that turns a field pointer into a line.
#[derive(Debug, Clone)]
pub struct Source {
    /// File and document.
    pub doc: DocumentId,
    /// Pointer of this object inside its document: empty, or `/items/N` for an item of a
    /// `kind: List`.
    pub prefix: String,
    /// Positions of every field of the whole document.
    pub spans: Arc<DocSpans>,
}

/// One Kubernetes object. Unknown kinds and CRDs are kept like any other.
#[derive(Debug, Clone)]
pub struct Object {
    /// Identity.
    pub id: ObjectRef,
    /// The object as JSON data (after YAML conversion).
    pub value: Value,
    /// Where it was written.
    pub source: Source,
}

/// The pod template inside a pod-bearing object, with the JSON pointers of its parts.
#[derive(Debug, Clone, Copy)]
pub struct PodTemplate<'a> {
    /// Pointer of the pod metadata (`/metadata` for a Pod, `/spec/template/metadata` ...).
    pub metadata_ptr: &'static str,
    /// Pointer of the pod spec (`/spec` for a Pod, `/spec/template/spec` ...).
    pub spec_ptr: &'static str,
    /// The pod metadata (`Value::Null` when absent).
    pub metadata: &'a Value,
    /// The pod spec (`Value::Null` when absent).
    pub spec: &'a Value,
}

static NULL: Value = Value::Null;

/// Kinds whose objects carry a pod (directly or as a template), with the pointers.
pub const POD_BEARING_KINDS: &[(&str, &str, &str)] = &[
    ("Pod", "/metadata", "/spec"),
    (
        "Deployment",
        "/spec/template/metadata",
        "/spec/template/spec",
    ),
    (
        "StatefulSet",
        "/spec/template/metadata",
        "/spec/template/spec",
    ),
    (
        "DaemonSet",
        "/spec/template/metadata",
        "/spec/template/spec",
    ),
    (
        "ReplicaSet",
        "/spec/template/metadata",
        "/spec/template/spec",
    ),
    (
        "ReplicationController",
        "/spec/template/metadata",
        "/spec/template/spec",
    ),
    ("Job", "/spec/template/metadata", "/spec/template/spec"),
    (
        "CronJob",
        "/spec/jobTemplate/spec/template/metadata",
        "/spec/jobTemplate/spec/template/spec",
    ),
    ("PodTemplate", "/template/metadata", "/template/spec"),
];

/// Core API groups whose pod-bearing kinds are the real workload kinds (a CRD that
/// happens to be called `Deployment` in another group is not one).
fn is_workload_group(api_version: &str, kind: &str) -> bool {
    let group = api_version.rsplit_once('/').map(|(g, _)| g).unwrap_or("");
    match kind {
        "Pod" | "ReplicationController" | "PodTemplate" => group.is_empty(),
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" => {
            matches!(group, "apps" | "extensions")
        }
        "Job" | "CronJob" => group == "batch",
        _ => false,
    }
}

impl Object {
    /// Builds an object from a document value; `None` when it has no string `apiVersion` and `kind`.
    pub fn new(value: Value, source: Source) -> Result<Object, MissingIdentity> {
        let api_version = value.get("apiVersion").and_then(Value::as_str);
        let kind = value.get("kind").and_then(Value::as_str);
        let (api_version, kind) = match (api_version, kind) {
            (Some(a), Some(k)) if !a.is_empty() && !k.is_empty() => (a.to_string(), k.to_string()),
            (a, k) => {
                return Err(MissingIdentity {
                    api_version: a.is_none_or(str::is_empty),
                    kind: k.is_none_or(str::is_empty),
                });
            }
        };
        let meta = value.get("metadata");
        let namespace = meta
            .and_then(|m| m.get("namespace"))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        let name = meta
            .and_then(|m| m.get("name"))
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| {
                meta.and_then(|m| m.get("generateName"))
                    .and_then(Value::as_str)
                    .map(|g| format!("{g}*"))
            })
            .unwrap_or_default();
        Ok(Object {
            id: ObjectRef {
                api_version,
                kind,
                namespace,
                name,
            },
            value,
            source,
        })
    }

    /// The kind, e.g. `Deployment`.
    pub fn kind(&self) -> &str {
        &self.id.kind
    }

    /// The field at a JSON pointer within this object.
    pub fn get(&self, pointer: &str) -> Option<&Value> {
        self.value.pointer(pointer)
    }

    /// `metadata.labels` as (key, value) pairs of strings.
    pub fn labels(&self) -> impl Iterator<Item = (&str, &str)> {
        string_map(self.value.pointer("/metadata/labels"))
    }

    /// `metadata.annotations` as (key, value) pairs of strings.
    pub fn annotations(&self) -> impl Iterator<Item = (&str, &str)> {
        string_map(self.value.pointer("/metadata/annotations"))
    }

    /// One annotation's value.
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.value
            .pointer("/metadata/annotations")
            .and_then(|a| a.get(key))
            .and_then(Value::as_str)
    }

    /// The pod (template) of a Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet,
    /// ReplicationController, Job, CronJob or PodTemplate; `None` for other kinds.
    pub fn pod_template(&self) -> Option<PodTemplate<'_>> {
        if !is_workload_group(&self.id.api_version, &self.id.kind) {
            return None;
        }
        let (_, metadata_ptr, spec_ptr) = POD_BEARING_KINDS
            .iter()
            .find(|(k, _, _)| *k == self.id.kind)?;
        Some(PodTemplate {
            metadata_ptr,
            spec_ptr,
            metadata: self.value.pointer(metadata_ptr).unwrap_or(&NULL),
            spec: self.value.pointer(spec_ptr).unwrap_or(&NULL),
        })
    }

    /// The location of a field of this object, or of its nearest parent that was written.
    pub fn locate(&self, pointer: &str) -> Location {
        let full = format!("{}{}", self.source.prefix, pointer);
        let (found, pos) = self
            .source
            .spans
            .nearest(&full)
            .map(|(p, pos)| (p.to_string(), pos))
            .unwrap_or_else(|| (String::new(), crate::span::Pos { line: 1, column: 1 }));
        let pointer = found
            .strip_prefix(self.source.prefix.as_str())
            .unwrap_or("")
            .to_string();
        Location {
            file: self.source.doc.file.clone(),
            document: self.source.doc.document,
            line: pos.line,
            column: pos.column,
            pointer,
        }
    }

    /// The location of the object itself (its first line).
    pub fn location(&self) -> Location {
        self.locate("")
    }
}

fn string_map(v: Option<&Value>) -> impl Iterator<Item = (&str, &str)> {
    v.and_then(Value::as_object)
        .into_iter()
        .flat_map(|m| m.iter())
        .filter_map(|(k, v)| v.as_str().map(|v| (k.as_str(), v)))
}

/// Why a document is not a Kubernetes object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MissingIdentity {
    /// `apiVersion` is absent, empty or not a string.
    pub api_version: bool,
    /// `kind` is absent, empty or not a string.
    pub kind: bool,
}

impl fmt::Display for MissingIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.api_version, self.kind) {
            (true, true) => {
                f.write_str("document has no `apiVersion` and no `kind`: not a Kubernetes object")
            }
            (true, false) => f.write_str("document has no `apiVersion`: not a Kubernetes object"),
            _ => f.write_str("document has no `kind`: not a Kubernetes object"),
        }
    }
}
