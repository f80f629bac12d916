//! `kspect netpol eval`: one flow, allowed or denied.

use crate::connlist::focus_matches;
use crate::engine::Analyzer;
use crate::error::NetpolError;
use crate::ip::IpSet;
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
            match w {
                Some(w) => Ok(Some(cluster.workloads[w].pods[0])),
                None => Err(NetpolError::BadArgument(format!(
                    "no pod or workload named {n} in the input"
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
    })
}
