//! Section 5 of the CIS Kubernetes Benchmark decided from cluster objects.
//!
//! kube-bench answers most of section 5 with WARN: the `type: manual` checks run
//! nothing, and the automated ones ask a live cluster through `kubectl`. Given the
//! cluster's objects (`kubectl get -A -o yaml` output, or a manifests folder, read by
//! `kspect_core`'s loader with file and line of every field), kspect decides what the
//! objects can decide and names each offending object with its file and line.
//!
//! Each decision also says what kube-bench reports for the same objects: WARN for its
//! `type: manual` checks, and for its `kubectl` audits the verdict its shell test gives
//! (quirks included: an explicit `hostPID: false` counts as sharing, an unset
//! `allowPrivilegeEscalation` does not), so that the difference is explained.

mod namespaces;
mod pods;
mod rbac;

use std::collections::{BTreeSet, HashSet};
use std::path::Path;

use kspect_core::load::{Diagnostic, LoadOptions, load_paths};
use kspect_core::{Inventory, Object};
use kspect_rbac::{ModelOptions, RbacModel};
use serde_json::Value;

use crate::benchmark::Benchmark;
use crate::cmdline::Origin;
use crate::result::Status;

/// The cluster objects section 5 is decided from.
#[derive(Debug, Clone)]
pub struct ClusterObjects {
    inventory: Inventory,
    rbac: RbacModel<usize>,
}

impl ClusterObjects {
    /// Loads manifests: files, directories (recursively) and `-` for stdin, as every
    /// kspect command reads them. Bad documents become diagnostics, never a failure.
    pub fn load<P: AsRef<Path>>(paths: &[P]) -> ClusterObjects {
        ClusterObjects::new(Inventory::new(load_paths(paths, &LoadOptions::default())))
    }

    /// Wraps an inventory that is already loaded.
    pub fn new(inventory: Inventory) -> ClusterObjects {
        let rbac = RbacModel::from_sourced_objects(
            inventory
                .objects()
                .iter()
                .enumerate()
                .map(|(i, o)| (i, &o.value)),
            ModelOptions::default(),
        );
        ClusterObjects { inventory, rbac }
    }

    /// Problems met while reading the input.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.inventory.diagnostics
    }

    /// Number of objects.
    pub fn len(&self) -> usize {
        self.inventory.len()
    }

    /// True when the input holds no object.
    pub fn is_empty(&self) -> bool {
        self.inventory.is_empty()
    }

    /// Number of files read.
    pub fn files(&self) -> usize {
        self.inventory.files
    }

    fn objects(&self) -> &[Object] {
        self.inventory.objects()
    }

    fn object(&self, index: usize) -> Option<&Object> {
        self.inventory.objects().get(index)
    }

    fn of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Object> + 'a {
        self.inventory.of_kind(kind)
    }

    /// Every namespace the input knows of: Namespace objects and the namespaces of
    /// namespaced objects (an object written without one counts as `default`).
    fn namespaces(&self) -> BTreeSet<String> {
        let mut out: BTreeSet<String> = self
            .of_kind("Namespace")
            .map(|o| o.id.name.clone())
            .collect();
        out.extend(self.objects().iter().filter_map(namespace_of));
        out
    }

    /// Pod-bearing objects, leaving out the ones whose controller is also in the input
    /// (a dump holds the Deployment, its ReplicaSet and its Pods: the Deployment is
    /// where the fix goes) and mirror pods of static pods (no API token, no admission).
    fn workloads(&self) -> Vec<&Object> {
        let present: HashSet<(String, String, String)> = self
            .objects()
            .iter()
            .map(|o| {
                (
                    o.id.kind.clone(),
                    namespace_of(o).unwrap_or_default(),
                    o.id.name.clone(),
                )
            })
            .collect();
        self.inventory
            .pod_bearing()
            .filter(|o| o.annotation("kubernetes.io/config.mirror").is_none())
            .filter(|o| {
                let ns = namespace_of(o).unwrap_or_default();
                !o.get("/metadata/ownerReferences")
                    .and_then(Value::as_array)
                    .is_some_and(|owners| {
                        owners.iter().any(|r| {
                            r.get("controller").and_then(Value::as_bool) == Some(true)
                                && present.contains(&(
                                    str_at(r, "/kind").to_string(),
                                    ns.clone(),
                                    str_at(r, "/name").to_string(),
                                ))
                        })
                    })
            })
            .collect()
    }
}

