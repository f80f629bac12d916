//! Connection sets that remember why: every port range carries the policy rules that put
//! it in (or kept it out of) the set, per direction.
//!
//! The explanation report (`--explain`) must name the same rules, in the same order and
//! grouping, as the reference analyzer; which rules survive an operation depends on how
//! that analyzer combines sets (union keeps the rules already there unless the inclusion
//! of a range changes or a higher policy layer speaks; intersection collects the rules of
//! both sides; subtraction replaces them). This module reproduces those combination rules
//! on ranges of ports `1..=65535` per protocol.

use std::collections::BTreeMap;

use crate::ports::{ConnSet, PortSet, Protocol};

/// Rule kind of a NetworkPolicy rule.
pub const KIND_NP: &str = "NetworkPolicy";
/// Rule kind of an AdminNetworkPolicy rule.
pub const KIND_ANP: &str = "AdminNetworkPolicy";
/// Rule kind of a BaselineAdminNetworkPolicy rule.
pub const KIND_BANP: &str = "BaselineAdminNetworkPolicy";
/// Rule kind of an OpenShift Route.
pub const KIND_ROUTE: &str = "Route";
/// Rule kind of a Kubernetes Ingress.
pub const KIND_INGRESS: &str = "Ingress";
/// Rule kind of the system default.
pub const KIND_DEFAULT: &str = "";
/// The system default, as the report names it.
pub const SYSTEM_DEFAULT: &str = "the system default (Allow all)";

/// Policy layers, lowest precedence first.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Layer {
    /// The system default.
    #[default]
    Default,
    /// BaselineAdminNetworkPolicy.
    Banp,
    /// NetworkPolicy (and Ingress/Route objects).
    Np,
    /// AdminNetworkPolicy.
    Anp,
}

fn layer_of(kind: &str) -> Layer {
    match kind {
        KIND_ANP => Layer::Anp,
        KIND_NP | KIND_INGRESS | KIND_ROUTE => Layer::Np,
        KIND_BANP => Layer::Banp,
        _ => Layer::Default,
    }
}

/// How an operation merges the rules of a range that another set also covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Collect {
    /// Keep the current rules unless inclusion changes or a higher layer speaks.
    Never,
    /// Collect both sides' rules when inclusion does not change.
    SameInclusion,
    /// Always collect both sides' rules.
    Always,
}

/// The rules behind a range in one direction, grouped by kind, with the direction's
/// verdict once known.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct XRules {
    rules: BTreeMap<String, Vec<String>>,
    dominant: Layer,
    result: Option<bool>,
}

impl XRules {
    fn add(&mut self, kind: &str, rule: &str) {
        if rule.is_empty() {
            return;
        }
        let list = self.rules.entry(kind.to_string()).or_default();
        if let Err(i) = list.binary_search_by(|x| x.as_str().cmp(rule)) {
            list.insert(i, rule.to_string());
        }
        self.dominant = self.dominant.max(layer_of(kind));
    }

    fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    fn only_default(&self) -> bool {
        self.rules.len() == 1 && self.dominant == Layer::Default
    }

    fn remove_default(&mut self) {
        if self.only_default() {
            *self = XRules::default();
        }
    }

    fn union(&mut self, other: &XRules) {
        for (kind, rules) in &other.rules {
            let list = self.rules.entry(kind.clone()).or_default();
            list.extend(rules.iter().cloned());
            list.sort();
            list.dedup();
        }
        self.dominant = self.dominant.max(other.dominant);
        if other.result.is_some() {
            self.result = other.result;
        }
    }

    fn collects(same_inclusion: bool, style: Collect) -> bool {
        style == Collect::Always || (style == Collect::SameInclusion && same_inclusion)
    }

    fn update(&self, other: &XRules, same_inclusion: bool, style: Collect) -> XRules {
        let mut result = self.clone();
        if other.is_empty() {
            return result;
        }
        if Self::collects(same_inclusion, style) {
            if !same_inclusion && self.dominant < other.dominant {
                // A higher policy layer changed the verdict: its rules alone explain it.
                return other.clone();
            }
            result.union(other);
            return result;
        }
        if !same_inclusion || self.is_empty() || self.dominant < other.dominant {
            return other.clone();
        }
        result
    }

