//! 5.1: RBAC. Requests are decided by kspect-rbac's authorizer (the API server's RBAC
//! rules: aggregation, wildcards, subresources, ServiceAccount subjects), and every
//! grant points at the binding subject that carries it.

use kspect_rbac::{Attributes, BindingKind, BindingObject, Request, ResourceAttributes, UserInfo};
use serde_json::Value;

use super::{ClusterObjects, Hit, PolicyVerdict, decide, kube_bench_lines, undecided};
use crate::result::Status;

const MANUAL: Status = Status::Warn;

/// `kubernetes.io/bootstrapping: rbac-defaults`: the API server's own roles and bindings.
fn is_bootstrap(labels: &std::collections::BTreeMap<String, String>) -> bool {
    labels
        .get("kubernetes.io/bootstrapping")
        .map(String::as_str)
        == Some("rbac-defaults")
}

/// A binding Kubernetes or kubeadm creates and that still names only system
/// identities: the API server's bootstrap bindings and kubeadm's `kubeadm:*` ones
/// (`kubeadm:cluster-admins` is how admin.conf is authorized since kubeadm 1.29).
fn is_default_binding(b: &BindingObject<usize>) -> bool {
    let system_name = is_bootstrap(&b.meta.labels)
        || b.meta.name.starts_with("system:")
        || b.meta.name.starts_with("kubeadm:");
    system_name
        && b.subjects.iter().all(|s| match s.kind.as_str() {
            "ServiceAccount" => {
                let ns = if s.namespace.is_empty() {
                    b.meta.namespace.as_str()
                } else {
                    s.namespace.as_str()
                };
                ns == "kube-system"
            }
            _ => s.name.starts_with("system:") || s.name.starts_with("kubeadm:"),
        })
}

fn subjects_text(b: &BindingObject<usize>) -> String {
    if b.subjects.is_empty() {
        return "no subject".into();
    }
    b.subjects
        .iter()
        .map(|s| s.describe(&b.meta.namespace))
        .collect::<Vec<_>>()
        .join(", ")
}

fn binding_hit(objects: &ClusterObjects, b: &BindingObject<usize>, detail: String) -> Option<Hit> {
    let o = objects.object(b.source.handle)?;
    let ptr = format!("{}/subjects", b.source.pointer);
    Some(Hit::at(o, &ptr, detail))
}

fn no_bindings() -> PolicyVerdict {
    undecided(
        "the objects given hold no RoleBinding or ClusterRoleBinding, so who is granted what cannot be decided",
        MANUAL,
        "",
    )
}

/// 5.1.1: bindings of the cluster-admin ClusterRole beyond the defaults.
pub(super) fn cluster_admin(objects: &ClusterObjects) -> PolicyVerdict {
    let bindings = objects.rbac.bindings();
    // kube-bench: every ClusterRoleBinding not named cluster-admin whose roleRef name
    // is cluster-admin is non-compliant (no output at all fails the test too).
    let kb = kube_bench_lines(
        bindings
            .iter()
            .filter(|b| b.kind == BindingKind::ClusterRoleBinding)
            .map(|b| !(b.meta.name != "cluster-admin" && b.role_ref.name == "cluster-admin")),
    );
    if bindings.is_empty() {
        return no_bindings();
    }
    let mut bad = Vec::new();
    let mut also = Vec::new();
    for b in bindings {
        if b.role_ref.kind != "ClusterRole" || b.role_ref.name != "cluster-admin" {
            continue;
        }
        let detail = format!(
            "binds ClusterRole cluster-admin to {}{}",
            subjects_text(b),
            if b.kind == BindingKind::RoleBinding {
                format!(" (all rights in namespace {})", b.meta.namespace)
            } else {
                String::new()
            }
        );
        let hit = binding_hit(objects, b, detail);
        if is_default_binding(b) {
            also.extend(hit.map(|mut h| {
                h.text.push_str(" (a Kubernetes or kubeadm default)");
                h
            }));
        } else {
            bad.extend(hit);
        }
    }
    decide(
        bad,
        "cluster-admin is bound only by the default bindings",
        also,
        kb,
        "kspect accepts the bootstrap cluster-admin binding and kubeadm's kubeadm:cluster-admins binding while they name only system identities, and also counts RoleBindings of cluster-admin; kube-bench flags every ClusterRoleBinding of cluster-admin not named cluster-admin, including kubeadm's, whatever its subjects",
    )
}

