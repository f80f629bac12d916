//! The pod under evaluation and the container walk every container-level check shares.

use super::value::{Text, field, is_false, items};
use serde_json::Value;
use std::fmt;

/// Which list a container comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ContainerKind {
    Init,
    Regular,
    Ephemeral,
}

/// One entry of `initContainers`, `containers` or `ephemeralContainers`.
#[derive(Debug, Clone)]
pub(crate) struct Container<'a> {
    pub kind: ContainerKind,
    /// The container's `name` (Go's empty string when absent or not text).
    pub name: String,
    pub value: &'a Value,
    /// JSON pointer of the container relative to the pod spec, e.g. `/containers/0`.
    pub pointer: String,
}

impl Container<'_> {
    /// The container's non-null `securityContext.<key>`.
    pub(crate) fn security(&self, key: &str) -> Option<&Value> {
        field(self.value, "securityContext").and_then(|sc| field(sc, key))
    }

    /// Pointer to `securityContext.<rest>` of this container.
    pub(crate) fn security_pointer(&self, rest: &str) -> String {
        format!("{}/securityContext/{rest}", self.pointer)
    }
}

impl fmt::Display for Container<'_> {
    /// `init container "setup"`, `container "app"`, `ephemeral container "debug"`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            ContainerKind::Init => "init container",
            ContainerKind::Regular => "container",
            ContainerKind::Ephemeral => "ephemeral container",
        };
        write!(f, "{kind} {}", super::value::quote(&self.name))
    }
}

/// A pod as the checks see it: metadata, spec, and its containers in visiting order.
#[derive(Debug)]
pub(crate) struct Pod<'a> {
    pub metadata: &'a Value,
    pub spec: &'a Value,
    /// Init containers, then containers, then ephemeral containers: the library's order.
    pub containers: Vec<Container<'a>>,
}

impl<'a> Pod<'a> {
    pub(crate) fn new(metadata: &'a Value, spec: &'a Value) -> Pod<'a> {
        let mut containers = Vec::new();
        for (key, kind) in [
            ("initContainers", ContainerKind::Init),
            ("containers", ContainerKind::Regular),
            ("ephemeralContainers", ContainerKind::Ephemeral),
        ] {
            for (pointer, value) in items(field(spec, key), &format!("/{key}")) {
                containers.push(Container {
                    kind,
                    name: name_of(value),
                    value,
                    pointer,
                });
            }
        }
        Pod {
            metadata,
            spec,
            containers,
        }
    }

    /// The pod-level `securityContext.<key>`.
    pub(crate) fn security(&self, key: &str) -> Option<&'a Value> {
        field(self.spec, "securityContext").and_then(|sc| field(sc, key))
    }

    /// `spec.os.name` is exactly `windows`: the restricted checks' Windows exemption.
    pub(crate) fn is_windows(&self) -> bool {
        matches!(
            Text::of(field(self.spec, "os").and_then(|os| field(os, "name"))),
            Text::Str("windows")
        )
    }

    /// `spec.hostUsers` is present and `false`: the pod runs in a user namespace.
    pub(crate) fn in_user_namespace(&self) -> bool {
        is_false(field(self.spec, "hostUsers"))
    }

    /// The value of annotation `key`, if present. A `null` value reads as Go's `""`.
    pub(crate) fn annotation(&self, key: &str) -> Option<&'a Value> {
        field(self.metadata, "annotations")?.as_object()?.get(key)
    }
}

/// The container name as a string. Numbers and booleans (YAML `name: 1`) keep
/// their text so that per-container annotation keys still line up.
fn name_of(container: &Value) -> String {
    match field(container, "name") {
        Some(Value::String(s)) => s.clone(),
        Some(v @ (Value::Number(_) | Value::Bool(_))) => v.to_string(),
        _ => String::new(),
    }
}
