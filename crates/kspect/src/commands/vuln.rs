//! `kspect vuln`, `kspect vuln compare` and `kspect db`: known-vulnerable dependencies in
//! lockfiles, manifests and SBOMs, matched offline against an advisory database the user
//! imported.
//!
//! The matching lives in `kspect-vuln`; this module reads the command line, opens the
//! database, gathers the inventory, and renders. `table`, `sarif` and `junit` go through
//! the shared reporters, so each vulnerability becomes a [`Finding`] of one of the KSP5xx
//! rules below (one per severity) located at the line that locks the package; `json` and
//! `cyclonedx` are the library's own documents. The exit status follows the library's gate
//! (`--fail-on`, `--max-cvss`), not the reporters' default threshold: without a gate flag
//! a scan reports and exits 0, as CI gates are opted into.
//!
//! Nothing is ever downloaded (DESIGN.md, "offline first"): without a database the scan
//! stops and says how to import one.

use std::cmp::Ordering;
use std::collections::{BTreeSet, HashMap};
use std::fs::File;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context as _, bail};
use clap::{Args, Subcommand};
use kspect_core::config::VulnException;
use kspect_core::finding::{Suppression, sort_findings};
use kspect_core::load::{Diagnostic, DiagnosticLevel};
use kspect_core::{Finding, Reference, Rule, Severity};
use kspect_vuln::inventory::{self, Distro, InventoryError, Package, ParseOptions};
use kspect_vuln::matcher::{Acceptance, PackageNote};
use kspect_vuln::{AdvisoryDb, Ecosystem, MatchOptions, MatchReport, VulnFinding, output};

// ---------------------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------------------

/// `kspect vuln`: scan targets, or `kspect vuln compare`.
///
/// `compare` is recognised as the first word; any other first word is a target. A folder
/// that is really named `compare` is scanned as `./compare` or `dir:compare`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct VulnArgs {
    /// `compare`, when given.
    #[command(subcommand)]
    pub command: Option<VulnCommand>,
    /// The scan, when no subcommand is given.
    #[command(flatten)]
    pub scan: VulnScanArgs,
}

/// Subcommands of `kspect vuln`.
#[derive(Debug, Subcommand)]
pub enum VulnCommand {
    /// Order two versions as the ecosystem does: prints `<`, `=` or `>`.
    Compare(CompareArgs),
}

/// `kspect vuln compare ECOSYSTEM A B`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// OSV ecosystem name: Debian, Ubuntu, Alpine, Wolfi, Red Hat, AlmaLinux, SUSE, npm,
    /// PyPI, crates.io, Go, Maven, RubyGems, Packagist, NuGet, Hex, Pub ... (a release
    /// suffix such as `Debian:12` is accepted; case does not matter).
    #[arg(value_name = "ECOSYSTEM")]
    pub ecosystem: String,
    /// The first version.
    #[arg(value_name = "A", allow_hyphen_values = true)]
    pub a: String,
    /// The second version.
    #[arg(value_name = "B", allow_hyphen_values = true)]
    pub b: String,
}

/// `kspect vuln TARGET...`.
#[derive(Debug, Args)]
pub struct VulnScanArgs {
    /// Lockfiles, manifests, SBOMs or folders (searched recursively); `dir:PATH` and
    /// `sbom:FILE` (CycloneDX or SPDX, whatever its name) are explicit forms.
    #[arg(value_name = "TARGET", required = true)]
    pub targets: Vec<String>,
    /// The advisory database (default: `$XDG_CACHE_HOME/kspect/db.sqlite`).
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,
    /// Output format.
    #[arg(
        long,
        value_name = "FORMAT",
        default_value = "table",
        value_parser = ["table", "json", "sarif", "junit", "cyclonedx"]
    )]
    pub format: String,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit with status 1 when a vulnerability is at or above this severity
    /// (critical, high, medium, low).
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<Severity>,
    /// Exit with status 1 when a vulnerability's CVSS base score is above this (0 to 10).
    #[arg(long, value_name = "SCORE", value_parser = parse_cvss_limit)]
    pub max_cvss: Option<f64>,
    /// Leave out vulnerabilities that no release fixes yet.
    #[arg(long)]
    pub ignore_unfixed: bool,
    /// Configuration file with accepted vulnerabilities (`vulnerabilities:`); default:
    /// `.kspect.yaml` in the current directory or a parent.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The distribution release of OS packages whose input names none (no purl `distro`
    /// qualifier, no operating-system component, no os-release): FAMILY/VERSION, e.g.
    /// `debian/12`, `alpine/3.19`, `ubuntu/22.04`.
    #[arg(long, value_name = "FAMILY/VERSION", value_parser = parse_distro)]
    pub distro: Option<Distro>,
    /// Print only the report and errors: no warnings, no gate explanation.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Never colour the output (also: the NO_COLOR environment variable).
    #[arg(long)]
    pub no_color: bool,
}

/// `kspect db`.
#[derive(Debug, Args)]
pub struct DbArgs {
    /// What to do with the database.
    #[command(subcommand)]
    pub command: DbCommand,
}

