//! Sets of ports and of connections (protocol + port), with the exact text form the
//! reference analyzer prints (`All Connections`, `TCP 80,8080-8090,UDP 53`).

use std::collections::BTreeSet;
use std::fmt;

/// Lowest and highest port a policy can name.
pub const MIN_PORT: u16 = 1;
/// Highest port.
pub const MAX_PORT: u16 = 65535;

/// A layer-4 protocol that NetworkPolicy knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Protocol {
    /// TCP (the default when a rule names none).
    Tcp,
    /// UDP.
    Udp,
    /// SCTP.
    Sctp,
}

impl Protocol {
    /// All protocols, in the order the text output sorts them (by name: SCTP, TCP, UDP).
    pub const ALL: [Protocol; 3] = [Protocol::Sctp, Protocol::Tcp, Protocol::Udp];

    /// Upper-case name as Kubernetes writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
            Protocol::Sctp => "SCTP",
        }
    }

    /// Parses `TCP`/`UDP`/`SCTP` (case-insensitive, as the CLI accepts `tcp-80`).
    pub fn parse(s: &str) -> Option<Protocol> {
        match s.to_ascii_uppercase().as_str() {
            "TCP" => Some(Protocol::Tcp),
            "UDP" => Some(Protocol::Udp),
            "SCTP" => Some(Protocol::Sctp),
            _ => None,
        }
    }

    fn index(self) -> usize {
        match self {
            Protocol::Sctp => 0,
            Protocol::Tcp => 1,
            Protocol::Udp => 2,
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of ports in 1..=65535 as sorted, disjoint, non-adjacent inclusive ranges.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PortSet {
    ranges: Vec<(u16, u16)>,
}

impl PortSet {
    /// No port.
    pub fn empty() -> PortSet {
        PortSet { ranges: Vec::new() }
    }

    /// Every port 1..=65535.
    pub fn all() -> PortSet {
        PortSet {
            ranges: vec![(MIN_PORT, MAX_PORT)],
        }
    }

    /// The inclusive range `lo..=hi` (empty when `lo > hi`); values are clamped to 1..=65535.
    pub fn range(lo: u16, hi: u16) -> PortSet {
        let lo = lo.max(MIN_PORT);
        if lo > hi {
            return PortSet::empty();
        }
        PortSet {
            ranges: vec![(lo, hi)],
        }
    }

    /// One port.
    pub fn single(p: u16) -> PortSet {
        PortSet::range(p, p)
    }

    /// The ranges, sorted and maximal.
    pub fn ranges(&self) -> &[(u16, u16)] {
        &self.ranges
    }

    /// True when no port is in the set.
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// True when every port is in the set.
    pub fn is_all(&self) -> bool {
        self.ranges == [(MIN_PORT, MAX_PORT)]
    }

    /// True when `p` is in the set.
    pub fn contains(&self, p: u16) -> bool {
        self.ranges.iter().any(|&(lo, hi)| lo <= p && p <= hi)
    }

    /// Set union.
    pub fn union(&self, other: &PortSet) -> PortSet {
        let mut all: Vec<(u16, u16)> = self
            .ranges
            .iter()
            .chain(other.ranges.iter())
            .copied()
            .collect();
        all.sort_unstable();
        let mut out: Vec<(u16, u16)> = Vec::with_capacity(all.len());
        for (lo, hi) in all {
            match out.last_mut() {
                Some(last) if u32::from(lo) <= u32::from(last.1) + 1 => last.1 = last.1.max(hi),
                _ => out.push((lo, hi)),
            }
        }
        PortSet { ranges: out }
    }

    /// Set intersection.
    pub fn intersect(&self, other: &PortSet) -> PortSet {
        let mut out = Vec::new();
        let (mut i, mut j) = (0, 0);
        while i < self.ranges.len() && j < other.ranges.len() {
            let (a0, a1) = self.ranges[i];
            let (b0, b1) = other.ranges[j];
            let lo = a0.max(b0);
            let hi = a1.min(b1);
            if lo <= hi {
                out.push((lo, hi));
            }
            if a1 < b1 { i += 1 } else { j += 1 }
        }
        PortSet { ranges: out }
    }

    /// Ports of `self` that are not in `other`.
    pub fn subtract(&self, other: &PortSet) -> PortSet {
        self.intersect(&other.complement())
    }

    /// Ports 1..=65535 not in the set.
    pub fn complement(&self) -> PortSet {
        let mut out = Vec::new();
        let mut next: u32 = u32::from(MIN_PORT);
        for &(lo, hi) in &self.ranges {
            if u32::from(lo) > next {
                out.push((next as u16, lo - 1));
            }
            next = u32::from(hi) + 1;
        }
        if next <= u32::from(MAX_PORT) {
            out.push((next as u16, MAX_PORT));
        }
        PortSet { ranges: out }
    }
}

impl fmt::Display for PortSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, &(lo, hi)) in self.ranges.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            if lo == hi {
                write!(f, "{lo}")?;
            } else {
                write!(f, "{lo}-{hi}")?;
            }
        }
        Ok(())
    }
}

