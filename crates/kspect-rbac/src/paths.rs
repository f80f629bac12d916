//! Privilege-escalation paths: a breadth-first search over identities, where
//! an edge is one `RISKS.md` primitive that turns the rights of one identity
//! into the rights of another, and the goal is cluster-admin-equivalent power.
//!
//! # Cluster-admin-equivalent
//!
//! An identity is cluster-admin-equivalent when one of these holds (each is
//! decided by the authorizer itself, with probe requests, never by reading
//! rule text):
//!
//! * `system:masters`: its groups contain `system:masters` (R02);
//! * `wildcard`: RBAC allows a request whose verb, API group and resource are
//!   values no rule names, in namespace `""`, so only `*`/`*`/`*` held through a
//!   ClusterRoleBinding matches (R01);
//! * `bind cluster-admin`: `bind` on `clusterroles/cluster-admin` and `create
//!   clusterrolebindings`, both cluster-wide (R14): it binds itself to
//!   `cluster-admin`;
//! * `escalate`: `escalate` plus `update` or `patch` on `clusterroles` of any
//!   name, cluster-wide (R13): those rights come from a ClusterRoleBinding, so
//!   the holder rewrites a ClusterRole it is bound to into `*` on `*`;
//! * `impersonate system:masters`: `impersonate` on `groups/system:masters`
//!   plus `impersonate` on `users` of any name (the API server needs a user
//!   with a group), cluster-wide (R12 → R02);
//! * `csr approval`: `create certificatesigningrequests`, `update
//!   certificatesigningrequests/approval` and `approve` on
//!   `signers/kubernetes.io/kube-apiserver-client`, cluster-wide: it issues a
//!   client certificate with `O=system:masters` (R17 → R02).
//!
//! # Edges (to service accounts and users)
//!
//! * R05 `create serviceaccounts/token` (with the SA's name) → that SA;
//! * R06 create pods or a pod-owning controller in a namespace → every SA of
//!   that namespace (the pod spec picks the SA and mounts its token);
//! * R03 read Secrets of a namespace (any name) → every SA of that namespace
//!   (legacy token Secrets; clusters that no longer create them make this edge
//!   theoretical, it is kept because it is what the catalogue rates);
//! * R12 `impersonate serviceaccounts/NAME` in its namespace, or `impersonate
//!   users/system:serviceaccount:NS:NAME`, → that SA; `impersonate users/U` → U
//!   for the users named in bindings;
//! * R08/R07/R09 exec or attach into, update, or add an ephemeral container to
//!   the pods of a namespace → the SAs whose workloads there mount a token;
//! * R11 `nodes/proxy` (get or create) cluster-wide → the SAs of every workload
//!   that mounts a token (kubelet API exec into any pod).
//!
//! The service accounts "of a namespace" are the ones the inventory knows:
//! ServiceAccount objects, ServiceAccount binding subjects and the accounts
//! workloads run as. Grants limited by `resourceNames` only count where the
//! probe names that object (token requests, impersonation, `cluster-admin`).

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use serde::Serialize;

use crate::model::RbacModel;
use crate::objects::Subject;
use crate::request::{ALL_AUTHENTICATED, Request, ResourceAttributes, SYSTEM_MASTERS, UserInfo};
use crate::risks::catalog::{ANY_GROUP, ANY_RESOURCE, ANY_VERB};
use crate::risks::{is_default_binding, is_system_subject};

/// An identity in the search.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind")]
pub enum Principal {
    /// A user (its groups: `system:authenticated` only).
    User {
        /// User name.
        name: String,
    },
    /// A member of a group (a placeholder user with that group and
    /// `system:authenticated`).
    Group {
        /// Group name.
        name: String,
    },
    /// A service account, with its implied groups.
    ServiceAccount {
        /// Namespace.
        namespace: String,
        /// Name.
        name: String,
    },
}

