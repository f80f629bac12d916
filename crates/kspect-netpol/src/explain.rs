//! `--explain`: for every pair, the policies and rules that allow or deny each part of
//! its connections.
//!
//! Every side of a pair is evaluated again, tier by tier (AdminNetworkPolicies,
//! NetworkPolicies, the BaselineAdminNetworkPolicy, the system default), on connection
//! sets that carry the rules behind each port range ([`crate::augmented`]). The report
//! groups ranges by the rules behind them, as the reference analyzer does.

use crate::augmented::*;
use crate::connlist::{
    Endpoint, ListOptions, endpoint_name, focus_keeps_pair, listed_workloads, workload_display,
};
use crate::engine::Analyzer;
use crate::flow::{self, Peer};
use crate::ip::{IpRange, IpSet};
use crate::model::*;
use crate::ports::Protocol;

/// One end of an explained pair.
#[derive(Debug, Clone)]
pub enum XPeer {
    /// A pod (standing for its workload).
    Pod(PodId),
    /// An address range.
    Ip(IpSet, IpRange),
}

/// Explains connections between pods and address ranges of one cluster.
#[derive(Debug)]
pub struct Explainer<'c> {
    cluster: &'c Cluster,
    /// With exposure analysis on, a policy whose entire-cluster rules allow everything
    /// answers for every pod with those rules (as the reference analyzer does then).
    exposure: bool,
}

fn as_peer(p: &XPeer) -> Peer<'_> {
    match p {
        XPeer::Pod(id) => Peer::Pod(*id),
        XPeer::Ip(set, _) => Peer::Ip(set),
    }
}

/// Allowed, denied and passed connections collected from admin policies.
#[derive(Debug, Clone)]
struct PolicyConns {
    allowed: AConn,
    denied: AConn,
    pass: AConn,
}

impl PolicyConns {
    fn new() -> PolicyConns {
        PolicyConns {
            allowed: AConn::plain(false),
            denied: AConn::plain(false),
            pass: AConn::plain(false),
        }
    }

    fn is_empty(&self) -> bool {
        self.allowed.is_empty() && self.denied.is_empty() && self.pass.is_empty()
    }

    fn update_with_rule(&mut self, mut rule: AConn, action: Action) {
        match action {
            Action::Allow => {
                rule.subtract(&self.denied);
                rule.subtract(&self.pass);
                self.allowed.union(&rule, false);
            }
            Action::Deny => {
                rule.subtract(&self.allowed);
                rule.subtract(&self.pass);
                self.denied.union(&rule, false);
            }
            Action::Pass => {
                rule.subtract(&self.allowed);
                rule.subtract(&self.denied);
                self.pass.union(&rule, false);
            }
        }
    }

    fn collect_anp(&mut self, mut new: PolicyConns) {
        new.denied.subtract(&self.allowed);
        new.denied.subtract(&self.pass);
        new.allowed.subtract(&self.denied);
        new.allowed.subtract(&self.pass);
        new.pass.subtract(&self.denied);
        new.pass.subtract(&self.allowed);
        // A side that ends up empty adds nothing, not even its reasons.
        for (mine, theirs) in [
            (&mut self.denied, &new.denied),
            (&mut self.allowed, &new.allowed),
            (&mut self.pass, &new.pass),
        ] {
            if !theirs.is_empty() {
                mine.union(theirs, false);
            }
        }
    }

    fn complement_pass(&mut self) {
        let mut d = PolicyConns::new();
        d.pass = AConn::plain(true);
        self.collect_anp(d);
    }

    fn collect_np(&mut self, np_allowed: &AConn) {
        let mut new = self.pass.clone();
        new.intersection(np_allowed);
        new.subtract(&self.denied);
        self.allowed.union(&new, false);
    }

    fn collect_banp(&mut self, banp: &PolicyConns) {
        let mut new_denied = self.pass.clone();
        new_denied.intersection(&banp.denied);
        new_denied.subtract(&self.allowed);
        self.denied.union(&new_denied, true);
        let mut new_allowed = self.pass.clone();
        new_allowed.intersection(&banp.allowed);
        self.allowed.union(&new_allowed, false);
        let denied = self.denied.clone();
        self.allowed.subtract(&denied);
    }

