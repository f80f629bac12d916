//! Escalation paths on hand-built inventories whose paths are known by reading
//! them (RISKS.md primitives), plus the default-policy filter on the corpus.

use std::path::PathBuf;

use kspect_rbac::{PathOptions, Principal, RbacModel, Target, render_dot};
use serde_json::{Value, json};

const V1: &str = "rbac.authorization.k8s.io/v1";

fn cluster_role(name: &str, rules: Value) -> Value {
    json!({"apiVersion": V1, "kind": "ClusterRole", "metadata": {"name": name}, "rules": rules})
}

fn role(ns: &str, name: &str, rules: Value) -> Value {
    json!({"apiVersion": V1, "kind": "Role", "metadata": {"name": name, "namespace": ns}, "rules": rules})
}

fn crb(name: &str, role: &str, subjects: Value) -> Value {
    json!({"apiVersion": V1, "kind": "ClusterRoleBinding", "metadata": {"name": name},
           "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
           "subjects": subjects})
}

fn rb(ns: &str, name: &str, kind: &str, role: &str, subjects: Value) -> Value {
    json!({"apiVersion": V1, "kind": "RoleBinding", "metadata": {"name": name, "namespace": ns},
           "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": kind, "name": role},
           "subjects": subjects})
}

fn sa_object(ns: &str, name: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name, "namespace": ns}})
}

fn pod(ns: &str, name: &str, sa: &str, automount: Option<bool>) -> Value {
    let mut spec = json!({"serviceAccountName": sa, "containers": [{"name": "c", "image": "x"}]});
    if let Some(a) = automount {
        spec["automountServiceAccountToken"] = json!(a);
    }
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": ns}, "spec": spec})
}

fn user(name: &str) -> Principal {
    Principal::User { name: name.into() }
}

fn sa(ns: &str, name: &str) -> Principal {
    Principal::ServiceAccount {
        namespace: ns.into(),
        name: name.into(),
    }
}

/// dev may create pods in `ci`; `ci/deployer` may bind cluster-admin.
fn pod_creator_inventory() -> Vec<Value> {
    vec![
        role(
            "ci",
            "pod-maker",
            json!([{"apiGroups": [""], "resources": ["pods"], "verbs": ["create", "get"]}]),
        ),
        rb(
            "ci",
            "dev-pods",
            "Role",
            "pod-maker",
            json!([{"kind": "User", "name": "dev"}]),
        ),
        role(
            "ci",
            "pod-viewer",
            json!([{"apiGroups": [""], "resources": ["pods", "pods/log"], "verbs": ["get", "list"]}]),
        ),
        rb(
            "ci",
            "viewer-pods",
            "Role",
            "pod-viewer",
            json!([{"kind": "User", "name": "viewer"}]),
        ),
        cluster_role(
            "binder",
            json!([
                {"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"], "verbs": ["bind"], "resourceNames": ["cluster-admin"]},
                {"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterrolebindings"], "verbs": ["create"]}
            ]),
        ),
        crb(
            "deployer-binds",
            "binder",
            json!([{"kind": "ServiceAccount", "name": "deployer", "namespace": "ci"}]),
        ),
        sa_object("ci", "deployer"),
    ]
}

#[test]
fn create_pods_then_bind_cluster_admin() {
    let objects = pod_creator_inventory();
    let model = RbacModel::from_objects(&objects);
    let paths = model.escalation_paths_from(&[user("dev")]);
    assert_eq!(paths.len(), 1);
    let steps = &paths[0].steps;
    assert_eq!(steps.len(), 2, "{steps:#?}");
    assert_eq!(steps[0].from, user("dev"));
    assert_eq!(steps[0].risk, "R06");
    assert_eq!(steps[0].to, Target::Principal(sa("ci", "deployer")));
    assert!(
        steps[0].granted_by[0].contains("RoleBinding \"dev-pods/ci\""),
        "{:?}",
        steps[0].granted_by
    );
    assert_eq!(steps[1].from, sa("ci", "deployer"));
    assert_eq!(steps[1].risk, "R14");
    assert_eq!(steps[1].to, Target::ClusterAdmin("bind cluster-admin"));
}