    fn may_be_updated_by(&self, other: &XRules, same_inclusion: bool, style: Collect) -> bool {
        if Self::collects(same_inclusion, style) {
            return other
                .rules
                .iter()
                .any(|(kind, rules)| match self.rules.get(kind) {
                    None => true,
                    Some(mine) => rules.iter().any(|r| mine.binary_search(r).is_err()),
                });
        }
        (!same_inclusion || self.is_empty() && !other.is_empty()) || self.dominant < other.dominant
    }

    fn result_text(&self) -> &'static str {
        match self.result {
            Some(true) => "(Allowed)",
            Some(false) => "(Denied)",
            None => "",
        }
    }

    fn text(&self) -> String {
        let mut out = self.result_text().to_string();
        if self.is_empty() {
            return out;
        }
        if self.only_default() {
            let rule = self
                .rules
                .get(KIND_DEFAULT)
                .and_then(|v| v.first())
                .map_or(SYSTEM_DEFAULT, String::as_str);
            out.push_str(" due to ");
            out.push_str(rule);
            return out;
        }
        let mut kinds: Vec<(&String, &Vec<String>)> = self.rules.iter().collect();
        kinds.sort_by(|a, b| layer_of(b.0).cmp(&layer_of(a.0)).then(a.0.cmp(b.0)));
        for (kind, rules) in kinds {
            out.push('\n');
            out.push_str("\t\t\t");
            if rules.len() == 1 {
                out.push_str(&rules[0]);
            } else {
                out.push_str(&format!("{kind} list:\n"));
                for r in rules {
                    out.push_str(&format!("\t\t\t\t- {r}\n"));
                }
            }
        }
        out
    }
}

/// The rules behind a range, per direction.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rules {
    ingress: XRules,
    egress: XRules,
}

impl Rules {
    /// One rule in one direction.
    pub fn with_rule(kind: &str, rule: &str, ingress: bool) -> Rules {
        let mut r = Rules::default();
        r.add(kind, rule, ingress);
        r
    }

    /// Adds a rule in one direction.
    pub fn add(&mut self, kind: &str, rule: &str, ingress: bool) {
        if ingress {
            self.ingress.add(kind, rule);
        } else {
            self.egress.add(kind, rule);
        }
    }

    fn update(&self, other: &Rules, same_inclusion: bool, style: Collect) -> Rules {
        Rules {
            ingress: self.ingress.update(&other.ingress, same_inclusion, style),
            egress: self.egress.update(&other.egress, same_inclusion, style),
        }
    }

    fn may_be_updated_by(&self, other: &Rules, same_inclusion: bool, style: Collect) -> bool {
        self.ingress
            .may_be_updated_by(&other.ingress, same_inclusion, style)
            || self
                .egress
                .may_be_updated_by(&other.egress, same_inclusion, style)
    }

    fn set_result(&mut self, allowed: bool, ingress: bool) {
        if ingress {
            self.ingress.result = Some(allowed);
        } else {
            self.egress.result = Some(allowed);
        }
    }

    /// True when both directions name only the system default.
    pub fn only_default(&self) -> bool {
        self.ingress.only_default() && self.egress.only_default()
    }

    fn remove_default(&mut self, ingress: bool) {
        if ingress {
            self.ingress.remove_default();
        } else {
            self.egress.remove_default();
        }
    }

    /// The report text that follows a class of connections.
    pub fn text(&self) -> String {
        if self.only_default() {
            return format!(" due to {SYSTEM_DEFAULT}\n");
        }
        let mut res = String::new();
        if !self.egress.is_empty() {
            res.push_str(&format!("\t\tEgress {}\n", self.egress.text()));
        }
        if !self.ingress.is_empty() {
            res.push_str(&format!("\t\tIngress {}\n", self.ingress.text()));
        }
        if res.is_empty() {
            return "\n".into();
        }
        format!(" due to the following policies and rules:\n{res}")
    }
}

const MIN: u32 = 1;
const MAX: u32 = 65535;

