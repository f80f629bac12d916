//! One side of a connection for any kind of peer: real pods, representative peers
//! (pods that rule selectors describe but the input does not contain), the entire
//! cluster, and address ranges.
//!
//! [`crate::engine::Analyzer`] answers the pod-to-pod questions fast by grouping pods into
//! classes; this module answers the same questions one pair at a time for peers that
//! have no labels of their own. Exposure analysis uses it. The tiers are the engine's:
//! AdminNetworkPolicies in priority order (first match per port wins), then — for what
//! they pass or leave open — NetworkPolicies if any isolates the subject, else the
//! BaselineAdminNetworkPolicy, else allow.
//!
//! A representative peer is matched the way the reference analyzer matches it: a rule
//! selector selects it when the selector is empty or states exactly the same
//! requirements (a selector cannot be evaluated against labels nobody knows).

use crate::ip::IpSet;
use crate::model::*;
use crate::ports::{ConnSet, PortSet};
use crate::selector::{Operator, Selector};

/// A pod that policy rules describe by selectors: any pod matching `pod` in any
/// namespace matching `ns` (or in `namespace`, for a NetworkPolicy rule without a
/// namespace selector).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rep {
    /// Namespace selector (for a rule without one: the policy's namespace name label).
    pub ns: Selector,
    /// Pod selector (empty: every pod).
    pub pod: Selector,
    /// The policy's namespace, for a NetworkPolicy rule without a namespace selector.
    pub namespace: Option<NsId>,
}

