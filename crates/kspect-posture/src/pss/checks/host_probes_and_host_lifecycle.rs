//! `hostProbesAndHostLifecycle` (baseline, v1.34+): probes and lifecycle hooks
//! may not direct the kubelet at an arbitrary host.

use crate::pss::Level;
use crate::pss::pod::{Container, Pod};
use crate::pss::registry::CheckInfo;
use crate::pss::value::{Text, field, path};
use crate::pss::violation::{Failure, Offenses};

pub(crate) const INFO: CheckInfo = CheckInfo {
    id: "hostProbesAndHostLifecycle",
    level: Level::Baseline,
    title: "Probes and lifecycle hooks must not set a host",
    control: "Host Probes / Lifecycle Hooks",
    doc: r#"HTTP and TCP probes and lifecycle hooks are executed by the kubelet, from the
node, against the pod's IP unless `host` says otherwise. Setting `host` turns the
kubelet into a request forwarder: a pod author can make the node connect to
`127.0.0.1` (node-local services such as the kubelet API or a cloud metadata
endpoint), or to any internal address the node can reach but the pod cannot, and
learn from probe results what answered (a server-side request forgery from the
node's network position). From v1.34 baseline requires `httpGet.host` and
`tcpSocket.host` to be unset or empty in `livenessProbe`, `readinessProbe`,
`startupProbe`, `lifecycle.postStart` and `lifecycle.preStop` of every container.

Before:
```yaml
livenessProbe:
  httpGet:
    host: 169.254.169.254
    path: /latest/meta-data/
    port: 80
```
After:
```yaml
livenessProbe:
  httpGet:
    path: /healthz   # probes the pod's own IP
    port: 8080
```"#,
    since: &["v1.34"],
};

const HANDLERS: &[(&[&str], &str)] = &[
    (&["livenessProbe"], "livenessProbe"),
    (&["readinessProbe"], "readinessProbe"),
    (&["startupProbe"], "startupProbe"),
    (&["lifecycle", "postStart"], "lifecycle/postStart"),
    (&["lifecycle", "preStop"], "lifecycle/preStop"),
];

fn check_container(c: &Container, offenses: &mut Offenses) {
    for (keys, pointer) in HANDLERS {
        let Some(handler) = path(c.value, keys) else {
            continue;
        };
        for action in ["httpGet", "tcpSocket"] {
            let host = Text::of(field(handler, action).and_then(|a| field(a, "host")));
            if !host.is_empty() {
                offenses.spec(
                    format!("{}/{pointer}/{action}/host", c.pointer),
                    format!(
                        "{c} points {}.{action}.host at {}",
                        pointer.replace('/', "."),
                        host.quoted()
                    ),
                );
            }
        }
    }
}

pub(crate) fn check(pod: &Pod, _minor: u32) -> Option<Failure> {
    let mut offenses = Offenses::new();
    for c in &pod.containers {
        check_container(c, &mut offenses);
    }
    offenses.finish("probe or lifecycle host")
}
