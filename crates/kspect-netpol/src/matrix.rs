//! `kspect netpol matrix`: reachability as a matrix, per namespace and per workload, as
//! a self-contained HTML page, a Graphviz graph of namespaces, or CSV tables.
//!
//! The workload matrix has one row per source and one column per destination, plus an
//! `external` row and column that gathers every external address range; a cell holds
//! what is allowed. The namespace matrix counts, for each pair of namespaces, how many
//! workload pairs can talk at all.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::connlist::{Connection, Endpoint, listed_workloads, workload_display};
use crate::format::{csv_field, go_quote};
use crate::model::Cluster;
use crate::ports::ConnSet;

/// Output form of the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatrixFormat {
    /// A self-contained HTML page.
    Html,
    /// Graphviz digraph of namespaces.
    Dot,
    /// CSV tables (namespaces, then workloads).
    Csv,
}

impl MatrixFormat {
    /// Parses `html`, `dot`, `csv`.
    pub fn parse(s: &str) -> Option<MatrixFormat> {
        match s {
            "html" => Some(MatrixFormat::Html),
            "dot" => Some(MatrixFormat::Dot),
            "csv" => Some(MatrixFormat::Csv),
            _ => None,
        }
    }
}

/// Name of the row and column that gathers external address ranges.
pub const EXTERNAL: &str = "external";

/// The reachability matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matrix {
    /// Row and column names: workloads (sorted), then `external`.
    pub peers: Vec<String>,
    /// Namespace of each peer (`external` for the external row; the ingress controller
    /// gets its own namespace name).
    pub peer_ns: Vec<String>,
    /// `cells[src][dst]`: what is allowed, `None` when nothing is.
    pub cells: Vec<Vec<Option<ConnSet>>>,
    /// Namespace names (sorted), then `external` when external ranges take part.
    pub namespaces: Vec<String>,
    /// `ns_cells[src][dst]`: (pairs with some connection, pairs in all).
    pub ns_cells: Vec<Vec<(usize, usize)>>,
}

/// Builds the matrix from the connection list of a cluster.
pub fn build(cluster: &Cluster, conns: &[Connection]) -> Matrix {
    let mut peers: Vec<(String, String)> = listed_workloads(cluster)
        .into_iter()
        .map(|w| {
            let wl = &cluster.workloads[w];
            (
                cluster.namespaces[wl.namespace].name.clone(),
                workload_display(cluster, w),
            )
        })
        .collect();
    if let Some(ic) = &cluster.ingress_controller {
        if conns
            .iter()
            .any(|c| c.src == Endpoint::Workload(ic.workload))
        {
            peers.push((
                crate::ingress::CONTROLLER_NAMESPACE.to_string(),
                workload_display(cluster, ic.workload),
            ));
        }
    }
    peers.sort_by(|a, b| a.1.cmp(&b.1));
    peers.push((EXTERNAL.to_string(), EXTERNAL.to_string()));
    let index: BTreeMap<&str, usize> = peers
        .iter()
        .enumerate()
        .map(|(i, (_, n))| (n.as_str(), i))
        .collect();
    let ext = peers.len() - 1;
    let n = peers.len();
    let mut cells: Vec<Vec<Option<ConnSet>>> = vec![vec![None; n]; n];
    let at = |e: Endpoint, name: &str| match e {
        Endpoint::Ip(_) => Some(ext),
        Endpoint::Workload(_) => index.get(name).copied(),
    };
    for c in conns {
        let (Some(s), Some(d)) = (at(c.src, &c.src_name), at(c.dst, &c.dst_name)) else {
            continue;
        };
        let cell = cells[s][d].get_or_insert_with(ConnSet::none);
        cell.union_with(&c.conns);
    }
    let mut namespaces: Vec<String> = peers[..ext].iter().map(|(ns, _)| ns.clone()).collect();
    namespaces.sort();
    namespaces.dedup();
    namespaces.push(EXTERNAL.to_string());
    let ns_index: BTreeMap<&str, usize> = namespaces
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    let m = namespaces.len();
    let mut ns_cells = vec![vec![(0usize, 0usize); m]; m];
    for (s, (sns, _)) in peers.iter().enumerate() {
        for (d, (dns, _)) in peers.iter().enumerate() {
            // Traffic within one workload, and between external ranges, is not analysed.
            if s == d {
                continue;
            }
            let (Some(&a), Some(&b)) = (ns_index.get(sns.as_str()), ns_index.get(dns.as_str()))
            else {
                continue;
            };
            ns_cells[a][b].1 += 1;
            if cells[s][d].is_some() {
                ns_cells[a][b].0 += 1;
            }
        }
    }
    Matrix {
        peers: peers.iter().map(|(_, n)| n.clone()).collect(),
        peer_ns: peers.into_iter().map(|(ns, _)| ns).collect(),
        cells,
        namespaces,
        ns_cells,
    }
}