impl Principal {
    /// The principal a binding subject stands for (`None` for a ServiceAccount
    /// subject without namespace in a ClusterRoleBinding, or unknown kinds).
    pub fn of_subject(subject: &Subject, binding_namespace: &str) -> Option<Principal> {
        match subject.kind.as_str() {
            "User" => Some(Principal::User {
                name: subject.name.clone(),
            }),
            "Group" => Some(Principal::Group {
                name: subject.name.clone(),
            }),
            "ServiceAccount" => {
                let ns = if subject.namespace.is_empty() {
                    binding_namespace
                } else {
                    &subject.namespace
                };
                (!ns.is_empty()).then(|| Principal::ServiceAccount {
                    namespace: ns.to_string(),
                    name: subject.name.clone(),
                })
            }
            _ => None,
        }
    }

    /// Reads `--from`: `system:serviceaccount:NS:NAME`, `serviceaccount:NS/NAME`,
    /// `group:NAME`, `user:NAME`, or a plain user name.
    pub fn parse(text: &str) -> Option<Principal> {
        if let Some((ns, name)) = crate::request::split_service_account_user(text) {
            return Some(Principal::ServiceAccount {
                namespace: ns.into(),
                name: name.into(),
            });
        }
        for prefix in ["serviceaccount:", "sa:"] {
            if let Some(rest) = text.strip_prefix(prefix) {
                let (ns, name) = rest.split_once('/').or_else(|| rest.split_once(':'))?;
                return (!ns.is_empty() && !name.is_empty()).then(|| Principal::ServiceAccount {
                    namespace: ns.into(),
                    name: name.into(),
                });
            }
        }
        if let Some(name) = text.strip_prefix("group:") {
            return (!name.is_empty()).then(|| Principal::Group { name: name.into() });
        }
        let name = text.strip_prefix("user:").unwrap_or(text);
        (!name.is_empty()).then(|| Principal::User { name: name.into() })
    }

    /// The identity the authorizer sees.
    pub fn user_info(&self) -> UserInfo {
        match self {
            Principal::User { name } => UserInfo::impersonated(name, &[]),
            Principal::Group { name } => UserInfo::new(
                format!("kspect:member-of:{name}"),
                [name.clone(), ALL_AUTHENTICATED.to_string()],
            ),
            Principal::ServiceAccount { namespace, name } => {
                UserInfo::service_account(namespace, name)
            }
        }
    }

    /// `User "jane"`, `Group "devs"`, `ServiceAccount "ci/deployer"`.
    pub fn label(&self) -> String {
        match self {
            Principal::User { name } => format!("User \"{name}\""),
            Principal::Group { name } => format!("Group \"{name}\""),
            Principal::ServiceAccount { namespace, name } => {
                format!("ServiceAccount \"{namespace}/{name}\"")
            }
        }
    }
}

/// Where a step leads.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Target {
    /// Another identity.
    Principal(Principal),
    /// Cluster-admin-equivalent power, by the named criterion (see the module docs).
    ClusterAdmin(&'static str),
}

impl Target {
    /// Display text.
    pub fn label(&self) -> String {
        match self {
            Target::Principal(p) => p.label(),
            Target::ClusterAdmin(how) => format!("cluster-admin ({how})"),
        }
    }
}

/// One step of a path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    /// Who acts.
    pub from: Principal,
    /// What it becomes.
    pub to: Target,
    /// `RISKS.md` entry of the primitive (`R06`).
    pub risk: &'static str,
    /// What it does (`create pods in namespace ci`).
    pub action: String,
    /// The grants that allow it, in the API server's wording
    /// (`RoleBinding "x/ns" of ClusterRole "edit" to User "jane"`).
    pub granted_by: Vec<String>,
}

/// A path from a start identity to cluster-admin-equivalent power.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EscalationPath {
    /// Where it starts.
    pub start: Principal,
    /// The steps, the last one reaching [`Target::ClusterAdmin`].
    pub steps: Vec<Step>,
}

/// Options of [`RbacModel::escalation_paths`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PathOptions {
    /// Also start from system identities that only the default (bootstrap)
    /// policy binds.
    pub include_defaults: bool,
}

/// One probe: verb, group, resource, subresource, name, namespace.
type Probe<'a> = (&'a str, &'a str, &'a str, &'a str, &'a str, &'a str);

