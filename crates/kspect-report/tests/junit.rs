//! JUnit output: well-formed XML (parsed back with quick-xml), counts that add up,
//! and names and messages that survive escaping.

mod common;

use common::*;
use kspect_core::Severity;
use kspect_report::{Format, RenderOptions};
use quick_xml::Reader;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};

/// One element as parsed: name, attributes (unescaped), text, and its parent.
#[derive(Debug, Clone, Default)]
struct El {
    name: String,
    attrs: Vec<(String, String)>,
    text: String,
    parent: Option<usize>,
}

impl El {
    fn attr(&self, k: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
    }
    fn count(&self, k: &str) -> usize {
        self.attr(k).expect(k).parse().expect("a number")
    }
}

fn element(e: &BytesStart, parent: Option<usize>) -> El {
    El {
        name: String::from_utf8(e.name().as_ref().to_vec()).unwrap(),
        attrs: e
            .attributes()
            .map(|a| {
                let a = a.expect("well-formed attribute");
                (
                    String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                    a.unescape_value().expect("escaped value").into_owned(),
                )
            })
            .collect(),
        text: String::new(),
        parent,
    }
}

/// Parses the whole document strictly; panics on malformed XML.
fn parse(xml: &str) -> Vec<El> {
    // XML 1.0 `Char`: quick-xml does not check it, so check here.
    for c in xml.chars() {
        let ok = matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..);
        assert!(ok, "character {c:?} is not allowed in XML 1.0");
    }
    let mut reader = Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let mut out: Vec<El> = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    let mut saw_decl = false;
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Decl(_) => saw_decl = true,
            Event::Start(e) => {
                out.push(element(&e, stack.last().copied()));
                stack.push(out.len() - 1);
            }
            Event::Empty(e) => out.push(element(&e, stack.last().copied())),
            Event::End(_) => {
                stack.pop().expect("balanced tags");
            }
            Event::Text(t) => {
                if let Some(&i) = stack.last() {
                    out[i].text.push_str(&t.decode().unwrap());
                }
            }
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref().expect("char ref") {
                    Some(c) => c.to_string(),
                    None => resolve_predefined_entity(&r.decode().unwrap())
                        .expect("predefined entity")
                        .to_string(),
                };
                if let Some(&i) = stack.last() {
                    out[i].text.push_str(&c);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert!(stack.is_empty(), "unclosed elements");
    assert!(saw_decl, "XML declaration");
    out
}

fn junit(fx: &Fixture, fail_on: Option<Severity>) -> Vec<El> {
    let text = render(
        Format::Junit,
        &fx.report(fail_on),
        &RenderOptions::default(),
    );
    parse(&text)
}

fn children<'a>(els: &'a [El], parent: usize, name: &str) -> Vec<(usize, &'a El)> {
    els.iter()
        .enumerate()
        .filter(|(_, e)| e.parent == Some(parent) && e.name == name)
        .collect()
}

#[test]
fn well_formed_and_counts_add_up() {
    let fx = fixture();
    let els = junit(&fx, Some(Severity::Low));
    assert_eq!(els[0].name, "testsuites");
    let suites = children(&els, 0, "testsuite");
    let (mut tests, mut failures, mut errors, mut skipped) = (0, 0, 0, 0);
    for (i, s) in &suites {
        let cases = children(&els, *i, "testcase");
        let count = |tag: &str| {
            cases
                .iter()
                .filter(|(ci, _)| !children(&els, *ci, tag).is_empty())
                .count()
        };
        assert_eq!(
            s.count("tests"),
            cases.len(),
            "suite {}",
            s.attr("name").unwrap()
        );
        assert_eq!(s.count("failures"), count("failure"));
        assert_eq!(s.count("errors"), count("error"));
        assert_eq!(s.count("skipped"), count("skipped"));
        tests += cases.len();
        failures += count("failure");
        errors += count("error");
        skipped += count("skipped");
    }
    assert_eq!(els[0].count("tests"), tests);
    assert_eq!(els[0].count("failures"), failures);
    assert_eq!(els[0].count("errors"), errors);
    assert_eq!(els[0].count("skipped"), skipped);

    // gate (1) + web: KSPT01 fail, KSPT02 skipped + pod: KSPT03 fail, KSPT04 skipped
    // + stdin pod: KSPT01 fail + two findings without object or file (one suite each
    // place: both have no location, so one suite) + 2 diagnostics.
    assert_eq!(tests, 1 + 2 + 2 + 1 + 2 + 2);
    assert_eq!(failures, 1 + 1 + 1 + 1 + 2);
    assert_eq!(skipped, 2);
    assert_eq!(errors, 1);
}