/// Subcommands of `kspect db`.
#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Import OSV records (JSON files, folders, OSV's per-ecosystem `all.zip`) and Alpine
    /// secdb YAML. Idempotent: a record is replaced only by a newer `modified` version.
    Import(DbImportArgs),
    /// Counts per ecosystem, the newest record's date, and whether the data is stale.
    Info(DbInfoArgs),
}

/// `kspect db import PATH...`.
#[derive(Debug, Args)]
pub struct DbImportArgs {
    /// Files, folders and `.zip` archives to import.
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
    /// The advisory database (default: `$XDG_CACHE_HOME/kspect/db.sqlite`); created when absent.
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,
    /// Output format: text or json.
    #[arg(long, value_name = "FORMAT", default_value = "text", value_parser = ["text", "json"])]
    pub format: String,
    /// Do not print each malformed record (their count is still reported).
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// `kspect db info`.
#[derive(Debug, Args)]
pub struct DbInfoArgs {
    /// The advisory database (default: `$XDG_CACHE_HOME/kspect/db.sqlite`).
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,
    /// Warn when the newest advisory is older than this many days.
    #[arg(long, value_name = "DAYS", default_value_t = 7)]
    pub max_age: u32,
    /// Output format: text or json.
    #[arg(long, value_name = "FORMAT", default_value = "text", value_parser = ["text", "json"])]
    pub format: String,
}

/// `kspect sbom TARGET...`.
#[derive(Debug, Args)]
pub struct SbomArgs {
    /// Lockfiles, manifests, SBOMs or folders, as for `kspect vuln`.
    #[arg(value_name = "TARGET", required = true)]
    pub targets: Vec<String>,
    /// Output format: CycloneDX 1.6 JSON, SPDX 2.3 JSON, or the plain inventory as JSON.
    #[arg(long, value_name = "FORMAT", default_value = "cyclonedx", value_parser = ["cyclonedx", "spdx", "json"])]
    pub format: String,
    /// Write the SBOM to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Runs `kspect sbom`: the inventory, with no advisory database needed.
pub fn run_sbom(args: SbomArgs) -> anyhow::Result<u8> {
    let (packages, errors, empty) = gather(&args.targets);
    let mut err = std::io::stderr().lock();
    for t in &empty {
        writeln!(
            err,
            "kspect: warning: {t}: no lockfile, manifest or SBOM found"
        )?;
    }
    let doc = match args.format.as_str() {
        "spdx" => output::to_spdx(&packages, &args.targets.join(" "), now()),
        "json" => output::to_inventory_json(&packages),
        _ => output::to_cyclonedx(&packages, &MatchReport::default()),
    };
    let mut out = open_output(args.output.as_deref())?;
    serde_json::to_writer_pretty(&mut out, &doc)?;
    writeln!(out)?;
    out.flush()?;
    for e in &errors {
        writeln!(err, "kspect: error: {e}")?;
    }
    Ok(super::exit_status(false, !errors.is_empty()))
}

fn parse_distro(s: &str) -> Result<Distro, String> {
    let d = Distro::parse(s)
        .ok_or_else(|| format!("{s:?} is not FAMILY/VERSION (e.g. debian/12, alpine/3.19)"))?;
    if inventory::distro::family_base(&d.family).is_none() {
        return Err(format!(
            "unknown distribution {:?} (expected debian, ubuntu, alpine, rocky, almalinux, \
             mariner, azurelinux, fedora, rhel, sles or opensuse)",
            d.family
        ));
    }
    Ok(d)
}

fn parse_cvss_limit(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a number"))?;
    if !(0.0..=10.0).contains(&v) {
        return Err(format!("{s} is outside the CVSS range 0 to 10"));
    }
    Ok(v)
}

// ---------------------------------------------------------------------------------------
// Rules
// ---------------------------------------------------------------------------------------

const OSV: Reference = Reference::docs(
    "OSV schema (affected ranges, aliases, severity)",
    "https://ossf.github.io/osv-schema/",
);
const CVSS: Reference = Reference::docs(
    "CVSS v3.1 specification (qualitative severity rating scale)",
    "https://www.first.org/cvss/v3.1/specification-document",
);
const EXPLOIT: Reference = Reference::mitre("T1190", "https://attack.mitre.org/techniques/T1190/");

/// The lockfile snippet every rule's fix shows: the same edit whatever the severity.
macro_rules! fix_snippet {
    () => {
        "```yaml\n\
         # before: pnpm-lock.yaml locks a release inside the advisory's affected range\n\
         packages:\n  /lodash@4.17.11:\n    resolution: {integrity: sha512-...}\n\
         # after: the dependency raised to the advisory's fixed version, lockfile regenerated\n\
         packages:\n  /lodash@4.17.21:\n    resolution: {integrity: sha512-...}\n\
         ```\n"
    };
}

macro_rules! vuln_rule {
    ($id:literal, $name:literal, $title:literal, $sev:ident, $level:literal, $why:literal) => {
        Rule {
            id: $id,
            name: $name,
            title: $title,
            severity: Severity::$sev,
            category: "vuln",
            kinds: &[],
            doc: concat!(
                "A package locked or declared by the project (in a lockfile, a manifest or an SBOM) \
                 is inside the affected range of an advisory in the local database, and the \
                 advisory rates it ", $level, ". One finding per vulnerability and package: records \
                 that name the same vulnerability (a GHSA, its CVE, a distribution advisory) are \
                 merged, and the finding names the fixed version, the declaring file and line, \
                 and the advisory's references.\n\n",
                "## Why it matters\n\n", $why, " The data is only as fresh as the last \
                 `kspect db import`: rescan when new advisories are imported.\n\n",
                "## What an attacker does\n\n",
                "Published vulnerabilities come with advisories, patches to diff against and \
                 often public exploits. Attackers scan for the versions an advisory names and \
                 use the flaw against the running workload: from a crafted request to a \
                 network-facing service, through input the application parses, or from inside \
                 the container to move further.\n\n",
                "## How to fix\n\n",
                "Upgrade the package to the fixed version the finding names (or later) in the \
                 manifest, then regenerate the lockfile and rebuild the image. When no fix \
                 exists yet, remove or replace the dependency, or limit what reaches the \
                 vulnerable code and record the accepted risk; `--ignore-unfixed` hides \
                 vulnerabilities without a fix from the report.\n\n",
                fix_snippet!()
            ),
            remediation: "Upgrade the package to the advisory's fixed version (or later), \
                          regenerate the lockfile and rebuild.",
            references: &[OSV, CVSS, EXPLOIT],
        }
    };
}

/// Every vulnerability rule, one per severity (the rule ID carries the severity so that
/// `.kspect.yaml` selection and SARIF rule descriptors work per level).
pub static RULES: [Rule; 5] = [
    vuln_rule!(
        "KSP501",
        "vulnerable-dependency-critical",
        "Dependency with a known critical vulnerability",
        Critical,
        "critical (CVSS 9.0 to 10.0, or the database's own critical rating)",
        "Critical vulnerabilities are typically exploitable over the network without \
         credentials or user interaction and give code execution or full data access."
    ),
    vuln_rule!(
        "KSP502",
        "vulnerable-dependency-high",
        "Dependency with a known high-severity vulnerability",
        High,
        "high (CVSS 7.0 to 8.9, or the database's own high rating)",
        "High-severity vulnerabilities lead to compromise of the workload or its data under \
         conditions an attacker can usually arrange; 7.0 is the CVSS limit CI gates \
         commonly enforce."
    ),
    vuln_rule!(
        "KSP503",
        "vulnerable-dependency-medium",
        "Dependency with a known medium-severity vulnerability",
        Medium,
        "medium (CVSS 4.0 to 6.9, or the database's own medium rating)",
        "Medium-severity vulnerabilities need extra conditions (a foothold, user \
         interaction, a specific configuration) but are routinely chained with others."
    ),
    vuln_rule!(
        "KSP504",
        "vulnerable-dependency-low",
        "Dependency with a known low-severity vulnerability",
        Low,
        "low (CVSS 0.1 to 3.9, or the database's own low rating)",
        "Low-severity vulnerabilities have limited impact alone, but they widen what an \
         attacker who is already inside can do."
    ),
    vuln_rule!(
        "KSP505",
        "vulnerable-dependency-unrated",
        "Dependency with a known vulnerability of unknown severity",
        Info,
        "with no severity (no CVSS vector and no rating, or CVSS 0.0)",
        "Advisories without a rating (informational notices such as unmaintained crates, \
         or records whose database gives no score) still describe a flaw or a risk in the \
         package; the lack of a score is not evidence of low impact."
    ),
];

/// The vulnerability rules, for the registry.
pub fn rules() -> Vec<&'static Rule> {
    RULES.iter().collect()
}

fn rule_for(severity: Option<Severity>) -> &'static Rule {
    let i = match severity {
        Some(Severity::Critical) => 0,
        Some(Severity::High) => 1,
        Some(Severity::Medium) => 2,
        Some(Severity::Low) => 3,
        Some(Severity::Info) | None => 4,
    };
    &RULES[i]
}

