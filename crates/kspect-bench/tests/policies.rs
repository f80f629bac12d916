//! Section 5 decided from cluster objects (`--manifests`). The object sets are written
//! here; each expectation is worked out by hand from the check text (CHECKS.md and
//! kube-bench's cis-1.12 policies.yaml), noted next to it, never taken from kspect.

mod common;

use std::path::Path;
use std::sync::Arc;

use common::Tree;
use kspect_bench::facts::NodeFacts;
use kspect_bench::node::{self, NodeOptions};
use kspect_bench::policies::ClusterObjects;
use kspect_bench::{Benchmark, Choice, Report, RootedFs, Status, Target};

/// ci-admin comes first so that its subjects sit on line 9.
const RBAC: &str = "apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: ci-admin
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: cluster-admin
subjects:
- kind: User
  name: ci-bot
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: cluster-admin
  labels:
    kubernetes.io/bootstrapping: rbac-defaults
rules:
- apiGroups: ['*']
  resources: ['*']
  verbs: ['*']
- nonResourceURLs: ['*']
  verbs: ['*']
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: cluster-admin
  labels:
    kubernetes.io/bootstrapping: rbac-defaults
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: cluster-admin
subjects:
- apiGroup: rbac.authorization.k8s.io
  kind: Group
  name: system:masters
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: kubeadm:cluster-admins
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: cluster-admin
subjects:
- apiGroup: rbac.authorization.k8s.io
  kind: Group
  name: kubeadm:cluster-admins
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: secret-reader
rules:
- apiGroups: ['']
  resources: [secrets]
  verbs: [get, list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: all-read-secrets
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: secret-reader
subjects:
- kind: Group
  name: system:authenticated
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: deployer
  namespace: shop
rules:
- apiGroups: [apps]
  resources: [deployments]
  verbs: [get, '*']
- apiGroups: ['']
  resources: [pods]
  verbs: [create]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: deployer-binding
  namespace: shop
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: deployer
subjects:
- kind: Group
  name: system:serviceaccounts:shop
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: impersonator
rules:
- apiGroups: ['']
  resources: [users, groups]
  verbs: [impersonate]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: support-impersonate
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: impersonator
subjects:
- kind: User
  name: support
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: system:controller:clusterrole-aggregation-controller
  labels:
    kubernetes.io/bootstrapping: rbac-defaults
rules:
- apiGroups: [rbac.authorization.k8s.io]
  resources: [clusterroles]
  verbs: [escalate, get, list, patch, update, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: system:controller:clusterrole-aggregation-controller
  labels:
    kubernetes.io/bootstrapping: rbac-defaults
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: system:controller:clusterrole-aggregation-controller
subjects:
- kind: ServiceAccount
  name: clusterrole-aggregation-controller
  namespace: kube-system
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: kubeadm:node-proxier
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: system:node-proxier
subjects:
- kind: ServiceAccount
  name: kube-proxy
  namespace: kube-system
";

const NAMESPACES: &str = "apiVersion: v1
kind: Namespace
metadata:
  name: default
---
apiVersion: v1
kind: Namespace
metadata:
  name: kube-system
---
apiVersion: v1
kind: Namespace
metadata:
  name: apps
  labels:
    pod-security.kubernetes.io/enforce: baseline
---
apiVersion: v1
kind: Namespace
metadata:
  name: legacy
  labels:
    pod-security.kubernetes.io/enforce: privileged
---
apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: default, namespace: default}
automountServiceAccountToken: false
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: default, namespace: kube-system}
automountServiceAccountToken: false
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: default, namespace: apps}
automountServiceAccountToken: false
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: default, namespace: legacy}
automountServiceAccountToken: false
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: default, namespace: shop}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: web, namespace: shop}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: apps}
spec: {podSelector: {}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: shop}
spec: {podSelector: {}}
---
apiVersion: v1
kind: Service
metadata: {name: kubernetes, namespace: default}
spec: {ports: [{port: 443}]}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {a: b}
";

/// The debug pod comes first so that `hostPID: true` sits on line 7.
const APPS: &str = "apiVersion: v1
kind: Pod
metadata:
  name: debug
  namespace: legacy
