//! Pod checks: 5.1.6 token mounts, 5.2.x what pods are admitted with, 5.4.1 Secrets
//! in the environment, 5.6.2 seccomp, 5.6.3 security contexts.
//!
//! Every pod-bearing object is read (Pods and the templates of Deployments, DaemonSets,
//! StatefulSets, Jobs, CronJobs ...), each container kind included (init and ephemeral
//! containers too), with the pod-level security context applied where the container
//! sets nothing, as the kubelet does.

use kspect_core::Object;
use serde_json::Value;

use super::{
    ClusterObjects, Hit, PolicyVerdict, decide, is_system_namespace, kube_bench_lines,
    namespace_of, str_at, undecided,
};
use crate::result::Status;

const MANUAL: Status = Status::Warn;

/// The pod checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PodCheck {
    /// 5.2.2.
    Privileged,
    /// 5.2.3.
    HostPid,
    /// 5.2.4.
    HostIpc,
    /// 5.2.5.
    HostNetwork,
    /// 5.2.6.
    PrivilegeEscalation,
    /// 5.2.7.
    Root,
    /// 5.2.8.
    NetRaw,
    /// cis-1.11 5.2.9.
    AddedCapabilities,
    /// cis-1.12 5.2.9, cis-1.11 5.2.10.
    AssignedCapabilities,
    /// Windows HostProcess.
    HostProcess,
    /// hostPath volumes.
    HostPath,
    /// hostPort.
    HostPort,
    /// 5.4.1.
    SecretEnv,
    /// 5.6.2.
    Seccomp,
    /// 5.6.3.
    SecurityContext,
}

const CONTAINER_KINDS: [&str; 3] = ["containers", "initContainers", "ephemeralContainers"];

/// One container with its pointer and the pod spec around it.
struct Container<'a> {
    ptr: String,
    name: &'a str,
    value: &'a Value,
    pod_sc: Option<&'a Value>,
}

fn containers<'a>(o: &'a Object) -> Vec<Container<'a>> {
    let Some(t) = o.pod_template() else {
        return Vec::new();
    };
    let pod_sc = t.spec.get("securityContext");
    let mut out = Vec::new();
    for kind in CONTAINER_KINDS {
        if let Some(list) = t.spec.get(kind).and_then(Value::as_array) {
            for (i, c) in list.iter().enumerate() {
                out.push(Container {
                    ptr: format!("{}/{kind}/{i}", t.spec_ptr),
                    name: c.get("name").and_then(Value::as_str).unwrap_or("?"),
                    value: c,
                    pod_sc,
                });
            }
        }
    }
    out
}

impl Container<'_> {
    fn sc(&self, key: &str) -> Option<&Value> {
        self.value
            .get("securityContext")
            .and_then(|s| s.get(key))
            .filter(|v| !v.is_null())
    }

    /// A container field, else the pod's (runAsUser, runAsNonRoot, seccompProfile).
    fn effective(&self, key: &str) -> Option<(&Value, &'static str)> {
        self.sc(key).map(|v| (v, "container")).or_else(|| {
            self.pod_sc
                .and_then(|s| s.get(key))
                .filter(|v| !v.is_null())
                .map(|v| (v, "pod"))
        })
    }

    fn caps(&self, which: &str) -> Vec<String> {
        self.sc("capabilities")
            .and_then(|c| c.get(which))
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(|s| s.trim_start_matches("CAP_").to_ascii_uppercase())
                    .collect()
            })
            .unwrap_or_default()
    }

    fn hit(&self, o: &Object, field: &str, detail: impl AsRef<str>) -> Hit {
        let ptr = if field.is_empty() {
            self.ptr.clone()
        } else {
            format!("{}/{field}", self.ptr)
        };
        Hit::at(
            o,
            &ptr,
            format!("container {}: {}", self.name, detail.as_ref()),
        )
    }
}

