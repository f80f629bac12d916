//! The reachability engine.
//!
//! A connection from A to B is allowed when A's egress side and B's ingress side both
//! allow it. Each side is decided in tiers: AdminNetworkPolicies by priority (Allow, Deny
//! or Pass, first match wins per port), then NetworkPolicies (a pod selected by any policy
//! in that direction is isolated and gets the union of what they allow), then the
//! BaselineAdminNetworkPolicy, then the default (allow).
//!
//! Speed: pods are grouped into classes of pods that no selector in the input can tell
//! apart (same policies select them, same rule peers match them, same resolution of every
//! named port in use). Evaluation runs once per class, with rule-peer matches
//! precomputed as bitsets, so thousands of pods in a few label shapes cost little.

use std::collections::HashMap;

use crate::ip::{IpSet, partition};
use crate::model::*;
use crate::ports::{ConnSet, PortSet, Protocol};

/// A growable bitset.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
struct Bits(Vec<u64>);

impl Bits {
    fn with_len(n: usize) -> Bits {
        Bits(vec![0; n.div_ceil(64)])
    }
    fn set(&mut self, i: usize) {
        self.0[i / 64] |= 1 << (i % 64);
    }
    fn get(&self, i: usize) -> bool {
        self.0.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
    }
}

/// Where a pod-matching peer is used: a NetworkPolicy peer or an admin policy peer.
#[derive(Debug, Clone, Copy)]
enum PeerSlot<'c> {
    Np { policy_ns: NsId, peer: &'c NpPeer },
    Admin(&'c AdminPods),
}

/// What one class of pods looks like to the policies.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Signature {
    ingress_policies: Vec<usize>,
    egress_policies: Vec<usize>,
    admin_subject: Vec<usize>,
    baseline_subject: bool,
    peers: Bits,
    named: Vec<Option<(Protocol, u16)>>,
}

/// The precomputed view of a cluster that answers "what may flow from X to Y".
#[derive(Debug)]
pub struct Analyzer<'c> {
    cluster: &'c Cluster,
    /// Pod -> class.
    pod_class: Vec<usize>,
    /// Class -> signature.
    classes: Vec<Signature>,
    /// Class -> a pod of it.
    class_rep: Vec<PodId>,
    /// Per class, [ingress, egress]: the NetworkPolicy rules that apply to it, flattened
    /// so that a pair costs a few bit tests and no lookups.
    class_rules: Vec<[Vec<RuleRef>; 2]>,
    /// Admin policy rules (baseline is index `admin_policies.len()`): peer ids.
    admin_rule_peers: HashMap<(usize, bool, usize), Vec<usize>>,
    /// Named ports in use, with their index in `Signature::named`.
    port_names: HashMap<String, usize>,
    ingress_pieces: Vec<(u32, u32)>,
    egress_pieces: Vec<(u32, u32)>,
}

/// Contiguous address ranges, `(first, last)` inclusive.
pub type Pieces = Vec<(u32, u32)>;

/// The ranges a set of policies cuts the address space into: (sources, destinations).
pub fn address_pieces(cluster: &Cluster) -> (Pieces, Pieces) {
    let (ing, eg) = address_blocks(cluster);
    (partition(&ing), partition(&eg))
}