/// One end of a connection.
#[derive(Debug, Clone, Copy)]
pub enum Peer<'a> {
    /// A pod of the input.
    Pod(PodId),
    /// A representative peer.
    Rep(&'a Rep),
    /// Any pod in any namespace, including ones not in the input.
    Cluster,
    /// An external address range.
    Ip(&'a IpSet),
}

/// A selector as a sorted list of requirements, `key=value` and `key in (one value)`
/// being the same requirement.
/// One requirement: key, operator, sorted values.
pub type Requirement = (String, &'static str, Vec<String>);

fn requirements(sel: &Selector) -> Vec<Requirement> {
    let mut out: Vec<Requirement> = sel
        .match_labels
        .iter()
        .map(|(k, v)| (k.clone(), "=", vec![v.clone()]))
        .collect();
    for r in &sel.match_expressions {
        let mut values = r.values.clone();
        values.sort();
        values.dedup();
        let op = match r.operator {
            Operator::In if values.len() == 1 => "=",
            Operator::In => "in",
            Operator::NotIn => "notin",
            Operator::Exists => "exists",
            Operator::DoesNotExist => "!",
        };
        out.push((r.key.clone(), op, values));
    }
    out.sort();
    out
}

/// True when a rule's selector selects the pods a representative selector describes.
pub fn full_match(rule: &Selector, rep: &Selector) -> bool {
    rule.is_empty() || requirements(rule) == requirements(rep)
}

/// The key that makes two representative peers the same.
pub fn rep_key(ns: &Selector, pod: &Selector) -> (Vec<Requirement>, Vec<Requirement>) {
    (requirements(ns), requirements(pod))
}

fn pod_of(cluster: &Cluster, p: PodId) -> &Pod {
    &cluster.pods[p]
}

/// True when a NetworkPolicy rule peer (of a policy in `policy_ns`) selects `other`.
pub fn np_peer_matches(cluster: &Cluster, policy_ns: NsId, peer: &NpPeer, other: Peer<'_>) -> bool {
    match (peer, other) {
        (NpPeer::IpBlock(s), Peer::Ip(ip)) => s.contains_set(ip),
        (NpPeer::IpBlock(_), _) | (NpPeer::Pods { .. }, Peer::Ip(_)) => false,
        (NpPeer::Pods { namespaces, pods }, Peer::Pod(p)) => {
            let pod = pod_of(cluster, p);
            let ns_ok = match namespaces {
                None => pod.namespace == policy_ns,
                Some(sel) => sel.matches(&cluster.namespaces[pod.namespace].labels),
            };
            ns_ok && pods.as_ref().is_none_or(|s| s.matches(&pod.labels))
        }
        (NpPeer::Pods { namespaces, pods }, Peer::Rep(r)) => {
            let ns_ok = match namespaces {
                None => r.namespace == Some(policy_ns),
                Some(sel) => full_match(sel, &r.ns),
            };
            ns_ok && pods.as_ref().is_none_or(|s| full_match(s, &r.pod))
        }
        (NpPeer::Pods { namespaces, pods }, Peer::Cluster) => {
            namespaces.as_ref().is_some_and(Selector::is_empty)
                && pods.as_ref().is_none_or(Selector::is_empty)
        }
    }
}

/// True when a NetworkPolicy rule selects `other` (a rule without peers selects all).
pub fn np_rule_matches(cluster: &Cluster, policy_ns: NsId, rule: &NpRule, other: Peer<'_>) -> bool {
    rule.peers.is_empty()
        || rule
            .peers
            .iter()
            .any(|p| np_peer_matches(cluster, policy_ns, p, other))
}

/// True when admin-policy pods (a subject or a rule peer) cover `other`.
pub fn admin_pods_match(cluster: &Cluster, ap: &AdminPods, other: Peer<'_>) -> bool {
    match other {
        Peer::Pod(p) => {
            let pod = pod_of(cluster, p);
            ap.matches(&cluster.namespaces[pod.namespace].labels, &pod.labels)
        }
        Peer::Rep(r) => {
            full_match(&ap.namespaces, &r.ns)
                && ap.pods.as_ref().is_none_or(|s| full_match(s, &r.pod))
        }
        Peer::Cluster => {
            ap.namespaces.is_empty() && ap.pods.as_ref().is_none_or(Selector::is_empty)
        }
        Peer::Ip(_) => false,
    }
}

/// True when an admin-policy rule peer selects `other`.
pub fn admin_peer_matches(cluster: &Cluster, peer: &AdminPeer, other: Peer<'_>) -> bool {
    match (peer, other) {
        (AdminPeer::Networks(s), Peer::Ip(ip)) => s.contains_set(ip),
        (AdminPeer::Pods(ap), _) => admin_pods_match(cluster, ap, other),
        _ => false,
    }
}

/// True when the admin policy applies to `subject` in the direction (it must have rules
/// in that direction).
pub fn admin_selects(cluster: &Cluster, a: &AdminPolicy, subject: Peer<'_>, ingress: bool) -> bool {
    let rules = if ingress { &a.ingress } else { &a.egress };
    !rules.is_empty()
        && matches!(subject, Peer::Pod(_) | Peer::Rep(_))
        && admin_pods_match(cluster, &a.subject, subject)
}

/// NetworkPolicies that isolate `subject` in the direction (only real pods can be).
pub fn np_selecting(cluster: &Cluster, subject: Peer<'_>, ingress: bool) -> Vec<usize> {
    let Peer::Pod(p) = subject else {
        return Vec::new();
    };
    let pod = pod_of(cluster, p);
    cluster
        .policies
        .iter()
        .enumerate()
        .filter(|(_, np)| {
            np.namespace == pod.namespace
                && (if ingress {
                    np.affects_ingress
                } else {
                    np.affects_egress
                })
                && np.pod_selector.matches(&pod.labels)
        })
        .map(|(i, _)| i)
        .collect()
}

/// Connections of NetworkPolicy rule ports towards `dst`: named ports resolve against a
/// real destination pod (same protocol) and stay names towards anything else.
pub fn np_ports(cluster: &Cluster, ports: &[PortSpec], dst: Peer<'_>) -> ConnSet {
    if ports.is_empty() {
        return ConnSet::all();
    }
    let mut out = ConnSet::none();
    for p in ports {
        match p {
            PortSpec::Numbers(proto, set) => out.union_with(&ConnSet::of(*proto, set.clone())),
            PortSpec::Named(proto, name) => match dst {
                Peer::Pod(d) => {
                    if let Some((pp, n)) = pod_of(cluster, d).named_port(name) {
                        if pp == *proto {
                            out.union_with(&ConnSet::of(pp, PortSet::single(n)));
                        }
                    }
                }
                Peer::Rep(_) | Peer::Cluster => out.union_with(&ConnSet::named(*proto, name)),
                Peer::Ip(_) => {}
            },
        }
    }
    out
}

/// Connections of admin-policy rule ports towards `dst` (a named port takes the
/// protocol of the destination's container port; unknown destinations keep the name
/// without a protocol).
pub fn admin_ports(cluster: &Cluster, ports: &[AdminPort], dst: Peer<'_>) -> ConnSet {
    if ports.is_empty() {
        return ConnSet::all();
    }
    let mut out = ConnSet::none();
    for p in ports {
        match p {
            AdminPort::Numbers(proto, set) => out.union_with(&ConnSet::of(*proto, set.clone())),
            AdminPort::Named(name) => match dst {
                Peer::Pod(d) => {
                    if let Some((pp, n)) = pod_of(cluster, d).named_port(name) {
                        out.union_with(&ConnSet::of(pp, PortSet::single(n)));
                    }
                }
                Peer::Rep(_) | Peer::Cluster => out.union_with(&ConnSet::named_any(name)),
                Peer::Ip(_) => {}
            },
        }
    }
    out
}

/// What one side decides, with whether any policy applies to the subject.
#[derive(Debug, Clone)]
pub struct Side {
    /// Allowed connections.
    pub allowed: ConnSet,
    /// True when some policy (of any tier) selects the subject in this direction.
    pub protected: bool,
}

/// One side: the egress of `subject` towards `other`, or its ingress from `other`.
/// `dst` is the destination whose container ports resolve named ports.
pub fn side(
    cluster: &Cluster,
    subject: Peer<'_>,
    other: Peer<'_>,
    dst: Peer<'_>,
    ingress: bool,
) -> Side {
    let mut protected = false;
    let mut allow = ConnSet::none();
    let mut deny = ConnSet::none();
    let mut decided = ConnSet::none();
    for a in &cluster.admin_policies {
        if !admin_selects(cluster, a, subject, ingress) {
            continue;
        }
        protected = true;
        let rules = if ingress { &a.ingress } else { &a.egress };
        for r in rules {
            if !r
                .peers
                .iter()
                .any(|p| admin_peer_matches(cluster, p, other))
            {
                continue;
            }
            let conns = admin_ports(cluster, &r.ports, dst).subtract(&decided);
            match r.action {
                Action::Allow => allow.union_with(&conns),
                Action::Deny => deny.union_with(&conns),
                Action::Pass => {}
            }
            decided.union_with(&conns);
        }
    }
    // What no ANP decided, and what they passed, goes down the tiers.
    let pass = ConnSet::all().subtract(&allow).subtract(&deny);
    let pols = np_selecting(cluster, subject, ingress);
    let lower = if pols.is_empty() {
        let mut denied = ConnSet::none();
        if let Some(b) = &cluster.baseline {
            if admin_selects(cluster, b, subject, ingress) {
                protected = true;
                let mut b_allowed = ConnSet::none();
                let rules = if ingress { &b.ingress } else { &b.egress };
                for r in rules {
                    if !r
                        .peers
                        .iter()
                        .any(|p| admin_peer_matches(cluster, p, other))
                    {
                        continue;
                    }
                    let conns = admin_ports(cluster, &r.ports, dst);
                    match r.action {
                        Action::Deny => denied.union_with(&conns.subtract(&b_allowed)),
                        _ => b_allowed.union_with(&conns.subtract(&denied)),
                    }
                }
            }
        }
        ConnSet::all().subtract(&denied)
    } else {
        protected = true;
        let mut out = ConnSet::none();
        for pi in pols {
            let p = &cluster.policies[pi];
            let rules = if ingress { &p.ingress } else { &p.egress };
            for r in rules {
                if np_rule_matches(cluster, p.namespace, r, other) {
                    out.union_with(&np_ports(cluster, &r.ports, dst));
                }
            }
        }
        out
    };
    allow.union_with(&pass.intersect(&lower));
    Side {
        allowed: allow,
        protected,
    }
}

/// Connections from `src` to `dst`: the source's egress and the destination's ingress.
pub fn allowed(cluster: &Cluster, src: Peer<'_>, dst: Peer<'_>) -> ConnSet {
    let eg = side(cluster, src, dst, dst, false).allowed;
    if eg.is_empty() {
        return eg;
    }
    eg.intersect(&side(cluster, dst, src, dst, true).allowed)
}
