//! The command line: one definition from which clap derives parsing and help.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use kspect_core::Severity;

/// Container and Kubernetes security analysis: workload posture, Pod Security
/// Standards, RBAC, NetworkPolicy, vulnerabilities, benchmarks and runtime rules.
#[derive(Debug, Parser)]
#[command(name = "kspect", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run every analyzer over manifests (files, directories, `-` for stdin).
    Scan(ScanArgs),
    /// Evaluate pods and workload templates against the Pod Security Standards, exactly as
    /// the Pod Security Admission controller does.
    Pss(PssArgs),
    /// List every rule kspect can report.
    Rules(RulesArgs),
    /// Print the documentation of one rule.
    Explain(ExplainArgs),
    /// RBAC: can-i, review, list, who-can, risks.
    Rbac(crate::commands::rbac::RbacArgs),
    /// CIS benchmarks of a Kubernetes node or a Docker host.
    Bench(crate::commands::bench::BenchArgs),
    /// Runtime rules: validate, replay.
    Runtime(crate::commands::runtime::RuntimeArgs),
    /// Kubernetes audit logs and audit policies: analyze, policy.
    Audit(crate::commands::audit::AuditArgs),
    /// Vulnerabilities in lockfiles and SBOMs.
    Vuln(crate::commands::vuln::VulnArgs),
    /// The offline advisory database.
    Db(crate::commands::vuln::DbArgs),
    /// The inventory of a project as an SBOM (CycloneDX 1.6, SPDX 2.3).
    Sbom(crate::commands::vuln::SbomArgs),
    /// NetworkPolicy: list, diff, eval, matrix.
    Netpol(crate::commands::netpol::NetpolArgs),
}

/// Flags shared by the commands that report findings.
#[derive(Debug, Args, Clone)]
pub struct OutputArgs {
    /// Output format: table, json, sarif or junit.
    #[arg(long, value_name = "FORMAT", default_value = "table")]
    pub format: String,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit with status 1 when an unsuppressed finding is at or above this severity
    /// (critical, high, medium, low, info).
    #[arg(long, value_name = "SEVERITY", default_value = "low")]
    pub fail_on: Severity,
    /// Configuration file (default: `.kspect.yaml` in the current directory or a parent).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Print only findings and errors: no summary, no warnings about the input.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Never colour the output (also: the NO_COLOR environment variable).
    #[arg(long)]
    pub no_color: bool,
    /// Files larger than this many bytes are reported and skipped.
    #[arg(long, value_name = "BYTES", default_value_t = kspect_core::load::DEFAULT_MAX_FILE_SIZE)]
    pub max_file_size: u64,
}

/// `kspect scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Manifests: files, directories (searched recursively for .yaml, .yml, .json) or `-`.
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
    /// Output and exit-code options.
    #[command(flatten)]
    pub out: OutputArgs,
}

/// `kspect pss`.
#[derive(Debug, Args)]
pub struct PssArgs {
    /// Manifests: files, directories or `-`.
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
    /// Policy level: privileged, baseline or restricted. Without it, each object is
    /// evaluated with the `pod-security.kubernetes.io/*` labels of its Namespace in the input.
    #[arg(long, value_name = "LEVEL")]
    pub level: Option<String>,
    /// Policy version: `latest` or `v1.N`.
    #[arg(long, value_name = "VERSION", default_value = "latest")]
    pub version: String,
    /// Output and exit-code options.
    #[command(flatten)]
    pub out: OutputArgs,
}

/// `kspect rules`.
#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Output format: table or json.
    #[arg(long, value_name = "FORMAT", default_value = "table")]
    pub format: String,
    /// Only rules of this category (pss, workload, ...).
    #[arg(long, value_name = "CATEGORY")]
    pub category: Option<String>,
}

/// `kspect explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Rule ID (KSP101) or name (privileged-container).
    #[arg(value_name = "ID")]
    pub id: String,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn command_line_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
