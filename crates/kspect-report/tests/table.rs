//! Table output: what a person reads.

mod common;

use common::*;
use kspect_core::Severity;
use kspect_report::{Format, RenderOptions};

fn table(fx: &Fixture, color: bool, fail_on: Option<Severity>) -> String {
    let opts = RenderOptions {
        color,
        base_dir: None,
    };
    render(Format::Table, &fx.report(fail_on), &opts)
}

#[test]
fn shows_place_severity_rule_and_snippet() {
    let fx = fixture();
    let t = table(&fx, false, Some(Severity::Low));
    let file = fx.deploy_path.to_string_lossy();
    // file:line:col of the privileged field, severity, rule, title, message, fix.
    assert!(
        t.contains(&format!("--> {file}:{PRIVILEGED_LINE}:{PRIVILEGED_COL}")),
        "{t}"
    );
    assert!(t.contains("high     KSPT01 Privileged container"), "{t}");
    assert!(t.contains("container \"app\" runs privileged"));
    assert!(t.contains("fix: Set securityContext.privileged to false."));
    assert!(t.contains("critical KSPT03 Pod shares the host PID namespace"));
    // Object headers.
    assert!(t.contains("Deployment/web (shop)"));
    assert!(
        t.contains(&format!("Pod/odd<name>&'q  {file}, document 2")),
        "{t}"
    );

    // The source line under the location, with the caret under column 13.
    let lines: Vec<&str> = t.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.ends_with("15 |             privileged: true"))
        .unwrap_or_else(|| panic!("snippet line missing:\n{t}"));
    let caret = lines[at + 1];
    let bar = caret.find('|').unwrap();
    assert_eq!(
        caret.find('^').unwrap() - bar - 2,
        (PRIVILEGED_COL - 1) as usize
    );
    assert_eq!(lines[at].find('|').unwrap(), bar, "gutters align");
}

#[test]
fn suppressed_findings_and_diagnostics_and_summary() {
    let fx = fixture();
    let t = table(&fx, false, Some(Severity::Low));
    assert!(
        t.contains("(suppressed by annotation: pinned by the release pipeline)"),
        "{t}"
    );
    assert!(t.contains("(suppressed by config: sandbox namespace <ok> & \"fine\")"));
    // Diagnostics as file:line: error: message.
    let d = &fx.diagnostics[0];
    let prefix = match d.column {
        Some(c) => format!("bad & <odd>.yaml:{}:{c}: error: ", d.line.unwrap()),
        None => format!("bad & <odd>.yaml:{}: error: ", d.line.unwrap()),
    };
    assert!(t.contains(&prefix), "{t}");
    assert!(t.contains("empty.yaml: warning: file holds no document"));
    // Summary counts.
    assert!(
        t.contains("Findings: 5 (1 critical, 2 high, 1 medium, 0 low, 1 info), 2 suppressed"),
        "{t}"
    );
    assert!(
        t.contains("Scanned 3 objects in 3 files; 1 input error, 1 warning"),
        "{t}"
    );
    // At or above low: critical, two high, medium; not the info one.
    assert!(t.contains("FAIL: 4 findings at or above low"), "{t}");
    let t = table(&fx, false, Some(Severity::Critical));
    assert!(t.contains("FAIL: 1 finding at or above critical"), "{t}");
}

#[test]
fn no_escape_sequences_without_colour() {
    let fx = fixture();
    let plain = table(&fx, false, Some(Severity::Low));
    if std::env::var_os("KSPECT_SHOW_TABLE").is_some() {
        println!("{plain}");
        println!("{}", table(&fx, true, Some(Severity::Low)));
    }
    assert!(!plain.contains('\u{1b}'), "{plain}");
    // Evidence with an escape sequence from the manifest is shown, defused.
    assert!(plain.contains("evidence: true\\u{1b}[2J"), "{plain}");
    let coloured = table(&fx, true, Some(Severity::Low));
    assert!(coloured.contains("\u{1b}["));
    // Stripping the styles gives back the plain text.
    let stripped = strip_ansi(&coloured);
    assert_eq!(stripped, plain);
}

#[test]
fn unreadable_sources_and_stdin_have_no_snippet() {
    let fx = fixture();
    std::fs::remove_file(&fx.deploy_path).unwrap();
    let t = table(&fx, false, None);
    assert!(t.contains(&format!("--> {}:15:13", fx.deploy_path.to_string_lossy())));
    assert!(!t.contains("privileged: true"), "{t}");
    assert!(t.contains("--> <stdin>:"));
    assert!(
        !t.contains("PASS") && !t.contains("FAIL"),
        "no threshold, no verdict"
    );
}

#[test]
fn empty_report() {
    let mut fx = fixture();
    fx.findings.clear();
    fx.diagnostics.clear();
    let t = table(&fx, false, Some(Severity::Low));
    assert!(t.starts_with("No findings.\n"), "{t}");
    assert!(t.contains("PASS: no finding at or above low"));
    assert!(!t.contains("Input problems"));
}

/// Removes CSI sequences (`ESC [ ... letter`).
fn strip_ansi(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            chars.next();
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}
