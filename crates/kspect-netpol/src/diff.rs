//! `kspect netpol diff OLD NEW`: connectivity a change adds, removes or changes.
//!
//! Both inputs are analysed with one cut of the address space (every ipBlock of either
//! side), so that an external range means the same addresses on both sides; adjacent
//! ranges whose old and new connections with a peer agree are then merged back.

use std::collections::{BTreeMap, BTreeSet};

use kspect_core::Inventory;

use crate::connlist::{Connection, Endpoint, connections, listed_workloads, workload_display};
use crate::engine::Analyzer;
use crate::error::NetpolError;
use crate::format::{Format, go_quote};
use crate::ip::{IpRange, partition};
use crate::model::Cluster;
use crate::ports::ConnSet;

/// The kind of one difference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DiffKind {
    /// Allowed on both sides, differently.
    Changed,
    /// Allowed only on the new side.
    Added,
    /// Allowed only on the old side.
    Removed,
}

impl DiffKind {
    fn as_str(self) -> &'static str {
        match self {
            DiffKind::Changed => "changed",
            DiffKind::Added => "added",
            DiffKind::Removed => "removed",
        }
    }
}

/// One difference between the two connectivity lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffLine {
    /// Changed, added or removed.
    pub kind: DiffKind,
    /// Source as printed.
    pub src: String,
    /// Destination as printed.
    pub dst: String,
    /// Old connections.
    pub old: ConnSet,
    /// New connections.
    pub new: ConnSet,
    /// `workload X added` when an end exists on one side only.
    pub workloads_info: Option<String>,
}

/// The diff and what is needed to draw it.
#[derive(Debug, Clone)]
pub struct Diff {
    /// Lines: changed, then added, then removed, each sorted by source and destination.
    pub lines: Vec<DiffLine>,
    /// Pairs allowed identically on both sides (for the graph).
    pub unchanged: Vec<(String, String, ConnSet)>,
    /// Workload and external names of the new side, with their namespace (`None` for
    /// externals and the ingress controller) and label.
    new_peers: BTreeMap<String, Option<(String, String)>>,
    old_peers: BTreeMap<String, Option<(String, String)>>,
}

fn peers(cluster: &Cluster, conns: &[Connection]) -> BTreeMap<String, Option<(String, String)>> {
    let mut m = BTreeMap::new();
    for w in listed_workloads(cluster) {
        let wl = &cluster.workloads[w];
        m.insert(
            workload_display(cluster, w),
            Some((
                cluster.namespaces[wl.namespace].name.clone(),
                format!("{}[{}]", wl.name, wl.kind),
            )),
        );
    }
    for c in conns {
        for (e, n) in [(c.src, &c.src_name), (c.dst, &c.dst_name)] {
            if let Endpoint::Ip(_) = e {
                m.insert(n.clone(), None);
            }
            if let Endpoint::Workload(w) = e {
                if cluster.workloads[w].object.is_none() {
                    m.insert(n.clone(), None);
                }
            }
        }
    }
    m
}

/// Computes the diff from `old` to `new`.
pub fn diff(old: &Inventory, new: &Inventory) -> Result<Diff, NetpolError> {
    let old_c = crate::analyze(old)?;
    let new_c = crate::analyze(new)?;
    let (oi, oe) = crate::engine::address_blocks(&old_c);
    let (ni, ne) = crate::engine::address_blocks(&new_c);
    let ing = partition(&[oi, ni].concat());
    let eg = partition(&[oe, ne].concat());
    let old_an = Analyzer::new(&old_c).with_pieces(ing.clone(), eg.clone());
    let new_an = Analyzer::new(&new_c).with_pieces(ing, eg);
    let (old_conns, _) = connections(&old_an);
    let (new_conns, _) = connections(&new_an);
    let old_peers = peers(&old_c, &old_conns);
    let new_peers = peers(&new_c, &new_conns);
    let (old_map, new_map) = merge_external_ranges(&old_conns, &new_conns);
    let old_workloads: BTreeSet<&String> = old_peers
        .iter()
        .filter(|(_, v)| v.is_some())
        .map(|(k, _)| k)
        .collect();
    let new_workloads: BTreeSet<&String> = new_peers
        .iter()
        .filter(|(_, v)| v.is_some())
        .map(|(k, _)| k)
        .collect();
    let mut lines = Vec::new();
    let mut unchanged = Vec::new();
    let keys: BTreeSet<&(String, String)> = old_map.keys().chain(new_map.keys()).collect();
    for k in keys {
        let o = old_map.get(k).cloned().unwrap_or_default();
        let n = new_map.get(k).cloned().unwrap_or_default();
        let kind = match (o.is_empty(), n.is_empty()) {
            (true, false) => DiffKind::Added,
            (false, true) => DiffKind::Removed,
            _ if o == n => {
                unchanged.push((k.0.clone(), k.1.clone(), o));
                continue;
            }
            _ => DiffKind::Changed,
        };
        let info = match kind {
            DiffKind::Added => {
                ends_missing(k, &new_workloads, &old_workloads).map(|w| format!("{w} added"))
            }
            DiffKind::Removed => {
                ends_missing(k, &old_workloads, &new_workloads).map(|w| format!("{w} removed"))
            }
            DiffKind::Changed => None,
        };
        lines.push(DiffLine {
            kind,
            src: k.0.clone(),
            dst: k.1.clone(),
            old: o,
            new: n,
            workloads_info: info,
        });
    }
    lines.sort_by(|a, b| (a.kind, &a.src, &a.dst).cmp(&(b.kind, &b.src, &b.dst)));
    Ok(Diff {
        lines,
        unchanged,
        new_peers,
        old_peers,
    })
}

