//! Criterion benchmark of who-can and can-i on a generated inventory of 5,000
//! roles and 20,000 bindings (the targets: who-can < 50 ms, can-i
//! < 10 µs per query after indexing). Run with `cargo bench -p kspect-rbac`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};

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

fn requests() -> Vec<Request> {
    (0..1000)
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
        .collect()
}

fn benches(c: &mut Criterion) {
    let objects = inventory();
    let model = RbacModel::from_objects(&objects);
    assert_eq!(model.roles().len(), 5000);
    assert_eq!(model.bindings().len(), 20000);
    let requests = requests();

    // One query per iteration, cycling through 1,000 different identities and
    // namespaces, so the reported time is the per-query time after indexing.
    let mut group = c.benchmark_group("can_i");
    group.bench_function("allows", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % requests.len();
            model.allows(black_box(&requests[i]))
        })
    });
    group.bench_function("authorize_all_reasons", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % requests.len();
            model.authorize(black_box(&requests[i]))
        })
    });
    group.finish();

    let mut group = c.benchmark_group("who_can");
    group.sample_size(20);
    group.bench_function("get_secrets_in_namespace", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % 100;
            let a = Attributes::Resource(attrs(&format!("ns-{i}"), "get", "secrets"));
            model.who_can(black_box(&a), None).entries.len()
        })
    });
    group.bench_function("list_pods_cluster_wide", |b| {
        let a = Attributes::Resource(attrs("", "list", "pods"));
        b.iter(|| model.who_can(black_box(&a), None).entries.len())
    });
    group.finish();

    let mut group = c.benchmark_group("index");
    group.sample_size(10);
    group.bench_function("build_model_5000_roles_20000_bindings", |b| {
        b.iter(|| RbacModel::from_objects(black_box(&objects)))
    });
    group.finish();
}

criterion_group!(rbac, benches);
criterion_main!(rbac);
