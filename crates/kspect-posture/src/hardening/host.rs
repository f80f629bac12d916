//! Sharing the node's namespaces and ports, and sharing one process namespace in a pod.

use kspect_core::{Finding, Object, Reference, Rule, Severity};
use serde_json::Value;

use super::Ctx;
use super::pod::{Pod, WORKLOAD_KINDS, is_true};
use super::refs;

/// KSP310: `hostPID: true`.
pub static HOST_PID: Rule = Rule {
    id: "KSP310",
    name: "host-pid",
    title: "Pod shares the host's process namespace",
    severity: Severity::High,
    category: "workload",
    kinds: WORKLOAD_KINDS,
    doc: r#"A pod with `hostPID: true` sees every process of the node, including other pods'
and the kubelet.

## Why it matters
In the host PID namespace, `ps` lists every process of the node, `/proc/<pid>/environ`
shows their environment (often secrets), and `/proc/<pid>/root` leads into their
filesystems when permissions allow. With `SYS_PTRACE` or as root, the container can
signal, trace and inject into those processes.

## What an attacker does
An attacker reads credentials from the environment of other containers' processes,
kills security agents, or — from a privileged container — runs
`nsenter --target 1 --mount --uts --ipc --net --pid -- bash` and gets a root shell on
the node.

## How to fix
Remove `hostPID`; node-monitoring agents that truly need it belong in a dedicated,
tightly controlled namespace.

```yaml
# before
spec:
  hostPID: true
# after
spec:
  hostPID: false
```
"#,
    remediation: "Remove spec.hostPID (or set it to false).",
    references: &[
        Reference::cis("5.2.3"),
        Reference::pss("Host Namespaces"),
        refs::ESCAPE_TO_HOST,
        refs::DISCOVERY,
    ],
};

/// KSP311: `hostIPC: true`.
pub static HOST_IPC: Rule = Rule {
    id: "KSP311",
    name: "host-ipc",
    title: "Pod shares the host's IPC namespace",
    severity: Severity::Medium,
    category: "workload",
    kinds: WORKLOAD_KINDS,
    doc: r#"A pod with `hostIPC: true` shares System V IPC and POSIX shared memory with every
process on the node.

## Why it matters
Shared memory segments and message queues of host processes and of other host-IPC
pods become readable and writable from the container (`ipcs -a` lists them,
`/dev/shm` is the node's).

## What an attacker does
An attacker reads data that host processes exchange through shared memory, tampers
with it, or exhausts the node's IPC resources.

## How to fix
Remove `hostIPC`.

```yaml
# before
spec:
  hostIPC: true
# after
spec:
  hostIPC: false
```
"#,
    remediation: "Remove spec.hostIPC (or set it to false).",
    references: &[
        Reference::cis("5.2.4"),
        Reference::pss("Host Namespaces"),
        refs::ESCAPE_TO_HOST,
    ],
};

/// KSP312: `hostNetwork: true`.
pub static HOST_NETWORK: Rule = Rule {
    id: "KSP312",
    name: "host-network",
    title: "Pod uses the host's network namespace",
    severity: Severity::High,
    category: "workload",
    kinds: WORKLOAD_KINDS,
    doc: r#"A pod with `hostNetwork: true` uses the node's network stack: its interfaces, its
ports and its loopback.

## Why it matters
NetworkPolicies do not apply to host-network pods. The container can bind any port of
the node, reach services listening on the node's `localhost` (kubelet read-only port,
local admin APIs, other host-network pods), and, with `NET_RAW`, sniff all of the
node's traffic.

## What an attacker does
An attacker reaches the node's loopback-only services, captures traffic of every pod
on the node with `tcpdump`, and talks to the cloud metadata service from the node's
identity, sidestepping any metadata firewall for pods.

## How to fix
Remove `hostNetwork`; expose ports through a Service instead.

```yaml
# before
spec:
  hostNetwork: true
# after
spec:
  hostNetwork: false
```
"#,
    remediation: "Remove spec.hostNetwork (or set it to false) and expose the workload through a Service.",
    references: &[
        Reference::cis("5.2.5"),
        Reference::pss("Host Namespaces"),
        refs::NETWORK_SNIFFING,
        refs::ESCAPE_TO_HOST,
    ],
};

