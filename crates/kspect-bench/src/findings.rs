//! Benchmark failures as [`Finding`]s, so the shared table/SARIF/JUnit reporters and
//! `--fail-on` treat them like any other analyzer's.
//!
//! One rule per benchmark section (KSP601–KSP610 for Kubernetes, KSP651–KSP657 for
//! Docker); the CIS recommendation number of each finding is in its message and its
//! references.

use std::path::Path;
use std::sync::Arc;

use kspect_core::Location;
use kspect_core::rule::RefKind;
use kspect_core::{Finding, Reference, Rule, Severity};

use crate::cmdline::Origin;
use crate::result::{CheckResult, Report, Status};

macro_rules! rule {
    ($id:literal, $name:literal, $title:literal, $sev:ident, $why:literal, $attack:literal, $fix:literal, $snippet:literal, $cis:expr) => {
        Rule {
            id: $id,
            name: $name,
            title: $title,
            severity: Severity::$sev,
            category: "cis",
            kinds: &[],
            doc: concat!(
                "## What it checks\n\n", $title, ".\n\n",
                "## Why it matters\n\n", $why, "\n\n",
                "## What an attacker does\n\n", $attack, "\n\n",
                "## How to fix\n\n", $fix, " Each finding names the CIS recommendation, the value or file mode seen and where it was read.\n\n",
                "```yaml\n", $snippet, "\n```\n"
            ),
            remediation: $fix,
            references: &[$cis],
        }
    };
}

const K8S: Reference = Reference {
    kind: RefKind::Cis,
    id: "CIS Kubernetes Benchmark",
    url: "https://www.cisecurity.org/benchmark/kubernetes",
};
const DOCKER: Reference = Reference {
    kind: RefKind::Cis,
    id: "CIS Docker Benchmark",
    url: "https://www.cisecurity.org/benchmark/docker",
};