/// Pod-creating requests (R06): pods and the pod-owning controllers.
const POD_CREATORS: &[(&str, &str)] = &[
    ("", "pods"),
    ("apps", "deployments"),
    ("apps", "daemonsets"),
    ("apps", "statefulsets"),
    ("apps", "replicasets"),
    ("batch", "jobs"),
    ("batch", "cronjobs"),
    ("", "replicationcontrollers"),
];

/// Ways into running pods (R08, R07, R09): verb, subresource.
const POD_ENTRIES: &[(&str, &str, &str)] = &[
    ("create", "exec", "R08"),
    ("get", "exec", "R08"),
    ("create", "attach", "R08"),
    ("get", "attach", "R08"),
    ("patch", "", "R07"),
    ("update", "", "R07"),
    ("patch", "ephemeralcontainers", "R09"),
    ("update", "ephemeralcontainers", "R09"),
];

const RBAC: &str = "rbac.authorization.k8s.io";
const CERTS: &str = "certificates.k8s.io";

/// The search graph: the service accounts per namespace and, per principal,
/// its outgoing steps (computed once, on first visit).
struct Graph<'m, S> {
    model: &'m RbacModel<S>,
    /// Service accounts per namespace.
    accounts: BTreeMap<String, BTreeSet<String>>,
    /// Service accounts whose workloads mount a token, per namespace.
    running: BTreeMap<String, BTreeSet<String>>,
    /// Users named in bindings (impersonation targets).
    users: BTreeSet<String>,
    edges: HashMap<Principal, Vec<Step>>,
}

impl<'m, S> Graph<'m, S> {
    fn new(model: &'m RbacModel<S>) -> Self {
        let mut accounts: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut running: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut users = BTreeSet::new();
        let mut token_off: BTreeSet<(String, String)> = BTreeSet::new();
        for sa in model.service_accounts() {
            let ns = namespace_or_default(&sa.meta.namespace);
            if sa.automount_token == Some(false) {
                token_off.insert((ns.to_string(), sa.meta.name.clone()));
            }
            accounts
                .entry(ns.to_string())
                .or_default()
                .insert(sa.meta.name.clone());
        }
        for b in model.bindings() {
            for s in &b.subjects {
                match Principal::of_subject(s, &b.meta.namespace) {
                    Some(Principal::ServiceAccount { namespace, name }) => {
                        accounts.entry(namespace).or_default().insert(name);
                    }
                    Some(Principal::User { name }) => {
                        users.insert(name);
                    }
                    _ => {}
                }
            }
            if !b.meta.namespace.is_empty() {
                accounts.entry(b.meta.namespace.clone()).or_default();
            }
        }
        for w in model.workloads() {
            let ns = namespace_or_default(&w.namespace).to_string();
            accounts
                .entry(ns.clone())
                .or_default()
                .insert(w.service_account.clone());
            // The pod spec's setting wins over the account's.
            let mounted = w
                .automount_token
                .unwrap_or_else(|| !token_off.contains(&(ns.clone(), w.service_account.clone())));
            if mounted {
                running
                    .entry(ns)
                    .or_default()
                    .insert(w.service_account.clone());
            }
        }
        Graph {
            model,
            accounts,
            running,
            users,
            edges: HashMap::new(),
        }
    }

    /// The grants of the first probe RBAC allows, or `None`.
    fn allowed(&self, user: &UserInfo, probe: Probe) -> Option<Vec<String>> {
        let (verb, group, resource, sub, name, ns) = probe;
        let request = Request::resource(
            user.clone(),
            ResourceAttributes {
                namespace: ns.into(),
                verb: verb.into(),
                group: group.into(),
                resource: resource.into(),
                subresource: sub.into(),
                name: name.into(),
            },
        );
        let decision = self.model.authorize(&request);
        decision.allowed.then(|| {
            let mut out: Vec<String> = Vec::new();
            for g in &decision.grants {
                let text = self.model.describe_grant(g);
                if !out.contains(&text) {
                    out.push(text);
                }
            }
            out
        })
    }

