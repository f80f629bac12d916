//! `kspect netpol ...`: NetworkPolicy connectivity offline, from manifests.
//!
//! | command | what it prints |
//! | --- | --- |
//! | `list PATH...` | every allowed connection between workloads and external ranges (txt, json, csv, md, dot), optionally with `--exposure` and `--explain` |
//! | `diff OLD NEW` | connections a change adds, removes or changes |
//! | `eval --src A --dst B --protocol P --port N` | `allowed` or `denied` for one flow, and the rules that decided it (exit 0 / 1) |
//! | `matrix PATH...` | the namespace and workload reachability matrix (html, dot, csv) |
//!
//! The engine is `kspect-netpol`; this module parses the command line, loads the input,
//! and prints. Input problems the analysis can live with are warnings on stderr; fatal
//! ones (an invalid policy, a duplicate name ...) stop with exit code 2 and name the
//! object and the file.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use clap::{Args, Subcommand, ValueEnum};
use kspect_core::Inventory;
use kspect_netpol::connlist::{Direction, ListOptions, parse_focus_conn};
use kspect_netpol::eval::{FlowEnd, eval_flow};
use kspect_netpol::matrix::MatrixFormat;
use kspect_netpol::{Format, ListRequest, Protocol};

/// `kspect netpol`.
#[derive(Debug, Args)]
pub struct NetpolArgs {
    /// What to compute.
    #[command(subcommand)]
    pub command: NetpolCommand,
}

/// The NetworkPolicy subcommands.
#[derive(Debug, Subcommand)]
pub enum NetpolCommand {
    /// List every allowed connection between workloads (and external address ranges).
    List(ListArgs),
    /// Connectivity that a change adds, removes or changes (OLD and NEW are manifest
    /// files or directories).
    Diff(DiffArgs),
    /// Decide one flow: allowed or denied, and by which rules (exit 0 allowed, 1 denied).
    Eval(EvalArgs),
    /// The namespace and workload reachability matrix.
    Matrix(MatrixArgs),
}

/// Output formats of `list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// `src => dst : conn` lines.
    Txt,
    /// JSON.
    Json,
    /// CSV.
    Csv,
    /// Markdown table.
    Md,
    /// Graphviz digraph.
    Dot,
}

impl ListFormat {
    fn engine(self) -> Format {
        match self {
            ListFormat::Txt => Format::Txt,
            ListFormat::Json => Format::Json,
            ListFormat::Csv => Format::Csv,
            ListFormat::Md => Format::Md,
            ListFormat::Dot => Format::Dot,
        }
    }
}

/// Output formats of `diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// `diff-type: ...` lines.
    Txt,
    /// CSV.
    Csv,
    /// Markdown table.
    Md,
    /// Graphviz digraph.
    Dot,
}

/// `--focus-direction`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FocusDirection {
    /// Only connections into a focus workload.
    Ingress,
    /// Only connections out of a focus workload.
    Egress,
}

/// `--explain-only`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExplainOnly {
    /// Only allowed pairs.
    Allow,
    /// Only denied pairs.
    Deny,
}

/// Output formats of `matrix`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MatrixOutput {
    /// A self-contained HTML page.
    Html,
    /// Graphviz digraph of namespaces.
    Dot,
    /// CSV tables.
    Csv,
}

/// Where the result goes and how chatty to be.
#[derive(Debug, Args, Clone)]
pub struct OutArgs {
    /// Write the result to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Do not print warnings about the input.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// `kspect netpol list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Manifests: files or directories (searched recursively for .yaml, .yml, .json).
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "txt")]
    pub format: ListFormat,
    /// Keep only connections of this workload (`name` or `namespace/name`); repeatable.
    #[arg(long = "focus-workload", value_name = "W")]
    pub focus_workload: Vec<String>,
    /// With --focus-workload: the other end must be one of these; repeatable.
    #[arg(long = "focus-workload-peer", value_name = "P")]
    pub focus_workload_peer: Vec<String>,
    /// With --focus-workload: keep only one direction.
    #[arg(long = "focus-direction", value_enum)]
    pub focus_direction: Option<FocusDirection>,
    /// Keep only pairs that allow this connection, e.g. `tcp-80`.
    #[arg(long = "focus-conn", value_name = "PROTOCOL-PORT")]
    pub focus_conn: Option<String>,
    /// Also show what pods in any namespace, including ones not in the input, could reach
    /// or be reached by.
    #[arg(long)]
    pub exposure: bool,
    /// For every pair, the policies and rules that allow or deny it (txt only).
    #[arg(long)]
    pub explain: bool,
    /// With --explain: only allowed or only denied pairs.
    #[arg(long = "explain-only", value_enum)]
    pub explain_only: Option<ExplainOnly>,
    /// Output options.
    #[command(flatten)]
    pub out: OutArgs,
}

/// `kspect netpol diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The manifests before the change.
    #[arg(value_name = "OLD")]
    pub old: PathBuf,
    /// The manifests after the change.
    #[arg(value_name = "NEW")]
    pub new: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "txt")]
    pub format: DiffFormat,
    /// Labels of the two sides in the output, comma separated.
    #[arg(long, value_name = "OLD,NEW", default_value = "ref1,ref2")]
    pub names: String,
    /// Output options.
    #[command(flatten)]
    pub out: OutArgs,
}

/// `kspect netpol eval`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Manifests: files or directories.
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
    /// Source: `namespace/pod`, `namespace/workload` or an IPv4 address.
    #[arg(long, value_name = "NS/NAME|IP")]
    pub src: String,
    /// Destination: `namespace/pod`, `namespace/workload` or an IPv4 address.
    #[arg(long, value_name = "NS/NAME|IP")]
    pub dst: String,
    /// Protocol: TCP, UDP or SCTP.
    #[arg(long, default_value = "TCP")]
    pub protocol: String,
    /// Destination port.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    pub port: u16,
    /// Output options.
    #[command(flatten)]
    pub out: OutArgs,
}