/// Every rule of this crate.
pub static RULES: &[Rule] = &[
    rule!(
        "KSP601",
        "cis-control-plane-files",
        "CIS 1.1: control plane configuration files are protected",
        High,
        "Static pod manifests, kubeconfigs with cluster-admin credentials and the PKI keys decide who controls the cluster.",
        "A local user who can write a static pod manifest runs any container as root on the control plane; one who can read admin.conf or a CA key becomes cluster-admin.",
        "Restrict modes (600 for manifests, kubeconfigs and keys, 644 for certificates) and owners (root:root) of the files under /etc/kubernetes.",
        "# before: -rw-r--r-- /etc/kubernetes/manifests/kube-apiserver.yaml\n# after (chmod 600; chown root:root):\n# -rw------- /etc/kubernetes/manifests/kube-apiserver.yaml",
        K8S
    ),
    rule!(
        "KSP602",
        "cis-apiserver",
        "CIS 1.2: API server flags are hardened",
        High,
        "The API server is the front door of the cluster: its authentication, authorization, admission and audit flags set what any caller can do.",
        "With anonymous access, AlwaysAllow authorization or unverified kubelet connections, an attacker reads Secrets or runs pods without credentials, and without audit logs nobody notices.",
        "Set the flag named in the finding in the kube-apiserver static pod manifest; the kubelet restarts the API server.",
        "# before (/etc/kubernetes/manifests/kube-apiserver.yaml)\n    command:\n    - kube-apiserver\n    - --profiling=true\n# after\n    command:\n    - kube-apiserver\n    - --profiling=false",
        K8S
    ),
    rule!(
        "KSP603",
        "cis-controller-manager",
        "CIS 1.3: controller manager flags are hardened",
        Medium,
        "The controller manager holds the service-account signing key and acts for every controller.",
        "Profiling endpoints and a listener on all interfaces expose its internals; shared credentials let one compromised controller act for all.",
        "Set the flag named in the finding in the kube-controller-manager static pod manifest.",
        "# before (kube-controller-manager.yaml)\n    - --bind-address=0.0.0.0\n# after\n    - --bind-address=127.0.0.1\n    - --profiling=false",
        K8S
    ),
    rule!(
        "KSP604",
        "cis-scheduler",
        "CIS 1.4: scheduler flags are hardened",
        Medium,
        "The scheduler decides where pods run.",
        "A scheduler listening on all interfaces with profiling exposes data an attacker uses to map the cluster.",
        "Set the flag named in the finding in the kube-scheduler static pod manifest.",
        "# before (kube-scheduler.yaml)\n    - --bind-address=0.0.0.0\n# after\n    - --bind-address=127.0.0.1\n    - --profiling=false",
        K8S
    ),
    rule!(
        "KSP605",
        "cis-etcd",
        "CIS 2: etcd uses TLS with client authentication",
        Critical,
        "etcd stores every object of the cluster, Secrets included.",
        "Without TLS and client certificate authentication, anyone who reaches etcd's port reads or rewrites the whole cluster state.",
        "Set the TLS and client-certificate flags named in the finding in the etcd static pod manifest.",
        "# before (etcd.yaml)\n    - --client-cert-auth=false\n# after\n    - --client-cert-auth=true\n    - --cert-file=/etc/kubernetes/pki/etcd/server.crt\n    - --key-file=/etc/kubernetes/pki/etcd/server.key",
        K8S
    ),
    rule!(
        "KSP606",
        "cis-control-plane-config",
        "CIS 3: control plane authentication and audit logging",
        Medium,
        "User authentication and the audit policy decide whether actions can be revoked and traced.",
        "Client certificates cannot be revoked, and without an audit policy an intruder's API calls leave no record.",
        "Pass an audit policy to the API server with --audit-policy-file and authenticate users with OIDC.",
        "# before (kube-apiserver.yaml): no audit policy\n# after\n    - --audit-policy-file=/etc/kubernetes/audit-policy.yaml\n    - --audit-log-path=/var/log/kubernetes/audit.log",
        K8S
    ),
    rule!(
        "KSP607",
        "cis-worker-files",
        "CIS 4.1: worker node configuration files are protected",
        High,
        "The kubelet's unit, config file and kubeconfig set how it authenticates and what it allows.",
        "A local user who can change them turns off kubelet authentication or steals its credentials.",
        "Restrict modes (600, 644 for CA certificates) and owners (root:root) of the kubelet's files.",
        "# before: -rw-r--r-- /etc/kubernetes/kubelet.conf\n# after (chmod 600; chown root:root):\n# -rw------- /etc/kubernetes/kubelet.conf",
        K8S
    ),
    rule!(
        "KSP608",
        "cis-kubelet",
        "CIS 4.2: kubelet is hardened",
        High,
        "The kubelet's API runs commands in every pod of the node.",
        "With anonymous authentication or AlwaysAllow authorization, anyone who reaches port 10250 executes commands in pods; the read-only port leaks pod specs.",
        "Set the value named in the finding in the kubelet's config file (or flag) and restart the kubelet.",
        "# before (/var/lib/kubelet/config.yaml)\nauthentication:\n  anonymous:\n    enabled: true\n# after\nauthentication:\n  anonymous:\n    enabled: false\nauthorization:\n  mode: Webhook",
        K8S
    ),
    rule!(
        "KSP609",
        "cis-kube-proxy",
        "CIS 4.3: kube-proxy metrics are bound to localhost",
        Low,
        "kube-proxy's metrics endpoint is unauthenticated.",
        "Bound to all interfaces it tells anyone on the network about the node's services.",
        "Bind metricsBindAddress to 127.0.0.1:10249.",
        "# before (kube-proxy configuration)\nmetricsBindAddress: 0.0.0.0:10249\n# after\nmetricsBindAddress: 127.0.0.1:10249",
        K8S
    ),
    rule!(
        "KSP610",
        "cis-policies",
        "CIS 5: cluster policies",
        Medium,
        "RBAC, Pod Security, NetworkPolicies and Secrets handling limit what a compromised workload can reach.",
        "Broad RBAC grants and privileged pods turn one compromised workload into cluster control.",
        "Apply the policy named in the finding.",
        "# before: a namespace without Pod Security enforcement\nmetadata:\n  name: apps\n# after\nmetadata:\n  name: apps\n  labels:\n    pod-security.kubernetes.io/enforce: restricted",
        K8S
    ),
    rule!(
        "KSP651",
        "docker-host",
        "CIS Docker 1: host configuration",
        Low,
        "The Docker daemon and its files should be audited and on a separate partition.",
        "Without audit rules an intruder's changes to the daemon's binaries and configuration leave no trace.",
        "Add audit rules for the files named in the finding and mount /var/lib/docker separately.",
        "# before: no audit rule for the daemon\n# after (/etc/audit/rules.d/docker.rules)\n# -w /usr/bin/dockerd -k docker",
        DOCKER
    ),
    rule!(
        "KSP652",
        "docker-daemon",
        "CIS Docker 2: daemon configuration",
        High,
        "The daemon's settings apply to every container it runs.",
        "Inter-container traffic, an unauthenticated TCP socket or missing user namespaces let one container attack others or the host.",
        "Set the option named in the finding in /etc/docker/daemon.json and restart the daemon.",
        "# before (/etc/docker/daemon.json)\n{\"icc\": true}\n# after\n{\"icc\": false, \"userns-remap\": \"default\", \"no-new-privileges\": true}",
        DOCKER
    ),
    rule!(
        "KSP653",
        "docker-daemon-files",
        "CIS Docker 3: daemon configuration files are protected",
        High,
        "The daemon's units, configuration, certificates and socket control the daemon.",
        "Anyone who can write them, or reach the socket, controls the daemon and so the host.",
        "Restrict the mode and owner of the file named in the finding.",
        "# before: -rw-rw-rw- /etc/docker/daemon.json\n# after (chmod 644; chown root:root):\n# -rw-r--r-- /etc/docker/daemon.json",
        DOCKER
    ),
    rule!(
        "KSP654",
        "docker-images",
        "CIS Docker 4: container images and build files",
        Medium,
        "Containers should run as a non-root user from images with health checks.",
        "A process running as root inside a container is one kernel bug away from root on the host.",
        "Set USER in the image or --user when starting the container.",
        "# before (Dockerfile)\nFROM alpine:3.20\n# after\nFROM alpine:3.20\nUSER 10001\nHEALTHCHECK CMD wget -qO- localhost:8080/healthz",
        DOCKER
    ),
    rule!(
        "KSP655",
        "docker-runtime",
        "CIS Docker 5: container runtime",
        High,
        "How a container is started decides how isolated it is: privileges, namespaces, mounts and limits.",
        "A privileged container, one sharing the host's namespaces or one with the Docker socket mounted is root on the host.",
        "Start the container named in the finding without the option reported.",
        "# before (compose service)\nprivileged: true\nvolumes: [/var/run/docker.sock:/var/run/docker.sock]\n# after\nprivileged: false\ncap_drop: [ALL]",
        DOCKER
    ),
    rule!(
        "KSP656",
        "docker-operations",
        "CIS Docker 6: security operations",
        Info,
        "Unused images and stopped containers accumulate.",
        "Old images keep vulnerable packages around.",
        "Remove unused images and containers.",
        "# before: images and containers never reviewed\n# after: prune unused images and containers regularly\n# docker image prune -a --filter until=720h",
        DOCKER
    ),
    rule!(
        "KSP657",
        "docker-swarm",
        "CIS Docker 7: swarm configuration",
        Medium,
        "Swarm managers hold the cluster's secrets.",
        "An unencrypted overlay network or an unlocked manager leaks secrets.",
        "Apply the swarm setting named in the finding.",
        "# before: swarm secrets rotated never\n# after\n# docker swarm ca --rotate",
        DOCKER
    ),
];