    /// Every probe must be allowed; the grants add up.
    fn all_allowed(&self, user: &UserInfo, probes: &[Probe]) -> Option<Vec<String>> {
        let mut out = Vec::new();
        for p in probes {
            for g in self.allowed(user, *p)? {
                if !out.contains(&g) {
                    out.push(g);
                }
            }
        }
        Some(out)
    }

    /// The cluster-admin-equivalent criterion `from` meets, if any.
    fn goal(&self, from: &Principal, user: &UserInfo) -> Option<Step> {
        let step = |how: &'static str, risk: &'static str, action: &str, granted_by| Step {
            from: from.clone(),
            to: Target::ClusterAdmin(how),
            risk,
            action: action.into(),
            granted_by,
        };
        if user.groups.iter().any(|g| g == SYSTEM_MASTERS) {
            return Some(step(
                "system:masters",
                "R02",
                "is a member of group system:masters",
                Vec::new(),
            ));
        }
        let checks: [(&str, &str, &str, Vec<Probe>); 5] = [
            (
                "wildcard",
                "R01",
                "holds * on * in every API group cluster-wide",
                vec![(ANY_VERB, ANY_GROUP, ANY_RESOURCE, "", "", "")],
            ),
            (
                "bind cluster-admin",
                "R14",
                "binds itself to ClusterRole cluster-admin (bind + create clusterrolebindings)",
                vec![
                    ("bind", RBAC, "clusterroles", "", "cluster-admin", ""),
                    ("create", RBAC, "clusterrolebindings", "", "", ""),
                ],
            ),
            (
                "escalate",
                "R13",
                "rewrites a ClusterRole it is bound to into * on * (escalate + update clusterroles)",
                vec![
                    ("escalate", RBAC, "clusterroles", "", "", ""),
                    ("update", RBAC, "clusterroles", "", "", ""),
                ],
            ),
            (
                "impersonate system:masters",
                "R12",
                "impersonates group system:masters (impersonate users + groups/system:masters)",
                vec![
                    ("impersonate", "", "groups", "", SYSTEM_MASTERS, ""),
                    ("impersonate", "", "users", "", "", ""),
                ],
            ),
            (
                "csr approval",
                "R17",
                "issues itself a system:masters client certificate (create + approve CSRs)",
                vec![
                    ("create", CERTS, "certificatesigningrequests", "", "", ""),
                    (
                        "update",
                        CERTS,
                        "certificatesigningrequests",
                        "approval",
                        "",
                        "",
                    ),
                    (
                        "approve",
                        CERTS,
                        "signers",
                        "",
                        "kubernetes.io/kube-apiserver-client",
                        "",
                    ),
                ],
            ),
        ];
        for (how, risk, action, probes) in checks {
            if let Some(g) = self.all_allowed(user, &probes) {
                return Some(step(how, risk, action, g));
            }
        }
        // `escalate` with `patch` instead of `update` is the same power.
        self.all_allowed(
            user,
            &[
                ("escalate", RBAC, "clusterroles", "", "", ""),
                ("patch", RBAC, "clusterroles", "", "", ""),
            ],
        )
        .map(|g| {
            step(
                "escalate",
                "R13",
                "rewrites a ClusterRole it is bound to into * on * (escalate + patch clusterroles)",
                g,
            )
        })
    }

