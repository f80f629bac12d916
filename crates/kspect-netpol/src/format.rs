//! Rendering the connectivity list in the reference analyzer's formats: `txt`, `json`,
//! `csv`, `md` and `dot` (byte for byte, so results compare line by line).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::json;

use crate::connlist::{Connection, Endpoint};
use crate::exposure::Exposure;
use crate::model::Cluster;
use crate::ports::Protocol;

/// An output format of `kspect netpol list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `src => dst : conn` lines.
    Txt,
    /// JSON array of `{src, dst, conn}`.
    Json,
    /// CSV with a `src,dst,conn` header.
    Csv,
    /// Markdown table.
    Md,
    /// Graphviz digraph.
    Dot,
}

impl Format {
    /// Parses `txt`, `json`, `csv`, `md`, `dot`.
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "txt" => Some(Format::Txt),
            "json" => Some(Format::Json),
            "csv" => Some(Format::Csv),
            "md" => Some(Format::Md),
            "dot" => Some(Format::Dot),
            _ => None,
        }
    }
}

/// What the list shows, beyond the connections.
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    /// `--focus-conn`: lines carry no connection part and a header names the connection.
    pub focus_conn: Option<(Protocol, u16)>,
    /// Workloads the graph shows even without connections (all of them without a focus).
    pub graph_peers: Vec<usize>,
}

fn focus_title(fc: (Protocol, u16)) -> String {
    format!("{} {}", fc.0, fc.1)
}

/// Renders the list (and the exposure section when given).
pub fn render(
    cluster: &Cluster,
    conns: &[Connection],
    exposure: Option<&Exposure>,
    format: Format,
    opts: &RenderOptions,
) -> String {
    match format {
        Format::Txt => txt(conns, exposure, opts),
        Format::Json => json_out(conns, exposure, opts),
        Format::Csv => csv(conns, exposure, opts),
        Format::Md => md(conns, exposure, opts),
        Format::Dot => {
            let label = opts.focus_conn.map(focus_title);
            crate::dot::render(
                cluster,
                conns,
                exposure,
                &opts.graph_peers,
                label.as_deref(),
            )
        }
    }
}

fn txt(conns: &[Connection], exposure: Option<&Exposure>, opts: &RenderOptions) -> String {
    let mut lines: Vec<String> = Vec::new();
    if let Some(fc) = opts.focus_conn {
        lines.push(format!("Permitted connections on {}:", focus_title(fc)));
    }
    for c in conns {
        if opts.focus_conn.is_some() {
            lines.push(format!("{} => {}", c.src_name, c.dst_name));
        } else {
            lines.push(format!("{} => {} : {}", c.src_name, c.dst_name, c.conns));
        }
    }
    let mut out = lines.join("\n");
    if let Some(e) = exposure {
        out.push_str(&crate::exposure::txt_section(e, opts.focus_conn));
    }
    out
}

fn json_items(conns: &[Connection], with_conn: bool) -> serde_json::Value {
    serde_json::Value::Array(
        conns
            .iter()
            .map(|c| {
                if with_conn {
                    json!({"src": c.src_name, "dst": c.dst_name, "conn": c.conns.to_string()})
                } else {
                    json!({"src": c.src_name, "dst": c.dst_name})
                }
            })
            .collect(),
    )
}

fn json_out(conns: &[Connection], exposure: Option<&Exposure>, opts: &RenderOptions) -> String {
    let with_conn = opts.focus_conn.is_none();
    let v = match exposure {
        None => json_items(conns, with_conn),
        Some(e) => {
            let (k1, k2) = if with_conn {
                ("connlist_results", "exposure_results")
            } else {
                ("connlist_conn_focus_results", "exposure_conn_focus_results")
            };
            let mut m = serde_json::Map::new();
            m.insert(k1.into(), json_items(conns, with_conn));
            m.insert(k2.into(), e.json(with_conn));
            serde_json::Value::Object(m)
        }
    };
    go_json(&v)
}

/// JSON as Go's `json.MarshalIndent(v, "", "  ")` writes it.
pub(crate) fn go_json(v: &serde_json::Value) -> String {
    let s = serde_json::to_string_pretty(v).unwrap_or_default();
    // Go escapes these three for HTML safety.
    s.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

pub(crate) fn csv_field(s: &str) -> String {
    // As Go's encoding/csv: separators, quotes, line breaks and a leading space.
    if s.contains([',', '"', '\n', '\r']) || s.starts_with([' ', '\t']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn csv(conns: &[Connection], exposure: Option<&Exposure>, opts: &RenderOptions) -> String {
    let with_conn = opts.focus_conn.is_none();
    let mut out = String::new();
    out.push_str(if with_conn {
        "src,dst,conn\n"
    } else {
        "src,dst\n"
    });
    for c in conns {
        out.push_str(&csv_field(&c.src_name));
        out.push(',');
        out.push_str(&csv_field(&c.dst_name));
        if with_conn {
            out.push(',');
            out.push_str(&csv_field(&c.conns.to_string()));
        }
        out.push('\n');
    }
    if let Some(e) = exposure {
        out.push_str(&e.csv(opts.focus_conn));
    }
    out
}

fn md(conns: &[Connection], exposure: Option<&Exposure>, opts: &RenderOptions) -> String {
    let with_conn = opts.focus_conn.is_none();
    let mut lines: Vec<String> = Vec::new();
    if with_conn {
        lines.push("| src | dst | conn |".into());
        lines.push("|-----|-----|------|".into());
    } else {
        lines.push("| src | dst |".into());
        lines.push("|-----|-----|".into());
    }
    for c in conns {
        if with_conn {
            lines.push(format!("| {} | {} | {} |", c.src_name, c.dst_name, c.conns));
        } else {
            lines.push(format!("| {} | {} |", c.src_name, c.dst_name));
        }
    }
    let mut out = lines.join("\n");
    if let Some(e) = exposure {
        out.push_str(&e.md(opts.focus_conn));
    }
    out
}

/// Groups names by namespace for the dot clusters.
pub(crate) fn group_by_namespace(
    cluster: &Cluster,
    endpoints: impl IntoIterator<Item = Endpoint>,
) -> BTreeMap<String, Vec<String>> {
    let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for e in endpoints {
        if let Endpoint::Workload(w) = e {
            let wl = &cluster.workloads[w];
            if wl.object.is_none() {
                continue;
            }
            let ns = cluster.namespaces[wl.namespace].name.clone();
            let mut line = String::new();
            let _ = write!(
                line,
                "\t\t{} [label={} color=\"blue\" fontcolor=\"blue\"]",
                go_quote(&cluster.workload_name(w)),
                go_quote(&format!("{}[{}]", wl.name, wl.kind))
            );
            m.entry(ns).or_default().push(line);
        }
    }
    m
}

/// A string as Go's `%q` writes it (the names here are plain ASCII).
pub(crate) fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
