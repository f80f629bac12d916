//! `kspect runtime`: Falco-compatible rules over syscall and Kubernetes audit events.
//!
//! `validate` loads rule files in order and prints the loader's diagnostics, like
//! `falco -V`; `replay` evaluates the rules over event files and prints one alert per
//! line in Falco's text or JSON shape.

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
use kspect_rules::{Alert, Engine, Event, LoadResult, Priority, RuleMatching};

/// `kspect runtime`.
#[derive(Debug, Args)]
pub struct RuntimeArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: RuntimeCommand,
}

/// `kspect runtime` subcommands.
#[derive(Debug, Subcommand)]
pub enum RuntimeCommand {
    /// Load rule files in order (as `falco -V` does) and print the loader's errors and
    /// warnings with file and line, then check their `required_plugin_versions` against
    /// the plugins kspect's sources stand in for. Exit 0 when every file loads and its
    /// requirements are met, 1 otherwise.
    Validate(ValidateArgs),
    /// Evaluate rules over event files (syscall JSON lines or Kubernetes audit logs)
    /// and print one alert per line.
    Replay(ReplayArgs),
}

/// `kspect runtime validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Rule files, loaded in this order.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
    /// Do not print warnings.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// Event source of a replay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Source {
    /// Syscall events (kspect's JSON-lines schema, see docs/runtime-events.md).
    Syscall,
    /// Kubernetes audit events.
    #[value(name = "k8s_audit")]
    K8sAudit,
}

/// Alert output shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AlertFormat {
    /// Falco's text line: `<time>: <Priority> <output>`.
    Text,
    /// Falco's JSON object, one per line.
    Json,
}

/// `kspect runtime replay`.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// Rule file; repeat to load several, in order (as Falco's `-r`).
    #[arg(long = "rules", short = 'r', value_name = "FILE", required = true, num_args = 1..)]
    pub rules: Vec<PathBuf>,
    /// Event files (`.gz` is decompressed); read in order, streaming.
    #[arg(long = "events", short = 'e', value_name = "FILE", required = true, num_args = 1..)]
    pub events: Vec<PathBuf>,
    /// Event source; detected from the first event file when not given.
    #[arg(long, value_enum)]
    pub source: Option<Source>,
    /// Output shape.
    #[arg(
        long = "output-format",
        short = 'o',
        value_enum,
        default_value = "text"
    )]
    pub format: AlertFormat,
    /// Only rules at this priority or more severe (emergency ... debug).
    #[arg(long, value_name = "PRIORITY")]
    pub min_priority: Option<String>,
    /// Only these rules (exact names), enabling them even when the file disables them.
    #[arg(long = "rule", value_name = "NAME")]
    pub only_rules: Vec<String>,
    /// Enable a rule the file disables (exact name).
    #[arg(long = "enable-rule", value_name = "NAME")]
    pub enable_rules: Vec<String>,
    /// Disable rules whose name contains this text (as Falco's `-D`).
    #[arg(long = "disable-rule", value_name = "TEXT")]
    pub disable_rules: Vec<String>,
    /// Only rules with one of these tags (as Falco's `-t`).
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// Disable rules with this tag (as Falco's `-T`).
    #[arg(long = "disable-tag", value_name = "TAG")]
    pub disable_tags: Vec<String>,
    /// Report every matching rule, not only the first (`rule_matching: all`).
    #[arg(long)]
    pub all_matches: bool,
    /// Host name put in alerts (default: this machine's).
    #[arg(long, value_name = "NAME")]
    pub hostname: Option<String>,
    /// Print event, alert and per-rule counts to stderr at the end.
    #[arg(long)]
    pub stats: bool,
}

/// Runs `kspect runtime`.
pub fn run(args: RuntimeArgs) -> anyhow::Result<u8> {
    match args.command {
        RuntimeCommand::Validate(a) => validate(a),
        RuntimeCommand::Replay(a) => replay(a),
    }
}

fn print_diagnostics(
    out: &mut impl Write,
    res: &LoadResult,
    warnings: bool,
) -> std::io::Result<()> {
    for e in &res.errors {
        writeln!(out, "  error: {e}")?;
    }
    if warnings {
        for w in &res.warnings {
            writeln!(out, "  warning: {w}")?;
        }
    }
    Ok(())
}

