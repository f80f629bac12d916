//! Property tests: monotonicity of grants, wildcards, parser robustness.

use kspect_rbac::{
    Attributes, PolicyRule, RbacModel, Request, ResourceAttributes, UserInfo, covers,
    parse_resource_arg,
};
use proptest::prelude::*;
use serde_json::{Value, json};

fn word() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "",
        "*",
        "pods",
        "secrets",
        "apps",
        "get",
        "list",
        "create",
        "exec",
        "*/exec",
        "pods/exec",
        "a",
        "ns1",
        "ns2",
        "alice",
        "devs",
    ])
    .prop_map(String::from)
}

fn list() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(word(), 0..3)
}

fn rule() -> impl Strategy<Value = PolicyRule> {
    (list(), list(), list(), list(), list()).prop_map(
        |(verbs, api_groups, resources, resource_names, non_resource_urls)| PolicyRule {
            verbs,
            api_groups,
            resources,
            resource_names,
            non_resource_urls,
        },
    )
}

fn role_obj(name: &str, namespace: Option<&str>, rules: &[PolicyRule]) -> Value {
    let mut meta = json!({"name": name});
    if let Some(ns) = namespace {
        meta["namespace"] = json!(ns);
    }
    json!({"apiVersion": "rbac.authorization.k8s.io/v1",
           "kind": if namespace.is_some() { "Role" } else { "ClusterRole" },
           "metadata": meta, "rules": rules})
}

fn binding_obj(
    name: &str,
    namespace: Option<&str>,
    role_kind: &str,
    role: &str,
    subject: (&str, &str),
) -> Value {
    let mut meta = json!({"name": name});
    if let Some(ns) = namespace {
        meta["namespace"] = json!(ns);
    }
    json!({"apiVersion": "rbac.authorization.k8s.io/v1",
           "kind": if namespace.is_some() { "RoleBinding" } else { "ClusterRoleBinding" },
           "metadata": meta,
           "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role},
           "subjects": [{"kind": subject.0, "name": subject.1}]})
}

fn request() -> impl Strategy<Value = Request> {
    (
        word(),
        word(),
        word(),
        word(),
        word(),
        word(),
        prop::sample::select(vec!["alice", "bob"]),
        prop::bool::ANY,
    )
        .prop_map(
            |(namespace, verb, group, resource, subresource, name, user, in_devs)| {
                let groups = if in_devs {
                    vec!["devs".to_string()]
                } else {
                    vec![]
                };
                Request {
                    user: UserInfo {
                        name: user.into(),
                        groups,
                    },
                    attributes: Attributes::Resource(ResourceAttributes {
                        namespace,
                        verb,
                        group,
                        resource,
                        subresource,
                        name,
                    }),
                }
            },
        )
}

