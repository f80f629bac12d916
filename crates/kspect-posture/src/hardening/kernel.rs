//! The container's interface with the kernel: sysctls, seccomp, AppArmor, `/proc` masking.

use kspect_core::{Finding, Object, Reference, Rule, Severity};
use serde_json::Value;

use super::Ctx;
use super::pod::{Container, Pod, WORKLOAD_KINDS};
use super::refs;
use kspect_core::span::join_pointer;

/// The sysctls that the kubelet allows by default: namespaced, and isolated from the
/// node and other pods (the Pod Security Standards' safe set, up to v1.29).
const SAFE_SYSCTLS: &[&str] = &[
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
];

/// KSP318: a sysctl outside the safe set.
pub static UNSAFE_SYSCTL: Rule = Rule {
    id: "KSP318",
    name: "unsafe-sysctl",
    title: "Pod sets an unsafe sysctl",
    severity: Severity::Medium,
    category: "workload",
    kinds: WORKLOAD_KINDS,
    doc: r#"A pod whose `securityContext.sysctls` names a kernel parameter outside the safe set
(`kernel.shm_rmid_forced`, `net.ipv4.ip_local_port_range`, `net.ipv4.tcp_syncookies`,
`net.ipv4.ping_group_range`, `net.ipv4.ip_unprivileged_port_start`, ...) changes
kernel behaviour that is not isolated to the pod.

## Why it matters
Unsafe sysctls are either not namespaced — they change the node's kernel for every
pod — or namespaced but able to exhaust shared kernel resources (`kernel.msgmax`,
`net.core.somaxconn` ...). The kubelet rejects them unless an administrator allowed
them with `--allowed-unsafe-sysctls`; a pod that needs them needs a node to itself.

## What an attacker does
An attacker who can set them weakens the kernel's protections on the node (for
example `kernel.core_pattern`-style parameters have been used for container escapes)
or starves neighbouring pods of kernel resources.

## How to fix
Remove the sysctl, or run the workload on dedicated, tainted nodes that allow it.

```yaml
# before
securityContext:
  sysctls:
    - name: kernel.msgmax
      value: "65536"
# after
securityContext:
  sysctls:
    - name: net.ipv4.ip_local_port_range
      value: "1024 65535"
```
"#,
    remediation: "Remove sysctls outside the safe set from securityContext.sysctls, or isolate the workload on dedicated nodes.",
    references: &[
        Reference::pss("Sysctls"),
        Reference::docs(
            "Using sysctls in a Kubernetes Cluster",
            "https://kubernetes.io/docs/tasks/administer-cluster/sysctl-cluster/",
        ),
        refs::ESCAPE_TO_HOST,
    ],
};

/// KSP319: no seccomp profile, or `Unconfined`.
pub static SECCOMP_NOT_ENFORCED: Rule = Rule {
    id: "KSP319",
    name: "seccomp-not-enforced",
    title: "Container runs without a seccomp profile",
    severity: Severity::Medium,
    category: "workload",
    kinds: WORKLOAD_KINDS,
    doc: r#"A container whose effective `seccompProfile` (container, else pod) is unset or
`Unconfined` can make every system call the kernel offers.

## Why it matters
Unless the kubelet runs with `--seccomp-default` (off by default), a pod without a
profile runs `Unconfined`. The runtime's default profile blocks about 50 rarely
needed system calls (`keyctl`, `unshare`, `bpf`, `mount`, `ptrace` on old kernels ...)
through which many kernel privilege-escalation exploits go.

## What an attacker does
With code execution in the container, an attacker calls into the kernel through
syscalls the application never uses — for instance `unshare` to create a user
namespace and reach kernel bugs such as CVE-2022-0185 — and escapes to the node.

## How to fix
Use the runtime's default profile at the pod level (or a Localhost profile).

```yaml
# before
spec:
  containers:
    - name: app
      image: registry.example.com/app:1.4.2
# after
spec:
  securityContext:
    seccompProfile:
      type: RuntimeDefault
  containers:
    - name: app
      image: registry.example.com/app:1.4.2
```
"#,
    remediation: "Set securityContext.seccompProfile.type: RuntimeDefault on the pod (or Localhost with a profile).",
    references: &[
        Reference::cis("5.7.2"),
        Reference::pss("Seccomp"),
        refs::ESCAPE_TO_HOST,
        refs::PRIVILEGE_ESCALATION,
    ],
};