/// A range of ports (or a hole) with its rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AInt {
    lo: u32,
    hi: u32,
    in_set: bool,
    rules: Rules,
}

/// Ports `1..=65535` as ranges and holes, each with its rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ASet {
    ivs: Vec<AInt>,
}

impl ASet {
    /// Every port (or none), with the given rules.
    pub fn full(all: bool, rules: Rules) -> ASet {
        ASet {
            ivs: vec![AInt {
                lo: MIN,
                hi: MAX,
                in_set: all,
                rules,
            }],
        }
    }

    /// Adds `lo..=hi` as in the set (or a hole), with its rules.
    pub fn add_range(&mut self, lo: u32, hi: u32, in_set: bool, rules: Rules, style: Collect) {
        self.add(
            AInt {
                lo,
                hi,
                in_set,
                rules,
            },
            style,
        );
    }

    fn add(&mut self, v: AInt, style: Collect) {
        if v.lo > v.hi || self.ivs.is_empty() {
            return;
        }
        let set = &self.ivs;
        let n = set.len();
        let left0 = set.partition_point(|x| x.hi < v.lo).min(n - 1);
        let right = set.partition_point(|x| x.hi < v.hi).min(n - 1);
        let mut result: Vec<AInt> = set[..left0].to_vec();
        let mut left = left0;
        let same = set[left].in_set == v.in_set;
        if v.lo > set[left].lo
            && (!same || set[left].rules.may_be_updated_by(&v.rules, same, style))
        {
            result.push(AInt {
                lo: set[left].lo,
                hi: v.lo - 1,
                in_set: set[left].in_set,
                rules: set[left].rules.clone(),
            });
            result.push(AInt {
                lo: v.lo,
                hi: set[left].hi.min(v.hi),
                in_set: v.in_set,
                rules: set[left].rules.update(&v.rules, same, style),
            });
            left += 1;
        }
        let mut ind = left;
        while ind <= right {
            let same = set[ind].in_set == v.in_set;
            if ind == right
                && v.hi < set[right].hi
                && (!same || set[right].rules.may_be_updated_by(&v.rules, same, style))
            {
                break;
            }
            result.push(AInt {
                lo: set[ind].lo,
                hi: set[ind].hi,
                in_set: v.in_set,
                rules: set[ind].rules.update(&v.rules, same, style),
            });
            ind += 1;
        }
        let same = set[right].in_set == v.in_set;
        if v.hi < set[right].hi
            && (!same || set[right].rules.may_be_updated_by(&v.rules, same, style))
        {
            // The reference keeps the head of the last range only in these cases (when the
            // first range was split, the head was written with it).
            if left < right || (left == right && v.lo == set[left].lo) {
                result.push(AInt {
                    lo: set[right].lo,
                    hi: v.hi,
                    in_set: v.in_set,
                    rules: set[right].rules.update(&v.rules, same, style),
                });
            }
            result.push(AInt {
                lo: v.hi + 1,
                hi: set[right].hi,
                in_set: set[right].in_set,
                rules: set[right].rules.clone(),
            });
        }
        result.extend(set[right + 1..].iter().cloned());
        self.ivs = result;
    }

    /// Union; `collect_same` collects the rules of ranges whose inclusion does not change.
    pub fn union(&self, other: &ASet, collect_same: bool) -> ASet {
        let style = if collect_same {
            Collect::SameInclusion
        } else {
            Collect::Never
        };
        let mut res = ASet::full(false, Rules::default());
        for pass in [false, true] {
            for iv in self.ivs.iter().chain(&other.ivs) {
                if iv.in_set == pass {
                    res.add(iv.clone(), style);
                }
            }
        }
        res
    }

    /// Intersection, collecting the rules of both sides.
    pub fn intersect(&self, other: &ASet) -> ASet {
        let mut res = ASet::full(false, Rules::default());
        for pass in [true, false] {
            for iv in self.ivs.iter().chain(&other.ivs) {
                if iv.in_set == pass {
                    res.add(iv.clone(), Collect::Always);
                }
            }
        }
        res
    }