#[test]
fn harmless_subject_has_no_path() {
    let objects = pod_creator_inventory();
    let model = RbacModel::from_objects(&objects);
    assert!(model.escalation_paths_from(&[user("viewer")]).is_empty());
    // All subjects: dev (two steps) and the deployer (one step), not viewer.
    let all = model.escalation_paths(PathOptions::default());
    let starts: Vec<&Principal> = all.iter().map(|p| &p.start).collect();
    assert_eq!(starts, [&user("dev"), &sa("ci", "deployer")]);
    assert_eq!(all[1].steps.len(), 1);
}

#[test]
fn bind_limited_to_another_role_is_not_cluster_admin() {
    let mut objects = pod_creator_inventory();
    objects[4] = cluster_role(
        "binder",
        json!([
            {"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"], "verbs": ["bind"], "resourceNames": ["view"]},
            {"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterrolebindings"], "verbs": ["create"]}
        ]),
    );
    let model = RbacModel::from_objects(&objects);
    assert!(model.escalation_paths_from(&[user("dev")]).is_empty());
}

/// ops may exec into pods of `mon`; the agent pod runs as an SA bound to `*`.
fn exec_inventory(automount: Option<bool>) -> Vec<Value> {
    vec![
        role(
            "mon",
            "exec",
            json!([{"apiGroups": [""], "resources": ["pods/exec"], "verbs": ["get"]}]),
        ),
        rb(
            "mon",
            "ops-exec",
            "Role",
            "exec",
            json!([{"kind": "User", "name": "ops"}]),
        ),
        cluster_role(
            "everything",
            json!([{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]),
        ),
        crb(
            "agent-all",
            "everything",
            json!([{"kind": "ServiceAccount", "name": "agent", "namespace": "mon"}]),
        ),
        pod("mon", "agent-0", "agent", automount),
    ]
}

#[test]
fn exec_into_a_pod_of_a_powerful_account() {
    let objects = exec_inventory(None);
    let model = RbacModel::from_objects(&objects);
    let paths = model.escalation_paths_from(&[user("ops")]);
    assert_eq!(paths.len(), 1);
    let steps = &paths[0].steps;
    assert_eq!(
        steps
            .iter()
            .map(|s| (s.risk, s.to.clone()))
            .collect::<Vec<_>>(),
        [
            ("R08", Target::Principal(sa("mon", "agent"))),
            ("R01", Target::ClusterAdmin("wildcard")),
        ]
    );
    assert_eq!(
        model.pod_principal("mon", "agent-0"),
        Some(sa("mon", "agent"))
    );
    // From the pod itself: one step.
    let from_pod = model.escalation_paths_from(&[sa("mon", "agent")]);
    assert_eq!(from_pod[0].steps.len(), 1);
}

#[test]
fn exec_gives_nothing_when_the_pod_mounts_no_token() {
    let objects = exec_inventory(Some(false));
    let model = RbacModel::from_objects(&objects);
    assert!(model.escalation_paths_from(&[user("ops")]).is_empty());
}

#[test]
fn secrets_in_kube_system_then_impersonate_masters() {
    let objects = vec![
        role(
            "kube-system",
            "secret-reader",
            json!([{"apiGroups": [""], "resources": ["secrets"], "verbs": ["list"]}]),
        ),
        rb(
            "kube-system",
            "leak",
            "Role",
            "secret-reader",
            json!([{"kind": "Group", "name": "auditors"}]),
        ),
        cluster_role(
            "impersonator",
            json!([
                {"apiGroups": [""], "resources": ["users"], "verbs": ["impersonate"]},
                {"apiGroups": [""], "resources": ["groups"], "verbs": ["impersonate"], "resourceNames": ["system:masters"]}
            ]),
        ),
        crb(
            "ctrl-impersonates",
            "impersonator",
            json!([{"kind": "ServiceAccount", "name": "ctrl", "namespace": "kube-system"}]),
        ),
    ];
    let model = RbacModel::from_objects(&objects);
    let start = Principal::parse("group:auditors").expect("parses");
    let paths = model.escalation_paths_from(&[start]);
    assert_eq!(paths.len(), 1);
    let risks: Vec<&str> = paths[0].steps.iter().map(|s| s.risk).collect();
    assert_eq!(risks, ["R03", "R12"]);
    assert_eq!(
        paths[0].steps[1].to,
        Target::ClusterAdmin("impersonate system:masters")
    );
}

#[test]
fn token_request_chain_of_three() {
    // a -> token for ns1/b -> b creates deployments in ns2 -> ns2/c has escalate+patch.
    let objects = vec![
        role(
            "ns1",
            "tok",
            json!([{"apiGroups": [""], "resources": ["serviceaccounts/token"], "verbs": ["create"], "resourceNames": ["b"]}]),
        ),
        rb(
            "ns1",
            "a-tok",
            "Role",
            "tok",
            json!([{"kind": "User", "name": "a"}]),
        ),
        sa_object("ns1", "b"),
        sa_object("ns1", "other"),
        role(
            "ns2",
            "deploy",
            json!([{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["create"]}]),
        ),
        rb(
            "ns2",
            "b-deploy",
            "Role",
            "deploy",
            json!([{"kind": "ServiceAccount", "name": "b", "namespace": "ns1"}]),
        ),
        cluster_role(
            "role-editor",
            json!([{"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"], "verbs": ["escalate", "patch"]}]),
        ),
        crb(
            "c-edits",
            "role-editor",
            json!([{"kind": "ServiceAccount", "name": "c", "namespace": "ns2"}]),
        ),
    ];
    let model = RbacModel::from_objects(&objects);
    let paths = model.escalation_paths_from(&[user("a")]);
    let steps: Vec<(String, &str, String)> = paths[0]
        .steps
        .iter()
        .map(|s| (s.from.label(), s.risk, s.to.label()))
        .collect();
    assert_eq!(
        steps,
        [
            (
                "User \"a\"".into(),
                "R05",
                "ServiceAccount \"ns1/b\"".into()
            ),
            (
                "ServiceAccount \"ns1/b\"".into(),
                "R06",
                "ServiceAccount \"ns2/c\"".into()
            ),
            (
                "ServiceAccount \"ns2/c\"".into(),
                "R13",
                "cluster-admin (escalate)".into()
            ),
        ]
    );
    // The token grant is limited to `b`: `other` is not reachable, and a
    // start from `other` finds nothing.
    assert!(
        model
            .escalation_paths_from(&[sa("ns1", "other")])
            .is_empty()
    );
    let dot = render_dot(&paths);
    assert!(dot.starts_with("digraph escalation {"));
    assert!(dot.contains("\"User \\\"a\\\"\" -> \"ServiceAccount \\\"ns1/b\\\"\""));
}

