//! What every command needs: configuration, input, an output stream, colour, the date.

use std::fs::File;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{Context as _, bail};
use kspect_core::config::{self, Config};
use kspect_core::load::{self, Diagnostic, DiagnosticLevel, LoadOptions};
use kspect_core::{Inventory, Registry};

use crate::cli::OutputArgs;

/// Reads the configuration named by `--config`, or `.kspect.yaml` found from the
/// current directory upwards, or none. Configuration errors stop the command: a
/// half-read config would silently change what is reported.
pub fn load_config(args: &OutputArgs, registry: &Registry) -> anyhow::Result<Config> {
    let path = match &args.config {
        Some(p) => Some(p.clone()),
        None => std::env::current_dir()
            .ok()
            .and_then(|d| config::discover(&d)),
    };
    let Some(path) = path else {
        return Ok(Config::default());
    };
    match config::load_config(&path) {
        Ok((config, mut warnings)) => {
            warnings.extend(config.validate(registry));
            if !args.quiet {
                print_diagnostics(&warnings);
            }
            Ok(config)
        }
        Err(errors) => {
            print_diagnostics(&errors);
            bail!("invalid configuration in {}", path.display())
        }
    }
}

/// Loads every path into an inventory.
pub fn load_inventory(paths: &[PathBuf], args: &OutputArgs) -> Inventory {
    load_inventory_skimming(paths, args, &[])
}

/// Like [`load_inventory`], keeping only the identity and metadata of objects of the
/// `metadata_only` kinds (see [`LoadOptions::metadata_only_kinds`]).
pub fn load_inventory_skimming(
    paths: &[PathBuf],
    args: &OutputArgs,
    metadata_only: &[&str],
) -> Inventory {
    let options = LoadOptions {
        max_file_size: args.max_file_size,
        metadata_only_kinds: metadata_only.iter().map(|k| k.to_string()).collect(),
    };
    Inventory::new(load::load_paths(paths, &options))
}

/// Prints diagnostics to stderr, one per line.
pub fn print_diagnostics(diags: &[Diagnostic]) {
    let mut err = std::io::stderr().lock();
    for d in diags {
        let _ = writeln!(err, "{d}");
    }
}

/// Prints the input diagnostics a command should show on stderr.
pub fn report_input_problems(inventory: &Inventory, quiet: bool) {
    let shown: Vec<Diagnostic> = inventory
        .diagnostics
        .iter()
        .filter(|d| !quiet || d.level == DiagnosticLevel::Error)
        .cloned()
        .collect();
    print_diagnostics(&shown);
}

/// The report destination: `--output FILE` or standard output.
pub fn open_output(args: &OutputArgs) -> anyhow::Result<Box<dyn Write>> {
    Ok(match &args.output {
        Some(path) => Box::new(BufWriter::new(
            File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
        )),
        None => Box::new(BufWriter::new(std::io::stdout().lock())),
    })
}

/// Colour only for a person at a terminal.
pub fn use_color(args: &OutputArgs) -> bool {
    !args.no_color
        && args.output.is_none()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::io::stdout().is_terminal()
}

/// Today's date (UTC), which decides whether exceptions have expired.
/// `KSPECT_TODAY=YYYY-MM-DD` pins it, for reproducible runs.
pub fn today() -> jiff::civil::Date {
    if let Some(d) = std::env::var("KSPECT_TODAY")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        return d;
    }
    jiff::tz::TimeZone::UTC
        .to_datetime(jiff::Timestamp::now())
        .date()
}
