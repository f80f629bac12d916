//! Container privilege: privileged mode, privilege escalation, a writable root filesystem.

use kspect_core::{Finding, Object, Reference, Rule, Severity};

use super::Ctx;
use super::pod::{Pod, WORKLOAD_KINDS, is_false, is_true, show};
use super::refs;

/// KSP303: `privileged: true`.
pub static PRIVILEGED_CONTAINER: Rule = Rule {
    id: "KSP303",
    name: "privileged-container",
    title: "Container runs privileged",
    severity: Severity::Critical,
    category: "workload",
    kinds: WORKLOAD_KINDS,
    doc: r#"A container with `securityContext.privileged: true` runs with every capability, every
host device, and no seccomp, AppArmor or SELinux confinement.

## Why it matters
A privileged container is root on the node in all but name: it sees `/dev` of the
host, can mount the host's disks, load kernel modules and write to cgroup and
`/proc/sys` settings. Isolation between it and the node is a formality.

## What an attacker does
From a shell in the container: `mount /dev/sda1 /mnt` and edit the host's files,
write a cron job or an SSH key, or use the cgroup `release_agent` trick to run a
command on the host. From there: the kubelet's credentials, every other pod's
secrets, and the cluster.

## How to fix
Remove `privileged`; grant the one capability the workload needs instead, if any.

```yaml
# before
securityContext:
  privileged: true
# after
securityContext:
  privileged: false
  allowPrivilegeEscalation: false
  capabilities:
    drop: [ALL]
```
"#,
    remediation: "Remove securityContext.privileged (or set it to false) and add only the specific capabilities the container needs.",
    references: &[
        Reference::cis("5.2.2"),
        Reference::pss("Privileged Containers"),
        refs::ESCAPE_TO_HOST,
    ],
};

/// KSP304: `allowPrivilegeEscalation` not false.
pub static PRIVILEGE_ESCALATION_ALLOWED: Rule = Rule {
    id: "KSP304",
    name: "privilege-escalation-allowed",
    title: "Container allows privilege escalation",
    severity: Severity::Medium,
    category: "workload",
    kinds: WORKLOAD_KINDS,
    doc: r#"A container that does not set `allowPrivilegeEscalation: false` lets its processes
gain more privileges than their parent, through setuid binaries or file capabilities.

## Why it matters
The default is `true`: the kernel's `no_new_privs` flag is not set, so a setuid-root
binary in the image (`su`, `sudo`, `ping`, `mount` ...) runs as root even when the
container's user is not root. Running as non-root is only a barrier when escalation
is off.

## What an attacker does
An attacker with code execution as an unprivileged user runs a setuid binary of the
image (or exploits one) to become root inside the container, which then opens the
other escape routes: writable host mounts, capabilities, kernel exploits.

## How to fix
Set it to `false` on every container.

```yaml
# before
securityContext:
  runAsNonRoot: true
# after
securityContext:
  runAsNonRoot: true
  allowPrivilegeEscalation: false
```
"#,
    remediation: "Set securityContext.allowPrivilegeEscalation: false on every container.",
    references: &[
        Reference::cis("5.2.6"),
        Reference::pss("Privilege Escalation"),
        refs::PRIVILEGE_ESCALATION,
    ],
};

/// KSP305: `readOnlyRootFilesystem` not true.
pub static WRITABLE_ROOT_FILESYSTEM: Rule = Rule {
    id: "KSP305",
    name: "writable-root-filesystem",
    title: "Container root filesystem is writable",
    severity: Severity::Low,
    category: "workload",
    kinds: WORKLOAD_KINDS,
    doc: r#"A container without `readOnlyRootFilesystem: true` can write anywhere in its image's
filesystem.

## Why it matters
Most applications write only to a few known places (a cache, `/tmp`). A writable
root lets anything that runs in the container change its binaries, libraries and
configuration, and keep tools around for the life of the container.

## What an attacker does
After exploiting the application, an attacker downloads a toolkit, replaces a binary
the application executes, or edits its configuration so that the backdoor survives a
process restart. With a read-only root the same attack has to live in memory or in an
explicitly mounted, usually `noexec`-friendly, scratch volume.

## How to fix
Make the root read-only and mount `emptyDir` volumes where the application writes.

```yaml
# before
containers:
  - name: app
    image: registry.example.com/app:1.4.2
# after
containers:
  - name: app
    image: registry.example.com/app:1.4.2
    securityContext:
      readOnlyRootFilesystem: true
    volumeMounts:
      - name: tmp
        mountPath: /tmp
volumes:
  - name: tmp
    emptyDir: {}
```
"#,
    remediation: "Set securityContext.readOnlyRootFilesystem: true and mount emptyDir volumes for the paths the application writes to.",
    references: &[refs::IMPLANT_IMAGE, refs::IMPAIR_DEFENSES],
};

/// KSP303.
pub(crate) fn check_privileged(_: &Ctx<'_>, object: &Object, out: &mut Vec<Finding>) {
    let Some(pod) = Pod::of(object) else { return };
    for c in &pod.containers {
        if is_true(c.security("privileged")) {
            out.push(Finding::at(
                &PRIVILEGED_CONTAINER,
                object,
                &c.security_ptr("privileged"),
                format!("{c} runs privileged (securityContext.privileged: true)"),
            ));
        }
    }
}

/// KSP304.
pub(crate) fn check_escalation(_: &Ctx<'_>, object: &Object, out: &mut Vec<Finding>) {
    let Some(pod) = Pod::of(object) else { return };
    // Windows has no setuid and the field is rejected there.
    if pod.is_windows() {
        return;
    }
    for c in &pod.containers {
        let v = c.security("allowPrivilegeEscalation");
        if is_false(v) {
            continue;
        }
        let message = match v {
            Some(v) => format!("{c} sets allowPrivilegeEscalation: {}", show(v)),
            None => format!(
                "{c} does not set allowPrivilegeEscalation: false (the default lets setuid binaries gain privileges)"
            ),
        };
        out.push(Finding::at(
            &PRIVILEGE_ESCALATION_ALLOWED,
            object,
            &c.security_ptr("allowPrivilegeEscalation"),
            message,
        ));
    }
}

/// KSP305.
pub(crate) fn check_read_only_root(_: &Ctx<'_>, object: &Object, out: &mut Vec<Finding>) {
    let Some(pod) = Pod::of(object) else { return };
    // Windows containers do not support a read-only root filesystem.
    if pod.is_windows() {
        return;
    }
    for c in &pod.containers {
        let v = c.security("readOnlyRootFilesystem");
        if is_true(v) {
            continue;
        }
        let message = match v {
            Some(v) => format!("{c} sets readOnlyRootFilesystem: {}", show(v)),
            None => format!("{c} does not set readOnlyRootFilesystem: true"),
        };
        out.push(Finding::at(
            &WRITABLE_ROOT_FILESYSTEM,
            object,
            &c.security_ptr("readOnlyRootFilesystem"),
            message,
        ));
    }
}