/// Kinds that live outside namespaces (the built-in ones and the common add-ons').
const CLUSTER_SCOPED: &[&str] = &[
    "Namespace",
    "Node",
    "PersistentVolume",
    "ClusterRole",
    "ClusterRoleBinding",
    "StorageClass",
    "CSIDriver",
    "CSINode",
    "VolumeAttachment",
    "CustomResourceDefinition",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "MutatingAdmissionPolicy",
    "MutatingAdmissionPolicyBinding",
    "PriorityClass",
    "RuntimeClass",
    "IngressClass",
    "CertificateSigningRequest",
    "FlowSchema",
    "PriorityLevelConfiguration",
    "ComponentStatus",
    "PodSecurityPolicy",
    "ClusterPolicy",
    "ConstraintTemplate",
    "CiliumClusterwideNetworkPolicy",
    "GlobalNetworkPolicy",
    "ClusterIssuer",
];

/// The namespace an object lives in; `default` for a namespaced object written
/// without one (kubectl applies it to the context's namespace, `default` unless set).
fn namespace_of(o: &Object) -> Option<String> {
    if CLUSTER_SCOPED.contains(&o.id.kind.as_str()) || o.id.kind.ends_with("List") {
        return None;
    }
    Some(o.id.namespace.clone().unwrap_or_else(|| "default".into()))
}

/// Namespaces the Kubernetes control plane owns; CIS asks for policies in the
/// namespaces that hold user workloads.
const SYSTEM_NAMESPACES: &[&str] = &["kube-system", "kube-public", "kube-node-lease"];

fn is_system_namespace(ns: &str) -> bool {
    SYSTEM_NAMESPACES.contains(&ns)
}

fn str_at<'v>(v: &'v Value, ptr: &str) -> &'v str {
    v.pointer(ptr).and_then(Value::as_str).unwrap_or("")
}

/// `Kind/name in ns` (or `Kind/name` for cluster-scoped objects).
fn describe(o: &Object) -> String {
    match namespace_of(o) {
        Some(ns) => format!("{}/{} in {ns}", o.id.kind, o.id.name),
        None => format!("{}/{}", o.id.kind, o.id.name),
    }
}

/// The file and line of a field of an object (or of its nearest written parent).
fn origin(o: &Object, pointer: &str) -> Origin {
    let l = o.locate(pointer);
    Origin::at(l.file.to_string(), l.line)
}

/// One offending (or noteworthy) thing and where it is written.
#[derive(Debug, Clone)]
struct Hit {
    text: String,
    origin: Origin,
}

impl Hit {
    fn at(o: &Object, pointer: &str, detail: impl AsRef<str>) -> Hit {
        Hit {
            text: format!("{}: {}", describe(o), detail.as_ref()),
            origin: origin(o, pointer),
        }
    }
}

/// kspect's decision on one section-5 check.
#[derive(Debug, Clone)]
pub struct PolicyVerdict {
    /// PASS or FAIL when the objects decide, WARN when they cannot.
    pub status: Status,
    /// What was found, naming offending objects with file and line.
    pub evidence: String,
    /// Where: the offending objects first.
    pub sources: Vec<Origin>,
    /// What kube-bench reports on the same objects.
    pub kube_bench: Status,
    /// How kspect's decision is made and why it can differ from kube-bench's.
    pub why: String,
}

/// How many offending objects the evidence text names (all are in `sources`).
const LISTED: usize = 12;

fn list(hits: &[Hit]) -> String {
    let mut parts: Vec<String> = hits
        .iter()
        .take(LISTED)
        .map(|h| format!("{} ({})", h.text, h.origin))
        .collect();
    if hits.len() > LISTED {
        parts.push(format!("and {} more", hits.len() - LISTED));
    }
    parts.join("; ")
}

/// A decision from offending hits: FAIL naming them, else PASS with `ok`.
fn decide(
    bad: Vec<Hit>,
    ok: impl Into<String>,
    also: Vec<Hit>,
    kube_bench: Status,
    why: impl Into<String>,
) -> PolicyVerdict {
    let mut evidence = if bad.is_empty() {
        ok.into()
    } else {
        format!("{} offending: {}", bad.len(), list(&bad))
    };
    if !also.is_empty() {
        evidence.push_str(&format!("; not counted: {}", list(&also)));
    }
    PolicyVerdict {
        status: if bad.is_empty() {
            Status::Pass
        } else {
            Status::Fail
        },
        evidence,
        sources: bad
            .iter()
            .chain(also.iter())
            .map(|h| h.origin.clone())
            .collect(),
        kube_bench,
        why: why.into(),
    }
}