    /// The outgoing steps of `from`: the goal step first (when met), then one
    /// step per reachable principal (the first primitive found).
    fn steps_of(&self, from: &Principal) -> Vec<Step> {
        let user = from.user_info();
        let mut out: Vec<Step> = Vec::new();
        if let Some(goal) = self.goal(from, &user) {
            // Nothing beyond the goal is worth searching.
            return vec![goal];
        }
        let mut seen: BTreeSet<Principal> = BTreeSet::new();
        seen.insert(from.clone());
        let mut push = |to: Principal, risk: &'static str, action: String, g: Vec<String>| {
            if seen.insert(to.clone()) {
                out.push(Step {
                    from: from.clone(),
                    to: Target::Principal(to),
                    risk,
                    action,
                    granted_by: g,
                });
            }
        };
        let sa = |ns: &str, name: &str| Principal::ServiceAccount {
            namespace: ns.into(),
            name: name.into(),
        };
        for (ns, names) in &self.accounts {
            let ns = ns.as_str();
            for name in names {
                let token = ("create", "", "serviceaccounts", "token", name.as_str(), ns);
                if let Some(g) = self.allowed(&user, token) {
                    let action = format!("requests a token for service account {ns}/{name}");
                    push(sa(ns, name), "R05", action, g);
                }
            }
            if let Some((what, g)) = POD_CREATORS.iter().find_map(|(group, resource)| {
                self.allowed(&user, ("create", group, resource, "", "", ns))
                    .map(|g| (*resource, g))
            }) {
                for name in names {
                    let action = format!(
                        "creates {what} in namespace {ns} running as service account {name}"
                    );
                    push(sa(ns, name), "R06", action, g.clone());
                }
            }
            if let Some((verb, g)) = ["list", "get", "watch"].iter().find_map(|verb| {
                self.allowed(&user, (verb, "", "secrets", "", "", ns))
                    .map(|g| (*verb, g))
            }) {
                for name in names {
                    let action = format!(
                        "{verb}s secrets in namespace {ns} and takes the token of service account {name}"
                    );
                    push(sa(ns, name), "R03", action, g.clone());
                }
            }
            for name in names {
                let by_sa = ("impersonate", "", "serviceaccounts", "", name.as_str(), ns);
                let user_name = crate::request::service_account_user(ns, name);
                let by_user = ("impersonate", "", "users", "", user_name.as_str(), "");
                if let Some(g) = self
                    .allowed(&user, by_sa)
                    .or_else(|| self.allowed(&user, by_user))
                {
                    let action = format!("impersonates service account {ns}/{name}");
                    push(sa(ns, name), "R12", action, g);
                }
            }
            if let Some(running) = self.running.get(ns)
                && let Some((verb, sub, risk, g)) =
                    POD_ENTRIES.iter().find_map(|(verb, sub, risk)| {
                        self.allowed(&user, (verb, "", "pods", sub, "", ns))
                            .map(|g| (*verb, *sub, *risk, g))
                    })
            {
                let what = if sub.is_empty() {
                    "pods".to_string()
                } else {
                    format!("pods/{sub}")
                };
                for name in running {
                    let action = format!(
                        "{verb}s {what} in namespace {ns} on a pod running as service account {name}"
                    );
                    push(sa(ns, name), risk, action, g.clone());
                }
            }
        }
        let proxy = ["get", "create"].iter().find_map(|verb| {
            self.allowed(&user, (verb, "", "nodes", "proxy", "", ""))
                .map(|g| (*verb, g))
        });
        if let Some((verb, g)) = proxy {
            for (ns, names) in &self.running {
                for name in names {
                    let action = format!(
                        "{verb}s nodes/proxy (kubelet API) and execs into a pod running as service account {ns}/{name}"
                    );
                    push(sa(ns, name), "R11", action, g.clone());
                }
            }
        }
        for name in &self.users {
            if let Some(g) = self.allowed(&user, ("impersonate", "", "users", "", name, "")) {
                let action = format!("impersonates user {name}");
                push(Principal::User { name: name.clone() }, "R12", action, g);
            }
        }
        out
    }

    /// Shortest path from `start` to the goal (breadth-first).
    fn shortest(&mut self, start: &Principal) -> Option<EscalationPath> {
        let mut parent: HashMap<Principal, Step> = HashMap::new();
        let mut queue = VecDeque::from([start.clone()]);
        let mut visited: BTreeSet<Principal> = BTreeSet::from([start.clone()]);
        while let Some(p) = queue.pop_front() {
            if !self.edges.contains_key(&p) {
                let steps = self.steps_of(&p);
                self.edges.insert(p.clone(), steps);
            }
            let steps = self.edges.get(&p).cloned().unwrap_or_default();
            for step in steps {
                match &step.to {
                    Target::ClusterAdmin(_) => {
                        let mut path = vec![step.clone()];
                        let mut at = p.clone();
                        while let Some(prev) = parent.get(&at) {
                            path.push(prev.clone());
                            at = prev.from.clone();
                        }
                        path.reverse();
                        return Some(EscalationPath {
                            start: start.clone(),
                            steps: path,
                        });
                    }
                    Target::Principal(next) => {
                        if visited.insert(next.clone()) {
                            parent.insert(next.clone(), step.clone());
                            queue.push_back(next.clone());
                        }
                    }
                }
            }
        }
        None
    }
}

