//! The pod walk shared by the workload rules: containers of every list, the effective
//! security context (container over pod), and the volumes.

use std::fmt;

use kspect_core::{Object, PodTemplate};
use serde_json::Value;

/// Kinds that carry a pod: the `kinds` of every workload rule.
pub(crate) const WORKLOAD_KINDS: &[&str] = &[
    "Pod",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
    "PodTemplate",
];

/// Which list a container comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ContainerKind {
    Init,
    Regular,
    Ephemeral,
}

impl ContainerKind {
    /// The pod spec field of this list.
    fn field(self) -> &'static str {
        match self {
            ContainerKind::Init => "initContainers",
            ContainerKind::Regular => "containers",
            ContainerKind::Ephemeral => "ephemeralContainers",
        }
    }
}

/// One container of a pod.
#[derive(Debug, Clone)]
pub(crate) struct Container<'a> {
    pub kind: ContainerKind,
    /// `name` (empty when absent).
    pub name: &'a str,
    pub value: &'a Value,
    /// Pointer of the container relative to the object, e.g. `/spec/template/spec/containers/0`.
    pub ptr: String,
}

impl<'a> Container<'a> {
    /// `securityContext.<key>` of this container, when set (not null).
    pub fn security(&self, key: &str) -> Option<&'a Value> {
        non_null(self.value.get("securityContext")?.get(key)?)
    }

    /// Pointer of `securityContext/<rest>`.
    pub fn security_ptr(&self, rest: &str) -> String {
        format!("{}/securityContext/{rest}", self.ptr)
    }

    /// The `image` string, when set.
    pub fn image(&self) -> Option<&'a str> {
        self.value.get("image").and_then(Value::as_str)
    }
}

impl fmt::Display for Container<'_> {
    /// `container "app"`, `init container "setup"`, `ephemeral container "debug"`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            ContainerKind::Init => "init container",
            ContainerKind::Regular => "container",
            ContainerKind::Ephemeral => "ephemeral container",
        };
        write!(f, "{kind} {:?}", self.name)
    }
}

/// A pod-bearing object's pod, as the rules see it.
pub(crate) struct Pod<'a> {
    pub template: PodTemplate<'a>,
    /// Init containers, containers, then ephemeral containers.
    pub containers: Vec<Container<'a>>,
}

impl<'a> Pod<'a> {
    /// The pod of a pod-bearing object of a workload API group; `None` otherwise.
    pub fn of(object: &'a Object) -> Option<Pod<'a>> {
        let template = object.pod_template()?;
        let mut containers = Vec::new();
        for kind in [
            ContainerKind::Init,
            ContainerKind::Regular,
            ContainerKind::Ephemeral,
        ] {
            let list = template.spec.get(kind.field()).and_then(Value::as_array);
            for (i, value) in list.into_iter().flatten().enumerate() {
                containers.push(Container {
                    kind,
                    name: value.get("name").and_then(Value::as_str).unwrap_or(""),
                    value,
                    ptr: format!("{}/{}/{i}", template.spec_ptr, kind.field()),
                });
            }
        }
        Some(Pod {
            template,
            containers,
        })
    }

    /// A field of the pod spec, when set (not null).
    pub fn spec(&self, key: &str) -> Option<&'a Value> {
        non_null(self.template.spec.get(key)?)
    }

    /// Pointer of a field of the pod spec.
    pub fn spec_ptr(&self, rest: &str) -> String {
        format!("{}/{rest}", self.template.spec_ptr)
    }

    /// `securityContext.<key>` of the pod, when set.
    pub fn security(&self, key: &str) -> Option<&'a Value> {
        non_null(self.template.spec.get("securityContext")?.get(key)?)
    }

    /// The effective value of a security-context field that a container inherits from
    /// the pod (`runAsUser`, `runAsNonRoot`, `seccompProfile` ...): the container's when
    /// set, else the pod's, with the pointer of the field that decided.
    pub fn effective(&self, c: &Container<'a>, key: &str) -> Option<(&'a Value, String)> {
        if let Some(v) = c.security(key) {
            return Some((v, c.security_ptr(key)));
        }
        self.security(key)
            .map(|v| (v, self.spec_ptr(&format!("securityContext/{key}"))))
    }

    /// A pod annotation.
    pub fn annotation(&self, key: &str) -> Option<&'a str> {
        self.template
            .metadata
            .get("annotations")?
            .get(key)?
            .as_str()
    }

    /// True for a pod that declares `spec.os.name: windows`: Linux-only controls
    /// (seccomp, capabilities, run-as-root ...) do not apply to it.
    pub fn is_windows(&self) -> bool {
        self.template
            .spec
            .pointer("/os/name")
            .and_then(Value::as_str)
            .is_some_and(|os| os.eq_ignore_ascii_case("windows"))
    }

    /// Containers that resource settings apply to (ephemeral containers cannot have any).
    pub fn resource_containers(&self) -> impl Iterator<Item = &Container<'a>> {
        self.containers
            .iter()
            .filter(|c| c.kind != ContainerKind::Ephemeral)
    }

    /// The volumes, with their index.
    pub fn volumes(&self) -> impl Iterator<Item = (usize, &'a Value)> {
        self.template
            .spec
            .get("volumes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
    }

    /// Every `volumeMounts` entry that mounts the volume `name`, with the container and
    /// the mount's index.
    pub fn mounts_of<'p>(
        &'p self,
        name: &'p str,
    ) -> impl Iterator<Item = (&'p Container<'a>, usize, &'a Value)> + 'p {
        self.containers.iter().flat_map(move |c| {
            c.value
                .get("volumeMounts")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
                .filter(move |(_, m)| m.get("name").and_then(Value::as_str) == Some(name))
                .map(move |(j, m)| (c, j, m))
        })
    }
}

/// `Some(v)` unless `v` is JSON null (a YAML `key:` with no value means unset).
pub(crate) fn non_null(v: &Value) -> Option<&Value> {
    (!v.is_null()).then_some(v)
}

/// True when the value is the boolean `true`.
pub(crate) fn is_true(v: Option<&Value>) -> bool {
    v.and_then(Value::as_bool) == Some(true)
}

/// True when the value is the boolean `false`.
pub(crate) fn is_false(v: Option<&Value>) -> bool {
    v.and_then(Value::as_bool) == Some(false)
}

/// A short rendering of a scalar for messages and evidence.
pub(crate) fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
