//! Findings for `kspect scan`: gaps in network isolation (KSP401-KSP409).
//!
//! Checks that need reachability use the same engine as `kspect netpol list`, so a
//! finding and the connectivity list never disagree.

use kspect_core::{Finding, Inventory, Object, Reference, Rule, Severity};

use crate::build::{BuildOptions, build};
use crate::engine::Analyzer;
use crate::ip::IpSet;
use crate::model::{Cluster, NpPeer, NpRule};
use crate::ports::Protocol;

const NP_DOCS: Reference = Reference::docs(
    "Network Policies",
    "https://kubernetes.io/docs/concepts/services-networking/network-policies/",
);
const LATERAL: Reference = Reference::mitre("T1210", "https://attack.mitre.org/techniques/T1210/");
const METADATA: Reference = Reference::mitre(
    "T1552.005",
    "https://attack.mitre.org/techniques/T1552/005/",
);
const CIS_NP: Reference = Reference::cis("5.3.2");

/// KSP401: a namespace with pods and no default-deny ingress policy.
pub static NO_DEFAULT_DENY_INGRESS: Rule = Rule {
    id: "KSP401",
    name: "namespace-without-default-deny-ingress",
    title: "Namespace has no default-deny ingress NetworkPolicy",
    severity: Severity::Medium,
    category: "network",
    kinds: &["Namespace"],
    doc: r#"A namespace that runs pods but has no NetworkPolicy selecting all of its pods
(`podSelector: {}`) for ingress without allowing everything.

## Why it matters
Kubernetes allows all traffic to a pod until some policy selects it. Without a
namespace-wide default-deny, every new workload starts reachable from every pod of
the cluster, and one forgotten policy is an open door.

## What an attacker does
From any compromised pod, anywhere in the cluster, the attacker connects directly to
the namespace's databases, admin ports and internal APIs (lateral movement).

## How to fix
Add a default-deny ingress policy, then allow the flows each workload needs.

```yaml
# before: no policy in namespace "shop"
# after
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny-ingress
  namespace: shop
spec:
  podSelector: {}
  policyTypes: ["Ingress"]
```
"#,
    remediation: "Add a NetworkPolicy with podSelector: {} and policyTypes: [Ingress] (no ingress rules) to the namespace, then allow the needed flows explicitly.",
    references: &[CIS_NP, NP_DOCS, LATERAL],
};

/// KSP402: a namespace with pods and no default-deny egress policy.
pub static NO_DEFAULT_DENY_EGRESS: Rule = Rule {
    id: "KSP402",
    name: "namespace-without-default-deny-egress",
    title: "Namespace has no default-deny egress NetworkPolicy",
    severity: Severity::Low,
    category: "network",
    kinds: &["Namespace"],
    doc: r#"A namespace that runs pods but has no NetworkPolicy selecting all of its pods
(`podSelector: {}`) for egress without allowing everything.

## Why it matters
Without egress isolation a compromised pod can reach every other pod, the cloud
metadata service and the internet: exfiltration and command-and-control need no
further foothold.

## What an attacker does
The attacker downloads tools, opens a reverse shell to the internet, or reads
node credentials from the metadata endpoint.

## How to fix
Add a default-deny egress policy, then allow DNS and the destinations each workload
needs.

```yaml
# before: no egress policy in namespace "shop"
# after
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny-egress
  namespace: shop
spec:
  podSelector: {}
  policyTypes: ["Egress"]
```
"#,
    remediation: "Add a NetworkPolicy with podSelector: {} and policyTypes: [Egress] to the namespace, then allow DNS and the needed destinations explicitly.",
    references: &[CIS_NP, NP_DOCS],
};

