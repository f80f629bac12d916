//! Timing of who-can and can-i on a generated inventory of 5,000 roles and
//! 20,000 bindings (the targets: who-can < 50 ms, can-i < 10 µs).

use std::hint::black_box;
use std::time::Instant;

use kspect_rbac::{Attributes, RbacModel, Request, ResourceAttributes, UserInfo};
use serde_json::{Value, json};

fn inventory() -> Vec<Value> {
    let verbs = [
        "get", "list", "watch", "create", "update", "patch", "delete",
    ];
    let resources = [
        "pods",
        "secrets",
        "configmaps",
        "deployments",
        "services",
        "jobs",
    ];
    let mut out = Vec::new();
    for i in 0..5000 {
        let rules: Vec<Value> = (0..4)
            .map(|j| {
                json!({"apiGroups": ["", "apps"], "resources": [resources[(i + j) % 6], format!("crd{i}")],
                       "verbs": [verbs[(i + j) % 7], verbs[(i * 3 + j) % 7]]})
            })
            .collect();
        if i % 2 == 0 {
            out.push(
                json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                            "metadata": {"name": format!("role-{i}")}, "rules": rules}),
            );
        } else {
            out.push(json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
                            "metadata": {"name": format!("role-{i}"), "namespace": format!("ns-{}", i % 100)}, "rules": rules}));
        }
    }
    for i in 0..20000usize {
        let role = (i * 7) % 5000;
        let ns = format!("ns-{}", role % 100);
        let subjects = json!([
            {"kind": "User", "name": format!("user-{}", i % 3000)},
            {"kind": "Group", "name": format!("group-{}", i % 200)},
            {"kind": "ServiceAccount", "name": format!("sa-{}", i % 500), "namespace": ns},
        ]);
        let role_ref = json!({"apiGroup": "rbac.authorization.k8s.io",
                              "kind": if role % 2 == 0 { "ClusterRole" } else { "Role" },
                              "name": format!("role-{role}")});
        if i % 4 == 0 && role % 2 == 0 {
            out.push(json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
                            "metadata": {"name": format!("b-{i}")}, "roleRef": role_ref, "subjects": subjects}));
        } else {
            out.push(json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                            "metadata": {"name": format!("b-{i}"), "namespace": ns}, "roleRef": role_ref, "subjects": subjects}));
        }
    }
    out
}

fn attrs(ns: &str, verb: &str, resource: &str) -> ResourceAttributes {
    ResourceAttributes {
        namespace: ns.into(),
        verb: verb.into(),
        group: String::new(),
        resource: resource.into(),
        subresource: String::new(),
        name: String::new(),
    }
}

fn main() {
    let objects = inventory();
    let t = Instant::now();
    let model = RbacModel::from_objects(&objects);
    println!("index 5000 roles / 20000 bindings: {:?}", t.elapsed());

    let requests: Vec<Request> = (0..1000)
        .map(|i| {
            Request::resource(
                UserInfo::new(
                    format!("user-{}", i % 3000),
                    [format!("group-{}", i % 200), "system:authenticated".into()],
                ),
                attrs(
                    &format!("ns-{}", i % 100),
                    ["get", "create", "delete"][i % 3],
                    ["pods", "secrets"][i % 2],
                ),
            )
        })
        .collect();
    let t = Instant::now();
    let mut allowed = 0;
    for _ in 0..20 {
        for r in &requests {
            allowed += usize::from(black_box(model.allows(r)));
        }
    }
    let per = t.elapsed() / (20 * requests.len() as u32);
    println!(
        "can-i (allows): {per:?} per query ({allowed} allowed of {})",
        20 * requests.len()
    );
    let t = Instant::now();
    for r in &requests {
        black_box(model.authorize(r));
    }
    println!(
        "can-i (authorize, all reasons): {:?} per query",
        t.elapsed() / requests.len() as u32
    );

    let t = Instant::now();
    let n = 20;
    let mut subjects = 0;
    for i in 0..n {
        let a = Attributes::Resource(attrs(&format!("ns-{i}"), "get", "secrets"));
        subjects += black_box(model.who_can(&a, None)).entries.len();
    }
    println!(
        "who-can: {:?} per query ({} subjects on average)",
        t.elapsed() / n,
        subjects / n as usize
    );
}