    /// Removes the ports of `other`; removed ranges take `other`'s rules.
    pub fn subtract(&self, other: &ASet) -> ASet {
        let mut res = self.clone();
        for iv in &other.ivs {
            if iv.in_set {
                let mut hole = iv.clone();
                hole.in_set = false;
                res.add(hole, Collect::Never);
            }
        }
        res
    }

    /// No port in the set.
    pub fn is_empty(&self) -> bool {
        !self.ivs.iter().any(|i| i.in_set)
    }

    /// Maximal ranges of ports in the set.
    pub fn ranges(&self) -> Vec<(u32, u32)> {
        let mut out: Vec<(u32, u32)> = Vec::new();
        let mut prev_in = false;
        for iv in &self.ivs {
            if iv.in_set {
                match out.last_mut() {
                    Some(last) if prev_in && last.1 + 1 == iv.lo => last.1 = iv.hi,
                    _ => out.push((iv.lo, iv.hi)),
                }
            }
            prev_in = iv.in_set;
        }
        out
    }

    /// Every port is in the set.
    pub fn is_all(&self) -> bool {
        self.ranges() == [(MIN, MAX)]
    }

    fn set_result(&mut self, ingress: bool) {
        for iv in &mut self.ivs {
            iv.rules.set_result(iv.in_set, ingress);
        }
    }

    fn remove_default(&mut self, ingress: bool) {
        for iv in &mut self.ivs {
            iv.rules.remove_default(ingress);
        }
    }

    fn port_set(&self) -> PortSet {
        self.ranges()
            .into_iter()
            .fold(PortSet::empty(), |acc, (lo, hi)| {
                acc.union(&PortSet::range(lo as u16, hi as u16))
            })
    }
}

/// The protocols in the order the report lists them.
const REPORT_ORDER: [Protocol; 3] = [Protocol::Tcp, Protocol::Udp, Protocol::Sctp];

/// A connection set with the rules behind every range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AConn {
    all: bool,
    protos: BTreeMap<Protocol, ASet>,
    common: Rules,
}

impl AConn {
    /// Everything (or nothing), with one rule behind it.
    pub fn with_rule(all: bool, kind: &str, rule: &str, ingress: bool) -> AConn {
        AConn {
            all,
            protos: BTreeMap::new(),
            common: Rules::with_rule(kind, rule, ingress),
        }
    }

    /// Everything or nothing, no rule.
    pub fn plain(all: bool) -> AConn {
        AConn {
            all,
            protos: BTreeMap::new(),
            common: Rules::default(),
        }
    }

    /// Adds a rule behind the whole set.
    pub fn add_common_rule(&mut self, kind: &str, rule: &str, ingress: bool) {
        self.common.add(kind, rule, ingress);
    }

    /// Adds the ports of one protocol.
    pub fn add_connection(&mut self, p: Protocol, ports: &ASet) {
        match self.protos.get_mut(&p) {
            Some(mine) => *mine = mine.union(ports, true),
            None => {
                self.protos.insert(p, ports.clone());
            }
        }
    }

    /// True when nothing is allowed.
    pub fn is_empty(&self) -> bool {
        if self.all {
            return false;
        }
        self.protos.values().all(ASet::is_empty)
    }

    /// True when everything is allowed.
    pub fn is_all(&self) -> bool {
        self.all
    }

    fn rebuild(&mut self) {
        let set = ASet::full(self.all, self.common.clone());
        for p in REPORT_ORDER {
            self.protos.entry(p).or_insert_with(|| set.clone());
        }
        self.common = Rules::default();
    }

    fn update_if_all(&mut self) {
        if self.all {
            return;
        }
        if REPORT_ORDER
            .iter()
            .all(|p| self.protos.get(p).is_some_and(ASet::is_all))
        {
            self.all = true;
        }
    }

    /// Intersection; the rules of both sides are collected.
    pub fn intersection(&mut self, other: &AConn) {
        if self.protos.is_empty() && other.protos.is_empty() {
            if other.is_empty() {
                self.all = false;
                self.protos.clear();
            }
            self.common = self.common.update(&other.common, true, Collect::Always);
            return;
        }
        let mut other = other.clone();
        self.rebuild();
        other.rebuild();
        self.all = false;
        for (p, ports) in self.protos.iter_mut() {
            if let Some(o) = other.protos.get(p) {
                *ports = ports.intersect(o);
            }
        }
        self.update_if_all();
    }