/// The objects cannot decide: WARN, saying what is missing.
fn undecided(
    evidence: impl Into<String>,
    kube_bench: Status,
    why: impl Into<String>,
) -> PolicyVerdict {
    PolicyVerdict {
        status: Status::Warn,
        evidence: evidence.into(),
        sources: Vec::new(),
        kube_bench,
        why: why.into(),
    }
}

/// kube-bench's verdict over the lines of a `use_multiple_values` audit: every line
/// compliant, and at least one line (no output fails the test).
fn kube_bench_lines(compliant: impl IntoIterator<Item = bool>) -> Status {
    let mut any = false;
    for c in compliant {
        any = true;
        if !c {
            return Status::Warn;
        }
    }
    if any { Status::Pass } else { Status::Warn }
}

/// Decides check `id` of `benchmark` from the objects, or `None` when kspect has no
/// decision for it (it stays as kube-bench reports it).
pub fn evaluate(benchmark: Benchmark, id: &str, objects: &ClusterObjects) -> Option<PolicyVerdict> {
    use pods::PodCheck::*;
    let pod = |c| Some(pods::check(objects, c));
    match (id, benchmark) {
        ("5.1.1", _) => Some(rbac::cluster_admin(objects)),
        ("5.1.2", _) => Some(rbac::broad_access(objects, rbac::Broad::Secrets)),
        ("5.1.3", _) => Some(rbac::wildcards(objects)),
        ("5.1.4", _) => Some(rbac::broad_access(objects, rbac::Broad::CreatePods)),
        ("5.1.5", _) => Some(namespaces::default_service_accounts(objects)),
        ("5.1.6", _) => Some(pods::token_mounts(objects)),
        ("5.1.7", _) => Some(rbac::system_masters(objects)),
        ("5.1.8", _) => Some(rbac::sensitive(
            objects,
            rbac::Sensitive::BindEscalateImpersonate,
        )),
        ("5.1.9", _) => Some(rbac::sensitive(
            objects,
            rbac::Sensitive::CreatePersistentVolumes,
        )),
        ("5.1.10", _) => Some(rbac::sensitive(objects, rbac::Sensitive::NodesProxy)),
        ("5.1.11", _) => Some(rbac::sensitive(objects, rbac::Sensitive::CsrApproval)),
        ("5.1.12", _) => Some(rbac::sensitive(objects, rbac::Sensitive::Webhooks)),
        ("5.1.13", _) => Some(rbac::sensitive(objects, rbac::Sensitive::TokenCreate)),
        ("5.2.1", _) => Some(namespaces::policy_mechanism(objects)),
        ("5.2.2", _) => pod(Privileged),
        ("5.2.3", _) => pod(HostPid),
        ("5.2.4", _) => pod(HostIpc),
        ("5.2.5", _) => pod(HostNetwork),
        ("5.2.6", _) => pod(PrivilegeEscalation),
        ("5.2.7", _) => pod(Root),
        ("5.2.8", _) => pod(NetRaw),
        ("5.2.9", Benchmark::Cis111) => pod(AddedCapabilities),
        ("5.2.10", Benchmark::Cis111) | ("5.2.9", Benchmark::Cis112) => pod(AssignedCapabilities),
        ("5.2.11", Benchmark::Cis111) | ("5.2.10", Benchmark::Cis112) => pod(HostProcess),
        ("5.2.12", Benchmark::Cis111) | ("5.2.11", Benchmark::Cis112) => pod(HostPath),
        ("5.2.13", Benchmark::Cis111) | ("5.2.12", Benchmark::Cis112) => pod(HostPort),
        ("5.3.2", _) => Some(namespaces::network_policies(objects)),
        ("5.4.1", _) => pod(SecretEnv),
        ("5.6.2", _) => pod(Seccomp),
        ("5.6.3", _) => pod(SecurityContext),
        ("5.6.4", _) => Some(namespaces::default_namespace(objects)),
        _ => None,
    }
}