/// KSP403: a workload that no policy selects.
pub static WORKLOAD_NOT_SELECTED: Rule = Rule {
    id: "KSP403",
    name: "workload-not-selected-by-any-policy",
    title: "Workload is selected by no network policy",
    severity: Severity::Medium,
    category: "network",
    kinds: &[
        "Pod",
        "Deployment",
        "StatefulSet",
        "DaemonSet",
        "ReplicaSet",
        "ReplicationController",
        "Job",
        "CronJob",
    ],
    doc: r#"No NetworkPolicy (and no AdminNetworkPolicy) selects the pods of this workload,
so all ingress and egress traffic is allowed.

## Why it matters
A pod that no policy selects is non-isolated in both directions: any pod in any
namespace and any address can connect to it, and it can connect anywhere.

## What an attacker does
The attacker uses any foothold in the cluster to reach the workload's ports, or uses
the workload itself as a pivot once compromised.

## How to fix
Select the workload with a policy that allows only its real clients.

```yaml
# before: no policy selects app=api
# after
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: api
spec:
  podSelector:
    matchLabels: {app: api}
  policyTypes: ["Ingress", "Egress"]
  ingress:
    - from:
        - podSelector:
            matchLabels: {app: web}
      ports:
        - port: 8080
```
"#,
    remediation: "Write a NetworkPolicy that selects the workload's pods and allows only the flows it needs (or add a namespace default-deny).",
    references: &[CIS_NP, NP_DOCS, LATERAL],
};

/// KSP404: a hostNetwork pod (policies do not apply to it).
pub static HOST_NETWORK_POD: Rule = Rule {
    id: "KSP404",
    name: "host-network-pod-bypasses-policies",
    title: "hostNetwork pod is not governed by NetworkPolicy",
    severity: Severity::Medium,
    category: "network",
    kinds: &[
        "Pod",
        "Deployment",
        "StatefulSet",
        "DaemonSet",
        "ReplicaSet",
        "ReplicationController",
        "Job",
        "CronJob",
    ],
    doc: r#"The pod uses the node's network namespace (`hostNetwork: true`).

## Why it matters
Most network plugins cannot tell host-network pods apart from the node: policies
that select them are ignored, and their traffic is treated as node traffic, which is
always allowed to local pods. A policy review that lists this workload as isolated
is wrong.

## What an attacker does
From a compromised host-network pod the attacker reaches every pod on the node and
node-local services (kubelet, metadata, other pods' ports) regardless of policies.

## How to fix
Run the workload on the pod network unless it truly needs the host's interfaces.

```yaml
# before
spec:
  hostNetwork: true
# after
spec:
  hostNetwork: false
```
"#,
    remediation: "Remove hostNetwork: true unless the workload needs the node's interfaces; protect such workloads with node firewalls instead of NetworkPolicy.",
    references: &[NP_DOCS, Reference::pss("Host Namespaces")],
};

/// KSP405: a policy that selects no pod.
pub static POLICY_SELECTS_NOTHING: Rule = Rule {
    id: "KSP405",
    name: "policy-selects-no-pod",
    title: "NetworkPolicy selects no pod in the input",
    severity: Severity::Low,
    category: "network",
    kinds: &["NetworkPolicy"],
    doc: r#"The policy's `spec.podSelector` matches no pod or workload of its namespace.

## Why it matters
A policy that selects nothing protects nothing; usually a label was renamed or the
policy was written for the wrong namespace, and the workload it was meant for is
left open.

## What an attacker does
Nothing new: the attacker simply finds the intended workload still reachable.

## How to fix
Fix the selector (or the namespace) so that the intended pods are selected.

```yaml
# before
spec:
  podSelector:
    matchLabels: {app: backend-v1}
# after
spec:
  podSelector:
    matchLabels: {app: backend}
```
"#,
    remediation: "Correct spec.podSelector or metadata.namespace so the policy selects the intended pods, or delete the stale policy.",
    references: &[NP_DOCS],
};

/// KSP406: a rule that allows everything.
pub static RULE_ALLOWS_ALL: Rule = Rule {
    id: "KSP406",
    name: "policy-rule-allows-everything",
    title: "NetworkPolicy rule allows all sources or destinations on all ports",
    severity: Severity::Medium,
    category: "network",
    kinds: &["NetworkPolicy"],
    doc: r#"An ingress or egress rule with no peer restriction (no `from`/`to`, an empty
`namespaceSelector: {}`, or `ipBlock: 0.0.0.0/0`) and no port restriction.

## Why it matters
Such a rule undoes the isolation the policy creates: the selected pods are reachable
from (or can reach) every pod and every address on every port.

## What an attacker does
The attacker reaches the pods from anywhere in the cluster, or exfiltrates data from
them to any address.

## How to fix
Name the peers and ports the workload needs.

```yaml
# before
ingress:
  - {}
# after
ingress:
  - from:
      - podSelector:
          matchLabels: {app: web}
    ports:
      - port: 8080
```
"#,
    remediation: "Replace the catch-all rule with peers (podSelector/namespaceSelector/ipBlock) and ports that the workload needs.",
    references: &[NP_DOCS, LATERAL],
};

