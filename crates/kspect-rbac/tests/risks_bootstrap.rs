//! The risk catalogue on the default policy (`rbac/bootstrap/`): the roles
//! that `RISKS.md` lists for each pattern, and the findings that follow.

mod common;

use kspect_rbac::{ModelOptions, RbacModel, RiskOptions, RoleKind};
use serde_json::{Value, json};

/// Every YAML document of `bootstrap/*.yaml` as JSON.
fn bootstrap_objects() -> Option<Vec<Value>> {
    let dir = common::corpus_dir()?.join("bootstrap");
    let mut out = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("bootstrap dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    for path in files {
        let text = std::fs::read_to_string(&path).expect("read yaml");
        for doc in serde_yaml_ng::Deserializer::from_str(&text) {
            let v: Value = serde::Deserialize::deserialize(doc).expect("yaml doc");
            out.push(v);
        }
    }
    Some(out)
}

/// `RISKS.md`, "Bootstrap roles that match these patterns": the roles each
/// row names (ClusterRoles, or `ns/name` for Roles). Every row also
/// includes `cluster-admin`.
const TABLE: &[(&str, &[&str])] = &[
    ("R01", &["cluster-admin"]),
    (
        "R03",
        &[
            "admin",
            "edit",
            "system:aggregate-to-edit",
            "system:kube-controller-manager",
            "system:node",
            "kube-system/system:controller:bootstrap-signer",
            "kube-system/system:controller:token-cleaner",
            "system:controller:generic-garbage-collector",
            "system:controller:namespace-controller",
            "system:controller:resourcequota-controller",
        ],
    ),
    (
        "R04",
        &[
            "admin",
            "edit",
            "system:kube-controller-manager",
            "system:controller:generic-garbage-collector",
            "system:controller:legacy-service-account-token-cleaner",
        ],
    ),
    (
        "R05",
        &[
            "admin",
            "edit",
            "system:kube-controller-manager",
            "system:node",
        ],
    ),
    (
        "R06",
        &[
            "admin",
            "edit",
            "system:node",
            "system:controller:daemon-set-controller",
            "system:controller:job-controller",
            "system:controller:cronjob-controller",
            "system:controller:deployment-controller",
            "system:controller:replicaset-controller",
            "system:controller:replication-controller",
            "system:controller:statefulset-controller",
            "system:controller:persistent-volume-binder",
            "system:controller:generic-garbage-collector",
        ],
    ),
    (
        "R07",
        &[
            "admin",
            "edit",
            "system:controller:daemon-set-controller",
            "system:controller:deployment-controller",
            "system:controller:job-controller",
            "system:controller:replicaset-controller",
            "system:controller:replication-controller",
            "system:controller:statefulset-controller",
            "system:controller:generic-garbage-collector",
        ],
    ),
    (
        "R08",
        &[
            "admin",
            "edit",
            "system:controller:generic-garbage-collector",
            "system:controller:namespace-controller",
        ],
    ),
    ("R09", &["system:controller:generic-garbage-collector"]),
    (
        "R11",
        &[
            "system:kubelet-api-admin",
            "system:controller:generic-garbage-collector",
            "system:controller:namespace-controller",
        ],
    ),
    ("R12", &["admin", "edit"]),
    (
        "R13",
        &["system:controller:clusterrole-aggregation-controller"],
    ),
    ("R14", &[]),
    (
        "R15|R16",
        &[
            "admin",
            "system:aggregate-to-admin",
            "system:controller:generic-garbage-collector",
            "system:controller:clusterrole-aggregation-controller",
        ],
    ),
    (
        "R17",
        &[
            "system:controller:certificate-controller",
            "system:certificates.k8s.io:kube-apiserver-client-approver",
            "system:controller:generic-garbage-collector",
        ],
    ),
    ("R18", &["system:controller:generic-garbage-collector"]),
    (
        "R19",
        &[
            "system:persistent-volume-provisioner",
            "system:controller:persistent-volume-binder",
        ],
    ),
    (
        "R20",
        &[
            "system:node",
            "system:controller:node-controller",
            "system:controller:ttl-controller",
            "system:controller:generic-garbage-collector",
            "system:controller:attachdetach-controller",
            "system:controller:route-controller",
            "system:node-problem-detector",
        ],
    ),
    (
        "R22",
        &[
            "system:controller:service-controller",
            "system:controller:generic-garbage-collector",
        ],
    ),
    ("R23", &["system:controller:generic-garbage-collector"]),
];