spec:
  hostPID: true
  volumes:
  - name: root
    hostPath: {path: /}
  containers:
  - name: debug
    image: busybox
    securityContext: {privileged: true}
    ports: [{containerPort: 8080, hostPort: 8080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      serviceAccountName: web
      hostNetwork: false
      containers:
      - name: web
        image: nginx
        securityContext:
          allowPrivilegeEscalation: false
          runAsNonRoot: true
          capabilities: {drop: [ALL]}
          seccompProfile: {type: RuntimeDefault}
        env:
        - name: DB_PASSWORD
          valueFrom: {secretKeyRef: {name: db, key: password}}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: kube-proxy, namespace: kube-system}
spec:
  template:
    spec:
      serviceAccountName: kube-proxy
      hostNetwork: true
      containers:
      - name: kube-proxy
        image: registry.k8s.io/kube-proxy:v1.32.2
        securityContext: {privileged: true}
---
apiVersion: v1
kind: Pod
metadata:
  name: api-7d9
  namespace: apps
  ownerReferences:
  - {apiVersion: apps/v1, kind: ReplicaSet, name: api-7d9, controller: true, uid: x}
spec:
  hostIPC: false
  containers:
  - name: api
    image: example/api
";

/// A hardened cluster: every decidable check passes.
const HARDENED: &str = "apiVersion: v1
kind: Namespace
metadata: {name: default}
---
apiVersion: v1
kind: Namespace
metadata: {name: kube-system}
---
apiVersion: v1
kind: Namespace
metadata:
  name: team
  labels: {pod-security.kubernetes.io/enforce: restricted}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: default, namespace: default}
automountServiceAccountToken: false
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: default, namespace: kube-system}
automountServiceAccountToken: false
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: default, namespace: team}
automountServiceAccountToken: false
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: app, namespace: team}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: default}
spec: {podSelector: {}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: kube-system}
spec: {podSelector: {}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: team}
spec: {podSelector: {}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: cluster-admin
  labels: {kubernetes.io/bootstrapping: rbac-defaults}
rules:
- apiGroups: ['*']
  resources: ['*']
  verbs: ['*']
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: cluster-admin
  labels: {kubernetes.io/bootstrapping: rbac-defaults}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: Group, name: system:masters}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: app-reader, namespace: team}
rules:
- apiGroups: ['']
  resources: [configmaps]
  verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: app-reader, namespace: team}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: app-reader}
subjects:
- {kind: ServiceAccount, name: app, namespace: team}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: app, namespace: team}
spec:
  template:
    spec:
      serviceAccountName: app
      automountServiceAccountToken: false
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
        seccompProfile: {type: RuntimeDefault}
      volumes:
      - name: creds
        secret: {secretName: creds}
      containers:
      - name: app
        image: example/app
        securityContext:
          allowPrivilegeEscalation: false
          capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}
        env:
        - name: MODE
          valueFrom: {configMapKeyRef: {name: settings, key: mode}}
";

fn run(objects: Option<ClusterObjects>, benchmark: Benchmark) -> Report {
    let t = Tree::new();
    let fs = RootedFs::new(t.root());
    node::run(
        &NodeFacts::offline(&fs),
        &NodeOptions {
            benchmark: Choice::Fixed(benchmark),
            targets: Some(vec![Target::Policies]),
            manifests: objects.map(Arc::new),
            ..NodeOptions::default()
        },
    )
}

fn broken_objects(dir: &Path) -> ClusterObjects {
    std::fs::write(dir.join("rbac.yaml"), RBAC).unwrap();
    std::fs::write(dir.join("namespaces.yaml"), NAMESPACES).unwrap();
    std::fs::write(dir.join("apps.yaml"), APPS).unwrap();
    let objects = ClusterObjects::load(&[dir]);
    assert!(
        objects.diagnostics().is_empty(),
        "{:?}",
        objects.diagnostics()
    );
    objects
}