/// A set of connections: per protocol, a set of ports; plus named ports that could not be
/// resolved to numbers (only exposure results keep those, e.g. `TCP http`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnSet {
    ports: [PortSet; 3],
    named: [BTreeSet<String>; 3],
    /// Named ports whose protocol is unknown (AdminNetworkPolicy `namedPort` towards a
    /// destination whose container ports are not known); printed with an empty protocol.
    named_any: BTreeSet<String>,
}

impl ConnSet {
    /// Nothing allowed.
    pub fn none() -> ConnSet {
        ConnSet::default()
    }

    /// Every port of every protocol.
    pub fn all() -> ConnSet {
        ConnSet {
            ports: [PortSet::all(), PortSet::all(), PortSet::all()],
            named: Default::default(),
            named_any: BTreeSet::new(),
        }
    }

    /// `ports` of one protocol.
    pub fn of(proto: Protocol, ports: PortSet) -> ConnSet {
        let mut c = ConnSet::none();
        c.ports[proto.index()] = ports;
        c
    }

    /// One named port of one protocol, left unresolved.
    pub fn named(proto: Protocol, name: &str) -> ConnSet {
        let mut c = ConnSet::none();
        c.named[proto.index()].insert(name.to_string());
        c
    }

    /// One named port of an unknown protocol, left unresolved.
    pub fn named_any(name: &str) -> ConnSet {
        let mut c = ConnSet::none();
        c.named_any.insert(name.to_string());
        c
    }

    /// Named ports of an unknown protocol.
    pub fn named_any_ports(&self) -> &BTreeSet<String> {
        &self.named_any
    }

    /// The same set with its named ports replaced by what `resolve` maps them to
    /// (`Some((protocol, port))`); names it cannot map stay names. Names of a known
    /// protocol keep that protocol; names of an unknown protocol take the resolved one.
    pub fn resolve_named(&self, resolve: impl Fn(&str) -> Option<(Protocol, u16)>) -> ConnSet {
        let mut out = self.clone();
        for p in Protocol::ALL {
            for name in &self.named[p.index()] {
                if let Some((_, n)) = resolve(name) {
                    out.named[p.index()].remove(name);
                    out.union_with(&ConnSet::of(p, PortSet::single(n)));
                }
            }
        }
        for name in &self.named_any {
            if let Some((pp, n)) = resolve(name) {
                out.named_any.remove(name);
                out.union_with(&ConnSet::of(pp, PortSet::single(n)));
            }
        }
        out
    }

    /// The ports of one protocol.
    pub fn ports(&self, proto: Protocol) -> &PortSet {
        &self.ports[proto.index()]
    }

    /// The unresolved named ports of one protocol.
    pub fn named_ports(&self, proto: Protocol) -> &BTreeSet<String> {
        &self.named[proto.index()]
    }

    /// True when nothing is allowed (no port and no named port).
    pub fn is_empty(&self) -> bool {
        self.ports.iter().all(PortSet::is_empty)
            && self.named.iter().all(BTreeSet::is_empty)
            && self.named_any.is_empty()
    }

    /// True when every port of every protocol is allowed.
    pub fn is_all(&self) -> bool {
        self.ports.iter().all(PortSet::is_all)
    }

    /// True when the connection `proto`/`port` is in the set.
    pub fn contains(&self, proto: Protocol, port: u16) -> bool {
        self.ports[proto.index()].contains(port)
    }

    /// True when every connection of `other` is in `self` (named ports compared by name).
    pub fn contains_set(&self, other: &ConnSet) -> bool {
        (0..3).all(|i| {
            other.ports[i].subtract(&self.ports[i]).is_empty()
                && (self.ports[i].is_all() || other.named[i].is_subset(&self.named[i]))
        }) && (self.is_all() || other.named_any.is_subset(&self.named_any))
    }

    /// Set union.
    pub fn union(&self, other: &ConnSet) -> ConnSet {
        let mut out = self.clone();
        out.union_with(other);
        out
    }

    /// Adds `other` into `self`.
    pub fn union_with(&mut self, other: &ConnSet) {
        for i in 0..3 {
            if !other.ports[i].is_empty() {
                self.ports[i] = self.ports[i].union(&other.ports[i]);
            }
            self.named[i].extend(other.named[i].iter().cloned());
            if self.ports[i].is_all() {
                self.named[i].clear();
            }
        }
        self.named_any.extend(other.named_any.iter().cloned());
        if self.is_all() {
            self.named_any.clear();
        }
    }

