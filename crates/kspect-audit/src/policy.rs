//! Audit Policy analysis: the API server's first-match evaluation, reproduced
//! (`k8s.io/apiserver/pkg/audit/policy/checker.go`), and findings about what a policy
//! leaks, misses, shadows or misspells.

use kspect_core::span::SpanIndex;
use serde::Serialize;
use serde_json::Value as Json;

/// An audit level, least to most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Level {
    /// Nothing logged.
    None,
    /// Metadata only.
    Metadata,
    /// Metadata and the request body.
    Request,
    /// Metadata and both bodies.
    RequestResponse,
}

impl Level {
    fn parse(s: &str) -> Option<Level> {
        Some(match s {
            "None" => Level::None,
            "Metadata" => Level::Metadata,
            "Request" => Level::Request,
            "RequestResponse" => Level::RequestResponse,
            _ => return None,
        })
    }

    /// The name as written in policies.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::None => "None",
            Level::Metadata => "Metadata",
            Level::Request => "Request",
            Level::RequestResponse => "RequestResponse",
        }
    }
}

/// One `resources` entry of a rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupResources {
    /// API group (`""` core).
    pub group: String,
    /// Resources (`pods`, `pods/exec`, `*`, `pods/*`, `*/status`).
    pub resources: Vec<String>,
    /// Resource names.
    pub resource_names: Vec<String>,
    /// Line of the entry.
    pub line: u32,
}

/// One policy rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyRule {
    /// Position, from 1.
    pub index: usize,
    /// Line of the rule.
    pub line: u32,
    /// Level.
    pub level: Option<Level>,
    /// `users`.
    pub users: Vec<String>,
    /// `userGroups`.
    pub user_groups: Vec<String>,
    /// `verbs`.
    pub verbs: Vec<String>,
    /// `resources`.
    pub resources: Vec<GroupResources>,
    /// `namespaces`.
    pub namespaces: Vec<String>,
    /// `nonResourceURLs`.
    pub non_resource_urls: Vec<String>,
}

/// A parsed policy.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// Rules in order.
    pub rules: Vec<PolicyRule>,
    /// Problems found while reading (unknown keys, bad levels), as findings.
    pub read_findings: Vec<PolicyFinding>,
}

/// A request to evaluate a policy on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Request {
    /// User name.
    pub user: String,
    /// Groups.
    pub groups: Vec<String>,
    /// Verb.
    pub verb: String,
    /// `Some` for resource requests.
    pub resource: Option<ResourceAttrs>,
    /// Path for non-resource requests.
    pub path: String,
}

/// The resource side of a request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResourceAttrs {
    /// API group.
    pub group: String,
    /// Resource.
    pub resource: String,
    /// Subresource.
    pub subresource: String,
    /// Namespace (`""` cluster-scoped).
    pub namespace: String,
    /// Name.
    pub name: String,
}

/// A finding about a policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyFinding {
    /// Id (`KAP001`).
    pub id: &'static str,
    /// `high`, `medium`, `low`.
    pub severity: &'static str,
    /// Line.
    pub line: u32,
    /// What is wrong.
    pub message: String,
}

/// Why a policy could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// Not YAML.
    #[error("line {line}: {message}")]
    Yaml {
        /// Line.
        line: u32,
        /// Message.
        message: String,
    },
    /// Not a Policy.
    #[error("not an audit Policy: {0}")]
    NotPolicy(String),
}

const RULE_KEYS: &[&str] = &[
    "level",
    "users",
    "userGroups",
    "verbs",
    "resources",
    "namespaces",
    "nonResourceURLs",
    "omitStages",
    "omitManagedFields",
];
const GR_KEYS: &[&str] = &["group", "resources", "resourceNames"];
const TOP_KEYS: &[&str] = &[
    "apiVersion",
    "kind",
    "metadata",
    "rules",
    "omitStages",
    "omitManagedFields",
];