/// The rules as references, for a registry.
pub fn rules() -> impl Iterator<Item = &'static Rule> {
    RULES.iter()
}

fn rule_for(r: &CheckResult) -> Option<&'static Rule> {
    let id = if r.target.starts_with("docker") {
        match r.group.split('.').next().unwrap_or("") {
            "1" => "KSP651",
            "2" => "KSP652",
            "3" => "KSP653",
            "4" => "KSP654",
            "5" => "KSP655",
            "6" => "KSP656",
            "7" => "KSP657",
            _ => return None,
        }
    } else {
        match r.group.as_str() {
            "1.1" => "KSP601",
            "1.2" => "KSP602",
            "1.3" => "KSP603",
            "1.4" => "KSP604",
            "2" => "KSP605",
            "3.1" | "3.2" => "KSP606",
            "4.1" => "KSP607",
            "4.2" => "KSP608",
            "4.3" => "KSP609",
            g if g.starts_with('5') => "KSP610",
            _ => return None,
        }
    };
    RULES.iter().find(|r| r.id == id)
}

/// One finding per FAIL result, located at the node paths of the report.
pub fn findings(report: &Report) -> Vec<Finding> {
    findings_under(report, None)
}

/// One finding per FAIL result. With `root` (the `--root` directory), node paths are
/// located under it, so that SARIF viewers open (and snippets come from) the node's
/// copy rather than the machine running kspect; `--manifests` paths are kept as given.
pub fn findings_under(report: &Report, root: Option<&Path>) -> Vec<Finding> {
    report
        .checks
        .iter()
        .filter(|r| r.status == Status::Fail)
        .filter_map(|r| {
            let rule = rule_for(r)?;
            let location = r.source.as_ref().map(|o| location(r, o, root));
            let mut f = Finding::general(
                rule,
                location,
                format!("{} {}: {}", r.id, r.title, r.evidence),
            )
            .with_evidence(r.evidence.clone())
            .with_remediation(r.remediation.clone());
            f.references.to_mut().push(Reference {
                kind: RefKind::Cis,
                id: leak_free_id(&r.id),
                url: rule.references.first().map(|x| x.url).unwrap_or(""),
            });
            if let Some(n) = &r.note {
                f.message.push_str(&format!(" ({n})"));
            }
            Some(f)
        })
        .collect()
}

/// A result's source as a finding location. A file without a line gets line 0, which
/// the reporters show as the whole file (no region).
fn location(r: &CheckResult, o: &Origin, root: Option<&Path>) -> Location {
    let file = match root {
        Some(root) if r.target != "policies" && o.file.starts_with('/') => root
            .join(o.file.trim_start_matches('/'))
            .display()
            .to_string(),
        _ => o.file.clone(),
    };
    Location {
        file: Arc::from(file),
        document: 1,
        line: o.line.unwrap_or(0),
        column: u32::from(o.line.is_some()),
        pointer: String::new(),
    }
}

/// `Reference::id` is `&'static str`; the recommendation numbers all come from the
/// static check tables, so the matching static string is found there.
fn leak_free_id(id: &str) -> &'static str {
    crate::checks::ALL
        .iter()
        .map(|c| c.id)
        .chain(crate::docker::CHECK_IDS.iter().copied())
        .find(|s| *s == id)
        .unwrap_or("CIS")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_has_the_required_doc_sections() {
        for r in RULES {
            for s in kspect_core::rule::REQUIRED_DOC_SECTIONS {
                assert!(r.doc.contains(s), "{} lacks {s}", r.id);
            }
            assert!(r.id.starts_with("KSP6"));
        }
        let _ = kspect_core::Registry::new(rules());
    }
}
