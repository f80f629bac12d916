//! NetworkPolicy analysis for kspect: which workload can reach which, on which protocol
//! and port, and why.
//!
//! The model follows Kubernetes NetworkPolicy exactly (namespaced policies, selectors,
//! ipBlock with except, named ports, endPort, policyTypes defaults, both sides of a
//! connection having to agree) and layers AdminNetworkPolicy above and
//! BaselineAdminNetworkPolicy below it. Results are given per workload, in the text,
//! JSON, CSV, Markdown and Graphviz forms of the np-guard netpol-analyzer, so they can be
//! compared with it line for line.
//!
//! Entry points, one per subcommand of `kspect netpol`:
//! - [`analyze`] builds the model ([`build::build`]) and the engine ([`engine::Analyzer`]);
//! - [`list`] renders the connectivity list (with focus options and exposure);
//! - [`diff::diff`] compares two inputs; [`eval::eval_flow`] decides one flow;
//! - [`podmap::pod_map`] gives the pod-level matrix; [`matrix()`] the namespace and
//!   workload reachability matrix (HTML, Graphviz, CSV);
//! - `--explain` reports rules per pair ([`explain`]); `--exposure` adds what pods absent
//!   from the input could reach or be reached by ([`exposure`]);
//! - [`checks::check`] produces the findings of `kspect scan` ([`checks::rules`] lists them).
//!
//! Not implemented: multi-network (UDN/NAD) analysis.
#![deny(missing_docs)]

pub mod admin;
pub mod augmented;
pub mod build;
pub mod checks;
pub mod connlist;
pub mod diff;
pub mod dot;
pub mod engine;
pub mod error;
pub mod eval;
pub mod explain;
pub mod exposure;
pub mod flow;
pub mod format;
pub mod ingress;
pub mod ip;
pub mod load;
pub mod matrix;
pub mod model;
pub mod podmap;
pub mod ports;
pub mod selector;

pub use build::{BuildOptions, build};
pub use connlist::{Connection, Direction, Endpoint, ListOptions};
pub use engine::Analyzer;
pub use error::NetpolError;
pub use format::Format;
pub use model::Cluster;
pub use ports::{ConnSet, PortSet, Protocol};

use kspect_core::Inventory;

/// Options of `kspect netpol list`.
#[derive(Debug, Clone)]
pub struct ListRequest {
    /// Output format.
    pub format: Format,
    /// Focus options.
    pub focus: ListOptions,
    /// Add the exposure section.
    pub exposure: bool,
    /// Produce the explanation report instead of the list (txt only).
    pub explain: bool,
    /// With `explain`: only allowed (`Some(true)`) or only denied (`Some(false)`) pairs.
    pub explain_only: Option<bool>,
}

impl Default for ListRequest {
    fn default() -> Self {
        ListRequest {
            format: Format::Txt,
            focus: ListOptions::default(),
            exposure: false,
            explain: false,
            explain_only: None,
        }
    }
}

/// What `kspect netpol list` prints, and the warnings met.
#[derive(Debug, Clone)]
pub struct ListOutput {
    /// The rendered output.
    pub text: String,
    /// Non-fatal problems (print them on stderr).
    pub warnings: Vec<model::Warning>,
}

/// Builds the model of an inventory (fatal problems are errors naming the object).
pub fn analyze(inv: &Inventory) -> Result<Cluster, NetpolError> {
    if inv.files == 0 && inv.is_empty() {
        return Err(NetpolError::NoInputFiles);
    }
    build(inv, BuildOptions::default())
}

/// `kspect netpol list`: the whole pipeline from an inventory to the rendered text.
pub fn list(inv: &Inventory, req: &ListRequest) -> Result<ListOutput, NetpolError> {
    let cluster = analyze(inv)?;
    let an = Analyzer::new(&cluster);
    let mut warnings = cluster.warnings.clone();
    let (req, option_warnings) = normalize_request(req);
    warnings.extend(option_warnings);
    let req = &req;
    if req.explain && req.format != Format::Txt {
        return Err(NetpolError::BadArgument(
            "--explain is supported only with the txt format".into(),
        ));
    }
    let (conns, w) = connlist::connections(&an);
    warnings.extend(w);
    let conns = connlist::apply_focus(&cluster, conns, &req.focus);
    let exposure = req
        .exposure
        .then(|| exposure::compute(&cluster, &conns, &req.focus, req.explain));
    if req.explain {
        let pairs = explain::explained_pairs(
            &an,
            &explain::ExplainOptions {
                focus: req.focus.clone(),
                only: req.explain_only,
                exposure: req.exposure,
            },
        );
        let mut text = explain::render(&pairs);
        if let Some(e) = &exposure {
            text.push_str(&exposure::txt_section(e, req.focus.focus_conn));
        }
        return Ok(ListOutput { text, warnings });
    }
    let graph_peers = if req.focus.focus_workloads.is_empty() {
        connlist::listed_workloads(&cluster)
    } else {
        connlist::listed_workloads(&cluster)
            .into_iter()
            .filter(|&w| {
                req.focus
                    .focus_workloads
                    .iter()
                    .any(|f| connlist::focus_matches(&cluster, w, f))
            })
            .collect()
    };
    let opts = format::RenderOptions {
        focus_conn: req.focus.focus_conn,
        graph_peers,
    };
    let text = format::render(&cluster, &conns, exposure.as_ref(), req.format, &opts);
    Ok(ListOutput { text, warnings })
}

/// `kspect netpol matrix`: the namespace and workload reachability matrix.
pub fn matrix(inv: &Inventory, format: matrix::MatrixFormat) -> Result<ListOutput, NetpolError> {
    let cluster = analyze(inv)?;
    let an = Analyzer::new(&cluster);
    let mut warnings = cluster.warnings.clone();
    let (conns, w) = connlist::connections(&an);
    warnings.extend(w);
    let m = matrix::build(&cluster, &conns);
    Ok(ListOutput {
        text: matrix::render(&m, format),
        warnings,
    })
}

fn option_warning(message: String) -> model::Warning {
    model::Warning {
        message,
        object: None,
    }
}

/// Drops options that do not apply (as the reference analyzer does) and says so.
pub fn normalize_request(req: &ListRequest) -> (ListRequest, Vec<model::Warning>) {
    let mut r = req.clone();
    let mut w = Vec::new();
    if r.focus.focus_workloads.is_empty() {
        if !r.focus.focus_workload_peers.is_empty() {
            w.push(option_warning(
                "focusworkload-peer may be used only with focusworkload flag, will be ignored"
                    .into(),
            ));
            r.focus.focus_workload_peers.clear();
        }
        if r.focus.focus_direction.is_some() {
            w.push(option_warning(
                "focus-direction may be used only with focusworkload flag, will be ignored".into(),
            ));
            r.focus.focus_direction = None;
        }
    } else if !r.focus.focus_workload_peers.is_empty() && r.exposure {
        w.push(option_warning(
            "exposure analysis is not relevant when both focusworkload and focusworkload-peer are used; exposure flag will be ignored".into(),
        ));
        r.exposure = false;
    }
    if r.explain_only.is_some() && !r.explain {
        w.push(option_warning(
            "explain-only may be used only with explain flag, will be ignored".into(),
        ));
        r.explain_only = None;
    }
    if r.explain && r.explain_only.is_some() && r.exposure {
        w.push(option_warning(
            "exposure analysis is not relevant when both explain and explain-only are used; exposure flag will be ignored".into(),
        ));
        r.exposure = false;
    }
    (r, w)
}
