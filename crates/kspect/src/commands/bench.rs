//! `kspect bench node` and `kspect bench docker`: CIS Kubernetes and Docker benchmarks.
//!
//! The checks live in `kspect-bench`; this module gathers the facts (a live node, or a
//! node's filesystem under `--root`), picks the output, and maps FAIL results onto the
//! shared reporters and exit codes.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use clap::{Args, Subcommand};
use kspect_bench::docker::{self, DockerFacts, client::DockerClient};
use kspect_bench::node::{self, NodeOptions};
use kspect_bench::policies::ClusterObjects;
use kspect_bench::{Choice, NodeFacts, Report, RootedFs, Target, render};
use kspect_core::finding::sort_findings;
use kspect_report::{Format, RenderOptions};

use crate::cli::OutputArgs;
use crate::context;

/// `kspect bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Which benchmark.
    #[command(subcommand)]
    pub command: BenchCommand,
}

/// The benchmarks.
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// CIS Kubernetes Benchmark checks of a node (kube-bench class).
    Node(NodeArgs),
    /// CIS Docker Benchmark checks of a Docker host.
    Docker(DockerArgs),
}

/// `kspect bench node`.
#[derive(Debug, Args)]
pub struct NodeArgs {
    /// A copy or mount of the node's filesystem; without it, this machine is checked live.
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// cis-1.11, cis-1.12 or auto (from the Kubernetes version found on the node).
    #[arg(long, value_name = "BENCHMARK", default_value = "auto")]
    pub benchmark: String,
    /// Comma-separated targets: master, controlplane, etcd, node, policies (default: what runs).
    #[arg(long, value_name = "TARGETS", value_delimiter = ',')]
    pub targets: Vec<String>,
    /// Comma-separated check IDs to run (default: all).
    #[arg(long, value_name = "IDS", value_delimiter = ',')]
    pub check: Vec<String>,
    /// Cluster objects (files, folders, `-` for stdin; e.g. `kubectl get -A -o yaml`
    /// output) that decide the policy checks of section 5; without them they stay WARN.
    #[arg(long, value_name = "PATH", num_args = 1..)]
    pub manifests: Vec<PathBuf>,
    /// Output and exit-code options; `--format` also takes kube-bench-json.
    #[command(flatten)]
    pub out: OutputArgs,
}

/// `kspect bench docker`.
#[derive(Debug, Args)]
pub struct DockerArgs {
    /// A copy or mount of the host's filesystem (daemon.json, systemd units, file modes).
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// The Docker Engine API socket, read when no `--info`/`--inspect` files are given.
    #[arg(
        long,
        value_name = "URL",
        default_value = "unix:///var/run/docker.sock"
    )]
    pub docker_host: String,
    /// Saved `docker inspect` output (an array or one object); repeatable.
    #[arg(long, value_name = "FILE")]
    pub inspect: Vec<PathBuf>,
    /// Saved `docker info --format '{{json .}}'` output.
    #[arg(long, value_name = "FILE")]
    pub info: Option<PathBuf>,
    /// Output and exit-code options.
    #[command(flatten)]
    pub out: OutputArgs,
}

/// Runs `kspect bench`.
pub fn run(args: BenchArgs) -> anyhow::Result<u8> {
    match args.command {
        BenchCommand::Node(a) => run_node(a),
        BenchCommand::Docker(a) => run_docker(a),
    }
}