/// (id, kspect's status, kube-bench's status on the same objects)
fn expect(r: &Report, expected: &[(&str, Status, Status)]) {
    let mut bad = Vec::new();
    for (id, status, kb) in expected {
        let Some(c) = r.get(id) else {
            bad.push(format!("{id}: missing"));
            continue;
        };
        let got_kb = c.kube_bench_status.unwrap_or(c.status);
        if c.status != *status || got_kb != *kb {
            bad.push(format!(
                "{id}: expected {status} (kube-bench {kb}), got {} (kube-bench {got_kb}): {} | {:?}",
                c.status, c.evidence, c.note
            ));
        }
        if c.kube_bench_status.is_some() {
            assert!(
                c.note.as_deref().is_some_and(|n| n.contains("kube-bench")),
                "{id}: {:?}",
                c.note
            );
        }
    }
    println!(
        "{} of {} passed",
        expected.len() - bad.len(),
        expected.len()
    );
    assert!(bad.is_empty(), "disagreements:\n{}", bad.join("\n"));
}

use Status::{Fail, Pass, Warn};

#[test]
fn broken_cluster() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(Some(broken_objects(dir.path())), Benchmark::Cis112);
    expect(
        &r,
        &[
            // ci-admin binds cluster-admin to a user; kube-bench also flags kubeadm's.
            ("5.1.1", Fail, Warn),
            // every authenticated user can get/list secrets; kube-bench's single verb
            // "get,list,watch" matches only `*`.
            ("5.1.2", Fail, Pass),
            // Role shop/deployer has verbs [get, '*']; kube-bench flags cluster-admin.
            ("5.1.3", Fail, Warn),
            // every service account of shop can create pods in shop (RoleBinding);
            // kube-bench asks cluster-wide only.
            ("5.1.4", Fail, Pass),
            // shop's default ServiceAccount does not set automountServiceAccountToken.
            ("5.1.5", Fail, Warn),
            // Deployment web mounts the token of ServiceAccount web, which nothing binds;
            // kube-bench sees Pods only: debug and api-7d9 run as default SAs set false.
            ("5.1.6", Fail, Pass),
            // no binding beyond the default names system:masters: cannot decide.
            ("5.1.7", Warn, Warn),
            // ci-admin (cluster-admin: everything) and support-impersonate.
            ("5.1.8", Fail, Warn),
            // cluster-admin to ci-bot covers creating PersistentVolumes, nodes/proxy,
            // CSR approval, webhook configurations and token creation.
            ("5.1.9", Fail, Warn),
            ("5.1.10", Fail, Warn),
            ("5.1.11", Fail, Warn),
            ("5.1.12", Fail, Warn),
            ("5.1.13", Fail, Warn),
            // shop has no enforce label, legacy enforces privileged.
            ("5.2.1", Fail, Warn),
            // Pod debug is privileged.
            ("5.2.2", Fail, Warn),
            // Pod debug has hostPID: true.
            ("5.2.3", Fail, Warn),
            // only an explicit hostIPC: false (api-7d9), which kube-bench flags.
            ("5.2.4", Pass, Warn),
            // hostNetwork only in kube-system (kube-proxy) and false in web.
            ("5.2.5", Pass, Pass),
            // debug and api-7d9 leave allowPrivilegeEscalation unset; kube-bench
            // flags only an explicit true.
            ("5.2.6", Fail, Pass),
            // debug and api-7d9 may run as root.
            ("5.2.7", Fail, Warn),
            // debug is privileged, api-7d9 keeps NET_RAW.
            ("5.2.8", Fail, Warn),
            // debug and api-7d9 do not drop ALL.
            ("5.2.9", Fail, Warn),
            // no HostProcess container.
            ("5.2.10", Pass, Warn),
            // debug mounts hostPath /.
            ("5.2.11", Fail, Warn),
            // debug uses hostPort 8080.
            ("5.2.12", Fail, Warn),
            // nothing the objects decide.
            ("5.3.1", Warn, Warn),
            // default, kube-system and legacy have no NetworkPolicy.
            ("5.3.2", Fail, Warn),
            // web takes DB_PASSWORD from a Secret in its environment.
            ("5.4.1", Fail, Warn),
            ("5.4.2", Warn, Warn),
            ("5.5.1", Warn, Warn),
            ("5.6.1", Warn, Warn),
            // debug, api-7d9 and kube-proxy set no seccomp profile.
            ("5.6.2", Fail, Warn),
            // api-7d9 has no security context at all.
            ("5.6.3", Fail, Warn),
            // ConfigMap settings is written without a namespace.
            ("5.6.4", Fail, Warn),
        ],
    );
    // The offending objects are named with their file and line.
    let c = r.get("5.1.1").unwrap();
    let src = c.source.as_ref().unwrap();
    assert!(src.file.ends_with("rbac.yaml"), "{src}");
    assert_eq!(src.line, Some(9), "ci-admin's subjects");
    assert!(c.evidence.contains("ci-admin"), "{}", c.evidence);
    assert!(
        !c.evidence
            .contains("1 offending: ClusterRoleBinding/cluster-admin")
    );
    let c = r.get("5.2.3").unwrap();
    let src = c.source.as_ref().unwrap();
    assert!(src.file.ends_with("apps.yaml"), "{src}");
    assert_eq!(src.line, Some(7), "debug's hostPID");
    assert!(c.evidence.contains("Pod/debug in legacy"), "{}", c.evidence);
    // kube-proxy is listed but not counted.
    let c = r.get("5.2.2").unwrap();
    assert!(c.evidence.starts_with("1 offending"), "{}", c.evidence);
    assert!(
        c.evidence
            .contains("not counted: DaemonSet/kube-proxy in kube-system"),
        "{}",
        c.evidence
    );
    // The ReplicaSet-owned pod is reported (its owner is not in the input).
    assert!(
        r.get("5.6.3")
            .unwrap()
            .evidence
            .contains("Pod/api-7d9 in apps")
    );
    let c = r.get("5.3.2").unwrap();
    for ns in ["default", "kube-system", "legacy"] {
        assert!(
            c.evidence
                .contains(&format!("namespace {ns} has no NetworkPolicy")),
            "{}",
            c.evidence
        );
    }
    assert!(!c.evidence.contains("namespace shop"));
}