// ---------------------------------------------------------------------------------------
// Dispatch
// ---------------------------------------------------------------------------------------

/// Runs `kspect vuln`.
pub fn run(args: VulnArgs) -> anyhow::Result<u8> {
    match args.command {
        Some(VulnCommand::Compare(c)) => run_compare(&c),
        None => run_scan(args.scan),
    }
}

/// Runs `kspect db`.
pub fn run_db(args: DbArgs) -> anyhow::Result<u8> {
    match args.command {
        DbCommand::Import(a) => run_import(&a),
        DbCommand::Info(a) => run_info(&a),
    }
}

// ---------------------------------------------------------------------------------------
// vuln compare
// ---------------------------------------------------------------------------------------

/// OSV base names, for a case-insensitive reading of what a person types.
const ECOSYSTEM_NAMES: &[&str] = &[
    "Debian",
    "Ubuntu",
    "Alpine",
    "Wolfi",
    "Chainguard",
    "Red Hat",
    "Rocky Linux",
    "AlmaLinux",
    "SUSE",
    "openSUSE",
    "Mariner",
    "Azure Linux",
    "Fedora",
    "npm",
    "PyPI",
    "crates.io",
    "Go",
    "Maven",
    "RubyGems",
    "Packagist",
    "NuGet",
    "Hex",
    "Pub",
    "Hackage",
    "CRAN",
];

