//! hostPath volumes: sensitive node directories, container runtime sockets, and
//! host directories mounted writable.

use kspect_core::{Finding, Object, Reference, Rule, Severity};
use serde_json::Value;

use super::Ctx;
use super::pod::{Pod, WORKLOAD_KINDS, is_true};
use super::refs;

/// Node paths whose exposure hands over the node (or its secrets), with what they hold.
/// A hostPath is sensitive when it is one of them, lies under one, or contains one.
const SENSITIVE: &[(&str, &str)] = &[
    ("/", "the node's whole filesystem"),
    ("/etc", "the node's configuration, users and kubeconfigs"),
    ("/proc", "every process and the kernel's tunables"),
    ("/sys", "kernel and cgroup settings (release_agent escapes)"),
    ("/dev", "the node's devices and disks"),
    ("/boot", "the node's kernel and boot loader"),
    ("/root", "root's home, SSH keys and credentials"),
    ("/home", "users' homes and SSH keys"),
    ("/usr", "the node's binaries"),
    ("/bin", "the node's binaries"),
    ("/sbin", "the node's binaries"),
    ("/lib", "the node's libraries and kernel modules"),
    (
        "/var/lib/kubelet",
        "the kubelet's credentials and every pod's volumes and secrets",
    ),
    ("/var/lib/docker", "every container's filesystem"),
    ("/var/lib/containerd", "every container's filesystem"),
    (
        "/var/lib/etcd",
        "the cluster's whole state, secrets included",
    ),
    (
        "/var/log",
        "node and pod logs (a symlink planted here makes the kubelet read any host file)",
    ),
];

/// Sockets of container runtimes: whoever can talk to one can start a privileged
/// container on the node. Both `/run` and the `/var/run` alias are listed.
const RUNTIME_SOCKETS: &[&str] = &[
    "/var/run/docker.sock",
    "/run/docker.sock",
    "/var/run/containerd/containerd.sock",
    "/run/containerd/containerd.sock",
    "/var/run/crio/crio.sock",
    "/run/crio/crio.sock",
    "/var/run/cri-dockerd.sock",
    "/run/cri-dockerd.sock",
    "/var/run/dockershim.sock",
    "/run/k3s/containerd/containerd.sock",
    "/var/run/podman/podman.sock",
    "/run/podman/podman.sock",
];

/// KSP315: a hostPath volume of a sensitive node directory.
pub static SENSITIVE_HOST_PATH: Rule = Rule {
    id: "KSP315",
    name: "sensitive-host-path",
    title: "Pod mounts a sensitive directory of the node",
    severity: Severity::High,
    category: "workload",
    kinds: WORKLOAD_KINDS,
    doc: r#"A `hostPath` volume of `/`, `/etc`, `/proc`, `/sys`, `/dev`, `/var/lib/kubelet`,
`/var/lib/etcd`, `/var/log`, the container runtime's state or another system directory
(or of a parent of one, like `/var`) gives the pod the node's own files.

## Why it matters
These directories hold what the node's security rests on: `/etc` has its users,
kubeconfigs and the kubelet's configuration; `/var/lib/kubelet` holds every pod's
projected service-account tokens and Secret volumes; `/proc` and `/sys` expose the
kernel's knobs; `/var/log` has been used to read arbitrary host files through the
kubelet's log endpoint. Even read-only, they leak credentials; read-write, they are
the node.

## What an attacker does
With `/` mounted, an attacker adds an SSH key to `/host/root/.ssh/authorized_keys` or
a cron job, then logs in to the node; with `/var/lib/kubelet`, they collect the
service-account tokens of every pod on the node and act as them against the API
server.

## How to fix
Use a ConfigMap, Secret, `emptyDir` or a PersistentVolumeClaim; a node agent that
really needs a host file should mount only that file, read-only.

```yaml
# before
volumes:
  - name: host
    hostPath:
      path: /
# after
volumes:
  - name: data
    persistentVolumeClaim:
      claimName: app-data
```
"#,
    remediation: "Replace the hostPath volume with a ConfigMap, Secret, emptyDir or PVC; if a host file is required, mount only that file, read-only.",
    references: &[
        Reference::cis("5.2.12"),
        Reference::pss("HostPath Volumes"),
        refs::ESCAPE_TO_HOST,
        refs::CREDENTIALS_IN_FILES,
    ],
};

