//! Audit findings through the shared reporters: SARIF rendered from the detections
//! on every log of `../shared/corpus/audit/events` and from the findings on every
//! policy of `../shared/corpus/audit/policies` validates against the OASIS SARIF 2.1.0
//! schema (`../shared/schemas/sarif-schema-2.1.0.json`), and each result points at the
//! file and line of its event or policy rule.

use std::path::{Path, PathBuf};

use kspect_audit::analyze::Analyzer;
use kspect_audit::findings;
use kspect_audit::policy::{self, Policy};
use kspect_audit::reader;
use kspect_core::{Finding, Registry, Severity};
use kspect_report::{Format, RenderOptions};
use serde_json::Value;

fn shared(sub: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared")
        .join(sub);
    if p.exists() {
        return Some(p);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("corpus not found at {}", p.display());
    }
    println!("skipping: corpus not found at {}", p.display());
    None
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn sarif(findings: &[Finding]) -> Value {
    let registry = Registry::new(findings::rules());
    let report = kspect_report::Report {
        tool_version: "0.0.0-test",
        command: "audit",
        findings,
        diagnostics: &[],
        registry: &registry,
        objects_scanned: findings.len(),
        files_scanned: 1,
        fail_on: Some(Severity::Low),
    };
    let mut out = Vec::new();
    kspect_report::render(
        Format::Sarif,
        &report,
        &RenderOptions {
            color: false,
            base_dir: None,
        },
        &mut out,
    )
    .unwrap();
    serde_json::from_slice(&out).unwrap()
}

struct Schema(jsonschema::Validator);

impl Schema {
    fn load() -> Option<Schema> {
        let dir = shared("schemas")?;
        let schema: Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join("sarif-schema-2.1.0.json")).unwrap(),
        )
        .unwrap();
        let v = jsonschema::draft4::options()
            .should_validate_formats(true)
            .build(&schema)
            .expect("the SARIF schema compiles offline");
        // The validator must be able to say no.
        let broken = serde_json::json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}},
            "results": [{"level": "bogus", "message": {"text": "m"}}]}]});
        assert!(v.iter_errors(&broken).next().is_some());
        Some(Schema(v))
    }

    fn errors(&self, log: &Value) -> Vec<String> {
        self.0
            .iter_errors(log)
            .take(5)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect()
    }
}

fn results(log: &Value) -> Vec<&Value> {
    log["runs"][0]["results"]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

fn start_line(r: &Value) -> Option<u64> {
    r["locations"][0]["physicalLocation"]["region"]["startLine"].as_u64()
}

fn uri(r: &Value) -> &str {
    r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        .as_str()
        .unwrap_or_default()
}

#[test]
fn policy_findings_render_as_valid_sarif_at_their_rule_lines() {
    let (Some(schema), Some(dir)) = (Schema::load(), shared("corpus/audit/policies")) else {
        return;
    };
    let mut total = 0;
    let mut failures = Vec::new();
    let mut results_seen = 0;
    for p in files_under(&dir) {
        total += 1;
        let file = p.display().to_string();
        let pol = Policy::parse(&std::fs::read_to_string(&p).unwrap()).unwrap();
        let pf = policy::analyze(&pol);
        let kf = findings::policy_findings(&file, &pf);
        if kf.len() != pf.len() {
            failures.push(format!(
                "{file}: {} findings, {} converted",
                pf.len(),
                kf.len()
            ));
            continue;
        }
        let log = sarif(&kf);
        let errs = schema.errors(&log);
        if !errs.is_empty() {
            failures.push(format!("{file}: {errs:?}"));
            continue;
        }
        let rs = results(&log);
        results_seen += rs.len();
        // Every policy finding has one result with its rule, at its line of this file.
        for f in &pf {
            let found = rs.iter().any(|r| {
                r["ruleId"] == f.id
                    && start_line(r) == Some(u64::from(f.line))
                    && uri(r).ends_with(p.file_name().unwrap().to_str().unwrap())
            });
            if !found {
                failures.push(format!("{file}: no result for {} at line {}", f.id, f.line));
            }
        }
    }
    println!(
        "audit policy SARIF: {} of {total} passed ({results_seen} results)",
        total - failures.len()
    );
    assert!(results_seen > 0, "the corpus policies have findings");
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn log_detections_render_as_valid_sarif_at_their_event_lines() {
    let (Some(schema), Some(dir)) = (Schema::load(), shared("corpus/audit/events")) else {
        return;
    };
    let mut total = 0;
    let mut failures = Vec::new();
    let mut located = 0;
    for p in files_under(&dir) {
        let mut analyzer = Analyzer::new();
        reader::read_logs(
            std::slice::from_ref(&p),
            |origin, ev| analyzer.observe(origin, &ev),
            |_| {},
        );
        let report = analyzer.finish();
        if report.detections.is_empty() {
            continue;
        }
        total += 1;
        let file = p.display().to_string();
        let kf = findings::detection_findings(&report);
        if kf.len() != report.detections.len() {
            failures.push(format!("{file}: detections lost in conversion"));
            continue;
        }
        let log = sarif(&kf);
        let errs = schema.errors(&log);
        if !errs.is_empty() {
            failures.push(format!("{file}: {errs:?}"));
            continue;
        }
        // The line a result points at holds its event (plain-text logs).
        let text = std::fs::read_to_string(&p).ok();
        for d in &report.detections {
            let r = results(&log).into_iter().find(|r| {
                r["ruleId"] == d.id
                    && start_line(r) == Some(d.line)
                    && uri(r).ends_with(p.file_name().unwrap().to_str().unwrap())
            });
            let Some(_) = r else {
                failures.push(format!("{file}: no result for {} at line {}", d.id, d.line));
                continue;
            };
            if let Some(t) = &text {
                let line = t.lines().nth(d.line as usize - 1).unwrap_or_default();
                if !d.audit_id.is_empty() && line.contains("\"auditID\"") {
                    if !line.contains(&d.audit_id) {
                        failures.push(format!(
                            "{file}:{}: {} is not on this line",
                            d.line, d.audit_id
                        ));
                    } else {
                        located += 1;
                    }
                }
            }
        }
    }
    println!(
        "audit log SARIF: {} of {total} files passed ({located} detections checked against their line)",
        total - failures.len()
    );
    assert!(total > 0 && located > 0, "the corpus logs have detections");
    assert!(failures.is_empty(), "{failures:#?}");
}