    /// Set intersection (named ports survive only where both sides name them, or where
    /// the other side has every port).
    pub fn intersect(&self, other: &ConnSet) -> ConnSet {
        let mut out = ConnSet::none();
        for i in 0..3 {
            out.ports[i] = self.ports[i].intersect(&other.ports[i]);
            out.named[i] = if other.ports[i].is_all() {
                self.named[i].clone()
            } else if self.ports[i].is_all() {
                other.named[i].clone()
            } else {
                self.named[i]
                    .intersection(&other.named[i])
                    .cloned()
                    .collect()
            };
        }
        out.named_any = if other.is_all() {
            self.named_any.clone()
        } else if self.is_all() {
            other.named_any.clone()
        } else {
            self.named_any
                .intersection(&other.named_any)
                .cloned()
                .collect()
        };
        out
    }

    /// Connections of `self` not in `other`.
    pub fn subtract(&self, other: &ConnSet) -> ConnSet {
        let mut out = ConnSet::none();
        for i in 0..3 {
            out.ports[i] = self.ports[i].subtract(&other.ports[i]);
            out.named[i] = if other.ports[i].is_all() {
                BTreeSet::new()
            } else {
                self.named[i].difference(&other.named[i]).cloned().collect()
            };
        }
        out.named_any = if other.is_all() {
            BTreeSet::new()
        } else {
            self.named_any
                .difference(&other.named_any)
                .cloned()
                .collect()
        };
        out
    }

    /// Protocols with at least one port or named port, in output order.
    pub fn protocols(&self) -> impl Iterator<Item = Protocol> + '_ {
        Protocol::ALL
            .into_iter()
            .filter(|p| !self.ports[p.index()].is_empty() || !self.named[p.index()].is_empty())
    }
}

impl fmt::Display for ConnSet {
    /// `All Connections`, `No Connections`, or `SCTP 1-65535,TCP 80,UDP 53`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_all() {
            return f.write_str("All Connections");
        }
        if self.is_empty() {
            return f.write_str("No Connections");
        }
        let mut first = true;
        // The protocol-less names sort first (the empty protocol name sorts first).
        if !self.named_any.is_empty() {
            first = false;
            let names: Vec<&str> = self.named_any.iter().map(String::as_str).collect();
            write!(f, " {}", names.join(","))?;
        }
        for p in self.protocols() {
            if !first {
                f.write_str(",")?;
            }
            first = false;
            write!(f, "{p} ")?;
            let ports = &self.ports[p.index()];
            write!(f, "{ports}")?;
            for (k, name) in self.named[p.index()].iter().enumerate() {
                if k > 0 || !ports.is_empty() {
                    f.write_str(",")?;
                }
                f.write_str(name)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn display_forms() {
        assert_eq!(ConnSet::all().to_string(), "All Connections");
        assert_eq!(ConnSet::none().to_string(), "No Connections");
        let c = ConnSet::of(Protocol::Tcp, PortSet::range(10053, 10054))
            .union(&ConnSet::of(Protocol::Udp, PortSet::single(10053)));
        assert_eq!(c.to_string(), "TCP 10053-10054,UDP 10053");
        let c = ConnSet::all().subtract(&ConnSet::of(Protocol::Udp, PortSet::single(5353)));
        assert_eq!(
            c.to_string(),
            "SCTP 1-65535,TCP 1-65535,UDP 1-5352,5354-65535"
        );
        let c = ConnSet::of(Protocol::Tcp, PortSet::single(8080))
            .union(&ConnSet::of(Protocol::Udp, PortSet::single(80)))
            .union(&ConnSet::of(Protocol::Udp, PortSet::range(5000, 6000)));
        assert_eq!(c.to_string(), "TCP 8080,UDP 80,5000-6000");
        assert_eq!(
            ConnSet::named(Protocol::Tcp, "http").to_string(),
            "TCP http"
        );
    }

    fn portset() -> impl Strategy<Value = PortSet> {
        prop::collection::vec((1u16..=65535, 0u16..300), 0..6).prop_map(|v| {
            v.into_iter().fold(PortSet::empty(), |acc, (lo, len)| {
                acc.union(&PortSet::range(lo, lo.saturating_add(len)))
            })
        })
    }

    proptest! {
        #[test]
        fn set_laws(a in portset(), b in portset(), p in 1u16..=65535) {
            prop_assert_eq!(a.union(&b).contains(p), a.contains(p) || b.contains(p));
            prop_assert_eq!(a.intersect(&b).contains(p), a.contains(p) && b.contains(p));
            prop_assert_eq!(a.subtract(&b).contains(p), a.contains(p) && !b.contains(p));
            prop_assert_eq!(a.complement().contains(p), !a.contains(p));
            // canonical form: sorted, disjoint, not adjacent
            for w in a.union(&b).ranges().windows(2) {
                prop_assert!(u32::from(w[0].1) + 1 < u32::from(w[1].0));
            }
        }
    }
}