/// KSP407: egress to the cloud metadata address is allowed.
pub static METADATA_EGRESS: Rule = Rule {
    id: "KSP407",
    name: "egress-to-cloud-metadata-allowed",
    title: "Workload may connect to the cloud metadata address 169.254.169.254",
    severity: Severity::High,
    category: "network",
    kinds: &[
        "Pod",
        "Deployment",
        "StatefulSet",
        "DaemonSet",
        "ReplicaSet",
        "ReplicationController",
        "Job",
        "CronJob",
    ],
    doc: r#"The workload's egress side allows TCP port 80 to 169.254.169.254, the instance
metadata service of the major clouds.

## Why it matters
The metadata service hands out the node's cloud credentials and bootstrap secrets.
Any pod that can reach it can act with the node's cloud identity.

## What an attacker does
Through a server-side request forgery or a shell in the pod, the attacker queries
`http://169.254.169.254/` for credentials and moves into the cloud account.

## How to fix
Deny egress to the metadata address (an ipBlock `except`), or deny all egress and
allow only the needed destinations.

```yaml
# before
egress:
  - to:
      - ipBlock: {cidr: 0.0.0.0/0}
# after
egress:
  - to:
      - ipBlock:
          cidr: 0.0.0.0/0
          except: [169.254.169.254/32]
```
"#,
    remediation: "Add egress isolation for the workload and exclude 169.254.169.254/32 from allowed ipBlocks (or block the metadata endpoint at the node level).",
    references: &[METADATA, NP_DOCS],
};

/// KSP408: a workload reachable from every namespace.
pub static REACHABLE_FROM_ALL_NAMESPACES: Rule = Rule {
    id: "KSP408",
    name: "workload-reachable-from-all-namespaces",
    title: "Workload is reachable from pods of every namespace",
    severity: Severity::Medium,
    category: "network",
    kinds: &[
        "Pod",
        "Deployment",
        "StatefulSet",
        "DaemonSet",
        "ReplicaSet",
        "ReplicationController",
        "Job",
        "CronJob",
    ],
    doc: r#"A policy that isolates the workload for ingress still admits any pod of any
namespace (a rule without `from`, or with `namespaceSelector: {}` and no pod
selector).

## Why it matters
The isolation looks deliberate in review, yet every tenant and every compromised pod
in the cluster can connect.

## What an attacker does
From a pod in any namespace, the attacker connects to the workload's ports.

## How to fix
Restrict the rule to the namespaces and pods that are real clients.

```yaml
# before
ingress:
  - from:
      - namespaceSelector: {}
# after
ingress:
  - from:
      - namespaceSelector:
          matchLabels: {kubernetes.io/metadata.name: web}
        podSelector:
          matchLabels: {app: frontend}
```
"#,
    remediation: "Narrow the ingress rule's peers to the namespaces and pods that need access.",
    references: &[NP_DOCS, LATERAL],
};

/// KSP409: NetworkPolicy needs a plugin that enforces it.
pub static NEEDS_ENFORCING_CNI: Rule = Rule {
    id: "KSP409",
    name: "network-policies-need-enforcing-plugin",
    title: "Network policies are only enforced by a network plugin that supports them",
    severity: Severity::Info,
    category: "network",
    kinds: &["NetworkPolicy"],
    doc: r#"The input relies on NetworkPolicy objects; they do nothing unless the cluster's
network plugin implements them.

## Why it matters
Plugins such as flannel (without a policy add-on) or some managed defaults accept
NetworkPolicy objects and silently ignore them: every isolation in this analysis
would then be absent.

## What an attacker does
The attacker simply connects; the policies the defenders count on are not enforced.

## How to fix
Confirm the plugin enforces NetworkPolicy (Calico, Cilium, Antrea, OVN-Kubernetes,
cloud policy engines) and test it with a denied probe.

```yaml
# before: flannel only
# after: a plugin with policy support, e.g. Calico
apiVersion: operator.tigera.io/v1
kind: Installation
metadata:
  name: default
spec:
  cni:
    type: Calico
```
"#,
    remediation: "Verify that the cluster's network plugin enforces NetworkPolicy (and AdminNetworkPolicy if used), e.g. with a connectivity probe that must be denied.",
    references: &[NP_DOCS],
};

