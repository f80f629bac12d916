//! Pod Security Standards checks as kspect rules: one stable rule ID per upstream check.
//!
//! `kspect scan` evaluates every pod-bearing object at `baseline` and at `restricted`
//! (latest version) and reports each failing check under its own rule, so that a
//! container adding `SYS_ADMIN` is reported as the baseline capabilities violation it is,
//! not only as the weaker "capabilities not dropped" of the restricted profile.

use std::sync::LazyLock;

use kspect_core::rule::Reference;
use kspect_core::{Finding, Inventory, Object, Rule, Severity};

use crate::pss::{self, Level, PodPart, Policy, Version, Violation};

/// (rule ID, rule name, upstream check ID, severity). IDs are stable: never renumber.
const TABLE: &[(&str, &str, &str, Severity)] = &[
    ("KSP101", "pss-privileged", "privileged", Severity::Critical),
    (
        "KSP102",
        "pss-host-namespaces",
        "hostNamespaces",
        Severity::High,
    ),
    (
        "KSP103",
        "pss-hostpath-volumes",
        "hostPathVolumes",
        Severity::High,
    ),
    ("KSP104", "pss-host-ports", "hostPorts", Severity::Medium),
    (
        "KSP105",
        "pss-capabilities-baseline",
        "capabilities_baseline",
        Severity::High,
    ),
    (
        "KSP106",
        "pss-apparmor-profile",
        "appArmorProfile",
        Severity::Medium,
    ),
    (
        "KSP107",
        "pss-selinux-options",
        "seLinuxOptions",
        Severity::Medium,
    ),
    ("KSP108", "pss-proc-mount", "procMount", Severity::Medium),
    (
        "KSP109",
        "pss-seccomp-baseline",
        "seccompProfile_baseline",
        Severity::Medium,
    ),
    ("KSP110", "pss-sysctls", "sysctls", Severity::Medium),
    (
        "KSP111",
        "pss-windows-host-process",
        "windowsHostProcess",
        Severity::Critical,
    ),
    (
        "KSP112",
        "pss-host-probes-lifecycle",
        "hostProbesAndHostLifecycle",
        Severity::Medium,
    ),
    (
        "KSP121",
        "pss-restricted-volumes",
        "restrictedVolumes",
        Severity::Medium,
    ),
    (
        "KSP122",
        "pss-allow-privilege-escalation",
        "allowPrivilegeEscalation",
        Severity::Medium,
    ),
    (
        "KSP123",
        "pss-run-as-non-root",
        "runAsNonRoot",
        Severity::Medium,
    ),
    (
        "KSP124",
        "pss-run-as-user-root",
        "runAsUser",
        Severity::Medium,
    ),
    (
        "KSP125",
        "pss-seccomp-restricted",
        "seccompProfile_restricted",
        Severity::Low,
    ),
    (
        "KSP126",
        "pss-capabilities-restricted",
        "capabilities_restricted",
        Severity::Low,
    ),
    (
        "KSP127",
        "pss-proc-mount-restricted",
        "procMount_restricted",
        Severity::Medium,
    ),
];

static RULES: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    TABLE
        .iter()
        .map(|&(id, name, check, severity)| {
            let info = pss::check_info(check);
            let level = info.map(|i| i.level).unwrap_or(Level::Baseline);
            Rule {
                id,
                name,
                title: info.map(|i| i.title).unwrap_or(check),
                severity,
                category: "pss",
                kinds: POD_KINDS,
                doc: leak(compose_doc(check, info.map(|i| i.doc).unwrap_or(""))),
                remediation: remediation(check),
                references: if level == Level::Restricted {
                    RESTRICTED_REFS
                } else {
                    BASELINE_REFS
                },
            }
        })
        .collect()
});

const POD_KINDS: &[&str] = &[
    "Pod",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
];

const BASELINE_REFS: &[Reference] = &[
    Reference::pss("Baseline"),
    Reference::cis("5.2"),
    Reference::mitre("T1611", "https://attack.mitre.org/techniques/T1611/"),
];
const RESTRICTED_REFS: &[Reference] = &[Reference::pss("Restricted"), Reference::cis("5.2")];

/// Rule documentation in kspect's sections, from the check's own text: the prose is why
/// the control exists, the before/after snippet is how to fix it, and the attacker's
/// view is written per check below.
fn compose_doc(check: &str, text: &str) -> String {
    let (prose, snippet) = match text.find("\nBefore:") {
        Some(i) => (text[..i].trim(), text[i..].trim()),
        None => (text.trim(), ""),
    };
    format!(
        "Pod Security Standards check `{check}`, evaluated exactly as the Pod Security Admission controller does.\n\n\
         ## Why it matters\n{prose}\n\n\
         ## What an attacker does\n{}\n\n\
         ## How to fix\n{}\n\n{snippet}\n",
        attack(check),
        remediation(check)
    )
}

