//! The workload connectivity list (`kspect netpol list`): every allowed connection
//! between workloads, and between workloads and external address ranges.

use std::collections::HashMap;

use crate::engine::Analyzer;
use crate::ingress::CONTROLLER_DISPLAY;
use crate::ip::IpRange;
use crate::model::{Cluster, Warning, WorkloadId};
use crate::ports::{ConnSet, Protocol};

/// One end of a listed connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Endpoint {
    /// A workload of the input (or the synthetic ingress controller).
    Workload(WorkloadId),
    /// An external address range.
    Ip(IpRange),
}

/// One allowed connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    /// Source.
    pub src: Endpoint,
    /// Destination.
    pub dst: Endpoint,
    /// What is allowed.
    pub conns: ConnSet,
    /// Source as printed.
    pub src_name: String,
    /// Destination as printed.
    pub dst_name: String,
}

/// Which direction a focus keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Connections into a focus workload.
    Ingress,
    /// Connections out of a focus workload.
    Egress,
}

/// Options of the list.
#[derive(Debug, Clone, Default)]
pub struct ListOptions {
    /// Keep only connections with one of these workloads at one end (`name` or `ns/name`).
    pub focus_workloads: Vec<String>,
    /// With focus workloads: the other end must be one of these.
    pub focus_workload_peers: Vec<String>,
    /// With focus workloads: keep only one direction.
    pub focus_direction: Option<Direction>,
    /// Keep only pairs whose allowed set contains this connection (`tcp-80`).
    pub focus_conn: Option<(Protocol, u16)>,
}

/// Parses `tcp-80` into a protocol and port.
pub fn parse_focus_conn(s: &str) -> Option<(Protocol, u16)> {
    let (p, n) = s.split_once('-')?;
    let proto = Protocol::parse(p)?;
    let port: u16 = n.parse().ok().filter(|n| *n >= 1)?;
    Some((proto, port))
}

/// Printable name of an endpoint.
pub fn endpoint_name(cluster: &Cluster, e: Endpoint) -> String {
    match e {
        Endpoint::Workload(w) => workload_display(cluster, w),
        Endpoint::Ip(r) => format!("{r}[External]"),
    }
}

/// `ns/name[Kind]`, or `{ingress-controller}`.
pub fn workload_display(cluster: &Cluster, w: WorkloadId) -> String {
    if cluster.workloads[w].object.is_none() {
        return CONTROLLER_DISPLAY.to_string();
    }
    cluster.workload_name(w)
}

/// True when a focus name (`name` or `ns/name`) names the workload.
pub fn focus_matches(cluster: &Cluster, w: WorkloadId, focus: &str) -> bool {
    let wl = &cluster.workloads[w];
    if wl.object.is_none() {
        return focus == crate::ingress::CONTROLLER_NAME || focus == CONTROLLER_DISPLAY;
    }
    let ns = &cluster.namespaces[wl.namespace].name;
    match focus.split_once('/') {
        Some((fns, fname)) => fns == ns && fname == wl.name,
        None => focus == wl.name,
    }
}

/// Workloads that are listed (the ingress controller only as a source of its routes).
pub fn listed_workloads(cluster: &Cluster) -> Vec<WorkloadId> {
    (0..cluster.workloads.len())
        .filter(|&w| cluster.workloads[w].object.is_some() && !cluster.workloads[w].pods.is_empty())
        .collect()
}