fn strings(v: Option<&Json>) -> Vec<String> {
    v.and_then(Json::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

impl Policy {
    /// Parses a policy document.
    pub fn parse(text: &str) -> Result<Policy, PolicyError> {
        let doc = kspect_core::yaml::parse_document(text, 0)
            .map_err(|e| PolicyError::Yaml {
                line: e.pos.line,
                message: e.message,
            })?
            .ok_or_else(|| PolicyError::NotPolicy("empty document".into()))?;
        let idx = &doc.index;
        let line = |ptr: &str| idx.get(ptr).map_or(0, |p| p.line);
        let v = &doc.value;
        if v.get("kind").and_then(Json::as_str) != Some("Policy") {
            return Err(PolicyError::NotPolicy("kind is not Policy".into()));
        }
        let mut pol = Policy::default();
        unknown_keys(v, TOP_KEYS, "", idx, "the policy", &mut pol.read_findings);
        for (i, r) in v
            .get("rules")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let ptr = format!("/rules/{i}");
            let what = format!("rule #{}", i + 1);
            unknown_keys(r, RULE_KEYS, &ptr, idx, &what, &mut pol.read_findings);
            let level_text = r.get("level").and_then(Json::as_str).unwrap_or("");
            let level = Level::parse(level_text);
            if level.is_none() {
                pol.read_findings.push(PolicyFinding {
                    id: "KAP005",
                    severity: "high",
                    line: line(&ptr),
                    message: format!("{what} has no valid level (`{level_text}`); the API server refuses this policy"),
                });
            }
            let mut resources = Vec::new();
            for (j, gr) in r
                .get("resources")
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                let gptr = format!("{ptr}/resources/{j}");
                unknown_keys(
                    gr,
                    GR_KEYS,
                    &gptr,
                    idx,
                    &format!("{what}, resources entry {}", j + 1),
                    &mut pol.read_findings,
                );
                resources.push(GroupResources {
                    group: gr
                        .get("group")
                        .and_then(Json::as_str)
                        .unwrap_or("")
                        .to_string(),
                    resources: strings(gr.get("resources")),
                    resource_names: strings(gr.get("resourceNames")),
                    line: line(&gptr),
                });
            }
            pol.rules.push(PolicyRule {
                index: i + 1,
                line: line(&ptr),
                level,
                users: strings(r.get("users")),
                user_groups: strings(r.get("userGroups")),
                verbs: strings(r.get("verbs")),
                resources,
                namespaces: strings(r.get("namespaces")),
                non_resource_urls: strings(r.get("nonResourceURLs")),
            });
        }
        Ok(pol)
    }

    /// The level a request is logged at, and the rule that decided (first match wins;
    /// no match is `None`).
    pub fn evaluate(&self, req: &Request) -> (Level, Option<&PolicyRule>) {
        for r in &self.rules {
            if rule_matches(r, req) {
                return (r.level.unwrap_or(Level::None), Some(r));
            }
        }
        (Level::None, None)
    }
}

fn unknown_keys(
    v: &Json,
    allowed: &[&str],
    ptr: &str,
    idx: &SpanIndex,
    what: &str,
    out: &mut Vec<PolicyFinding>,
) {
    let Some(m) = v.as_object() else { return };
    for k in m.keys() {
        if !allowed.contains(&k.as_str()) {
            let kp = format!("{ptr}/{}", k.replace('~', "~0").replace('/', "~1"));
            let near = allowed
                .iter()
                .find(|a| a.starts_with(k.as_str()) || k.starts_with(**a))
                .map(|a| format!(" (did you mean `{a}`?)"))
                .unwrap_or_default();
            let effect = if allowed.contains(&"resourceNames") && k == "resource" {
                "; without `resources` the entry matches every resource of its group"
            } else {
                "; the API server ignores it silently"
            };
            out.push(PolicyFinding {
                id: "KAP005",
                severity: "high",
                line: idx.get(&kp).map_or(0, |p| p.line),
                message: format!("unknown key `{k}` in {what}{near}{effect}"),
            });
        }
    }
}

