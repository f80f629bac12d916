//! `capabilities_baseline` (baseline): containers may only add capabilities
//! from the runtime's default set.

use crate::pss::Level;
use crate::pss::pod::Pod;
use crate::pss::registry::CheckInfo;
use crate::pss::value::{Text, field, items};
use crate::pss::violation::{Failure, Offenses};

pub(crate) const INFO: CheckInfo = CheckInfo {
    id: "capabilities_baseline",
    level: Level::Baseline,
    title: "Containers must not add capabilities beyond the default set",
    control: "Capabilities",
    doc: r#"Linux capabilities split root's power into pieces. Container runtimes grant a
small default set (CHOWN, NET_BIND_SERVICE, SETUID and a few others); anything added
with `securityContext.capabilities.add` widens what a compromised process can do to
the node: SYS_ADMIN allows mounts and most container escapes, SYS_PTRACE lets it
read other processes' memory, NET_ADMIN/NET_RAW let it reconfigure or spoof
networking, SYS_MODULE loads kernel code. The baseline level allows `add` to name
only AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD,
NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID and SYS_CHROOT, spelled exactly
so (no `CAP_` prefix, upper case). `drop` is not looked at.

Before:
```yaml
securityContext:
  capabilities:
    add: ["SYS_ADMIN", "NET_ADMIN"]
```
After:
```yaml
securityContext:
  capabilities:
    drop: ["ALL"]
    add: ["NET_BIND_SERVICE"]   # only if the process binds a port below 1024
```"#,
    since: &["v1.0"],
};

const DEFAULT_CAPABILITIES: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

pub(crate) fn check(pod: &Pod, _minor: u32) -> Option<Failure> {
    let mut offenses = Offenses::new();
    for c in &pod.containers {
        let add = c
            .security("capabilities")
            .and_then(|caps| field(caps, "add"));
        for (pointer, cap) in items(add, &c.security_pointer("capabilities/add")) {
            let cap = Text::of(Some(cap));
            if !cap.is_one_of(DEFAULT_CAPABILITIES) {
                offenses.spec(
                    pointer,
                    format!(
                        "{c} adds capability {} outside the default set",
                        cap.quoted()
                    ),
                );
            }
        }
    }
    offenses.finish("non-default capabilities")
}
