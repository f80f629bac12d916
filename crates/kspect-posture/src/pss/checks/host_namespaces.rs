//! `hostNamespaces` (baseline): no sharing of the node's network, PID or IPC namespace.

use crate::pss::Level;
use crate::pss::pod::Pod;
use crate::pss::registry::CheckInfo;
use crate::pss::value::{field, is_true};
use crate::pss::violation::{Failure, Offenses};

pub(crate) const INFO: CheckInfo = CheckInfo {
    id: "hostNamespaces",
    level: Level::Baseline,
    title: "Pods must not share the host's network, PID or IPC namespaces",
    control: "Host Namespaces",
    doc: r#"Namespaces are what make a container see its own network stack, process table
and IPC objects. `hostNetwork: true` puts the pod on the node's interfaces: it can
sniff node traffic, reach services bound to localhost (the kubelet's read-only
port, cloud metadata proxies, etcd on control-plane nodes) and bypass
NetworkPolicy. `hostPID: true` shows every process on the node, lets the pod read
their environment and, with ptrace, inject into them. `hostIPC: true` exposes the
node's shared memory segments. Each must be unset or `false`.

Before:
```yaml
spec:
  hostNetwork: true
  hostPID: true
```
After:
```yaml
spec:
  # remove hostNetwork/hostPID/hostIPC; expose ports through a Service instead
  containers:
  - name: agent
    image: registry.example/agent:3.1
```"#,
    since: &["v1.0"],
};

pub(crate) fn check(pod: &Pod, _minor: u32) -> Option<Failure> {
    let mut offenses = Offenses::new();
    for (key, what) in [
        ("hostNetwork", "the node's network namespace"),
        ("hostPID", "the node's process namespace"),
        ("hostIPC", "the node's IPC namespace"),
    ] {
        if is_true(field(pod.spec, key)) {
            offenses.spec(format!("/{key}"), format!("{key}=true shares {what}"));
        }
    }
    offenses.finish("host namespaces")
}