fn has(list: &[String], s: &str) -> bool {
    list.iter().any(|x| x == s)
}

fn path_matches(path: &str, spec: &str) -> bool {
    spec == "*"
        || spec == path
        || (spec.ends_with('*') && path.starts_with(spec.trim_end_matches('*')))
}

/// The upstream `ruleMatches`.
pub fn rule_matches(r: &PolicyRule, req: &Request) -> bool {
    if !r.users.is_empty() && !has(&r.users, &req.user) {
        return false;
    }
    if !r.user_groups.is_empty() && !req.groups.iter().any(|g| has(&r.user_groups, g)) {
        return false;
    }
    if !r.verbs.is_empty() && !has(&r.verbs, &req.verb) {
        return false;
    }
    if !r.namespaces.is_empty() || !r.resources.is_empty() {
        let Some(a) = &req.resource else { return false };
        if !r.namespaces.is_empty() && !has(&r.namespaces, &a.namespace) {
            return false;
        }
        if r.resources.is_empty() {
            return true;
        }
        let combined = if a.subresource.is_empty() {
            a.resource.clone()
        } else {
            format!("{}/{}", a.resource, a.subresource)
        };
        for gr in &r.resources {
            if gr.group != a.group {
                continue;
            }
            if gr.resources.is_empty() {
                return true;
            }
            for res in &gr.resources {
                if !gr.resource_names.is_empty() && !has(&gr.resource_names, &a.name) {
                    continue;
                }
                if *res == combined || res == "*" {
                    return true;
                }
                if !a.subresource.is_empty()
                    && res.strip_prefix("*/") == Some(a.subresource.as_str())
                {
                    return true;
                }
                if res.strip_suffix("/*") == Some(a.resource.as_str()) {
                    return true;
                }
            }
        }
        return false;
    }
    if !r.non_resource_urls.is_empty() {
        if req.resource.is_some() {
            return false;
        }
        return r
            .non_resource_urls
            .iter()
            .any(|s| path_matches(&req.path, s));
    }
    true
}

fn list_covers(outer: &[String], inner: &[String]) -> bool {
    outer.is_empty() || (!inner.is_empty() && inner.iter().all(|x| has(outer, x)))
}

fn res_covers(outer: &str, inner: &str) -> bool {
    if outer == inner || outer == "*" {
        return true;
    }
    let (ib, isub) = inner
        .split_once('/')
        .map_or((inner, None), |(b, s)| (b, Some(s)));
    if let Some(base) = outer.strip_suffix("/*") {
        return ib == base && isub.is_some();
    }
    if let Some(sub) = outer.strip_prefix("*/") {
        return isub == Some(sub) && sub != "*";
    }
    false
}

fn gr_covers(outer: &[GroupResources], g: &GroupResources) -> bool {
    outer.iter().any(|o| {
        if o.group != g.group {
            return false;
        }
        if o.resources.is_empty() {
            return true;
        }
        if g.resources.is_empty() {
            return o.resource_names.is_empty() && has(&o.resources, "*");
        }
        list_covers(&o.resource_names, &g.resource_names)
            && g.resources
                .iter()
                .all(|r| o.resources.iter().any(|x| res_covers(x, r)))
    })
}