proptest! {
    /// Permissions only add up: adding a role and a binding never turns an
    /// allowed request into a refused one.
    #[test]
    fn adding_a_binding_never_removes_a_permission(
        rules_a in prop::collection::vec(rule(), 0..4),
        rules_b in prop::collection::vec(rule(), 0..4),
        ns_binding in prop::bool::ANY,
        req in request(),
    ) {
        let base = vec![
            role_obj("r1", None, &rules_a),
            binding_obj("b1", None, "ClusterRole", "r1", ("Group", "devs")),
            role_obj("r2", Some("ns1"), &rules_a),
            binding_obj("b2", Some("ns1"), "Role", "r2", ("User", "alice")),
        ];
        let mut more = base.clone();
        more.push(role_obj("extra", None, &rules_b));
        more.push(if ns_binding {
            binding_obj("b3", Some("ns2"), "ClusterRole", "extra", ("User", "bob"))
        } else {
            binding_obj("b3", None, "ClusterRole", "extra", ("User", "alice"))
        });
        let before = RbacModel::from_objects(&base);
        let after = RbacModel::from_objects(&more);
        if before.allows(&req) {
            prop_assert!(after.allows(&req));
        }
        // The fast path and the full evaluation agree.
        prop_assert_eq!(after.allows(&req), after.authorize(&req).allowed);
    }

    /// A rule whose verbs contain `*` allows every verb the same rule with a
    /// concrete verb list allows, and more.
    #[test]
    fn star_verb_covers_every_verb(r in rule(), req in request()) {
        let mut star = r.clone();
        star.verbs = vec!["*".into()];
        if req.allowed_by(&r) {
            prop_assert!(req.allowed_by(&star));
        }
        let mut any_verb = req.clone();
        if let Attributes::Resource(a) = &mut any_verb.attributes {
            a.verb = "some-new-verb".into();
        }
        let mut concrete = req.clone();
        if let Attributes::Resource(a) = &mut concrete.attributes {
            a.verb = "get".into();
        }
        prop_assert_eq!(any_verb.allowed_by(&star), concrete.allowed_by(&star));
    }

    /// Every rule covers itself, and a rule set covers any subset of itself.
    /// Excluded: rules mixing resourceNames with URLs. Upstream's coverage
    /// check demands that an owner of a name-less URL atom has no names, so
    /// such a rule does not cover itself there either.
    #[test]
    fn rules_cover_themselves(rules in prop::collection::vec(rule(), 0..4), pick in 0usize..4) {
        let rules: Vec<PolicyRule> = rules
            .into_iter()
            .filter(|r| r.resource_names.is_empty() || r.non_resource_urls.is_empty())
            .collect();
        prop_assert!(covers(&rules, &rules).0);
        let subset: Vec<PolicyRule> = rules.iter().take(pick).cloned().collect();
        prop_assert!(covers(&rules, &subset).0);
    }

    /// What a rule allows, a coverage check by that rule agrees with: if the
    /// owner covers the servant, every request the servant allows the owner
    /// allows too.
    #[test]
    fn coverage_implies_authorization(owner in rule(), servant in rule(), req in request()) {
        if covers(std::slice::from_ref(&owner), std::slice::from_ref(&servant)).0 && req.allowed_by(&servant) {
            prop_assert!(req.allowed_by(&owner));
        }
    }

    /// The argument parser never panics and keeps object names verbatim.
    #[test]
    fn resource_arg_parser_total(s in "\\PC{0,30}") {
        let _ = parse_resource_arg(&s);
    }

    #[test]
    fn resource_arg_name_kept(t in "[a-z]{1,10}(\\.[a-z]{1,6}){0,2}", n in "[a-z0-9.-]{1,12}") {
        if let Ok(kspect_rbac::ResourceTarget::Resource(r)) = parse_resource_arg(&format!("{t}/{n}")) {
            prop_assert_eq!(r.name, n);
        } else {
            prop_assert!(false, "{t}/{n} did not parse as a resource");
        }
    }

    /// Arbitrary JSON never panics the loader.
    #[test]
    fn loader_is_total(v in arb_json()) {
        let m = RbacModel::from_objects([&v]);
        let _ = m.risks(Default::default());
    }
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        prop::sample::select(vec![
            "Role",
            "ClusterRole",
            "RoleBinding",
            "ClusterRoleBinding",
            "List",
            "Pod",
            "x",
            "",
            "*"
        ])
        .prop_map(|s| Value::String(s.into())),
        any::<i64>().prop_map(|n| json!(n)),
    ];
    leaf.prop_recursive(4, 40, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop::sample::select(vec![
                    "kind",
                    "metadata",
                    "name",
                    "namespace",
                    "rules",
                    "verbs",
                    "apiGroups",
                    "resources",
                    "subjects",
                    "roleRef",
                    "items",
                    "aggregationRule",
                    "clusterRoleSelectors",
                    "matchLabels",
                    "labels",
                    "spec"
                ])
                .prop_map(String::from),
                inner,
                0..5,
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}