/// What 5.1.2 and 5.1.4 ask of broad groups.
#[derive(Debug, Clone, Copy)]
pub(super) enum Broad {
    /// get/list/watch secrets.
    Secrets,
    /// create pods.
    CreatePods,
}

/// 5.1.2 / 5.1.4: what every authenticated user, every anonymous request or every
/// service account may do.
pub(super) fn broad_access(objects: &ClusterObjects, what: Broad) -> PolicyVerdict {
    let model = &objects.rbac;
    let (verbs, resource, kb_verb): (&[&str], &str, &str) = match what {
        Broad::Secrets => (&["get", "list", "watch"], "secrets", "get,list,watch"),
        Broad::CreatePods => (&["create"], "pods", "create"),
    };
    // kube-bench: `kubectl auth can-i VERB RESOURCE --all-namespaces
    // --as=system:authenticated`. For 5.1.2 the verb is the single string
    // "get,list,watch", which only a `*` verb matches.
    let kb_request = Request::resource(
        UserInfo::impersonated("system:authenticated", &[]),
        ResourceAttributes {
            verb: kb_verb.into(),
            resource: resource.into(),
            ..Default::default()
        },
    );
    let kb = if model.allows(&kb_request) {
        Status::Warn
    } else {
        Status::Pass
    };
    if model.bindings().is_empty() {
        return no_bindings();
    }
    let mut who: Vec<(String, UserInfo)> = vec![
        (
            "every authenticated user".into(),
            UserInfo::new("kspect:any-user", ["system:authenticated"]),
        ),
        (
            "anonymous requests".into(),
            UserInfo::new("system:anonymous", ["system:unauthenticated"]),
        ),
        (
            "every service account".into(),
            UserInfo::new(
                "kspect:any-service-account",
                ["system:serviceaccounts", "system:authenticated"],
            ),
        ),
    ];
    let namespaces: Vec<String> = model.binding_namespaces().map(str::to_string).collect();
    for ns in &namespaces {
        who.push((
            format!("every service account of {ns}"),
            UserInfo::new(
                "kspect:any-service-account",
                [
                    "system:serviceaccounts".to_string(),
                    format!("system:serviceaccounts:{ns}"),
                    "system:authenticated".to_string(),
                ],
            ),
        ));
    }
    let mut scopes: Vec<&str> = vec![""];
    scopes.extend(namespaces.iter().map(String::as_str));
    // One entry per binding subject, with every verb it grants.
    let mut found: Vec<(String, kspect_rbac::Grant, Vec<&str>)> = Vec::new();
    for (label, user) in &who {
        for ns in &scopes {
            for verb in verbs {
                let req = Request::resource(
                    user.clone(),
                    ResourceAttributes {
                        namespace: (*ns).to_string(),
                        verb: (*verb).to_string(),
                        resource: resource.into(),
                        ..Default::default()
                    },
                );
                for g in model.authorize(&req).grants {
                    // The broadest identity (asked first) names the grant.
                    let same = |(_, f, _): &&mut (String, kspect_rbac::Grant, Vec<&str>)| {
                        f.binding == g.binding && f.subject_index == g.subject_index
                    };
                    match found.iter_mut().find(|e| same(e)) {
                        Some((_, _, vs)) if !vs.contains(verb) => vs.push(verb),
                        Some(_) => {}
                        None => found.push((label.clone(), g, vec![verb])),
                    }
                }
            }
        }
    }
    let mut bad = Vec::new();
    for (label, g, vs) in found {
        let Some(b) = model.binding(g.binding) else {
            continue;
        };
        let place = if b.kind == BindingKind::ClusterRoleBinding {
            "in every namespace".to_string()
        } else {
            format!("in namespace {}", b.meta.namespace)
        };
        bad.extend(binding_hit(
            objects,
            b,
            format!(
                "{label} can {} {resource} {place} ({})",
                vs.join("/"),
                model.describe_grant(&g)
            ),
        ));
    }
    decide(
        bad,
        format!(
            "no binding lets every authenticated user, anonymous requests or every service account {} {resource}",
            verbs.join("/")
        ),
        Vec::new(),
        kb,
        match what {
            Broad::Secrets => {
                "kspect asks for get, list and watch one by one, for all authenticated users, anonymous requests and every service account, in every namespace; kube-bench asks `can-i get,list,watch` as one verb (only a `*` verb matches it) for system:authenticated across all namespaces only"
            }
            Broad::CreatePods => {
                "kspect asks for all authenticated users, anonymous requests and every service account, in every namespace; kube-bench asks for system:authenticated across all namespaces only (ClusterRoleBindings)"
            }
        },
    )
}

