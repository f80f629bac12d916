//! CPU and memory requests and limits.
//!
//! A value counts as set when the container writes it, when the pod sets pod-level
//! `resources`, or when a `LimitRange` of the same namespace in the input defaults it
//! (the API server copies `default` into limits, `max` into `default` when `default` is
//! absent, and `default` into `defaultRequest` when that is absent); and a missing
//! request defaults to the container's own limit.

use std::collections::BTreeSet;

use kspect_core::{Finding, Object, Reference, Rule, Severity};
use serde_json::Value;

use super::Ctx;
use super::pod::{Container, Pod, WORKLOAD_KINDS};
use super::refs;

const RESOURCES: [(&str, &str); 2] = [("memory", "memory"), ("cpu", "CPU")];

/// KSP301: a container without a CPU or memory limit.
pub static MISSING_RESOURCE_LIMITS: Rule = Rule {
    id: "KSP301",
    name: "missing-resource-limits",
    title: "Container has no CPU or memory limit",
    severity: Severity::Medium,
    category: "workload",
    kinds: WORKLOAD_KINDS,
    doc: r#"A container without `resources.limits.memory` or `resources.limits.cpu` can use
as much of the node as it likes: its cgroup has no ceiling.

## Why it matters
Limits are what the kernel enforces. Without a memory limit a leaking or hostile
container pushes the node into memory pressure, and the kubelet evicts its neighbours
(or the kernel OOM-kills them). Without a CPU limit it can starve every other pod on
the node. A LimitRange in the namespace can supply defaults; kspect counts one when it
is part of the input.

## What an attacker does
After gaining code execution in the pod, an attacker runs a cryptominer at full speed
on the node's CPUs (resource hijacking), or allocates memory until the node evicts
other workloads — a denial of service that reaches beyond the compromised pod.

## How to fix
Set limits on every container (and init container), or give the namespace a
LimitRange with defaults.

```yaml
# before
containers:
  - name: app
    image: registry.example.com/app:1.4.2
# after
containers:
  - name: app
    image: registry.example.com/app:1.4.2
    resources:
      limits:
        memory: 256Mi
        cpu: 500m
```
"#,
    remediation: "Set resources.limits.memory and resources.limits.cpu on every container, or add a LimitRange with default limits to the namespace.",
    references: &[
        Reference::docs(
            "Resource Management for Pods and Containers",
            "https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/",
        ),
        refs::RESOURCE_HIJACKING,
        refs::DENIAL_OF_SERVICE,
    ],
};

/// KSP302: a container without a CPU or memory request.
pub static MISSING_RESOURCE_REQUESTS: Rule = Rule {
    id: "KSP302",
    name: "missing-resource-requests",
    title: "Container has no CPU or memory request",
    severity: Severity::Low,
    category: "workload",
    kinds: WORKLOAD_KINDS,
    doc: r#"A container without `resources.requests` (and no limit for the request to default
to) is scheduled as if it needed nothing, and is the first to be evicted.

## Why it matters
Requests decide where a pod is scheduled and its quality-of-service class. A pod
with neither requests nor limits is `BestEffort`: under node pressure it is killed
first, and the scheduler packs nodes beyond what they can hold. The same
over-commitment is what lets a noisy neighbour degrade everything on a node.

## What an attacker does
An attacker who can create or scale such workloads over-commits nodes cheaply, then
triggers memory pressure so that the kubelet evicts the `BestEffort` pods of other
teams: a denial of service without ever exceeding a quota that counts requests.

## How to fix
Request what the container needs; a request equal to the limit gives the
`Guaranteed` class.

```yaml
# before
containers:
  - name: app
    image: registry.example.com/app:1.4.2
# after
containers:
  - name: app
    image: registry.example.com/app:1.4.2
    resources:
      requests:
        memory: 128Mi
        cpu: 100m
```
"#,
    remediation: "Set resources.requests.memory and resources.requests.cpu on every container (or limits, which requests default to), or add a LimitRange with defaultRequest.",
    references: &[
        Reference::docs(
            "Resource Management for Pods and Containers",
            "https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/",
        ),
        refs::DENIAL_OF_SERVICE,
    ],
};

/// Resources that LimitRanges of the object's namespace default: (limits, requests).
fn limit_range_defaults(ctx: &Ctx<'_>, object: &Object) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut limits = BTreeSet::new();
    let mut requests = BTreeSet::new();
    let keys = |v: Option<&Value>| -> Vec<String> {
        v.and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    };
    for lr in ctx.inventory.of_kind("LimitRange") {
        if lr.id.namespace != object.id.namespace {
            continue;
        }
        let items = lr.get("/spec/limits").and_then(Value::as_array);
        for item in items.into_iter().flatten() {
            if item.get("type").and_then(Value::as_str) != Some("Container") {
                continue;
            }
            // The API server's defaulting: default <- max, defaultRequest <- default.
            let mut item_limits = keys(item.get("default"));
            item_limits.extend(keys(item.get("max")));
            requests.extend(item_limits.iter().cloned());
            requests.extend(keys(item.get("defaultRequest")));
            limits.extend(item_limits);
        }
    }
    (limits, requests)
}

fn has(c: &Container<'_>, section: &str, resource: &str) -> bool {
    c.value
        .pointer(&format!("/resources/{section}/{resource}"))
        .is_some_and(|v| !v.is_null())
}

fn pod_level(pod: &Pod<'_>, section: &str, resource: &str) -> bool {
    pod.spec("resources")
        .and_then(|r| r.get(section))
        .and_then(|s| s.get(resource))
        .is_some_and(|v| !v.is_null())
}

fn describe(missing: &[&str], what: &str) -> String {
    match missing {
        [one] => format!("no {one} {what}"),
        _ => format!("no {} {what}", missing.join(" or ")),
    }
}

/// KSP301.
pub(crate) fn check_limits(ctx: &Ctx<'_>, object: &Object, out: &mut Vec<Finding>) {
    let Some(pod) = Pod::of(object) else { return };
    let (defaults, _) = limit_range_defaults(ctx, object);
    for c in pod.resource_containers() {
        let missing: Vec<&str> = RESOURCES
            .iter()
            .filter(|(r, _)| {
                !has(c, "limits", r) && !pod_level(&pod, "limits", r) && !defaults.contains(*r)
            })
            .map(|(_, label)| *label)
            .collect();
        if !missing.is_empty() {
            out.push(Finding::at(
                &MISSING_RESOURCE_LIMITS,
                object,
                &format!("{}/resources/limits", c.ptr),
                format!("{c} has {}", describe(&missing, "limit")),
            ));
        }
    }
}

/// KSP302.
pub(crate) fn check_requests(ctx: &Ctx<'_>, object: &Object, out: &mut Vec<Finding>) {
    let Some(pod) = Pod::of(object) else { return };
    let (_, defaults) = limit_range_defaults(ctx, object);
    for c in pod.resource_containers() {
        let missing: Vec<&str> = RESOURCES
            .iter()
            .filter(|(r, _)| {
                // A request left out defaults to the container's limit.
                !has(c, "requests", r)
                    && !has(c, "limits", r)
                    && !pod_level(&pod, "requests", r)
                    && !pod_level(&pod, "limits", r)
                    && !defaults.contains(*r)
            })
            .map(|(_, label)| *label)
            .collect();
        if !missing.is_empty() {
            out.push(Finding::at(
                &MISSING_RESOURCE_REQUESTS,
                object,
                &format!("{}/resources/requests", c.ptr),
                format!("{c} has {}", describe(&missing, "request")),
            ));
        }
    }
}