    /// Union; `collect_same` collects the rules of ranges whose inclusion does not change.
    pub fn union(&mut self, other: &AConn, collect_same: bool) {
        let style = if collect_same {
            Collect::SameInclusion
        } else {
            Collect::Never
        };
        if (self.is_empty() || self.all)
            && (other.is_empty() || other.all)
            && self.protos.is_empty()
            && other.protos.is_empty()
        {
            if self.all && other.is_empty() {
                return;
            }
            self.common = self
                .common
                .update(&other.common, self.all == other.all, style);
            self.all = self.all || other.all;
            return;
        }
        if other.is_empty() && !collect_same {
            return;
        }
        let mut other = other.clone();
        self.rebuild();
        other.rebuild();
        for (p, ports) in self.protos.iter_mut() {
            if let Some(o) = other.protos.get(p) {
                *ports = ports.union(o, collect_same);
            }
        }
        for (p, ports) in other.protos {
            self.protos.entry(p).or_insert(ports);
        }
        self.common = Rules::default();
        self.update_if_all();
    }

    /// Removes `other`'s connections; removed ranges take `other`'s rules.
    pub fn subtract(&mut self, other: &AConn) {
        if other.is_empty() {
            return;
        }
        if other.all && other.protos.is_empty() {
            self.common = self.common.update(&other.common, false, Collect::Never);
            self.all = false;
            self.protos.clear();
            return;
        }
        self.rebuild();
        self.all = false;
        for (p, ports) in self.protos.iter_mut() {
            if let Some(o) = other.protos.get(p) {
                *ports = ports.subtract(o);
            }
        }
    }

    /// Records the direction's verdict on every range.
    pub fn set_result(&mut self, ingress: bool) {
        if self.protos.is_empty() {
            let all = self.all;
            self.common.set_result(all, ingress);
            return;
        }
        for ports in self.protos.values_mut() {
            ports.set_result(ingress);
        }
    }

    /// Drops a direction's rules where they are only the system default.
    pub fn remove_default(&mut self, ingress: bool) {
        self.common.remove_default(ingress);
        for ports in self.protos.values_mut() {
            ports.remove_default(ingress);
        }
    }

    /// The plain connection set.
    pub fn conns(&self) -> ConnSet {
        if self.all {
            return ConnSet::all();
        }
        let mut out = ConnSet::none();
        for (p, ports) in &self.protos {
            out.union_with(&ConnSet::of(*p, ports.port_set()));
        }
        out
    }

    /// True when the set is everything, for the system default alone.
    pub fn only_default(&self) -> bool {
        self.all && self.protos.is_empty() && self.common.only_default()
    }

    /// The set restricted to one port, with that port's rules; also whether it is allowed.
    pub fn focus(&self, p: Protocol, port: u16) -> (AConn, bool) {
        let port = u32::from(port);
        let (in_set, rules) = if self.all && self.protos.is_empty() {
            (true, self.common.clone())
        } else if self.protos.is_empty() {
            (false, self.common.clone())
        } else {
            match self
                .protos
                .get(&p)
                .and_then(|s| s.ivs.iter().find(|i| i.lo <= port && port <= i.hi))
            {
                Some(i) => (i.in_set, i.rules.clone()),
                None => (false, Rules::default()),
            }
        };
        let mut set = ASet::full(false, Rules::default());
        set.ivs = vec![AInt {
            lo: port,
            hi: port,
            in_set,
            rules,
        }];
        let mut out = AConn::plain(false);
        out.protos.insert(p, set);
        (out, in_set)
    }

