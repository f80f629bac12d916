//! `allowPrivilegeEscalation` (restricted): every container must opt out of
//! gaining privileges through setuid binaries or file capabilities.

use crate::pss::Level;
use crate::pss::pod::Pod;
use crate::pss::registry::CheckInfo;
use crate::pss::value::{Text, is_false};
use crate::pss::violation::{Failure, Offenses};

pub(crate) const INFO: CheckInfo = CheckInfo {
    id: "allowPrivilegeEscalation",
    level: Level::Restricted,
    title: "Containers must set allowPrivilegeEscalation to false",
    control: "Privilege Escalation",
    doc: r#"Linux lets a process gain more privileges than its parent when it executes a
setuid or setgid binary or a file with capabilities attached. The kernel's
`no_new_privs` flag switches that off, and Kubernetes sets it when a container has
`allowPrivilegeEscalation: false`. The default is `true`, so an attacker who gets a
shell in a container as an unprivileged user can still run a setuid-root helper
(`su`, `sudo`, `ping` on old images, or a binary they planted with the bit set in a
writable volume) and become root inside the container, one step from the node.
The restricted level therefore requires the field to be explicitly `false` in
every init, regular and ephemeral container; leaving it out is a violation.
From v1.25 pods with `spec.os.name: windows` are exempt (the field has no meaning there).

Before:
```yaml
containers:
- name: app
  image: registry.example/app:1.4.2
```
After:
```yaml
containers:
- name: app
  image: registry.example/app:1.4.2
  securityContext:
    allowPrivilegeEscalation: false
```"#,
    since: &["v1.8", "v1.25"],
};

pub(crate) fn check(pod: &Pod, minor: u32) -> Option<Failure> {
    if minor >= 25 && pod.is_windows() {
        return None;
    }
    let mut offenses = Offenses::new();
    for c in &pod.containers {
        let value = c.security("allowPrivilegeEscalation");
        if is_false(value) {
            continue;
        }
        let sentence = match value {
            None => format!("{c} does not set securityContext.allowPrivilegeEscalation=false"),
            Some(v) => format!(
                "{c} sets securityContext.allowPrivilegeEscalation to {} instead of false",
                Text::of(Some(v)).quoted()
            ),
        };
        offenses.spec(c.security_pointer("allowPrivilegeEscalation"), sentence);
    }
    offenses.finish("allowPrivilegeEscalation != false")
}
