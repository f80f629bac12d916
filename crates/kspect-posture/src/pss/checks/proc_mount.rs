//! `procMount` (baseline) and `procMount_restricted` (restricted): /proc must
//! keep its default masking.

use crate::pss::Level;
use crate::pss::pod::Pod;
use crate::pss::registry::CheckInfo;
use crate::pss::value::Text;
use crate::pss::violation::{Failure, Offenses};

pub(crate) const INFO: CheckInfo = CheckInfo {
    id: "procMount",
    level: Level::Baseline,
    title: "Containers must use the default /proc mount",
    control: "/proc Mount Type",
    doc: r#"Container runtimes mask and make read-only the parts of /proc that expose the
host kernel (`/proc/kcore`, `/proc/sysrq-trigger`, `/proc/sys` and others).
`securityContext.procMount: Unmasked` removes those masks, giving the container a
view of, and sometimes write access to, kernel state that enables information
leaks and escapes. Baseline allows only an unset value or `Default`. From v1.35
a pod with `hostUsers: false` may use any procMount: in a user namespace root in
the container is an unprivileged user on the node, and the kernel itself limits
what an unmasked /proc permits. (`procMount_restricted` keeps the strict rule at
the restricted level.)

Before:
```yaml
securityContext:
  procMount: Unmasked
```
After:
```yaml
securityContext:
  procMount: Default   # or remove the field
```"#,
    since: &["v1.0", "v1.35"],
};

pub(crate) const RESTRICTED_INFO: CheckInfo = CheckInfo {
    id: "procMount_restricted",
    level: Level::Restricted,
    title: "Containers must use the default /proc mount, even in a user namespace",
    control: "/proc Mount Type",
    doc: r#"The restricted counterpart of `procMount`: `securityContext.procMount` must be
unset or `Default` in every container, whatever `spec.hostUsers` says. User
namespaces reduce the damage an unmasked /proc can do, but the restricted profile
does not rely on them: an unmasked /proc still exposes kernel and node details
that help an attacker plan the next step. From v1.35 it replaces `procMount` at
the restricted level.

Before:
```yaml
spec:
  hostUsers: false
  containers:
  - name: builder
    securityContext:
      procMount: Unmasked
```
After:
```yaml
spec:
  hostUsers: false
  containers:
  - name: builder
    securityContext: {}   # procMount left at Default
```"#,
    since: &["v1.35"],
};

fn default_only(pod: &Pod) -> Option<Failure> {
    let mut offenses = Offenses::new();
    for c in &pod.containers {
        // Only a set value other than "Default" offends; null is unset.
        let Some(value) = c.security("procMount") else {
            continue;
        };
        let value = Text::of(Some(value));
        if !value.is_one_of(&["Default"]) {
            offenses.spec(
                c.security_pointer("procMount"),
                format!("{c} sets securityContext.procMount to {}", value.quoted()),
            );
        }
    }
    offenses.finish("procMount")
}

/// Baseline: from v1.35 a pod in a user namespace may unmask /proc.
pub(crate) fn check(pod: &Pod, minor: u32) -> Option<Failure> {
    if minor >= 35 && pod.in_user_namespace() {
        return None;
    }
    default_only(pod)
}

/// Restricted: no relaxation.
pub(crate) fn check_restricted(pod: &Pod, _minor: u32) -> Option<Failure> {
    default_only(pod)
}