    /// The `Allowed connections:` / `Denied connections:` blocks of the report.
    pub fn explanation(&self) -> String {
        // Ranges grouped by the text of their rules, per verdict.
        type Classes = BTreeMap<String, BTreeMap<Protocol, Vec<(u32, u32)>>>;
        let mut allowed: Classes = BTreeMap::new();
        let mut denied: Classes = BTreeMap::new();
        if self.protos.is_empty() {
            let full: BTreeMap<Protocol, Vec<(u32, u32)>> = REPORT_ORDER
                .iter()
                .map(|p| (*p, vec![(MIN, MAX)]))
                .collect();
            let target = if self.all { &mut allowed } else { &mut denied };
            target.insert(self.common.text(), full);
        }
        for (p, ports) in &self.protos {
            for iv in &ports.ivs {
                let target = if iv.in_set { &mut allowed } else { &mut denied };
                target
                    .entry(iv.rules.text())
                    .or_default()
                    .entry(*p)
                    .or_default()
                    .push((iv.lo, iv.hi));
            }
        }
        let block = |classes: Classes, allowed: bool| -> String {
            let word = if allowed { "Allowed" } else { "Denied" };
            let mut items: Vec<(String, String)> = classes
                .into_iter()
                .map(|(rules, protos)| {
                    let mut parts = Vec::new();
                    for p in REPORT_ORDER {
                        if let Some(r) = protos.get(&p) {
                            let set = r.iter().fold(PortSet::empty(), |acc, &(lo, hi)| {
                                acc.union(&PortSet::range(lo as u16, hi as u16))
                            });
                            if set.is_all() {
                                parts.push(p.to_string());
                            } else {
                                parts.push(format!("{p}:[{set}]"));
                            }
                        }
                    }
                    (format!("\t{word} {}", parts.join(", ")), rules)
                })
                .collect();
            if items.is_empty() {
                return String::new();
            }
            items.sort_by(|a, b| a.0.cmp(&b.0));
            let mut out = format!("{word} connections:\n");
            for (conn, rules) in items {
                out.push_str(&conn);
                out.push_str(&rules);
                out.push('\n');
            }
            out
        };
        block(allowed, true) + &block(denied, false)
    }
}

/// A port set with one rule behind the ports in it and another behind the rest.
pub fn ports_with_rules(
    ranges: &[(u32, u32)],
    in_rule: &Rules,
    out_rules: &Rules,
    style: Collect,
) -> ASet {
    let mut set = ASet::full(false, out_rules.clone());
    for &(lo, hi) in ranges {
        set.add_range(lo, hi, true, in_rule.clone(), style);
    }
    set
}

#[cfg(test)]
mod tests {
    use super::*;

    fn np(rule: &str) -> Rules {
        Rules::with_rule(KIND_NP, rule, true)
    }

    #[test]
    fn union_keeps_rules_of_unchanged_ranges_and_intersection_collects() {
        let mut a = ASet::full(false, np("a-out"));
        a.add_range(80, 80, true, np("a-in"), Collect::Never);
        let mut b = ASet::full(false, np("b-out"));
        b.add_range(80, 90, true, np("b-in"), Collect::Never);
        let u = a.union(&b, false);
        assert_eq!(u.ranges(), vec![(80, 90)]);
        let i = a.intersect(&b);
        assert_eq!(i.ranges(), vec![(80, 80)]);
        let port80 = i.ivs.iter().find(|x| x.lo == 80).expect("80");
        assert_eq!(port80.rules.ingress.rules[KIND_NP], vec!["a-in", "b-in"]);
        let s = b.subtract(&a);
        assert_eq!(s.ranges(), vec![(81, 90)]);
    }

    #[test]
    fn explanation_groups_ranges_by_rules() {
        let mut c = AConn::with_rule(false, KIND_NP, "NetworkPolicy 'a/b' selects x", true);
        let mut tcp = ASet::full(false, np("NetworkPolicy 'a/b' selects x"));
        tcp.add_range(
            8080,
            8080,
            true,
            np("NetworkPolicy 'a/b' allows connections by Ingress rule #1"),
            Collect::Never,
        );
        c.add_connection(Protocol::Tcp, &tcp);
        c.rebuild();
        c.set_result(true);
        let text = c.explanation();
        assert!(text.starts_with("Allowed connections:\n\tAllowed TCP:[8080] due to the following policies and rules:\n\t\tIngress (Allowed)\n\t\t\tNetworkPolicy 'a/b' allows"));
        assert!(text.contains("Denied connections:\n\tDenied TCP:[1-8079,8081-65535], UDP, SCTP"));
    }
}
