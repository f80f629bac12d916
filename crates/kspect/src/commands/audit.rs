//! `kspect audit`: Kubernetes audit logs and audit policies.
//!
//! `analyze` reads logs in any shape the API server or a cloud writes them, runs the
//! Falco k8s-audit rules given with `--rules` and kspect's own detections, and prints
//! the summary an analyst starts from. `policy` reports what an audit Policy leaks,
//! misses, shadows or misspells.
//!
//! Both commands take `--format table|json|sarif|junit`: `table` (or `text`, the
//! historical name) is the analyst's summary, `json` kspect's audit document (its
//! shape is a contract), and `sarif`/`junit` go through the shared reporters with the
//! KSA/KAP rules of `kspect rules`: log detections point at the file and line of their
//! event, policy findings at the line of the offending rule.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use kspect_audit::analyze::{Analyzer, Report, Severity};
use kspect_audit::policy::{self, Policy};
use kspect_core::load::{Diagnostic, DiagnosticLevel};
use kspect_report::{Format, RenderOptions};
use kspect_rules::RuleMatching;

use crate::cli::OutputArgs;
use crate::context;

/// `kspect audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: AuditCommand,
}

/// `kspect audit` subcommands.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Analyse audit logs: detections, who did what, what was denied, a timeline.
    Analyze(AnalyzeArgs),
    /// Findings on an audit Policy file.
    Policy(PolicyArgs),
}

/// Output options shared by `analyze` and `policy`, in the style of [`OutputArgs`]
/// (whose `--fail-on` default does not fit `analyze`, where detections only fail the
/// run when a threshold is asked for).
#[derive(Debug, Clone, Args)]
pub struct AuditOutput {
    /// Output format: table (the summary; `text` is accepted too), json, sarif or junit.
    #[arg(long, value_name = "FORMAT", default_value = "table")]
    pub format: String,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Never colour the output (also: the NO_COLOR environment variable).
    #[arg(long)]
    pub no_color: bool,
}

impl AuditOutput {
    fn as_output_args(&self, fail_on: kspect_core::Severity) -> OutputArgs {
        OutputArgs {
            format: self.format.clone(),
            output: self.output.clone(),
            fail_on,
            config: None,
            quiet: false,
            no_color: self.no_color,
            max_file_size: kspect_core::load::DEFAULT_MAX_FILE_SIZE,
        }
    }
}

/// What `--format` asks for.
enum Shape {
    Summary,
    Json,
    Report(Format),
}

fn shape(format: &str) -> anyhow::Result<Shape> {
    Ok(match format {
        "table" | "text" => Shape::Summary,
        "json" => Shape::Json,
        "sarif" => Shape::Report(Format::Sarif),
        "junit" => Shape::Report(Format::Junit),
        other => anyhow::bail!(
            "unknown format {other:?} for `audit` (expected table, json, sarif or junit)"
        ),
    })
}

fn core_severity(s: &str) -> anyhow::Result<kspect_core::Severity> {
    s.parse().map_err(|_| {
        anyhow::anyhow!("unknown severity {s:?} (expected critical, high, medium, low or info)")
    })
}

/// Renders findings with the shared reporters.
fn render_findings(
    findings: &mut [kspect_core::Finding],
    diagnostics: &[Diagnostic],
    format: Format,
    command: &str,
    fail_on: Option<kspect_core::Severity>,
    files: usize,
    out_args: &OutputArgs,
) -> anyhow::Result<()> {
    kspect_core::finding::sort_findings(findings);
    let registry = crate::registry::all_rules();
    let report = kspect_report::Report {
        tool_version: env!("CARGO_PKG_VERSION"),
        command,
        findings,
        diagnostics,
        registry: &registry,
        objects_scanned: findings.len(),
        files_scanned: files,
        fail_on,
    };
    let options = RenderOptions {
        color: context::use_color(out_args),
        base_dir: std::env::current_dir().ok(),
    };
    let mut out = context::open_output(out_args)?;
    kspect_report::render(format, &report, &options, &mut out)?;
    out.flush()?;
    Ok(())
}

/// `kspect audit analyze`.
#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// Audit logs: files (JSON lines, `.gz`, EventList, cloud exports) or directories
    /// (rotated backups are read before the active file).
    #[arg(value_name = "LOG", required = true)]
    pub logs: Vec<PathBuf>,
    /// Falco k8s-audit rule files to run as well, loaded in order.
    #[arg(long = "rules", short = 'r', value_name = "FILE")]
    pub rules: Vec<PathBuf>,
    /// Output options.
    #[command(flatten)]
    pub out: AuditOutput,
    /// Exit 1 when a detection is at or above this severity (critical, high, medium,
    /// low, info); without it the exit code does not depend on detections.
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<String>,
    /// Host name put in Falco alerts.
    #[arg(long, value_name = "NAME")]
    pub hostname: Option<String>,
}