/// `kspect netpol matrix`.
#[derive(Debug, Args)]
pub struct MatrixArgs {
    /// Manifests: files or directories.
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "html")]
    pub format: MatrixOutput,
    /// Output options.
    #[command(flatten)]
    pub out: OutArgs,
}

/// Runs a `kspect netpol` subcommand; the result is the exit code.
pub fn run(args: NetpolArgs) -> anyhow::Result<u8> {
    match args.command {
        NetpolCommand::List(a) => list(a),
        NetpolCommand::Diff(a) => diff(a),
        NetpolCommand::Eval(a) => eval(a),
        NetpolCommand::Matrix(a) => matrix(a),
    }
}

/// Loads manifests; unreadable or broken files are reported (the analysis goes on with
/// the rest, as the reference analyzer does).
fn load(paths: &[PathBuf], quiet: bool) -> anyhow::Result<Inventory> {
    for p in paths {
        if !p.exists() {
            bail!("{}: no such file or directory", p.display());
        }
    }
    let inv = kspect_netpol::load::load_inventory(paths, &[]);
    if !quiet {
        let mut err = std::io::stderr().lock();
        for d in &inv.diagnostics {
            let _ = writeln!(err, "kspect: warning: {d}");
        }
    }
    Ok(inv)
}

fn warn_all(warnings: &[kspect_netpol::model::Warning], quiet: bool) {
    if quiet {
        return;
    }
    let mut err = std::io::stderr().lock();
    for w in warnings {
        let _ = writeln!(err, "kspect: warning: {w}");
    }
}

/// Writes the result, ending it with one newline.
fn emit(out: &OutArgs, text: &str) -> anyhow::Result<()> {
    let mut text = text.to_string();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    match &out.output {
        Some(path) => write_file(path, &text),
        None => {
            let mut o = std::io::stdout().lock();
            o.write_all(text.as_bytes())?;
            o.flush()?;
            Ok(())
        }
    }
}

fn write_file(path: &Path, text: &str) -> anyhow::Result<()> {
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}

fn list(a: ListArgs) -> anyhow::Result<u8> {
    let inv = load(&a.paths, a.out.quiet)?;
    let focus_conn = match &a.focus_conn {
        None => None,
        Some(s) => Some(parse_focus_conn(s).with_context(|| {
            format!("invalid --focus-conn {s:?}: expected PROTOCOL-PORT such as tcp-80")
        })?),
    };
    if a.explain && a.format != ListFormat::Txt {
        bail!("--explain is supported only with --format txt");
    }
    let req = ListRequest {
        format: a.format.engine(),
        focus: ListOptions {
            focus_workloads: a.focus_workload,
            focus_workload_peers: a.focus_workload_peer,
            focus_direction: a.focus_direction.map(|d| match d {
                FocusDirection::Ingress => Direction::Ingress,
                FocusDirection::Egress => Direction::Egress,
            }),
            focus_conn,
        },
        exposure: a.exposure,
        explain: a.explain,
        explain_only: a.explain_only.map(|o| o == ExplainOnly::Allow),
    };
    let out = kspect_netpol::list(&inv, &req)?;
    warn_all(&out.warnings, a.out.quiet);
    emit(&a.out, &out.text)?;
    Ok(0)
}

fn diff(a: DiffArgs) -> anyhow::Result<u8> {
    let old = load(std::slice::from_ref(&a.old), a.out.quiet)?;
    let new = load(std::slice::from_ref(&a.new), a.out.quiet)?;
    let (n1, n2) = a
        .names
        .split_once(',')
        .context("--names takes two labels separated by a comma")?;
    let d = kspect_netpol::diff::diff(&old, &new)?;
    let format = match a.format {
        DiffFormat::Txt => Format::Txt,
        DiffFormat::Csv => Format::Csv,
        DiffFormat::Md => Format::Md,
        DiffFormat::Dot => Format::Dot,
    };
    emit(&a.out, &d.render(format, (n1, n2)))?;
    Ok(0)
}

fn eval(a: EvalArgs) -> anyhow::Result<u8> {
    let protocol = Protocol::parse(&a.protocol)
        .with_context(|| format!("invalid --protocol {:?}: TCP, UDP or SCTP", a.protocol))?;
    let inv = load(&a.paths, a.out.quiet)?;
    let cluster = kspect_netpol::analyze(&inv)?;
    warn_all(&cluster.warnings, a.out.quiet);
    let an = kspect_netpol::Analyzer::new(&cluster);
    let v = eval_flow(
        &an,
        &FlowEnd::parse(&a.src),
        &FlowEnd::parse(&a.dst),
        protocol,
        a.port,
    )?;
    let mut text = format!(
        "{} {} => {} {}/{}\n",
        if v.allowed { "allowed" } else { "denied" },
        a.src,
        a.dst,
        protocol,
        a.port
    );
    if !v.reason.is_empty() {
        text.push_str(&v.reason);
    }
    emit(&a.out, &text)?;
    Ok(if v.allowed { 0 } else { 1 })
}

fn matrix(a: MatrixArgs) -> anyhow::Result<u8> {
    let inv = load(&a.paths, a.out.quiet)?;
    let format = match a.format {
        MatrixOutput::Html => MatrixFormat::Html,
        MatrixOutput::Dot => MatrixFormat::Dot,
        MatrixOutput::Csv => MatrixFormat::Csv,
    };
    let out = kspect_netpol::matrix(&inv, format)?;
    warn_all(&out.warnings, a.out.quiet);
    emit(&a.out, &out.text)?;
    Ok(0)
}