/// Whether every request `later` matches is matched by `earlier` (so `later` never
/// decides anything).
pub fn covers(earlier: &PolicyRule, later: &PolicyRule) -> bool {
    if !list_covers(&earlier.users, &later.users)
        || !list_covers(&earlier.user_groups, &later.user_groups)
        || !list_covers(&earlier.verbs, &later.verbs)
    {
        return false;
    }
    let e_res = !earlier.namespaces.is_empty() || !earlier.resources.is_empty();
    let l_res = !later.namespaces.is_empty() || !later.resources.is_empty();
    if e_res {
        if !l_res {
            return false;
        }
        if !list_covers(&earlier.namespaces, &later.namespaces) {
            return false;
        }
        if earlier.resources.is_empty() {
            return true;
        }
        return !later.resources.is_empty()
            && later
                .resources
                .iter()
                .all(|g| gr_covers(&earlier.resources, g));
    }
    if !earlier.non_resource_urls.is_empty() {
        if l_res || later.non_resource_urls.is_empty() {
            return false;
        }
        return later.non_resource_urls.iter().all(|u| {
            earlier.non_resource_urls.iter().any(|e| {
                e == "*" || e == u || (e.ends_with('*') && u.starts_with(e.trim_end_matches('*')))
            })
        });
    }
    true
}

/// Where well-known resources live; a resource listed under any other group never matches.
const KNOWN_GROUPS: &[(&str, &[&str])] = &[
    ("pods", &[""]),
    ("secrets", &[""]),
    ("configmaps", &[""]),
    ("services", &[""]),
    ("serviceaccounts", &[""]),
    ("nodes", &[""]),
    ("namespaces", &[""]),
    ("endpoints", &[""]),
    ("persistentvolumes", &[""]),
    ("persistentvolumeclaims", &[""]),
    ("replicationcontrollers", &[""]),
    ("limitranges", &[""]),
    ("resourcequotas", &[""]),
    ("podtemplates", &[""]),
    ("deployments", &["apps", "extensions"]),
    ("daemonsets", &["apps", "extensions"]),
    ("replicasets", &["apps", "extensions"]),
    ("statefulsets", &["apps"]),
    ("controllerrevisions", &["apps"]),
    ("jobs", &["batch"]),
    ("cronjobs", &["batch"]),
    ("roles", &["rbac.authorization.k8s.io"]),
    ("rolebindings", &["rbac.authorization.k8s.io"]),
    ("clusterroles", &["rbac.authorization.k8s.io"]),
    ("clusterrolebindings", &["rbac.authorization.k8s.io"]),
    ("ingresses", &["networking.k8s.io", "extensions"]),
    ("networkpolicies", &["networking.k8s.io", "extensions"]),
    ("tokenreviews", &["authentication.k8s.io"]),
    ("subjectaccessreviews", &["authorization.k8s.io"]),
    ("selfsubjectaccessreviews", &["authorization.k8s.io"]),
    ("selfsubjectrulesreviews", &["authorization.k8s.io"]),
    ("localsubjectaccessreviews", &["authorization.k8s.io"]),
    ("certificatesigningrequests", &["certificates.k8s.io"]),
    (
        "mutatingwebhookconfigurations",
        &["admissionregistration.k8s.io"],
    ),
    (
        "validatingwebhookconfigurations",
        &["admissionregistration.k8s.io"],
    ),
    ("customresourcedefinitions", &["apiextensions.k8s.io"]),
    ("leases", &["coordination.k8s.io"]),
    ("storageclasses", &["storage.k8s.io"]),
    ("poddisruptionbudgets", &["policy"]),
    ("podsecuritypolicies", &["policy", "extensions"]),
];

fn alice() -> (String, Vec<String>) {
    ("alice".into(), vec!["system:authenticated".into()])
}

fn res_req(verb: &str, group: &str, resource: &str, sub: &str, ns: &str, name: &str) -> Request {
    let (user, groups) = alice();
    Request {
        user,
        groups,
        verb: verb.into(),
        resource: Some(ResourceAttrs {
            group: group.into(),
            resource: resource.into(),
            subresource: sub.into(),
            namespace: ns.into(),
            name: name.into(),
        }),
        path: String::new(),
    }
}