/// Rows whose listed roles are the complete set.
const EXACT: &[&str] = &["R01", "R13", "R14"];

fn role_label(model: &RbacModel, r: &kspect_rbac::RoleObject<usize>) -> String {
    let _ = model;
    match r.kind {
        RoleKind::ClusterRole => r.meta.name.clone(),
        RoleKind::Role => format!("{}/{}", r.meta.namespace, r.meta.name),
    }
}

/// Roles granting any of the row's patterns: ClusterRoles as held
/// cluster-wide, Roles within their namespace.
fn granting(model: &RbacModel, row: &str) -> Vec<String> {
    let risks: Vec<&str> = row.split('|').collect();
    let mut out = Vec::new();
    for (i, r) in model.roles().iter().enumerate() {
        let profile = model.role_risks(kspect_rbac::RoleId(i));
        let wide = r.kind == RoleKind::ClusterRole;
        if risks.iter().any(|risk| profile.hit(risk, wide).is_some()) {
            out.push(role_label(model, r));
        }
    }
    out
}

#[test]
fn bootstrap_roles_match_the_risks_table() {
    let Some(objects) = bootstrap_objects() else {
        return;
    };
    let model = RbacModel::from_objects(&objects);
    assert!(
        model.issues().is_empty(),
        "load issues: {:?}",
        model.issues()
    );
    assert_eq!(
        model.roles().len(),
        68 + 7,
        "bootstrap has 68 ClusterRoles and 7 Roles"
    );
    assert_eq!(model.bindings().len(), 47 + 7);
    let mut failures = Vec::new();
    for (row, listed) in TABLE {
        let got = granting(&model, row);
        let mut expected: Vec<&str> = listed.to_vec();
        expected.push("cluster-admin");
        for name in &expected {
            if !got.iter().any(|g| g == name) {
                failures.push(format!("{row}: {name} not found (got {got:?})"));
            }
        }
        let extra: Vec<&String> = got
            .iter()
            .filter(|g| !expected.contains(&g.as_str()))
            .collect();
        if EXACT.contains(row) && !extra.is_empty() {
            failures.push(format!("{row}: unexpected {extra:?}"));
        } else if !extra.is_empty() {
            println!("{row}: also granted by {extra:?} (the table is not exhaustive)");
        }
    }
    common::finish("RISKS.md bootstrap table rows", TABLE.len(), &failures);
}

#[test]
fn without_aggregation_admin_and_edit_drop_out() {
    let Some(objects) = bootstrap_objects() else {
        return;
    };
    let model = RbacModel::from_sourced_objects(
        objects.iter().enumerate(),
        ModelOptions { aggregate: false },
    );
    let mut failures = Vec::new();
    let rows = ["R03", "R04", "R05", "R06", "R07", "R08", "R12", "R15"];
    for row in rows {
        let got = granting(&model, row);
        for name in ["admin", "edit"] {
            if got.iter().any(|g| g == name) {
                failures.push(format!("{row}: {name} granted without aggregation"));
            }
        }
    }
    common::finish("RISKS.md no-aggregation self-test", rows.len(), &failures);
}

#[test]
fn default_policy_is_not_reported_but_can_be() {
    let Some(objects) = bootstrap_objects() else {
        return;
    };
    let model = RbacModel::from_objects(&objects);
    let findings = model.risks(RiskOptions::default());
    assert!(
        findings.is_empty(),
        "default policy reported: {:#?}",
        findings.iter().map(|f| &f.message).collect::<Vec<_>>()
    );

    let all = model.risks(RiskOptions {
        include_defaults: true,
    });
    assert!(all.iter().all(|f| f.default_policy));
    let has = |rule: &str, subject: &str, severity: &str| {
        all.iter().any(|f| {
            f.rule_id == rule
                && f.severity == severity
                && f.subject.as_ref().is_some_and(|s| s.name == subject)
        })
    };
    assert!(has("KSP201", "system:masters", "critical"));
    assert!(has("KSP203", "generic-garbage-collector", "critical"));
    assert!(has("KSP211", "namespace-controller", "high"));
    assert!(has("KSP205", "system:kube-controller-manager", "critical"));
    assert!(has(
        "KSP213",
        "clusterrole-aggregation-controller",
        "critical"
    ));
    // cluster-admin's wildcard stands for every other pattern.
    assert!(!all.iter().any(|f| {
        f.subject
            .as_ref()
            .is_some_and(|s| s.name == "system:masters")
            && f.rule_id != "KSP201"
    }));
    // certificate-controller signs for every kubernetes.io signer: the full
    // status+sign combination, limited by names.
    let csr: Vec<_> = all
        .iter()
        .filter(|f| {
            f.rule_id == "KSP217"
                && f.subject
                    .as_ref()
                    .is_some_and(|s| s.name == "certificate-controller")
        })
        .collect();
    assert_eq!(csr.len(), 1, "{csr:#?}");
    assert!(
        csr[0]
            .resource_names
            .iter()
            .any(|n| n == "kubernetes.io/kube-apiserver-client")
    );
    assert_eq!(
        csr[0].severity, "high",
        "full combination, lowered one level for the name limit"
    );
}

