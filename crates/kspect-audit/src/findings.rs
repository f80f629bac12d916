//! Audit detections (KSA001–KSA009) and audit-policy findings (KAP001–KAP006) as
//! kspect [`Finding`]s, with their rules in kspect's registry shape, so the shared
//! table, JSON, SARIF and JUnit reporters, `kspect rules` and `kspect explain` treat
//! them like every other analyzer's.
//!
//! Locations: a log detection points at the file and line of the audit event (the
//! line of the `EventList` batch for webhook logs); a policy finding at the line of
//! the offending rule (or key) in the policy file.

use std::sync::Arc;

use kspect_core::rule::RefKind;
use kspect_core::span::Location;
use kspect_core::{Finding, Reference, Rule, Severity};

use crate::analyze::{self, Detection, Report};
use crate::policy::PolicyFinding;

macro_rules! rule {
    ($id:literal, $name:literal, $title:literal, $sev:ident, $what:literal, $why:literal, $attack:literal, $fix:literal, $snippet:literal, $refs:expr) => {
        Rule {
            id: $id,
            name: $name,
            title: $title,
            severity: Severity::$sev,
            category: "audit",
            kinds: &[],
            doc: concat!(
                "## What it checks\n\n",
                $what,
                "\n\n",
                "## Why it matters\n\n",
                $why,
                "\n\n",
                "## What an attacker does\n\n",
                $attack,
                "\n\n",
                "## How to fix\n\n",
                $fix,
                "\n\n",
                "```yaml\n",
                $snippet,
                "\n```\n"
            ),
            remediation: $fix,
            references: $refs,
        }
    };
}

const fn mitre(id: &'static str, url: &'static str) -> Reference {
    Reference {
        kind: RefKind::Mitre,
        id,
        url,
    }
}

const fn k8s_doc(id: &'static str, url: &'static str) -> Reference {
    Reference {
        kind: RefKind::Docs,
        id,
        url,
    }
}

const AUDITING: Reference = k8s_doc(
    "Kubernetes auditing",
    "https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/",
);

