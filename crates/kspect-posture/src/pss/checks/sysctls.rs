//! `sysctls` (baseline): only namespaced sysctls known to be safe.

use crate::pss::Level;
use crate::pss::pod::Pod;
use crate::pss::registry::CheckInfo;
use crate::pss::value::{Text, field, items};
use crate::pss::violation::{Failure, Offenses};

pub(crate) const INFO: CheckInfo = CheckInfo {
    id: "sysctls",
    level: Level::Baseline,
    title: "Pods may only set the safe sysctls",
    control: "Sysctls",
    doc: r#"`spec.securityContext.sysctls` changes kernel parameters for the pod. Some are
isolated per network or IPC namespace and harmless; others are global to the node
or let one pod exhaust resources others share (`kernel.msgmax`, `vm.*`,
`net.core.*`, `kernel.core_pattern` which has been used for escapes). Baseline
allows only an allowlist of names (values are not checked), which grows with the
version: from v1.0 `kernel.shm_rmid_forced`, `net.ipv4.ip_local_port_range`,
`net.ipv4.tcp_syncookies`, `net.ipv4.ping_group_range`,
`net.ipv4.ip_unprivileged_port_start`; v1.27 adds
`net.ipv4.ip_local_reserved_ports`; v1.29 adds `net.ipv4.tcp_keepalive_time`,
`net.ipv4.tcp_fin_timeout`, `net.ipv4.tcp_keepalive_intvl`,
`net.ipv4.tcp_keepalive_probes`; v1.32 adds `net.ipv4.tcp_rmem` and
`net.ipv4.tcp_wmem`; v1.37 adds `net.ipv4.tcp_slow_start_after_idle` and
`net.ipv4.tcp_notsent_lowat`.

Before:
```yaml
securityContext:
  sysctls:
  - name: kernel.msgmax
    value: "65536"
```
After:
```yaml
securityContext:
  sysctls:
  - name: net.ipv4.ip_local_port_range
    value: "1024 65535"
```"#,
    since: &["v1.0", "v1.27", "v1.29", "v1.32", "v1.37"],
};

/// Each entry: the version that allowed it.
const ALLOWED: &[(u32, &str)] = &[
    (0, "kernel.shm_rmid_forced"),
    (0, "net.ipv4.ip_local_port_range"),
    (0, "net.ipv4.tcp_syncookies"),
    (0, "net.ipv4.ping_group_range"),
    (0, "net.ipv4.ip_unprivileged_port_start"),
    (27, "net.ipv4.ip_local_reserved_ports"),
    (29, "net.ipv4.tcp_keepalive_time"),
    (29, "net.ipv4.tcp_fin_timeout"),
    (29, "net.ipv4.tcp_keepalive_intvl"),
    (29, "net.ipv4.tcp_keepalive_probes"),
    (32, "net.ipv4.tcp_rmem"),
    (32, "net.ipv4.tcp_wmem"),
    (37, "net.ipv4.tcp_slow_start_after_idle"),
    (37, "net.ipv4.tcp_notsent_lowat"),
];

fn allowed(name: &str, minor: u32) -> bool {
    ALLOWED
        .iter()
        .any(|&(since, allowed)| minor >= since && allowed == name)
}

pub(crate) fn check(pod: &Pod, minor: u32) -> Option<Failure> {
    let mut offenses = Offenses::new();
    let base = "/securityContext/sysctls";
    for (pointer, sysctl) in items(pod.security("sysctls"), base) {
        let name = Text::of(field(sysctl, "name"));
        if !name.as_str().is_some_and(|n| allowed(n, minor)) {
            offenses.spec(
                format!("{pointer}/name"),
                format!(
                    "the pod sets sysctl {}, which is not allowed at this version",
                    name.quoted()
                ),
            );
        }
    }
    offenses.finish("forbidden sysctls")
}