#[test]
fn parse_principals() {
    assert_eq!(
        Principal::parse("system:serviceaccount:ci:deployer"),
        Some(sa("ci", "deployer"))
    );
    assert_eq!(
        Principal::parse("serviceaccount:ci/deployer"),
        Some(sa("ci", "deployer"))
    );
    assert_eq!(Principal::parse("jane"), Some(user("jane")));
    assert_eq!(Principal::parse("user:jane"), Some(user("jane")));
    assert_eq!(
        Principal::parse("group:devs"),
        Some(Principal::Group {
            name: "devs".into()
        })
    );
    assert_eq!(Principal::parse("group:"), None);
    assert_eq!(Principal::parse(""), None);
}

fn bootstrap_objects() -> Option<Vec<Value>> {
    let dir =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/rbac/bootstrap");
    if !dir.is_dir() {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("corpus not found at {} (CI=true)", dir.display());
        }
        println!("skipping: corpus not found at {}", dir.display());
        return None;
    }
    let mut out = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("read bootstrap dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("read yaml");
        for doc in serde_yaml_ng::Deserializer::from_str(&text) {
            let v: Value = serde::Deserialize::deserialize(doc).expect("yaml doc");
            out.push(v);
        }
    }
    Some(out)
}

#[test]
fn bootstrap_defaults_are_not_reported() {
    let Some(objects) = bootstrap_objects() else {
        return;
    };
    let model = RbacModel::from_objects(&objects);
    assert!(model.escalation_paths(PathOptions::default()).is_empty());
    let all = model.escalation_paths(PathOptions {
        include_defaults: true,
    });
    // system:masters is cluster-admin by definition (R02), and the controller
    // that holds `escalate` on clusterroles (RISKS.md R13 bootstrap note).
    let starts: Vec<String> = all.iter().map(|p| p.start.label()).collect();
    assert!(
        starts.contains(&"Group \"system:masters\"".to_string()),
        "{starts:?}"
    );
    assert!(
        starts.contains(
            &"ServiceAccount \"kube-system/clusterrole-aggregation-controller\"".to_string()
        ),
        "{starts:?}"
    );
}