/// Renders the matrix.
pub fn render(m: &Matrix, format: MatrixFormat) -> String {
    match format {
        MatrixFormat::Csv => csv(m),
        MatrixFormat::Dot => dot(m),
        MatrixFormat::Html => html(m),
    }
}

fn csv(m: &Matrix) -> String {
    let mut out = String::new();
    let row = |cells: Vec<String>| -> String {
        let v: Vec<String> = cells.iter().map(|c| csv_field(c)).collect();
        v.join(",") + "\n"
    };
    let mut header = vec!["namespace (src \\ dst)".to_string()];
    header.extend(m.namespaces.iter().cloned());
    out.push_str(&row(header));
    for (i, ns) in m.namespaces.iter().enumerate() {
        let mut r = vec![ns.clone()];
        for &(ok, all) in &m.ns_cells[i] {
            r.push(if all == 0 {
                String::new()
            } else {
                format!("{ok}/{all}")
            });
        }
        out.push_str(&row(r));
    }
    out.push('\n');
    let mut header = vec!["workload (src \\ dst)".to_string()];
    header.extend(m.peers.iter().cloned());
    out.push_str(&row(header));
    for (i, p) in m.peers.iter().enumerate() {
        let mut r = vec![p.clone()];
        for c in &m.cells[i] {
            r.push(c.as_ref().map(ToString::to_string).unwrap_or_default());
        }
        out.push_str(&row(r));
    }
    out
}

fn dot(m: &Matrix) -> String {
    let mut out = String::from("digraph {\n\tnode [shape=box style=rounded]\n");
    for ns in &m.namespaces {
        let color = if ns == EXTERNAL { "red2" } else { "blue" };
        let _ = writeln!(
            out,
            "\t{} [label={} color={} fontcolor={}]",
            go_quote(ns),
            go_quote(ns),
            go_quote(color),
            go_quote(color)
        );
    }
    for (a, src) in m.namespaces.iter().enumerate() {
        for (b, dst) in m.namespaces.iter().enumerate() {
            let (ok, all) = m.ns_cells[a][b];
            if ok == 0 {
                continue;
            }
            // Thicker and darker when more of the workload pairs can talk.
            let share = ok as f64 / all.max(1) as f64;
            let color = if ok == all {
                "darkgreen"
            } else {
                "darkorange2"
            };
            let _ = writeln!(
                out,
                "\t{} -> {} [label={} color={} penwidth={:.1}]",
                go_quote(src),
                go_quote(dst),
                go_quote(&format!("{ok}/{all} workload pairs")),
                go_quote(color),
                1.0 + 3.0 * share
            );
        }
    }
    out.push('}');
    out
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A cell class: everything, some ports, or nothing.
fn class_of(c: Option<&ConnSet>) -> &'static str {
    match c {
        None => "none",
        Some(c) if c.is_all() => "all",
        Some(_) => "some",
    }
}

