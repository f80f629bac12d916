//! The JSON format: kspect's own versioned schema, documented field by field in
//! `docs/json-report.md`.
//!
//! The schema is spelled out here as its own types rather than by serializing the core
//! types, so that a change in `kspect-core` cannot silently change what scripts read.
//! Optional values are always present, as `null`, so that `jq '.findings[].evidence'`
//! never needs a default. Adding a field is compatible; renaming, removing or changing
//! the meaning of one bumps [`SCHEMA_VERSION`].

use std::io::{self, Write};

use kspect_core::load::{Diagnostic, DiagnosticLevel};
use kspect_core::rule::RefKind;
use kspect_core::{Finding, Location, ObjectRef, Severity};
use serde::Serialize;

use crate::Report;
use crate::summary::{Summary, sorted};

/// The version of the JSON report schema (`schemaVersion`).
pub const SCHEMA_VERSION: &str = "1";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonReport<'a> {
    schema_version: &'static str,
    tool: Tool<'a>,
    command: &'a str,
    summary: JsonSummary,
    findings: Vec<JsonFinding<'a>>,
    diagnostics: Vec<JsonDiagnostic<'a>>,
}

#[derive(Serialize)]
struct Tool<'a> {
    name: &'static str,
    version: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonSummary {
    objects_scanned: usize,
    files_scanned: usize,
    findings: usize,
    by_severity: BySeverity,
    suppressed: usize,
    diagnostics: DiagnosticCounts,
    fail_on: Option<Severity>,
    failed: bool,
}

#[derive(Serialize)]
struct BySeverity {
    critical: usize,
    high: usize,
    medium: usize,
    low: usize,
    info: usize,
}

#[derive(Serialize)]
struct DiagnosticCounts {
    errors: usize,
    warnings: usize,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    severity: Severity,
    title: &'a str,
    message: &'a str,
    category: &'a str,
    object: Option<JsonObject<'a>>,
    location: Option<JsonLocation<'a>>,
    remediation: &'a str,
    evidence: Option<&'a str>,
    references: Vec<JsonReference<'a>>,
    suppressed: Option<JsonSuppression<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonObject<'a> {
    api_version: &'a str,
    kind: &'a str,
    namespace: Option<&'a str>,
    name: &'a str,
}

impl<'a> From<&'a ObjectRef> for JsonObject<'a> {
    fn from(o: &'a ObjectRef) -> Self {
        JsonObject {
            api_version: &o.api_version,
            kind: &o.kind,
            namespace: o.namespace.as_deref(),
            name: &o.name,
        }
    }
}

#[derive(Serialize)]
struct JsonLocation<'a> {
    file: &'a str,
    document: u32,
    line: u32,
    column: u32,
    pointer: &'a str,
}

impl<'a> From<&'a Location> for JsonLocation<'a> {
    fn from(l: &'a Location) -> Self {
        JsonLocation {
            file: &l.file,
            document: l.document,
            line: l.line,
            column: l.column,
            pointer: &l.pointer,
        }
    }
}

#[derive(Serialize)]
struct JsonReference<'a> {
    kind: RefKind,
    id: &'a str,
    url: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonSuppression<'a> {
    kind: &'a str,
    reason: &'a str,
    location: Option<JsonLocation<'a>>,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    level: DiagnosticLevel,
    file: &'a str,
    document: Option<u32>,
    line: Option<u32>,
    column: Option<u32>,
    message: &'a str,
}

fn finding(f: &Finding) -> JsonFinding<'_> {
    JsonFinding {
        rule: &f.rule,
        severity: f.severity,
        title: &f.title,
        message: &f.message,
        category: &f.category,
        object: f.object.as_ref().map(JsonObject::from),
        location: f.location.as_ref().map(JsonLocation::from),
        remediation: &f.remediation,
        evidence: f.evidence.as_deref(),
        references: f
            .references
            .iter()
            .map(|r| JsonReference {
                kind: r.kind,
                id: r.id,
                url: Some(r.url).filter(|u| !u.is_empty()),
            })
            .collect(),
        suppressed: f.suppressed.as_ref().map(|s| JsonSuppression {
            kind: s.kind,
            reason: &s.reason,
            location: s.location.as_ref().map(JsonLocation::from),
        }),
    }
}

fn diagnostic(d: &Diagnostic) -> JsonDiagnostic<'_> {
    JsonDiagnostic {
        level: d.level,
        file: &d.file,
        document: d.document,
        line: d.line,
        column: d.column,
        message: &d.message,
    }
}

fn summary(report: &Report, s: &Summary) -> JsonSummary {
    JsonSummary {
        objects_scanned: report.objects_scanned,
        files_scanned: report.files_scanned,
        findings: s.active,
        by_severity: BySeverity {
            critical: s.count(Severity::Critical),
            high: s.count(Severity::High),
            medium: s.count(Severity::Medium),
            low: s.count(Severity::Low),
            info: s.count(Severity::Info),
        },
        suppressed: s.suppressed,
        diagnostics: DiagnosticCounts {
            errors: s.errors,
            warnings: s.warnings,
        },
        fail_on: report.fail_on,
        failed: s.exit_code != 0,
    }
}

pub(crate) fn render<W: Write>(report: &Report, out: &mut W) -> io::Result<()> {
    let s = report.summary();
    let doc = JsonReport {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: crate::TOOL_NAME,
            version: report.tool_version,
        },
        command: report.command,
        summary: summary(report, &s),
        findings: sorted(report.findings).into_iter().map(finding).collect(),
        diagnostics: report.diagnostics.iter().map(diagnostic).collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}