/// Every address block in play: (ingress sources, egress destinations).
pub fn address_blocks(cluster: &Cluster) -> (Vec<IpSet>, Vec<IpSet>) {
    let mut ing: Vec<IpSet> = Vec::new();
    let mut eg: Vec<IpSet> = Vec::new();
    for p in &cluster.policies {
        for (rules, out) in [(&p.ingress, &mut ing), (&p.egress, &mut eg)] {
            for r in rules {
                for peer in &r.peers {
                    if let NpPeer::IpBlock(s) = peer {
                        out.push(s.clone());
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
        for r in &a.egress {
            for peer in &r.peers {
                if let AdminPeer::Networks(s) = peer {
                    eg.push(s.clone());
                }
            }
        }
    }
    (ing, eg)
}

impl<'c> Analyzer<'c> {
    /// Uses another cut of the address space (e.g. one shared by two inputs of a diff).
    pub fn with_pieces(
        mut self,
        ingress: Vec<(u32, u32)>,
        egress: Vec<(u32, u32)>,
    ) -> Analyzer<'c> {
        self.ingress_pieces = ingress;
        self.egress_pieces = egress;
        self
    }

    /// Precomputes classes and matches.
    pub fn new(cluster: &'c Cluster) -> Analyzer<'c> {
        // Number every pod-matching peer.
        let mut slots: Vec<PeerSlot<'c>> = Vec::new();
        let mut np_rule_peers = HashMap::new();
        let mut port_names: HashMap<String, usize> = HashMap::new();
        let add_name = |n: &str, port_names: &mut HashMap<String, usize>| {
            let next = port_names.len();
            port_names.entry(n.to_string()).or_insert(next);
        };
        for (pi, p) in cluster.policies.iter().enumerate() {
            for (ingress, rules) in [(true, &p.ingress), (false, &p.egress)] {
                for (ri, r) in rules.iter().enumerate() {
                    let mut ids = Vec::new();
                    for peer in &r.peers {
                        if matches!(peer, NpPeer::Pods { .. }) {
                            ids.push(slots.len());
                            slots.push(PeerSlot::Np {
                                policy_ns: p.namespace,
                                peer,
                            });
                        }
                    }
                    np_rule_peers.insert((pi, ingress, ri), ids);
                    for port in &r.ports {
                        if let PortSpec::Named(_, n) = port {
                            add_name(n, &mut port_names);
                        }
                    }
                }
            }
        }
        let mut admin_rule_peers = HashMap::new();
        let admins: Vec<&AdminPolicy> = cluster
            .admin_policies
            .iter()
            .chain(cluster.baseline.as_ref())
            .collect();
        for (ai, a) in admins.iter().enumerate() {
            for (ingress, rules) in [(true, &a.ingress), (false, &a.egress)] {
                for (ri, r) in rules.iter().enumerate() {
                    let mut ids = Vec::new();
                    for peer in &r.peers {
                        if let AdminPeer::Pods(ap) = peer {
                            ids.push(slots.len());
                            slots.push(PeerSlot::Admin(ap));
                        }
                    }
                    admin_rule_peers.insert((ai, ingress, ri), ids);
                    for port in &r.ports {
                        if let AdminPort::Named(n) = port {
                            add_name(n, &mut port_names);
                        }
                    }
                }
            }
        }
        let mut names: Vec<(&String, &usize)> = port_names.iter().collect();
        names.sort_by_key(|(_, i)| **i);
        let names: Vec<String> = names.into_iter().map(|(n, _)| n.clone()).collect();

        // Namespace-selector results per namespace, once.
        let ns_ok: Vec<Bits> = cluster
            .namespaces
            .iter()
            .enumerate()
            .map(|(nsid, ns)| {
                let mut b = Bits::with_len(slots.len());
                for (i, s) in slots.iter().enumerate() {
                    let ok = match s {
                        PeerSlot::Np { policy_ns, peer } => match peer {
                            NpPeer::Pods {
                                namespaces: None, ..
                            } => *policy_ns == nsid,
                            NpPeer::Pods {
                                namespaces: Some(sel),
                                ..
                            } => sel.matches(&ns.labels),
                            NpPeer::IpBlock(_) => false,
                        },
                        PeerSlot::Admin(ap) => ap.namespaces.matches(&ns.labels),
                    };
                    if ok {
                        b.set(i);
                    }
                }
                b
            })
            .collect();
        let mut policies_by_ns: Vec<Vec<usize>> = vec![Vec::new(); cluster.namespaces.len()];
        for (pi, p) in cluster.policies.iter().enumerate() {
            policies_by_ns[p.namespace].push(pi);
        }

        let mut class_of_sig: HashMap<Signature, usize> = HashMap::new();
        let mut classes = Vec::new();
        let mut class_rep = Vec::new();
        let mut pod_class = Vec::with_capacity(cluster.pods.len());
        // Pods with the same namespace, labels and ports share a signature; skip recomputing.
        let mut memo: HashMap<(NsId, &crate::selector::Labels, &Vec<ContainerPort>), usize> =
            HashMap::new();
        for (pid, pod) in cluster.pods.iter().enumerate() {
            if let Some(&c) = memo.get(&(pod.namespace, &pod.labels, &pod.ports)) {
                pod_class.push(c);
                continue;
            }
            let ns = &cluster.namespaces[pod.namespace];
            let mut ingress_policies = Vec::new();
            let mut egress_policies = Vec::new();
            for &pi in &policies_by_ns[pod.namespace] {
                let p = &cluster.policies[pi];
                if p.pod_selector.matches(&pod.labels) {
                    if p.affects_ingress {
                        ingress_policies.push(pi);
                    }
                    if p.affects_egress {
                        egress_policies.push(pi);
                    }
                }
            }
            let admin_subject: Vec<usize> = cluster
                .admin_policies
                .iter()
                .enumerate()
                .filter(|(_, a)| a.subject.matches(&ns.labels, &pod.labels))
                .map(|(i, _)| i)
                .collect();
            let baseline_subject = cluster
                .baseline
                .as_ref()
                .is_some_and(|b| b.subject.matches(&ns.labels, &pod.labels));
            let mut peers = Bits::with_len(slots.len());
            for (i, s) in slots.iter().enumerate() {
                if !ns_ok[pod.namespace].get(i) {
                    continue;
                }
                let ok = match s {
                    PeerSlot::Np {
                        peer: NpPeer::Pods { pods, .. },
                        ..
                    } => pods.as_ref().is_none_or(|sel| sel.matches(&pod.labels)),
                    PeerSlot::Np { .. } => false,
                    PeerSlot::Admin(ap) => {
                        ap.pods.as_ref().is_none_or(|sel| sel.matches(&pod.labels))
                    }
                };
                if ok {
                    peers.set(i);
                }
            }
            let named = names.iter().map(|n| pod.named_port(n)).collect();
            let sig = Signature {
                ingress_policies,
                egress_policies,
                admin_subject,
                baseline_subject,
                peers,
                named,
            };
            let c = *class_of_sig.entry(sig.clone()).or_insert_with(|| {
                classes.push(sig);
                class_rep.push(pid);
                classes.len() - 1
            });
            memo.insert((pod.namespace, &pod.labels, &pod.ports), c);
            pod_class.push(c);
        }
        let (ingress_pieces, egress_pieces) = address_pieces(cluster);
        let class_rules = classes
            .iter()
            .map(|sig| {
                let mk = |ingress: bool, pols: &[usize]| -> Vec<RuleRef> {
                    let mut out = Vec::new();
                    for &pi in pols {
                        let p = &cluster.policies[pi];
                        let rules = if ingress { &p.ingress } else { &p.egress };
                        for (ri, r) in rules.iter().enumerate() {
                            let named = r.ports.iter().any(|x| matches!(x, PortSpec::Named(..)));
                            let fixed = if named {
                                None
                            } else {
                                let mut c = ConnSet::none();
                                if r.ports.is_empty() {
                                    c = ConnSet::all();
                                }
                                for x in &r.ports {
                                    if let PortSpec::Numbers(proto, set) = x {
                                        c.union_with(&ConnSet::of(*proto, set.clone()));
                                    }
                                }
                                Some(c)
                            };
                            out.push(RuleRef {
                                policy: pi,
                                rule: ri,
                                any_peer: r.peers.is_empty(),
                                peers: np_rule_peers
                                    .get(&(pi, ingress, ri))
                                    .cloned()
                                    .unwrap_or_default(),
                                fixed,
                            });
                        }
                    }
                    out
                };
                [
                    mk(true, &sig.ingress_policies),
                    mk(false, &sig.egress_policies),
                ]
            })
            .collect();
        Analyzer {
            cluster,
            pod_class,
            classes,
            class_rep,
            class_rules,
            admin_rule_peers,
            port_names,
            ingress_pieces,
            egress_pieces,
        }
    }

    /// The cluster analysed.
    pub fn cluster(&self) -> &'c Cluster {
        self.cluster
    }

    /// Number of pod classes (pods that no selector tells apart share one).
    pub fn class_count(&self) -> usize {
        self.classes.len()
    }

    /// The class of a pod.
    pub fn class_of(&self, pod: PodId) -> usize {
        self.pod_class[pod]
    }

    /// Address ranges that can be sources (cut by every ingress ipBlock).
    pub fn ingress_pieces(&self) -> &[(u32, u32)] {
        &self.ingress_pieces
    }

    /// Address ranges that can be destinations (cut by every egress ipBlock / network).
    pub fn egress_pieces(&self) -> &[(u32, u32)] {
        &self.egress_pieces
    }

    fn named(&self, class: usize, name: &str) -> Option<(Protocol, u16)> {
        let i = *self.port_names.get(name)?;
        self.classes[class].named[i]
    }

    /// Connections of a NetworkPolicy rule's ports towards a destination (a pod class,
    /// or an address range when `None`).
    fn np_ports(&self, ports: &[PortSpec], dst: Option<usize>) -> ConnSet {
        if ports.is_empty() {
            return ConnSet::all();
        }
        let mut out = ConnSet::none();
        for p in ports {
            match p {
                PortSpec::Numbers(proto, set) => out.union_with(&ConnSet::of(*proto, set.clone())),
                PortSpec::Named(proto, name) => {
                    if let Some(c) = dst {
                        if let Some((pp, n)) = self.named(c, name) {
                            if pp == *proto {
                                out.union_with(&ConnSet::of(pp, PortSet::single(n)));
                            }
                        }
                    }
                }
            }
        }
        out
    }

    fn admin_ports(&self, ports: &[AdminPort], dst: Option<usize>) -> ConnSet {
        if ports.is_empty() {
            return ConnSet::all();
        }
        let mut out = ConnSet::none();
        for p in ports {
            match p {
                AdminPort::Numbers(proto, set) => out.union_with(&ConnSet::of(*proto, set.clone())),
                AdminPort::Named(name) => {
                    if let Some((pp, n)) = dst.and_then(|c| self.named(c, name)) {
                        out.union_with(&ConnSet::of(pp, PortSet::single(n)));
                    }
                }
            }
        }
        out
    }

    fn admin_rule_matches(
        &self,
        key: (usize, bool, usize),
        rule: &AdminRule,
        other: End<'_>,
    ) -> bool {
        match other {
            End::Class(c) => self
                .admin_rule_peers
                .get(&key)
                .is_some_and(|ids| ids.iter().any(|&i| self.classes[c].peers.get(i))),
            End::Ip(ip) => rule.peers.iter().any(|p| match p {
                AdminPeer::Networks(s) => s.contains_set(ip),
                _ => false,
            }),
        }
    }

    /// What the NetworkPolicies allow on one side: `None` when no policy isolates the
    /// subject in that direction.
    fn np_side(
        &self,
        subject: usize,
        other: End<'_>,
        dst: Option<usize>,
        ingress: bool,
    ) -> Option<ConnSet> {
        let sig = &self.classes[subject];
        let pols = if ingress {
            &sig.ingress_policies
        } else {
            &sig.egress_policies
        };
        if pols.is_empty() {
            return None;
        }
        let mut out = ConnSet::none();
        for rr in &self.class_rules[subject][usize::from(!ingress)] {
            let hit = rr.any_peer
                || match other {
                    End::Class(c) => rr.peers.iter().any(|&i| self.classes[c].peers.get(i)),
                    End::Ip(ip) => {
                        let p = &self.cluster.policies[rr.policy];
                        let rules = if ingress { &p.ingress } else { &p.egress };
                        rules[rr.rule]
                            .peers
                            .iter()
                            .any(|x| matches!(x, NpPeer::IpBlock(s) if s.contains_set(ip)))
                    }
                };
            if !hit {
                continue;
            }
            match &rr.fixed {
                Some(c) if out.is_empty() => out = c.clone(),
                Some(c) => out.union_with(c),
                None => {
                    let p = &self.cluster.policies[rr.policy];
                    let rules = if ingress { &p.ingress } else { &p.egress };
                    out.union_with(&self.np_ports(&rules[rr.rule].ports, dst));
                }
            }
            if out.is_all() {
                return Some(out);
            }
        }
        Some(out)
    }

    /// One side (egress of the source or ingress of the destination) through all tiers.
    fn side(&self, subject: usize, other: End<'_>, dst: Option<usize>, ingress: bool) -> ConnSet {
        let sig = &self.classes[subject];
        // Fast path without admin policies: NetworkPolicies decide, else everything.
        if sig.admin_subject.is_empty() && !sig.baseline_subject {
            return self
                .np_side(subject, other, dst, ingress)
                .unwrap_or_else(ConnSet::all);
        }
        let mut allow = ConnSet::none();
        let mut deny = ConnSet::none();
        // Connections some ANP rule already decided (Allow, Deny or Pass): lower rules
        // and lower-priority ANPs do not see them.
        let mut decided = ConnSet::none();
        for &ai in &sig.admin_subject {
            let a = &self.cluster.admin_policies[ai];
            let rules = if ingress { &a.ingress } else { &a.egress };
            for (ri, r) in rules.iter().enumerate() {
                if !self.admin_rule_matches((ai, ingress, ri), r, other) {
                    continue;
                }
                let conns = self.admin_ports(&r.ports, dst).subtract(&decided);
                match r.action {
                    Action::Allow => allow.union_with(&conns),
                    Action::Deny => deny.union_with(&conns),
                    Action::Pass => {}
                }
                decided.union_with(&conns);
            }
        }
        // What ANPs passed or did not match goes down the tiers.
        let rest = ConnSet::all().subtract(&allow).subtract(&deny);
        if rest.is_empty() {
            return allow;
        }
        if let Some(np) = self.np_side(subject, other, dst, ingress) {
            allow.union_with(&np.intersect(&rest));
            return allow;
        }
        let mut rest = rest;
        if sig.baseline_subject {
            if let Some(b) = &self.cluster.baseline {
                let bi = self.cluster.admin_policies.len();
                let rules = if ingress { &b.ingress } else { &b.egress };
                for (ri, r) in rules.iter().enumerate() {
                    if !self.admin_rule_matches((bi, ingress, ri), r, other) {
                        continue;
                    }
                    let conns = self.admin_ports(&r.ports, dst).intersect(&rest);
                    if r.action == Action::Allow {
                        allow.union_with(&conns);
                    }
                    rest = rest.subtract(&conns);
                }
            }
        }
        allow.union_with(&rest);
        allow
    }

    /// Allowed connections between two pod classes.
    pub fn class_to_class(&self, src: usize, dst: usize) -> ConnSet {
        let eg = self.side(src, End::Class(dst), Some(dst), false);
        if eg.is_empty() {
            return eg;
        }
        let ing = self.side(dst, End::Class(src), Some(dst), true);
        eg.intersect(&ing)
    }

    /// Allowed connections from one pod to another (a pod to itself: everything).
    pub fn pod_to_pod(&self, src: PodId, dst: PodId) -> ConnSet {
        if src == dst {
            return ConnSet::all();
        }
        self.class_to_class(self.pod_class[src], self.pod_class[dst])
    }

    /// Allowed connections from a pod to an address range (only the pod's egress counts).
    pub fn pod_to_ip(&self, src: PodId, dst: &IpSet) -> ConnSet {
        self.side(self.pod_class[src], End::Ip(dst), None, false)
    }

    /// Allowed connections from an address range to a pod (only the pod's ingress counts).
    pub fn ip_to_pod(&self, src: &IpSet, dst: PodId) -> ConnSet {
        let c = self.pod_class[dst];
        self.side(c, End::Ip(src), Some(c), true)
    }

    /// Connections between a class and every address piece of one direction (egress:
    /// the class's pods as sources, pieces as destinations; ingress: the reverse), as
    /// (piece index, connections) for non-empty results, in piece order.
    ///
    /// Costs in proportion to the pieces the class's rules cover rather than to all
    /// pieces, which matters when policies name hundreds of blocks.
    pub fn pieces_for_class(&self, class: usize, ingress: bool) -> Vec<(usize, ConnSet)> {
        let pieces = if ingress {
            &self.ingress_pieces
        } else {
            &self.egress_pieces
        };
        let sig = &self.classes[class];
        let dst = if ingress { Some(class) } else { None };
        let general = || {
            pieces
                .iter()
                .enumerate()
                .filter_map(|(i, &(lo, hi))| {
                    let c = self.side(class, End::Ip(&IpSet::range(lo, hi)), dst, ingress);
                    (!c.is_empty()).then_some((i, c))
                })
                .collect()
        };
        if !sig.admin_subject.is_empty() || sig.baseline_subject {
            return general();
        }
        let pols = if ingress {
            &sig.ingress_policies
        } else {
            &sig.egress_policies
        };
        if pols.is_empty() {
            return (0..pieces.len()).map(|i| (i, ConnSet::all())).collect();
        }
        let mut acc: std::collections::BTreeMap<usize, ConnSet> = std::collections::BTreeMap::new();
        for rr in &self.class_rules[class][usize::from(!ingress)] {
            let p = &self.cluster.policies[rr.policy];
            let rule = if ingress {
                &p.ingress[rr.rule]
            } else {
                &p.egress[rr.rule]
            };
            let conns = match &rr.fixed {
                Some(c) => c.clone(),
                None => self.np_ports(&rule.ports, dst),
            };
            if conns.is_empty() {
                continue;
            }
            if rr.any_peer {
                for i in 0..pieces.len() {
                    acc.entry(i).or_default().union_with(&conns);
                }
                continue;
            }
            for peer in &rule.peers {
                let NpPeer::IpBlock(set) = peer else { continue };
                for &(lo, hi) in set.ranges() {
                    // Pieces refine every block: the block is exactly a run of pieces.
                    let start = pieces.partition_point(|&(_, end)| end < lo);
                    for (i, &(plo, phi)) in pieces.iter().enumerate().skip(start) {
                        if plo > hi {
                            break;
                        }
                        if plo >= lo && phi <= hi {
                            acc.entry(i).or_default().union_with(&conns);
                        }
                    }
                }
            }
        }
        acc.into_iter().filter(|(_, c)| !c.is_empty()).collect()
    }

    /// Every pair of classes with a non-empty allowed set (a class with itself
    /// included: two workloads can share a class).
    ///
    /// A side that NetworkPolicies isolate can only ever match the classes its rules'
    /// peers select; those sets are computed once per class (as bitsets over classes), so
    /// the pairs a default-deny cluster rules out are skipped without evaluation.
    pub fn class_pairs(&self) -> Vec<(usize, usize, ConnSet)> {
        let n = self.classes.len();
        // Above this the bitsets would cost more memory than the evaluation saves.
        const MAX_CLASSES_FOR_INDEX: usize = 20_000;
        let reach: Option<[Vec<Option<Bits>>; 2]> = (n <= MAX_CLASSES_FOR_INDEX).then(|| {
            let slots = self.classes.first().map_or(0, |c| c.peers.0.len() * 64);
            let mut peer_classes: Vec<Vec<usize>> = vec![Vec::new(); slots];
            for (c, sig) in self.classes.iter().enumerate() {
                for (w, word) in sig.peers.0.iter().enumerate() {
                    let mut bits = *word;
                    while bits != 0 {
                        let b = bits.trailing_zeros() as usize;
                        peer_classes[w * 64 + b].push(c);
                        bits &= bits - 1;
                    }
                }
            }
            let dir = |ingress: bool| -> Vec<Option<Bits>> {
                (0..n)
                    .map(|c| {
                        let sig = &self.classes[c];
                        let pols = if ingress {
                            &sig.ingress_policies
                        } else {
                            &sig.egress_policies
                        };
                        if pols.is_empty() || !sig.admin_subject.is_empty() || sig.baseline_subject
                        {
                            return None;
                        }
                        let rules = &self.class_rules[c][usize::from(!ingress)];
                        if rules.iter().any(|r| r.any_peer) {
                            return None;
                        }
                        let mut b = Bits::with_len(n);
                        for r in rules {
                            for &p in &r.peers {
                                for &other in &peer_classes[p] {
                                    b.set(other);
                                }
                            }
                        }
                        Some(b)
                    })
                    .collect()
            };
            [dir(true), dir(false)]
        });
        let mut out = Vec::new();
        for a in 0..n {
            let candidates: Vec<usize> = match reach.as_ref().and_then(|r| r[1][a].as_ref()) {
                Some(bits) => (0..n).filter(|&b| bits.get(b)).collect(),
                None => (0..n).collect(),
            };
            for b in candidates {
                if let Some(Some(bits)) = reach.as_ref().map(|r| &r[0][b]) {
                    if !bits.get(a) {
                        continue;
                    }
                }
                let c = self.class_to_class(a, b);
                if !c.is_empty() {
                    out.push((a, b, c));
                }
            }
        }
        out
    }

    /// A representative pod of a class.
    pub fn class_rep(&self, class: usize) -> PodId {
        self.class_rep[class]
    }
}

/// A NetworkPolicy rule as one class sees it.
#[derive(Debug, Clone)]
struct RuleRef {
    policy: usize,
    rule: usize,
    /// The rule has no peers: it matches every pod and address.
    any_peer: bool,
    /// Ids of its pod-matching peers.
    peers: Vec<usize>,
    /// Its connections when they do not depend on the destination (no named port).
    fixed: Option<ConnSet>,
}

/// The other end of a connection, as seen by one side.
#[derive(Debug, Clone, Copy)]
enum End<'a> {
    Class(usize),
    Ip(&'a IpSet),
}

#[cfg(test)]
mod tests {
    use kspect_core::Inventory;
    use kspect_core::load::parse_str;

    use crate::ports::{ConnSet, PortSet, Protocol};
    use crate::{Analyzer, analyze};

    const BASE: &str = "apiVersion: v1\nkind: Namespace\nmetadata: {name: a, labels: {team: x}}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: srv, namespace: a, labels: {app: srv}}\nspec: {containers: [{name: c, image: i, ports: [{containerPort: 8080, name: http}]}]}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: cli, namespace: b, labels: {app: cli}}\nspec: {containers: [{name: c, image: i}]}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: cli2, namespace: a, labels: {app: cli}}\nspec: {containers: [{name: c, image: i}]}\n";

    /// Allowed connections from pod `src` to pod `dst` (by name) with extra objects.
    fn conns(extra: &str, src: &str, dst: &str) -> ConnSet {
        let inv = Inventory::new(parse_str("t.yaml", &format!("{BASE}---\n{extra}")));
        let cluster = analyze(&inv).expect("valid");
        let an = Analyzer::new(&cluster);
        let id = |n: &str| cluster.pods.iter().position(|p| p.name == n).expect("pod");
        an.pod_to_pod(id(src), id(dst))
    }

    fn tcp(p: u16) -> ConnSet {
        ConnSet::of(Protocol::Tcp, PortSet::single(p))
    }

    #[test]
    fn selectors_in_one_peer_are_and_in_two_peers_are_or() {
        let and = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: a}\nspec:\n  podSelector: {matchLabels: {app: srv}}\n  ingress:\n  - from:\n    - namespaceSelector: {matchLabels: {team: x}}\n      podSelector: {matchLabels: {app: cli}}\n";
        assert!(conns(and, "cli", "srv").is_empty(), "b has no team label");
        assert!(conns(and, "cli2", "srv").is_all());
        let or = and.replace(
            "      podSelector: {matchLabels: {app: cli}}",
            "    - podSelector: {matchLabels: {app: cli}}",
        );
        assert!(
            conns(&or, "cli", "srv").is_empty(),
            "podSelector alone means the policy's namespace"
        );
        let or_all = or.replace("{matchLabels: {team: x}}", "{}");
        assert!(conns(&or_all, "cli", "srv").is_all());
    }

    #[test]
    fn both_sides_must_allow_and_named_ports_resolve_at_the_destination() {
        let ingress = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: i, namespace: a}\nspec:\n  podSelector: {matchLabels: {app: srv}}\n  ingress:\n  - ports: [{port: http}]\n";
        assert_eq!(conns(ingress, "cli", "srv"), tcp(8080));
        let egress = "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: e, namespace: b}\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n  - ports: [{port: 9000, endPort: 9100}]\n";
        assert!(conns(&format!("{ingress}{egress}"), "cli", "srv").is_empty());
        let egress_ok =
            egress.replace("{port: 9000, endPort: 9100}", "{port: 8000, endPort: 8100}");
        assert_eq!(
            conns(&format!("{ingress}{egress_ok}"), "cli", "srv"),
            tcp(8080)
        );
    }

    #[test]
    fn policy_types_default_to_ingress_only_without_egress_rules() {
        let deny = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: d, namespace: b}\nspec:\n  podSelector: {}\n";
        // Isolates b for ingress only: cli (in b) can still send.
        assert!(conns(deny, "cli", "srv").is_all());
        assert!(conns(deny, "srv", "cli").is_empty());
    }

    #[test]
    fn admin_tiers_pass_deny_and_baseline() {
        let anp = "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: x}\nspec:\n  priority: 10\n  subject: {namespaces: {matchLabels: {team: x}}}\n  ingress:\n  - {name: pass, action: Pass, from: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: b}}}], ports: [{portNumber: {port: 8080}}]}\n  - {name: deny, action: Deny, from: [{namespaces: {}}]}\n";
        // Port 8080 is passed to the lower tiers (nothing there: allowed); the rest denied.
        assert_eq!(conns(anp, "cli", "srv"), tcp(8080));
        let banp = "---\napiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\nmetadata: {name: default}\nspec:\n  subject: {namespaces: {}}\n  ingress:\n  - {name: d, action: Deny, from: [{namespaces: {}}]}\n";
        assert!(
            conns(&format!("{anp}{banp}"), "cli", "srv").is_empty(),
            "baseline denies what was passed"
        );
        let np = "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: allow, namespace: a}\nspec:\n  podSelector: {}\n  ingress: [{}]\n";
        assert_eq!(
            conns(&format!("{anp}{banp}{np}"), "cli", "srv"),
            tcp(8080),
            "a NetworkPolicy decides before the baseline"
        );
    }
}
