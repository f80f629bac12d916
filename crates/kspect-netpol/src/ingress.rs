//! Ingress and OpenShift Route objects: the cluster's ingress controller as a source.
//!
//! The controller is modelled as one synthetic pod `ingress-controller` in namespace
//! `ingress-controller-ns`. An Ingress/Route names a Service (in its own namespace); the
//! Service selects pods; the port the route asks for becomes the Service's target port on
//! those pods, counted only when a container of the pod declares that port number. The
//! connection listed is that port set intersected with what the pods' policies allow
//! from the controller.

use std::collections::BTreeMap;

use kspect_core::Inventory;
use serde_json::Value;

use crate::build::DEFAULT_NAMESPACE;
use crate::error::NetpolError;
use crate::model::*;
use crate::ports::{ConnSet, PortSet, Protocol};
use crate::selector::Labels;

/// Namespace of the synthetic controller pod.
pub const CONTROLLER_NAMESPACE: &str = "ingress-controller-ns";
/// Name of the synthetic controller pod.
pub const CONTROLLER_NAME: &str = "ingress-controller";
/// How the controller is written in output.
pub const CONTROLLER_DISPLAY: &str = "{ingress-controller}";

/// The synthetic ingress controller and what Ingress/Route objects expose through it.
#[derive(Debug, Clone)]
pub struct IngressController {
    /// Its synthetic pod.
    pub pod: PodId,
    /// Its synthetic workload.
    pub workload: WorkloadId,
    /// Backend workloads and the TCP ports the routes lead to (before policies).
    pub exposed: BTreeMap<WorkloadId, ConnSet>,
    /// Per backend workload, each Route/Ingress that leads to it and its ports (for the
    /// explanation report), in input order.
    pub sources: BTreeMap<WorkloadId, Vec<RouteSource>>,
}

/// One Route or Ingress leading to a workload through a service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteSource {
    /// `Route` or `Ingress`.
    pub kind: &'static str,
    /// `ns/name` of the object.
    pub object: String,
    /// The service it names.
    pub service: String,
    /// The TCP ports it leads to on the workload's pods.
    pub ports: ConnSet,
}

/// True when the input has an Ingress or a Route.
pub fn has_ingress_objects(inv: &Inventory) -> bool {
    inv.of_kind("Ingress").next().is_some() || inv.of_kind("Route").next().is_some()
}

/// A port reference: number or name.
#[derive(Debug, Clone, PartialEq, Eq)]
enum PortRef {
    Num(i64),
    Name(String),
}

fn port_ref(v: Option<&Value>) -> Option<PortRef> {
    match v? {
        Value::Number(n) => n.as_i64().filter(|n| *n != 0).map(PortRef::Num),
        Value::String(s) if !s.is_empty() => Some(match s.parse::<i64>() {
            Ok(n) => PortRef::Num(n),
            Err(_) => PortRef::Name(s.clone()),
        }),
        _ => None,
    }
}

struct Service {
    selector: Labels,
    /// (name, port, targetPort)
    ports: Vec<(Option<String>, Option<i64>, Option<PortRef>)>,
}

fn ns(o: &kspect_core::Object) -> String {
    o.id.namespace
        .clone()
        .unwrap_or_else(|| DEFAULT_NAMESPACE.to_string())
}

