//! Where workloads live: the `default` namespace, namespaces that admission does not
//! guard, and static pods that admission never sees.

use std::path::{Component, Path};

use kspect_core::span::join_pointer;
use kspect_core::{Finding, Object, Reference, Rule, Severity};
use serde_json::Value;

use super::Ctx;
use super::pod::{Pod, WORKLOAD_KINDS};
use super::refs;

const ENFORCE_LABEL: &str = "pod-security.kubernetes.io/enforce";

/// KSP337: a workload in `default`.
pub static DEFAULT_NAMESPACE: Rule = Rule {
    id: "KSP337",
    name: "default-namespace",
    title: "Workload runs in the default namespace",
    severity: Severity::Low,
    category: "workload",
    kinds: WORKLOAD_KINDS,
    doc: r#"A workload whose `metadata.namespace` is `default`. (A manifest with no namespace is
not reported: where it lands depends on how it is applied.)

## Why it matters
Namespaces are the unit of RBAC, NetworkPolicy, quotas and Pod Security Admission.
`default` is where everything lands that nobody placed: it is rarely given a PSA
label, a default-deny NetworkPolicy or a quota, and workloads sharing it share its
service account and its permissions.

## What an attacker does
An attacker who compromises one workload in `default` finds unrelated workloads with
no network segmentation around them and a `default` service account that others use
too, and moves laterally.

## How to fix
Give each application its own namespace with its own policies.

```yaml
# before
metadata:
  name: shop
  namespace: default
# after
metadata:
  name: shop
  namespace: shop
```
"#,
    remediation: "Deploy the workload into a dedicated namespace with its own RBAC, NetworkPolicies, quotas and Pod Security Admission labels.",
    references: &[Reference::cis("5.7.4"), refs::DISCOVERY],
};

/// KSP338: a Namespace without a PSA `enforce` level (or with `privileged`).
pub static NAMESPACE_WITHOUT_PSA: Rule = Rule {
    id: "KSP338",
    name: "namespace-without-pss-enforce",
    title: "Namespace does not enforce a Pod Security Standard",
    severity: Severity::Medium,
    category: "workload",
    kinds: &["Namespace"],
    doc: r#"A Namespace without the `pod-security.kubernetes.io/enforce` label, or with it set to
`privileged`, lets Pod Security Admission accept any pod (unless the cluster-wide
admission configuration sets a default, which manifests do not show).

## Why it matters
Pod Security Admission is the built-in control that stops privileged, host-namespace
and hostPath pods at the API server. It acts per namespace, through labels; a
namespace without them accepts a privileged pod from anyone who may create pods
there. `warn` and `audit` labels only report.

## What an attacker does
An attacker with `create pods` in the namespace (a CI token, a compromised operator)
starts a privileged pod with the node's root filesystem mounted and takes over the
node — nothing at admission stops it.

## How to fix
Label the namespace with the strictest level its workloads meet, pinned to a version.

```yaml
# before
apiVersion: v1
kind: Namespace
metadata:
  name: shop
# after
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    pod-security.kubernetes.io/enforce: restricted
    pod-security.kubernetes.io/enforce-version: v1.30
```
"#,
    remediation: "Add the label pod-security.kubernetes.io/enforce: restricted (or baseline) to the Namespace, with enforce-version pinned.",
    references: &[
        Reference::cis("5.2.1"),
        Reference::docs(
            "Pod Security Admission",
            "https://kubernetes.io/docs/concepts/security/pod-security-admission/",
        ),
        refs::DEPLOY_CONTAINER,
        refs::ESCAPE_TO_HOST,
    ],
};

/// KSP339: a static (or mirror) pod.
pub static STATIC_POD: Rule = Rule {
    id: "KSP339",
    name: "static-pod",
    title: "Static pod bypasses admission control",
    severity: Severity::Low,
    category: "workload",
    kinds: &["Pod"],
    doc: r#"A Pod that is a static pod: its manifest is read by the kubelet from a directory on the
node (kubeadm's `/etc/kubernetes/manifests`), or, in a dump of a live cluster, its
mirror carries the `kubernetes.io/config.mirror` or `kubernetes.io/config.source`
annotation or is owned by a Node.

## Why it matters
The kubelet starts static pods itself; the API server only gets a read-only mirror
after the fact. Pod Security Admission, validating webhooks and policy engines never
see them, so nothing but the file's own content limits what they do — and the file
is protected only by the node's file permissions.

## What an attacker does
An attacker who can write to the node's manifest directory (through a hostPath mount,
a compromised node agent or configuration management) drops a privileged pod there;
the kubelet runs it even in namespaces that enforce `restricted`, and deleting the
mirror pod through the API does not stop it.

## How to fix
Keep static pods to the control plane components that need them; run everything else
as a DaemonSet or Deployment that passes admission, and audit the manifest directory.

```yaml
# before: /etc/kubernetes/manifests/agent.yaml
apiVersion: v1
kind: Pod
metadata: {name: agent, namespace: kube-system}
# after: a DaemonSet applied through the API server
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: kube-system}
```
"#,
    remediation: "Run the workload as a DaemonSet or Deployment through the API server so that admission control applies; keep static pods to the control plane and monitor the kubelet's manifest directory.",
    references: &[
        Reference::docs(
            "Create static Pods",
            "https://kubernetes.io/docs/tasks/configure-pod-container/static-pod/",
        ),
        refs::CONTAINER_SERVICE,
        refs::DEPLOY_CONTAINER,
    ],
};