/// `kspect audit policy`.
#[derive(Debug, Args)]
pub struct PolicyArgs {
    /// The audit Policy file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Output options.
    #[command(flatten)]
    pub out: AuditOutput,
    /// Exit 1 when a finding is at or above this severity (high, medium, low).
    #[arg(long, value_name = "SEVERITY", default_value = "low")]
    pub fail_on: String,
}

/// Runs `kspect audit`.
pub fn run(args: AuditArgs) -> anyhow::Result<u8> {
    match args.command {
        AuditCommand::Analyze(a) => analyze(a),
        AuditCommand::Policy(a) => policy_cmd(a),
    }
}

fn analyze(args: AnalyzeArgs) -> anyhow::Result<u8> {
    let engine = if args.rules.is_empty() {
        None
    } else {
        match super::runtime::load_engine(&args.rules) {
            Ok(e) => Some(e),
            Err(msg) => {
                eprintln!("kspect: error: {msg}");
                return Ok(2);
            }
        }
    };
    let host = args
        .hostname
        .clone()
        .unwrap_or_else(super::runtime::hostname);
    let mut analyzer = Analyzer::new();
    let mut alerts = Vec::new();
    let mut malformed = Vec::new();
    let empty = kspect_rules::Ruleset::default();
    let rs = engine
        .as_ref()
        .and_then(|e| e.ruleset("k8s_audit"))
        .unwrap_or(&empty);
    let stats = kspect_audit::reader::read_logs(
        &args.logs,
        |origin, json| {
            analyzer.observe(origin, &json);
            if !rs.rules().is_empty() {
                let ev = kspect_audit::to_rule_event(json);
                for r in rs.matches(&ev, RuleMatching::First) {
                    alerts.push(r.alert(&ev, &host));
                }
            }
        },
        |m| malformed.push(m),
    );
    let report = analyzer.finish();
    let threshold = match &args.fail_on {
        None => None,
        Some(t) => {
            Some(Severity::parse(t).ok_or_else(|| anyhow::anyhow!("unknown severity {t:?}"))?)
        }
    };
    let out_args =
        args.out
            .as_output_args(threshold.map_or(Ok(kspect_core::Severity::Info), |t| {
                core_severity(t.as_str())
            })?);
    match shape(&args.out.format)? {
        Shape::Json => {
            let doc = serde_json::json!({
                "files": stats.files,
                "events": stats.events,
                "requests": report.events,
                "duplicates": report.duplicates,
                "first": report.first,
                "last": report.last,
                "malformed": malformed.iter().map(|m| serde_json::json!({
                    "file": m.origin.file.display().to_string(),
                    "line": m.origin.line,
                    "message": m.message,
                })).collect::<Vec<_>>(),
                "detections": report.detections,
                "falco_alerts": alerts.iter().map(|a| a.to_json()).collect::<Vec<_>>(),
                "principals": report.principals,
                "denied": report.denied,
                "timeline": report.timeline(),
                "uninspectable_pod_writes": report.uninspectable_pod_writes,
            });
            let mut out = context::open_output(&out_args)?;
            writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
            out.flush()?;
        }
        Shape::Summary => {
            let mut out = context::open_output(&out_args)?;
            write_text(&mut out, &stats, &report, &alerts, &malformed)?;
            out.flush()?;
        }
        Shape::Report(format) => {
            let mut findings = kspect_audit::findings::detection_findings(&report);
            let diagnostics: Vec<Diagnostic> = malformed
                .iter()
                .map(|m| Diagnostic {
                    level: DiagnosticLevel::Warning,
                    file: m.origin.file.display().to_string(),
                    document: None,
                    line: u32::try_from(m.origin.line).ok().filter(|l| *l > 0),
                    column: None,
                    message: m.message.clone(),
                })
                .collect();
            render_findings(
                &mut findings,
                &diagnostics,
                format,
                "audit analyze",
                threshold.map(|_| out_args.fail_on),
                stats.files,
                &out_args,
            )?;
        }
    }
    let unreadable = malformed.iter().any(|m| m.origin.line == 0);
    let failed = threshold.is_some_and(|t| report.detections.iter().any(|d| d.severity <= t));
    Ok(super::exit_status(failed, unreadable))
}

