//! `capabilities_restricted` (restricted): drop every capability, add back at
//! most NET_BIND_SERVICE.

use crate::pss::Level;
use crate::pss::pod::Pod;
use crate::pss::registry::CheckInfo;
use crate::pss::value::{Text, field, items};
use crate::pss::violation::{Failure, Offenses};

pub(crate) const INFO: CheckInfo = CheckInfo {
    id: "capabilities_restricted",
    level: Level::Restricted,
    title: "Containers must drop ALL capabilities and add only NET_BIND_SERVICE",
    control: "Capabilities",
    doc: r#"Even the runtime's default capability set hands a compromised process tools it
rarely needs: DAC_OVERRIDE ignores file permissions, CHOWN/FOWNER take over files,
SETUID/SETGID switch identities, MKNOD creates device nodes, NET_RAW crafts packets
for spoofing on the pod network. The restricted level requires every container
(init, regular and ephemeral) to list `ALL` in `securityContext.capabilities.drop`
and to add nothing but `NET_BIND_SERVICE`. A container without a securityContext or
without `capabilities` fails, because nothing is dropped. Overrides
`capabilities_baseline` at the restricted level from v1.22; from v1.25 pods with
`spec.os.name: windows` are exempt.

Before:
```yaml
containers:
- name: web
  image: registry.example/web:2.0
```
After:
```yaml
containers:
- name: web
  image: registry.example/web:2.0
  securityContext:
    capabilities:
      drop: ["ALL"]
      add: ["NET_BIND_SERVICE"]   # optional
```"#,
    since: &["v1.22", "v1.25"],
};

pub(crate) fn check(pod: &Pod, minor: u32) -> Option<Failure> {
    if minor >= 25 && pod.is_windows() {
        return None;
    }
    let mut offenses = Offenses::new();
    for c in &pod.containers {
        let drop_pointer = c.security_pointer("capabilities/drop");
        let Some(caps) = c.security("capabilities") else {
            offenses.spec(
                drop_pointer,
                format!("{c} sets no securityContext.capabilities, so it does not set capabilities.drop=[\"ALL\"]"),
            );
            continue;
        };
        let drops_all = items(field(caps, "drop"), &drop_pointer)
            .iter()
            .any(|(_, cap)| matches!(Text::of(Some(cap)), Text::Str("ALL")));
        if !drops_all {
            offenses.spec(
                drop_pointer,
                format!("{c} does not list \"ALL\" in securityContext.capabilities.drop"),
            );
        }
        for (pointer, cap) in items(field(caps, "add"), &c.security_pointer("capabilities/add")) {
            let cap = Text::of(Some(cap));
            if !matches!(cap, Text::Str("NET_BIND_SERVICE")) {
                offenses.spec(
                    pointer,
                    format!(
                        "{c} adds capability {} (only \"NET_BIND_SERVICE\" may be added)",
                        cap.quoted()
                    ),
                );
            }
        }
    }
    offenses.finish("unrestricted capabilities")
}