/// The ecosystem as OSV spells it, or its base name in any case (`debian:12`, `pypi`).
fn parse_ecosystem(s: &str) -> anyhow::Result<Ecosystem> {
    if let Ok(e) = s.parse::<Ecosystem>() {
        return Ok(e);
    }
    let (base, suffix) = match s.split_once(':') {
        Some((b, rest)) => (b, Some(rest)),
        None => (s, None),
    };
    let canonical = ECOSYSTEM_NAMES
        .iter()
        .find(|n| n.eq_ignore_ascii_case(base.trim()));
    if let Some(name) = canonical {
        let spelled = match suffix {
            Some(rest) => format!("{name}:{rest}"),
            None => (*name).to_owned(),
        };
        if let Ok(e) = spelled.parse::<Ecosystem>() {
            return Ok(e);
        }
    }
    bail!(
        "unknown ecosystem {s:?} (expected one of: {})",
        ECOSYSTEM_NAMES.join(", ")
    )
}

fn run_compare(args: &CompareArgs) -> anyhow::Result<u8> {
    let eco = parse_ecosystem(&args.ecosystem)?;
    let ord = kspect_vuln::compare(&eco, &args.a, &args.b).with_context(|| {
        format!(
            "cannot compare {:?} with {:?} as {} versions",
            args.a, args.b, eco
        )
    })?;
    let sign = match ord {
        Ordering::Less => "<",
        Ordering::Equal => "=",
        Ordering::Greater => ">",
    };
    let mut out = std::io::stdout().lock();
    writeln!(out, "{sign}")?;
    out.flush()?;
    Ok(0)
}

// ---------------------------------------------------------------------------------------
// db import / db info
// ---------------------------------------------------------------------------------------

fn db_path(flag: Option<&Path>) -> anyhow::Result<PathBuf> {
    match flag {
        Some(p) => Ok(p.to_path_buf()),
        None => Ok(AdvisoryDb::default_path()?),
    }
}

/// Problems printed one by one before the rest are only counted (the JSON format has all).
const MAX_PROBLEMS_SHOWN: usize = 50;

fn run_import(args: &DbImportArgs) -> anyhow::Result<u8> {
    let path = db_path(args.db.as_deref())?;
    let mut db = AdvisoryDb::open(&path)?;
    let started = std::time::Instant::now();
    let report = db.import(&args.paths)?;
    let elapsed = started.elapsed();
    let mut out = std::io::stdout().lock();
    if args.format == "json" {
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
    } else {
        // A malformed record is skipped, never fatal: the rest of the data is still worth
        // having, so each problem is a warning and the exit status stays 0.
        if !args.quiet {
            let mut err = std::io::stderr().lock();
            for p in report.problems.iter().take(MAX_PROBLEMS_SHOWN) {
                writeln!(err, "kspect: warning: {}: {}", p.file, p.message)?;
            }
            if report.problems.len() > MAX_PROBLEMS_SHOWN {
                writeln!(
                    err,
                    "kspect: warning: ... and {} more problems (`--format json` lists them all)",
                    report.problems.len() - MAX_PROBLEMS_SHOWN
                )?;
            }
        }
        writeln!(
            out,
            "Imported into {} in {:.2}s",
            path.display(),
            elapsed.as_secs_f64()
        )?;
        writeln!(out, "  added:     {}", report.added)?;
        writeln!(out, "  updated:   {}", report.updated)?;
        writeln!(out, "  skipped:   {}", report.skipped)?;
        writeln!(out, "  withdrawn: {}", report.withdrawn)?;
        writeln!(out, "  problems:  {}", report.problems.len())?;
    }
    out.flush()?;
    Ok(0)
}

/// The moment staleness is judged at: now, or midnight UTC of `KSPECT_TODAY` (which pins
/// the date for reproducible runs, as it does for exception expiry).
fn now() -> jiff::Timestamp {
    std::env::var("KSPECT_TODAY")
        .ok()
        .and_then(|s| s.parse::<jiff::civil::Date>().ok())
        .and_then(|d| {
            jiff::tz::TimeZone::UTC
                .to_timestamp(d.to_datetime(jiff::civil::Time::midnight()))
                .ok()
        })
        .unwrap_or_else(jiff::Timestamp::now)
}

/// Opens an existing database, or says how to make one: kspect never downloads data.
fn open_existing(path: &Path) -> anyhow::Result<AdvisoryDb> {
    if !path.is_file() {
        bail!(
            "no advisory database at {}: import advisories first with `kspect db import PATH... \
             [--db FILE]` (OSV JSON files or folders, OSV's per-ecosystem all.zip, Alpine secdb \
             YAML); kspect never downloads data",
            path.display()
        );
    }
    Ok(AdvisoryDb::open_existing(path)?)
}

