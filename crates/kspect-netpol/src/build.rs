//! Building the [`Cluster`] model from an inventory: namespaces, pods and workloads,
//! policies of the three tiers, with the validation the API server (and the reference
//! analyzer) applies.

use std::collections::{BTreeMap, HashMap};

use kspect_core::{Inventory, Object};
use serde_json::Value;

use crate::error::{NetpolError, Origin};
use crate::ip::{Cidr, IpSet};
use crate::model::*;
use crate::ports::{MAX_PORT, PortSet, Protocol};
use crate::selector::{Labels, NS_NAME_LABEL, Selector};

/// Namespace of objects written without one.
pub const DEFAULT_NAMESPACE: &str = "default";

/// Kinds whose objects become workloads.
const WORKLOAD_KINDS: &[&str] = &[
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
];

/// What to build.
#[derive(Debug, Clone, Copy, Default)]
pub struct BuildOptions {
    /// Use only Pod, Namespace and policy objects (pod-level maps).
    pub pods_only: bool,
    /// Keep going where the analyzers stop (as netpol-analyzer does): a Namespace or
    /// NetworkPolicy defined twice keeps its first definition, and a NetworkPolicy the
    /// model cannot accept (a bad CIDR, an empty port range) is left out; both are
    /// listed in [`Cluster::skipped`]. `scan` takes many applications' manifests at
    /// once, where one bad policy should not cost every network finding.
    pub lenient: bool,
}

pub(crate) fn origin(o: &Object) -> Origin {
    let object = match &o.id.namespace {
        Some(ns) => format!("{} {ns}/{}", o.id.kind, o.id.name),
        None => format!("{} {}", o.id.kind, o.id.name),
    };
    let loc = o.location();
    Origin {
        object,
        location: format!("{}:{}", loc.file, loc.line),
    }
}

fn invalid(o: &Object, message: impl Into<String>) -> NetpolError {
    NetpolError::Invalid {
        origin: origin(o),
        message: message.into(),
    }
}

fn ns_of(o: &Object) -> String {
    o.id.namespace
        .clone()
        .unwrap_or_else(|| DEFAULT_NAMESPACE.to_string())
}