/// Rule text lives for the whole run; leaking the few composed strings once is what
/// lets them sit in the same `&'static` registry as the hand-written rules.
fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

fn attack(check: &str) -> &'static str {
    match check {
        "privileged" => {
            "Mounts the node's disk, loads a kernel module or abuses the cgroup release_agent from inside the container, then controls the node and every pod on it (MITRE ATT&CK T1611, Escape to Host)."
        }
        "hostNamespaces" => {
            "With hostPID reads other processes' environment and injects into them; with hostNetwork sniffs node traffic and reaches services bound to localhost such as the kubelet's; with hostIPC reads shared memory of other workloads."
        }
        "hostPathVolumes" => {
            "Reads kubelet credentials and other pods' secrets from the node's filesystem, or writes to it (cron, systemd units, SSH keys) to run code on the node."
        }
        "hostPorts" => {
            "Binds a port on the node's address, bypassing NetworkPolicy and Services, to intercept traffic or expose an internal service to the node's network."
        }
        "capabilities_baseline" => {
            "Uses the added capability to leave the container: SYS_ADMIN mounts filesystems and uses namespaces, SYS_PTRACE attaches to processes, NET_ADMIN rewrites routes and firewall rules, SYS_MODULE loads kernel code."
        }
        "appArmorProfile" => {
            "Runs without the mandatory access control profile that would block writes to /proc and /sys and mount operations, widening every container-escape technique."
        }
        "seLinuxOptions" => {
            "Chooses an SELinux user, role or type that is not confined like container_t, so that the kernel no longer separates the container's processes from the host's files."
        }
        "procMount" | "procMount_restricted" => {
            "Reads and writes the unmasked /proc: kernel parameters, other processes' memory maps, /proc/sysrq-trigger, the usual stepping stones out of the container."
        }
        "seccompProfile_baseline" => {
            "Calls the syscalls an unconfined profile leaves open (unshare, keyctl, bpf, ...), which is where most kernel container escapes start."
        }
        "sysctls" => {
            "Sets a kernel parameter that is not namespaced and so changes the whole node, affecting every other workload on it."
        }
        "windowsHostProcess" => {
            "Runs as a process on the Windows host itself, with full access to the node."
        }
        "hostProbesAndHostLifecycle" => {
            "Points a probe or lifecycle hook at another host, so that the kubelet sends requests on the attacker's behalf from the node's network position (server-side request forgery)."
        }
        "restrictedVolumes" => {
            "Uses a volume type that reaches storage outside the pod's control (NFS, iSCSI, cloud disks, gitRepo's git invocation on the node) to read other tenants' data or run code on the node."
        }
        "allowPrivilegeEscalation" => {
            "Runs a setuid binary or uses file capabilities to gain privileges the container process did not start with."
        }
        "runAsNonRoot" => {
            "Starts as root inside the container, so that any escape or writable host mount lands as root on the node."
        }
        "runAsUser" => {
            "Runs explicitly as UID 0, so that any container escape lands as root on the node."
        }
        "seccompProfile_restricted" => {
            "Calls syscalls that the runtime's default profile would block, the usual start of kernel container escapes."
        }
        "capabilities_restricted" => {
            "Uses the capabilities the runtime grants by default (NET_RAW for spoofing on the pod network, DAC_OVERRIDE, CHOWN, SETUID) after compromising the process."
        }
        _ => "Uses the weakened isolation to move from the container towards the node.",
    }
}

