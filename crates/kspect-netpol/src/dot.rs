//! Graphviz output: namespaces as clusters, workloads as nodes, connections as edges.

use std::collections::{BTreeMap, BTreeSet};

use crate::connlist::{Connection, Endpoint};
use crate::exposure::{Exposure, ExposurePeer};
use crate::format::{go_quote, group_by_namespace};
use crate::model::Cluster;

fn ns_group(out: &mut Vec<String>, ns: &str, mut lines: Vec<String>, color: &str) {
    lines.sort();
    out.push(format!(
        "\tsubgraph {} {{",
        go_quote(&format!("cluster_{}[namespace]", ns.replace('-', "_")))
    ));
    out.push(format!("\t\tcolor={}", go_quote(color)));
    out.push(format!("\t\tfontcolor={}", go_quote(color)));
    out.extend(lines);
    out.push(format!(
        "\t\tlabel={}",
        go_quote(&format!("{ns}[namespace]"))
    ));
    out.push("\t}".into());
}

fn edge(src: &str, dst: &str, label: &str, color: &str, weight: &str, style: &str) -> String {
    format!(
        "\t{} -> {} [label={} color={} fontcolor=\"darkgreen\" weight={weight}{style}]",
        go_quote(src),
        go_quote(dst),
        go_quote(label),
        go_quote(color)
    )
}

/// Renders the digraph. `peers` lists the workloads shown even without connections;
/// `label` replaces every edge label (the focus connection, when one is set).
pub fn render(
    cluster: &Cluster,
    conns: &[Connection],
    exposure: Option<&Exposure>,
    peers: &[usize],
    label: Option<&str>,
) -> String {
    let mut endpoints: BTreeSet<Endpoint> = BTreeSet::new();
    let mut external: BTreeSet<String> = BTreeSet::new();
    let mut edges: Vec<String> = Vec::new();
    for c in conns {
        endpoints.insert(c.src);
        endpoints.insert(c.dst);
        let weight = if c.src_name <= c.dst_name { "0.5" } else { "1" };
        let l = label.map_or_else(|| c.conns.to_string(), str::to_string);
        edges.push(edge(&c.src_name, &c.dst_name, &l, "gold2", weight, ""));
    }
    for &w in peers {
        endpoints.insert(Endpoint::Workload(w));
    }
    for e in &endpoints {
        match *e {
            Endpoint::Ip(_) => {
                let n = crate::connlist::endpoint_name(cluster, *e);
                external.insert(format!(
                    "\t{} [label={} color=\"red2\" fontcolor=\"red2\"]",
                    go_quote(&n),
                    go_quote(&n)
                ));
            }
            Endpoint::Workload(w) if cluster.workloads[w].object.is_none() => {
                let n = crate::ingress::CONTROLLER_DISPLAY;
                external.insert(format!(
                    "\t{} [label={} color=\"blue\" fontcolor=\"blue\"]",
                    go_quote(n),
                    go_quote(n)
                ));
            }
            Endpoint::Workload(_) => {}
        }
    }
    let groups = group_by_namespace(cluster, endpoints.iter().copied());
    let mut rep_groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if let Some(e) = exposure {
        let mut seen: BTreeSet<String> = BTreeSet::new();
        for (lines, ingress) in [(&e.egress, false), (&e.ingress, true)] {
            for l in lines {
                let node = match &l.peer {
                    ExposurePeer::Ip(_) => continue,
                    ExposurePeer::EntireCluster => {
                        external.insert(
                            "\t\"entire-cluster\" [label=\"entire-cluster\" color=\"red2\" fontcolor=\"red2\" shape=diamond]"
                                .into(),
                        );
                        "entire-cluster".to_string()
                    }
                    ExposurePeer::Representative { namespace, pod } => {
                        let node = format!("{pod}_in_{namespace}");
                        if seen.insert(node.clone()) {
                            let line = format!(
                                "\t\t{} [label={} color=\"red2\" fontcolor=\"red2\"]",
                                go_quote(&node),
                                go_quote(pod)
                            );
                            // Representative peers get their own (red) namespace group,
                            // even in a namespace of the input.
                            rep_groups.entry(namespace.clone()).or_default().push(line);
                        }
                        node
                    }
                };
                // Exposure lines already carry the focus connection when there is one;
                // an unprotected workload's line stays `All Connections`.
                let text = l.conns.to_string();
                if ingress {
                    edges.push(edge(
                        &node,
                        &l.workload,
                        &text,
                        "darkorange2",
                        "1",
                        " style=dashed",
                    ));
                } else {
                    edges.push(edge(
                        &l.workload,
                        &node,
                        &text,
                        "darkorange4",
                        "0.5",
                        " style=dashed",
                    ));
                }
            }
        }
    }
    edges.sort();
    let mut out = vec!["digraph {".to_string()];
    for (ns, lines) in groups {
        ns_group(&mut out, &ns, lines, "black");
    }
    for (ns, lines) in rep_groups {
        ns_group(&mut out, &ns, lines, "red2");
    }
    out.extend(external);
    out.extend(edges);
    out.push("}".into());
    out.join("\n")
}
