//! `privileged` (baseline): no privileged containers.

use crate::pss::Level;
use crate::pss::pod::Pod;
use crate::pss::registry::CheckInfo;
use crate::pss::value::is_true;
use crate::pss::violation::{Failure, Offenses};

pub(crate) const INFO: CheckInfo = CheckInfo {
    id: "privileged",
    level: Level::Baseline,
    title: "Containers must not run privileged",
    control: "Privileged Containers",
    doc: r#"`securityContext.privileged: true` disables almost every isolation mechanism a
container has: all capabilities, every device under /dev, no seccomp or AppArmor
confinement, writable /sys. From a privileged container an attacker mounts the
node's disk (`mount /dev/sda1 /mnt`), loads kernel modules or uses the cgroup
release_agent trick, and owns the node and every pod on it. Baseline requires the
field to be unset or `false` in every init, regular and ephemeral container. Only
a literal boolean `true` counts as privileged (a quoted "true" would be rejected
by the API server before admission).

Before:
```yaml
securityContext:
  privileged: true
```
After:
```yaml
securityContext:
  privileged: false
  capabilities:
    add: ["NET_BIND_SERVICE"]   # grant the one capability actually needed instead
```"#,
    since: &["v1.0"],
};

pub(crate) fn check(pod: &Pod, _minor: u32) -> Option<Failure> {
    let mut offenses = Offenses::new();
    for c in &pod.containers {
        if is_true(c.security("privileged")) {
            offenses.spec(
                c.security_pointer("privileged"),
                format!("{c} sets securityContext.privileged=true"),
            );
        }
    }
    offenses.finish("privileged")
}
