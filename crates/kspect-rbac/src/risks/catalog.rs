//! The risky-permission catalogue (`RISKS.md`), as probe requests.
//!
//! A pattern is tested by asking the authorizer's own rule predicate about
//! concrete requests, never by string-matching rules, so `*`, `*/exec` and
//! the like count exactly as the API server counts them.

/// A verb no real rule lists: only `*` matches it.
pub const ANY_VERB: &str = "kspect:any-verb";
/// A group no real rule lists: only `*` matches it.
pub const ANY_GROUP: &str = "kspect.any-group.invalid";
/// A resource no real rule lists: only `*` matches it.
pub const ANY_RESOURCE: &str = "kspect:any-resource";
/// A name no real rule lists: only rules without `resourceNames` match it.
pub const ANY_NAME: &str = "kspect:any-name";

/// One probe request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Probe {
    /// Verb.
    pub verb: &'static str,
    /// API group.
    pub group: &'static str,
    /// Resource.
    pub resource: &'static str,
    /// Subresource.
    pub sub: &'static str,
    /// Cluster-scoped request: a RoleBinding can never grant it.
    pub cluster: bool,
    /// The real request carries an object name, so a `resourceNames`-limited
    /// rule can grant it (not so for create/list/deletecollection).
    pub named: bool,
}

const fn p(
    verb: &'static str,
    group: &'static str,
    resource: &'static str,
    sub: &'static str,
    cluster: bool,
    named: bool,
) -> Probe {
    Probe {
        verb,
        group,
        resource,
        sub,
        cluster,
        named,
    }
}

/// Severity pair: through a ClusterRoleBinding or in `kube-system`, and
/// through a RoleBinding elsewhere (one level lower, as rbac-police rates).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Severities {
    /// Cluster-wide or privileged namespace.
    pub wide: &'static str,
    /// Ordinary namespace.
    pub namespaced: &'static str,
}

/// One catalogue entry.
#[derive(Debug, Clone, Copy)]
pub struct Pattern {
    /// `R03` etc. (`RISKS.md`).
    pub risk: &'static str,
    /// Stable kspect rule id.
    pub rule_id: &'static str,
    /// Short title.
    pub title: &'static str,
    /// What the holder can do (used in messages after "can").
    pub can: &'static str,
    /// Any of these conjunctions trips the pattern.
    pub any_of: &'static [&'static [Probe]],
    /// When set, only these conjunctions give the full severity; the other
    /// hits are partial and reported as `medium`/`low`.
    pub full: &'static [&'static [Probe]],
    /// Severities for a full hit.
    pub severity: Severities,
    /// How to fix it.
    pub remediation: &'static str,
}

const CORE: &str = "";
const RBAC: &str = "rbac.authorization.k8s.io";
const CERTS: &str = "certificates.k8s.io";
const ADMREG: &str = "admissionregistration.k8s.io";

const fn sev(wide: &'static str, namespaced: &'static str) -> Severities {
    Severities { wide, namespaced }
}

