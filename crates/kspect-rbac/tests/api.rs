//! The entry points the CLI calls, on small hand-written inputs.

use kspect_rbac::{
    BindingKind, RbacModel, ReviewOptions, RoleRef, UserInfo, WriteAllowedBy, can_i_list_rows,
    render_can_i_list, review_subject_access,
};
use serde_json::{Value, json};

fn objects() -> Vec<Value> {
    vec![
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "pod-reader"},
               "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}]}),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": "read-pods"},
               "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "pod-reader"},
               "subjects": [{"kind": "User", "name": "alice"}]}),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "dangling", "namespace": "ns1"},
               "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "missing"},
               "subjects": [{"kind": "ServiceAccount", "name": "builder"}]}),
        json!({"apiVersion": "v1", "kind": "List", "items": [
            {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "binder", "namespace": "ns1"},
             "rules": [{"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"], "verbs": ["bind"], "resourceNames": ["pod-reader"]}]},
            {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "bob-binder", "namespace": "ns1"},
             "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "binder"},
             "subjects": [{"kind": "User", "name": "bob"}]}
        ]}),
        json!("not an object"),
    ]
}

fn sar(user: &str, groups: &[&str], attrs: Value) -> Value {
    let mut spec = json!({"user": user, "groups": groups});
    if attrs.get("path").is_some() {
        spec["nonResourceAttributes"] = attrs;
    } else {
        spec["resourceAttributes"] = attrs;
    }
    json!({"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview", "spec": spec})
}

#[test]
fn review_fills_status_like_the_api_server() {
    let model = RbacModel::from_objects(&objects());
    assert_eq!(model.issues().len(), 1, "{:?}", model.issues());
    assert_eq!(model.bindings()[2].source.pointer, "/items/1");

    let out = review_subject_access(
        &model,
        &sar(
            "alice",
            &[],
            json!({"verb": "list", "resource": "pods", "namespace": "x"}),
        ),
        ReviewOptions::default(),
    );
    let out = out.expect("valid review");
    assert_eq!(
        out["status"],
        json!({"allowed": true, "reason": "RBAC: allowed by ClusterRoleBinding \"read-pods\" of ClusterRole \"pod-reader\" to User \"alice\""})
    );
    assert_eq!(
        out["spec"]["user"], "alice",
        "the rest of the object is kept"
    );

    let sa = "system:serviceaccount:ns1:builder";
    let out = review_subject_access(
        &model,
        &sar(
            sa,
            &[],
            json!({"verb": "get", "resource": "pods", "namespace": "ns1"}),
        ),
        ReviewOptions::default(),
    )
    .expect("valid review");
    assert_eq!(
        out["status"],
        json!({"allowed": false, "reason": "RBAC: clusterrole.rbac.authorization.k8s.io \"missing\" not found"})
    );
    // No RoleBinding is consulted for a cluster-wide request: no reason.
    let out = review_subject_access(
        &model,
        &sar(sa, &[], json!({"verb": "get", "resource": "pods"})),
        ReviewOptions::default(),
    )
    .expect("valid review");
    assert_eq!(out["status"], json!({"allowed": false}));

    let masters = sar(
        "root",
        &["system:masters"],
        json!({"path": "/metrics", "verb": "get"}),
    );
    let rbac_only =
        review_subject_access(&model, &masters, ReviewOptions::default()).expect("valid");
    assert_eq!(rbac_only["status"]["allowed"], false);
    let chain = review_subject_access(
        &model,
        &masters,
        ReviewOptions {
            privileged_groups: true,
        },
    )
    .expect("valid");
    assert_eq!(chain["status"], json!({"allowed": true}));

    let both = json!({"kind": "SubjectAccessReview", "spec": {"user": "a", "resourceAttributes": {}, "nonResourceAttributes": {}}});
    assert!(review_subject_access(&model, &both, ReviewOptions::default()).is_err());
    let nobody =
        json!({"kind": "SubjectAccessReview", "spec": {"resourceAttributes": {"verb": "get"}}});
    assert!(review_subject_access(&model, &nobody, ReviewOptions::default()).is_err());
}

#[test]
fn list_and_escalation_checks() {
    let model = RbacModel::from_objects(&objects());
    let alice = UserInfo::impersonated("alice", &[]);
    let review = model.rules_for(&alice, "ns1");
    let table = render_can_i_list(&can_i_list_rows(&model.review_rules(&review)), true);
    assert_eq!(
        table,
        "Resources   Non-Resource URLs   Resource Names   Verbs\npods        []                  []               [get list]\n"
    );

    // bob holds `bind` on ClusterRole pod-reader in ns1 only.
    let bob = UserInfo::impersonated("bob", &[]);
    let role_ref = RoleRef {
        api_group: "rbac.authorization.k8s.io".into(),
        kind: "ClusterRole".into(),
        name: "pod-reader".into(),
    };
    let in_ns = model.check_binding_write(&bob, BindingKind::RoleBinding, "ns1", &role_ref);
    assert!(in_ns.allowed);
    assert!(matches!(in_ns.allowed_by, Some(WriteAllowedBy::Verb(_))));
    let cluster = model.check_binding_write(&bob, BindingKind::ClusterRoleBinding, "", &role_ref);
    assert!(!cluster.allowed);
    assert_eq!(cluster.uncovered.len(), 2, "get and list pods are not held");
    // alice holds everything pod-reader grants, so coverage lets her bind it anywhere.
    let by_alice =
        model.check_binding_write(&alice, BindingKind::ClusterRoleBinding, "", &role_ref);
    assert_eq!(by_alice.allowed_by, Some(WriteAllowedBy::Coverage));
}