fn string_labels(v: Option<&Value>) -> Labels {
    v.and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| {
                    let s = match v {
                        Value::String(s) => s.clone(),
                        Value::Bool(b) => b.to_string(),
                        Value::Number(n) => n.to_string(),
                        _ => return None,
                    };
                    Some((k.clone(), s))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn container_ports(spec: &Value) -> Vec<ContainerPort> {
    let mut out = Vec::new();
    for c in spec
        .get("containers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        for p in c
            .get("ports")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some(port) = p
                .get("containerPort")
                .and_then(Value::as_u64)
                .and_then(|n| u16::try_from(n).ok())
            else {
                continue;
            };
            let protocol = p
                .get("protocol")
                .and_then(Value::as_str)
                .and_then(Protocol::parse)
                .unwrap_or(Protocol::Tcp);
            out.push(ContainerPort {
                name: p.get("name").and_then(Value::as_str).map(str::to_string),
                port,
                protocol,
            });
        }
    }
    out
}

/// Builds the model; fatal problems are errors naming the object.
pub fn build(inv: &Inventory, opts: BuildOptions) -> Result<Cluster, NetpolError> {
    let mut cluster = Cluster::default();
    namespaces(inv, opts, &mut cluster)?;
    primary_networks(inv, &mut cluster);
    pods(inv, opts, &mut cluster);
    network_policies(inv, opts, &mut cluster)?;
    crate::admin::admin_policies(inv, opts, &mut cluster)?;
    if !opts.pods_only {
        crate::ingress::attach(&mut cluster, inv)?;
    }
    check_owner_variants(&cluster)?;
    check_named_ports_to_ips(inv, &cluster)?;
    admin_named_port_warnings(&mut cluster);
    if cluster.workloads.iter().all(|w| w.object.is_none()) {
        cluster.warnings.push(Warning {
            message: "no relevant Kubernetes workload resources found".into(),
            object: None,
        });
    }
    if cluster.policies.is_empty()
        && cluster.admin_policies.is_empty()
        && cluster.baseline.is_none()
    {
        cluster.warnings.push(Warning {
            message: "no relevant Kubernetes network policy resources found".into(),
            object: None,
        });
    }
    Ok(cluster)
}

fn is_workload_object(o: &Object, opts: BuildOptions) -> bool {
    let kind = o.id.kind.as_str();
    (kind == "Pod" || (!opts.pods_only && WORKLOAD_KINDS.contains(&kind)))
        && o.pod_template().is_some()
}

/// Every namespace name in play gets an id up front (sorted by name), so that pods and
/// policies can refer to them directly: defined namespaces, namespaces of pods, workloads
/// and policies, and the ingress controller's.
fn namespaces(
    inv: &Inventory,
    opts: BuildOptions,
    cluster: &mut Cluster,
) -> Result<(), NetpolError> {
    let mut labels: BTreeMap<String, Labels> = BTreeMap::new();
    let mut first_at: HashMap<String, String> = HashMap::new();
    for o in inv.of_kind("Namespace") {
        let these = string_labels(o.value.pointer("/metadata/labels"));
        if let Some(first) = labels.get(&o.id.name) {
            let message = format!("a namespace named {:?} is defined twice", o.id.name);
            if !opts.lenient {
                return Err(NetpolError::Duplicate {
                    origin: origin(o),
                    message,
                });
            }
            // The same Namespace shipped twice is harmless; different labels change
            // which namespace selectors match, so say which definition counts.
            if *first != these {
                cluster.skipped.push(Skipped {
                    message: format!(
                        "{message}, with different labels; the first definition ({}) is used",
                        first_at[&o.id.name]
                    ),
                    object: origin(o).object,
                    location: o.location(),
                });
            }
            continue;
        }
        first_at.insert(o.id.name.clone(), origin(o).location);
        labels.insert(o.id.name.clone(), these);
    }
    for o in inv.objects() {
        if is_workload_object(o, opts) || o.id.kind == "NetworkPolicy" {
            labels.entry(ns_of(o)).or_default();
        }
    }
    if !opts.pods_only && crate::ingress::has_ingress_objects(inv) {
        labels
            .entry(crate::ingress::CONTROLLER_NAMESPACE.to_string())
            .or_default();
    }
    cluster.namespaces = labels
        .into_iter()
        .map(|(name, mut labels)| {
            labels
                .entry(NS_NAME_LABEL.to_string())
                .or_insert_with(|| name.clone());
            Namespace { name, labels }
        })
        .collect();
    Ok(())
}

/// `role: Primary` under `layer2` or `layer3` of a network spec.
fn is_primary(spec: Option<&Value>) -> bool {
    ["layer2", "layer3"].iter().any(|l| {
        spec.and_then(|s| s.get(*l))
            .and_then(|x| x.get("role"))
            .and_then(Value::as_str)
            == Some("Primary")
    })
}

/// Which namespaces a primary UserDefinedNetwork or ClusterUserDefinedNetwork claims.
fn primary_networks(inv: &Inventory, cluster: &mut Cluster) {
    let mut nets: Vec<Option<String>> = vec![None; cluster.namespaces.len()];
    for o in inv.of_kind("UserDefinedNetwork") {
        if is_primary(o.value.get("spec")) {
            if let Some(id) = cluster.namespace_id(&ns_of(o)) {
                nets[id] = Some(format!("UserDefinedNetwork {}/{}", ns_of(o), o.id.name));
            }
        }
    }
    for o in inv.of_kind("ClusterUserDefinedNetwork") {
        if !is_primary(o.value.pointer("/spec/network")) {
            continue;
        }
        let Ok(sel) = Selector::parse(
            o.value
                .pointer("/spec/namespaceSelector")
                .unwrap_or(&Value::Null),
        ) else {
            continue;
        };
        for (id, ns) in cluster.namespaces.iter().enumerate() {
            if sel.matches(&ns.labels) {
                nets[id] = Some(format!("ClusterUserDefinedNetwork {}", o.id.name));
            }
        }
    }
    cluster.primary_networks = nets;
}

fn ns_id(cluster: &Cluster, name: &str) -> NsId {
    // Every name was registered by `namespaces`; 0 is never reached in practice.
    cluster.namespace_id(name).unwrap_or(0)
}

fn pods(inv: &Inventory, opts: BuildOptions, cluster: &mut Cluster) {
    let mut index: HashMap<(NsId, String, String), WorkloadId> = HashMap::new();
    for (idx, o) in inv.objects().iter().enumerate() {
        if !is_workload_object(o, opts) {
            continue;
        }
        let Some(tpl) = o.pod_template() else {
            continue;
        };
        if let Err(problem) = check_pod_shape(tpl.spec) {
            cluster.warnings.push(Warning {
                message: format!("malformed pod spec ({problem}); object skipped"),
                object: Some(origin(o).to_string()),
            });
            continue;
        }
        let kind = o.id.kind.as_str();
        let ns = ns_id(cluster, &ns_of(o));
        let labels = string_labels(tpl.metadata.get("labels"));
        let ports = container_ports(tpl.spec);
        let host_network = tpl.spec.get("hostNetwork").and_then(Value::as_bool) == Some(true);
        let (key, names) = if kind == "Pod" {
            let owner = o
                .value
                .pointer("/metadata/ownerReferences")
                .and_then(Value::as_array)
                .and_then(|refs| {
                    refs.iter()
                        .find(|r| r.get("controller").and_then(Value::as_bool) == Some(true))
                });
            let key = match owner {
                Some(r) if r.get("kind").and_then(Value::as_str) != Some("Node") => {
                    let name = r.get("name").and_then(Value::as_str).unwrap_or("");
                    let kind = r
                        .get("kind")
                        .and_then(Value::as_str)
                        .filter(|k| !k.is_empty())
                        .unwrap_or("Pod");
                    (ns, name.to_string(), kind.to_string())
                }
                _ => (ns, o.id.name.clone(), "Pod".to_string()),
            };
            (key, vec![o.id.name.clone()])
        } else {
            let replicas = match kind {
                "DaemonSet" | "CronJob" => 1,
                "Job" => o
                    .value
                    .pointer("/spec/parallelism")
                    .and_then(Value::as_i64)
                    .unwrap_or(1),
                _ => o
                    .value
                    .pointer("/spec/replicas")
                    .and_then(Value::as_i64)
                    .unwrap_or(1),
            };
            // Two pods stand for any number of replicas: enough to see traffic between
            // replicas, and no selector can tell more of them apart.
            let count = if replicas > 1 { 2 } else { 1 };
            let names = (1..=count).map(|i| format!("{}-{i}", o.id.name)).collect();
            ((ns, o.id.name.clone(), kind.to_string()), names)
        };
        if opts.lenient
            && kind != "Pod"
            && let Some(&first) = index.get(&key)
        {
            // The same workload defined again (two copies of one chart): the first
            // definition stands for it.
            let first_pod = &cluster.pods[cluster.workloads[first].pods[0]];
            if first_pod.labels != labels {
                cluster.skipped.push(Skipped {
                    message:
                        "defined twice, with different pod labels; the first definition is used"
                            .into(),
                    object: origin(o).object,
                    location: o.location(),
                });
            }
            continue;
        }
        let w = *index.entry(key.clone()).or_insert_with(|| {
            cluster.workloads.push(Workload {
                namespace: ns,
                name: key.1.clone(),
                kind: key.2.clone(),
                pods: Vec::new(),
                object: Some(idx),
            });
            cluster.workloads.len() - 1
        });
        for name in names {
            let p = cluster.pods.len();
            cluster.pods.push(Pod {
                name,
                namespace: ns,
                labels: labels.clone(),
                ports: ports.clone(),
                workload: w,
                host_network,
            });
            cluster.workloads[w].pods.push(p);
        }
    }
}

fn network_policies(
    inv: &Inventory,
    opts: BuildOptions,
    cluster: &mut Cluster,
) -> Result<(), NetpolError> {
    // The first definition of each (namespace, name).
    let mut seen: HashMap<(String, String), &Object> = HashMap::new();
    let objects = inv.objects();
    for (idx, o) in objects.iter().enumerate() {
        if o.id.kind != "NetworkPolicy" {
            continue;
        }
        let ns = ns_of(o);
        if let Some(first) = seen.get(&(ns.clone(), o.id.name.clone())) {
            let message = format!("NetworkPolicy {ns}/{} is defined twice", o.id.name);
            if !opts.lenient {
                return Err(NetpolError::Duplicate {
                    origin: origin(o),
                    message,
                });
            }
            if first.value.get("spec") != o.value.get("spec") {
                cluster.skipped.push(Skipped {
                    message: format!(
                        "{message}, with a different spec; the first definition ({}) is used",
                        origin(first).location
                    ),
                    object: origin(o).object,
                    location: o.location(),
                });
            }
            continue;
        }
        seen.insert((ns.clone(), o.id.name.clone()), o);
        match parse_network_policy(o, ns_id(cluster, &ns), idx) {
            Ok(policy) => cluster.policies.push(policy),
            Err(e) if opts.lenient => cluster.skipped.push(Skipped {
                message: match e {
                    NetpolError::Invalid { message, .. } => {
                        format!("left out of the network analysis: {message}")
                    }
                    other => format!("left out of the network analysis: {other}"),
                },
                object: origin(o).object,
                location: o.location(),
            }),
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

fn parse_selector(o: &Object, v: &Value) -> Result<Selector, NetpolError> {
    Selector::parse(v).map_err(|e| invalid(o, e.to_string()))
}

fn parse_network_policy(o: &Object, ns: NsId, idx: usize) -> Result<NetworkPolicy, NetpolError> {
    let spec = o.value.get("spec").cloned().unwrap_or(Value::Null);
    let pod_selector = match spec.get("podSelector") {
        Some(v) => parse_selector(o, v)?,
        None => Selector::everything(),
    };
    let mut ingress = Vec::new();
    let mut egress = Vec::new();
    for (dir, out, peers_key) in [
        ("ingress", &mut ingress, "from"),
        ("egress", &mut egress, "to"),
    ] {
        match spec.get(dir) {
            None | Some(Value::Null) => {}
            Some(Value::Array(rules)) => {
                for r in rules {
                    out.push(parse_np_rule(o, r, peers_key)?);
                }
            }
            Some(_) => return Err(invalid(o, format!("spec.{dir} must be a list"))),
        }
    }
    let (affects_ingress, affects_egress) = match spec.get("policyTypes") {
        Some(Value::Array(types)) if !types.is_empty() => {
            let mut i = false;
            let mut e = false;
            for t in types {
                match t.as_str() {
                    Some("Ingress") => i = true,
                    Some("Egress") => e = true,
                    _ => {
                        return Err(invalid(
                            o,
                            format!("policyTypes error: {t} is not one of Ingress, Egress"),
                        ));
                    }
                }
            }
            (i, e)
        }
        _ => (true, !egress.is_empty()),
    };
    Ok(NetworkPolicy {
        namespace: ns,
        name: o.id.name.clone(),
        pod_selector,
        affects_ingress,
        affects_egress,
        ingress,
        egress,
        object: idx,
    })
}

fn parse_np_rule(o: &Object, r: &Value, peers_key: &str) -> Result<NpRule, NetpolError> {
    let mut peers = Vec::new();
    for p in r
        .get(peers_key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let pod = p.get("podSelector").filter(|v| !v.is_null());
        let nss = p.get("namespaceSelector").filter(|v| !v.is_null());
        let ipb = p.get("ipBlock").filter(|v| !v.is_null());
        match (pod, nss, ipb) {
            (None, None, None) => {
                return Err(invalid(
                    o,
                    "rule NetworkPolicyPeer error: cannot have empty rule peer",
                ));
            }
            (_, _, Some(_)) if pod.is_some() || nss.is_some() => {
                return Err(invalid(
                    o,
                    "rule NetworkPolicyPeer error: cannot have both IPBlock and PodSelector/NamespaceSelector set",
                ));
            }
            (_, _, Some(b)) => peers.push(NpPeer::IpBlock(parse_ip_block(o, b)?)),
            _ => peers.push(NpPeer::Pods {
                namespaces: nss.map(|v| parse_selector(o, v)).transpose()?,
                pods: pod.map(|v| parse_selector(o, v)).transpose()?,
            }),
        }
    }
    let mut ports = Vec::new();
    for p in r
        .get("ports")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        ports.push(parse_np_port(o, p)?);
    }
    Ok(NpRule { peers, ports })
}

fn cidr(o: &Object, s: &str) -> Result<Cidr, NetpolError> {
    IpSet::parse_cidr(s).map_err(|e| invalid(o, format!("CIDR error: {e}")))
}

fn parse_ip_block(o: &Object, b: &Value) -> Result<IpSet, NetpolError> {
    let c = b.get("cidr").and_then(Value::as_str).unwrap_or("");
    let Cidr::V4(mut set) = cidr(o, c)? else {
        // IPv6 blocks can never match the IPv4 address space modelled here.
        return Ok(IpSet::empty());
    };
    for e in b
        .get("except")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let e = e.as_str().unwrap_or("");
        if let Cidr::V4(ex) = cidr(o, e)? {
            set = set.subtract(&ex);
        }
    }
    Ok(set)
}

fn parse_protocol(o: &Object, v: Option<&Value>) -> Result<Protocol, NetpolError> {
    match v {
        None | Some(Value::Null) => Ok(Protocol::Tcp),
        Some(Value::String(s)) if s.is_empty() => Ok(Protocol::Tcp),
        Some(Value::String(s)) => Protocol::parse(s)
            .filter(|p| p.as_str() == s)
            .ok_or_else(|| invalid(o, format!("protocol error: unsupported protocol {s:?}"))),
        Some(other) => Err(invalid(
            o,
            format!("protocol error: unsupported protocol {other}"),
        )),
    }
}

fn port_number(o: &Object, v: &Value) -> Result<u16, NetpolError> {
    v.as_i64()
        .filter(|n| (1..=i64::from(MAX_PORT)).contains(n))
        .map(|n| n as u16)
        .ok_or_else(|| {
            invalid(
                o,
                format!("port error: {v} is not a port number in 1-65535"),
            )
        })
}

fn parse_np_port(o: &Object, p: &Value) -> Result<PortSpec, NetpolError> {
    let protocol = parse_protocol(o, p.get("protocol"))?;
    let end = p.get("endPort").filter(|v| !v.is_null());
    match p.get("port").filter(|v| !v.is_null()) {
        None => {
            if end.is_some() {
                return Err(invalid(
                    o,
                    "port error: endPort cannot be defined without port",
                ));
            }
            Ok(PortSpec::Numbers(protocol, PortSet::all()))
        }
        Some(Value::String(name)) => {
            if end.is_some() {
                return Err(invalid(
                    o,
                    "named port error: endPort field cannot be defined if the port field is defined as a named (string) port",
                ));
            }
            Ok(PortSpec::Named(protocol, name.clone()))
        }
        Some(v) => {
            let start = port_number(o, v)?;
            let end = match end {
                Some(e) => port_number(o, e)?,
                None => start,
            };
            if end < start {
                return Err(invalid(
                    o,
                    format!(
                        "port error: illegal port range {start}-{end} (end must not be lower than start)"
                    ),
                ));
            }
            Ok(PortSpec::Numbers(protocol, PortSet::range(start, end)))
        }
    }
}

/// Pods of one owner may differ in labels only where no policy selector can tell them
/// apart; otherwise one workload line cannot stand for them.
fn check_owner_variants(cluster: &Cluster) -> Result<(), NetpolError> {
    for w in &cluster.workloads {
        let Some((&first, rest)) = w.pods.split_first() else {
            continue;
        };
        let base = &cluster.pods[first].labels;
        let differing: Vec<&Labels> = rest
            .iter()
            .map(|&p| &cluster.pods[p].labels)
            .filter(|l| *l != base)
            .collect();
        if differing.is_empty() {
            continue;
        }
        let ns_labels = &cluster.namespaces[w.namespace].labels;
        let mut selectors: Vec<&Selector> = Vec::new();
        for p in &cluster.policies {
            let same_ns = p.namespace == w.namespace;
            if same_ns {
                selectors.push(&p.pod_selector);
            }
            for r in p.ingress.iter().chain(&p.egress) {
                for peer in &r.peers {
                    if let NpPeer::Pods {
                        namespaces,
                        pods: Some(sel),
                    } = peer
                    {
                        let ns_ok = match namespaces {
                            None => same_ns,
                            Some(n) => n.matches(ns_labels),
                        };
                        if ns_ok {
                            selectors.push(sel);
                        }
                    }
                }
            }
        }
        for a in cluster
            .admin_policies
            .iter()
            .chain(cluster.baseline.as_ref())
        {
            let mut aps: Vec<&AdminPods> = vec![&a.subject];
            for r in a.ingress.iter().chain(&a.egress) {
                for peer in &r.peers {
                    if let AdminPeer::Pods(ap) = peer {
                        aps.push(ap);
                    }
                }
            }
            for ap in aps {
                if ap.namespaces.matches(ns_labels) {
                    if let Some(s) = &ap.pods {
                        selectors.push(s);
                    }
                }
            }
        }
        for s in selectors {
            let m = s.matches(base);
            if differing.iter().any(|l| s.matches(l) != m) {
                return Err(NetpolError::PodsOfOneOwnerDiffer {
                    workload: format!("{}/{}", cluster.namespaces[w.namespace].name, w.name),
                });
            }
        }
    }
    Ok(())
}

/// A named port cannot be resolved for an address: an egress rule that can reach
/// addresses (ipBlock peers or no peers at all) and names a port is an error, as soon as
/// its policy applies to some pod.
pub(crate) fn check_named_ports_to_ips(
    inv: &Inventory,
    cluster: &Cluster,
) -> Result<(), NetpolError> {
    for p in &cluster.policies {
        if !p.affects_egress {
            continue;
        }
        let bad = p.egress.iter().any(|r| {
            r.ports.iter().any(|x| matches!(x, PortSpec::Named(..)))
                && (r.peers.is_empty() || r.peers.iter().any(|x| matches!(x, NpPeer::IpBlock(_))))
        });
        if !bad {
            continue;
        }
        let selects = cluster
            .pods
            .iter()
            .any(|pod| pod.namespace == p.namespace && p.pod_selector.matches(&pod.labels));
        if selects {
            if let Some(o) = inv.objects().get(p.object) {
                return Err(invalid(
                    o,
                    "named port error: cannot convert named port for an IP destination",
                ));
            }
        }
    }
    Ok(())
}

/// The pod fields the analysis reads must have their API types; a pod that does not
/// decode is skipped with a warning (the rest is analysed).
fn check_pod_shape(spec: &Value) -> Result<(), String> {
    let Some(containers) = spec.get("containers").filter(|v| !v.is_null()) else {
        return Ok(());
    };
    let Some(containers) = containers.as_array() else {
        return Err("containers is not a list".into());
    };
    for c in containers {
        let Some(ports) = c.get("ports").filter(|v| !v.is_null()) else {
            continue;
        };
        let Some(ports) = ports.as_array() else {
            return Err("a container's ports is not a list".into());
        };
        for p in ports {
            match p.get("containerPort") {
                None | Some(Value::Null) => {}
                Some(v) if v.is_i64() => {}
                Some(v) => return Err(format!("containerPort {v} is not an integer")),
            }
        }
    }
    Ok(())
}

/// Warnings about admin-policy named ports that cannot take effect.
fn admin_named_port_warnings(cluster: &mut Cluster) {
    let mut warnings = Vec::new();
    let admins: Vec<&AdminPolicy> = cluster
        .admin_policies
        .iter()
        .chain(cluster.baseline.as_ref())
        .collect();
    for a in admins {
        let kind = if a.priority.is_some() {
            "AdminNetworkPolicy"
        } else {
            "BaselineAdminNetworkPolicy"
        };
        let object = Some(format!("{kind} {}", a.name));
        for (ingress, rules) in [(true, &a.ingress), (false, &a.egress)] {
            for r in rules {
                for port in &r.ports {
                    let AdminPort::Named(name) = port else {
                        continue;
                    };
                    if !ingress && r.peers.iter().any(|p| matches!(p, AdminPeer::Networks(_))) {
                        warnings.push(Warning {
                            message: format!(
                                "rule {:?}: named port is not defined for IP addresses; skipped",
                                r.name
                            ),
                            object: object.clone(),
                        });
                    }
                    // Destinations: the subject pods for ingress, the peer pods for egress.
                    for pod in &cluster.pods {
                        let ns = &cluster.namespaces[pod.namespace].labels;
                        let is_dst = if ingress {
                            a.subject.matches(ns, &pod.labels)
                        } else {
                            r.peers.iter().any(
                                |p| matches!(p, AdminPeer::Pods(ap) if ap.matches(ns, &pod.labels)),
                            )
                        };
                        if is_dst && pod.named_port(name).is_none() {
                            warnings.push(Warning {
                                message: format!(
                                    "port name: {name:?} has no match in the configuration of the destination peer {:?}",
                                    cluster.workload_name(pod.workload)
                                ),
                                object: object.clone(),
                            });
                        }
                    }
                }
            }
        }
    }
    for w in warnings {
        if !cluster.warnings.contains(&w) {
            cluster.warnings.push(w);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kspect_core::load::parse_str;

    /// Two copies of an application plus policies the model cannot accept: the strict
    /// build fails on the first problem, the lenient one keeps the first definitions,
    /// leaves the bad objects out and says where each of them is.
    const MESSY: &str = "\
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {team: a}}
---
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {team: b}}
---
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {team: a}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web, v: '2'}}
    spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: bad-cidr, namespace: shop}
spec:
  podSelector: {}
  egress: [{to: [{ipBlock: {cidr: not-a-cidr}}]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: shop}
spec: {podSelector: {}, policyTypes: [Ingress]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: shop}
spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
";

    #[test]
    fn lenient_build_keeps_first_definitions_and_lists_what_it_left_out() {
        let inv = Inventory::new(parse_str("messy.yaml", MESSY));
        let strict = build(&inv, BuildOptions::default()).unwrap_err();
        assert!(
            strict
                .to_string()
                .contains("namespace named \"shop\" is defined twice")
        );

        let lenient = BuildOptions {
            lenient: true,
            ..Default::default()
        };
        let cluster = build(&inv, lenient).unwrap();
        let shop = cluster
            .namespaces
            .iter()
            .find(|n| n.name == "shop")
            .unwrap();
        assert_eq!(shop.labels.get("team").map(String::as_str), Some("a"));
        assert_eq!(cluster.workloads.len(), 1);
        assert_eq!(cluster.policies.len(), 1, "only the first `deny` is kept");
        assert_eq!(cluster.policies[0].egress.len(), 0);
        let skipped: Vec<(u32, &str)> = cluster
            .skipped
            .iter()
            .map(|s| (s.location.line, s.message.as_str()))
            .collect();
        // The identical third Namespace is not worth a warning; the others are, each at
        // the line of the object left out.
        assert_eq!(skipped.len(), 4, "{skipped:?}");
        assert_eq!(skipped[0].0, 5);
        assert!(
            skipped[0]
                .1
                .contains("different labels; the first definition (messy.yaml:1)")
        );
        assert_eq!(skipped[1].0, 21);
        assert!(skipped[1].1.contains("different pod labels"));
        assert_eq!(skipped[2].0, 29);
        assert!(
            skipped[2]
                .1
                .starts_with("left out of the network analysis: CIDR error")
        );
        assert_eq!(skipped[3].0, 41);
        assert!(skipped[3].1.contains("with a different spec"));
    }
}