type PairMap = BTreeMap<(String, String), ConnSet>;

/// Both sides' connections keyed by (source, destination) name, with external ranges
/// merged where that changes nothing: adjacent ranges towards (or from) the same peer
/// whose old and new connections are the same become one line, as the reference
/// analyzer prints them.
fn merge_external_ranges(old: &[Connection], new: &[Connection]) -> (PairMap, PairMap) {
    // (src, dst) name -> (external range and whether it is the source, old, new)
    type Entry = (Option<(IpRange, bool)>, Option<ConnSet>, Option<ConnSet>);
    let mut pairs: BTreeMap<(String, String), Entry> = BTreeMap::new();
    for (side, conns) in [(0, old), (1, new)] {
        for c in conns {
            let ip = match (c.src, c.dst) {
                (Endpoint::Ip(r), _) => Some((r, true)),
                (_, Endpoint::Ip(r)) => Some((r, false)),
                _ => None,
            };
            let e = pairs
                .entry((c.src_name.clone(), c.dst_name.clone()))
                .or_insert((ip, None, None));
            if side == 0 {
                e.1 = Some(c.conns.clone());
            } else {
                e.2 = Some(c.conns.clone());
            }
        }
    }
    let mut old_map = PairMap::new();
    let mut new_map = PairMap::new();
    // (ip is source, other end, old, new) -> ranges
    type GroupKey = (bool, String, Option<String>, Option<String>);
    type Group = (Vec<(u32, u32)>, Option<ConnSet>, Option<ConnSet>);
    let mut groups: BTreeMap<GroupKey, Group> = BTreeMap::new();
    for ((src, dst), (ip, o, n)) in pairs {
        match ip {
            None => {
                if let Some(o) = o {
                    old_map.insert((src.clone(), dst.clone()), o);
                }
                if let Some(n) = n {
                    new_map.insert((src, dst), n);
                }
            }
            Some((r, is_src)) => {
                let other = if is_src { dst } else { src };
                let key = (
                    is_src,
                    other,
                    o.as_ref().map(ToString::to_string),
                    n.as_ref().map(ToString::to_string),
                );
                let g = groups.entry(key).or_insert((Vec::new(), o, n));
                g.0.push((r.0, r.1));
            }
        }
    }
    for ((is_src, other, _, _), (mut ranges, o, n)) in groups {
        ranges.sort_unstable();
        let mut merged: Vec<(u32, u32)> = Vec::new();
        for (lo, hi) in ranges {
            match merged.last_mut() {
                Some(last) if u64::from(last.1) + 1 >= u64::from(lo) => last.1 = last.1.max(hi),
                _ => merged.push((lo, hi)),
            }
        }
        for (lo, hi) in merged {
            let ip = format!("{}[External]", IpRange(lo, hi));
            let k = if is_src {
                (ip, other.clone())
            } else {
                (other.clone(), ip)
            };
            if let Some(o) = &o {
                old_map.insert(k.clone(), o.clone());
            }
            if let Some(n) = &n {
                new_map.insert(k, n.clone());
            }
        }
    }
    (old_map, new_map)
}

