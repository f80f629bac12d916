//! Exposure analysis: what pods that are not in the input (any namespace) could reach,
//! or be reached by, given the policies.
//!
//! This module holds the result types and their exact rendering in every format; the
//! computation itself is not implemented yet ([`crate::list`] answers `--exposure` with
//! [`crate::NetpolError::Unsupported`]).

use serde_json::json;

use crate::ports::{ConnSet, Protocol};

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
}

fn header(focus: Option<(Protocol, u16)>) -> String {
    match focus {
        Some((p, n)) => format!("Exposure Analysis Result On {p} {n}:"),
        None => "Exposure Analysis Result:".into(),
    }
}

/// The txt exposure section (appended after the connlist lines).
pub fn txt_section(e: &Exposure, focus: Option<(Protocol, u16)>) -> String {
    let width = e
        .egress
        .iter()
        .chain(&e.ingress)
        .map(|l| l.workload.len())
        .max()
        .unwrap_or(0);
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
    if !e.unprotected.is_empty() {
        out.push_str("\nWorkloads not protected by network policies:\n");
        out.push_str(&e.unprotected.join("\n"));
        out.push('\n');
    }
    out
}

impl Exposure {
    /// The JSON `exposure_results` object.
    pub fn json(&self, with_conn: bool) -> serde_json::Value {
        let items = |lines: &[ExposureLine], ingress: bool| {
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

    /// The CSV exposure rows.
    pub fn csv(&self, focus: Option<(Protocol, u16)>) -> String {
        let with_conn = focus.is_none();
        let mut out = format!("{},,\nEgress Exposure:,,\n", header(focus));
        out.push_str(if with_conn {
            "src,dst,conn\n"
        } else {
            "src,dst\n"
        });
        for l in &self.egress {
            out.push_str(&row(&l.workload, &l.peer.text(), &l.conns, with_conn));
        }
        out.push_str("Ingress Exposure:,,\n");
        out.push_str(if with_conn {
            "dst,src,conn\n"
        } else {
            "dst,src\n"
        });
        for l in &self.ingress {
            out.push_str(&row(&l.workload, &l.peer.text(), &l.conns, with_conn));
        }
        out
    }

    /// The markdown exposure tables.
    pub fn md(&self, focus: Option<(Protocol, u16)>) -> String {
        let with_conn = focus.is_none();
        let mut out = format!("\n## {}", header(focus));
        let table = |first: &str, second: &str, lines: &[ExposureLine]| {
            let mut s = if with_conn {
                format!("\n| {first} | {second} | conn |\n|-----|-----|------|")
            } else {
                format!("\n| {first} | {second} |\n|-----|-----|")
            };
            for l in lines {
                if with_conn {
                    s.push_str(&format!(
                        "\n| {} | {} | {} |",
                        l.workload,
                        l.peer.text(),
                        l.conns
                    ));
                } else {
                    s.push_str(&format!("\n| {} | {} |", l.workload, l.peer.text()));
                }
            }
            s
        };
        out.push_str("\n### Egress Exposure:");
        out.push_str(&table("src", "dst", &self.egress));
        out.push_str("\n\n### Ingress Exposure:");
        out.push_str(&table("dst", "src", &self.ingress));
        out
    }
}

fn row(a: &str, b: &str, c: &ConnSet, with_conn: bool) -> String {
    if with_conn {
        format!("{a},{b},{c}\n")
    } else {
        format!("{a},{b}\n")
    }
}