/// kube-bench's verdict for the checks it runs through `kubectl get pods` (Pods only,
/// `.spec.containers` only, every namespace); `None` for its manual checks.
fn kube_bench_view(objects: &ClusterObjects, c: PodCheck) -> Status {
    let pods: Vec<&Object> = objects.of_kind("Pod").collect();
    let per_container = |f: &dyn Fn(&Value) -> bool| {
        kube_bench_lines(pods.iter().flat_map(|p| {
            p.get("/spec/containers")
                .and_then(Value::as_array)
                .map(|a| a.iter().map(f).collect::<Vec<_>>())
                .unwrap_or_default()
        }))
    };
    // `jsonpath {.spec.hostPID}` prints `false` for an explicit false: non-empty fails.
    let per_pod = |field: &str| {
        kube_bench_lines(
            pods.iter()
                .map(|p| p.get(&format!("/spec/{field}")).is_none_or(Value::is_null)),
        )
    };
    let not_true = |v: Option<&Value>| v.is_none_or(|v| v.is_null() || v == &Value::Bool(false));
    match c {
        PodCheck::Privileged => {
            per_container(&|c| not_true(c.pointer("/securityContext/privileged")))
        }
        PodCheck::PrivilegeEscalation => {
            per_container(&|c| not_true(c.pointer("/securityContext/allowPrivilegeEscalation")))
        }
        PodCheck::AddedCapabilities => per_container(&|c| {
            c.pointer("/securityContext/capabilities/add")
                .and_then(Value::as_array)
                .is_none_or(|a| a.is_empty())
        }),
        PodCheck::HostPid => per_pod("hostPID"),
        PodCheck::HostIpc => per_pod("hostIPC"),
        PodCheck::HostNetwork => per_pod("hostNetwork"),
        _ => MANUAL,
    }
}

fn is_true(v: Option<&Value>) -> bool {
    v == Some(&Value::Bool(true))
}

/// What is wrong with one workload for check `c`.
fn offences(o: &Object, c: PodCheck) -> Vec<Hit> {
    let Some(t) = o.pod_template() else {
        return Vec::new();
    };
    let spec = t.spec;
    let sp = t.spec_ptr;
    let mut out = Vec::new();
    match c {
        PodCheck::HostPid | PodCheck::HostIpc | PodCheck::HostNetwork => {
            let field = match c {
                PodCheck::HostPid => "hostPID",
                PodCheck::HostIpc => "hostIPC",
                _ => "hostNetwork",
            };
            if is_true(spec.get(field)) {
                out.push(Hit::at(
                    o,
                    &format!("{sp}/{field}"),
                    format!("{field}: true"),
                ));
            }
        }
        PodCheck::HostPath => {
            for (i, v) in spec
                .get("volumes")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                if let Some(h) = v.get("hostPath") {
                    out.push(Hit::at(
                        o,
                        &format!("{sp}/volumes/{i}/hostPath"),
                        format!(
                            "volume {} mounts hostPath {}",
                            str_at(v, "/name"),
                            str_at(h, "/path")
                        ),
                    ));
                }
            }
        }
        PodCheck::HostProcess => {
            if is_true(spec.pointer("/securityContext/windowsOptions/hostProcess")) {
                out.push(Hit::at(
                    o,
                    &format!("{sp}/securityContext/windowsOptions/hostProcess"),
                    "windowsOptions.hostProcess: true",
                ));
            }
            for k in containers(o) {
                if is_true(
                    k.value
                        .pointer("/securityContext/windowsOptions/hostProcess"),
                ) {
                    out.push(k.hit(
                        o,
                        "securityContext/windowsOptions/hostProcess",
                        "windowsOptions.hostProcess: true",
                    ));
                }
            }
        }
        PodCheck::SecurityContext => {
            let pod_set = spec
                .get("securityContext")
                .and_then(Value::as_object)
                .is_some_and(|m| !m.is_empty());
            for k in containers(o) {
                let own = k
                    .value
                    .get("securityContext")
                    .and_then(Value::as_object)
                    .is_some_and(|m| !m.is_empty());
                if !pod_set && !own {
                    out.push(k.hit(o, "", "no securityContext on the container or the pod"));
                }
            }
        }
        _ => {
            for k in containers(o) {
                out.extend(container_offence(o, &k, c));
            }
        }
    }
    out
}