/// Every rule of this crate, detections first.
pub static RULES: &[Rule] = &[
    rule!(
        "KSA001",
        "audit-first-secret-read",
        "Secret read by a principal that had not read secrets before",
        Medium,
        "A `get`, `list` or `watch` of Secrets that succeeded, by a principal (user, or impersonated user) that had not read a Secret earlier in the logs analysed. Control-plane components (`system:kube-*`, nodes, kube-system service accounts) are not reported.",
        "Secrets hold tokens, passwords and keys. A principal that starts reading them is either a new workload or someone using stolen credentials to look for more.",
        "With a leaked kubeconfig or service-account token, the first thing an intruder does is list Secrets to collect other credentials and move laterally (MITRE ATT&CK for Containers: Credential Access).",
        "Check that the principal is expected to read Secrets. If not, revoke the role binding that allows it and rotate the Secrets it read.",
        "# before: a broad role lets the principal read every Secret\nrules:\n- apiGroups: [\"\"]\n  resources: [\"secrets\"]\n  verbs: [\"get\", \"list\", \"watch\"]\n# after: only the one Secret it needs\nrules:\n- apiGroups: [\"\"]\n  resources: [\"secrets\"]\n  resourceNames: [\"app-db-password\"]\n  verbs: [\"get\"]",
        &[
            mitre(
                "T1552.007",
                "https://attack.mitre.org/techniques/T1552/007/"
            ),
            AUDITING
        ]
    ),
    rule!(
        "KSA002",
        "audit-pod-exec-attach",
        "Exec, attach or port-forward into a pod",
        High,
        "A `create` (or `get` through the websocket upgrade) of the `pods/exec`, `pods/attach` or `pods/portforward` subresource; the command run by exec is decoded from the request URI.",
        "Interactive access to a running container bypasses the image, the deployment pipeline and its review: whatever runs there is not what was deployed.",
        "An intruder with `pods/exec` opens a shell in a pod that holds useful credentials or network access and runs tools from there (MITRE ATT&CK for Containers: Container Administration Command).",
        "Reserve `pods/exec` and `pods/attach` for break-glass roles, and investigate each use the log shows.",
        "# before: developers may exec into any pod\nrules:\n- apiGroups: [\"\"]\n  resources: [\"pods/exec\", \"pods/attach\"]\n  verbs: [\"create\", \"get\"]\n# after: no exec in the developer role; a separate, audited break-glass role has it",
        &[
            mitre("T1609", "https://attack.mitre.org/techniques/T1609/"),
            AUDITING
        ]
    ),
    rule!(
        "KSA003",
        "audit-anonymous-request",
        "Anonymous or unauthenticated request",
        Medium,
        "A request by `system:anonymous` or by a member of `system:unauthenticated` that the API server did not refuse (any response below 400).",
        "Anonymous access means anyone who can reach the API server's port can make the request; nothing ties it to a person or a workload.",
        "Scanners and intruders probe API servers for anonymous access and use whatever it allows, from discovery to reading objects when a binding grants `system:anonymous` more than it should.",
        "Turn off anonymous authentication (`--anonymous-auth=false`, or an authentication configuration that limits it to health endpoints) and remove bindings to `system:anonymous` and `system:unauthenticated`.",
        "# before: a binding grants the anonymous user a role\nsubjects:\n- kind: User\n  name: system:anonymous\n# after: the binding is removed; kube-apiserver runs with\n# - --anonymous-auth=false",
        &[
            mitre("T1078", "https://attack.mitre.org/techniques/T1078/"),
            AUDITING
        ]
    ),
    rule!(
        "KSA004",
        "audit-privileged-pod-created",
        "Privileged pod created",
        High,
        "A successful create or update of a pod, or of a workload with a pod template, whose request body (logged at level Request or above) has a container with `securityContext.privileged: true`.",
        "A privileged container has every capability and the host's devices; it is root on the node.",
        "An intruder who may create pods starts a privileged one to escape to the node and from there reach every pod and credential on it (MITRE ATT&CK for Containers: Escape to Host).",
        "Enforce the Baseline or Restricted Pod Security Standard in namespaces that run applications, and review who created the pod.",
        "# before\nsecurityContext:\n  privileged: true\n# after\nsecurityContext:\n  privileged: false\n  allowPrivilegeEscalation: false",
        &[
            mitre("T1611", "https://attack.mitre.org/techniques/T1611/"),
            AUDITING
        ]
    ),
    rule!(
        "KSA005",
        "audit-hostpath-pod-created",
        "Pod with a hostPath volume created",
        High,
        "A successful create or update of a pod, or of a workload with a pod template, whose request body mounts a `hostPath` volume.",
        "A hostPath volume exposes the node's filesystem to the container: the container runtime socket, kubelet credentials, other pods' data.",
        "Mounting `/` or `/var/run/containerd/containerd.sock` from the host gives a pod control of the node (MITRE ATT&CK for Containers: Escape to Host).",
        "Use persistent volumes, ConfigMaps or emptyDir instead of hostPath, and enforce the Baseline Pod Security Standard, which forbids hostPath.",
        "# before\nvolumes:\n- name: host\n  hostPath:\n    path: /\n# after\nvolumes:\n- name: data\n  persistentVolumeClaim:\n    claimName: app-data",
        &[
            mitre("T1611", "https://attack.mitre.org/techniques/T1611/"),
            AUDITING
        ]
    ),
    rule!(
        "KSA006",
        "audit-cluster-admin-binding",
        "Binding to cluster-admin",
        Critical,
        "A successful create or update of a ClusterRoleBinding or RoleBinding whose `roleRef` is the `cluster-admin` ClusterRole.",
        "cluster-admin can do everything to every object in the cluster; a new binding to it is a new administrator.",
        "After gaining a foothold with rights to create bindings, an intruder binds a controlled account to cluster-admin to keep full control (MITRE ATT&CK for Containers: Persistence, Privilege Escalation).",
        "Confirm the binding was intended; otherwise delete it, revoke the subject's credentials and find how the binding could be created.",
        "# before\nroleRef:\n  kind: ClusterRole\n  name: cluster-admin\n# after: a role with only the rights the subject needs\nroleRef:\n  kind: ClusterRole\n  name: app-operator",
        &[
            mitre("T1098", "https://attack.mitre.org/techniques/T1098/"),
            AUDITING
        ]
    ),
    rule!(
        "KSA007",
        "audit-rbac-change",
        "RBAC object changed",
        Medium,
        "A successful create, update, patch or delete of a Role, ClusterRole, RoleBinding or ClusterRoleBinding by a principal that is not a control-plane component.",
        "Role and binding changes change who can do what; outside a reviewed deployment they deserve a look.",
        "Intruders widen their own rights or plant a binding for later use; both show up as RBAC writes.",
        "Manage RBAC objects through a reviewed pipeline and check each change the log shows against it.",
        "# before: a role edited by hand to add a verb\n  verbs: [\"get\", \"list\", \"create\"]\n# after: the reviewed definition, applied by the pipeline\n  verbs: [\"get\", \"list\"]",
        &[
            mitre("T1098", "https://attack.mitre.org/techniques/T1098/"),
            AUDITING
        ]
    ),
    rule!(
        "KSA008",
        "audit-denied-burst",
        "Burst of denied requests",
        Medium,
        "At least three requests of one principal answered 401 or 403 within 60 seconds (reported once per burst).",
        "A workload that follows its design is rarely refused; a run of refusals is someone trying what the credentials allow.",
        "With a stolen token, an intruder enumerates permissions by trying requests (or runs `kubectl auth can-i --list`) and leaves a trail of 403s (MITRE ATT&CK: Permission Groups Discovery).",
        "Find where the principal's credentials are used from; rotate them when the activity is not the owner's.",
        "# before: one token shared by several tools\n# after: one service account per workload, each with its own role\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: reporting-job\n  namespace: batch",
        &[
            mitre("T1069", "https://attack.mitre.org/techniques/T1069/"),
            AUDITING
        ]
    ),
    rule!(
        "KSA009",
        "audit-sa-token-outside",
        "Service-account token used from outside the cluster",
        High,
        "A request by a service account (`system:serviceaccount:*`) whose source address is public (not private, loopback, link-local or carrier-grade NAT space).",
        "Service-account tokens are meant for pods; used from the internet they have almost certainly been stolen.",
        "An intruder who read a token from a pod or a leaked file uses it from their own machine to act as the workload (MITRE ATT&CK for Containers: Valid Accounts, Steal Application Access Token).",
        "Revoke the token (delete the Secret or let the bound token expire), rotate the workload's credentials and use short-lived projected tokens.",
        "# before: a long-lived token Secret\napiVersion: v1\nkind: Secret\ntype: kubernetes.io/service-account-token\n# after: a projected, expiring token in the pod\nvolumes:\n- name: token\n  projected:\n    sources:\n    - serviceAccountToken:\n        expirationSeconds: 3600\n        path: token",
        &[
            mitre("T1528", "https://attack.mitre.org/techniques/T1528/"),
            AUDITING
        ]
    ),
    rule!(
        "KAP001",
        "audit-policy-logs-secret-contents",
        "Secrets, ConfigMaps or TokenReviews logged at Request or RequestResponse",
        High,
        "For each sensitive resource (Secrets, ConfigMaps, TokenReviews and similar), the rule of the policy that would log a request to it, evaluated as the API server does (first matching rule wins); a level of Request or RequestResponse is reported at that rule's line.",
        "At those levels the request and response bodies are written to the audit log, and with them the Secret values, configuration and bearer tokens they carry.",
        "Whoever can read the audit log (a log pipeline, a SIEM, a backup bucket) reads every Secret written or read, without any RBAC right on Secrets.",
        "Log these resources at Metadata, in a rule placed before any broader Request or RequestResponse rule.",
        "# before\n- level: RequestResponse\n  resources:\n  - group: \"\"\n    resources: [\"secrets\", \"configmaps\"]\n# after\n- level: Metadata\n  resources:\n  - group: \"\"\n    resources: [\"secrets\", \"configmaps\"]\n  - group: authentication.k8s.io\n    resources: [\"tokenreviews\"]",
        &[AUDITING]
    ),
    rule!(
        "KAP002",
        "audit-policy-sensitive-not-logged",
        "Sensitive actions not logged at all",
        High,
        "Sensitive requests (exec and attach, Secret reads, RBAC changes, pod creation and others) that the policy logs at level None, through an explicit rule or because no rule matches.",
        "What is not logged cannot be investigated: these are the requests an incident review needs first.",
        "An intruder whose exec sessions and RBAC changes leave no audit record works unseen.",
        "Add a rule that logs these requests at least at Metadata, before any rule that drops them.",
        "# before: nothing matches pods/exec\nrules:\n- level: None\n  resources:\n  - group: \"\"\n    resources: [\"pods/exec\"]\n# after\nrules:\n- level: Metadata\n  resources:\n  - group: \"\"\n    resources: [\"pods/exec\", \"pods/attach\", \"pods/portforward\"]",
        &[AUDITING]
    ),
    rule!(
        "KAP003",
        "audit-policy-shadowed-rule",
        "Rule shadowed by an earlier rule",
        Medium,
        "A policy rule every request of which is already matched by an earlier rule; the API server applies the first matching rule, so the later one never takes effect.",
        "The policy does not do what it reads as doing: the shadowed rule's level is never applied.",
        "A shadowed rule meant to log sensitive requests in detail leaves them logged at the earlier, usually lower, level.",
        "Move the more specific rule before the broader one, or remove it.",
        "# before: the second rule never applies\n- level: Metadata\n- level: RequestResponse\n  resources:\n  - group: rbac.authorization.k8s.io\n# after\n- level: RequestResponse\n  resources:\n  - group: rbac.authorization.k8s.io\n- level: Metadata",
        &[AUDITING]
    ),
    rule!(
        "KAP004",
        "audit-policy-no-catch-all",
        "No catch-all rule",
        Medium,
        "Whether the policy ends with a rule that matches every request.",
        "Requests that no rule matches are not logged, including requests to resources added to the cluster later (new CRDs, new API groups).",
        "An intruder who works through an API the policy's authors did not list leaves no record.",
        "End the policy with a catch-all rule at Metadata.",
        "# before: the last rule lists resources\n- level: Metadata\n  resources:\n  - group: \"\"\n    resources: [\"pods\"]\n# after: a catch-all at the end\n- level: Metadata",
        &[AUDITING]
    ),
    rule!(
        "KAP005",
        "audit-policy-invalid-key",
        "Misspelled key or invalid level in a policy rule",
        High,
        "Keys the audit Policy API does not know (for example `resource:` for `resources:`, `namespace:` for `namespaces:`) and levels that are not None, Metadata, Request or RequestResponse.",
        "An unknown key is ignored by lenient decoders, so the rule loses the restriction it was meant to have and matches far more requests than intended; an invalid level makes the API server refuse the policy.",
        "A rule meant to log one resource at RequestResponse applies to every request and writes every body to the log, Secrets included; or the API server does not start with the policy at all.",
        "Spell the key as the API defines it (`resources`, `namespaces`, `verbs`, `users`, `userGroups`, `nonResourceURLs`, `omitStages`).",
        "# before\n- level: RequestResponse\n  resource:\n  - group: \"\"\n    resources: [\"pods\"]\n# after\n- level: RequestResponse\n  resources:\n  - group: \"\"\n    resources: [\"pods\"]",
        &[AUDITING]
    ),
    rule!(
        "KAP006",
        "audit-policy-wrong-group",
        "Resource listed under the wrong API group",
        Medium,
        "Entries of `resources` that name a well-known resource under a group it does not belong to (for example `deployments` under the core group `\"\"`).",
        "The entry never matches, so the requests it was meant to cover fall through to later rules.",
        "Requests the policy's authors meant to log in detail are logged at a lower level or not at all.",
        "Put the resource under its API group.",
        "# before\n  resources:\n  - group: \"\"\n    resources: [\"deployments\"]\n# after\n  resources:\n  - group: apps\n    resources: [\"deployments\"]",
        &[AUDITING]
    ),
];