/// KSP320: AppArmor explicitly `Unconfined`.
pub static APPARMOR_UNCONFINED: Rule = Rule {
    id: "KSP320",
    name: "apparmor-unconfined",
    title: "Container disables AppArmor",
    severity: Severity::Medium,
    category: "workload",
    kinds: WORKLOAD_KINDS,
    doc: r#"A container whose AppArmor profile is `Unconfined` (through `appArmorProfile` on the
container or pod, or the `container.apparmor.security.beta.kubernetes.io/<name>`
annotation) turns off the mandatory access control of AppArmor hosts.

## Why it matters
On nodes with AppArmor, a container without a profile gets the runtime's default
one, which denies writes to `/proc` and `/sys` internals and mounts. Setting
`Unconfined` removes that net, and it is done on purpose: the finding is an explicit
opt-out (an unset profile is not reported, because the runtime's default applies).

## What an attacker does
Unconfined, an attacker's mount or `/proc/sys` write that the default profile would
have denied succeeds; combined with a capability such as `SYS_ADMIN`, it completes a
container escape.

## How to fix
Use the runtime default, or a Localhost profile written for the application.

```yaml
# before
securityContext:
  appArmorProfile:
    type: Unconfined
# after
securityContext:
  appArmorProfile:
    type: RuntimeDefault
```
"#,
    remediation: "Set appArmorProfile.type to RuntimeDefault or Localhost (or remove the unconfined annotation).",
    references: &[
        Reference::pss("AppArmor"),
        refs::ESCAPE_TO_HOST,
        refs::IMPAIR_DEFENSES,
    ],
};

/// KSP321: `procMount: Unmasked`.
pub static PROC_MOUNT_UNMASKED: Rule = Rule {
    id: "KSP321",
    name: "proc-mount-unmasked",
    title: "Container mounts /proc unmasked",
    severity: Severity::High,
    category: "workload",
    kinds: WORKLOAD_KINDS,
    doc: r#"A container with `securityContext.procMount: Unmasked` sees `/proc` without the
runtime's masked and read-only paths.

## Why it matters
The runtime normally hides or makes read-only `/proc/kcore`, `/proc/sysrq-trigger`,
`/proc/sys`, `/proc/keys` and others. Unmasked, those kernel interfaces are reachable
from the container.

## What an attacker does
An attacker reads kernel memory through `/proc/kcore`, triggers `/proc/sysrq-trigger`
to crash or reboot the node, or writes kernel parameters under `/proc/sys`.

## How to fix
Remove `procMount` (the default is `Default`, masked).

```yaml
# before
securityContext:
  procMount: Unmasked
# after
securityContext:
  procMount: Default
```
"#,
    remediation: "Remove securityContext.procMount or set it to Default.",
    references: &[Reference::pss("/proc Mount Type"), refs::ESCAPE_TO_HOST],
};

/// A sysctl name in dotted form (`net/ipv4/x` is `net.ipv4.x`; the slash form swaps
/// `.` and `/`).
fn dotted(name: &str) -> String {
    if !name.contains('/') {
        return name.to_string();
    }
    name.chars()
        .map(|c| match c {
            '/' => '.',
            '.' => '/',
            c => c,
        })
        .collect()
}

/// KSP318.
pub(crate) fn check_sysctls(_: &Ctx<'_>, object: &Object, out: &mut Vec<Finding>) {
    let Some(pod) = Pod::of(object) else { return };
    let sysctls = pod.security("sysctls").and_then(Value::as_array);
    for (i, s) in sysctls.into_iter().flatten().enumerate() {
        let Some(name) = s.get("name").and_then(Value::as_str) else {
            continue;
        };
        if SAFE_SYSCTLS.contains(&dotted(name).as_str()) {
            continue;
        }
        out.push(
            Finding::at(
                &UNSAFE_SYSCTL,
                object,
                &pod.spec_ptr(&format!("securityContext/sysctls/{i}/name")),
                format!("the pod sets sysctl {name}, which is outside the safe set"),
            )
            .with_evidence(name),
        );
    }
}

/// How a profile was set for a container: its type and the pointer of the setting.
struct Profile {
    kind: String,
    ptr: String,
}