fn container_offence(o: &Object, k: &Container, c: PodCheck) -> Option<Hit> {
    let privileged = is_true(k.sc("privileged"));
    match c {
        PodCheck::Privileged => {
            privileged.then(|| k.hit(o, "securityContext/privileged", "privileged: true"))
        }
        PodCheck::PrivilegeEscalation => match k.sc("allowPrivilegeEscalation") {
            Some(Value::Bool(false)) => None,
            Some(v) => Some(k.hit(
                o,
                "securityContext/allowPrivilegeEscalation",
                format!("allowPrivilegeEscalation: {v}"),
            )),
            None => Some(k.hit(
                o,
                "",
                "allowPrivilegeEscalation not set (the default allows escalation)",
            )),
        },
        PodCheck::Root => {
            let user = k.effective("runAsUser");
            let non_root = k.effective("runAsNonRoot");
            match (user, non_root) {
                (Some((u, from)), _) if u.as_i64() == Some(0) => Some(k.hit(
                    o,
                    "",
                    format!("runAsUser: 0 (from the {from} securityContext)"),
                )),
                (Some(_), _) => None,
                (None, Some((Value::Bool(true), _))) => None,
                (None, _) => Some(k.hit(
                    o,
                    "",
                    "neither runAsNonRoot: true nor a non-zero runAsUser: runs as the image's user, root unless it says otherwise",
                )),
            }
        }
        PodCheck::NetRaw => {
            let add = k.caps("add");
            let drop = k.caps("drop");
            if privileged {
                Some(k.hit(
                    o,
                    "securityContext/privileged",
                    "privileged: true (every capability, NET_RAW included)",
                ))
            } else if add.iter().any(|c| c == "NET_RAW" || c == "ALL") {
                Some(k.hit(o, "securityContext/capabilities/add", "adds NET_RAW"))
            } else if !drop.iter().any(|c| c == "NET_RAW" || c == "ALL") {
                Some(k.hit(
                    o,
                    "",
                    "does not drop NET_RAW (or ALL); container runtimes grant it by default",
                ))
            } else {
                None
            }
        }
        PodCheck::AddedCapabilities => {
            let add = k.caps("add");
            (!add.is_empty()).then(|| {
                k.hit(
                    o,
                    "securityContext/capabilities/add",
                    format!("adds {}", add.join(",")),
                )
            })
        }
        PodCheck::AssignedCapabilities => {
            let add: Vec<String> = k
                .caps("add")
                .into_iter()
                .filter(|c| c != "NET_BIND_SERVICE")
                .collect();
            let drop = k.caps("drop");
            if privileged {
                Some(k.hit(
                    o,
                    "securityContext/privileged",
                    "privileged: true (every capability)",
                ))
            } else if !add.is_empty() {
                Some(k.hit(
                    o,
                    "securityContext/capabilities/add",
                    format!("adds {}", add.join(",")),
                ))
            } else if !drop.iter().any(|c| c == "ALL") {
                Some(k.hit(o, "", "does not drop ALL capabilities"))
            } else {
                None
            }
        }
        PodCheck::HostPort => {
            let ports = k.value.get("ports").and_then(Value::as_array)?;
            let (i, p) = ports.iter().enumerate().find(|(_, p)| {
                p.get("hostPort")
                    .and_then(Value::as_i64)
                    .is_some_and(|n| n != 0)
            })?;
            Some(k.hit(
                o,
                &format!("ports/{i}/hostPort"),
                format!(
                    "hostPort {}",
                    p.get("hostPort").map(Value::to_string).unwrap_or_default()
                ),
            ))
        }
        PodCheck::SecretEnv => {
            if let Some((i, e)) = k
                .value
                .get("env")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
                .find(|(_, e)| e.pointer("/valueFrom/secretKeyRef").is_some())
            {
                return Some(k.hit(
                    o,
                    &format!("env/{i}/valueFrom/secretKeyRef"),
                    format!(
                        "env {} from Secret {}",
                        str_at(e, "/name"),
                        str_at(e, "/valueFrom/secretKeyRef/name")
                    ),
                ));
            }
            let (i, e) = k
                .value
                .get("envFrom")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
                .find(|(_, e)| e.get("secretRef").is_some())?;
            Some(k.hit(
                o,
                &format!("envFrom/{i}/secretRef"),
                format!("envFrom Secret {}", str_at(e, "/secretRef/name")),
            ))
        }
        PodCheck::Seccomp => {
            let t = k
                .effective("seccompProfile")
                .and_then(|(v, from)| v.get("type").and_then(Value::as_str).map(|t| (t, from)));
            match t {
                Some(("RuntimeDefault" | "Localhost", _)) => None,
                Some((other, from)) => Some(k.hit(
                    o,
                    "",
                    format!("seccompProfile {other} (from the {from} securityContext)"),
                )),
                None => Some(k.hit(
                    o,
                    "",
                    "no seccompProfile on the container or the pod (Unconfined unless the kubelet runs with seccompDefault)",
                )),
            }
        }
        _ => None,
    }
}

fn scope_note(c: PodCheck) -> &'static str {
    match c {
        PodCheck::SecretEnv | PodCheck::Seccomp | PodCheck::SecurityContext => "",
        _ => {
            " Workloads in kube-system, kube-public and kube-node-lease are listed but not counted: CIS asks for these restrictions in the namespaces that hold user workloads, and the control plane's own pods need host access."
        }
    }
}