#[test]
fn gate_case_follows_the_exit_code() {
    let fx = fixture();
    let els = junit(&fx, Some(Severity::Critical));
    let gate = &els[1];
    assert_eq!(gate.name, "testsuite");
    assert_eq!(gate.attr("name"), Some("kspect scan"));
    let case = &els[2];
    assert_eq!(case.attr("name"), Some("no finding at or above critical"));
    let f = &els[3];
    assert_eq!(f.name, "failure");
    assert_eq!(
        f.attr("message"),
        Some("1 active findings at or above critical")
    );

    // Only suppressed findings at or above the threshold: the gate passes.
    let mut only_suppressed = fixture();
    only_suppressed.findings.retain(|f| f.suppressed.is_some());
    let els = junit(&only_suppressed, Some(Severity::Info));
    assert_eq!(els[2].name, "testcase");
    assert!(children(&els, 2, "failure").is_empty());
    assert_eq!(els[0].count("failures"), 0);
    assert_eq!(els[0].count("skipped"), 2);
}

#[test]
fn escaping_round_trips() {
    let fx = fixture();
    let els = junit(&fx, Some(Severity::Low));
    let pod_suite = els
        .iter()
        .find(|e| e.name == "testsuite" && e.attr("name").is_some_and(|n| n.starts_with("Pod/odd")))
        .expect("pod suite");
    assert_eq!(pod_suite.attr("name"), Some("Pod/odd<name>&'q"));
    let case = els
        .iter()
        .find(|e| {
            e.name == "testcase"
                && e.attr("name") == Some("KSPT03 Pod shares the host PID namespace")
        })
        .unwrap();
    assert_eq!(case.attr("classname"), Some("Pod/odd<name>&'q"));
    assert_eq!(case.attr("line"), Some(HOSTPID_LINE.to_string().as_str()));
    let failure = els
        .iter()
        .find(|e| e.name == "failure" && e.attr("type") == Some("critical"))
        .unwrap();
    assert_eq!(
        failure.attr("message"),
        Some("pod shares the host PID namespace")
    );
    // The evidence held an ESC, which XML cannot carry: replaced, the rest kept.
    assert!(
        failure.text.contains("(evidence: true\u{FFFD}[2J)"),
        "{}",
        failure.text
    );
    assert!(
        failure
            .text
            .contains(&format!(":{HOSTPID_LINE}:{HOSTPID_COL}: critical KSPT03"))
    );
    let skipped = els
        .iter()
        .find(|e| e.name == "skipped" && e.attr("message").is_some_and(|m| m.contains("sandbox")))
        .unwrap();
    assert_eq!(
        skipped.attr("message"),
        Some("suppressed by config: sandbox namespace <ok> & \"fine\"")
    );
    let input_err = els.iter().find(|e| e.name == "error").unwrap();
    assert_eq!(
        input_err.attr("message"),
        Some(fx.diagnostics[0].message.as_str())
    );
}

#[test]
fn clean_run_is_one_passing_test() {
    let mut fx = fixture();
    fx.findings.clear();
    fx.diagnostics.clear();
    let els = junit(&fx, Some(Severity::Low));
    assert_eq!(els[0].count("tests"), 1);
    assert_eq!(els[0].count("failures"), 0);
    assert_eq!(els.len(), 3, "{els:#?}");
}