/// Analyses a policy.
pub fn analyze(p: &Policy) -> Vec<PolicyFinding> {
    let mut out = p.read_findings.clone();
    // With no matching rule, point at the end of the rules, where a catch-all belongs.
    let end_line = p.rules.last().map_or(1, |r| r.line);
    let rule_line = |r: Option<&PolicyRule>| r.map_or(end_line, |r| r.line);
    let rule_name = |r: Option<&PolicyRule>| {
        r.map_or("no rule (implicit None)".to_string(), |r| {
            format!("rule #{}", r.index)
        })
    };

    // KAP001: contents of sensitive objects written to the log.
    let sensitive = [
        ("", "secrets", "", "Secret values"),
        (
            "",
            "configmaps",
            "",
            "ConfigMap contents (often credentials)",
        ),
        (
            "authentication.k8s.io",
            "tokenreviews",
            "",
            "bearer tokens under review",
        ),
        (
            "",
            "serviceaccounts",
            "token",
            "issued service-account tokens",
        ),
    ];
    let mut leaked = std::collections::BTreeSet::new();
    for (g, r, sub, what) in sensitive {
        for verb in [
            "get", "list", "watch", "create", "update", "patch", "delete",
        ] {
            for ns in ["default", "kube-system"] {
                let req = res_req(verb, g, r, sub, ns, "x");
                let (lvl, rule) = p.evaluate(&req);
                if lvl >= Level::Request && leaked.insert((r, rule.map(|x| x.index))) {
                    let full = if sub.is_empty() {
                        r.to_string()
                    } else {
                        format!("{r}/{sub}")
                    };
                    out.push(PolicyFinding {
                        id: "KAP001",
                        severity: "high",
                        line: rule_line(rule),
                        message: format!("{full} are logged at {} by {} (e.g. `{verb}` in {ns}): {what} end up in the audit log; log them at Metadata", lvl.as_str(), rule_name(rule)),
                    });
                }
            }
        }
    }
    // KAP002: sensitive actions not logged at all.
    let must_log = [
        ("create", "", "pods", "exec", "default", "exec into pods"),
        ("create", "", "pods", "attach", "default", "attach to pods"),
        (
            "create",
            "",
            "pods",
            "portforward",
            "default",
            "port-forward to pods",
        ),
        ("get", "", "secrets", "", "default", "secret reads"),
        (
            "create",
            "rbac.authorization.k8s.io",
            "clusterrolebindings",
            "",
            "",
            "ClusterRoleBinding changes",
        ),
        (
            "create",
            "rbac.authorization.k8s.io",
            "rolebindings",
            "",
            "default",
            "RoleBinding changes",
        ),
        (
            "update",
            "rbac.authorization.k8s.io",
            "clusterroles",
            "",
            "",
            "ClusterRole changes",
        ),
        ("create", "", "pods", "", "default", "pod creation"),
        (
            "create",
            "apps",
            "deployments",
            "",
            "default",
            "Deployment creation",
        ),
        (
            "create",
            "",
            "serviceaccounts",
            "token",
            "default",
            "service-account token requests",
        ),
    ];
    for (verb, g, r, sub, ns, what) in must_log {
        let (lvl, rule) = p.evaluate(&res_req(verb, g, r, sub, ns, "x"));
        if lvl == Level::None {
            out.push(PolicyFinding {
                id: "KAP002",
                severity: "high",
                line: rule_line(rule),
                message: format!(
                    "{what} are not audited: `{verb} {}{}` gets level None from {}",
                    r,
                    if sub.is_empty() {
                        String::new()
                    } else {
                        format!("/{sub}")
                    },
                    rule_name(rule)
                ),
            });
        }
    }
    // KAP003: shadowed rules.
    for (j, later) in p.rules.iter().enumerate() {
        if let Some(earlier) = p.rules[..j].iter().find(|e| covers(e, later)) {
            out.push(PolicyFinding {
                id: "KAP003",
                severity: "medium",
                line: later.line,
                message: format!("rule #{} never applies: rule #{} (line {}) matches every request it matches, and the first match wins", later.index, earlier.index, earlier.line),
            });
        }
    }
    // KAP004: no catch-all.
    let catch_all = |r: &PolicyRule| {
        r.users.is_empty()
            && r.user_groups.is_empty()
            && r.verbs.is_empty()
            && r.resources.is_empty()
            && r.namespaces.is_empty()
            && r.non_resource_urls.is_empty()
    };
    if !p.rules.iter().any(catch_all) {
        out.push(PolicyFinding {
            id: "KAP004",
            severity: "medium",
            line: p.rules.last().map_or(1, |r| r.line),
            message: "no catch-all rule: requests no rule matches are not logged at all (end with `- level: Metadata`)".into(),
        });
    }
    // KAP006: resources under the wrong group.
    for r in &p.rules {
        for gr in &r.resources {
            for res in &gr.resources {
                let base = res.split('/').next().unwrap_or(res);
                if let Some((_, groups)) = KNOWN_GROUPS.iter().find(|(n, _)| *n == base) {
                    if !groups.contains(&gr.group.as_str()) {
                        out.push(PolicyFinding {
                            id: "KAP006",
                            severity: "medium",
                            line: gr.line,
                            message: format!("`{res}` listed under group \"{}\" in rule #{}: it lives in {}, so this entry never matches", gr.group, r.index, groups.iter().map(|g| format!("\"{g}\"")).collect::<Vec<_>>().join(" or ")),
                        });
                    }
                }
            }
        }
    }
    out.sort_by_key(|f| f.line);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(y: &str) -> PolicyRule {
        let p = Policy::parse(&format!(
            "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n{y}"
        ))
        .unwrap();
        p.rules[0].clone()
    }

    #[test]
    fn resource_wildcards_follow_upstream() {
        let star =
            rule("- level: Metadata\n  resources:\n  - group: \"\"\n    resources: [\"*\"]\n");
        assert!(rule_matches(
            &star,
            &res_req("create", "", "pods", "exec", "default", "x")
        ));
        let pods =
            rule("- level: Metadata\n  resources:\n  - group: \"\"\n    resources: [pods]\n");
        assert!(!rule_matches(
            &pods,
            &res_req("create", "", "pods", "exec", "default", "x")
        ));
        let sub =
            rule("- level: Metadata\n  resources:\n  - group: \"\"\n    resources: [\"*/exec\"]\n");
        assert!(rule_matches(
            &sub,
            &res_req("create", "", "pods", "exec", "default", "x")
        ));
        let api = rule("- level: None\n  nonResourceURLs: [\"/api*\"]\n");
        let req = Request {
            user: "a".into(),
            verb: "get".into(),
            path: "/apis/apps".into(),
            ..Default::default()
        };
        assert!(rule_matches(&api, &req));
    }

    #[test]
    fn misspelled_resource_key_is_reported_with_line() {
        let p = Policy::parse("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n  resources:\n  - group: x.io\n    resource: [a]\n").unwrap();
        let f = analyze(&p);
        let k = f.iter().find(|f| f.id == "KAP005").unwrap();
        assert_eq!(k.line, 7);
        assert!(k.message.contains("`resource`"));
    }

    #[test]
    fn coverage() {
        let all = rule("- level: Metadata\n");
        let sec =
            rule("- level: Request\n  resources:\n  - group: \"\"\n    resources: [secrets]\n");
        assert!(covers(&all, &sec));
        assert!(!covers(&sec, &all));
        let pods_sub =
            rule("- level: Request\n  resources:\n  - group: \"\"\n    resources: [\"pods/*\"]\n");
        let exec = rule(
            "- level: Request\n  resources:\n  - group: \"\"\n    resources: [\"pods/exec\"]\n",
        );
        assert!(covers(&pods_sub, &exec));
        assert!(!covers(&exec, &pods_sub));
    }
}