fn validate(args: ValidateArgs) -> anyhow::Result<u8> {
    let mut engine = Engine::new();
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut failed = false;
    for f in &args.files {
        let res = engine.load_file(f);
        let verdict = if !res.successful() {
            "Invalid"
        } else if res.warnings.is_empty() || args.quiet {
            "Ok"
        } else {
            "Ok, with warnings"
        };
        writeln!(out, "{}: {verdict}", f.display())?;
        print_diagnostics(&mut out, &res, !args.quiet)?;
        if !res.successful() {
            failed = true;
            // Falco stops at the first file that does not load.
            break;
        }
    }
    // Then, as Falco does once the files are loaded, the plugins they require; kspect's
    // built-in sources stand in for the plugins (kspect_rules::plugins).
    if !failed {
        if let Err(d) = engine.check_plugin_requirements(kspect_rules::plugins::BUILTIN_PLUGINS) {
            writeln!(out, "plugin requirements: Invalid")?;
            writeln!(out, "  error: {d}")?;
            failed = true;
        }
    }
    out.flush()?;
    Ok(u8::from(failed))
}

/// Loads rule files in order into a fresh engine; the first failure is returned with
/// its diagnostics as text.
pub fn load_engine(files: &[PathBuf]) -> Result<Engine, String> {
    let mut engine = Engine::new();
    for f in files {
        let res = engine.load_file(f);
        if !res.successful() {
            let mut msg = format!("{}: rules do not load", f.display());
            for e in &res.errors {
                msg.push_str(&format!("\n  error: {e}"));
            }
            return Err(msg);
        }
    }
    if let Err(d) = engine.check_plugin_requirements(kspect_rules::plugins::BUILTIN_PLUGINS) {
        return Err(format!("{d}"));
    }
    Ok(engine)
}

fn select_rules(engine: &mut Engine, args: &ReplayArgs) -> anyhow::Result<()> {
    if let Some(p) = &args.min_priority {
        let p = Priority::parse(p).ok_or_else(|| anyhow::anyhow!("unknown priority {p:?}"))?;
        engine.set_min_priority(p);
    }
    for name in &args.enable_rules {
        if !engine.compiled_rules().iter().any(|r| &r.name == name) {
            anyhow::bail!("no rule named {name:?}");
        }
        engine.set_enabled_where(true, |r| &r.name == name);
    }
    if !args.only_rules.is_empty() {
        for name in &args.only_rules {
            if !engine.compiled_rules().iter().any(|r| &r.name == name) {
                anyhow::bail!("no rule named {name:?}");
            }
        }
        let only = args.only_rules.clone();
        engine.set_enabled_where(false, |r| !only.contains(&r.name));
        engine.set_enabled_where(true, |r| only.contains(&r.name));
    }
    if !args.tags.is_empty() {
        let tags = args.tags.clone();
        engine.set_enabled_where(false, |r| !r.tags.iter().any(|t| tags.contains(t)));
    }
    if !args.disable_tags.is_empty() {
        let tags = args.disable_tags.clone();
        engine.set_enabled_where(false, |r| r.tags.iter().any(|t| tags.contains(t)));
    }
    for text in &args.disable_rules {
        engine.set_enabled_where(false, |r| r.name.contains(text.as_str()));
    }
    Ok(())
}

/// This machine's host name, as Falco puts it in alerts.
pub fn hostname() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| {
            std::fs::read_to_string("/etc/hostname")
                .ok()
                .map(|s| s.trim().to_string())
                .filter(|h| !h.is_empty())
        })
        .unwrap_or_else(|| "kspect".to_string())
}

struct Sink<W: Write> {
    out: W,
    format: AlertFormat,
    alerts: u64,
    per_rule: std::collections::BTreeMap<String, u64>,
}

impl<W: Write> Sink<W> {
    fn emit(&mut self, a: &Alert) -> std::io::Result<()> {
        self.alerts += 1;
        *self.per_rule.entry(a.rule.clone()).or_default() += 1;
        match self.format {
            AlertFormat::Json => writeln!(self.out, "{}", a.to_json()),
            AlertFormat::Text => writeln!(self.out, "{}", a.to_text()),
        }
    }
}