/// KSP316: a hostPath volume that reaches a container runtime socket.
pub static RUNTIME_SOCKET: Rule = Rule {
    id: "KSP316",
    name: "container-runtime-socket",
    title: "Pod mounts the container runtime socket",
    severity: Severity::Critical,
    category: "workload",
    kinds: WORKLOAD_KINDS,
    doc: r#"A `hostPath` volume of `/var/run/docker.sock`, `/run/containerd/containerd.sock`, the
CRI-O socket or a directory that contains one lets the pod drive the node's container
runtime.

## Why it matters
The runtime's API has no authorization: any client can create a container with
`--privileged`, the host's root filesystem mounted and the host's namespaces — on
this node, outside Kubernetes' view, admission and audit log. `readOnly: true` does
not help: connecting to a socket is not a write to the filesystem.

## What an attacker does
`docker -H unix:///var/run/docker.sock run --privileged --pid=host -v /:/host alpine
chroot /host` — a root shell on the node in one command; with containerd,
`ctr`/`crictl` do the same.

## How to fix
Remove the mount. Build images with a rootless builder (BuildKit rootless, kaniko) and
read container metadata from the Kubernetes API instead.

```yaml
# before
volumes:
  - name: docker
    hostPath:
      path: /var/run/docker.sock
# after
volumes: []   # build with a rootless builder instead
```
"#,
    remediation: "Remove the hostPath volume of the runtime socket; use a rootless image builder or the Kubernetes API instead.",
    references: &[
        Reference::cis("5.2.12"),
        Reference::pss("HostPath Volumes"),
        refs::ESCAPE_TO_HOST,
        refs::DEPLOY_CONTAINER,
        refs::CONTAINER_ADMIN_COMMAND,
    ],
};

/// KSP317: a hostPath volume mounted without `readOnly: true`.
pub static WRITABLE_HOST_PATH: Rule = Rule {
    id: "KSP317",
    name: "writable-host-path",
    title: "Container mounts a host directory read-write",
    severity: Severity::Medium,
    category: "workload",
    kinds: WORKLOAD_KINDS,
    doc: r#"A container that mounts a `hostPath` volume without `readOnly: true` can change files
on the node.

## Why it matters
Whatever the path, a writable host mount is a channel out of the container: files
written there outlive the pod, are seen by the node's processes and by other pods
that mount the same path, and symlinks planted there are followed by host processes.

## What an attacker does
An attacker plants a binary, a configuration file or a symlink that a node process or
another, more privileged pod later reads or executes — a persistent foothold on the
node.

## How to fix
Mount it read-only, or use a volume type that is not the node's filesystem.

```yaml
# before
volumeMounts:
  - name: host-logs
    mountPath: /host/logs
# after
volumeMounts:
  - name: host-logs
    mountPath: /host/logs
    readOnly: true
```
"#,
    remediation: "Set readOnly: true on the volumeMount of the hostPath volume, or replace the hostPath with another volume type.",
    references: &[
        Reference::cis("5.2.12"),
        Reference::pss("HostPath Volumes"),
        refs::ESCAPE_TO_HOST,
    ],
};

/// Normalises an absolute path: collapses `//`, resolves `.` and `..`, drops a trailing `/`.
fn normalise(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

/// True when `path` is `base` or lies under it.
fn is_under(path: &str, base: &str) -> bool {
    base == "/"
        || path == base
        || path
            .strip_prefix(base)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// What a sensitive path exposes, when it is one.
fn sensitive(path: &str) -> Option<String> {
    // The deepest entry the path lies under; `/` counts only for itself, since every
    // path lies under it.
    let under = SENSITIVE
        .iter()
        .filter(|(base, _)| {
            if *base == "/" {
                path == "/"
            } else {
                is_under(path, base)
            }
        })
        .max_by_key(|(base, _)| base.len());
    if let Some((base, what)) = under {
        return Some(if path == *base {
            format!("exposes {what}")
        } else {
            format!("lies under {base}: {what}")
        });
    }
    let contained: Vec<&str> = SENSITIVE
        .iter()
        .filter(|(base, _)| is_under(base, path))
        .map(|(base, _)| *base)
        .collect();
    (!contained.is_empty()).then(|| format!("contains {}", contained.join(", ")))
}

/// The runtime socket a path reaches, when it does.
fn runtime_socket(path: &str) -> Option<&'static str> {
    // `/var` is not counted as containing `/var/run/...`: on current distributions
    // `/var/run` is a symlink to `/run`, which the mount does not follow to the host.
    RUNTIME_SOCKETS
        .iter()
        .find(|sock| is_under(sock, path) && path != "/var")
        .copied()
}

/// hostPath volumes of the pod: (index, volume name, normalised path).
fn host_paths<'a>(pod: &Pod<'a>) -> Vec<(usize, &'a str, String)> {
    pod.volumes()
        .filter_map(|(i, v)| {
            let path = v.pointer("/hostPath/path").and_then(Value::as_str)?;
            let name = v.get("name").and_then(Value::as_str).unwrap_or("");
            Some((i, name, normalise(path)))
        })
        .collect()
}