/// Adds the controller pod and its exposures to the cluster.
pub fn attach(cluster: &mut Cluster, inv: &Inventory) -> Result<(), NetpolError> {
    if !has_ingress_objects(inv) {
        return Ok(());
    }
    let mut services: BTreeMap<(String, String), Service> = BTreeMap::new();
    for o in inv.of_kind("Service") {
        let Some(sel) = o.value.pointer("/spec/selector").and_then(Value::as_object) else {
            cluster.warnings.push(Warning {
                message: "K8s Service without selectors is not supported; ignored".into(),
                object: Some(format!("Service {}/{}", ns(o), o.id.name)),
            });
            continue;
        };
        let selector: Labels = sel
            .iter()
            .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
            .collect();
        let ports = o
            .value
            .pointer("/spec/ports")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|p| {
                (
                    p.get("name")
                        .and_then(Value::as_str)
                        .filter(|s| !s.is_empty())
                        .map(str::to_string),
                    p.get("port").and_then(Value::as_i64),
                    port_ref(p.get("targetPort")),
                )
            })
            .collect();
        services.insert((ns(o), o.id.name.clone()), Service { selector, ports });
    }
    // (namespace, service, requested port, kind, object) of every route and ingress backend.
    let mut targets: Vec<(String, String, Option<PortRef>, &'static str, String)> = Vec::new();
    for o in inv.of_kind("Route") {
        let port = port_ref(o.value.pointer("/spec/port/targetPort"));
        let mut add = |to: Option<&Value>| {
            let Some(to) = to else { return };
            let kind = to.get("kind").and_then(Value::as_str).unwrap_or("");
            if !kind.is_empty() && kind != "Service" {
                return;
            }
            if let Some(name) = to.get("name").and_then(Value::as_str) {
                targets.push((
                    ns(o),
                    name.to_string(),
                    port.clone(),
                    "Route",
                    format!("{}/{}", ns(o), o.id.name),
                ));
            }
        };
        add(o.value.pointer("/spec/to"));
        for b in o
            .value
            .pointer("/spec/alternateBackends")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            add(Some(b));
        }
    }
    for o in inv.of_kind("Ingress") {
        let mut add = |svc: Option<&Value>| {
            let Some(svc) = svc else { return };
            let Some(name) = svc.get("name").and_then(Value::as_str) else {
                return;
            };
            let port = match svc
                .pointer("/port/name")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
            {
                Some(n) => Some(PortRef::Name(n.to_string())),
                None => svc
                    .pointer("/port/number")
                    .and_then(Value::as_i64)
                    .filter(|n| *n != 0)
                    .map(PortRef::Num),
            };
            targets.push((
                ns(o),
                name.to_string(),
                port,
                "Ingress",
                format!("{}/{}", ns(o), o.id.name),
            ));
        };
        add(o.value.pointer("/spec/defaultBackend/service"));
        for r in o
            .value
            .pointer("/spec/rules")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            for p in r
                .pointer("/http/paths")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                add(p.pointer("/backend/service"));
            }
        }
    }

    let mut exposed: BTreeMap<WorkloadId, ConnSet> = BTreeMap::new();
    let mut sources: BTreeMap<WorkloadId, Vec<RouteSource>> = BTreeMap::new();
    for (svc_ns, svc_name, wanted, kind, object) in targets {
        let Some(svc) = services.get(&(svc_ns.clone(), svc_name.clone())) else {
            cluster.warnings.push(Warning {
                message: format!("Ignoring target service {svc_name} : service not found"),
                object: None,
            });
            continue;
        };
        // Pod-side ports the route leads to: the matching service port's target port, or
        // every service port's target port when the route names none.
        let mut access: Vec<PortRef> = Vec::new();
        for (name, port, target) in &svc.ports {
            let pod_port = target.clone().or(port.map(PortRef::Num));
            let Some(pod_port) = pod_port else { continue };
            match &wanted {
                None => access.push(pod_port),
                Some(w) => {
                    let hit = match w {
                        PortRef::Name(n) => name.as_deref() == Some(n.as_str()),
                        PortRef::Num(n) => *port == Some(*n),
                    } || target.as_ref() == Some(w);
                    if hit {
                        access.push(pod_port);
                        break;
                    }
                }
            }
        }
        let Some(ns_id) = cluster.namespace_id(&svc_ns) else {
            continue;
        };
        for pod in cluster.pods.iter().filter(|p| {
            p.namespace == ns_id && svc.selector.iter().all(|(k, v)| p.labels.get(k) == Some(v))
        }) {
            let mut conns = ConnSet::none();
            for a in &access {
                let num = match a {
                    PortRef::Num(n) => u16::try_from(*n).ok(),
                    PortRef::Name(n) => match pod.named_port(n) {
                        Some((Protocol::Tcp, p)) => Some(p),
                        _ => None,
                    },
                };
                // Only ports a container declares are reachable (any declared protocol
                // counts, as in the reference analyzer).
                if let Some(num) = num.filter(|n| pod.ports.iter().any(|c| c.port == *n)) {
                    conns.union_with(&ConnSet::of(Protocol::Tcp, PortSet::single(num)));
                }
            }
            exposed.entry(pod.workload).or_default().union_with(&conns);
            if conns.is_empty() {
                continue;
            }
            let list = sources.entry(pod.workload).or_default();
            match list
                .iter_mut()
                .find(|x| x.kind == kind && x.object == object && x.service == svc_name)
            {
                Some(x) => x.ports.union_with(&conns),
                None => list.push(RouteSource {
                    kind,
                    object: object.clone(),
                    service: svc_name.clone(),
                    ports: conns,
                }),
            }
        }
    }

    let ns_id = cluster.namespace_id(CONTROLLER_NAMESPACE).unwrap_or(0);
    let workload = cluster.workloads.len();
    let pod = cluster.pods.len();
    cluster.workloads.push(Workload {
        namespace: ns_id,
        name: CONTROLLER_NAME.to_string(),
        kind: String::new(),
        pods: vec![pod],
        object: None,
    });
    cluster.pods.push(Pod {
        name: CONTROLLER_NAME.to_string(),
        namespace: ns_id,
        labels: Labels::new(),
        ports: Vec::new(),
        workload,
        host_network: false,
    });
    cluster.ingress_controller = Some(IngressController {
        pod,
        workload,
        exposed,
        sources,
    });
    Ok(())
}