#[test]
fn user_changes_on_top_of_the_default_policy_are_reported() {
    let Some(mut objects) = bootstrap_objects() else {
        return;
    };
    let base = objects.len();
    objects.push(json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
        "metadata": {"name": "ci-admin"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
        "subjects": [{"kind": "ServiceAccount", "name": "deployer", "namespace": "ci"}]
    }));
    objects.push(json!({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "runner", "namespace": "ci"},
        "spec": {"template": {"spec": {"serviceAccountName": "deployer", "containers": []}}}
    }));
    objects.push(json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
        "metadata": {"name": "devs-edit", "namespace": "team-a"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "edit"},
        "subjects": [{"kind": "Group", "name": "devs"}]
    }));
    objects.push(json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
        "metadata": {"name": "ghost", "namespace": "team-a"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "does-not-exist"},
        "subjects": [{"kind": "User", "name": "bob"}]
    }));
    objects.push(json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
        "metadata": {"name": "anon-secrets"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "system:controller:token-cleaner-wide"},
        "subjects": [{"kind": "Group", "name": "system:unauthenticated"}]
    }));
    objects.push(json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
        "metadata": {"name": "system:controller:token-cleaner-wide"},
        "rules": [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["list"]}]
    }));
    // A user added to the default cluster-admin binding.
    for o in objects.iter_mut().take(base) {
        for item in o["items"].as_array_mut().into_iter().flatten() {
            if item["kind"] == "ClusterRoleBinding" && item["metadata"]["name"] == "cluster-admin" {
                if let Some(subjects) = item["subjects"].as_array_mut() {
                    subjects.push(json!({"kind": "User", "name": "alice"}));
                }
            }
        }
    }
    let model = RbacModel::from_objects(&objects);
    let findings = model.risks(RiskOptions::default());
    let find = |rule: &str, subject: &str| {
        findings
            .iter()
            .find(|f| f.rule_id == rule && f.subject.as_ref().is_some_and(|s| s.name == subject))
    };
    let ci = find("KSP201", "deployer").expect("cluster-admin to SA reported");
    assert_eq!(ci.severity, "critical");
    assert_eq!(ci.workloads.len(), 1);
    assert_eq!(ci.workloads[0].name, "runner");
    assert!(
        ci.message.contains("Deployment ci/runner"),
        "{}",
        ci.message
    );
    assert_eq!(
        ci.binding.as_ref().map(|b| b.name.as_str()),
        Some("ci-admin")
    );
    assert_eq!(ci.binding.as_ref().map(|b| b.source.handle), Some(base));

    let alice = find("KSP201", "alice").expect("user added to a default binding is reported");
    assert!(!alice.default_policy);
    assert!(find("KSP201", "system:masters").is_none());

    for rule in [
        "KSP203", "KSP204", "KSP205", "KSP206", "KSP207", "KSP208", "KSP212",
    ] {
        let f = find(rule, "devs").unwrap_or_else(|| panic!("{rule} for devs via edit"));
        assert_eq!(f.namespace.as_deref(), Some("team-a"));
        assert_ne!(
            f.severity, "critical",
            "{rule}: namespaced grant is rated lower"
        );
    }
    // edit grants nothing cluster-scoped through a RoleBinding.
    assert!(find("KSP211", "devs").is_none());

    let ghost = findings
        .iter()
        .find(|f| f.rule_id == "KSP227")
        .expect("dangling binding");
    assert!(ghost.message.contains("does-not-exist"));

    assert!(find("KSP225", "system:unauthenticated").is_some_and(|f| f.severity == "critical"));
    assert!(find("KSP203", "system:unauthenticated").is_some_and(|f| f.severity == "critical"));
}