/// `mounted by container "a" (read-write at /host)`, or `not mounted by any container`.
fn mounted_by(pod: &Pod<'_>, volume: &str) -> String {
    let mounts: Vec<String> = pod
        .mounts_of(volume)
        .map(|(c, _, m)| {
            let at = m.get("mountPath").and_then(Value::as_str).unwrap_or("?");
            let mode = if is_true(m.get("readOnly")) {
                "read-only"
            } else {
                "read-write"
            };
            format!("{c} ({mode} at {at})")
        })
        .collect();
    if mounts.is_empty() {
        "not mounted by any container".to_string()
    } else {
        format!("mounted by {}", mounts.join(", "))
    }
}

/// KSP315.
pub(crate) fn check_sensitive(_: &Ctx<'_>, object: &Object, out: &mut Vec<Finding>) {
    let Some(pod) = Pod::of(object) else { return };
    for (i, name, path) in host_paths(&pod) {
        if let Some(what) = sensitive(&path) {
            out.push(
                Finding::at(
                    &SENSITIVE_HOST_PATH,
                    object,
                    &pod.spec_ptr(&format!("volumes/{i}/hostPath/path")),
                    format!(
                        "volume {name:?} mounts host path {path}, which {what}; {}",
                        mounted_by(&pod, name)
                    ),
                )
                .with_evidence(path),
            );
        }
    }
}

/// KSP316.
pub(crate) fn check_runtime_socket(_: &Ctx<'_>, object: &Object, out: &mut Vec<Finding>) {
    let Some(pod) = Pod::of(object) else { return };
    for (i, name, path) in host_paths(&pod) {
        if let Some(socket) = runtime_socket(&path) {
            let reach = if path == socket {
                format!("host path {path}")
            } else {
                format!("host path {path}, which contains {socket}")
            };
            out.push(
                Finding::at(
                    &RUNTIME_SOCKET,
                    object,
                    &pod.spec_ptr(&format!("volumes/{i}/hostPath/path")),
                    format!("volume {name:?} mounts {reach}; {}", mounted_by(&pod, name)),
                )
                .with_evidence(path),
            );
        }
    }
}

/// KSP317.
pub(crate) fn check_writable(_: &Ctx<'_>, object: &Object, out: &mut Vec<Finding>) {
    let Some(pod) = Pod::of(object) else { return };
    for (_, name, path) in host_paths(&pod) {
        for (c, j, m) in pod.mounts_of(name) {
            if is_true(m.get("readOnly")) {
                continue;
            }
            let at = m.get("mountPath").and_then(Value::as_str).unwrap_or("?");
            out.push(Finding::at(
                &WRITABLE_HOST_PATH,
                object,
                &format!("{}/volumeMounts/{j}", c.ptr),
                format!("{c} mounts host path {path} (volume {name:?}) read-write at {at}"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_normalised() {
        assert_eq!(normalise("/var//lib/kubelet/"), "/var/lib/kubelet");
        assert_eq!(normalise("/var/../etc/./x"), "/etc/x");
        assert_eq!(normalise("/"), "/");
        assert_eq!(normalise("//"), "/");
    }

    #[test]
    fn sensitivity() {
        assert!(sensitive("/").is_some());
        assert!(sensitive("/etc/kubernetes").is_some());
        assert!(sensitive("/var").is_some(), "contains /var/lib/kubelet");
        assert!(sensitive("/etcd-data").is_none(), "not under /etc");
        assert!(sensitive("/data/app").is_none());
        assert!(sensitive("/var/lib/app").is_none());
    }

    proptest::proptest! {
        #[test]
        fn normalise_is_idempotent_and_absolute(p in "[/a-z.]{0,40}") {
            let once = normalise(&p);
            proptest::prop_assert!(once.starts_with('/'));
            proptest::prop_assert!(!once.contains("//"));
            proptest::prop_assert_eq!(normalise(&once), once.clone());
            proptest::prop_assert!(is_under(&once, "/"));
        }
    }

    #[test]
    fn sockets() {
        assert_eq!(runtime_socket("/"), Some("/var/run/docker.sock"));
        assert_eq!(
            runtime_socket("/run/containerd"),
            Some("/run/containerd/containerd.sock")
        );
        assert_eq!(runtime_socket("/var"), None);
        assert_eq!(runtime_socket("/var/run/docker.sock.d"), None);
        assert_eq!(runtime_socket("/var/run/cilium"), None);
    }
}