/// Computes the full list, sorted by source then destination name; also returns
/// warnings (e.g. routes whose ports the policies block entirely).
pub fn connections(an: &Analyzer<'_>) -> (Vec<Connection>, Vec<Warning>) {
    let cluster = an.cluster();
    let workloads = listed_workloads(cluster);
    let rep = |w: WorkloadId| cluster.workloads[w].pods[0];
    let mut out = Vec::new();
    let mut warnings = Vec::new();
    // Workloads grouped by the class of their representative pod: each pair of classes
    // is evaluated once, whatever the number of workloads in them.
    let mut by_class: HashMap<usize, Vec<WorkloadId>> = HashMap::new();
    for &w in &workloads {
        by_class.entry(an.class_of(rep(w))).or_default().push(w);
    }
    let mut classes: Vec<(usize, Vec<WorkloadId>)> = by_class.into_iter().collect();
    classes.sort();
    let members: HashMap<usize, &Vec<WorkloadId>> = classes.iter().map(|(c, w)| (*c, w)).collect();
    for (ca, cb, c) in an.class_pairs() {
        let (Some(wa), Some(wb)) = (members.get(&ca), members.get(&cb)) else {
            continue;
        };
        for &a in wa.iter() {
            for &b in wb.iter() {
                if a != b && !cluster.primary_isolated(rep(a), rep(b)) {
                    out.push((Endpoint::Workload(a), Endpoint::Workload(b), c.clone()));
                }
            }
        }
    }
    for (ca, wa) in &classes {
        for (ingress, pieces) in [(false, an.egress_pieces()), (true, an.ingress_pieces())] {
            for (i, c) in an.pieces_for_class(*ca, ingress) {
                let (lo, hi) = pieces[i];
                for &a in wa {
                    let ip = Endpoint::Ip(IpRange(lo, hi));
                    let w = Endpoint::Workload(a);
                    let (src, dst) = if ingress { (ip, w) } else { (w, ip) };
                    out.push((src, dst, c.clone()));
                }
            }
        }
    }
    if let Some(ic) = &cluster.ingress_controller {
        for (&w, exposed) in &ic.exposed {
            if cluster.workloads[w].object.is_none() {
                continue;
            }
            let allowed = an.pod_to_pod(ic.pod, rep(w));
            let c = exposed.intersect(&allowed);
            if c.is_empty() {
                warnings.push(Warning {
                    message: format!(
                        "Route/Ingress resources specify workload {} as a backend, but network policies are blocking ingress connections from an arbitrary in-cluster source to this workload; connectivity map will not include a possibly allowed connection between the ingress controller and this workload",
                        workload_display(cluster, w)
                    ),
                    object: None,
                });
                continue;
            }
            out.push((Endpoint::Workload(ic.workload), Endpoint::Workload(w), c));
        }
    }
    let mut conns: Vec<Connection> = out
        .into_iter()
        .map(|(src, dst, conns)| Connection {
            src_name: endpoint_name(cluster, src),
            dst_name: endpoint_name(cluster, dst),
            src,
            dst,
            conns,
        })
        .collect();
    conns.sort_by(|a, b| (&a.src_name, &a.dst_name).cmp(&(&b.src_name, &b.dst_name)));
    (conns, warnings)
}

/// True when the focus workload options keep a pair (the connection filter aside).
pub fn focus_keeps_pair(
    cluster: &Cluster,
    src: Endpoint,
    dst: Endpoint,
    opts: &ListOptions,
) -> bool {
    if opts.focus_workloads.is_empty() {
        return true;
    }
    let is_focus = |e: Endpoint, names: &[String]| match e {
        Endpoint::Workload(w) => names.iter().any(|f| focus_matches(cluster, w, f)),
        Endpoint::Ip(_) => false,
    };
    let fw = &opts.focus_workloads;
    let peers = &opts.focus_workload_peers;
    let keep_egress = is_focus(src, fw) && (peers.is_empty() || is_focus(dst, peers));
    let keep_ingress = is_focus(dst, fw) && (peers.is_empty() || is_focus(src, peers));
    match opts.focus_direction {
        Some(Direction::Egress) => keep_egress,
        Some(Direction::Ingress) => keep_ingress,
        None => keep_egress || keep_ingress,
    }
}

/// Applies the focus options.
pub fn apply_focus(
    cluster: &Cluster,
    conns: Vec<Connection>,
    opts: &ListOptions,
) -> Vec<Connection> {
    conns
        .into_iter()
        .filter(|c| {
            focus_keeps_pair(cluster, c.src, c.dst, opts)
                && opts.focus_conn.is_none_or(|(p, n)| c.conns.contains(p, n))
        })
        .collect()
}
