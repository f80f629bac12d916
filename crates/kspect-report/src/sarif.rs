//! The SARIF 2.1.0 format, shaped for GitHub code scanning.
//!
//! One run. `tool.driver.rules[]` describes every rule of the registry (so that GitHub
//! knows a rule that stopped firing) plus any rule a finding names that the registry
//! lacks; its `properties` carry the `security-severity` score GitHub sorts alerts by.
//! Each finding is one result with its physical location (relative to the base
//! directory, `%SRCROOT%`), the object as a logical location, a fingerprint that
//! survives edits elsewhere in the file, and a suppression when it is waived. Input
//! problems are tool execution notifications: the run itself succeeded.
//!
//! Every result has a physical location with an artifact URI, because GitHub rejects
//! the whole file otherwise: a finding read from standard input is anchored at
//! `stdin`, and one that concerns no file at all at `.kspect.yaml`.

use std::collections::HashMap;
use std::io::{self, Write};

use kspect_core::load::{Diagnostic, DiagnosticLevel};
use kspect_core::{Finding, Location, Rule, Severity};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::fingerprint;
use crate::source::SourceCache;
use crate::summary::sorted;
use crate::uri::{SRCROOT, UriMaker};
use crate::{RenderOptions, Report};

/// The `$schema` of the output: the OASIS standard schema (errata 01).
pub(crate) const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