/// KSP337.
pub(crate) fn check_default_namespace(_: &Ctx<'_>, object: &Object, out: &mut Vec<Finding>) {
    if Pod::of(object).is_none() || object.id.namespace.as_deref() != Some("default") {
        return;
    }
    out.push(Finding::at(
        &DEFAULT_NAMESPACE,
        object,
        "/metadata/namespace",
        format!("{} runs in the default namespace", object.id.kind),
    ));
}

/// KSP338.
pub(crate) fn check_namespace_psa(_: &Ctx<'_>, object: &Object, out: &mut Vec<Finding>) {
    if object.id.api_version != "v1" {
        return;
    }
    let label = object
        .get("/metadata/labels")
        .and_then(|l| l.get(ENFORCE_LABEL))
        .and_then(Value::as_str);
    match label {
        None => {
            let others: Vec<String> = object
                .labels()
                .filter(|(k, _)| {
                    *k == "pod-security.kubernetes.io/warn"
                        || *k == "pod-security.kubernetes.io/audit"
                })
                .map(|(k, v)| {
                    format!(
                        "{}={v}",
                        k.trim_start_matches("pod-security.kubernetes.io/")
                    )
                })
                .collect();
            let note = if others.is_empty() {
                String::new()
            } else {
                format!(" ({} only report)", others.join(", "))
            };
            out.push(Finding::at(
                &NAMESPACE_WITHOUT_PSA,
                object,
                &join_pointer("/metadata/labels", &[ENFORCE_LABEL]),
                format!(
                    "Namespace {} has no {ENFORCE_LABEL} label: Pod Security Admission accepts any pod{note}",
                    object.id.name
                ),
            ));
        }
        Some(level) if level.trim().eq_ignore_ascii_case("privileged") => {
            out.push(Finding::at(
                &NAMESPACE_WITHOUT_PSA,
                object,
                &join_pointer("/metadata/labels", &[ENFORCE_LABEL]),
                format!(
                    "Namespace {} enforces the privileged level, which accepts any pod",
                    object.id.name
                ),
            ));
        }
        Some(_) => {}
    }
}

/// True when the file lies in a kubelet manifest directory (`.../kubernetes/manifests/`).
fn in_manifest_dir(file: &str) -> bool {
    let parts: Vec<String> = Path::new(file)
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    // The last component is the file itself; look at the directories above it.
    parts.len() >= 3
        && parts[..parts.len() - 1]
            .windows(2)
            .any(|w| w[0] == "kubernetes" && w[1] == "manifests")
}

/// KSP339.
pub(crate) fn check_static_pod(_: &Ctx<'_>, object: &Object, out: &mut Vec<Finding>) {
    if object.id.api_version != "v1" {
        return;
    }
    for key in ["kubernetes.io/config.mirror", "kubernetes.io/config.source"] {
        if let Some(v) = object.annotation(key) {
            if key.ends_with("source") && v == "api" {
                continue;
            }
            out.push(Finding::at(
                &STATIC_POD,
                object,
                &join_pointer("/metadata/annotations", &[key]),
                format!("the Pod is a static pod's mirror (annotation {key}); admission never evaluated it"),
            ));
            return;
        }
    }
    let owners = object
        .get("/metadata/ownerReferences")
        .and_then(Value::as_array);
    for (i, owner) in owners.into_iter().flatten().enumerate() {
        if owner.get("kind").and_then(Value::as_str) == Some("Node") {
            out.push(Finding::at(
                &STATIC_POD,
                object,
                &format!("/metadata/ownerReferences/{i}"),
                "the Pod is owned by a Node: it is a static pod's mirror and admission never evaluated it",
            ));
            return;
        }
    }
    if in_manifest_dir(&object.source.doc.file) {
        out.push(Finding::at(
            &STATIC_POD,
            object,
            "",
            format!(
                "the Pod is defined in a kubelet manifest directory ({}): a static pod that bypasses admission",
                object.source.doc.file
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::in_manifest_dir;

    #[test]
    fn manifest_directories() {
        assert!(in_manifest_dir(
            "/etc/kubernetes/manifests/kube-apiserver.yaml"
        ));
        assert!(in_manifest_dir("node1/etc/kubernetes/manifests/etcd.yaml"));
        assert!(!in_manifest_dir("badPods/manifests/priv/pod/priv.yaml"));
        assert!(!in_manifest_dir("kubernetes/manifests"));
    }
}