fn remediation(check: &str) -> &'static str {
    match check {
        "privileged" => {
            "Remove `securityContext.privileged: true` (or set it to false) on every container."
        }
        "hostNamespaces" => {
            "Remove `hostNetwork`, `hostPID` and `hostIPC` from the pod spec (or set them to false)."
        }
        "hostPathVolumes" => {
            "Replace hostPath volumes with emptyDir, a PersistentVolumeClaim, a ConfigMap or a Secret."
        }
        "hostPorts" => {
            "Remove `hostPort` from container ports; expose the pod through a Service instead."
        }
        "capabilities_baseline" => {
            "Add only capabilities from the baseline allowlist (e.g. NET_BIND_SERVICE); remove the others from `securityContext.capabilities.add`."
        }
        "appArmorProfile" => {
            "Use the `RuntimeDefault` or a `Localhost` AppArmor profile; never `Unconfined`."
        }
        "seLinuxOptions" => {
            "Leave `seLinuxOptions.user` and `role` unset and use a container_t-family type."
        }
        "procMount" | "procMount_restricted" => {
            "Remove `securityContext.procMount` or set it to `Default`."
        }
        "seccompProfile_baseline" => {
            "Do not set the seccomp profile to `Unconfined`; use `RuntimeDefault` or `Localhost`."
        }
        "sysctls" => "Set only the sysctls the Pod Security Standards list as safe.",
        "windowsHostProcess" => "Remove `windowsOptions.hostProcess: true`.",
        "hostProbesAndHostLifecycle" => {
            "Remove the `host` field of httpGet and tcpSocket probes and lifecycle handlers: they must target the pod itself."
        }
        "restrictedVolumes" => {
            "Use only configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected and secret volumes."
        }
        "allowPrivilegeEscalation" => {
            "Set `securityContext.allowPrivilegeEscalation: false` on every container."
        }
        "runAsNonRoot" => {
            "Set `securityContext.runAsNonRoot: true` on the pod (or every container) and run the image as a non-root user."
        }
        "runAsUser" => "Do not set `runAsUser: 0`; run as a non-zero UID.",
        "seccompProfile_restricted" => {
            "Set `securityContext.seccompProfile.type: RuntimeDefault` on the pod (or every container)."
        }
        "capabilities_restricted" => {
            "Set `securityContext.capabilities.drop: [ALL]` on every container and add back at most NET_BIND_SERVICE."
        }
        _ => "See `kspect explain` for this rule.",
    }
}

/// Restricted checks and the baseline checks they replace.
const OVERRIDES: &[(&str, &str)] = &[
    ("capabilities_restricted", "capabilities_baseline"),
    ("restrictedVolumes", "hostPathVolumes"),
    ("seccompProfile_restricted", "seccompProfile_baseline"),
    ("procMount_restricted", "procMount"),
];

/// Every PSS rule.
pub fn rules() -> impl Iterator<Item = &'static Rule> {
    RULES.iter()
}

/// The rule that reports an upstream check, e.g. `privileged` -> KSP101.
pub fn rule_for_check(check: &str) -> Option<&'static Rule> {
    let i = TABLE.iter().position(|(_, _, c, _)| *c == check)?;
    RULES.get(i)
}

/// The pointer of a violation within the whole object.
pub fn violation_pointer(object: &Object, v: &Violation) -> String {
    let Some(t) = object.pod_template() else {
        return v.pointer.clone();
    };
    let base = match v.part {
        PodPart::Metadata => t.metadata_ptr,
        PodPart::Spec => t.spec_ptr,
    };
    format!("{base}{}", v.pointer)
}

/// The finding for one violation of one object.
pub fn finding(object: &Object, v: &Violation, policy: &Policy) -> Option<Finding> {
    let rule = rule_for_check(v.check)?;
    let message = format!(
        "{} ({}:{}): {}",
        v.reason, policy.level, policy.version, v.detail
    );
    Some(Finding::at(
        rule,
        object,
        &violation_pointer(object, v),
        message,
    ))
}

/// PSS findings of every pod-bearing object: baseline violations, plus the violations
/// of restricted-only checks, at the latest version.
pub fn check(inventory: &Inventory) -> Vec<Finding> {
    let baseline = Policy::new(Level::Baseline, Version::LATEST);
    let restricted = Policy::new(Level::Restricted, Version::LATEST);
    let mut out = Vec::new();
    for object in inventory.pod_bearing() {
        let Some(t) = object.pod_template() else {
            continue;
        };
        let base_violations = pss::evaluate(t.metadata, t.spec, &baseline);
        for v in &base_violations {
            out.extend(finding(object, v, &baseline));
        }
        for v in pss::evaluate(t.metadata, t.spec, &restricted) {
            let restricted_only =
                pss::check_info(v.check).is_some_and(|i| i.level == Level::Restricted);
            // A restricted check that replaces a baseline one which already fired on the
            // same field says the same thing again, less severely: report it once.
            let repeats_baseline = OVERRIDES.iter().any(|(r, b)| {
                *r == v.check
                    && base_violations
                        .iter()
                        .any(|bv| bv.check == *b && bv.pointer == v.pointer)
            });
            if restricted_only && !repeats_baseline {
                out.extend(finding(object, &v, &restricted));
            }
        }
    }
    out
}
