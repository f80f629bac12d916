//! The JUnit XML format, for CI test dashboards (GitLab, Jenkins, Azure DevOps ...).
//!
//! Dashboards show test cases grouped by suite, so:
//! - the first suite, `kspect <command>`, has one test case: the `--fail-on` gate,
//!   failed exactly when [`crate::exit_code`] is 1. It is always there, so a clean run
//!   is a passing test and never an empty report, which some CI plugins reject;
//! - then one suite per object with findings, and in it one test case per rule that
//!   fired on the object: a `<failure>` (type = severity) listing every finding of that
//!   rule there, or `<skipped>` when all of them are suppressed;
//! - then a suite `input` with one test case per input diagnostic: `<error>` for an
//!   error, a passing case with the message in `<system-out>` for a warning.
//!
//! Objects without findings have no test case: the report carries their count only.

use std::collections::HashMap;
use std::io::{self, Write};

use kspect_core::load::{Diagnostic, DiagnosticLevel};
use kspect_core::{Finding, ObjectRef};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

use crate::Report;
use crate::summary::sorted;
use crate::xml;

/// The outcome of one test case.
enum Outcome {
    Pass {
        out: Option<String>,
    },
    Failure {
        message: String,
        kind: String,
        body: String,
    },
    Error {
        message: String,
        kind: String,
        body: String,
    },
    Skipped {
        message: String,
    },
}

struct Case {
    name: String,
    classname: String,
    file: Option<String>,
    line: Option<u32>,
    outcome: Outcome,
}

struct Suite {
    name: String,
    file: Option<String>,
    cases: Vec<Case>,
}

impl Suite {
    fn count(&self, pred: fn(&Outcome) -> bool) -> usize {
        self.cases.iter().filter(|c| pred(&c.outcome)).count()
    }
}

fn is_failure(o: &Outcome) -> bool {
    matches!(o, Outcome::Failure { .. })
}
fn is_error(o: &Outcome) -> bool {
    matches!(o, Outcome::Error { .. })
}
fn is_skipped(o: &Outcome) -> bool {
    matches!(o, Outcome::Skipped { .. })
}

fn object_name(object: Option<&ObjectRef>) -> String {
    object.map_or_else(|| "(not about one object)".to_string(), ToString::to_string)
}

fn gate_suite(report: &Report) -> Suite {
    let s = report.summary();
    let classname = format!("kspect.{}", report.command);
    let case = match report.fail_on {
        None => Case {
            name: "findings do not fail the run (no --fail-on threshold)".into(),
            classname,
            file: None,
            line: None,
            outcome: Outcome::Pass {
                out: Some(format!("{} active findings", s.active)),
            },
        },
        Some(t) => {
            let failing = report
                .findings
                .iter()
                .filter(|f| crate::fails(f, t))
                .count();
            let outcome = if failing == 0 {
                Outcome::Pass { out: None }
            } else {
                Outcome::Failure {
                    message: format!("{failing} active findings at or above {t}"),
                    kind: "fail-on".into(),
                    body: format!(
                        "{failing} of {} active findings are at or above the --fail-on threshold {t} ({} suppressed).",
                        s.active, s.suppressed
                    ),
                }
            };
            Case {
                name: format!("no finding at or above {t}"),
                classname,
                file: None,
                line: None,
                outcome,
            }
        }
    };
    Suite {
        name: format!("kspect {}", report.command),
        file: None,
        cases: vec![case],
    }
}

/// One line per finding in a failure body.
fn finding_line(f: &Finding) -> String {
    let mut s = match &f.location {
        Some(l) => format!("{l}: {} {}: {}", f.severity, f.rule, f.message),
        None => format!("{} {}: {}", f.severity, f.rule, f.message),
    };
    if let Some(e) = &f.evidence {
        s.push_str(&format!(" (evidence: {e})"));
    }
    if let Some(sup) = &f.suppressed {
        s.push_str(&format!(" [suppressed by {}: {}]", sup.kind, sup.reason));
    }
    s
}

fn rule_case(object: Option<&ObjectRef>, findings: &[&Finding]) -> Option<Case> {
    let first = findings.first()?;
    let active: Vec<&&Finding> = findings.iter().filter(|f| f.is_active()).collect();
    let outcome = match active.first() {
        None => {
            let reasons: Vec<String> = findings
                .iter()
                .filter_map(|f| f.suppressed.as_ref())
                .map(|s| format!("{}: {}", s.kind, s.reason))
                .collect();
            Outcome::Skipped {
                message: format!("suppressed by {}", reasons.join("; ")),
            }
        }
        Some(top) => {
            let worst = active
                .iter()
                .map(|f| f.severity)
                .max()
                .unwrap_or(top.severity);
            let message = if active.len() == 1 {
                top.message.clone()
            } else {
                format!("{} findings; first: {}", active.len(), top.message)
            };
            let mut body: Vec<String> = findings.iter().map(|f| finding_line(f)).collect();
            if !top.remediation.is_empty() {
                body.push(format!("fix: {}", top.remediation));
            }
            Outcome::Failure {
                message,
                kind: worst.to_string(),
                body: body.join("\n"),
            }
        }
    };
    Some(Case {
        name: format!("{} {}", first.rule, first.title),
        classname: object_name(object),
        file: first.location.as_ref().map(|l| l.file.to_string()),
        line: first.location.as_ref().map(|l| l.line),
        outcome,
    })
}

