//! Exposure analysis: what pods that are not in the input (any namespace) could reach,
//! or be reached by, given the policies.
//!
//! Every rule selector that names pods by labels (rather than all namespaces) stands for
//! a *representative peer*: any pod those selectors describe, in the input or not. A
//! representative peer is dropped when a real pod of the input matches its plain labels
//! (the real pod's connections are in the list already). For each workload, and each
//! direction, the result lists:
//! - `entire-cluster` with what rules that select every namespace allow (or everything,
//!   when no policy protects the workload in that direction);
//! - each representative peer whose connections differ from that (including
//!   `No Connections` when it is an exception to an entire-cluster exposure);
//! - its connections with external address ranges, from the list.

use std::collections::BTreeMap;

use serde_json::json;

use crate::connlist::{
    Connection, Endpoint, ListOptions, focus_matches, listed_workloads, workload_display,
};
use crate::flow::{self, Peer, Rep};
use crate::model::{AdminPeer, Cluster, NpPeer, WorkloadId};
use crate::ports::{ConnSet, PortSet, Protocol};
use crate::selector::{NS_NAME_LABEL, Selector};

/// The far end of an exposure line.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum ExposurePeer {
    /// Any pod in any namespace, including ones not in the input.
    EntireCluster,
    /// An external address range (as printed, e.g. `0.0.0.0-255.255.255.255[External]`).
    Ip(String),
    /// Pods matching a rule's selectors: (namespace part, pod part) in text form.
    Representative {
        /// `ns`, `all namespaces` or `namespace with {...}`.
        namespace: String,
        /// `all pods` or `pod with {...}`.
        pod: String,
    },
}

impl ExposurePeer {
    fn text(&self) -> String {
        match self {
            ExposurePeer::EntireCluster => "entire-cluster".into(),
            ExposurePeer::Ip(s) => s.clone(),
            ExposurePeer::Representative { namespace, pod } => {
                let ns = if namespace.starts_with("namespace with") || namespace == "all namespaces"
                {
                    format!("[{namespace}]")
                } else {
                    namespace.clone()
                };
                format!("{ns}/[{pod}]")
            }
        }
    }
}

/// One exposure line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExposureLine {
    /// The workload of the input.
    pub workload: String,
    /// What it is exposed to / from.
    pub peer: ExposurePeer,
    /// The connections.
    pub conns: ConnSet,
}

/// Exposure results.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Exposure {
    /// Where workloads may send to, sorted by workload then peer.
    pub egress: Vec<ExposureLine>,
    /// Where workloads may receive from, sorted by workload then peer.
    pub ingress: Vec<ExposureLine>,
    /// `<workload> is not protected on Egress|Ingress` lines, sorted.
    pub unprotected: Vec<String>,
    /// Length of the longest name of an exposed workload (the txt column width).
    pub width: usize,
}

fn header(focus: Option<(Protocol, u16)>) -> String {
    match focus {
        Some((p, n)) => format!("Exposure Analysis Result On {p} {n}:"),
        None => "Exposure Analysis Result:".into(),
    }
}

/// The txt exposure section (appended after the connlist lines).
pub fn txt_section(e: &Exposure, focus: Option<(Protocol, u16)>) -> String {
    let width = e.width;
    let line = |l: &ExposureLine, arrow: &str| {
        let base = format!("{:<width$} \t{arrow} \t{}", l.workload, l.peer.text());
        match focus {
            Some(_) => base,
            None => format!("{base} : {}", l.conns),
        }
    };
    let mut out = String::from("\n\n");
    out.push_str(&header(focus));
    out.push('\n');
    if !e.egress.is_empty() {
        out.push_str("Egress Exposure:\n");
        let lines: Vec<String> = e.egress.iter().map(|l| line(l, "=>")).collect();
        out.push_str(&lines.join("\n"));
        out.push('\n');
    }
    if !e.ingress.is_empty() {
        if !e.egress.is_empty() {
            out.push('\n');
        }
        out.push_str("Ingress Exposure:\n");
        let lines: Vec<String> = e.ingress.iter().map(|l| line(l, "<=")).collect();
        out.push_str(&lines.join("\n"));
        out.push('\n');
    }
    if !e.unprotected.is_empty() && focus.is_none() {
        out.push_str("\nWorkloads not protected by network policies:\n");
        out.push_str(&e.unprotected.join("\n"));
        out.push('\n');
    }
    out
}

