//! `hostPorts` (baseline): containers may not bind ports on the node's interfaces.

use crate::pss::Level;
use crate::pss::pod::Pod;
use crate::pss::registry::CheckInfo;
use crate::pss::value::{Int, field, items};
use crate::pss::violation::{Failure, Offenses};

pub(crate) const INFO: CheckInfo = CheckInfo {
    id: "hostPorts",
    level: Level::Baseline,
    title: "Containers must not use hostPort",
    control: "Host Ports",
    doc: r#"`ports[].hostPort` binds the container port on the node's own address. That
bypasses Services and NetworkPolicy, exposes the workload on every network the node
is attached to, and lets a pod squat a port that a node agent or another workload
expects (intercepting its traffic). It also pins the pod to nodes where the port is
free. Every `hostPort` must be unset or `0`, in init, regular and ephemeral
containers.

Before:
```yaml
ports:
- containerPort: 8080
  hostPort: 80
```
After:
```yaml
ports:
- containerPort: 8080   # publish it with a Service (ClusterIP/LoadBalancer) instead
```"#,
    since: &["v1.0"],
};

pub(crate) fn check(pod: &Pod, _minor: u32) -> Option<Failure> {
    let mut offenses = Offenses::new();
    for c in &pod.containers {
        for (pointer, port) in items(field(c.value, "ports"), &format!("{}/ports", c.pointer)) {
            if let Int::NonZero(host_port) = Int::of(field(port, "hostPort")) {
                offenses.spec(
                    format!("{pointer}/hostPort"),
                    format!("{c} binds hostPort {host_port} on the node"),
                );
            }
        }
    }
    offenses.finish("hostPort")
}
