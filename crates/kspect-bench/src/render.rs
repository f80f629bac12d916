//! Renderers for benchmark reports: kspect's JSON, kube-bench's JSON report shape (so
//! that dashboards fed by kube-bench can ingest kspect's results) and kube-bench's text
//! layout.

use serde_json::{Value, json};

use crate::checks::{Target, group_title};
use crate::result::{CheckResult, Report, Status, Totals};

/// `--format json`: `{"benchmark", "checks": [{"id", "status", "scored", "evidence",
/// "remediation", ...}], "totals", ...}`.
pub fn json(report: &Report) -> Value {
    let totals = report.totals();
    json!({
        "benchmark": report.benchmark,
        "benchmark_source": report.benchmark_source,
        "targets": report.targets,
        "checks": report.checks,
        "totals": totals,
        "notes": report.notes,
    })
}

fn desc(r: &CheckResult) -> String {
    format!(
        "{} ({})",
        r.title,
        if r.scored { "Automated" } else { "Manual" }
    )
}

fn counts(t: Totals) -> (usize, usize, usize, usize) {
    (t.pass, t.fail, t.warn, t.info)
}

/// `--format kube-bench-json`: kube-bench's `{"Controls": [...], "Totals": {...}}`.
pub fn kube_bench_json(report: &Report) -> Value {
    let mut controls = Vec::new();
    let mut order: Vec<String> = Vec::new();
    for r in &report.checks {
        if !order.contains(&r.target) {
            order.push(r.target.clone());
        }
    }
    for target in &order {
        let results: Vec<&CheckResult> = report
            .checks
            .iter()
            .filter(|r| &r.target == target)
            .collect();
        let mut groups: Vec<String> = Vec::new();
        for r in &results {
            if !groups.contains(&r.group) {
                groups.push(r.group.clone());
            }
        }
        let tests: Vec<Value> = groups
            .iter()
            .map(|g| {
                let rs: Vec<&CheckResult> =
                    results.iter().copied().filter(|r| &r.group == g).collect();
                let (pass, fail, warn, info) = counts(Totals::of(rs.iter().copied()));
                json!({
                    "section": g,
                    "type": "",
                    "pass": pass,
                    "fail": fail,
                    "warn": warn,
                    "info": info,
                    "desc": group_title(g),
                    "results": rs.iter().map(|r| kube_bench_result(r)).collect::<Vec<_>>(),
                })
            })
            .collect();
        let (pass, fail, warn, info) = counts(Totals::of(results.iter().copied()));
        let t = Target::parse(target);
        controls.push(json!({
            "id": t.map(Target::section_id).unwrap_or(target.as_str()),
            "version": report.benchmark,
            "detected_version": "",
            "text": t.map(Target::title).unwrap_or(target.as_str()),
            "node_type": target,
            "tests": tests,
            "total_pass": pass,
            "total_fail": fail,
            "total_warn": warn,
            "total_info": info,
        }));
    }
    let (pass, fail, warn, info) = counts(report.totals());
    json!({
        "Controls": controls,
        "Totals": {
            "total_pass": pass,
            "total_fail": fail,
            "total_warn": warn,
            "total_info": info,
        }
    })
}

fn kube_bench_result(r: &CheckResult) -> Value {
    let mut v = json!({
        "test_number": r.id,
        "test_desc": desc(r),
        "audit": r.audit,
        "AuditEnv": "",
        "AuditConfig": "",
        "type": r.kind,
        "remediation": r.remediation,
        "test_info": [r.remediation],
        "status": r.status.as_str(),
        "actual_value": r.actual,
        "scored": r.scored,
        "IsMultiple": false,
        "expected_result": r.expected,
    });
    if let Some(obj) = v.as_object_mut() {
        if let Some(kb) = r.kube_bench_status {
            // kube-bench's own verdict stays visible next to kspect's.
            obj.insert(
                "kube_bench_status".into(),
                Value::String(kb.as_str().into()),
            );
        }
        if r.kind == "manual" && r.kube_bench_status.is_none() && r.status == Status::Warn {
            obj.insert(
                "reason".into(),
                Value::String("Test marked as a manual test".into()),
            );
        } else if r.kind == "manual" {
            let mut reason = format!(
                "Test marked as a manual test; kspect decided it from the objects given: {}",
                r.evidence
            );
            if let Some(n) = &r.note {
                reason.push_str(" | ");
                reason.push_str(n);
            }
            obj.insert("reason".into(), Value::String(reason));
        } else if r.status != Status::Pass {
            let mut reason = r.evidence.clone();
            if let Some(n) = &r.note {
                reason.push_str(" | ");
                reason.push_str(n);
            }
            obj.insert("reason".into(), Value::String(reason));
        }
    }
    v
}

/// kube-bench's text layout: `[PASS] 1.1.1 ...` lines per target, remediations of what
/// did not pass, and the summaries.
pub fn text(report: &Report) -> String {
    let mut out = String::new();
    let mut order: Vec<&str> = Vec::new();
    for r in &report.checks {
        if !order.contains(&r.target.as_str()) {
            order.push(&r.target);
        }
    }
    for target in &order {
        let results: Vec<&CheckResult> = report
            .checks
            .iter()
            .filter(|r| r.target == *target)
            .collect();
        let t = Target::parse(target);
        out.push_str(&format!(
            "[INFO] {} {}\n",
            t.map(Target::section_id).unwrap_or(""),
            t.map(Target::title).unwrap_or(target)
        ));
        let mut group = "";
        for r in &results {
            if r.group != group {
                group = &r.group;
                out.push_str(&format!("[INFO] {} {}\n", r.group, group_title(&r.group)));
            }
            out.push_str(&format!("[{}] {} {}\n", r.status, r.id, desc(r)));
            if r.status != Status::Pass {
                out.push_str(&format!("       {}\n", r.evidence));
                if let Some(src) = &r.source {
                    out.push_str(&format!("       source: {src}\n"));
                }
            }
            if let Some(n) = &r.note {
                out.push_str(&format!("       note: {n}\n"));
            }
        }
        out.push_str(&format!("\n== Remediations {target} ==\n"));
        for r in results.iter().filter(|r| r.status != Status::Pass) {
            out.push_str(&format!("{} {}\n\n", r.id, r.remediation));
        }
        let t = Totals::of(results.iter().copied());
        out.push_str(&format!(
            "== Summary {target} ==\n{} checks PASS\n{} checks FAIL\n{} checks WARN\n{} checks INFO\n\n",
            t.pass, t.fail, t.warn, t.info
        ));
    }
    let t = report.totals();
    out.push_str(&format!(
        "== Summary total ==\n{} checks PASS\n{} checks FAIL\n{} checks WARN\n{} checks INFO\n",
        t.pass, t.fail, t.warn, t.info
    ));
    out
}