fn run_node(args: NodeArgs) -> anyhow::Result<u8> {
    let benchmark: Choice = args
        .benchmark
        .parse()
        .map_err(|e| anyhow::anyhow!("invalid --benchmark {:?}: {e}", args.benchmark))?;
    let targets = if args.targets.is_empty() {
        None
    } else {
        let mut parsed = Vec::new();
        for t in &args.targets {
            match Target::parse(t) {
                Some(t) => parsed.push(t),
                None => bail!(
                    "invalid --targets entry {t:?} (expected master, controlplane, etcd, node or policies)"
                ),
            }
        }
        Some(parsed)
    };
    let manifests = if args.manifests.is_empty() {
        None
    } else {
        let objects = ClusterObjects::load(&args.manifests);
        for d in objects.diagnostics() {
            eprintln!("{d}");
        }
        if objects.is_empty() {
            bail!(
                "--manifests: no Kubernetes object could be read from {}",
                args.manifests
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        Some(std::sync::Arc::new(objects))
    };
    let options = NodeOptions {
        benchmark,
        targets,
        checks: args.check.clone(),
        manifests,
    };
    let report = match &args.root {
        Some(root) => {
            if !root.is_dir() {
                bail!("--root {} is not a directory", root.display());
            }
            let fs = RootedFs::new(root);
            node::run(&NodeFacts::offline(&fs), &options)
        }
        None => {
            let fs = RootedFs::live();
            node::run(&NodeFacts::live(&fs, Path::new("/proc")), &options)
        }
    };
    emit(&report, &args.out, "bench node", args.root.as_deref())
}

fn run_docker(args: DockerArgs) -> anyhow::Result<u8> {
    let (info, containers) = if args.info.is_some() || !args.inspect.is_empty() {
        let info = match &args.info {
            Some(p) => {
                Some(docker::load_info(p).with_context(|| format!("reading {}", p.display()))?)
            }
            None => None,
        };
        let mut containers = Vec::new();
        for p in &args.inspect {
            containers.extend(
                docker::load_inspect(p).with_context(|| format!("reading {}", p.display()))?,
            );
        }
        (info, containers)
    } else {
        let client = DockerClient::new(&args.docker_host)
            .with_context(|| format!("cannot use --docker-host {}", args.docker_host))?;
        let info = client.info().with_context(|| {
            format!(
                "cannot read `docker info` from {} (or pass --info FILE)",
                args.docker_host
            )
        })?;
        let containers = client
            .running_containers()
            .context("cannot list running containers")?;
        (Some(info), containers)
    };
    let fs = match &args.root {
        Some(root) => RootedFs::new(root),
        None => RootedFs::live(),
    };
    let proc_dir = if args.root.is_none() {
        Some(Path::new("/proc"))
    } else {
        None
    };
    let facts = DockerFacts::gather(&fs, proc_dir, info, containers);
    emit(
        &docker::run(&facts),
        &args.out,
        "bench docker",
        args.root.as_deref(),
    )
}

/// Writes the report in the requested format; the exit code follows `--fail-on` over
/// the FAIL results (as findings), or 2 for a usage error.
fn emit(
    report: &Report,
    out_args: &OutputArgs,
    command: &str,
    root: Option<&Path>,
) -> anyhow::Result<u8> {
    let mut findings = kspect_bench::findings::findings_under(report, root);
    sort_findings(&mut findings);
    let registry = crate::registry::all_rules();
    let kreport = kspect_report::Report {
        tool_version: env!("CARGO_PKG_VERSION"),
        command,
        findings: &findings,
        diagnostics: &[],
        registry: &registry,
        objects_scanned: report.checks.len(),
        files_scanned: 0,
        fail_on: Some(out_args.fail_on),
    };
    let mut out = context::open_output(out_args)?;
    match out_args.format.as_str() {
        "table" | "text" => write!(out, "{}", render::text(report))?,
        "json" => {
            serde_json::to_writer_pretty(&mut out, &render::json(report))?;
            writeln!(out)?;
        }
        "kube-bench-json" => {
            serde_json::to_writer_pretty(&mut out, &render::kube_bench_json(report))?;
            writeln!(out)?;
        }
        other => {
            let format: Format = other.parse()?;
            let options = RenderOptions {
                color: context::use_color(out_args),
                base_dir: std::env::current_dir().ok(),
            };
            kspect_report::render(format, &kreport, &options, &mut out)?;
        }
    }
    out.flush()?;
    Ok(if kspect_report::exit_code(&kreport) != 0 {
        1
    } else {
        0
    })
}
