//! `kspect netpol eval`: one flow, allowed or denied.

use crate::connlist::focus_matches;
use crate::engine::Analyzer;
use crate::error::NetpolError;
use crate::explain::{Explainer, XPeer};
use crate::ip::{IpRange, IpSet};
use crate::model::PodId;
use crate::ports::Protocol;

/// One end of a flow as the user names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlowEnd {
    /// `ns/name`: a pod of that name, or any pod of a workload of that name.
    Named(String),
    /// An IPv4 address.
    Ip(u32),
}

impl FlowEnd {
    /// Parses `NS/POD`, `NS/WORKLOAD`, `NAME` (namespace `default`) or an IPv4 address.
    pub fn parse(s: &str) -> FlowEnd {
        match s.parse::<std::net::Ipv4Addr>() {
            Ok(ip) => FlowEnd::Ip(u32::from(ip)),
            Err(_) if s.contains('/') => FlowEnd::Named(s.to_string()),
            Err(_) => FlowEnd::Named(format!("default/{s}")),
        }
    }
}

/// The verdict on one flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// True when the flow is allowed.
    pub allowed: bool,
    /// Everything allowed between the two ends (as text).
    pub allowed_conns: String,
    /// The policies and rules that decided the flow, as the explanation report words
    /// them (`Allowed TCP:[8080] due to ...`).
    pub reason: String,
}

fn resolve(an: &Analyzer<'_>, end: &FlowEnd) -> Result<Option<PodId>, NetpolError> {
    let cluster = an.cluster();
    match end {
        FlowEnd::Ip(_) => Ok(None),
        FlowEnd::Named(n) => {
            let (ns, name) = n.split_once('/').unwrap_or(("default", n));
            let by_pod = cluster
                .pods
                .iter()
                .position(|p| p.name == name && cluster.namespaces[p.namespace].name == ns);
            if let Some(p) = by_pod {
                return Ok(Some(p));
            }
            let w = (0..cluster.workloads.len())
                .find(|&w| focus_matches(cluster, w, n) && !cluster.workloads[w].pods.is_empty());
            if let Some(w) = w {
                return Ok(Some(cluster.workloads[w].pods[0]));
            }
            // A Deployment's pods are often owned by a ReplicaSet named `<deployment>-<hash>`:
            // accept the Deployment's name when it points at exactly one workload.
            let prefix = format!("{name}-");
            let candidates: Vec<usize> = (0..cluster.workloads.len())
                .filter(|&w| {
                    let wl = &cluster.workloads[w];
                    wl.object.is_some()
                        && !wl.pods.is_empty()
                        && cluster.namespaces[wl.namespace].name == ns
                        && wl.name.starts_with(&prefix)
                })
                .collect();
            match candidates.as_slice() {
                [w] => Ok(Some(cluster.workloads[*w].pods[0])),
                [] => Err(NetpolError::BadArgument(format!(
                    "no pod or workload named {n} in the input"
                ))),
                many => Err(NetpolError::BadArgument(format!(
                    "{n} is ambiguous: {}",
                    many.iter()
                        .map(|&w| cluster.workload_name(w))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))),
            }
        }
    }
}

/// Decides one flow.
pub fn eval_flow(
    an: &Analyzer<'_>,
    src: &FlowEnd,
    dst: &FlowEnd,
    protocol: Protocol,
    port: u16,
) -> Result<Verdict, NetpolError> {
    let s = resolve(an, src)?;
    let d = resolve(an, dst)?;
    let cluster = an.cluster();
    if let (Some(a), Some(b)) = (s, d) {
        if a != b && cluster.primary_isolated(a, b) {
            let net = |p: PodId| {
                cluster
                    .primary_networks
                    .get(cluster.pods[p].namespace)
                    .cloned()
                    .flatten()
                    .unwrap_or_else(|| "the cluster pod network".into())
            };
            return Ok(Verdict {
                allowed: false,
                allowed_conns: "No Connections".into(),
                reason: format!(
                    "Denied: the pods are in different primary networks ({} and {}), which isolate them",
                    net(a),
                    net(b)
                ),
            });
        }
    }
    let xpeer = |p: Option<PodId>, e: &FlowEnd| match (p, e) {
        (Some(p), _) => Some(XPeer::Pod(p)),
        (None, FlowEnd::Ip(ip)) => Some(XPeer::Ip(IpSet::range(*ip, *ip), IpRange(*ip, *ip))),
        _ => None,
    };
    let reason = match (xpeer(s, src), xpeer(d, dst)) {
        (Some(xs), Some(xd)) if !(matches!(xs, XPeer::Ip(..)) && matches!(xd, XPeer::Ip(..))) => {
            let ex = Explainer::new(cluster, false);
            let (focused, _) = ex.pair(&xs, &xd).focus(protocol, port);
            focused.explanation()
        }
        _ => String::new(),
    };
    let conns = match (s, d, src, dst) {
        (Some(a), Some(b), _, _) => an.pod_to_pod(a, b),
        (Some(a), None, _, FlowEnd::Ip(ip)) => an.pod_to_ip(a, &IpSet::range(*ip, *ip)),
        (None, Some(b), FlowEnd::Ip(ip), _) => an.ip_to_pod(&IpSet::range(*ip, *ip), b),
        _ => {
            return Err(NetpolError::BadArgument(
                "at least one end of a flow must be a pod or workload".into(),
            ));
        }
    };
    Ok(Verdict {
        allowed: conns.contains(protocol, port),
        allowed_conns: conns.to_string(),
        reason,
    })
}
