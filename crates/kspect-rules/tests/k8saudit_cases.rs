//! `cases/k8saudit_expectations.jsonl`: the k8s-audit rules over real audit events give
//! the expected detections, per-rule counts and priorities.

mod common;

use std::collections::BTreeMap;

use kspect_rules::fields::k8saudit::AuditEvent;
use kspect_rules::{Engine, RuleMatching};

type Cache = BTreeMap<Vec<String>, Engine>;

/// Loads the files in order, reusing the engine built for the longest cached prefix
/// (most cases start with the same two large files).
fn engine_for(
    root: &std::path::Path,
    files: &[String],
    cache: &mut Cache,
) -> Result<Engine, String> {
    let mut n = files.len();
    let mut engine = loop {
        if n == 0 {
            break Engine::new();
        }
        if let Some(e) = cache.get(&files[..n]) {
            break e.clone();
        }
        n -= 1;
    };
    for i in n..files.len() {
        let res = engine.load_file(&root.join(&files[i]));
        if !res.successful() {
            return Err(format!("{} does not load: {:?}", files[i], res.errors));
        }
        cache.insert(files[..=i].to_vec(), engine.clone());
    }
    Ok(engine)
}

fn check(root: &std::path::Path, row: &serde_json::Value, cache: &mut Cache) -> Result<(), String> {
    let name = row["test"].as_str().unwrap_or_default();
    let fail = |m: String| Err(format!("{name}: {m}"));
    let files: Vec<String> = row["rules_files"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    let engine = engine_for(root, &files, cache).map_err(|e| format!("{name}: {e}"))?;
    let events = std::fs::read_to_string(root.join(row["events"].as_str().unwrap_or_default()))
        .map_err(|e| format!("{name}: {e}"))?;
    let Some(rs) = engine.ruleset("k8s_audit") else {
        return fail("no k8s_audit ruleset".into());
    };
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    let mut priorities = Vec::new();
    let mut stderr = String::new();
    for line in events.lines().filter(|l| !l.trim().is_empty()) {
        let json: serde_json::Value = match serde_json::from_str(line) {
            Ok(j) => j,
            Err(e) => {
                stderr.push_str(&format!("malformed event: {e}\n"));
                continue;
            }
        };
        let ev = AuditEvent::new(json);
        if !ev.is_audit_event() {
            stderr.push_str("data not recognized as a k8s audit event\n");
            continue;
        }
        for r in rs.matches(&ev, RuleMatching::First) {
            *counts.entry(r.name.clone()).or_default() += 1;
            priorities.push(r.priority);
        }
    }
    let expect = &row["expect"];
    if let Some(any) = expect["any_detection"].as_bool() {
        if any == counts.is_empty() {
            return fail(format!("any_detection {any}, got {counts:?}"));
        }
    }
    if let Some(rc) = expect["rule_counts"].as_object() {
        for (rule, n) in rc {
            let got = counts.get(rule).copied().unwrap_or(0);
            if Some(got) != n.as_u64() {
                return fail(format!(
                    "rule {rule:?}: {got} detections, expected {n} (all: {counts:?})"
                ));
            }
        }
    }
    let has = |p: &str| {
        let p = kspect_rules::Priority::parse(p);
        priorities.iter().any(|x| Some(*x) == p)
    };
    for p in expect["priorities_present"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str())
    {
        if !has(p) {
            return fail(format!("no detection of priority {p}: {counts:?}"));
        }
    }
    for p in expect["priorities_absent"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str())
    {
        if has(p) {
            return fail(format!("unexpected detection of priority {p}: {counts:?}"));
        }
    }
    if let Some(re) = expect["stderr_regex"].as_str() {
        let re = regex::Regex::new(re).map_err(|e| e.to_string())?;
        if !re.is_match(&stderr) {
            return fail(format!("stderr {stderr:?} does not match {re}"));
        }
    }
    Ok(())
}

#[test]
fn k8saudit_expectations() {
    let Some(root) = common::corpus() else { return };
    let rows = common::jsonl(&root.join("cases/k8saudit_expectations.jsonl"));
    let mut cache = Cache::new();
    let failures: Vec<String> = rows
        .iter()
        .filter_map(|r| check(&root, r, &mut cache).err())
        .collect();
    common::report("k8saudit_expectations.jsonl", rows.len(), &failures);
}