#[derive(Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    invocations: [Invocation; 1],
    #[serde(skip_serializing_if = "Option::is_none")]
    original_uri_base_ids: Option<Map<String, Value>>,
    results: Vec<SarifResult>,
    column_kind: &'static str,
    properties: Value,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: String,
    semantic_version: String,
    information_uri: &'static str,
    rules: Vec<RuleDescriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleDescriptor {
    id: String,
    /// Omitted when it would equal the ID (SARIF 3.49.7; Multitool rule SARIF1001).
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    short_description: Message,
    full_description: Message,
    help: Help,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<String>,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Message {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: Vec<String>,
    #[serde(rename = "security-severity")]
    security_severity: &'static str,
    precision: &'static str,
    /// kspect's own severity name, which SARIF's three levels cannot express.
    severity: Severity,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    tool_execution_notifications: Vec<Notification>,
    properties: Value,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Notification {
    level: &'static str,
    message: Message,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<SarifLocation>,
    descriptor: DescriptorRef,
}

#[derive(Serialize)]
struct DescriptorRef {
    id: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: String,
    rule_index: usize,
    level: &'static str,
    message: Message,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<SarifLocation>,
    partial_fingerprints: Map<String, Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<SarifSuppression>,
    properties: Value,
}

#[derive(Serialize, Default)]
#[serde(rename_all = "camelCase")]
struct SarifLocation {
    #[serde(skip_serializing_if = "Option::is_none")]
    physical_location: Option<PhysicalLocation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    logical_locations: Vec<LogicalLocation>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
    /// The whole source line, with its text, around the region.
    #[serde(skip_serializing_if = "Option::is_none")]
    context_region: Option<ContextRegion>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ContextRegion {
    start_line: u32,
    snippet: Message,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_column: Option<u32>,
    /// The region's text: from the start column to the end of the line, since a
    /// region without an end column runs to the end of its line.
    #[serde(skip_serializing_if = "Option::is_none")]
    snippet: Option<Message>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation {
    name: String,
    fully_qualified_name: String,
    kind: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifSuppression {
    kind: &'static str,
    status: &'static str,
    justification: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<SarifLocation>,
}

/// SARIF's level for a kspect severity: GitHub shows `error` as "Error", and so on.
fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// The CVSS-like score GitHub maps to its severities (critical > 9.0, high 7.0-8.9,
/// medium 4.0-6.9, low 0.1-3.9).
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

/// The first paragraph of a rule's documentation (what the rule finds).
fn first_paragraph(doc: &str) -> Option<String> {
    let para: Vec<&str> = doc
        .trim_start()
        .lines()
        .take_while(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(str::trim)
        .collect();
    (!para.is_empty()).then(|| para.join(" "))
}

/// SARIF messages should be sentences (Multitool rule SARIF2001).
fn sentence(text: &str) -> String {
    let t = text.trim_end();
    if t.is_empty() {
        return ".".to_string();
    }
    if t.ends_with(['.', '!', '?']) {
        t.to_string()
    } else {
        format!("{t}.")
    }
}

/// A descriptor for a registered rule; `severity` is the one its findings carry (a
/// configuration override applies to every finding of a rule), else the default.
fn descriptor(rule: &Rule, severity: Severity) -> RuleDescriptor {
    let help_text = if rule.doc.trim().is_empty() {
        rule.remediation.to_string()
    } else {
        rule.doc.to_string()
    };
    let help_uri = rule
        .references
        .iter()
        .find(|r| r.kind == kspect_core::rule::RefKind::Docs)
        .or(rule.references.first())
        .map(|r| r.url.to_string())
        .filter(|u| !u.is_empty());
    RuleDescriptor {
        id: rule.id.to_string(),
        name: Some(pascal_case(rule.name)).filter(|n| !n.is_empty() && n != rule.id),
        short_description: Message {
            text: sentence(rule.title),
        },
        full_description: Message {
            text: sentence(&first_paragraph(rule.doc).unwrap_or_else(|| rule.title.to_string())),
        },
        help: Help {
            text: help_text.clone(),
            markdown: help_text,
        },
        help_uri,
        default_configuration: Configuration {
            level: level(severity),
        },
        properties: RuleProperties {
            tags: tags(rule.category),
            security_severity: security_severity(severity),
            precision: "high",
            severity,
        },
    }
}

/// A descriptor for a rule a finding names but the registry lacks, from the finding.
fn descriptor_from_finding(f: &Finding) -> RuleDescriptor {
    RuleDescriptor {
        id: f.rule.to_string(),
        name: None,
        short_description: Message {
            text: sentence(&f.title),
        },
        full_description: Message {
            text: sentence(&f.title),
        },
        help: Help {
            text: f.remediation.to_string(),
            markdown: f.remediation.to_string(),
        },
        help_uri: f
            .references
            .first()
            .map(|r| r.url.to_string())
            .filter(|u| !u.is_empty()),
        default_configuration: Configuration {
            level: level(f.severity),
        },
        properties: RuleProperties {
            tags: tags(&f.category),
            security_severity: security_severity(f.severity),
            precision: "high",
            severity: f.severity,
        },
    }
}

fn tags(category: &str) -> Vec<String> {
    let mut t = vec!["security".to_string()];
    if !category.is_empty() && category != "security" {
        t.push(category.to_string());
    }
    t
}

/// `privileged-container` -> `PrivilegedContainer`: SARIF rule names are
/// identifiers in Pascal case (Multitool rule SARIF2012).
fn pascal_case(name: &str) -> String {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut cs = w.chars();
            cs.next()
                .map(|c| c.to_ascii_uppercase().to_string() + cs.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// Builds locations from kspect locations, reading snippets on the way.
struct Locator {
    uris: UriMaker,
    sources: SourceCache,
}

impl Locator {
    fn physical(
        &mut self,
        file: &str,
        line: Option<u32>,
        column: Option<u32>,
    ) -> Option<PhysicalLocation> {
        let artifact = self.uris.uri(file)?;
        let line = line.filter(|&l| l >= 1);
        let column = column.filter(|&c| c >= 1);
        let text = line
            .and_then(|l| self.sources.line(file, l))
            .map(str::to_string);
        let region = line.map(|start_line| Region {
            start_line,
            start_column: column,
            snippet: text.as_deref().map(|t| Message {
                text: t
                    .chars()
                    .skip(column.map_or(0, |c| c as usize - 1))
                    .collect(),
            }),
        });
        // The whole line around the region, for viewers that show context. SARIF wants
        // a context region to be a proper superset of the region (Multitool SARIF1008),
        // so there is none when the region already starts at column 1.
        let context_region = line
            .zip(text)
            .filter(|_| column.is_some_and(|c| c > 1))
            .map(|(start_line, text)| ContextRegion {
                start_line,
                snippet: Message { text },
            });
        Some(PhysicalLocation {
            artifact_location: ArtifactLocation {
                uri: artifact.uri,
                uri_base_id: artifact.base_id,
            },
            region,
            context_region,
        })
    }

    fn of_location(&mut self, l: &Location) -> Option<PhysicalLocation> {
        self.physical(&l.file, Some(l.line), Some(l.column))
    }
}

/// The artifact of a finding written on standard input, which has no file name.
const STDIN_URI: &str = "stdin";

/// The artifact of a finding that concerns no file at all: the project's configuration
/// file, since such findings are about the analysis itself (the rule set, exceptions).
const NO_FILE_URI: &str = ".kspect.yaml";

/// A location GitHub accepts for a finding whose file has no URI.
///
/// SARIF allows a result without locations, but GitHub code scanning rejects the
/// whole upload ("expected at least one location" / "expected artifact location")
/// when any result lacks a physical location with an artifact URI.
fn fallback_physical(l: Option<&Location>) -> PhysicalLocation {
    PhysicalLocation {
        artifact_location: ArtifactLocation {
            uri: if l.is_some() { STDIN_URI } else { NO_FILE_URI }.to_string(),
            uri_base_id: Some(SRCROOT),
        },
        // Without a location, the first line: consumers expect a region (Multitool SARIF2017).
        region: Some(Region {
            start_line: l.map_or(1, |l| l.line.max(1)),
            start_column: Some(l.map_or(1, |l| l.column.max(1))),
            snippet: None,
        }),
        context_region: None,
    }
}

fn result(f: &Finding, rule_index: usize, loc: &mut Locator) -> SarifResult {
    let real = f.location.as_ref().and_then(|l| loc.of_location(l));
    let has_file_uri = real.is_some();
    let physical = real.unwrap_or_else(|| fallback_physical(f.location.as_ref()));
    let logical: Vec<LogicalLocation> = f
        .object
        .iter()
        .map(|o| {
            let fqn = match &o.namespace {
                Some(ns) => format!("{ns}/{}/{}", o.kind, o.name),
                None => format!("{}/{}", o.kind, o.name),
            };
            LogicalLocation {
                name: o.name.clone(),
                fully_qualified_name: fqn,
                kind: "resource",
            }
        })
        .collect();
    let locations = vec![SarifLocation {
        physical_location: Some(physical),
        logical_locations: logical,
    }];

    let mut fingerprints = Map::new();
    fingerprints.insert(
        fingerprint::KEY.to_string(),
        Value::String(fingerprint::fingerprint(f)),
    );

    let suppressions = f
        .suppressed
        .iter()
        .map(|s| SarifSuppression {
            // An annotation is written in the manifest itself; a `.kspect.yaml`
            // exception lives outside the analysed file.
            kind: if s.kind == "annotation" {
                "inSource"
            } else {
                "external"
            },
            status: "accepted",
            justification: s.reason.clone(),
            location: s
                .location
                .as_ref()
                .and_then(|l| loc.of_location(l))
                .map(|p| SarifLocation {
                    physical_location: Some(p),
                    logical_locations: Vec::new(),
                }),
        })
        .collect();

    let mut props = Map::new();
    props.insert("severity".into(), Value::String(f.severity.as_str().into()));
    props.insert("category".into(), Value::String(f.category.to_string()));
    if let Some(o) = &f.object {
        props.insert(
            "object".into(),
            serde_json::json!({
                "apiVersion": o.api_version,
                "kind": o.kind,
                "namespace": o.namespace,
                "name": o.name,
            }),
        );
    }
    if let Some(l) = &f.location {
        props.insert("document".into(), Value::from(l.document));
        props.insert("pointer".into(), Value::String(l.pointer.clone()));
        if !has_file_uri {
            // Standard input has no URI; keep its real name for people reading the log.
            props.insert("file".into(), Value::String(l.file.to_string()));
            props.insert("line".into(), Value::from(l.line));
            props.insert("column".into(), Value::from(l.column));
        }
    }
    if let Some(e) = &f.evidence {
        props.insert("evidence".into(), Value::String(e.clone()));
    }
    props.insert(
        "remediation".into(),
        Value::String(f.remediation.to_string()),
    );

    SarifResult {
        rule_id: f.rule.to_string(),
        rule_index,
        level: level(f.severity),
        message: Message {
            text: sentence(&f.message),
        },
        locations,
        partial_fingerprints: fingerprints,
        suppressions,
        properties: Value::Object(props),
    }
}

fn notification(d: &Diagnostic, loc: &mut Locator) -> Notification {
    let (level, id) = match d.level {
        DiagnosticLevel::Error => ("error", "input-error"),
        DiagnosticLevel::Warning => ("warning", "input-warning"),
    };
    let mut text = d.message.clone();
    if let Some(doc) = d.document {
        text.push_str(&format!(" (document {doc})"));
    }
    let physical = loc.physical(&d.file, d.line, d.column);
    if physical.is_none() {
        text = format!("{}: {text}", d.file);
    }
    Notification {
        level,
        message: Message {
            text: sentence(&text),
        },
        locations: physical
            .map(|p| SarifLocation {
                physical_location: Some(p),
                logical_locations: Vec::new(),
            })
            .into_iter()
            .collect(),
        descriptor: DescriptorRef { id },
    }
}

pub(crate) fn render<W: Write>(
    report: &Report,
    opts: &RenderOptions,
    out: &mut W,
) -> io::Result<()> {
    let findings = sorted(report.findings);

    // The severity each rule's findings carry (overrides apply per rule; take the
    // highest should two ever differ).
    let mut seen: HashMap<&str, Severity> = HashMap::new();
    for f in &findings {
        let s = seen.entry(&*f.rule).or_insert(f.severity);
        *s = (*s).max(f.severity);
    }

    let mut rules: Vec<RuleDescriptor> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for rule in report.registry.rules() {
        let sev = seen.get(rule.id).copied().unwrap_or(rule.severity);
        index.insert(rule.id.to_string(), rules.len());
        rules.push(descriptor(rule, sev));
    }
    for f in &findings {
        if !index.contains_key(&*f.rule) {
            // Findings name the canonical ID; a registry lookup also follows redirects.
            match report
                .registry
                .get(&f.rule)
                .and_then(|r| index.get(r.id).copied())
            {
                Some(i) => {
                    index.insert(f.rule.to_string(), i);
                }
                None => {
                    index.insert(f.rule.to_string(), rules.len());
                    rules.push(descriptor_from_finding(f));
                }
            }
        }
    }

    let uris = UriMaker::new(opts.base_dir.as_deref());
    let base_ids = uris.base_uri().map(|uri| {
        let mut m = Map::new();
        m.insert(SRCROOT.to_string(), serde_json::json!({ "uri": uri }));
        m
    });
    let mut locator = Locator {
        uris,
        sources: SourceCache::default(),
    };

    let results = findings
        .iter()
        .map(|f| {
            let i = index.get(&*f.rule).copied().unwrap_or_default();
            result(f, i, &mut locator)
        })
        .collect();
    let notifications = report
        .diagnostics
        .iter()
        .map(|d| notification(d, &mut locator))
        .collect();

    let s = report.summary();
    let log = Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: crate::TOOL_NAME,
                    version: report.tool_version.to_string(),
                    semantic_version: report.tool_version.to_string(),
                    information_uri: crate::INFORMATION_URI,
                    rules,
                },
            },
            invocations: [Invocation {
                // Bad input documents are reported, not fatal: the analysis ran.
                execution_successful: true,
                tool_execution_notifications: notifications,
                properties: serde_json::json!({
                    "command": report.command,
                    "failOn": report.fail_on,
                    "exitCode": s.exit_code,
                }),
            }],
            original_uri_base_ids: base_ids,
            results,
            column_kind: "unicodeCodePoints",
            properties: serde_json::json!({
                "objectsScanned": report.objects_scanned,
                "filesScanned": report.files_scanned,
                "suppressed": s.suppressed,
            }),
        }],
    };
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pascal_case_names() {
        assert_eq!(pascal_case("privileged-container"), "PrivilegedContainer");
        assert_eq!(pascal_case("no_limits"), "NoLimits");
        assert_eq!(pascal_case(""), "");
    }

    #[test]
    fn first_paragraph_stops_at_blank_line_or_heading() {
        assert_eq!(
            first_paragraph("Finds a\nthing.\n\n## Why it matters\nx").as_deref(),
            Some("Finds a thing.")
        );
        assert_eq!(first_paragraph("## Why\nx"), None);
    }

    #[test]
    fn sentences_end_with_a_period() {
        assert_eq!(sentence("runs as root"), "runs as root.");
        assert_eq!(sentence("Why?"), "Why?");
        assert_eq!(sentence("ok. "), "ok.");
    }

    #[test]
    fn levels_and_scores() {
        assert_eq!(level(Severity::Critical), "error");
        assert_eq!(level(Severity::Medium), "warning");
        assert_eq!(level(Severity::Info), "note");
        for (s, band) in [
            (Severity::Critical, 9.0..=10.0),
            (Severity::High, 7.0..=8.9),
            (Severity::Medium, 4.0..=6.9),
            (Severity::Low, 0.1..=3.9),
            (Severity::Info, 0.1..=3.9),
        ] {
            let v: f64 = security_severity(s).parse().unwrap();
            assert!(band.contains(&v), "{s}: {v}");
        }
    }
}