fn is_wildcard(s: &str) -> bool {
    s == "*" || s.starts_with("*/")
}

/// 5.1.3: `*` in the rules of Roles and ClusterRoles.
pub(super) fn wildcards(objects: &ClusterObjects) -> PolicyVerdict {
    let roles: Vec<_> = objects
        .of_kind("Role")
        .chain(objects.of_kind("ClusterRole"))
        .collect();
    // kube-bench: the compact JSON of `.rules` contains `["*"]`.
    let kb = kube_bench_lines(roles.iter().map(|o| {
        let rules = o.get("/rules").cloned().unwrap_or(Value::Null);
        !serde_json::to_string(&rules)
            .unwrap_or_default()
            .contains("[\"*\"]")
    }));
    if roles.is_empty() {
        return undecided("the objects given hold no Role or ClusterRole", kb, "");
    }
    let mut bad = Vec::new();
    let mut also = Vec::new();
    for o in roles {
        let Some(rules) = o.get("/rules").and_then(Value::as_array) else {
            continue;
        };
        let bootstrap = o
            .labels()
            .any(|(k, v)| k == "kubernetes.io/bootstrapping" && v == "rbac-defaults");
        for (i, rule) in rules.iter().enumerate() {
            let mut fields = Vec::new();
            for key in ["apiGroups", "resources", "verbs", "nonResourceURLs"] {
                let stars: Vec<&str> = rule
                    .get(key)
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(Value::as_str)
                            .filter(|s| is_wildcard(s))
                            .collect()
                    })
                    .unwrap_or_default();
                if !stars.is_empty() {
                    fields.push(format!("{key} {}", stars.join(",")));
                }
            }
            if fields.is_empty() {
                continue;
            }
            let hit = Hit::at(
                o,
                &format!("/rules/{i}"),
                format!("rule {i} uses {}", fields.join(", ")),
            );
            if bootstrap {
                also.push(Hit {
                    text: format!("{} (a Kubernetes default role)", hit.text),
                    ..hit
                });
            } else {
                bad.push(hit);
            }
        }
    }
    decide(
        bad,
        "no Role or ClusterRole outside the Kubernetes defaults uses a wildcard",
        also,
        kb,
        "kspect counts `*` anywhere in apiGroups, resources (also `*/sub`), verbs or nonResourceURLs, and leaves out the Kubernetes default roles (label kubernetes.io/bootstrapping=rbac-defaults, e.g. cluster-admin); kube-bench only looks for the exact text [\"*\"] and flags cluster-admin itself",
    )
}

/// 5.1.7: bindings that name the system:masters group.
pub(super) fn system_masters(objects: &ClusterObjects) -> PolicyVerdict {
    let bindings = objects.rbac.bindings();
    if bindings.is_empty() {
        return no_bindings();
    }
    let mut bad = Vec::new();
    for b in bindings {
        if is_default_binding(b) {
            continue;
        }
        if b.subjects
            .iter()
            .any(|s| s.kind == "Group" && s.name == "system:masters")
        {
            bad.extend(binding_hit(
                objects,
                b,
                format!(
                    "names Group system:masters (bound to {} {})",
                    b.role_ref.kind, b.role_ref.name
                ),
            ));
        }
    }
    if bad.is_empty() {
        return undecided(
            "no binding beyond the defaults names system:masters; client certificates issued with O=system:masters are not Kubernetes objects and cannot be seen here",
            MANUAL,
            "membership of system:masters comes from client certificates, which no object shows",
        );
    }
    decide(
        bad,
        "",
        Vec::new(),
        MANUAL,
        "kube-bench marks this check manual; kspect fails it when a binding beyond the defaults names system:masters (a group that bypasses RBAC entirely)",
    )
}

/// The permissions 5.1.8 - 5.1.13 ask to limit.
#[derive(Debug, Clone, Copy)]
pub(super) enum Sensitive {
    /// 5.1.8.
    BindEscalateImpersonate,
    /// 5.1.9.
    CreatePersistentVolumes,
    /// 5.1.10.
    NodesProxy,
    /// 5.1.11.
    CsrApproval,
    /// 5.1.12.
    Webhooks,
    /// 5.1.13.
    TokenCreate,
}

