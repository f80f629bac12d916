//! `windowsHostProcess` (baseline): no Windows HostProcess containers.

use crate::pss::Level;
use crate::pss::pod::Pod;
use crate::pss::registry::CheckInfo;
use crate::pss::value::{field, is_true};
use crate::pss::violation::{Failure, Offenses};

pub(crate) const INFO: CheckInfo = CheckInfo {
    id: "windowsHostProcess",
    level: Level::Baseline,
    title: "Windows pods must not run HostProcess containers",
    control: "HostProcess",
    doc: r#"A Windows HostProcess container (`securityContext.windowsOptions.hostProcess:
true`) is not a container in any isolating sense: it runs directly on the node as a
host process, typically as SYSTEM or a node administrator account, with the node's
network and file system. It is the Windows equivalent of a privileged pod with
every host namespace. Baseline requires `hostProcess` to be unset or `false` at pod
level and in every container.

Before:
```yaml
securityContext:
  windowsOptions:
    hostProcess: true
    runAsUserName: "NT AUTHORITY\\SYSTEM"
```
After:
```yaml
securityContext:
  windowsOptions:
    runAsUserName: "ContainerUser"
```"#,
    since: &["v1.0"],
};

pub(crate) fn check(pod: &Pod, _minor: u32) -> Option<Failure> {
    let mut offenses = Offenses::new();
    let host_process = |options: Option<&serde_json::Value>| {
        is_true(options.and_then(|o| field(o, "hostProcess")))
    };
    if host_process(pod.security("windowsOptions")) {
        offenses.spec(
            "/securityContext/windowsOptions/hostProcess",
            "the pod sets securityContext.windowsOptions.hostProcess=true",
        );
    }
    for c in &pod.containers {
        if host_process(c.security("windowsOptions")) {
            offenses.spec(
                c.security_pointer("windowsOptions/hostProcess"),
                format!("{c} sets securityContext.windowsOptions.hostProcess=true"),
            );
        }
    }
    offenses.finish("hostProcess")
}