/// KSP313: a container port with `hostPort`.
pub static HOST_PORT: Rule = Rule {
    id: "KSP313",
    name: "host-port",
    title: "Container binds a port of the node",
    severity: Severity::Medium,
    category: "workload",
    kinds: WORKLOAD_KINDS,
    doc: r#"A container port with `hostPort` is published on the node's own IP addresses.

## Why it matters
A host port bypasses the Service abstraction and, with most CNI plugins, the
NetworkPolicies that protect the pod: whoever reaches the node reaches the
container. It also ties the pod to nodes where the port is free.

## What an attacker does
An attacker on the node network (or the internet, for public nodes) connects straight
to the container's port, without going through an Ingress, a load balancer's source
ranges or a NetworkPolicy.

## How to fix
Remove `hostPort` and use a Service (ClusterIP, or a LoadBalancer with source ranges).

```yaml
# before
ports:
  - containerPort: 8080
    hostPort: 8080
# after
ports:
  - containerPort: 8080
```
"#,
    remediation: "Remove hostPort from the container's ports and expose the port through a Service.",
    references: &[
        Reference::cis("5.2.13"),
        Reference::pss("Host Ports"),
        refs::PUBLIC_FACING,
    ],
};

/// KSP314: `shareProcessNamespace: true`.
pub static SHARE_PROCESS_NAMESPACE: Rule = Rule {
    id: "KSP314",
    name: "share-process-namespace",
    title: "Containers of the pod share one process namespace",
    severity: Severity::Low,
    category: "workload",
    kinds: WORKLOAD_KINDS,
    doc: r#"A pod with `shareProcessNamespace: true` puts all its containers in one PID namespace.

## Why it matters
Every container then sees the processes of the others, their environment in
`/proc/<pid>/environ`, and their filesystems through `/proc/<pid>/root`. A weak
container (an exposed web front end) gains access to a strong one's secrets (a
sidecar holding credentials or a service mesh certificate).

## What an attacker does
From a compromised application container, an attacker reads the credentials and keys
of the sidecar containers and signals or traces their processes.

## How to fix
Remove it unless a debugging sidecar truly needs it, and then only temporarily.

```yaml
# before
spec:
  shareProcessNamespace: true
# after
spec:
  shareProcessNamespace: false
```
"#,
    remediation: "Remove spec.shareProcessNamespace (or set it to false).",
    references: &[
        Reference::docs(
            "Share Process Namespace between Containers in a Pod",
            "https://kubernetes.io/docs/tasks/configure-pod-container/share-process-namespace/",
        ),
        refs::CONTAINER_API_CREDENTIALS,
    ],
};

fn flag(rule: &'static Rule, key: &str, what: &str, object: &Object, out: &mut Vec<Finding>) {
    let Some(pod) = Pod::of(object) else { return };
    if is_true(pod.spec(key)) {
        out.push(Finding::at(
            rule,
            object,
            &pod.spec_ptr(key),
            format!("the pod sets {key}: true and {what}"),
        ));
    }
}

/// KSP310.
pub(crate) fn check_host_pid(_: &Ctx<'_>, object: &Object, out: &mut Vec<Finding>) {
    flag(
        &HOST_PID,
        "hostPID",
        "sees every process of the node",
        object,
        out,
    );
}

/// KSP311.
pub(crate) fn check_host_ipc(_: &Ctx<'_>, object: &Object, out: &mut Vec<Finding>) {
    flag(
        &HOST_IPC,
        "hostIPC",
        "shares IPC and shared memory with the node",
        object,
        out,
    );
}

/// KSP312.
pub(crate) fn check_host_network(_: &Ctx<'_>, object: &Object, out: &mut Vec<Finding>) {
    flag(
        &HOST_NETWORK,
        "hostNetwork",
        "uses the node's network stack, out of reach of NetworkPolicies",
        object,
        out,
    );
}

/// KSP314.
pub(crate) fn check_share_process(_: &Ctx<'_>, object: &Object, out: &mut Vec<Finding>) {
    flag(
        &SHARE_PROCESS_NAMESPACE,
        "shareProcessNamespace",
        "lets each container see the others' processes and files",
        object,
        out,
    );
}

/// KSP313.
pub(crate) fn check_host_port(_: &Ctx<'_>, object: &Object, out: &mut Vec<Finding>) {
    let Some(pod) = Pod::of(object) else { return };
    for c in &pod.containers {
        let ports = c.value.get("ports").and_then(Value::as_array);
        for (i, port) in ports.into_iter().flatten().enumerate() {
            let Some(host_port) = port.get("hostPort").and_then(Value::as_i64) else {
                continue;
            };
            if host_port == 0 {
                continue;
            }
            out.push(Finding::at(
                &HOST_PORT,
                object,
                &format!("{}/ports/{i}/hostPort", c.ptr),
                format!("{c} binds port {host_port} of the node (hostPort)"),
            ));
        }
    }
}
