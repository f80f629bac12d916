//! Linux capabilities: dangerous ones added, and the default set not dropped.

use kspect_core::{Finding, Object, Reference, Rule, Severity};
use serde_json::Value;

use super::Ctx;
use super::pod::{Pod, WORKLOAD_KINDS};
use super::refs;

/// Capabilities that give a container a way to the node or to its neighbours, with
/// what each lets an attacker do.
const DANGEROUS: &[(&str, &str)] = &[
    ("ALL", "every capability, as good as privileged"),
    (
        "SYS_ADMIN",
        "mount filesystems, use cgroups and namespaces: the classic container escape",
    ),
    ("SYS_MODULE", "load kernel modules: code in the host kernel"),
    (
        "SYS_PTRACE",
        "trace and inject into other processes (all of the node's with hostPID)",
    ),
    ("SYS_RAWIO", "raw I/O on devices and ports"),
    ("SYS_BOOT", "reboot the node"),
    ("SYS_TIME", "set the node's clock"),
    ("SYS_RESOURCE", "override resource limits and quotas"),
    (
        "NET_ADMIN",
        "change interfaces, routes and firewall rules of the pod's (or node's) network",
    ),
    (
        "NET_RAW",
        "craft raw packets: ARP/DNS spoofing of neighbouring pods",
    ),
    ("BPF", "load eBPF programs into the kernel"),
    (
        "PERFMON",
        "kernel performance monitoring, with BPF a way into the kernel",
    ),
    (
        "DAC_READ_SEARCH",
        "open files by handle, bypassing directory permissions (the shocker escape)",
    ),
    ("MAC_ADMIN", "change the AppArmor/SELinux policy"),
    ("MAC_OVERRIDE", "bypass the AppArmor/SELinux policy"),
    (
        "SYSLOG",
        "read kernel addresses and logs from the kernel ring buffer",
    ),
    ("AUDIT_CONTROL", "turn kernel auditing off"),
    (
        "LINUX_IMMUTABLE",
        "change immutable and append-only file flags",
    ),
    ("CHECKPOINT_RESTORE", "checkpoint and restore processes"),
];

/// Normalises a capability name as the runtimes do: upper case, without `CAP_`.
fn normalise(cap: &str) -> String {
    let upper = cap.trim().to_ascii_uppercase();
    upper
        .strip_prefix("CAP_")
        .map(str::to_string)
        .unwrap_or(upper)
}

/// KSP308: a dangerous capability in `capabilities.add`.
pub static DANGEROUS_CAPABILITY: Rule = Rule {
    id: "KSP308",
    name: "dangerous-capability",
    title: "Container adds a dangerous Linux capability",
    severity: Severity::High,
    category: "workload",
    kinds: WORKLOAD_KINDS,
    doc: r#"A container that adds `SYS_ADMIN`, `SYS_MODULE`, `SYS_PTRACE`, `NET_ADMIN`, `NET_RAW`,
`BPF`, `DAC_READ_SEARCH`, `ALL` or another powerful capability gets a slice of root's
power over the kernel.

## Why it matters
Capabilities split root's privileges. The ones flagged here reach beyond the
container: `SYS_ADMIN` allows mounts and most of what a privileged container can do,
`SYS_MODULE` loads kernel code, `SYS_PTRACE` injects into processes, `NET_ADMIN` and
`NET_RAW` rewrite and spoof the network, `BPF` and `PERFMON` run programs in the
kernel, `DAC_READ_SEARCH` opens host files by handle.

## What an attacker does
With `SYS_ADMIN`, an attacker mounts a cgroup filesystem and uses `release_agent` to
run a command on the node; with `DAC_READ_SEARCH`, the "shocker" exploit reads
`/etc/shadow` of the host; with `NET_RAW`, they ARP-spoof a neighbouring pod and
intercept its traffic; with `SYS_PTRACE` and `hostPID`, they inject code into a host
process.

## How to fix
Drop everything and add back only what the application needs — usually nothing, or
`NET_BIND_SERVICE`.

```yaml
# before
securityContext:
  capabilities:
    add: [SYS_ADMIN, NET_RAW]
# after
securityContext:
  capabilities:
    drop: [ALL]
    add: [NET_BIND_SERVICE]
```
"#,
    remediation: "Remove the capability from securityContext.capabilities.add; drop ALL and add back only what is required.",
    references: &[
        Reference::cis("5.2.9"),
        Reference::pss("Capabilities"),
        refs::ESCAPE_TO_HOST,
        refs::NETWORK_SNIFFING,
    ],
};