/// The effective profile (`seccompProfile` or `appArmorProfile`): container field,
/// container annotation, pod field, pod annotation — the order in which the kubelet
/// resolved them while the annotations were honoured.
fn profile(
    pod: &Pod<'_>,
    c: &Container<'_>,
    field: &str,
    container_annotation: &str,
    pod_annotation: Option<&str>,
) -> Option<Profile> {
    let from_field = |v: &Value, ptr: String| {
        v.get("type").and_then(Value::as_str).map(|t| Profile {
            kind: t.to_string(),
            ptr: format!("{ptr}/type"),
        })
    };
    let from_annotation = |key: &str| {
        pod.annotation(key).map(|v| Profile {
            kind: v.to_string(),
            ptr: join_pointer(pod.template.metadata_ptr, &["annotations", key]),
        })
    };
    if let Some(p) = c
        .security(field)
        .and_then(|v| from_field(v, c.security_ptr(field)))
    {
        return Some(p);
    }
    if let Some(p) = from_annotation(&format!("{container_annotation}/{}", c.name)) {
        return Some(p);
    }
    if let Some(p) = pod
        .security(field)
        .and_then(|v| from_field(v, pod.spec_ptr(&format!("securityContext/{field}"))))
    {
        return Some(p);
    }
    pod_annotation.and_then(from_annotation)
}

/// KSP319.
pub(crate) fn check_seccomp(_: &Ctx<'_>, object: &Object, out: &mut Vec<Finding>) {
    let Some(pod) = Pod::of(object) else { return };
    if pod.is_windows() {
        return;
    }
    for c in &pod.containers {
        let p = profile(
            &pod,
            c,
            "seccompProfile",
            "container.seccomp.security.alpha.kubernetes.io",
            Some("seccomp.security.alpha.kubernetes.io/pod"),
        );
        match p {
            Some(p) => {
                let k = p.kind.as_str();
                let confined = k == "RuntimeDefault"
                    || k == "Localhost"
                    || k == "runtime/default"
                    || k == "docker/default"
                    || k.starts_with("localhost/");
                if !confined {
                    out.push(Finding::at(
                        &SECCOMP_NOT_ENFORCED,
                        object,
                        &p.ptr,
                        format!("{c} runs with seccomp profile {k}: no system call is filtered"),
                    ));
                }
            }
            None => out.push(Finding::at(
                &SECCOMP_NOT_ENFORCED,
                object,
                &c.security_ptr("seccompProfile"),
                format!(
                    "{c} has no seccomp profile (container or pod) and runs Unconfined unless the kubelet enforces a default"
                ),
            )),
        }
    }
}

/// KSP320.
pub(crate) fn check_apparmor(_: &Ctx<'_>, object: &Object, out: &mut Vec<Finding>) {
    let Some(pod) = Pod::of(object) else { return };
    if pod.is_windows() {
        return;
    }
    for c in &pod.containers {
        let p = profile(
            &pod,
            c,
            "appArmorProfile",
            "container.apparmor.security.beta.kubernetes.io",
            None,
        );
        if let Some(p) = p
            && p.kind.eq_ignore_ascii_case("unconfined")
        {
            out.push(Finding::at(
                &APPARMOR_UNCONFINED,
                object,
                &p.ptr,
                format!("{c} runs with AppArmor profile {}", p.kind),
            ));
        }
    }
}

/// KSP321.
pub(crate) fn check_proc_mount(_: &Ctx<'_>, object: &Object, out: &mut Vec<Finding>) {
    let Some(pod) = Pod::of(object) else { return };
    for c in &pod.containers {
        if c.security("procMount").and_then(Value::as_str) == Some("Unmasked") {
            out.push(Finding::at(
                &PROC_MOUNT_UNMASKED,
                object,
                &c.security_ptr("procMount"),
                format!("{c} mounts /proc unmasked (procMount: Unmasked)"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::dotted;

    #[test]
    fn slash_sysctls_are_dotted() {
        assert_eq!(dotted("net/ipv4/tcp_syncookies"), "net.ipv4.tcp_syncookies");
        assert_eq!(dotted("kernel.shm_rmid_forced"), "kernel.shm_rmid_forced");
        assert_eq!(
            dotted("net/ipv4/conf/eth0.100/x"),
            "net.ipv4.conf.eth0/100.x"
        );
    }
}