/// `workload A` / `workload A and B` for ends present on `here` and absent on `there`.
fn ends_missing(
    k: &(String, String),
    here: &BTreeSet<&String>,
    there: &BTreeSet<&String>,
) -> Option<String> {
    let missing: Vec<&String> = [&k.0, &k.1]
        .into_iter()
        .filter(|e| here.contains(e) && !there.contains(e))
        .collect();
    match missing.as_slice() {
        [] => None,
        [a] => Some(format!("workload {a}")),
        [a, b, ..] => Some(format!("workload {a} and {b}")),
    }
}

impl Diff {
    /// Renders the diff; `names` are the labels of the two sides (`ref1`/`ref2`, or
    /// `old`/`new`).
    pub fn render(&self, format: Format, names: (&str, &str)) -> String {
        // No difference: nothing at all is printed, in every format.
        if self.lines.is_empty() {
            return String::new();
        }
        match format {
            Format::Txt => {
                let mut out = vec!["Connectivity diff:".to_string()];
                for l in &self.lines {
                    let mut s = format!(
                        "diff-type: {}, source: {}, destination: {}, {}: {}, {}: {}",
                        l.kind.as_str(),
                        l.src,
                        l.dst,
                        names.0,
                        l.old,
                        names.1,
                        l.new
                    );
                    if let Some(i) = &l.workloads_info {
                        s.push_str(&format!(", workloads-diff-info: {i}"));
                    }
                    out.push(s);
                }
                out.join("\n")
            }
            Format::Csv => {
                let mut out = vec![format!(
                    "diff-type,source,destination,{},{},workloads-diff-info",
                    names.0, names.1
                )];
                for l in &self.lines {
                    let fields = [
                        l.kind.as_str().to_string(),
                        l.src.clone(),
                        l.dst.clone(),
                        l.old.to_string(),
                        l.new.to_string(),
                        l.workloads_info.clone().unwrap_or_default(),
                    ];
                    let fields: Vec<String> =
                        fields.iter().map(|f| crate::format::csv_field(f)).collect();
                    out.push(fields.join(","));
                }
                out.join("\n")
            }
            Format::Md => {
                let mut out = vec![
                    format!(
                        "| diff-type | source | destination | {} | {} | workloads-diff-info |",
                        names.0, names.1
                    ),
                    "|-----------|--------|-------------|------|------|---------------------|"
                        .to_string(),
                ];
                for l in &self.lines {
                    out.push(format!(
                        "| {} | {} | {} | {} | {} | {} |",
                        l.kind.as_str(),
                        l.src,
                        l.dst,
                        l.old,
                        l.new,
                        l.workloads_info.as_deref().unwrap_or("")
                    ));
                }
                out.join("\n")
            }
            Format::Json => {
                let items: Vec<serde_json::Value> = self
                    .lines
                    .iter()
                    .map(|l| {
                        serde_json::json!({
                            "diff-type": l.kind.as_str(),
                            "src": l.src,
                            "dst": l.dst,
                            names.0: l.old.to_string(),
                            names.1: l.new.to_string(),
                            "workloads-diff-info": l.workloads_info.clone().unwrap_or_default(),
                        })
                    })
                    .collect();
                crate::format::go_json(&serde_json::Value::Array(items))
            }
            Format::Dot => self.dot(names),
        }
    }