#[test]
fn hardened_cluster_passes() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("all.yaml"), HARDENED).unwrap();
    let objects = ClusterObjects::load(&[dir.path()]);
    let r = run(Some(objects), Benchmark::Cis112);
    let mut expected: Vec<(&str, Status, Status)> = vec![
        // only the bootstrap binding of cluster-admin.
        ("5.1.1", Pass, Pass),
        ("5.1.2", Pass, Pass),
        // kube-bench flags cluster-admin's own ["*"].
        ("5.1.3", Pass, Warn),
        ("5.1.4", Pass, Pass),
        ("5.1.5", Pass, Pass),
        // the only workload sets automountServiceAccountToken: false; kube-bench
        // lists Pods, there are none, and no output fails its test.
        ("5.1.6", Pass, Warn),
        ("5.2.1", Pass, Warn),
    ];
    for id in [
        "5.1.8", "5.1.9", "5.1.10", "5.1.11", "5.1.12", "5.1.13", "5.2.7", "5.2.8", "5.2.9",
        "5.2.10", "5.2.11", "5.2.12", "5.3.2", "5.4.1", "5.6.2", "5.6.3", "5.6.4",
    ] {
        expected.push((id, Pass, Warn));
    }
    // kube-bench's kubectl audits list Pods: none here, so no output and WARN.
    for id in ["5.2.2", "5.2.3", "5.2.4", "5.2.5", "5.2.6"] {
        expected.push((id, Pass, Warn));
    }
    expect(&r, &expected);
}

#[test]
fn cis_111_numbering() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(Some(broken_objects(dir.path())), Benchmark::Cis111);
    expect(
        &r,
        &[
            // 5.2.9 is "added capabilities" in cis-1.11: nothing adds any.
            ("5.2.9", Pass, Pass),
            // 5.2.10 capabilities assigned, 5.2.11 HostProcess, 5.2.12 hostPath,
            // 5.2.13 hostPorts.
            ("5.2.10", Fail, Warn),
            ("5.2.11", Pass, Warn),
            ("5.2.12", Fail, Warn),
            ("5.2.13", Fail, Warn),
        ],
    );
}