fn write_text(
    out: &mut impl Write,
    stats: &kspect_audit::reader::ReadStats,
    report: &Report,
    alerts: &[kspect_rules::Alert],
    malformed: &[kspect_audit::reader::Malformed],
) -> std::io::Result<()> {
    writeln!(
        out,
        "Audit log analysis: {} requests ({} events, {} duplicate stage events) from {} files, {} to {}",
        report.events,
        stats.events,
        report.duplicates,
        stats.files,
        report.first.as_deref().unwrap_or("?"),
        report.last.as_deref().unwrap_or("?")
    )?;
    if !malformed.is_empty() {
        writeln!(out, "\nUnreadable input ({}):", malformed.len())?;
        for m in malformed {
            writeln!(out, "  {m}")?;
        }
    }
    writeln!(out, "\nDetections ({}):", report.detections.len())?;
    for d in &report.detections {
        writeln!(
            out,
            "  [{}] {} {}: {} ({})",
            d.severity.as_str(),
            d.id,
            d.title,
            d.message,
            d.location
        )?;
    }
    if !alerts.is_empty() {
        writeln!(out, "\nFalco rule alerts ({}):", alerts.len())?;
        for a in alerts {
            writeln!(out, "  [{}] {}: {}", a.priority.as_str(), a.rule, a.message)?;
        }
    }
    writeln!(out, "\nWho did what:")?;
    let mut principals: Vec<_> = report.principals.iter().collect();
    principals.sort_by(|a, b| b.1.requests.cmp(&a.1.requests).then(a.0.cmp(b.0)));
    for (user, p) in principals {
        let mut actions: Vec<_> = p.actions.iter().collect();
        actions.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let top: Vec<String> = actions
            .iter()
            .take(6)
            .map(|(k, n)| format!("{k} x{n}"))
            .collect();
        writeln!(
            out,
            "  {user}: {} requests, {} denied; {}{}",
            p.requests,
            p.denied,
            top.join(", "),
            if actions.len() > 6 { ", ..." } else { "" }
        )?;
    }
    writeln!(out, "\nDenied ({}):", report.denied.len())?;
    for d in &report.denied {
        writeln!(
            out,
            "  {} {} {} {} -> {} {}",
            d.time, d.user, d.verb, d.target, d.code, d.message
        )?;
    }
    writeln!(out, "\nTimeline of sensitive actions:")?;
    for d in report.timeline() {
        writeln!(out, "  {} {} {}", d.time, d.id, d.message)?;
    }
    if report.uninspectable_pod_writes > 0 {
        writeln!(
            out,
            "\nNote: {} workload writes were logged without their body (level Metadata); privileged and hostPath checks could not be made for them.",
            report.uninspectable_pod_writes
        )?;
    }
    Ok(())
}

fn severity_rank(s: &str) -> u8 {
    match s {
        "critical" => 0,
        "high" => 1,
        "medium" => 2,
        "low" => 3,
        _ => 4,
    }
}

fn policy_cmd(args: PolicyArgs) -> anyhow::Result<u8> {
    let text = match std::fs::read_to_string(&args.file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("kspect: error: {}: {e}", args.file.display());
            return Ok(2);
        }
    };
    let pol = match Policy::parse(&text) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("kspect: error: {}: {e}", args.file.display());
            return Ok(2);
        }
    };
    let findings = policy::analyze(&pol);
    let t = severity_rank(&args.fail_on.to_ascii_lowercase());
    let failed = findings.iter().any(|f| severity_rank(f.severity) <= t);
    let out_args = args.out.as_output_args(core_severity(&args.fail_on)?);
    match shape(&args.out.format)? {
        Shape::Json => {
            let doc = serde_json::json!({
                "file": args.file.display().to_string(),
                "rules": pol.rules.len(),
                "findings": findings,
            });
            let mut out = context::open_output(&out_args)?;
            writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
            out.flush()?;
        }
        Shape::Summary => {
            let mut out = context::open_output(&out_args)?;
            for f in &findings {
                writeln!(
                    out,
                    "{}:{}: [{}] {} {}",
                    args.file.display(),
                    f.line,
                    f.severity,
                    f.id,
                    f.message
                )?;
            }
            writeln!(
                out,
                "{} findings in {} rules",
                findings.len(),
                pol.rules.len()
            )?;
            out.flush()?;
        }
        Shape::Report(format) => {
            let file = args.file.display().to_string();
            let mut kf = kspect_audit::findings::policy_findings(&file, &findings);
            render_findings(
                &mut kf,
                &[],
                format,
                "audit policy",
                Some(out_args.fail_on),
                1,
                &out_args,
            )?;
        }
    }
    Ok(u8::from(failed))
}