fn why(c: PodCheck) -> String {
    let base = match c {
        PodCheck::Privileged => {
            "kspect reads every container kind (init and ephemeral too) of Pods and workload templates; kube-bench reads .spec.containers of Pods only."
        }
        PodCheck::HostPid | PodCheck::HostIpc | PodCheck::HostNetwork => {
            "kspect counts only a field set to true; kube-bench counts any value, so an explicit false is reported as sharing the host namespace."
        }
        PodCheck::PrivilegeEscalation => {
            "kspect requires allowPrivilegeEscalation: false, because an unset field allows escalation; kube-bench only flags an explicit true."
        }
        PodCheck::AddedCapabilities => {
            "kspect reads every container kind of Pods and workload templates; kube-bench reads .spec.containers of Pods only."
        }
        _ => "kube-bench marks this check manual.",
    };
    format!("{base}{}", scope_note(c))
}

/// Decides a pod check over every workload.
pub(super) fn check(objects: &ClusterObjects, c: PodCheck) -> PolicyVerdict {
    let kb = kube_bench_view(objects, c);
    let workloads = objects.workloads();
    if workloads.is_empty() {
        return undecided("the objects given hold no pod or workload", kb, why(c));
    }
    let system_exempt = !scope_note(c).is_empty();
    let mut bad = Vec::new();
    let mut also = Vec::new();
    for o in &workloads {
        let hits = offences(o, c);
        let system = namespace_of(o).is_some_and(|ns| is_system_namespace(&ns));
        if system && system_exempt {
            also.extend(hits);
        } else {
            bad.extend(hits);
        }
    }
    decide(
        bad,
        format!("none of the {} workloads does", workloads.len()),
        also,
        kb,
        why(c),
    )
}

/// 5.1.6: service account tokens mounted where no RBAC binding gives them a use.
pub(super) fn token_mounts(objects: &ClusterObjects) -> PolicyVerdict {
    // kube-bench: per Pod, the pod's and its ServiceAccount's automount values;
    // compliant when SA=false and pod false/unset, or SA=true and pod=false.
    let sa_automount = |ns: &str, name: &str| -> Option<bool> {
        objects
            .of_kind("ServiceAccount")
            .find(|s| s.id.name == name && namespace_of(s).as_deref() == Some(ns))
            .and_then(|s| {
                s.get("/automountServiceAccountToken")
                    .and_then(Value::as_bool)
            })
    };
    let sa_name = |spec: &Value| -> String {
        ["serviceAccountName", "serviceAccount"]
            .iter()
            .find_map(|k| {
                spec.get(*k)
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty())
            })
            .unwrap_or("default")
            .to_string()
    };
    let kb = kube_bench_lines(objects.of_kind("Pod").map(|p| {
        let ns = namespace_of(p).unwrap_or_default();
        let spec = p.get("/spec").unwrap_or(&Value::Null);
        let pod = spec
            .get("automountServiceAccountToken")
            .and_then(Value::as_bool);
        match sa_automount(&ns, &sa_name(spec)) {
            Some(false) => pod != Some(true),
            Some(true) => pod == Some(false),
            None => false,
        }
    }));
    let why = "kspect counts a token as mounted when the pod sets automountServiceAccountToken: true, or leaves it unset and its ServiceAccount does not set false, and as needed when a RoleBinding or ClusterRoleBinding names that ServiceAccount; kube-bench judges the two fields only (an unset ServiceAccount field with a pod's false counts as non-compliant there, although no token is mounted).";
    let workloads = objects.workloads();
    if workloads.is_empty() {
        return undecided("the objects given hold no pod or workload", kb, why);
    }
    if objects.rbac.bindings().is_empty() {
        return undecided(
            "the objects given hold no RoleBinding or ClusterRoleBinding, so which service accounts need their token cannot be decided",
            kb,
            why,
        );
    }
    let bound = |ns: &str, name: &str| {
        objects.rbac.bindings().iter().any(|b| {
            b.subjects.iter().any(|s| {
                let sns = if s.namespace.is_empty() {
                    b.meta.namespace.as_str()
                } else {
                    s.namespace.as_str()
                };
                s.kind == "ServiceAccount" && s.name == name && sns == ns
            })
        })
    };
    let mut bad = Vec::new();
    for o in workloads {
        let Some(t) = o.pod_template() else { continue };
        let ns = namespace_of(o).unwrap_or_default();
        let sa = sa_name(t.spec);
        let pod = t
            .spec
            .get("automountServiceAccountToken")
            .and_then(Value::as_bool);
        let mounted = match pod {
            Some(v) => v,
            None => sa_automount(&ns, &sa) != Some(false),
        };
        if mounted && !bound(&ns, &sa) {
            bad.push(Hit::at(
                o,
                &format!("{}/automountServiceAccountToken", t.spec_ptr),
                format!("mounts the token of ServiceAccount {sa}, which no binding names"),
            ));
        }
    }
    decide(
        bad,
        "every mounted token belongs to a ServiceAccount some binding names",
        Vec::new(),
        kb,
        why,
    )
}