/// The rules as references, for a registry.
pub fn rules() -> impl Iterator<Item = &'static Rule> {
    RULES.iter()
}

fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

fn severity(s: analyze::Severity) -> Severity {
    match s {
        analyze::Severity::Critical => Severity::Critical,
        analyze::Severity::High => Severity::High,
        analyze::Severity::Medium => Severity::Medium,
        analyze::Severity::Low => Severity::Low,
        analyze::Severity::Info => Severity::Info,
    }
}

fn location(file: &str, line: u64) -> Location {
    Location {
        file: Arc::from(file),
        document: 1,
        line: u32::try_from(line).unwrap_or(u32::MAX),
        column: 1,
        pointer: String::new(),
    }
}

/// One finding per detection, at the file and line of its event.
pub fn detection_findings(report: &Report) -> Vec<Finding> {
    report
        .detections
        .iter()
        .filter_map(detection_finding)
        .collect()
}

fn detection_finding(d: &Detection) -> Option<Finding> {
    let r = rule(d.id)?;
    let loc = (d.line > 0).then(|| location(&d.file, d.line));
    let mut f = Finding::general(r, loc, d.message.clone()).with_evidence(format!(
        "user={} time={} auditID={}",
        d.user, d.time, d.audit_id
    ));
    f.severity = severity(d.severity);
    Some(f)
}

/// One finding per policy finding, at its line of `file`.
pub fn policy_findings(file: &str, findings: &[PolicyFinding]) -> Vec<Finding> {
    findings
        .iter()
        .filter_map(|p| {
            let r = rule(p.id)?;
            let mut f = Finding::general(r, Some(location(file, u64::from(p.line))), &p.message);
            f.severity = p.severity.parse().unwrap_or(r.severity);
            Some(f)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_is_documented_and_every_id_has_a_rule() {
        for r in RULES {
            for s in kspect_core::rule::REQUIRED_DOC_SECTIONS {
                assert!(r.doc.contains(s), "{} lacks {s}", r.id);
            }
            assert!(r.doc.contains("```yaml"), "{} has no YAML snippet", r.id);
        }
        let _ = kspect_core::Registry::new(rules());
        for (id, sev, _) in analyze::DETECTIONS {
            let r = rule(id).unwrap_or_else(|| panic!("{id} has no rule"));
            assert_eq!(r.severity, severity(*sev), "{id}");
        }
        for id in ["KAP001", "KAP002", "KAP003", "KAP004", "KAP005", "KAP006"] {
            assert!(rule(id).is_some(), "{id}");
        }
    }
}