/// (verb, group, resource, subresource, cluster-scoped)
type Probe = (&'static str, &'static str, &'static str, &'static str, bool);

fn probes(what: Sensitive) -> &'static [Probe] {
    const RBAC: &str = "rbac.authorization.k8s.io";
    const ADM: &str = "admissionregistration.k8s.io";
    match what {
        Sensitive::BindEscalateImpersonate => &[
            ("bind", RBAC, "clusterroles", "", true),
            ("bind", RBAC, "roles", "", false),
            ("escalate", RBAC, "clusterroles", "", true),
            ("escalate", RBAC, "roles", "", false),
            ("impersonate", "", "users", "", true),
            ("impersonate", "", "groups", "", true),
            ("impersonate", "", "serviceaccounts", "", false),
        ],
        Sensitive::CreatePersistentVolumes => &[("create", "", "persistentvolumes", "", true)],
        Sensitive::NodesProxy => &[
            ("get", "", "nodes", "proxy", true),
            ("create", "", "nodes", "proxy", true),
        ],
        Sensitive::CsrApproval => &[
            (
                "update",
                "certificates.k8s.io",
                "certificatesigningrequests",
                "approval",
                true,
            ),
            (
                "patch",
                "certificates.k8s.io",
                "certificatesigningrequests",
                "approval",
                true,
            ),
        ],
        Sensitive::Webhooks => &[
            ("create", ADM, "validatingwebhookconfigurations", "", true),
            ("update", ADM, "validatingwebhookconfigurations", "", true),
            ("patch", ADM, "validatingwebhookconfigurations", "", true),
            ("delete", ADM, "validatingwebhookconfigurations", "", true),
            ("create", ADM, "mutatingwebhookconfigurations", "", true),
            ("update", ADM, "mutatingwebhookconfigurations", "", true),
            ("patch", ADM, "mutatingwebhookconfigurations", "", true),
            ("delete", ADM, "mutatingwebhookconfigurations", "", true),
        ],
        Sensitive::TokenCreate => &[("create", "", "serviceaccounts", "token", false)],
    }
}

/// 5.1.8 - 5.1.13: bindings beyond the defaults that grant a sensitive permission.
pub(super) fn sensitive(objects: &ClusterObjects, what: Sensitive) -> PolicyVerdict {
    let model = &objects.rbac;
    if model.bindings().is_empty() {
        return no_bindings();
    }
    let mut bad = Vec::new();
    let mut also = Vec::new();
    for (i, b) in model.bindings().iter().enumerate() {
        let rules = model.binding_rules(kspect_rbac::BindingId(i));
        let granted: Vec<String> = probes(what)
            .iter()
            .filter(|(_, _, _, _, cluster)| !*cluster || b.kind == BindingKind::ClusterRoleBinding)
            .filter(|(verb, group, resource, sub, _)| {
                let attrs = Attributes::Resource(ResourceAttributes {
                    verb: (*verb).into(),
                    group: (*group).into(),
                    resource: (*resource).into(),
                    subresource: (*sub).into(),
                    ..Default::default()
                });
                rules.iter().any(|r| attrs.allowed_by(r))
            })
            .map(|(verb, _, resource, sub, _)| {
                if sub.is_empty() {
                    format!("{verb} {resource}")
                } else {
                    format!("{verb} {resource}/{sub}")
                }
            })
            .collect();
        if granted.is_empty() || b.subjects.is_empty() {
            continue;
        }
        let hit = binding_hit(
            objects,
            b,
            format!(
                "{} {} gives {} to {}",
                b.role_ref.kind,
                b.role_ref.name,
                granted.join(", "),
                subjects_text(b)
            ),
        );
        if is_default_binding(b) {
            also.extend(hit.map(|mut h| {
                h.text.push_str(" (a Kubernetes or kubeadm default)");
                h
            }));
        } else {
            bad.extend(hit);
        }
    }
    decide(
        bad,
        "only the Kubernetes and kubeadm default bindings grant it",
        also,
        MANUAL,
        "kube-bench marks this check manual; kspect evaluates every binding's (aggregated) rules as the RBAC authorizer does and fails when a binding beyond the Kubernetes and kubeadm defaults grants the permission",
    )
}
