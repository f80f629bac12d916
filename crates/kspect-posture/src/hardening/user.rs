//! The user a container runs as: UID 0, or no guarantee that it is not root.
//!
//! The container's `securityContext` overrides the pod's. A pod with its own user
//! namespace (`hostUsers: false`) maps UID 0 to an unprivileged host UID, so, as the
//! Pod Security Standards do, these rules leave it alone.

use kspect_core::{Finding, Object, Reference, Rule, Severity};

use super::Ctx;
use super::pod::{Pod, WORKLOAD_KINDS, is_false, is_true, show};
use super::refs;

/// KSP306: `runAsUser: 0`.
pub static RUN_AS_ROOT: Rule = Rule {
    id: "KSP306",
    name: "run-as-root",
    title: "Container runs as UID 0 (root)",
    severity: Severity::High,
    category: "workload",
    kinds: WORKLOAD_KINDS,
    doc: r#"A container whose effective `runAsUser` is `0` runs its processes as root.

## Why it matters
Root in a container is the same UID as root on the node (unless the pod uses a user
namespace). Every file of the host that leaks into the container — a hostPath, a
mounted socket, a misconfigured volume — is then fully writable, and a kernel or
runtime vulnerability that breaks out of the container lands as root on the node.

## What an attacker does
After exploiting the application, an attacker already has root inside: they install
packages, read every file of the image and its volumes, and need only one container
escape bug (for example CVE-2019-5736 in runc) to own the node.

## How to fix
Run as a dedicated non-zero UID, and make the kubelet refuse root.

```yaml
# before
securityContext:
  runAsUser: 0
# after
securityContext:
  runAsUser: 10001
  runAsGroup: 10001
  runAsNonRoot: true
```
"#,
    remediation: "Set securityContext.runAsUser to a non-zero UID (and runAsNonRoot: true); build the image with a non-root USER.",
    references: &[
        Reference::cis("5.2.7"),
        Reference::pss("Running as Non-root user"),
        refs::PRIVILEGE_ESCALATION,
        refs::ESCAPE_TO_HOST,
    ],
};

/// KSP307: neither `runAsNonRoot: true` nor a non-zero `runAsUser`.
pub static RUN_AS_NON_ROOT_NOT_SET: Rule = Rule {
    id: "KSP307",
    name: "run-as-non-root-not-enforced",
    title: "Container may run as root (runAsNonRoot not set)",
    severity: Severity::Medium,
    category: "workload",
    kinds: WORKLOAD_KINDS,
    doc: r#"A container with neither `runAsNonRoot: true` nor a non-zero `runAsUser` (on the
container or the pod) runs as whatever user its image names — root for most images.

## Why it matters
Without `runAsNonRoot: true` nothing stops the container from starting as UID 0: a
new image version that drops its `USER` line, or an image without one, silently runs
as root. With it, the kubelet refuses to start a container whose user is root.

## What an attacker does
An attacker who lands in a root container can modify the image's files, use the
default capabilities root gets (CHOWN, DAC_OVERRIDE, SETUID ...), and turn any
container escape into root on the node.

## How to fix
Require non-root at the pod level, and give a concrete UID.

```yaml
# before
spec:
  containers:
    - name: app
      image: registry.example.com/app:1.4.2
# after
spec:
  securityContext:
    runAsNonRoot: true
    runAsUser: 10001
  containers:
    - name: app
      image: registry.example.com/app:1.4.2
```
"#,
    remediation: "Set securityContext.runAsNonRoot: true on the pod (or every container), with a non-zero runAsUser.",
    references: &[
        Reference::cis("5.2.7"),
        Reference::pss("Running as Non-root"),
        refs::PRIVILEGE_ESCALATION,
    ],
};

fn applies(pod: &Pod<'_>) -> bool {
    !pod.is_windows() && !is_false(pod.spec("hostUsers"))
}

fn where_set(ptr: &str) -> &'static str {
    if ptr.contains("Containers/") || ptr.contains("containers/") {
        "container securityContext"
    } else {
        "pod securityContext"
    }
}

/// KSP306.
pub(crate) fn check_root_uid(_: &Ctx<'_>, object: &Object, out: &mut Vec<Finding>) {
    let Some(pod) = Pod::of(object) else { return };
    if !applies(&pod) {
        return;
    }
    for c in &pod.containers {
        if let Some((v, ptr)) = pod.effective(c, "runAsUser")
            && v.as_i64() == Some(0)
        {
            let message = format!(
                "{c} runs as UID 0 (runAsUser: 0 in the {})",
                where_set(&ptr)
            );
            out.push(Finding::at(&RUN_AS_ROOT, object, &ptr, message));
        }
    }
}

/// KSP307.
pub(crate) fn check_run_as_non_root(_: &Ctx<'_>, object: &Object, out: &mut Vec<Finding>) {
    let Some(pod) = Pod::of(object) else { return };
    if !applies(&pod) {
        return;
    }
    for c in &pod.containers {
        let non_root = pod.effective(c, "runAsNonRoot");
        if is_true(non_root.as_ref().map(|(v, _)| *v)) {
            continue;
        }
        // A non-zero UID is not root; UID 0 is KSP306's finding.
        if pod.effective(c, "runAsUser").is_some() {
            continue;
        }
        let (ptr, message) = match non_root {
            Some((v, ptr)) => {
                let message = format!(
                    "{c} sets runAsNonRoot: {} and no runAsUser, so the image's user (often root) applies",
                    show(v)
                );
                (ptr, message)
            }
            None => (
                c.security_ptr("runAsNonRoot"),
                format!(
                    "{c} sets neither runAsNonRoot: true nor runAsUser (on the container or the pod), so the image's user (often root) applies"
                ),
            ),
        };
        out.push(Finding::at(&RUN_AS_NON_ROOT_NOT_SET, object, &ptr, message));
    }
}