fn run_info(args: &DbInfoArgs) -> anyhow::Result<u8> {
    let path = db_path(args.db.as_deref())?;
    let db = open_existing(&path)?;
    let max_age = jiff::SignedDuration::from_hours(24 * i64::from(args.max_age));
    let info = db.info(now(), max_age)?;
    let mut out = std::io::stdout().lock();
    if args.format == "json" {
        serde_json::to_writer_pretty(&mut out, &info)?;
        writeln!(out)?;
    } else {
        writeln!(out, "Database:      {}", info.path)?;
        writeln!(
            out,
            "Records:       {} ({} withdrawn)",
            info.records, info.withdrawn
        )?;
        writeln!(
            out,
            "Newest record: {}",
            info.newest_modified.as_deref().unwrap_or("unknown")
        )?;
        writeln!(
            out,
            "Last import:   {}",
            info.last_import.as_deref().unwrap_or("unknown")
        )?;
        writeln!(out, "Active records per ecosystem:")?;
        let width = info
            .per_ecosystem
            .keys()
            .map(|k| k.chars().count())
            .max()
            .unwrap_or(0);
        for (eco, n) in &info.per_ecosystem {
            writeln!(out, "  {eco:<width$}  {n}")?;
        }
    }
    out.flush()?;
    if let Some(w) = &info.stale_warning {
        writeln!(std::io::stderr().lock(), "kspect: warning: {w}")?;
    }
    Ok(0)
}

// ---------------------------------------------------------------------------------------
// vuln TARGET...
// ---------------------------------------------------------------------------------------

/// The inventory of every target, and what could not be read.
fn gather(targets: &[String]) -> (Vec<Package>, Vec<InventoryError>, Vec<String>) {
    let options = ParseOptions::default();
    let mut packages = Vec::new();
    let mut errors = Vec::new();
    let mut empty = Vec::new();
    for t in targets {
        let path = t
            .strip_prefix("dir:")
            .or_else(|| t.strip_prefix("sbom:"))
            .unwrap_or(t);
        // Said plainly here: the library would call a missing `foo.lock` "not a known
        // lockfile", which sends the user looking in the wrong place.
        if !Path::new(path).exists() {
            errors.push(InventoryError {
                file: PathBuf::from(path),
                line: None,
                message: "no such file or folder".into(),
            });
            continue;
        }
        let (p, e) = inventory::scan_target(t, &options);
        if p.is_empty() && e.is_empty() {
            empty.push(t.clone());
        }
        packages.extend(p);
        errors.extend(e);
    }
    (packages, errors, empty)
}

fn diagnostic(e: &InventoryError) -> Diagnostic {
    Diagnostic {
        level: DiagnosticLevel::Error,
        file: e.file.display().to_string(),
        document: None,
        line: e.line,
        column: None,
        message: e.message.clone(),
    }
}

fn open_output(path: Option<&Path>) -> anyhow::Result<Box<dyn Write>> {
    Ok(match path {
        Some(p) => Box::new(BufWriter::new(
            File::create(p).with_context(|| format!("cannot create {}", p.display()))?,
        )),
        None => Box::new(BufWriter::new(std::io::stdout().lock())),
    })
}

fn use_color(args: &VulnScanArgs) -> bool {
    !args.no_color
        && args.output.is_none()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::io::stdout().is_terminal()
}

fn run_scan(args: VulnScanArgs) -> anyhow::Result<u8> {
    // The database first: without it nothing can be said, and the user should learn that
    // before waiting for a large tree to be read.
    let path = db_path(args.db.as_deref())?;
    let db = open_existing(&path)?;

    let (packages, errors, empty) = gather(&args.targets);
    let mut err = std::io::stderr().lock();
    if !args.quiet {
        for t in &empty {
            writeln!(
                err,
                "kspect: warning: {t}: no lockfile, manifest or SBOM found"
            )?;
        }
    }
    let mut packages = packages;
    if let Some(d) = &args.distro {
        inventory::distro::apply_distro(&mut packages, d);
    }
    let options = MatchOptions {
        ignore_unfixed: args.ignore_unfixed,
        max_cvss: args.max_cvss,
        fail_on: args.fail_on,
        exceptions: vuln_exceptions(args.config.as_deref(), args.quiet)?,
        today: Some(crate::context::today()),
    };
    // Matching, exceptions, --ignore-unfixed and the gate are the library's; this
    // function only renders and explains.
    let report = kspect_vuln::match_packages(&db, &packages, &options)?;
    // The table shows these itself (warnings, KSP002/KSP003 results); with the other
    // formats the document may go to a file, and the person running the command still
    // deserves to see them.
    if !args.quiet && args.format != "table" {
        warn_about_matching(&mut err, &report)?;
    }

    let mut out = open_output(args.output.as_deref())?;
    match args.format.as_str() {
        "json" => {
            serde_json::to_writer_pretty(&mut out, &output::to_json(&report))?;
            writeln!(out)?;
        }
        "cyclonedx" => {
            serde_json::to_writer_pretty(&mut out, &output::to_cyclonedx(&packages, &report))?;
            writeln!(out)?;
        }
        other => {
            let format: kspect_report::Format = other.parse()?;
            render_findings(format, &args, &report, &packages, &errors, &mut out)?;
        }
    }
    out.flush()?;

    // The table lists input problems itself; the other documents have no place for them,
    // and a person running the command still deserves to see them.
    if args.format != "table" {
        for e in &errors {
            writeln!(err, "kspect: error: {e}")?;
        }
    }
    if !args.quiet {
        if report.unversioned > 0 {
            writeln!(
                err,
                "kspect: warning: {} packages declare no version and were not matched",
                report.unversioned
            )?;
        }
        for r in &report.gate.reasons {
            writeln!(err, "kspect: gate: {r}")?;
        }
    }
    Ok(super::exit_status(report.gate.failed, !errors.is_empty()))
}