#[test]
fn without_manifests_policies_stay_as_kube_bench_reports() {
    let r = run(None, Benchmark::Cis112);
    for c in &r.checks {
        assert_eq!(c.status, Status::Warn, "{}", c.id);
        assert_eq!(c.kube_bench_status, None, "{}", c.id);
    }
    assert!(r.get("5.1.1").unwrap().evidence.contains("--manifests"));
}

#[test]
fn undecidable_inputs_warn() {
    // Workloads but no RBAC objects: the RBAC checks cannot be decided.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("apps.yaml"), APPS).unwrap();
    let r = run(Some(ClusterObjects::load(&[dir.path()])), Benchmark::Cis112);
    for id in ["5.1.1", "5.1.2", "5.1.4", "5.1.6", "5.1.8"] {
        let c = r.get(id).unwrap();
        assert_eq!(c.status, Status::Warn, "{id}: {}", c.evidence);
    }
    // The pod checks still decide.
    assert_eq!(r.get("5.2.3").unwrap().status, Status::Fail);
}

#[test]
fn kube_bench_json_keeps_kube_benchs_verdict() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(Some(broken_objects(dir.path())), Benchmark::Cis112);
    let doc = kspect_bench::render::kube_bench_json(&r);
    let results: Vec<&serde_json::Value> = doc["Controls"][0]["tests"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["results"].as_array().unwrap())
        .collect();
    let get = |id: &str| *results.iter().find(|x| x["test_number"] == id).unwrap();
    // A manual check kspect decided: still typed manual, with kube-bench's WARN.
    let c = get("5.6.4");
    assert_eq!(c["type"], "manual");
    assert_eq!(c["status"], "FAIL");
    assert_eq!(c["kube_bench_status"], "WARN");
    assert!(
        c["reason"]
            .as_str()
            .unwrap()
            .contains("Test marked as a manual test")
    );
    // An undecided manual check looks exactly as kube-bench prints it.
    let c = get("5.4.2");
    assert_eq!(c["status"], "WARN");
    assert_eq!(c["reason"], "Test marked as a manual test");
    assert!(c.get("kube_bench_status").is_none());
}

mod robustness {
    use super::*;
    use kspect_core::Inventory;
    use proptest::prelude::*;
    use serde_json::{Value, json};

    fn any_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            "[a-zA-Z*:/_-]{0,12}".prop_map(Value::String),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::btree_map("[a-zA-Z]{1,10}", inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// Whatever the fields hold, every section-5 decision returns a result.
        #[test]
        fn odd_objects_never_panic(
            spec in any_value(),
            sc in any_value(),
            rules in any_value(),
            subjects in any_value(),
            automount in any_value(),
        ) {
            let docs = [
                json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "n",
                    "ownerReferences": automount.clone()},
                    "spec": {"securityContext": sc.clone(), "containers": [{"name": "c", "securityContext": sc.clone(),
                        "env": spec.clone(), "ports": spec.clone()}], "volumes": spec.clone(),
                        "automountServiceAccountToken": automount.clone()}}),
                json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
                    "spec": {"template": {"spec": spec.clone()}}}),
                json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                    "metadata": {"name": "r"}, "rules": rules.clone()}),
                json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
                    "metadata": {"name": "b"}, "roleRef": {"kind": "ClusterRole", "name": "r"},
                    "subjects": subjects.clone()}),
                json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default", "namespace": "n"},
                    "automountServiceAccountToken": automount.clone()}),
                json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "n", "labels": sc.clone()}}),
            ];
            let text: String = docs.iter().map(|d| format!("---\n{d}\n")).collect();
            let loaded = kspect_core::load::parse_str("gen.yaml", &text);
            let objects = ClusterObjects::new(Inventory::new(loaded));
            for b in [Benchmark::Cis111, Benchmark::Cis112] {
                for c in kspect_bench::checks::checks(b).filter(|c| c.target == Target::Policies) {
                    let _ = kspect_bench::policies::evaluate(b, c.id, &objects);
                }
            }
        }
    }
}