fn finding_suites(report: &Report) -> Vec<Suite> {
    // Suites in the order of their first finding; cases in the order of their first finding.
    type Key<'a> = (Option<&'a ObjectRef>, Option<&'a str>, Option<u32>);
    type ByRule<'a> = Vec<(&'a str, Vec<&'a Finding>)>;
    let mut groups: Vec<(Key, ByRule)> = Vec::new();
    let mut index: HashMap<Key, usize> = HashMap::new();
    for f in sorted(report.findings) {
        let key: Key = (
            f.object.as_ref(),
            f.location.as_ref().map(|l| &*l.file),
            f.location.as_ref().map(|l| l.document),
        );
        let gi = *index.entry(key).or_insert_with(|| {
            groups.push((key, Vec::new()));
            groups.len() - 1
        });
        let rules = &mut groups[gi].1;
        match rules.iter_mut().find(|(r, _)| *r == f.rule) {
            Some((_, fs)) => fs.push(f),
            None => rules.push((&f.rule, vec![f])),
        }
    }
    groups
        .into_iter()
        .map(|((object, file, _), rules)| Suite {
            name: object_name(object),
            file: file.map(str::to_string),
            cases: rules
                .iter()
                .filter_map(|(_, fs)| rule_case(object, fs))
                .collect(),
        })
        .collect()
}

fn diagnostic_case(d: &Diagnostic) -> Case {
    let place = match (d.line, d.column) {
        (Some(l), Some(c)) => format!("{}:{l}:{c}", d.file),
        (Some(l), None) => format!("{}:{l}", d.file),
        _ => d.file.clone(),
    };
    let outcome = match d.level {
        DiagnosticLevel::Error => Outcome::Error {
            message: d.message.clone(),
            kind: "input-error".into(),
            body: d.to_string(),
        },
        DiagnosticLevel::Warning => Outcome::Pass {
            out: Some(d.to_string()),
        },
    };
    Case {
        name: place,
        classname: "kspect.input".into(),
        file: Some(d.file.clone()),
        line: d.line,
        outcome,
    }
}

fn write_case<W: Write>(w: &mut Writer<W>, c: &Case) -> io::Result<()> {
    let line = c.line.map(|l| l.to_string());
    let mut attrs: Vec<(&str, String)> = vec![
        ("name", xml::attr(&c.name)),
        ("classname", xml::attr(&c.classname)),
    ];
    if let Some(f) = &c.file {
        attrs.push(("file", xml::attr(f)));
    }
    if let Some(l) = &line {
        attrs.push(("line", l.clone()));
    }
    let el = w
        .create_element("testcase")
        .with_attributes(attrs.iter().map(|(k, v)| (*k, v.as_str())));
    match &c.outcome {
        Outcome::Pass { out: None } => {
            el.write_empty()?;
        }
        Outcome::Pass { out: Some(text) } => {
            el.write_inner_content(|w| {
                w.create_element("system-out")
                    .write_text_content(BytesText::new(&xml::text(text)))?;
                Ok(())
            })?;
        }
        Outcome::Failure {
            message,
            kind,
            body,
        }
        | Outcome::Error {
            message,
            kind,
            body,
        } => {
            let tag = if is_failure(&c.outcome) {
                "failure"
            } else {
                "error"
            };
            el.write_inner_content(|w| {
                w.create_element(tag)
                    .with_attributes([
                        ("message", xml::attr(message).as_str()),
                        ("type", xml::attr(kind).as_str()),
                    ])
                    .write_text_content(BytesText::new(&xml::text(body)))?;
                Ok(())
            })?;
        }
        Outcome::Skipped { message } => {
            el.write_inner_content(|w| {
                w.create_element("skipped")
                    .with_attribute(("message", xml::attr(message).as_str()))
                    .write_empty()?;
                Ok(())
            })?;
        }
    }
    Ok(())
}

pub(crate) fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut suites = vec![gate_suite(report)];
    suites.extend(finding_suites(report));
    if !report.diagnostics.is_empty() {
        suites.push(Suite {
            name: "input".into(),
            file: None,
            cases: report.diagnostics.iter().map(diagnostic_case).collect(),
        });
    }

    let total = |pred: fn(&Outcome) -> bool| -> String {
        suites
            .iter()
            .map(|s| s.count(pred))
            .sum::<usize>()
            .to_string()
    };
    let tests = suites
        .iter()
        .map(|s| s.cases.len())
        .sum::<usize>()
        .to_string();
    let (failures, errors, skipped) = (total(is_failure), total(is_error), total(is_skipped));

    let mut w = Writer::new_with_indent(&mut *out, b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.create_element("testsuites")
        .with_attributes([
            ("name", "kspect"),
            ("tests", tests.as_str()),
            ("failures", failures.as_str()),
            ("errors", errors.as_str()),
            ("skipped", skipped.as_str()),
        ])
        .write_inner_content(|w| {
            for s in &suites {
                let counts = [
                    s.cases.len().to_string(),
                    s.count(is_failure).to_string(),
                    s.count(is_error).to_string(),
                    s.count(is_skipped).to_string(),
                ];
                let name = xml::attr(&s.name);
                let mut attrs: Vec<(&str, &str)> = vec![
                    ("name", name.as_str()),
                    ("tests", &counts[0]),
                    ("failures", &counts[1]),
                    ("errors", &counts[2]),
                    ("skipped", &counts[3]),
                ];
                let file = s.file.as_deref().map(xml::attr);
                if let Some(f) = &file {
                    attrs.push(("file", f.as_str()));
                }
                w.create_element("testsuite")
                    .with_attributes(attrs)
                    .write_inner_content(|w| {
                        for c in &s.cases {
                            write_case(w, c)?;
                        }
                        Ok(())
                    })?;
            }
            Ok(())
        })?;
    writeln!(out)
}