/// Every rule of this crate, in ID order.
pub fn rules() -> Vec<&'static Rule> {
    vec![
        &NO_DEFAULT_DENY_INGRESS,
        &NO_DEFAULT_DENY_EGRESS,
        &WORKLOAD_NOT_SELECTED,
        &HOST_NETWORK_POD,
        &POLICY_SELECTS_NOTHING,
        &RULE_ALLOWS_ALL,
        &METADATA_EGRESS,
        &REACHABLE_FROM_ALL_NAMESPACES,
        &NEEDS_ENFORCING_CNI,
    ]
}

/// A rule with no port restriction.
fn all_ports(r: &NpRule) -> bool {
    r.ports.is_empty()
}

/// A rule whose peers admit every pod of every namespace.
fn all_cluster_peers(r: &NpRule) -> bool {
    r.peers.is_empty()
        || r.peers.iter().any(|p| match p {
            NpPeer::Pods {
                namespaces: Some(ns),
                pods,
            } => ns.is_empty() && pods.as_ref().is_none_or(|s| s.is_empty()),
            _ => false,
        })
}

fn all_address_peers(r: &NpRule) -> bool {
    r.peers.is_empty()
        || r.peers
            .iter()
            .any(|p| matches!(p, NpPeer::IpBlock(s) if *s == IpSet::all()))
}

/// A policy that isolates every pod of its namespace in a direction without allowing
/// everything back.
fn default_deny(cluster: &Cluster, ns: usize, ingress: bool) -> bool {
    cluster.policies.iter().any(|p| {
        let applies = if ingress {
            p.affects_ingress
        } else {
            p.affects_egress
        };
        let rules = if ingress { &p.ingress } else { &p.egress };
        p.namespace == ns
            && applies
            && p.pod_selector.is_empty()
            && !rules
                .iter()
                .any(|r| all_ports(r) && all_cluster_peers(r) && (ingress || all_address_peers(r)))
    })
}

/// Runs every check. Inputs with fatal problems yield no findings here (the network
/// analysis reports those errors itself).
pub fn check(inv: &Inventory) -> Vec<Finding> {
    match build(inv, BuildOptions::default()) {
        Ok(cluster) => check_cluster(inv, &cluster),
        Err(_) => Vec::new(),
    }
}