impl Exposure {
    /// The JSON `exposure_results` object (an empty side is `null`, as Go writes a nil
    /// slice, except in the focus-connection form, which always builds a list).
    pub fn json(&self, with_conn: bool) -> serde_json::Value {
        let items = |lines: &[ExposureLine], ingress: bool| {
            if lines.is_empty() && with_conn {
                return serde_json::Value::Null;
            }
            serde_json::Value::Array(
                lines
                    .iter()
                    .map(|l| {
                        let (src, dst) = if ingress {
                            (l.peer.text(), l.workload.clone())
                        } else {
                            (l.workload.clone(), l.peer.text())
                        };
                        if with_conn {
                            json!({"src": src, "dst": dst, "conn": l.conns.to_string()})
                        } else {
                            json!({"src": src, "dst": dst})
                        }
                    })
                    .collect(),
            )
        };
        json!({
            "egress_exposure": items(&self.egress, false),
            "ingress_exposure": items(&self.ingress, true),
        })
    }

    /// The CSV exposure rows (a side without lines has no sub-table).
    pub fn csv(&self, focus: Option<(Protocol, u16)>) -> String {
        let with_conn = focus.is_none();
        let mut out = format!("{},,\n", crate::format::csv_field(&header(focus)));
        for (lines, title, cols) in [
            (&self.egress, "Egress Exposure:", ["src", "dst"]),
            (&self.ingress, "Ingress Exposure:", ["dst", "src"]),
        ] {
            if lines.is_empty() {
                continue;
            }
            out.push_str(&format!("{title},,\n"));
            out.push_str(&cols.join(","));
            out.push_str(if with_conn { ",conn\n" } else { "\n" });
            for l in lines.iter() {
                out.push_str(&row(&l.workload, &l.peer.text(), &l.conns, with_conn));
            }
        }
        out
    }

    /// The markdown exposure tables (a side without lines has no table).
    pub fn md(&self, focus: Option<(Protocol, u16)>) -> String {
        let with_conn = focus.is_none();
        let mut parts = vec![format!("## {}", header(focus))];
        for (lines, title, cols) in [
            (&self.egress, "Egress Exposure:", ("src", "dst")),
            (&self.ingress, "Ingress Exposure:", ("dst", "src")),
        ] {
            if lines.is_empty() {
                parts.push(String::new());
                continue;
            }
            let mut s = if with_conn {
                format!(
                    "### {title}\n| {} | {} | conn |\n|-----|-----|------|\n",
                    cols.0, cols.1
                )
            } else {
                format!("### {title}\n| {} | {} |\n|-----|-----|\n", cols.0, cols.1)
            };
            let rows: Vec<String> = lines
                .iter()
                .map(|l| {
                    if with_conn {
                        format!("| {} | {} | {} |", l.workload, l.peer.text(), l.conns)
                    } else {
                        format!("| {} | {} |", l.workload, l.peer.text())
                    }
                })
                .collect();
            s.push_str(&rows.join("\n"));
            s.push('\n');
            parts.push(s);
        }
        format!("\n{}", parts.join("\n"))
    }
}

fn row(a: &str, b: &str, c: &ConnSet, with_conn: bool) -> String {
    use crate::format::csv_field;
    if with_conn {
        format!(
            "{},{},{}\n",
            csv_field(a),
            csv_field(b),
            csv_field(&c.to_string())
        )
    } else {
        format!("{},{}\n", csv_field(a), csv_field(b))
    }
}

/// A selector as the reference analyzer writes it in exposure results: `k=v` labels
/// sorted by key, then the expressions sorted as text.
fn selector_text(sel: &Selector) -> String {
    let mut parts: Vec<String> = sel
        .match_labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let mut exprs: Vec<String> = Selector {
        match_labels: Default::default(),
        match_expressions: sel.match_expressions.clone(),
    }
    .to_string()
    .split("},")
    .filter(|s| !s.is_empty())
    .map(|s| {
        if s.ends_with('}') {
            s.to_string()
        } else {
            format!("{s}}}")
        }
    })
    .collect();
    exprs.sort();
    parts.extend(exprs);
    parts.join(",")
}