    fn dot(&self, names: (&str, &str)) -> String {
        let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut external: BTreeSet<String> = BTreeSet::new();
        let all: BTreeSet<&String> = self.old_peers.keys().chain(self.new_peers.keys()).collect();
        for name in all {
            let info = self
                .new_peers
                .get(name)
                .or(self.old_peers.get(name))
                .cloned()
                .flatten();
            // Externals (address ranges, the ingress controller) are drawn as persistent.
            let color = match (
                self.old_peers.contains_key(name),
                self.new_peers.contains_key(name),
            ) {
                _ if info.is_none() => "blue",
                (true, true) => "blue",
                (false, true) => "#008000",
                _ => "red",
            };
            match info {
                Some((ns, label)) => groups.entry(ns).or_default().push(format!(
                    "\t\t{} [label={} color={} fontcolor={}]",
                    go_quote(name),
                    go_quote(&label),
                    go_quote(color),
                    go_quote(color)
                )),
                None => {
                    external.insert(format!(
                        "\t{} [label={} color={} fontcolor={}]",
                        go_quote(name),
                        go_quote(name),
                        go_quote(color),
                        go_quote(color)
                    ));
                }
            }
        }
        let edge = |src: &str, dst: &str, label: &str, color: &str| {
            let weight = if src <= dst { "0.5" } else { "1" };
            format!(
                "\t{} -> {} [label={} color={} fontcolor={} weight={weight}]",
                go_quote(src),
                go_quote(dst),
                go_quote(label),
                go_quote(color),
                go_quote(color)
            )
        };
        let mut edges: Vec<String> = Vec::new();
        for (s, d, c) in &self.unchanged {
            edges.push(edge(s, d, &c.to_string(), "grey"));
        }
        for l in &self.lines {
            edges.push(match l.kind {
                DiffKind::Changed => edge(
                    &l.src,
                    &l.dst,
                    &format!("{} ({}: {})", l.new, names.0, l.old),
                    "magenta",
                ),
                DiffKind::Added => edge(&l.src, &l.dst, &l.new.to_string(), "#008000"),
                DiffKind::Removed => edge(&l.src, &l.dst, &l.old.to_string(), "red2"),
            });
        }
        edges.sort();
        let mut out = vec!["digraph {".to_string()];
        for (ns, mut lines) in groups {
            lines.sort();
            out.push(format!(
                "\tsubgraph {} {{",
                go_quote(&format!("cluster_{}[namespace]", ns.replace('-', "_")))
            ));
            out.push("\t\tcolor=\"black\"".into());
            out.push("\t\tfontcolor=\"black\"".into());
            out.extend(lines);
            out.push(format!(
                "\t\tlabel={}",
                go_quote(&format!("{ns}[namespace]"))
            ));
            out.push("\t}".into());
        }
        out.extend(external);
        out.extend(edges);
        out.push(LEGEND.to_string());
        out.push("}".into());
        out.join("\n")
    }
}

/// The legend the reference analyzer draws under a diff graph.
const LEGEND: &str = "\tnodesep=0.5
\tsubgraph cluster_legend {
\t\tlabel=\"Legend\"
\t\tfontsize = 10
\t\tmargin=0
\t\ta [style=invis height=0 width=0]
\t\tb [style=invis height=0 width=0]
\t\tc [style=invis height=0 width=0]
\t\td [style=invis height=0 width=0]
\t\te [style=invis height=0 width=0]
\t\tf [style=invis height=0 width=0]
\t\tg [style=invis height=0 width=0]
\t\th [style=invis height=0 width=0]
\t\t{rank=source a b c d}
\t\t{rank=same e f g h}
\t\ta -> b [label=\"added connection\", color=\"#008000\" fontcolor=\"#008000\" fontsize = 10 arrowsize=0.2]
\t\tc -> d [label=\"removed connection\", color=\"red2\" fontcolor=\"red2\" fontsize = 10 arrowsize=0.2]
\t\te -> f [label=\"changed connection\", color=\"magenta\" fontcolor=\"magenta\" fontsize = 10 arrowsize=0.2]
\t\tg -> h [label=\"unchanged connection\", color=\"grey\" fontcolor=\"grey\" fontsize = 10 arrowsize=0.2]
\t\tnp [label=\"new peer\" color=\"#008000\" fontcolor=\"#008000\" fontsize = 10]
\t\tlp [label=\"lost peer\" color=\"red\" fontcolor=\"red\" fontsize = 10]
\t\tpp [label=\"persistent peer\" color=\"blue\" fontcolor=\"blue\" fontsize = 10]
\t\t{rank=sink np lp pp}
\t\tnp->lp [style=invis]
\t\tlp->pp [style=invis]
\t}";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_missing_ends() {
        let a = "ns/a[Pod]".to_string();
        let b = "ns/b[Pod]".to_string();
        let here: BTreeSet<&String> = [&a, &b].into_iter().collect();
        let there: BTreeSet<&String> = [&b].into_iter().collect();
        assert_eq!(
            ends_missing(&(a.clone(), b.clone()), &here, &there).as_deref(),
            Some("workload ns/a[Pod]")
        );
        let none: BTreeSet<&String> = BTreeSet::new();
        assert_eq!(
            ends_missing(&(a.clone(), b.clone()), &here, &none).as_deref(),
            Some("workload ns/a[Pod] and ns/b[Pod]")
        );
    }
}
