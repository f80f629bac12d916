//! `runAsUser` (restricted, v1.23+): no explicit UID 0.

use crate::pss::Level;
use crate::pss::pod::Pod;
use crate::pss::registry::CheckInfo;
use crate::pss::value::Int;
use crate::pss::violation::{Failure, Offenses};

pub(crate) const INFO: CheckInfo = CheckInfo {
    id: "runAsUser",
    level: Level::Restricted,
    title: "Pods and containers must not set runAsUser to 0",
    control: "Running as Non-root user",
    doc: r#"`runAsUser: 0` runs the container's processes as root whatever the image says,
with the same consequences as an image that defaults to root: any isolation gap
becomes root on the node. From v1.23 the restricted level forbids UID 0 in
`spec.securityContext.runAsUser` and in every container's
`securityContext.runAsUser`; unset or any other UID is fine. From v1.35 a pod with
`hostUsers: false` is exempt (its UID 0 maps to an unprivileged user on the node).
A quoted "0" is read as 0.

Before:
```yaml
securityContext:
  runAsUser: 0
```
After:
```yaml
securityContext:
  runAsUser: 10001
  runAsNonRoot: true
```"#,
    since: &["v1.23", "v1.35"],
};

pub(crate) fn check(pod: &Pod, minor: u32) -> Option<Failure> {
    if minor >= 35 && pod.in_user_namespace() {
        return None;
    }
    let mut offenses = Offenses::new();
    if Int::of(pod.security("runAsUser")) == Int::Zero {
        offenses.spec(
            "/securityContext/runAsUser",
            "the pod sets securityContext.runAsUser=0",
        );
    }
    for c in &pod.containers {
        if Int::of(c.security("runAsUser")) == Int::Zero {
            offenses.spec(
                c.security_pointer("runAsUser"),
                format!("{c} sets securityContext.runAsUser=0"),
            );
        }
    }
    offenses.finish("runAsUser=0")
}