/// The catalogue, in `RISKS.md` order. R02 (membership in `system:masters`)
/// is not an RBAC grant, R25 (grants to everyone) raises the severity of the
/// others, R27/R28 are object checks; those are handled in `risks.rs`.
pub const PATTERNS: &[Pattern] = &[
    Pattern {
        risk: "R01",
        rule_id: "KSP201",
        title: "Wildcard grant: every verb on every resource",
        can: "do anything to every resource (cluster-admin equivalent)",
        any_of: &[
            &[p(ANY_VERB, ANY_GROUP, ANY_RESOURCE, "", false, false)],
            &[p(ANY_VERB, CORE, ANY_RESOURCE, "", false, false)],
        ],
        full: &[],
        severity: sev("critical", "high"),
        remediation: "Replace the wildcard grant with the specific verbs and resources the subject needs; do not bind cluster-admin for daily work or to service accounts.",
    },
    Pattern {
        risk: "R03",
        rule_id: "KSP203",
        title: "Read access to Secrets",
        can: "read Secrets (get/list/watch)",
        any_of: &[
            &[p("get", CORE, "secrets", "", false, true)],
            &[p("list", CORE, "secrets", "", false, false)],
            &[p("watch", CORE, "secrets", "", false, true)],
        ],
        full: &[],
        severity: sev("critical", "medium"),
        remediation: "Drop get/list/watch on secrets, or limit it with resourceNames to the Secrets the workload needs; mount Secrets instead of reading them through the API.",
    },
    Pattern {
        risk: "R04",
        rule_id: "KSP204",
        title: "Write access to Secrets",
        can: "create or modify Secrets (and so mint service-account token Secrets)",
        any_of: &[
            &[p("create", CORE, "secrets", "", false, false)],
            &[p("update", CORE, "secrets", "", false, true)],
            &[p("patch", CORE, "secrets", "", false, true)],
        ],
        full: &[],
        severity: sev("high", "medium"),
        remediation: "Remove create/update/patch on secrets or restrict it to named Secrets.",
    },
    Pattern {
        risk: "R05",
        rule_id: "KSP205",
        title: "Token minting for service accounts",
        can: "mint tokens for service accounts (create serviceaccounts/token)",
        any_of: &[&[p("create", CORE, "serviceaccounts", "token", false, true)]],
        full: &[],
        severity: sev("critical", "medium"),
        remediation: "Remove create on serviceaccounts/token or limit it with resourceNames to the accounts that must be impersonated.",
    },
    Pattern {
        risk: "R06",
        rule_id: "KSP206",
        title: "Workload creation",
        can: "create pods or pod controllers (run as any service account of the namespace, mount its Secrets, possibly escape to the node)",
        any_of: &[
            &[p("create", CORE, "pods", "", false, false)],
            &[p("create", "apps", "deployments", "", false, false)],
            &[p("update", "apps", "deployments", "", false, true)],
            &[p("patch", "apps", "deployments", "", false, true)],
            &[p("create", "apps", "daemonsets", "", false, false)],
            &[p("update", "apps", "daemonsets", "", false, true)],
            &[p("patch", "apps", "daemonsets", "", false, true)],
            &[p("create", "apps", "statefulsets", "", false, false)],
            &[p("update", "apps", "statefulsets", "", false, true)],
            &[p("patch", "apps", "statefulsets", "", false, true)],
            &[p("create", "apps", "replicasets", "", false, false)],
            &[p("update", "apps", "replicasets", "", false, true)],
            &[p("patch", "apps", "replicasets", "", false, true)],
            &[p("create", "extensions", "deployments", "", false, false)],
            &[p("create", "extensions", "daemonsets", "", false, false)],
            &[p("create", "extensions", "replicasets", "", false, false)],
            &[p("create", "batch", "jobs", "", false, false)],
            &[p("update", "batch", "jobs", "", false, true)],
            &[p("patch", "batch", "jobs", "", false, true)],
            &[p("create", "batch", "cronjobs", "", false, false)],
            &[p("update", "batch", "cronjobs", "", false, true)],
            &[p("patch", "batch", "cronjobs", "", false, true)],
            &[p(
                "create",
                CORE,
                "replicationcontrollers",
                "",
                false,
                false,
            )],
            &[p("update", CORE, "replicationcontrollers", "", false, true)],
            &[p("patch", CORE, "replicationcontrollers", "", false, true)],
        ],
        full: &[],
        severity: sev("high", "medium"),
        remediation: "Grant workload creation only where needed and enforce Pod Security admission (baseline or restricted) in that namespace; keep privileged service accounts out of namespaces where others can create pods.",
    },
    Pattern {
        risk: "R07",
        rule_id: "KSP207",
        title: "Modification of running pods",
        can: "update or patch running pods (swap a container image)",
        any_of: &[
            &[p("update", CORE, "pods", "", false, true)],
            &[p("patch", CORE, "pods", "", false, true)],
        ],
        full: &[],
        severity: sev("high", "medium"),
        remediation: "Remove update/patch on pods; change workloads through their controllers under review.",
    },
    Pattern {
        risk: "R08",
        rule_id: "KSP208",
        title: "Exec or attach into pods",
        can: "exec or attach into pods (create or get on pods/exec, pods/attach)",
        any_of: &[
            &[p("create", CORE, "pods", "exec", false, true)],
            &[p("get", CORE, "pods", "exec", false, true)],
            &[p("create", CORE, "pods", "attach", false, true)],
            &[p("get", CORE, "pods", "attach", false, true)],
        ],
        full: &[],
        severity: sev("high", "medium"),
        remediation: "Remove pods/exec and pods/attach (both create and get: a WebSocket exec is a GET); use audited break-glass access instead.",
    },
    Pattern {
        risk: "R09",
        rule_id: "KSP209",
        title: "Ephemeral containers",
        can: "add ephemeral containers to running pods",
        any_of: &[
            &[p(
                "update",
                CORE,
                "pods",
                "ephemeralcontainers",
                false,
                true,
            )],
            &[p("patch", CORE, "pods", "ephemeralcontainers", false, true)],
        ],
        full: &[],
        severity: sev("high", "medium"),
        remediation: "Remove update/patch on pods/ephemeralcontainers outside debugging roles.",
    },
    Pattern {
        risk: "R10",
        rule_id: "KSP210",
        title: "Port-forward and proxy to pods or services",
        can: "port-forward or proxy into pods and services",
        any_of: &[
            &[p("create", CORE, "pods", "portforward", false, true)],
            &[p("get", CORE, "pods", "portforward", false, true)],
            &[p("create", CORE, "pods", "proxy", false, true)],
            &[p("get", CORE, "pods", "proxy", false, true)],
            &[p("create", CORE, "services", "proxy", false, true)],
            &[p("get", CORE, "services", "proxy", false, true)],
        ],
        full: &[],
        severity: sev("medium", "low"),
        remediation: "Remove portforward/proxy subresources unless the subject debugs these workloads.",
    },
    Pattern {
        risk: "R11",
        rule_id: "KSP211",
        title: "Kubelet API through nodes/proxy",
        can: "use the kubelet API through nodes/proxy (run commands in every pod of a node)",
        any_of: &[
            &[p("get", CORE, "nodes", "proxy", true, true)],
            &[p("create", CORE, "nodes", "proxy", true, true)],
        ],
        full: &[],
        severity: sev("high", "high"),
        remediation: "Remove nodes/proxy (get is enough for a WebSocket exec); grant nodes/metrics or nodes/stats for monitoring instead.",
    },
    Pattern {
        risk: "R12",
        rule_id: "KSP212",
        title: "Impersonation",
        can: "impersonate other identities",
        any_of: &[
            &[p("impersonate", CORE, "users", "", true, true)],
            &[p("impersonate", CORE, "groups", "", true, true)],
            &[p("impersonate", CORE, "serviceaccounts", "", false, true)],
            &[p(
                "impersonate",
                "authentication.k8s.io",
                "userextras",
                ANY_RESOURCE,
                true,
                true,
            )],
            &[p(
                "impersonate",
                "authentication.k8s.io",
                "uids",
                "",
                true,
                true,
            )],
        ],
        full: &[],
        severity: sev("critical", "high"),
        remediation: "Remove the impersonate verb, or limit it with resourceNames to identities that are no more powerful than the holder.",
    },
    Pattern {
        risk: "R13",
        rule_id: "KSP213",
        title: "escalate on roles",
        can: "write roles with permissions it does not hold (escalate)",
        any_of: &[
            &[
                p("escalate", RBAC, "roles", "", false, true),
                p("update", RBAC, "roles", "", false, true),
            ],
            &[
                p("escalate", RBAC, "roles", "", false, true),
                p("patch", RBAC, "roles", "", false, true),
            ],
            &[
                p("escalate", RBAC, "roles", "", false, true),
                p("create", RBAC, "roles", "", false, false),
            ],
            &[
                p("escalate", RBAC, "clusterroles", "", true, true),
                p("update", RBAC, "clusterroles", "", true, true),
            ],
            &[
                p("escalate", RBAC, "clusterroles", "", true, true),
                p("patch", RBAC, "clusterroles", "", true, true),
            ],
            &[
                p("escalate", RBAC, "clusterroles", "", true, true),
                p("create", RBAC, "clusterroles", "", true, false),
            ],
        ],
        full: &[],
        severity: sev("critical", "high"),
        remediation: "Remove the escalate verb; role authors should only grant what they hold.",
    },
    Pattern {
        risk: "R14",
        rule_id: "KSP214",
        title: "bind on roles",
        can: "bind roles it does not hold (bind), up to cluster-admin",
        any_of: &[
            &[
                p("bind", RBAC, "roles", "", false, true),
                p("create", RBAC, "rolebindings", "", false, false),
            ],
            &[
                p("bind", RBAC, "clusterroles", "", false, true),
                p("create", RBAC, "rolebindings", "", false, false),
            ],
            &[
                p("bind", RBAC, "clusterroles", "", true, true),
                p("create", RBAC, "clusterrolebindings", "", true, false),
            ],
        ],
        full: &[],
        severity: sev("critical", "high"),
        remediation: "Remove the bind verb, or limit it with resourceNames to the roles this subject may hand out.",
    },
    Pattern {
        risk: "R15",
        rule_id: "KSP215",
        title: "Write access to role bindings",
        can: "create or change role bindings (hand its own rights to others)",
        any_of: &[
            &[p("create", RBAC, "rolebindings", "", false, false)],
            &[p("update", RBAC, "rolebindings", "", false, true)],
            &[p("patch", RBAC, "rolebindings", "", false, true)],
            &[p("create", RBAC, "clusterrolebindings", "", true, false)],
            &[p("update", RBAC, "clusterrolebindings", "", true, true)],
            &[p("patch", RBAC, "clusterrolebindings", "", true, true)],
        ],
        full: &[],
        severity: sev("medium", "low"),
        remediation: "Limit binding management to administrators; review who can bind the default admin/edit roles.",
    },
    Pattern {
        risk: "R16",
        rule_id: "KSP216",
        title: "Write access to roles",
        can: "create or change roles (and push rules through aggregation labels)",
        any_of: &[
            &[p("create", RBAC, "roles", "", false, false)],
            &[p("update", RBAC, "roles", "", false, true)],
            &[p("patch", RBAC, "roles", "", false, true)],
            &[p("create", RBAC, "clusterroles", "", true, false)],
            &[p("update", RBAC, "clusterroles", "", true, true)],
            &[p("patch", RBAC, "clusterroles", "", true, true)],
        ],
        full: &[],
        severity: sev("medium", "low"),
        remediation: "Limit role management to administrators; watch ClusterRoles that carry aggregate-to-* labels.",
    },
    Pattern {
        risk: "R17",
        rule_id: "KSP217",
        title: "Certificate signing request approval or signing",
        can: "approve or sign certificate signing requests (issue client certificates, up to system:masters)",
        any_of: &[
            &[p(
                "update",
                CERTS,
                "certificatesigningrequests",
                "approval",
                true,
                true,
            )],
            &[p("approve", CERTS, "signers", "", true, true)],
            &[p(
                "update",
                CERTS,
                "certificatesigningrequests",
                "status",
                true,
                true,
            )],
            &[p("sign", CERTS, "signers", "", true, true)],
        ],
        full: &[
            &[
                p(
                    "create",
                    CERTS,
                    "certificatesigningrequests",
                    "",
                    true,
                    false,
                ),
                p(
                    "update",
                    CERTS,
                    "certificatesigningrequests",
                    "approval",
                    true,
                    true,
                ),
                p("approve", CERTS, "signers", "", true, true),
            ],
            &[
                p(
                    "update",
                    CERTS,
                    "certificatesigningrequests",
                    "status",
                    true,
                    true,
                ),
                p("sign", CERTS, "signers", "", true, true),
            ],
        ],
        severity: sev("critical", "critical"),
        remediation: "Remove CSR approval and signer permissions from everything but the certificate controller; limit approve/sign with resourceNames to the signers needed.",
    },
    Pattern {
        risk: "R18",
        rule_id: "KSP218",
        title: "Admission webhook configuration",
        can: "create, change or delete admission webhook configurations",
        any_of: &[
            &[p(
                "create",
                ADMREG,
                "validatingwebhookconfigurations",
                "",
                true,
                false,
            )],
            &[p(
                "update",
                ADMREG,
                "validatingwebhookconfigurations",
                "",
                true,
                true,
            )],
            &[p(
                "patch",
                ADMREG,
                "validatingwebhookconfigurations",
                "",
                true,
                true,
            )],
            &[p(
                "delete",
                ADMREG,
                "validatingwebhookconfigurations",
                "",
                true,
                true,
            )],
            &[p(
                "create",
                ADMREG,
                "mutatingwebhookconfigurations",
                "",
                true,
                false,
            )],
            &[p(
                "update",
                ADMREG,
                "mutatingwebhookconfigurations",
                "",
                true,
                true,
            )],
            &[p(
                "patch",
                ADMREG,
                "mutatingwebhookconfigurations",
                "",
                true,
                true,
            )],
            &[p(
                "delete",
                ADMREG,
                "mutatingwebhookconfigurations",
                "",
                true,
                true,
            )],
        ],
        full: &[],
        severity: sev("high", "high"),
        remediation: "Restrict webhook configuration changes to cluster administrators and the controllers that own them.",
    },
    Pattern {
        risk: "R19",
        rule_id: "KSP219",
        title: "PersistentVolume creation",
        can: "create PersistentVolumes (hostPath volumes expose node filesystems)",
        any_of: &[&[p("create", CORE, "persistentvolumes", "", true, false)]],
        full: &[],
        severity: sev("high", "high"),
        remediation: "Leave PersistentVolume creation to provisioners; users should create PersistentVolumeClaims.",
    },
    Pattern {
        risk: "R20",
        rule_id: "KSP220",
        title: "Node modification",
        can: "modify nodes or node status (and steer or steal pods)",
        any_of: &[
            &[p("update", CORE, "nodes", "", true, true)],
            &[p("patch", CORE, "nodes", "", true, true)],
            &[p("update", CORE, "nodes", "status", true, true)],
            &[p("patch", CORE, "nodes", "status", true, true)],
        ],
        full: &[
            &[
                p("update", CORE, "nodes", "", true, true),
                p("delete", CORE, "pods", "", false, true),
            ],
            &[
                p("patch", CORE, "nodes", "", true, true),
                p("delete", CORE, "pods", "", false, true),
            ],
            &[
                p("update", CORE, "nodes", "", true, true),
                p("create", CORE, "pods", "eviction", false, true),
            ],
            &[
                p("patch", CORE, "nodes", "", true, true),
                p("create", CORE, "pods", "eviction", false, true),
            ],
        ],
        severity: sev("high", "high"),
        remediation: "Remove update/patch on nodes and nodes/status outside node agents and controllers.",
    },
    Pattern {
        risk: "R21",
        rule_id: "KSP221",
        title: "Pod status modification",
        can: "rewrite pod status (redirect Service endpoints)",
        any_of: &[
            &[p("update", CORE, "pods", "status", false, true)],
            &[p("patch", CORE, "pods", "status", false, true)],
        ],
        full: &[],
        severity: sev("low", "low"),
        remediation: "Remove update/patch on pods/status outside controllers.",
    },
    Pattern {
        risk: "R22",
        rule_id: "KSP222",
        title: "Service status modification (CVE-2020-8554)",
        can: "set Service load-balancer status (intercept cluster traffic)",
        any_of: &[
            &[p("update", CORE, "services", "status", false, true)],
            &[p("patch", CORE, "services", "status", false, true)],
        ],
        full: &[],
        severity: sev("medium", "low"),
        remediation: "Remove update/patch on services/status outside the service controller; block externalIPs with an admission policy.",
    },
    Pattern {
        risk: "R23",
        rule_id: "KSP223",
        title: "Namespace modification",
        can: "relabel namespaces (lower their Pod Security level)",
        any_of: &[
            &[p("update", CORE, "namespaces", "", false, true)],
            &[p("patch", CORE, "namespaces", "", false, true)],
        ],
        full: &[],
        severity: sev("medium", "low"),
        remediation: "Remove update/patch on namespaces; namespace labels decide Pod Security admission levels.",
    },
    Pattern {
        risk: "R26",
        rule_id: "KSP226",
        title: "Destructive wildcard",
        can: "delete every kind of resource",
        any_of: &[
            &[p("delete", ANY_GROUP, ANY_RESOURCE, "", false, true)],
            &[p(
                "deletecollection",
                ANY_GROUP,
                ANY_RESOURCE,
                "",
                false,
                false,
            )],
        ],
        full: &[],
        severity: sev("high", "medium"),
        remediation: "Replace delete on * with the resource types the subject manages.",
    },
];

/// Looks up a pattern by its `R..` id.
pub fn pattern(risk: &str) -> Option<&'static Pattern> {
    PATTERNS.iter().find(|p| p.risk == risk)
}
