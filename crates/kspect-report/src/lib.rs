//! kspect's renderers: what a person, a script, GitHub code scanning and a CI test
//! dashboard read.
//!
//! Every analyzer produces [`Finding`]s and every loader [`Diagnostic`]s; the binary
//! gathers them into one [`Report`] and hands it to [`render`] in the [`Format`] the
//! user asked for:
//!
//! - [`Format::Table`]: for people, grouped by object, with `file:line:col`, the
//!   offending source line under a caret, and summary counts.
//! - [`Format::Json`]: a versioned schema documented in `docs/json-report.md`.
//! - [`Format::Sarif`]: SARIF 2.1.0 as GitHub code scanning ingests it.
//! - [`Format::Junit`]: JUnit XML for CI test dashboards.
//!
//! [`exit_code`] turns the report into the process status the CI gate reads.
//! This crate depends on `kspect-core` only, and never on an analyzer.
#![deny(missing_docs)]

mod fingerprint;
mod json;
mod junit;
mod sarif;
mod source;
mod summary;
mod table;
mod uri;
mod xml;

use std::fmt;
use std::io::Write;
use std::path::PathBuf;
use std::str::FromStr;

use kspect_core::load::Diagnostic;
use kspect_core::{Finding, Registry, Severity};

pub use json::SCHEMA_VERSION as JSON_SCHEMA_VERSION;
pub use summary::Summary;

/// The tool's name as it appears in every machine-readable report.
pub const TOOL_NAME: &str = "kspect";

/// Where people learn about the tool (SARIF `informationUri`).
pub const INFORMATION_URI: &str = "https://github.com/kspect/kspect";

/// Everything one run of kspect has to say.
#[derive(Debug, Clone, Copy)]
pub struct Report<'a> {
    /// kspect's version (`CARGO_PKG_VERSION` of the binary).
    pub tool_version: &'a str,
    /// The command that produced the report, e.g. `scan` or `pss`.
    pub command: &'a str,
    /// Every finding, suppressed ones included (`finding.suppressed.is_some()`): reports
    /// show them as suppressed, and they never count towards the exit status.
    pub findings: &'a [Finding],
    /// Problems with the input (unreadable files, malformed documents ...).
    pub diagnostics: &'a [Diagnostic],
    /// Every rule kspect knows, for SARIF `rules[]` and documentation.
    pub registry: &'a Registry,
    /// How many objects were analysed.
    pub objects_scanned: usize,
    /// How many files were read.
    pub files_scanned: usize,
    /// The `--fail-on` threshold; `None` means findings never fail the run.
    pub fail_on: Option<Severity>,
}

impl Report<'_> {
    /// Counts of the report (active findings by severity, suppressed, diagnostics).
    pub fn summary(&self) -> Summary {
        Summary::of(self)
    }
}

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Format {
    /// Human-readable text grouped by object (the default).
    #[default]
    Table,
    /// kspect's versioned JSON schema (`docs/json-report.md`).
    Json,
    /// SARIF 2.1.0.
    Sarif,
    /// JUnit XML.
    Junit,
}

impl Format {
    /// Every format, in the order `--help` lists them.
    pub const ALL: [Format; 4] = [Format::Table, Format::Json, Format::Sarif, Format::Junit];

    /// The name used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Junit => "junit",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error for an unknown format name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown format {0:?} (expected table, json, sarif or junit)")]
pub struct UnknownFormat(pub String);

impl FromStr for Format {
    type Err = UnknownFormat;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|f| f.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownFormat(s.to_string()))
    }
}

/// How to render.
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    /// Colour the table with ANSI escapes (the binary turns it off for `--no-color`,
    /// `NO_COLOR` and non-terminals). Other formats ignore it.
    pub color: bool,
    /// The directory SARIF `uri`s are made relative to (normally the repository root),
    /// with `uriBaseId` `%SRCROOT%`. Files outside it get absolute `file://` URIs.
    /// Relative paths are resolved against the current directory first.
    pub base_dir: Option<PathBuf>,
}

/// Writes `report` in `format` to `out`.
///
/// The table format reads the files findings point at, to show the offending line;
/// a file that cannot be read (or `<stdin>`) simply gets no snippet.
pub fn render(
    format: Format,
    report: &Report,
    opts: &RenderOptions,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    // Serializers make many small writes; a concrete buffer here keeps them off the
    // dynamic `Write` call, which measured a tenth of rendering a 30 MB report.
    let mut buffered = std::io::BufWriter::with_capacity(1 << 16, out);
    match format {
        Format::Table => table::render(report, opts, &mut buffered),
        Format::Json => json::render(report, &mut buffered),
        Format::Sarif => sarif::render(report, opts, &mut buffered),
        Format::Junit => junit::render(report, &mut buffered),
    }?;
    buffered.flush()
}

/// The process exit status for the findings of `report`: 1 when an active (not
/// suppressed) finding has a severity at or above `report.fail_on`, else 0.
///
/// `fail_on: None` never fails; the binary always passes a threshold (`--fail-on`,
/// `low` by default), so by default every active finding except `info` fails the run.
/// Exit status 2 (usage or input error) is the binary's business, not this function's.
pub fn exit_code(report: &Report) -> i32 {
    match report.fail_on {
        Some(threshold) if report.findings.iter().any(|f| fails(f, threshold)) => 1,
        _ => 0,
    }
}

/// True when `finding` counts against `threshold`.
fn fails(finding: &Finding, threshold: Severity) -> bool {
    finding.is_active() && finding.severity >= threshold
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_parses_case_insensitively_and_round_trips() {
        for f in Format::ALL {
            assert_eq!(f.as_str().parse::<Format>(), Ok(f));
            assert_eq!(f.to_string().to_uppercase().parse::<Format>(), Ok(f));
        }
        assert_eq!(
            "xml".parse::<Format>(),
            Err(UnknownFormat("xml".to_string()))
        );
        assert_eq!(Format::default(), Format::Table);
    }
}