/// Workloads written without a namespace land in `default`.
fn namespace_or_default(ns: &str) -> &str {
    if ns.is_empty() { "default" } else { ns }
}

impl<S> RbacModel<S> {
    /// The shortest escalation path from each start to
    /// cluster-admin-equivalent power (starts with no path are left out), in
    /// start order.
    pub fn escalation_paths_from(&self, starts: &[Principal]) -> Vec<EscalationPath> {
        let mut graph = Graph::new(self);
        starts.iter().filter_map(|s| graph.shortest(s)).collect()
    }

    /// Escalation paths from every binding subject: each subject once, in
    /// order of first appearance. Subjects that are already
    /// cluster-admin-equivalent are reported with a one-step path. System
    /// identities bound only by the default policy are skipped unless
    /// `include_defaults`; the wide groups `system:authenticated` and
    /// `system:serviceaccounts[:NS]` are starts like any other group.
    pub fn escalation_paths(&self, options: PathOptions) -> Vec<EscalationPath> {
        let mut starts: Vec<Principal> = Vec::new();
        let mut user_bound: BTreeSet<Principal> = BTreeSet::new();
        for b in self.bindings() {
            let default_binding = is_default_binding(b);
            for s in &b.subjects {
                let Some(p) = Principal::of_subject(s, &b.meta.namespace) else {
                    continue;
                };
                let default = default_binding && is_system_subject(s, &b.meta.namespace);
                if !default || options.include_defaults {
                    user_bound.insert(p.clone());
                }
                if !starts.contains(&p) {
                    starts.push(p);
                }
            }
        }
        starts.retain(|p| user_bound.contains(p));
        self.escalation_paths_from(&starts)
    }

    /// The service account pod `namespace/name` runs as (any pod-owning kind
    /// with that name when there is no Pod).
    pub fn pod_principal(&self, namespace: &str, name: &str) -> Option<Principal> {
        let matching = |w: &&crate::objects::Workload<S>| {
            namespace_or_default(&w.namespace) == namespace && w.name == name
        };
        let w = self
            .workloads()
            .iter()
            .filter(matching)
            .find(|w| w.kind == "Pod")
            .or_else(|| self.workloads().iter().find(matching))?;
        Some(Principal::ServiceAccount {
            namespace: namespace.to_string(),
            name: w.service_account.clone(),
        })
    }
}

/// Graphviz `digraph` of the paths: one node per identity and goal, one
/// labelled edge per distinct step; goal nodes are filled.
pub fn render_dot(paths: &[EscalationPath]) -> String {
    let mut nodes: BTreeMap<String, bool> = BTreeMap::new();
    let mut edges: BTreeSet<(String, String, String)> = BTreeSet::new();
    for path in paths {
        nodes.entry(path.start.label()).or_insert(false);
        for step in &path.steps {
            nodes.entry(step.from.label()).or_insert(false);
            let goal = matches!(step.to, Target::ClusterAdmin(_));
            nodes.insert(step.to.label(), goal);
            edges.insert((
                step.from.label(),
                step.to.label(),
                format!("{}: {}", step.risk, step.action),
            ));
        }
    }
    let mut out = String::from("digraph escalation {\n  rankdir=LR;\n  node [shape=box];\n");
    for (node, goal) in &nodes {
        let attrs = if *goal {
            " [style=filled, fillcolor=\"#f4cccc\"]"
        } else {
            ""
        };
        out.push_str(&format!("  {}{attrs};\n", dot_id(node)));
    }
    for (from, to, label) in &edges {
        out.push_str(&format!(
            "  {} -> {} [label={}];\n",
            dot_id(from),
            dot_id(to),
            dot_id(label)
        ));
    }
    out.push_str("}\n");
    out
}

/// A DOT quoted string.
fn dot_id(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}