fn html(m: &Matrix) -> String {
    let mut out = String::new();
    out.push_str(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>kspect netpol matrix</title>\n<style>\n",
    );
    out.push_str(concat!(
        "body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem;color:#1f2933;background:#fbfcfd}\n",
        "h1{font-size:1.4rem;margin:0 0 .3rem}h2{font-size:1.1rem;margin:2rem 0 .5rem}\n",
        "p.note{color:#52606d;max-width:60rem}\n",
        ".legend span{display:inline-block;padding:.15rem .6rem;margin-right:.6rem;border-radius:.25rem;font-size:.85rem}\n",
        ".wrap{overflow:auto;max-height:80vh;border:1px solid #d9e2ec;border-radius:.4rem;background:#fff}\n",
        "table{border-collapse:separate;border-spacing:0;font-size:.8rem}\n",
        "th,td{border-right:1px solid #eef2f6;border-bottom:1px solid #eef2f6;padding:.3rem .45rem;text-align:center;white-space:nowrap}\n",
        "thead th{position:sticky;top:0;background:#f0f4f8;z-index:2;writing-mode:vertical-rl;transform:rotate(180deg);text-align:left;font-weight:600}\n",
        "tbody th{position:sticky;left:0;background:#f0f4f8;z-index:1;text-align:right;font-weight:600}\n",
        "thead th.corner{writing-mode:horizontal-tb;transform:none;left:0;z-index:3}\n",
        "td.all{background:#3ebd93;color:#fff}td.some{background:#f7c948}td.none{background:#f5f7fa;color:#9aa5b1}td.self{background:#e4e7eb}\n",
        "td.ns{min-width:3.2rem}\n",
        "tbody tr:hover th,tbody tr:hover td{filter:brightness(.92)}\n",
        "td:hover{outline:2px solid #1f2933;outline-offset:-2px}\n",
        ".nsrow th{border-top:2px solid #9aa5b1}\n",
    ));
    out.push_str("</style>\n</head>\n<body>\n<h1>Network reachability</h1>\n");
    out.push_str("<p class=\"note\">Rows are sources, columns are destinations. A cell shows what the NetworkPolicies (and admin policies) let through; hover a cell for the exact protocols and ports. <em>external</em> stands for every address outside the cluster.</p>\n");
    out.push_str("<p class=\"legend\"><span style=\"background:#3ebd93;color:#fff\">all connections</span><span style=\"background:#f7c948\">some protocols or ports</span><span style=\"background:#f5f7fa;color:#9aa5b1\">nothing</span></p>\n");

    // Namespace matrix.
    out.push_str("<h2>Namespaces</h2>\n<p class=\"note\">Workload pairs that can talk, out of all pairs between the two namespaces.</p>\n<div class=\"wrap\"><table>\n<thead><tr><th class=\"corner\">src \\ dst</th>");
    for ns in &m.namespaces {
        let _ = write!(out, "<th>{}</th>", esc(ns));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for (i, ns) in m.namespaces.iter().enumerate() {
        let _ = write!(out, "<tr><th>{}</th>", esc(ns));
        for (j, &(ok, all)) in m.ns_cells[i].iter().enumerate() {
            let (class, text) = if all == 0 {
                ("self", String::new())
            } else if ok == 0 {
                ("none", "0".to_string())
            } else if ok == all {
                ("all", format!("{ok}/{all}"))
            } else {
                ("some", format!("{ok}/{all}"))
            };
            let _ = write!(
                out,
                "<td class=\"ns {class}\" title=\"{} &#8594; {}: {ok} of {all} workload pairs\">{text}</td>",
                esc(ns),
                esc(&m.namespaces[j])
            );
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>\n");

    // Workload matrix.
    out.push_str("<h2>Workloads</h2>\n<div class=\"wrap\"><table>\n<thead><tr><th class=\"corner\">src \\ dst</th>");
    for p in &m.peers {
        let _ = write!(out, "<th title=\"{}\">{}</th>", esc(p), esc(p));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    let mut prev_ns: Option<&str> = None;
    for (i, p) in m.peers.iter().enumerate() {
        let first_of_ns = prev_ns != Some(m.peer_ns[i].as_str());
        prev_ns = Some(m.peer_ns[i].as_str());
        let row_class = if first_of_ns && i > 0 {
            " class=\"nsrow\""
        } else {
            ""
        };
        let _ = write!(out, "<tr{row_class}><th>{}</th>", esc(p));
        for (j, c) in m.cells[i].iter().enumerate() {
            if i == j {
                out.push_str("<td class=\"self\"></td>");
                continue;
            }
            let class = class_of(c.as_ref());
            let conns = c
                .as_ref()
                .map_or_else(|| "No Connections".to_string(), ToString::to_string);
            let mark = match class {
                "all" => "&#10003;",
                "some" => "&#9680;",
                _ => "",
            };
            let _ = write!(
                out,
                "<td class=\"{class}\" title=\"{} &#8594; {}: {}\">{mark}</td>",
                esc(p),
                esc(&m.peers[j]),
                esc(&conns)
            );
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>\n</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use kspect_core::Inventory;
    use kspect_core::load::parse_str;

    const INPUT: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: front, labels: {app: a}}\nspec: {containers: [{name: c, image: i}]}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: b, namespace: back, labels: {app: b}}\nspec: {containers: [{name: c, image: i}]}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: back}\nspec:\n  podSelector: {}\n  ingress:\n  - ports: [{port: 80}]\n";

    fn matrix() -> Matrix {
        let inv = Inventory::new(parse_str("t.yaml", INPUT));
        let cluster = crate::analyze(&inv).expect("valid");
        let an = crate::Analyzer::new(&cluster);
        let (conns, _) = crate::connlist::connections(&an);
        build(&cluster, &conns)
    }

    #[test]
    fn cells_hold_what_is_allowed() {
        let m = matrix();
        assert_eq!(m.peers, vec!["back/b[Pod]", "front/a[Pod]", "external"]);
        // a -> b only on port 80; b -> a everything.
        assert_eq!(
            m.cells[1][0].as_ref().map(ToString::to_string).as_deref(),
            Some("TCP 80")
        );
        assert!(m.cells[0][1].as_ref().is_some_and(ConnSet::is_all));
        assert_eq!(m.namespaces, vec!["back", "front", "external"]);
        assert_eq!(m.ns_cells[1][0], (1, 1));
        let html = render(&m, MatrixFormat::Html);
        assert!(html.starts_with("<!DOCTYPE html>") && html.contains("TCP 80"));
        assert!(!html.contains("<script src"), "self-contained");
        let csv = render(&m, MatrixFormat::Csv);
        assert!(
            csv.contains("front/a[Pod],TCP 80,,All Connections"),
            "{csv}"
        );
        assert!(
            render(&m, MatrixFormat::Dot)
                .contains("\"front\" -> \"back\" [label=\"1/1 workload pairs\"")
        );
    }
}