/// Runs every check on a model already built from `inv`.
pub fn check_cluster(inv: &Inventory, cluster: &crate::Cluster) -> Vec<Finding> {
    let objects = inv.objects();
    let mut out = Vec::new();
    let an = Analyzer::new(cluster);

    // Namespaces with workloads.
    for (nsid, ns) in cluster.namespaces.iter().enumerate() {
        let has_pods = cluster
            .workloads
            .iter()
            .any(|w| w.namespace == nsid && w.object.is_some());
        if !has_pods {
            continue;
        }
        let obj = inv.namespace(&ns.name);
        let anchor = obj.or_else(|| {
            cluster
                .workloads
                .iter()
                .find(|w| w.namespace == nsid)
                .and_then(|w| w.object)
                .and_then(|i| objects.get(i))
        });
        let Some(anchor) = anchor else { continue };
        for (ingress, rule) in [
            (true, &NO_DEFAULT_DENY_INGRESS),
            (false, &NO_DEFAULT_DENY_EGRESS),
        ] {
            if !default_deny(cluster, nsid, ingress) {
                out.push(Finding::at(
                    rule,
                    anchor,
                    "",
                    format!(
                        "namespace {} has no NetworkPolicy that denies all {} by default",
                        ns.name,
                        if ingress { "ingress" } else { "egress" }
                    ),
                ));
            }
        }
    }

    let metadata = IpSet::range(0xa9fe_a9fe, 0xa9fe_a9fe);
    for (wid, w) in cluster.workloads.iter().enumerate() {
        let Some(obj) = w.object.and_then(|i| objects.get(i)) else {
            continue;
        };
        let Some(&pod) = w.pods.first() else { continue };
        let p = &cluster.pods[pod];
        let ns_labels = &cluster.namespaces[p.namespace].labels;
        let name = cluster.workload_name(wid);
        let selecting: Vec<usize> = cluster
            .policies
            .iter()
            .enumerate()
            .filter(|(_, np)| np.namespace == p.namespace && np.pod_selector.matches(&p.labels))
            .map(|(i, _)| i)
            .collect();
        let by_admin = cluster
            .admin_policies
            .iter()
            .chain(cluster.baseline.as_ref())
            .any(|a| a.subject.matches(ns_labels, &p.labels));
        if selecting.is_empty() && !by_admin {
            out.push(Finding::at(
                &WORKLOAD_NOT_SELECTED,
                obj,
                "/metadata/labels",
                format!(
                    "{name} is selected by no network policy: all ingress and egress is allowed"
                ),
            ));
        }
        if p.host_network {
            let ptr = obj
                .pod_template()
                .map(|t| format!("{}/hostNetwork", t.spec_ptr))
                .unwrap_or_default();
            out.push(Finding::at(
                &HOST_NETWORK_POD,
                obj,
                &ptr,
                format!("{name} uses hostNetwork: network policies do not reliably apply to it"),
            ));
        }
        if an.pod_to_ip(pod, &metadata).contains(Protocol::Tcp, 80) {
            out.push(Finding::at(
                &METADATA_EGRESS,
                obj,
                "",
                format!("{name} may connect to 169.254.169.254 on TCP 80 (cloud metadata service)"),
            ));
        }
        let open: Vec<&str> = selecting
            .iter()
            .map(|&i| &cluster.policies[i])
            .filter(|np| np.affects_ingress && np.ingress.iter().any(all_cluster_peers))
            .map(|np| np.name.as_str())
            .collect();
        if !open.is_empty() {
            out.push(Finding::at(
                &REACHABLE_FROM_ALL_NAMESPACES,
                obj,
                "",
                format!(
                    "{name} is reachable from pods of every namespace through NetworkPolicy {}",
                    open.join(", ")
                ),
            ));
        }
    }

    for np in &cluster.policies {
        let Some(obj) = objects.get(np.object) else {
            continue;
        };
        let selects = cluster
            .pods
            .iter()
            .any(|p| p.namespace == np.namespace && np.pod_selector.matches(&p.labels));
        if !selects {
            out.push(Finding::at(
                &POLICY_SELECTS_NOTHING,
                obj,
                "/spec/podSelector",
                format!(
                    "NetworkPolicy {}/{} selects no pod or workload in the input",
                    cluster.namespaces[np.namespace].name, np.name
                ),
            ));
        }
        for (ingress, rules) in [(true, &np.ingress), (false, &np.egress)] {
            for (i, r) in rules.iter().enumerate() {
                let everything = all_ports(r)
                    && if ingress {
                        all_cluster_peers(r)
                    } else {
                        all_address_peers(r)
                    };
                if everything {
                    let dir = if ingress { "ingress" } else { "egress" };
                    out.push(Finding::at(
                        &RULE_ALLOWS_ALL,
                        obj,
                        &format!("/spec/{dir}/{i}"),
                        format!(
                            "{} rule #{} of NetworkPolicy {}/{} allows {} on all ports",
                            if ingress { "Ingress" } else { "Egress" },
                            i + 1,
                            cluster.namespaces[np.namespace].name,
                            np.name,
                            if ingress {
                                "every source"
                            } else {
                                "every destination"
                            }
                        ),
                    ));
                }
            }
        }
    }

    if let Some(first) = cluster.policies.first().and_then(|p| objects.get(p.object)) {
        out.push(note_once(first));
    }
    out
}