/// How a representative peer is written: namespace part and pod part.
pub fn rep_peer(r: &Rep) -> ExposurePeer {
    let namespace = match r.ns.only_namespace_name() {
        Some(n) => n.to_string(),
        None if r.ns.is_empty() => "all namespaces".to_string(),
        None => format!("namespace with {{{}}}", selector_text(&r.ns)),
    };
    let pod = if r.pod.is_empty() {
        "all pods".to_string()
    } else {
        format!("pod with {{{}}}", selector_text(&r.pod))
    };
    ExposurePeer::Representative { namespace, pod }
}

/// The representative peers of every rule that names pods by labels, once each, minus
/// those whose plain labels a real pod of the input matches.
pub fn representative_peers(cluster: &Cluster) -> Vec<Rep> {
    let mut reps: Vec<Rep> = Vec::new();
    let add = |reps: &mut Vec<Rep>, r: Rep| {
        let key = flow::rep_key(&r.ns, &r.pod);
        if !reps.iter().any(|x| flow::rep_key(&x.ns, &x.pod) == key) {
            reps.push(r);
        }
    };
    for p in &cluster.policies {
        let dirs = [
            (p.affects_ingress, &p.ingress),
            (p.affects_egress, &p.egress),
        ];
        for (affects, rules) in dirs {
            if !affects {
                continue;
            }
            for r in rules {
                let mut found = Vec::new();
                let mut all_namespaces = false;
                for peer in &r.peers {
                    let NpPeer::Pods { namespaces, pods } = peer else {
                        continue;
                    };
                    if namespaces.as_ref().is_some_and(Selector::is_empty)
                        && pods.as_ref().is_none_or(Selector::is_empty)
                    {
                        // The reference analyzer stops at such a peer and keeps no
                        // selector of the rule: the rule counts as entire-cluster only.
                        all_namespaces = true;
                        break;
                    }
                    let rep = match namespaces {
                        Some(ns) => Rep {
                            ns: ns.clone(),
                            pod: pods.clone().unwrap_or_default(),
                            namespace: None,
                        },
                        None => Rep {
                            ns: Selector::label(
                                NS_NAME_LABEL,
                                &cluster.namespaces[p.namespace].name,
                            ),
                            pod: pods.clone().unwrap_or_default(),
                            namespace: Some(p.namespace),
                        },
                    };
                    found.push(rep);
                }
                if !all_namespaces {
                    for rep in found {
                        add(&mut reps, rep);
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
        for rules in [&a.ingress, &a.egress] {
            for r in rules {
                for peer in &r.peers {
                    let AdminPeer::Pods(ap) = peer else { continue };
                    let all =
                        ap.namespaces.is_empty() && ap.pods.as_ref().is_none_or(Selector::is_empty);
                    if all {
                        continue;
                    }
                    add(
                        &mut reps,
                        Rep {
                            ns: ap.namespaces.clone(),
                            pod: ap.pods.clone().unwrap_or_default(),
                            namespace: None,
                        },
                    );
                }
            }
        }
    }
    // A real pod stands for a representative peer that only states plain labels it has.
    let controller = cluster.ingress_controller.as_ref().map(|c| c.pod);
    reps.retain(|r| {
        let plain = r.ns.match_expressions.is_empty()
            && r.pod.match_expressions.is_empty()
            && !r.ns.match_labels.is_empty()
            && !r.pod.match_labels.is_empty();
        !plain
            || !cluster.pods.iter().enumerate().any(|(i, pod)| {
                Some(i) != controller
                    && r.pod.matches(&pod.labels)
                    && r.ns.matches(&cluster.namespaces[pod.namespace].labels)
            })
    });
    reps
}

#[derive(Default)]
struct Entry {
    protected: bool,
    lines: Vec<(ExposurePeer, ConnSet)>,
}

/// Computes the exposure of the listed workloads (those the focus options keep), given
/// the connection list (already focused) whose external-range lines are repeated.
/// With `explain` and a focus connection, a representative peer that the focus
/// connection cannot reach counts as `No Connections` rather than being left out (as
/// the reference analyzer's explanation mode does).
pub fn compute(
    cluster: &Cluster,
    conns: &[Connection],
    opts: &ListOptions,
    explain: bool,
) -> Exposure {
    use crate::connlist::Direction;
    let reps = representative_peers(cluster);
    let focus: Option<ConnSet> = opts
        .focus_conn
        .map(|(p, n)| ConnSet::of(p, PortSet::single(n)));
    let is_focus = |w: WorkloadId| {
        opts.focus_workloads.is_empty()
            || opts
                .focus_workloads
                .iter()
                .any(|f| focus_matches(cluster, w, f))
    };
    let mut maps: [BTreeMap<WorkloadId, Entry>; 2] = Default::default();
    for w in listed_workloads(cluster) {
        if !is_focus(w) {
            continue;
        }
        let pod = cluster.workloads[w].pods[0];
        let subject = Peer::Pod(pod);
        for ingress in [false, true] {
            match opts.focus_direction {
                Some(Direction::Ingress) if !ingress => continue,
                Some(Direction::Egress) if ingress => continue,
                _ => {}
            }
            let s = flow::side(cluster, subject, Peer::Cluster, Peer::Cluster, ingress);
            let map = &mut maps[usize::from(ingress)];
            if !s.protected {
                map.insert(w, Entry::default());
                continue;
            }
            let mut cw = s.allowed;
            if ingress {
                // Named ports towards this pod resolve against its own container ports.
                cw = cw.resolve_named(|name| cluster.pods[pod].named_port(name));
            }
            let exposed = !cw.is_empty();
            let reference = match &focus {
                Some(f) if cw.contains_set(f) => f.clone(),
                _ => cw.clone(),
            };
            let mut entry = Entry {
                protected: true,
                lines: Vec::new(),
            };
            let mut touched = false;
            if exposed {
                let shown = match &focus {
                    Some(f) => cw.contains_set(f).then(|| f.clone()),
                    None => Some(cw.clone()),
                };
                if let Some(c) = shown {
                    entry.lines.push((ExposurePeer::EntireCluster, c));
                    touched = true;
                }
            }
            for r in &reps {
                let mut conn = if ingress {
                    flow::allowed(cluster, Peer::Rep(r), subject)
                } else {
                    flow::allowed(cluster, subject, Peer::Rep(r))
                };
                if let Some(f) = &focus {
                    if conn.contains_set(f) {
                        conn = f.clone();
                    } else if explain {
                        conn = ConnSet::none();
                    } else {
                        continue;
                    }
                }
                if (exposed && conn == reference) || (!exposed && conn.is_empty()) {
                    continue;
                }
                entry.lines.push((rep_peer(r), conn));
                touched = true;
            }
            if touched {
                map.insert(w, entry);
            }
        }
    }
    let mut out = Exposure::default();
    let exposed: std::collections::BTreeSet<WorkloadId> =
        maps[0].keys().chain(maps[1].keys()).copied().collect();
    for &w in &exposed {
        let name = workload_display(cluster, w);
        out.width = out.width.max(name.len());
        for ingress in [false, true] {
            let dir = if ingress { "Ingress" } else { "Egress" };
            let mut lines: Vec<(ExposurePeer, ConnSet)> = Vec::new();
            if let Some(e) = maps[usize::from(ingress)].get(&w) {
                if e.protected {
                    lines.extend(e.lines.iter().cloned());
                } else {
                    lines.push((ExposurePeer::EntireCluster, ConnSet::all()));
                    out.unprotected
                        .push(format!("{name} is not protected on {dir}"));
                }
            }
            for c in conns {
                let (me, other) = if ingress {
                    (c.dst, c.src)
                } else {
                    (c.src, c.dst)
                };
                if me != Endpoint::Workload(w)
                    || !matches!(other, Endpoint::Ip(_))
                    || c.conns.is_empty()
                {
                    continue;
                }
                let other_name = if ingress { &c.src_name } else { &c.dst_name };
                let conn = focus.clone().unwrap_or_else(|| c.conns.clone());
                lines.push((ExposurePeer::Ip(other_name.clone()), conn));
            }
            let target = if ingress {
                &mut out.ingress
            } else {
                &mut out.egress
            };
            for (peer, conns) in lines {
                target.push(ExposureLine {
                    workload: name.clone(),
                    peer,
                    conns,
                });
            }
        }
    }
    let key = |l: &ExposureLine| (l.workload.clone(), l.peer.text());
    out.egress.sort_by_key(key);
    out.ingress.sort_by_key(key);
    out.unprotected.sort();
    out
}
