//! AdminNetworkPolicy and BaselineAdminNetworkPolicy (policy.networking.k8s.io/v1alpha1):
//! parsing and validation.

use std::collections::HashMap;

use kspect_core::{Inventory, Object};
use serde_json::Value;

use crate::build::origin;
use crate::error::NetpolError;
use crate::ip::{Cidr, IpSet};
use crate::model::*;
use crate::ports::{MAX_PORT, PortSet, Protocol};
use crate::selector::Selector;

/// Highest allowed ANP priority.
pub const MAX_PRIORITY: i64 = 1000;

fn invalid(o: &Object, message: impl Into<String>) -> NetpolError {
    NetpolError::Invalid {
        origin: origin(o),
        message: message.into(),
    }
}

fn warn(cluster: &mut Cluster, o: &Object, message: String) {
    let w = Warning {
        message,
        object: Some(origin(o).object),
    };
    if !cluster.warnings.contains(&w) {
        cluster.warnings.push(w);
    }
}

/// Parses every ANP and the BANP into the cluster. With `opts.lenient` an object that
/// fails (defined twice, a priority taken, a second baseline, invalid) is left out and
/// listed in `cluster.skipped` instead of failing the whole model.
pub fn admin_policies(
    inv: &Inventory,
    opts: crate::BuildOptions,
    cluster: &mut Cluster,
) -> Result<(), NetpolError> {
    let mut names: HashMap<String, ()> = HashMap::new();
    let mut priorities: HashMap<u32, String> = HashMap::new();
    for (idx, o) in inv.objects().iter().enumerate() {
        let added = match o.id.kind.as_str() {
            "AdminNetworkPolicy" => add_admin(o, idx, &mut names, &mut priorities, cluster),
            "BaselineAdminNetworkPolicy" => add_baseline(o, idx, cluster),
            _ => Ok(()),
        };
        match added {
            Ok(()) => {}
            Err(e) if opts.lenient => cluster.skipped.push(crate::model::Skipped {
                message: match e {
                    NetpolError::Invalid { message, .. }
                    | NetpolError::Duplicate { message, .. } => {
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
    cluster.admin_policies.sort_by_key(|p| p.priority);
    Ok(())
}

fn add_admin(
    o: &Object,
    idx: usize,
    names: &mut HashMap<String, ()>,
    priorities: &mut HashMap<u32, String>,
    cluster: &mut Cluster,
) -> Result<(), NetpolError> {
    if names.contains_key(&o.id.name) {
        return Err(NetpolError::Duplicate {
            origin: origin(o),
            message: format!(
                "an AdminNetworkPolicy named {:?} is defined twice",
                o.id.name
            ),
        });
    }
    let p = parse_admin(o, idx, false, cluster)?;
    let prio = p.priority.unwrap_or(0);
    if let Some(other) = priorities.get(&prio) {
        return Err(invalid(
            o,
            format!(
                "priority {prio} is also the priority of AdminNetworkPolicy {other:?}: Two policies are considered to be conflicting if they are assigned the same priority."
            ),
        ));
    }
    names.insert(o.id.name.clone(), ());
    priorities.insert(prio, p.name.clone());
    cluster.admin_policies.push(p);
    Ok(())
}

fn add_baseline(o: &Object, idx: usize, cluster: &mut Cluster) -> Result<(), NetpolError> {
    if cluster.baseline.is_some() {
        return Err(invalid(
            o,
            "only one baseline admin network policy may be provided in input resources; one already exists",
        ));
    }
    cluster.baseline = Some(parse_admin(o, idx, true, cluster)?);
    Ok(())
}

fn selector(o: &Object, v: Option<&Value>) -> Result<Selector, NetpolError> {
    match v {
        None | Some(Value::Null) => Ok(Selector::everything()),
        Some(v) => Selector::parse(v).map_err(|e| invalid(o, e.to_string())),
    }
}

/// `namespaces: <selector>` or `pods: {namespaceSelector, podSelector}`; exactly one.
fn parse_pods_choice(o: &Object, v: &Value, what: &str) -> Result<Option<AdminPods>, NetpolError> {
    let namespaces = v.get("namespaces").filter(|x| !x.is_null());
    let pods = v.get("pods").filter(|x| !x.is_null());
    match (namespaces, pods) {
        (Some(n), None) => Ok(Some(AdminPods {
            namespaces: selector(o, Some(n))?,
            pods: None,
        })),
        (None, Some(p)) => Ok(Some(AdminPods {
            namespaces: selector(o, p.get("namespaceSelector"))?,
            pods: Some(selector(o, p.get("podSelector"))?),
        })),
        (Some(_), Some(_)) => Err(invalid(
            o,
            format!("exactly one field must be set in {what}"),
        )),
        (None, None) => Ok(None),
    }
}

fn parse_admin(
    o: &Object,
    idx: usize,
    baseline: bool,
    cluster: &mut Cluster,
) -> Result<AdminPolicy, NetpolError> {
    let spec = o.value.get("spec").cloned().unwrap_or(Value::Null);
    let priority = if baseline {
        None
    } else {
        let p = spec.get("priority").and_then(Value::as_i64).unwrap_or(-1);
        if !(0..=MAX_PRIORITY).contains(&p) {
            return Err(invalid(
                o,
                format!(
                    "invalid priority {}: the priority must be an integer in 0-{MAX_PRIORITY}",
                    spec.get("priority").cloned().unwrap_or(Value::Null)
                ),
            ));
        }
        Some(p as u32)
    };
    let subject_v = spec.get("subject").cloned().unwrap_or(Value::Null);
    let subject = parse_pods_choice(o, &subject_v, "a subject")?
        .ok_or_else(|| invalid(o, "exactly one field must be set in a subject"))?;
    let mut ingress = Vec::new();
    let mut egress = Vec::new();
    for r in spec
        .get("ingress")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        ingress.push(parse_rule(o, r, true, baseline, cluster)?);
    }
    for r in spec
        .get("egress")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        egress.push(parse_rule(o, r, false, baseline, cluster)?);
    }
    Ok(AdminPolicy {
        name: o.id.name.clone(),
        priority,
        subject,
        ingress,
        egress,
        object: idx,
    })
}

fn parse_rule(
    o: &Object,
    r: &Value,
    ingress: bool,
    baseline: bool,
    cluster: &mut Cluster,
) -> Result<AdminRule, NetpolError> {
    let name = r
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let action = match r.get("action").and_then(Value::as_str) {
        Some("Allow") => Action::Allow,
        Some("Deny") => Action::Deny,
        Some("Pass") if !baseline => Action::Pass,
        other => {
            return Err(invalid(
                o,
                format!(
                    "rule {name:?}: unrecognized action {:?}",
                    other.unwrap_or("")
                ),
            ));
        }
    };
    let key = if ingress { "from" } else { "to" };
    let peers_v = r
        .get(key)
        .and_then(Value::as_array)
        .filter(|a| !a.is_empty());
    let Some(peers_v) = peers_v else {
        return Err(invalid(
            o,
            format!("rule {name:?}: {key} field must be defined and contain at least one item"),
        ));
    };
    let mut peers = Vec::new();
    for p in peers_v {
        let set: Vec<&str> = ["namespaces", "pods", "networks", "nodes"]
            .into_iter()
            .filter(|k| p.get(*k).is_some_and(|v| !v.is_null()))
            .collect();
        let allowed: &[&str] = if ingress {
            &["namespaces", "pods"]
        } else {
            &["namespaces", "pods", "networks", "nodes"]
        };
        if set.len() != 1 || !allowed.contains(&set[0]) {
            return Err(invalid(
                o,
                format!("rule {name:?}: exactly one field must be set in a rule peer"),
            ));
        }
        match set[0] {
            "networks" => {
                let mut ips = IpSet::empty();
                for c in p
                    .get("networks")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let s = c.as_str().unwrap_or("");
                    match IpSet::parse_cidr(s) {
                        Ok(Cidr::V4(set)) => ips = ips.union(&set),
                        Ok(Cidr::V6) => warn(
                            cluster,
                            o,
                            format!(
                                "rule {name:?}: network {s}: IPv6 addresses are not supported; ignored"
                            ),
                        ),
                        Err(e) => return Err(invalid(o, format!("rule {name:?}: {e}"))),
                    }
                }
                peers.push(AdminPeer::Networks(ips));
            }
            "nodes" => {
                warn(
                    cluster,
                    o,
                    format!(
                        "rule {name:?}: Nodes field of an AdminNetworkPolicyEgressPeer is not supported; ignored"
                    ),
                );
                peers.push(AdminPeer::Nodes);
            }
            _ => {
                if let Some(ap) = parse_pods_choice(o, p, "a rule peer")? {
                    peers.push(AdminPeer::Pods(ap));
                }
            }
        }
    }
    let mut ports = Vec::new();
    for p in r
        .get("ports")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        ports.push(parse_port(o, p, &name)?);
    }
    Ok(AdminRule {
        name,
        action,
        peers,
        ports,
    })
}

fn protocol(o: &Object, v: &Value) -> Result<Protocol, NetpolError> {
    match v.get("protocol").and_then(Value::as_str) {
        None | Some("") => Ok(Protocol::Tcp),
        Some(s) => Protocol::parse(s)
            .filter(|p| p.as_str() == s)
            .ok_or_else(|| invalid(o, format!("protocol error: unsupported protocol {s:?}"))),
    }
}

fn number(o: &Object, v: Option<&Value>) -> Result<u16, NetpolError> {
    v.and_then(Value::as_i64)
        .filter(|n| (1..=i64::from(MAX_PORT)).contains(n))
        .map(|n| n as u16)
        .ok_or_else(|| invalid(o, "port error: a port number must be in 1-65535"))
}

fn parse_port(o: &Object, p: &Value, rule: &str) -> Result<AdminPort, NetpolError> {
    let set: Vec<&str> = ["portNumber", "namedPort", "portRange"]
        .into_iter()
        .filter(|k| p.get(*k).is_some_and(|v| !v.is_null()))
        .collect();
    if set.len() != 1 {
        return Err(invalid(
            o,
            format!("rule {rule:?}: exactly one field must be set in an AdminNetworkPolicyPort"),
        ));
    }
    let v = &p[set[0]];
    match set[0] {
        "portNumber" => {
            let n = number(o, v.get("port"))?;
            Ok(AdminPort::Numbers(protocol(o, v)?, PortSet::single(n)))
        }
        "portRange" => {
            let start = number(o, v.get("start"))?;
            let end = number(o, v.get("end"))?;
            if end < start {
                return Err(invalid(
                    o,
                    format!(
                        "rule {rule:?}: port error: illegal port range {start}-{end} (end must not be lower than start)"
                    ),
                ));
            }
            Ok(AdminPort::Numbers(
                protocol(o, v)?,
                PortSet::range(start, end),
            ))
        }
        _ => Ok(AdminPort::Named(v.as_str().unwrap_or("").to_string())),
    }
}