    fn determines_all(&self) -> bool {
        let mut c = self.allowed.clone();
        c.union(&self.denied, false);
        c.is_all()
    }
}

fn dir_name(ingress: bool) -> &'static str {
    if ingress { "Ingress" } else { "Egress" }
}

impl<'c> Explainer<'c> {
    /// An explainer for a cluster.
    pub fn new(cluster: &'c Cluster, exposure: bool) -> Explainer<'c> {
        Explainer { cluster, exposure }
    }

    /// How the report names a peer.
    pub fn peer_name(&self, p: &XPeer) -> String {
        match p {
            XPeer::Pod(id) => workload_display(self.cluster, self.cluster.pods[*id].workload),
            XPeer::Ip(_, r) => format!("{r}[External]"),
        }
    }

    fn np_name(&self, p: &NetworkPolicy) -> String {
        format!(
            "NetworkPolicy '{}/{}'",
            self.cluster.namespaces[p.namespace].name, p.name
        )
    }

    /// What a NetworkPolicy rule allows towards `dst`, with the rules behind each range.
    fn np_rule_conns(
        &self,
        pol: &NetworkPolicy,
        idx: usize,
        ingress: bool,
        dst: &XPeer,
        policy_peer: &str,
        rule_peer: &str,
    ) -> AConn {
        let rules = if ingress { &pol.ingress } else { &pol.egress };
        let rule = &rules[idx];
        let name = self.np_name(pol);
        let rule_name = format!("{} rule #{}", dir_name(ingress), idx + 1);
        let allowed = format!("{name} allows connections by {rule_name}");
        if rule.ports.is_empty() {
            return AConn::with_rule(true, KIND_NP, &allowed, ingress);
        }
        let unmatched = format!(
            "{name} selects {policy_peer}, and {rule_name} selects {rule_peer}, but the protocols and ports do not match"
        );
        let out_rules = Rules::with_rule(KIND_NP, &unmatched, ingress);
        let in_rules = Rules::with_rule(KIND_NP, &allowed, ingress);
        let mut res = AConn::with_rule(false, KIND_NP, &unmatched, ingress);
        for port in &rule.ports {
            let (proto, ranges): (Protocol, Vec<(u32, u32)>) = match port {
                PortSpec::Numbers(p, set) => (
                    *p,
                    set.ranges()
                        .iter()
                        .map(|&(lo, hi)| (u32::from(lo), u32::from(hi)))
                        .collect(),
                ),
                PortSpec::Named(p, n) => {
                    let resolved = match dst {
                        XPeer::Pod(d) => self.cluster.pods[*d]
                            .named_port(n)
                            .filter(|(pp, _)| pp == p)
                            .map(|(_, num)| (u32::from(num), u32::from(num))),
                        XPeer::Ip(..) => None,
                    };
                    (*p, resolved.into_iter().collect())
                }
            };
            let set = ports_with_rules(&ranges, &in_rules, &out_rules, Collect::Never);
            res.add_connection(proto, &set);
        }
        if res.is_empty() {
            return AConn::with_rule(
                false,
                KIND_NP,
                &format!(
                    "{name} selects {policy_peer}, and {rule_name} selects {rule_peer}, but named ports of the rule have no match in the configuration of the destination peer"
                ),
                ingress,
            );
        }
        res
    }

    /// What the rules of a policy that selects every namespace allow (exposure mode).
    fn np_cluster_wide(&self, pol: &NetworkPolicy, ingress: bool, dst: &XPeer) -> AConn {
        let rules = if ingress { &pol.ingress } else { &pol.egress };
        let mut out = AConn::plain(false);
        for (i, r) in rules.iter().enumerate() {
            if flow::np_rule_matches(self.cluster, pol.namespace, r, Peer::Cluster) {
                out.union(&self.np_rule_conns(pol, i, ingress, dst, "", ""), false);
            }
        }
        out
    }

    /// One NetworkPolicy's verdict on one side.
    fn np_policy_conns(
        &self,
        pol: &NetworkPolicy,
        src: &XPeer,
        dst: &XPeer,
        ingress: bool,
    ) -> AConn {
        let (policy_peer, other) = if ingress { (dst, src) } else { (src, dst) };
        if self.exposure && matches!(other, XPeer::Pod(_)) {
            let cw = self.np_cluster_wide(pol, ingress, dst);
            if cw.is_all() {
                return cw;
            }
        }
        let rules = if ingress { &pol.ingress } else { &pol.egress };
        let policy_str = self.peer_name(policy_peer);
        let other_str = self.peer_name(other);
        let name = self.np_name(pol);
        let mut res = AConn::plain(false);
        if rules.is_empty() {
            res.add_common_rule(
                KIND_NP,
                &format!(
                    "{name} selects {policy_str}, but {other_str} is not allowed by any {} rule (no rules defined)",
                    dir_name(ingress)
                ),
                ingress,
            );
            return res;
        }
        let mut selected = false;
        for (i, r) in rules.iter().enumerate() {
            if !flow::np_rule_matches(self.cluster, pol.namespace, r, as_peer(other)) {
                continue;
            }
            selected = true;
            let rc = self.np_rule_conns(pol, i, ingress, dst, &policy_str, &other_str);
            res.union(&rc, false);
            if res.is_all() {
                return res;
            }
        }
        if !selected {
            res.add_common_rule(
                KIND_NP,
                &format!(
                    "{name} selects {policy_str}, but {other_str} is not allowed by any {} rule",
                    dir_name(ingress)
                ),
                ingress,
            );
        }
        res
    }

    fn admin_rule_conns(
        &self,
        rule: &AdminRule,
        expl: &str,
        kind: &str,
        dst: &XPeer,
        ingress: bool,
    ) -> AConn {
        if rule.ports.is_empty() {
            return AConn::with_rule(true, kind, expl, ingress);
        }
        let in_rules = Rules::with_rule(kind, expl, ingress);
        let mut res = AConn::plain(false);
        for port in &rule.ports {
            let (proto, ranges) = match port {
                AdminPort::Numbers(p, set) => (
                    *p,
                    set.ranges()
                        .iter()
                        .map(|&(lo, hi)| (u32::from(lo), u32::from(hi)))
                        .collect::<Vec<_>>(),
                ),
                AdminPort::Named(n) => match dst {
                    XPeer::Pod(d) => match self.cluster.pods[*d].named_port(n) {
                        Some((pp, num)) => (pp, vec![(u32::from(num), u32::from(num))]),
                        None => continue,
                    },
                    XPeer::Ip(..) => continue,
                },
            };
            let set = ports_with_rules(&ranges, &in_rules, &Rules::default(), Collect::Never);
            res.add_connection(proto, &set);
        }
        res
    }

    fn admin_policy_conns(
        &self,
        a: &AdminPolicy,
        baseline: bool,
        src: &XPeer,
        dst: &XPeer,
        ingress: bool,
    ) -> PolicyConns {
        let (kind, full) = if baseline {
            (
                KIND_BANP,
                format!("BaselineAdminNetworkPolicy '{}'", a.name),
            )
        } else {
            (KIND_ANP, format!("AdminNetworkPolicy '{}'", a.name))
        };
        let other = if ingress { src } else { dst };
        let rules = if ingress { &a.ingress } else { &a.egress };
        let mut res = PolicyConns::new();
        for r in rules {
            if !r
                .peers
                .iter()
                .any(|p| flow::admin_peer_matches(self.cluster, p, as_peer(other)))
            {
                continue;
            }
            let op = match r.action {
                Action::Allow => "allows",
                Action::Deny => "denies",
                Action::Pass => "passes",
            };
            let expl = format!(
                "{full} {op} connections by {} rule {}",
                dir_name(ingress),
                r.name
            );
            let rc = self.admin_rule_conns(r, &expl, kind, dst, ingress);
            res.update_with_rule(rc, r.action);
        }
        res
    }

    /// One side (egress of `src` or ingress of `dst`) through all tiers.
    pub fn side(&self, src: &XPeer, dst: &XPeer, ingress: bool) -> AConn {
        let subject = if ingress { dst } else { src };
        let c = self.cluster;
        let mut anp = PolicyConns::new();
        for a in &c.admin_policies {
            if flow::admin_selects(c, a, as_peer(subject), ingress) {
                let single = self.admin_policy_conns(a, false, src, dst, ingress);
                if !single.is_empty() {
                    anp.collect_anp(single);
                }
            }
        }
        let anp_captured = !anp.is_empty();
        anp.complement_pass();
        if anp.determines_all() {
            let denied = anp.denied.clone();
            anp.allowed.subtract(&denied);
            return anp.allowed;
        }
        let pols = flow::np_selecting(c, as_peer(subject), ingress);
        if !pols.is_empty() {
            let mut allowed = AConn::plain(false);
            for pi in pols {
                let pc = self.np_policy_conns(&c.policies[pi], src, dst, ingress);
                allowed.union(&pc, true);
            }
            if !anp_captured {
                return allowed;
            }
            anp.collect_np(&allowed);
            return anp.allowed;
        }
        let mut banp = PolicyConns::new();
        if let Some(b) = &c.baseline {
            if flow::admin_selects(c, b, as_peer(subject), ingress) {
                banp = self.admin_policy_conns(b, true, src, dst, ingress);
            }
        }
        banp.allowed = AConn::with_rule(true, KIND_DEFAULT, SYSTEM_DEFAULT, ingress);
        anp.collect_banp(&banp);
        anp.allowed
    }

    /// The connections from `src` to `dst` with the rules behind them.
    pub fn pair(&self, src: &XPeer, dst: &XPeer) -> AConn {
        let mut conn = self.side(src, dst, false);
        conn.set_result(false);
        let mut ing = self.side(src, dst, true);
        ing.set_result(true);
        conn.intersection(&ing);
        conn
    }
}

/// The ingress controller's connections to one backend, with the Route/Ingress rules.
fn route_conns(src: &crate::ingress::RouteSource) -> AConn {
    let out = format!(
        "{} '{}' allows ingress to service {}, but the protocols and ports do not match",
        src.kind, src.object, src.service
    );
    let through = format!(
        "{} '{}' allows ingress connections through service {}",
        src.kind, src.object, src.service
    );
    let mut res = AConn::with_rule(false, src.kind, &out, true);
    let ranges: Vec<(u32, u32)> = src
        .ports
        .ports(Protocol::Tcp)
        .ranges()
        .iter()
        .map(|&(lo, hi)| (u32::from(lo), u32::from(hi)))
        .collect();
    let set = ports_with_rules(
        &ranges,
        &Rules::with_rule(src.kind, &through, true),
        &Rules::with_rule(src.kind, &out, true),
        Collect::Never,
    );
    res.add_connection(Protocol::Tcp, &set);
    res
}

/// One explained pair.
#[derive(Debug, Clone)]
pub struct ExplainedPair {
    /// Source name.
    pub src: String,
    /// Destination name.
    pub dst: String,
    /// Source endpoint.
    pub src_end: Endpoint,
    /// Destination endpoint.
    pub dst_end: Endpoint,
    /// Connections and reasons.
    pub conns: AConn,
}

/// Which pairs the report keeps.
#[derive(Debug, Clone, Default)]
pub struct ExplainOptions {
    /// Focus options of the list.
    pub focus: ListOptions,
    /// `Some(true)`: allowed only; `Some(false)`: denied only.
    pub only: Option<bool>,
    /// Exposure analysis is on.
    pub exposure: bool,
}

/// Every pair of the report, sorted by source then destination name.
pub fn explained_pairs(an: &Analyzer<'_>, opts: &ExplainOptions) -> Vec<ExplainedPair> {
    let cluster = an.cluster();
    let ex = Explainer::new(cluster, opts.exposure);
    let workloads = listed_workloads(cluster);
    let mut srcs: Vec<(Endpoint, XPeer)> = an
        .ingress_pieces()
        .iter()
        .map(|&(lo, hi)| {
            (
                Endpoint::Ip(IpRange(lo, hi)),
                XPeer::Ip(IpSet::range(lo, hi), IpRange(lo, hi)),
            )
        })
        .collect();
    let mut dsts: Vec<(Endpoint, XPeer)> = an
        .egress_pieces()
        .iter()
        .map(|&(lo, hi)| {
            (
                Endpoint::Ip(IpRange(lo, hi)),
                XPeer::Ip(IpSet::range(lo, hi), IpRange(lo, hi)),
            )
        })
        .collect();
    for &w in &workloads {
        let pod = cluster.workloads[w].pods[0];
        srcs.push((Endpoint::Workload(w), XPeer::Pod(pod)));
        dsts.push((Endpoint::Workload(w), XPeer::Pod(pod)));
    }
    let focus_conn = opts.focus.focus_conn;
    let mut out = Vec::new();
    let push =
        |src_end: Endpoint, dst_end: Endpoint, conns: AConn, out: &mut Vec<ExplainedPair>| {
            out.push(ExplainedPair {
                src: endpoint_name(cluster, src_end),
                dst: endpoint_name(cluster, dst_end),
                src_end,
                dst_end,
                conns,
            });
        };
    // The focus connection alone, with its reasons; `None` when explain-only drops it.
    let focus = |c: AConn| -> Option<AConn> {
        match focus_conn {
            None => Some(c),
            Some((p, n)) => {
                let (fc, allowed) = c.focus(p, n);
                match opts.only {
                    Some(want) if want != allowed => None,
                    _ => Some(fc),
                }
            }
        }
    };
    for (se, sp) in &srcs {
        for (de, dp) in &dsts {
            if matches!((se, de), (Endpoint::Ip(_), Endpoint::Ip(_))) || se == de {
                continue;
            }
            if !focus_keeps_pair(cluster, *se, *de, &opts.focus) {
                continue;
            }
            let c = ex.pair(sp, dp);
            if c.is_empty() && opts.only == Some(true) {
                continue;
            }
            if !c.is_empty() && opts.only == Some(false) && focus_conn.is_none() {
                continue;
            }
            if let Some(c) = focus(c) {
                push(*se, *de, c, &mut out);
            }
        }
    }
    if let Some(ic) = &cluster.ingress_controller {
        let ic_end = Endpoint::Workload(ic.workload);
        for (&w, sources) in &ic.sources {
            if cluster.workloads[w].object.is_none() || sources.is_empty() {
                continue;
            }
            let we = Endpoint::Workload(w);
            if !focus_keeps_pair(cluster, ic_end, we, &opts.focus) {
                continue;
            }
            let dst = XPeer::Pod(cluster.workloads[w].pods[0]);
            let mut pe = ex.pair(&XPeer::Pod(ic.pod), &dst);
            pe.remove_default(true);
            let mut rc = route_conns(&sources[0]);
            for s in &sources[1..] {
                rc.union(&route_conns(s), true);
            }
            rc.intersection(&pe);
            rc.set_result(true);
            if rc.is_empty() {
                continue;
            }
            if let Some(c) = focus(rc) {
                push(ic_end, we, c, &mut out);
            }
        }
    }
    out.sort_by(|a, b| (&a.src, &a.dst).cmp(&(&b.src, &b.dst)));
    out
}

fn group_header(title: &str) -> String {
    let line = format!("# {title} #");
    let bar = "#".repeat(line.len());
    format!("\n{bar}\n{line}\n{bar}\n")
}

/// The explanation report.
pub fn render(pairs: &[ExplainedPair]) -> String {
    let (default, specific): (Vec<&ExplainedPair>, Vec<&ExplainedPair>) =
        pairs.iter().partition(|p| p.conns.only_default());
    let mut out = String::new();
    if !specific.is_empty() {
        out.push_str(&group_header("Specific connections and their reasons"));
        for p in specific {
            out.push_str(&"-".repeat(160));
            out.push('\n');
            out.push_str(&format!(
                "Connections between {} => {}:\n\n{}",
                p.src,
                p.dst,
                p.conns.explanation()
            ));
        }
    }
    if !default.is_empty() {
        out.push_str(&group_header(&format!(
            "All Connections due to {SYSTEM_DEFAULT}"
        )));
        for p in default {
            out.push_str(&format!("{} => {}\n", p.src, p.dst));
        }
    }
    out
}
