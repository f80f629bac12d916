//! Per-namespace checks: 5.1.5 default service accounts, 5.2.1 policy enforcement,
//! 5.3.2 NetworkPolicies, 5.6.4 the default namespace.

use serde_json::Value;

use super::{
    ClusterObjects, Hit, PolicyVerdict, decide, describe, is_system_namespace, kube_bench_lines,
    namespace_of, undecided,
};
use crate::result::Status;

const MANUAL: Status = Status::Warn;

/// 5.1.5: the `default` ServiceAccount of every namespace has
/// `automountServiceAccountToken: false`.
pub(super) fn default_service_accounts(objects: &ClusterObjects) -> PolicyVerdict {
    let defaults: Vec<_> = objects
        .of_kind("ServiceAccount")
        .filter(|o| o.id.name == "default")
        .collect();
    // kube-bench: one line per default ServiceAccount, `false` passes, `notset` fails.
    let kb = kube_bench_lines(defaults.iter().map(|o| {
        o.get("/automountServiceAccountToken")
            .and_then(Value::as_bool)
            == Some(false)
    }));
    let namespaces = objects.namespaces();
    if namespaces.is_empty() {
        return undecided("the objects given name no namespace", kb, "");
    }
    let mut bad = Vec::new();
    for ns in &namespaces {
        match defaults
            .iter()
            .find(|o| namespace_of(o).as_deref() == Some(ns.as_str()))
        {
            Some(o) => match o
                .get("/automountServiceAccountToken")
                .and_then(Value::as_bool)
            {
                Some(false) => {}
                Some(true) => bad.push(Hit::at(
                    o,
                    "/automountServiceAccountToken",
                    "automountServiceAccountToken: true",
                )),
                None => bad.push(Hit::at(
                    o,
                    "",
                    "automountServiceAccountToken not set (tokens are mounted)",
                )),
            },
            None => {
                // Kubernetes creates it in every namespace, without the field.
                let at = objects
                    .of_kind("Namespace")
                    .find(|n| &n.id.name == ns)
                    .or_else(|| {
                        objects
                            .objects()
                            .iter()
                            .find(|o| namespace_of(o).as_deref() == Some(ns.as_str()))
                    });
                if let Some(o) = at {
                    let mut h = Hit::at(o, "", "");
                    h.text = format!(
                        "namespace {ns}: its default ServiceAccount is not in the input; Kubernetes creates it without automountServiceAccountToken, so tokens are mounted"
                    );
                    bad.push(h);
                }
            }
        }
    }
    decide(
        bad,
        format!(
            "the default ServiceAccount of all {} namespaces sets automountServiceAccountToken: false",
            namespaces.len()
        ),
        Vec::new(),
        kb,
        "kspect checks every namespace the objects name, counting a default ServiceAccount missing from the input as the one Kubernetes creates (tokens mounted); kube-bench checks only the default ServiceAccounts it lists",
    )
}

const ENFORCE: &str = "pod-security.kubernetes.io/enforce";

/// Objects of an admission policy engine: a ValidatingAdmissionPolicy binding, Kyverno
/// or Gatekeeper.
fn policy_engine_objects(objects: &ClusterObjects) -> Vec<Hit> {
    objects
        .objects()
        .iter()
        .filter(|o| {
            let group = o.id.api_version.split('/').next().unwrap_or("");
            o.id.kind == "ValidatingAdmissionPolicyBinding"
                || (group == "kyverno.io"
                    && matches!(o.id.kind.as_str(), "ClusterPolicy" | "Policy"))
                || group == "templates.gatekeeper.sh"
                || group == "constraints.gatekeeper.sh"
        })
        .map(|o| Hit::at(o, "", "admission policy object"))
        .collect()
}

/// 5.2.1: every namespace with user workloads enforces a Pod Security level (or an
/// admission policy engine is installed).
pub(super) fn policy_mechanism(objects: &ClusterObjects) -> PolicyVerdict {
    let why = "kspect requires pod-security.kubernetes.io/enforce at baseline or restricted on every namespace holding workloads outside kube-system, kube-public and kube-node-lease, or objects of an admission policy engine (ValidatingAdmissionPolicyBinding, Kyverno, Gatekeeper), whose rules it does not judge; cluster-wide PSA defaults in the API server's admission configuration are not objects and are not seen; kube-bench marks this check manual";
    let engines = policy_engine_objects(objects);
    if !engines.is_empty() {
        let mut v = decide(
            Vec::new(),
            format!(
                "an admission policy engine is configured: {}",
                super::list(&engines)
            ),
            Vec::new(),
            MANUAL,
            why,
        );
        v.sources = engines.iter().map(|h| h.origin.clone()).collect();
        return v;
    }
    let mut user_ns: Vec<String> = objects
        .workloads()
        .iter()
        .filter_map(|o| namespace_of(o))
        .filter(|ns| !is_system_namespace(ns))
        .collect();
    user_ns.sort();
    user_ns.dedup();
    if objects.workloads().is_empty() {
        return undecided("the objects given hold no pod or workload", MANUAL, why);
    }
    let mut bad = Vec::new();
    let mut unknown = Vec::new();
    for ns in &user_ns {
        match objects.of_kind("Namespace").find(|n| &n.id.name == ns) {
            Some(n) => match n.labels().find(|(k, _)| *k == ENFORCE).map(|(_, v)| v) {
                Some("baseline" | "restricted") => {}
                Some(level) => bad.push(Hit::at(
                    n,
                    "/metadata/labels",
                    format!("{ENFORCE}: {level} enforces nothing"),
                )),
                None => bad.push(Hit::at(n, "/metadata", format!("no {ENFORCE} label"))),
            },
            None => unknown.push(ns.clone()),
        }
    }
    if bad.is_empty() && !unknown.is_empty() {
        return undecided(
            format!(
                "the Namespace objects of {} are not in the input, so their Pod Security labels cannot be read",
                unknown.join(", ")
            ),
            MANUAL,
            why,
        );
    }
    decide(
        bad,
        format!(
            "every namespace with user workloads ({}) enforces baseline or restricted",
            if user_ns.is_empty() {
                "none".to_string()
            } else {
                user_ns.join(", ")
            }
        ),
        Vec::new(),
        MANUAL,
        why,
    )
}