fn replay(args: ReplayArgs) -> anyhow::Result<u8> {
    let mut engine = match load_engine(&args.rules) {
        Ok(e) => e,
        Err(msg) => {
            eprintln!("kspect: error: {msg}");
            return Ok(2);
        }
    };
    select_rules(&mut engine, &args)?;
    let source = match args.source {
        Some(s) => s,
        None => match kspect_runtime::replay::detect_source(&args.events[0]) {
            Ok("k8s_audit") => Source::K8sAudit,
            Ok(_) => Source::Syscall,
            Err(e) => {
                eprintln!("kspect: error: {e}");
                return Ok(2);
            }
        },
    };
    let mode = if args.all_matches {
        RuleMatching::All
    } else {
        RuleMatching::First
    };
    let host = args.hostname.clone().unwrap_or_else(hostname);
    let stdout = std::io::stdout();
    let mut sink = Sink {
        out: BufWriter::with_capacity(1 << 16, stdout.lock()),
        format: args.format,
        alerts: 0,
        per_rule: Default::default(),
    };
    let mut events = 0u64;
    let mut bad_lines = 0u64;
    let mut io_error = false;
    let mut write_err: Option<std::io::Error> = None;
    let source_name = match source {
        Source::Syscall => "syscall",
        Source::K8sAudit => "k8s_audit",
    };
    let empty = kspect_rules::Ruleset::default();
    let rs = engine.ruleset(source_name).unwrap_or(&empty);
    let mut on_match = |ev: &dyn EventRef, sink: &mut Sink<_>| {
        if write_err.is_some() {
            return;
        }
        for r in ev.matches(rs, mode) {
            let alert = ev.alert(r, &host);
            if let Err(e) = sink.emit(&alert) {
                write_err = Some(e);
                return;
            }
        }
    };
    match source {
        Source::Syscall => {
            let mut state = kspect_runtime::State::new();
            kspect_runtime::replay::replay_files(
                &args.events,
                &mut state,
                |ev| {
                    events += 1;
                    on_match(ev, &mut sink);
                },
                |e| {
                    if matches!(e, kspect_runtime::replay::ReplayError::Io { .. }) {
                        io_error = true;
                    } else {
                        bad_lines += 1;
                    }
                    eprintln!("kspect: {e}");
                },
            );
        }
        Source::K8sAudit => {
            kspect_audit::reader::read_logs(
                &args.events,
                |_, json| {
                    events += 1;
                    let ev = kspect_audit::to_rule_event(json);
                    on_match(&ev, &mut sink);
                },
                |m| {
                    if m.origin.line == 0 {
                        io_error = true;
                    } else {
                        bad_lines += 1;
                    }
                    eprintln!("kspect: {m}");
                },
            );
        }
    }
    if let Some(e) = write_err {
        return Err(e.into());
    }
    sink.out.flush()?;
    if args.stats {
        eprintln!(
            "{events} events, {} alerts, {bad_lines} unreadable lines (source {source_name})",
            sink.alerts
        );
        for (rule, n) in &sink.per_rule {
            eprintln!("  {rule}: {n}");
        }
    }
    Ok(if io_error { 2 } else { 0 })
}

/// The two event kinds, behind one interface for the matching loop.
trait EventRef {
    fn matches<'r>(
        &self,
        rs: &'r kspect_rules::Ruleset,
        mode: RuleMatching,
    ) -> Vec<&'r kspect_rules::CompiledRule>;
    fn alert(&self, r: &kspect_rules::CompiledRule, host: &str) -> Alert;
}

impl<E: Event> EventRef for E {
    fn matches<'r>(
        &self,
        rs: &'r kspect_rules::Ruleset,
        mode: RuleMatching,
    ) -> Vec<&'r kspect_rules::CompiledRule> {
        rs.matches(self, mode)
    }

    fn alert(&self, r: &kspect_rules::CompiledRule, host: &str) -> Alert {
        r.alert(self, host)
    }
}
