//! `hostPathVolumes` (baseline): no volumes that mount a path of the node.

use crate::pss::Level;
use crate::pss::pod::Pod;
use crate::pss::registry::CheckInfo;
use crate::pss::value::{Text, field, items};
use crate::pss::violation::{Failure, Offenses};

pub(crate) const INFO: CheckInfo = CheckInfo {
    id: "hostPathVolumes",
    level: Level::Baseline,
    title: "Pods must not mount hostPath volumes",
    control: "HostPath Volumes",
    doc: r#"A `hostPath` volume mounts a file or directory of the node into the container.
With `/`, `/etc`, `/var/lib/kubelet` or the container runtime's socket
(`/run/containerd/containerd.sock`, `/var/run/docker.sock`) that is a complete node
takeover: read the kubelet's credentials and other pods' secrets, write a cron job
or an SSH key, or start a privileged container through the runtime. Even a
read-only mount leaks data, and symlink tricks have turned "harmless" paths into
escapes. Baseline forbids `hostPath` on every volume; at the restricted level
`restrictedVolumes` takes this check's place.

Before:
```yaml
volumes:
- name: data
  hostPath:
    path: /var/lib/app
```
After:
```yaml
volumes:
- name: data
  persistentVolumeClaim:
    claimName: app-data
```"#,
    since: &["v1.0"],
};

pub(crate) fn check(pod: &Pod, _minor: u32) -> Option<Failure> {
    let mut offenses = Offenses::new();
    for (pointer, volume) in items(field(pod.spec, "volumes"), "/volumes") {
        if let Some(host_path) = field(volume, "hostPath") {
            let path = Text::of(field(host_path, "path"));
            offenses.spec(
                format!("{pointer}/hostPath"),
                format!(
                    "volume {} mounts host path {}",
                    Text::of(field(volume, "name")).quoted(),
                    path.quoted()
                ),
            );
        }
    }
    offenses.finish("hostPath volumes")
}