/// Namespaced NetworkPolicy kinds: Kubernetes', Cilium's and Calico's.
fn is_network_policy(o: &kspect_core::Object) -> bool {
    let group = o.id.api_version.split('/').next().unwrap_or("");
    match o.id.kind.as_str() {
        "NetworkPolicy" => matches!(
            group,
            "networking.k8s.io" | "crd.projectcalico.org" | "projectcalico.org"
        ),
        "CiliumNetworkPolicy" => true,
        _ => false,
    }
}

/// 5.3.2: every namespace has at least one NetworkPolicy.
pub(super) fn network_policies(objects: &ClusterObjects) -> PolicyVerdict {
    let namespaces = objects.namespaces();
    if namespaces.is_empty() {
        return undecided("the objects given name no namespace", MANUAL, "");
    }
    let covered: std::collections::BTreeSet<String> = objects
        .objects()
        .iter()
        .filter(|o| is_network_policy(o))
        .filter_map(namespace_of)
        .collect();
    let bad: Vec<Hit> = namespaces
        .iter()
        .filter(|ns| !covered.contains(*ns))
        .filter_map(|ns| {
            let o = objects
                .of_kind("Namespace")
                .find(|n| &n.id.name == ns)
                .or_else(|| {
                    objects
                        .objects()
                        .iter()
                        .find(|o| namespace_of(o).as_deref() == Some(ns.as_str()))
                })?;
            let mut h = Hit::at(o, "", "");
            h.text = format!("namespace {ns} has no NetworkPolicy");
            Some(h)
        })
        .collect();
    decide(
        bad,
        format!("all {} namespaces have a NetworkPolicy", namespaces.len()),
        Vec::new(),
        MANUAL,
        "kspect counts NetworkPolicy (networking.k8s.io, Calico) and CiliumNetworkPolicy objects per namespace, over every namespace the objects name; cluster-wide CNI policies are not counted; kube-bench marks this check manual",
    )
}

/// Objects Kubernetes itself keeps in `default`, and the guards that protect the
/// namespace rather than use it (5.3.2 asks for a NetworkPolicy in every namespace,
/// default included).
fn is_builtin_default_object(o: &kspect_core::Object) -> bool {
    is_network_policy(o)
        || matches!(o.id.kind.as_str(), "LimitRange" | "ResourceQuota")
        || matches!(
            (o.id.kind.as_str(), o.id.name.as_str()),
            ("Service" | "Endpoints" | "EndpointSlice", "kubernetes")
                | ("ServiceAccount", "default")
                | ("ConfigMap", "kube-root-ca.crt")
        )
        || matches!(o.id.kind.as_str(), "Event" | "Lease")
        || o.id.name.starts_with("default-token-")
}

/// 5.6.4: nothing but Kubernetes' own objects in the default namespace.
pub(super) fn default_namespace(objects: &ClusterObjects) -> PolicyVerdict {
    let namespaced: Vec<_> = objects
        .objects()
        .iter()
        .filter(|o| namespace_of(o).is_some())
        .collect();
    if namespaced.is_empty() {
        return undecided("the objects given hold no namespaced object", MANUAL, "");
    }
    // The same owner filter as for workloads: report the Deployment, not its Pods.
    let workloads = objects.workloads();
    let bad: Vec<Hit> = namespaced
        .into_iter()
        .filter(|o| namespace_of(o).as_deref() == Some("default"))
        .filter(|o| !is_builtin_default_object(o))
        .filter(|o| o.pod_template().is_none() || workloads.iter().any(|w| std::ptr::eq(*w, *o)))
        .filter(|o| {
            o.pod_template().is_some()
                || o.get("/metadata/ownerReferences").is_none()
        })
        .map(|o| {
            let how = if o.id.namespace.is_none() {
                "written without metadata.namespace (lands in default unless the context says otherwise)"
            } else {
                "in the default namespace"
            };
            let mut h = Hit::at(o, "/metadata", how);
            h.text = format!("{}: {how}", describe(o));
            h
        })
        .collect();
    decide(
        bad,
        "only Kubernetes' own objects are in the default namespace",
        Vec::new(),
        MANUAL,
        "kspect lists the objects in default other than Kubernetes' own (the kubernetes Service and its endpoints, the default ServiceAccount, kube-root-ca.crt) and the guards NetworkPolicy, LimitRange and ResourceQuota, and counts objects written without a namespace as going to default; kube-bench marks this check manual",
    )
}