/// KSP309: `capabilities.drop` does not contain `ALL`.
pub static CAPABILITIES_NOT_DROPPED: Rule = Rule {
    id: "KSP309",
    name: "capabilities-not-dropped",
    title: "Container does not drop all capabilities",
    severity: Severity::Low,
    category: "workload",
    kinds: WORKLOAD_KINDS,
    doc: r#"A container whose `securityContext.capabilities.drop` does not contain `ALL` keeps the
container runtime's default capability set.

## Why it matters
The default set of containerd and Docker includes `NET_RAW`, `CHOWN`,
`DAC_OVERRIDE`, `FOWNER`, `SETUID`, `SETGID`, `SETFCAP`, `MKNOD` and others. Few
applications need any of them, and each one is attack surface: `NET_RAW` enables
packet spoofing on the pod network, `SETUID`/`SETGID` make privilege changes possible,
`DAC_OVERRIDE` ignores file permissions.

## What an attacker does
An attacker in the container uses `NET_RAW` to ARP- or DNS-spoof other pods on the
same node, or `DAC_OVERRIDE` as root to read files the application never should, or
chains a default capability with a kernel bug (several kernel CVEs need only
`NET_RAW`).

## How to fix
Drop all, add back the few that are needed.

```yaml
# before
securityContext:
  allowPrivilegeEscalation: false
# after
securityContext:
  allowPrivilegeEscalation: false
  capabilities:
    drop: [ALL]
```
"#,
    remediation: "Set securityContext.capabilities.drop: [ALL] and add back only the capabilities the container needs.",
    references: &[
        Reference::cis("5.2.10"),
        Reference::pss("Capabilities (restricted)"),
        refs::NETWORK_SNIFFING,
    ],
};

/// KSP308.
pub(crate) fn check_added(_: &Ctx<'_>, object: &Object, out: &mut Vec<Finding>) {
    let Some(pod) = Pod::of(object) else { return };
    for c in &pod.containers {
        let added = c
            .security("capabilities")
            .and_then(|caps| caps.get("add"))
            .and_then(Value::as_array);
        for (i, cap) in added.into_iter().flatten().enumerate() {
            let Some(raw) = cap.as_str() else { continue };
            let name = normalise(raw);
            if let Some((_, why)) = DANGEROUS.iter().find(|(d, _)| *d == name) {
                out.push(
                    Finding::at(
                        &DANGEROUS_CAPABILITY,
                        object,
                        &c.security_ptr(&format!("capabilities/add/{i}")),
                        format!("{c} adds capability {name}: {why}"),
                    )
                    .with_evidence(raw),
                );
            }
        }
    }
}

/// KSP309.
pub(crate) fn check_drop_all(_: &Ctx<'_>, object: &Object, out: &mut Vec<Finding>) {
    let Some(pod) = Pod::of(object) else { return };
    // Windows containers have no Linux capabilities.
    if pod.is_windows() {
        return;
    }
    for c in &pod.containers {
        let dropped = c
            .security("capabilities")
            .and_then(|caps| caps.get("drop"))
            .and_then(Value::as_array);
        let drops_all = dropped
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .any(|cap| normalise(cap) == "ALL");
        if !drops_all {
            out.push(Finding::at(
                &CAPABILITIES_NOT_DROPPED,
                object,
                &c.security_ptr("capabilities/drop"),
                format!("{c} does not drop ALL capabilities and keeps the runtime's default set"),
            ));
        }
    }
}