/// What the matcher could not do exactly, and what the exceptions did, on stderr: every
/// package whose version its ecosystem rejects (file:line, name, version, why), one line
/// per file and ecosystem for distribution packages without a release, advisories that
/// could not be evaluated, and expired and unused exceptions.
fn warn_about_matching(err: &mut dyn Write, report: &MatchReport) -> anyhow::Result<()> {
    for n in &report.invalid_versions {
        writeln!(
            err,
            "kspect: warning: {}: {} {} ({}) not matched by range: {}",
            n.source
                .as_ref()
                .map_or_else(|| "(no file)".to_owned(), |l| l.to_string()),
            n.package,
            n.version,
            n.ecosystem,
            n.reason
        )?;
    }
    for (where_, eco, count) in unknown_release_groups(&report.unknown_release) {
        writeln!(
            err,
            "kspect: warning: {where_}: {count} {eco} package(s) name no release: matched against \
             the advisories of every {eco} release, so some findings may not apply (give the \
             release with --distro FAMILY/VERSION)"
        )?;
    }
    for p in &report.advisory_problems {
        writeln!(
            err,
            "kspect: warning: advisory {} cannot be evaluated for {} ({}): {}",
            p.advisory, p.package, p.ecosystem, p.message
        )?;
    }
    for (x, hits) in &report.exceptions.expired {
        for f in report
            .findings
            .iter()
            .filter(|f| matches!(&f.acceptance, Some(Acceptance::Expired(e)) if e == x))
        {
            writeln!(
                err,
                "kspect: warning: {}: the exception for {} ({}) expired on {}: {} in {} {} is reported again",
                output::exception_location(x),
                x.id,
                x.reason,
                x.expires.map(|d| d.to_string()).unwrap_or_default(),
                f.id,
                f.package,
                f.version
            )?;
        }
        if *hits == 0 {
            writeln!(
                err,
                "kspect: warning: {}: the exception for {} ({}) expired on {}",
                output::exception_location(x),
                x.id,
                x.reason,
                x.expires.map(|d| d.to_string()).unwrap_or_default(),
            )?;
        }
    }
    for x in &report.exceptions.unused {
        writeln!(
            err,
            "kspect: warning: {}: {}",
            output::exception_location(x),
            unused_message(x)
        )?;
    }
    Ok(())
}

/// Unknown-release packages counted per declaring file and ecosystem.
fn unknown_release_groups(notes: &[PackageNote]) -> Vec<(String, String, usize)> {
    let mut groups: std::collections::BTreeMap<(String, String), usize> = Default::default();
    for n in notes {
        let file = n
            .source
            .as_ref()
            .map_or_else(|| "(no file)".to_owned(), |l| l.file.display().to_string());
        *groups.entry((file, n.ecosystem.clone())).or_default() += 1;
    }
    groups.into_iter().map(|((f, e), n)| (f, e, n)).collect()
}

fn unused_message(x: &VulnException) -> String {
    format!(
        "the exception for {}{} ({}) matches no finding: remove it, or it will silently \
         accept this vulnerability if it ever appears",
        x.id,
        x.package
            .as_deref()
            .map(|p| format!(" in {p}"))
            .unwrap_or_default(),
        x.reason
    )
}