fn note_once(first: &Object) -> Finding {
    Finding::at(
        &NEEDS_ENFORCING_CNI,
        first,
        "",
        "the input relies on NetworkPolicy: make sure the cluster's network plugin enforces it",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use kspect_core::load::parse_str;

    fn inv(yaml: &str) -> Inventory {
        Inventory::new(parse_str("t.yaml", yaml))
    }

    fn ids(findings: &[Finding], rule: &Rule) -> usize {
        findings.iter().filter(|f| f.rule == rule.id).count()
    }

    const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop, labels: {app: web}}\nspec:\n  containers: [{name: c, image: i, ports: [{containerPort: 80}]}]\n";
    const DENY_ALL: &str = "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: shop}\nspec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n";

    #[test]
    fn rule_docs_have_required_sections() {
        for r in rules() {
            for s in kspect_core::rule::REQUIRED_DOC_SECTIONS {
                assert!(r.doc.contains(s), "{} lacks {s}", r.id);
            }
            assert!(r.doc.contains("```yaml"), "{} lacks a yaml example", r.id);
            assert!(r.id.starts_with("KSP4"));
        }
    }

    #[test]
    fn open_namespace_is_reported_and_default_deny_is_not() {
        let f = check(&inv(POD));
        assert_eq!(ids(&f, &NO_DEFAULT_DENY_INGRESS), 1);
        assert_eq!(ids(&f, &NO_DEFAULT_DENY_EGRESS), 1);
        assert_eq!(ids(&f, &WORKLOAD_NOT_SELECTED), 1);
        assert_eq!(ids(&f, &METADATA_EGRESS), 1);
        assert_eq!(ids(&f, &NEEDS_ENFORCING_CNI), 0);
        let f = check(&inv(&format!("{POD}{DENY_ALL}")));
        assert_eq!(ids(&f, &NO_DEFAULT_DENY_INGRESS), 0);
        assert_eq!(ids(&f, &NO_DEFAULT_DENY_EGRESS), 0);
        assert_eq!(ids(&f, &WORKLOAD_NOT_SELECTED), 0);
        assert_eq!(ids(&f, &METADATA_EGRESS), 0);
        assert_eq!(ids(&f, &NEEDS_ENFORCING_CNI), 1);
        assert_eq!(ids(&f, &POLICY_SELECTS_NOTHING), 0);
        assert_eq!(ids(&f, &RULE_ALLOWS_ALL), 0);
    }

    #[test]
    fn allow_all_rule_and_namespace_wide_ingress() {
        let allow = "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: open, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: web}}\n  ingress:\n  - from: [{namespaceSelector: {}}]\n";
        let f = check(&inv(&format!("{POD}{allow}")));
        assert_eq!(ids(&f, &RULE_ALLOWS_ALL), 1);
        assert_eq!(ids(&f, &REACHABLE_FROM_ALL_NAMESPACES), 1);
        let narrow = "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: open, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: web}}\n  ingress:\n  - from: [{namespaceSelector: {matchLabels: {team: a}}}]\n";
        let f = check(&inv(&format!("{POD}{narrow}")));
        assert_eq!(ids(&f, &RULE_ALLOWS_ALL), 0);
        assert_eq!(ids(&f, &REACHABLE_FROM_ALL_NAMESPACES), 0);
    }

    #[test]
    fn metadata_egress_blocked_by_except() {
        let eg = "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: eg, namespace: shop}\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n  - to: [{ipBlock: {cidr: 0.0.0.0/0, except: [169.254.169.254/32]}}]\n";
        let f = check(&inv(&format!("{POD}{eg}")));
        assert_eq!(ids(&f, &METADATA_EGRESS), 0);
        let eg_all = eg.replace(", except: [169.254.169.254/32]", "");
        let f = check(&inv(&format!("{POD}{eg_all}")));
        assert_eq!(ids(&f, &METADATA_EGRESS), 1);
        assert_eq!(
            ids(&f, &RULE_ALLOWS_ALL),
            1,
            "egress to 0.0.0.0/0 on all ports"
        );
    }

    #[test]
    fn host_network_and_empty_selection() {
        let host = POD.replace("spec:\n", "spec:\n  hostNetwork: true\n");
        let f = check(&inv(&host));
        assert_eq!(ids(&f, &HOST_NETWORK_POD), 1);
        assert_eq!(
            f.iter()
                .find(|x| x.rule == "KSP404")
                .and_then(|x| x.location.as_ref())
                .map(|l| l.line),
            Some(5),
            "the hostNetwork field"
        );
        let f = check(&inv(POD));
        assert_eq!(ids(&f, &HOST_NETWORK_POD), 0);
        let stale = "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: stale, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: gone}}\n";
        let f = check(&inv(&format!("{POD}{stale}")));
        assert_eq!(ids(&f, &POLICY_SELECTS_NOTHING), 1);
    }
}
