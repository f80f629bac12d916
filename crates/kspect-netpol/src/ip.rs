//! IPv4 address sets: CIDR parsing, `ipBlock` (cidr minus except), and the cut of the
//! address space into the pieces that every block in play is a union of.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

/// A set of IPv4 addresses as sorted, disjoint, non-adjacent inclusive ranges.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IpSet {
    ranges: Vec<(u32, u32)>,
}

/// A CIDR that is not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid CIDR address: {0}")]
pub struct BadCidr(pub String);

/// What a CIDR string denotes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cidr {
    /// An IPv4 network.
    V4(IpSet),
    /// An IPv6 network (valid, but the analysis models IPv4 only).
    V6,
}

impl IpSet {
    /// No address.
    pub fn empty() -> IpSet {
        IpSet::default()
    }

    /// 0.0.0.0-255.255.255.255.
    pub fn all() -> IpSet {
        IpSet {
            ranges: vec![(0, u32::MAX)],
        }
    }

    /// The inclusive range `lo..=hi`.
    pub fn range(lo: u32, hi: u32) -> IpSet {
        if lo > hi {
            return IpSet::empty();
        }
        IpSet {
            ranges: vec![(lo, hi)],
        }
    }

    /// Parses `a.b.c.d/n` (or an IPv6 CIDR, reported as [`Cidr::V6`]). Host bits may be
    /// set (`10.0.0.1/8` is the network 10.0.0.0/8), as Go's `net.ParseCIDR` accepts.
    pub fn parse_cidr(s: &str) -> Result<Cidr, BadCidr> {
        let bad = || BadCidr(s.to_string());
        let (addr, len) = s.split_once('/').ok_or_else(bad)?;
        if len.is_empty() || !len.bytes().all(|b| b.is_ascii_digit()) || len.len() > 3 {
            return Err(bad());
        }
        let len: u32 = len.parse().map_err(|_| bad())?;
        if let Ok(v4) = addr.parse::<Ipv4Addr>() {
            if len > 32 {
                return Err(bad());
            }
            let a = u32::from(v4);
            let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
            let lo = a & mask;
            return Ok(Cidr::V4(IpSet::range(lo, lo | !mask)));
        }
        if addr.parse::<Ipv6Addr>().is_ok() && len <= 128 {
            return Ok(Cidr::V6);
        }
        Err(bad())
    }

    /// The ranges.
    pub fn ranges(&self) -> &[(u32, u32)] {
        &self.ranges
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// True when `ip` is in the set.
    pub fn contains(&self, ip: u32) -> bool {
        self.ranges.iter().any(|&(lo, hi)| lo <= ip && ip <= hi)
    }

    /// True when every address of `other` is in `self`.
    pub fn contains_set(&self, other: &IpSet) -> bool {
        other.subtract(self).is_empty()
    }

    /// Set union.
    pub fn union(&self, other: &IpSet) -> IpSet {
        let mut all: Vec<(u32, u32)> = self.ranges.iter().chain(&other.ranges).copied().collect();
        all.sort_unstable();
        let mut out: Vec<(u32, u32)> = Vec::with_capacity(all.len());
        for (lo, hi) in all {
            match out.last_mut() {
                Some(last) if u64::from(lo) <= u64::from(last.1) + 1 => last.1 = last.1.max(hi),
                _ => out.push((lo, hi)),
            }
        }
        IpSet { ranges: out }
    }

    /// Set intersection.
    pub fn intersect(&self, other: &IpSet) -> IpSet {
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
        IpSet { ranges: out }
    }

    /// Addresses of `self` not in `other`.
    pub fn subtract(&self, other: &IpSet) -> IpSet {
        let mut comp = Vec::new();
        let mut next: u64 = 0;
        for &(lo, hi) in &other.ranges {
            if u64::from(lo) > next {
                comp.push((next as u32, lo - 1));
            }
            next = u64::from(hi) + 1;
        }
        if next <= u64::from(u32::MAX) {
            comp.push((next as u32, u32::MAX));
        }
        self.intersect(&IpSet { ranges: comp })
    }
}

/// Cuts 0.0.0.0-255.255.255.255 into the coarsest contiguous ranges such that every
/// block is a union of them (the reference analyzer's external peers).
pub fn partition(blocks: &[IpSet]) -> Vec<(u32, u32)> {
    // Every range start and every (range end + 1) is a cut point.
    let mut cuts: Vec<u64> = vec![0, u64::from(u32::MAX) + 1];
    for b in blocks {
        for &(lo, hi) in b.ranges() {
            cuts.push(u64::from(lo));
            cuts.push(u64::from(hi) + 1);
        }
    }
    cuts.sort_unstable();
    cuts.dedup();
    cuts.windows(2)
        .map(|w| (w[0] as u32, (w[1] - 1) as u32))
        .collect()
}

/// An external address range as the output writes it: `first-last`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IpRange(pub u32, pub u32);

impl fmt::Display for IpRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", Ipv4Addr::from(self.0), Ipv4Addr::from(self.1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn v4(s: &str) -> IpSet {
        match IpSet::parse_cidr(s) {
            Ok(Cidr::V4(s)) => s,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn cidr_parsing() {
        assert_eq!(v4("10.0.0.0/8").ranges(), &[(0x0a00_0000, 0x0aff_ffff)]);
        assert_eq!(v4("10.1.2.3/8").ranges(), &[(0x0a00_0000, 0x0aff_ffff)]);
        assert_eq!(v4("0.0.0.0/0"), IpSet::all());
        assert_eq!(IpSet::parse_cidr("::/0"), Ok(Cidr::V6));
        for bad in [
            "10.0.0.0",
            "10.0.0.0/33",
            "10.0.0/8",
            "a/8",
            "10.0.0.0/-1",
            "10.0.0.0/ 8",
        ] {
            assert!(IpSet::parse_cidr(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn partition_cuts_by_every_block() {
        let block = v4("172.17.0.0/16").subtract(&v4("172.17.1.0/24"));
        let parts = partition(&[block]);
        let text: Vec<String> = parts
            .iter()
            .map(|&(a, b)| IpRange(a, b).to_string())
            .collect();
        assert_eq!(
            text,
            [
                "0.0.0.0-172.16.255.255",
                "172.17.0.0-172.17.0.255",
                "172.17.1.0-172.17.1.255",
                "172.17.2.0-172.17.255.255",
                "172.18.0.0-255.255.255.255"
            ]
        );
        assert_eq!(partition(&[]), vec![(0, u32::MAX)]);
    }

    proptest! {
        #[test]
        fn partition_pieces_cover_and_refine(blocks in prop::collection::vec((any::<u32>(), any::<u32>()), 0..5)) {
            let sets: Vec<IpSet> = blocks.iter().map(|&(a, b)| IpSet::range(a.min(b), a.max(b))).collect();
            let parts = partition(&sets);
            prop_assert_eq!(parts[0].0, 0);
            prop_assert_eq!(parts[parts.len() - 1].1, u32::MAX);
            for w in parts.windows(2) {
                prop_assert_eq!(u64::from(w[0].1) + 1, u64::from(w[1].0));
            }
            for s in &sets {
                for &(lo, hi) in &parts {
                    let piece = IpSet::range(lo, hi);
                    let inter = piece.intersect(s);
                    prop_assert!(inter.is_empty() || inter == piece);
                }
            }
        }
    }
}