/// The findings through the shared reporters (table, SARIF, JUnit).
fn render_findings(
    format: kspect_report::Format,
    args: &VulnScanArgs,
    report: &MatchReport,
    packages: &[Package],
    errors: &[InventoryError],
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let mut lines = LineCache::default();
    let mut findings: Vec<Finding> = report
        .findings
        .iter()
        .map(|v| {
            let mut f = to_finding(v, &mut lines);
            if let Some(Acceptance::Accepted(x)) = &v.acceptance {
                f.suppressed = Some(suppression(x));
            }
            f
        })
        .collect();
    findings.extend(exception_findings(report));
    sort_findings(&mut findings);
    let mut diagnostics: Vec<Diagnostic> = errors.iter().map(diagnostic).collect();
    diagnostics.extend(matching_diagnostics(report));
    let files: BTreeSet<&Path> = packages
        .iter()
        .filter_map(|p| p.location.as_ref().map(|l| l.file.as_path()))
        .collect();
    let registry = crate::registry::all_rules();
    let kreport = kspect_report::Report {
        tool_version: env!("CARGO_PKG_VERSION"),
        command: "vuln",
        findings: &findings,
        diagnostics: &diagnostics,
        registry: &registry,
        objects_scanned: packages.len(),
        files_scanned: files.len(),
        // Only `--fail-on` is a severity threshold the reporters can show; `--max-cvss`
        // is explained on stderr.
        fail_on: args.fail_on,
    };
    let options = kspect_report::RenderOptions {
        color: use_color(args),
        base_dir: std::env::current_dir().ok(),
    };
    kspect_report::render(format, &kreport, &options, out)?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Accepted vulnerabilities (`vulnerabilities:` in .kspect.yaml)
// ---------------------------------------------------------------------------------------

/// The accepted vulnerabilities of `--config FILE`, or of `.kspect.yaml` found from the
/// current directory upwards; none without a file. A configuration error stops the scan:
/// a half-read list of accepted risks would silently change the verdict.
fn vuln_exceptions(flag: Option<&Path>, quiet: bool) -> anyhow::Result<Vec<VulnException>> {
    let path = match flag {
        Some(p) => Some(p.to_path_buf()),
        None => std::env::current_dir()
            .ok()
            .and_then(|d| kspect_core::config::discover(&d)),
    };
    let Some(path) = path else {
        return Ok(Vec::new());
    };
    match kspect_core::config::load_config(&path) {
        Ok((config, warnings)) => {
            if !quiet {
                crate::context::print_diagnostics(&warnings);
            }
            Ok(config.vuln_exceptions)
        }
        Err(errors) => {
            crate::context::print_diagnostics(&errors);
            bail!("invalid configuration in {}", path.display())
        }
    }
}

fn suppression(e: &VulnException) -> Suppression {
    Suppression {
        kind: "config",
        reason: e.reason.clone(),
        location: e.location.clone(),
    }
}

/// Unused exceptions as KSP002 and expired ones as KSP003, located at the exception in
/// the configuration file, as `kspect scan` reports its own exceptions.
fn exception_findings(report: &MatchReport) -> Vec<Finding> {
    use kspect_core::suppress::{EXPIRED_EXCEPTION, UNUSED_SUPPRESSION};
    let mut out = Vec::new();
    for x in &report.exceptions.unused {
        out.push(Finding::general(
            &UNUSED_SUPPRESSION,
            x.location.clone(),
            unused_message(x),
        ));
    }
    for (x, hits) in &report.exceptions.expired {
        out.push(Finding::general(
            &EXPIRED_EXCEPTION,
            x.location.clone(),
            format!(
                "the exception for {} expired on {} ({}); it no longer accepts {hits} finding(s)",
                x.id,
                x.expires.map(|d| d.to_string()).unwrap_or_default(),
                x.reason
            ),
        ));
    }
    out
}

/// Packages that could not be matched exactly, as warnings in the report.
fn matching_diagnostics(report: &MatchReport) -> Vec<Diagnostic> {
    let warn = |file: String, line: Option<u32>, message: String| Diagnostic {
        level: DiagnosticLevel::Warning,
        file,
        document: None,
        line,
        column: None,
        message,
    };
    let mut out: Vec<Diagnostic> = report
        .invalid_versions
        .iter()
        .map(|n| {
            warn(
                n.source
                    .as_ref()
                    .map_or_else(String::new, |l| l.file.display().to_string()),
                n.source.as_ref().and_then(|l| l.line),
                format!(
                    "{} {} ({}) not matched by range: {}",
                    n.package, n.version, n.ecosystem, n.reason
                ),
            )
        })
        .collect();
    for (file, eco, count) in unknown_release_groups(&report.unknown_release) {
        out.push(warn(
            file,
            None,
            format!(
                "{count} {eco} package(s) name no release: matched against the advisories of \
                 every {eco} release, so some findings may not apply (give the release with \
                 --distro FAMILY/VERSION)"
            ),
        ));
    }
    out
}

/// Lines of the files findings point at, read once each, to place the caret on the
/// package name.
#[derive(Default)]
struct LineCache {
    files: HashMap<PathBuf, Option<Vec<String>>>,
}

impl LineCache {
    fn line(&mut self, file: &Path, line: u32) -> Option<&str> {
        let lines = self.files.entry(file.to_path_buf()).or_insert_with(|| {
            std::fs::read(file).ok().map(|b| {
                String::from_utf8_lossy(&b)
                    .lines()
                    .map(str::to_owned)
                    .collect()
            })
        });
        let i = usize::try_from(line.checked_sub(1)?).ok()?;
        lines.as_ref()?.get(i).map(String::as_str)
    }
}

/// The 1-based character column of the package's name on `line`, else of the line's
/// first non-blank character.
fn name_column(line: &str, name: &str) -> u32 {
    // Maven names are `group:artifact` and Go module paths are long; the lockfile line
    // often spells only the last part.
    let short = name.rsplit([':', '/']).next().unwrap_or(name);
    let at = [name, short]
        .iter()
        .filter(|n| !n.is_empty())
        .find_map(|n| line.find(n))
        .or_else(|| line.find(|c: char| !c.is_whitespace()));
    let chars = at.map_or(0, |b| line[..b].chars().count());
    u32::try_from(chars).unwrap_or(0).saturating_add(1)
}

fn to_finding(v: &VulnFinding, lines: &mut LineCache) -> Finding {
    let rule = rule_for(v.severity);
    let location = v.source.as_ref().map(|src| {
        let line = src.line.unwrap_or(1).max(1);
        let column = src
            .line
            .and_then(|l| lines.line(&src.file, l))
            .map_or(1, |text| name_column(text, &v.package));
        kspect_core::Location {
            file: Arc::from(src.file.display().to_string()),
            document: 1,
            line,
            column,
            pointer: String::new(),
        }
    });
    // The message names the vulnerability and what to do; it is part of the SARIF
    // fingerprint, so facts that change as advisories are revised (aliases, references,
    // scores) go in the evidence instead.
    let mut message = format!(
        "{} {} ({}) is affected by {}",
        v.package, v.version, v.ecosystem, v.id
    );
    if let Some(s) = v
        .summary
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        message.push_str(&format!(": {s}"));
    }
    match &v.fixed {
        Some(f) => message.push_str(&format!("\nfixed in {f}")),
        None => message.push_str("\nno fixed version is known"),
    }
    let mut evidence = match (&v.severity, v.cvss) {
        (Some(sev), Some(score)) => format!("severity {sev}, CVSS {score:.1}"),
        (Some(sev), None) => format!("severity {sev} (the database's rating; no CVSS vector)"),
        (None, Some(score)) => format!("CVSS {score:.1}"),
        (None, None) => "no severity given by the advisory".to_owned(),
    };
    if v.release_unknown {
        evidence.push_str(&format!(
            "\nthe package names no distribution release: matched against the advisories of \
             release(s) {}; it may not apply to the release installed (--distro FAMILY/VERSION)",
            v.releases.join(", ")
        ));
    }
    if !v.aliases.is_empty() {
        evidence.push_str(&format!("\nalso known as {}", v.aliases.join(", ")));
    }
    if !v.references.is_empty() {
        const SHOWN: usize = 3;
        evidence.push_str("\nreferences:");
        for r in v.references.iter().take(SHOWN) {
            evidence.push_str(&format!("\n  {r}"));
        }
        if v.references.len() > SHOWN {
            evidence.push_str(&format!(
                "\n  ... {} more (`--format json` lists them all)",
                v.references.len() - SHOWN
            ));
        }
    }
    let remediation = match &v.fixed {
        Some(f) => format!(
            "Upgrade {} to {f} or later, regenerate the lockfile and rebuild.",
            v.package
        ),
        None => format!(
            "No release fixes {} yet: remove or replace {}, or limit what reaches the \
             vulnerable code and record the accepted risk.",
            v.id, v.package
        ),
    };
    Finding::general(rule, location, message)
        .with_evidence(evidence)
        .with_remediation(remediation)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kspect_core::rule::{REQUIRED_DOC_SECTIONS, RefKind};

    #[test]
    fn every_rule_is_documented_with_a_lockfile_snippet() {
        for rule in rules() {
            let mut last = 0;
            for section in REQUIRED_DOC_SECTIONS {
                let at = rule
                    .doc
                    .find(section)
                    .unwrap_or_else(|| panic!("{}: missing {section:?}", rule.id));
                assert!(at >= last, "{}: {section:?} out of order", rule.id);
                last = at;
            }
            let fix = &rule.doc[last..];
            let snippet = fix
                .split("```yaml")
                .nth(1)
                .and_then(|s| s.split("```").next())
                .unwrap_or_else(|| panic!("{}: no yaml snippet under How to fix", rule.id));
            assert!(snippet.contains("# before") && snippet.contains("# after"));
            assert_eq!(rule.category, "vuln");
            assert!(rule.id.starts_with("KSP5"));
            assert!(rule.references.iter().any(|r| r.kind == RefKind::Mitre));
        }
    }

    #[test]
    fn severities_map_to_their_rules() {
        assert_eq!(rule_for(Some(Severity::Critical)).id, "KSP501");
        assert_eq!(rule_for(Some(Severity::High)).severity, Severity::High);
        assert_eq!(rule_for(Some(Severity::Low)).id, "KSP504");
        assert_eq!(rule_for(None).id, "KSP505");
        assert_eq!(rule_for(Some(Severity::Info)).id, "KSP505");
    }

    #[test]
    fn ecosystems_are_read_in_any_case() {
        assert_eq!(parse_ecosystem("Debian").unwrap().base_name(), "Debian");
        assert_eq!(parse_ecosystem("debian:12").unwrap().suffix(), Some("12"));
        assert_eq!(parse_ecosystem("PYPI").unwrap().base_name(), "PyPI");
        assert_eq!(parse_ecosystem("red hat").unwrap().base_name(), "Red Hat");
        assert!(parse_ecosystem("Slackware").is_err());
    }

    #[test]
    fn cvss_limits_are_checked() {
        assert_eq!(parse_cvss_limit("7.0"), Ok(7.0));
        assert!(parse_cvss_limit("11").is_err());
        assert!(parse_cvss_limit("-1").is_err());
        assert!(parse_cvss_limit("high").is_err());
    }

    #[test]
    fn the_caret_goes_to_the_package_name() {
        assert_eq!(name_column("lodash@4.17.11, lodash@^4.0.1:", "lodash"), 1);
        assert_eq!(name_column("  \"node_modules/lodash\": {", "lodash"), 17);
        assert_eq!(
            name_column("    <artifactId>junit</artifactId>", "junit:junit"),
            17
        );
        assert_eq!(name_column("   [[package]]", "typemap"), 4);
        assert_eq!(name_column("", "x"), 1);
    }
}
