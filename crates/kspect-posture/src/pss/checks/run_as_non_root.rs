//! `runAsNonRoot` (restricted): every container must be required to run as a non-root user.

use crate::pss::Level;
use crate::pss::pod::Pod;
use crate::pss::registry::CheckInfo;
use crate::pss::value::{is_false, is_true, quote_all};
use crate::pss::violation::{Failure, Offenses};

pub(crate) const INFO: CheckInfo = CheckInfo {
    id: "runAsNonRoot",
    level: Level::Restricted,
    title: "Containers must set runAsNonRoot to true",
    control: "Running as Non-root",
    doc: r#"Most images still default to UID 0. Root inside a container is the same UID 0
as on the node unless user namespaces are in use, so any weakness in the isolation
(a writable hostPath, a kernel bug, a leaked runtime socket, a misconfigured
capability) becomes node root. `runAsNonRoot: true` makes the kubelet refuse to
start a container whose effective user would be 0. The restricted level requires
it on the pod (`spec.securityContext.runAsNonRoot`, inherited by every container)
or on each container, and forbids an explicit `false` anywhere. `runAsUser` does
not count: only this field is checked. From v1.35 a pod with `hostUsers: false`
is exempt, since its root is an unprivileged user on the node. Only a literal
boolean counts (a quoted "true" is treated as unset).

Before:
```yaml
spec:
  containers:
  - name: api
    image: registry.example/api:5.2
```
After:
```yaml
spec:
  securityContext:
    runAsNonRoot: true
    runAsUser: 10001     # and build the image with a non-root USER
  containers:
  - name: api
    image: registry.example/api:5.2
```"#,
    since: &["v1.0", "v1.35"],
};

pub(crate) fn check(pod: &Pod, minor: u32) -> Option<Failure> {
    if minor >= 35 && pod.in_user_namespace() {
        return None;
    }
    let pod_value = pod.security("runAsNonRoot");
    let mut explicit = Offenses::new();
    if is_false(pod_value) {
        explicit.spec(
            "/securityContext/runAsNonRoot",
            "the pod sets securityContext.runAsNonRoot=false",
        );
    }
    let pod_requires = is_true(pod_value);
    let mut implicit = Vec::new();
    for c in &pod.containers {
        let value = c.security("runAsNonRoot");
        if is_false(value) {
            explicit.spec(
                c.security_pointer("runAsNonRoot"),
                format!("{c} sets securityContext.runAsNonRoot=false"),
            );
        } else if !is_true(value) && !pod_requires {
            implicit.push(c);
        }
    }
    // Explicit `false` settings are the first thing to fix; containers that merely
    // lack the setting are named after them.
    if !implicit.is_empty() {
        let names: Vec<&str> = implicit.iter().map(|c| c.name.as_str()).collect();
        let (noun, verb) = if names.len() == 1 {
            ("container", "sets")
        } else {
            ("containers", "set")
        };
        explicit.spec(
            "/securityContext/runAsNonRoot",
            format!(
                "neither the pod nor {noun} {} {verb} securityContext.runAsNonRoot=true",
                quote_all(&names)
            ),
        );
    }
    explicit.finish("runAsNonRoot != true")
}
