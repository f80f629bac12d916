//! `cases/rule_loader_cases.jsonl` (Falco's rule loader unit tests),
//! `cases/condition_warning_cases.jsonl`, and every shipped rule file.

mod common;

use kspect_rules::fields::FieldRegistry;
use kspect_rules::{Engine, engine::condition_warnings, parser};

/// The unit tests register only the syscall source.
fn syscall_engine() -> Engine {
    Engine::with_sources(vec![FieldRegistry::syscall()])
}

fn describe(engine: &Engine, path: &str) -> Option<serde_json::Value> {
    let col = engine.collection();
    let rule0 = col.rules.first();
    Some(match path {
        "[rules].size()" => col.rules.len().into(),
        "[macros].size()" => col.macros.len().into(),
        "[lists].size()" => col.lists.len().into(),
        "[rules][0][info][condition]" => rule0?.cond.clone().into(),
        "[rules][0][info][output]" => rule0?.output.clone().into(),
        "[rules][0][info][description]" => rule0?.desc.clone().into(),
        "[rules][0][info][priority]" => rule0?.priority.as_str().into(),
        "[rules][0][info][capture]" => rule0?.capture.into(),
        "[lists][0][details][lists].size()" => {
            let l = col.lists.first()?;
            col.lists
                .iter()
                .filter(|o| l.items.contains(&o.name))
                .count()
                .into()
        }
        p if p.starts_with("[lists][0][details][items_compiled]") => {
            let items = engine.list_items_compiled(&col.lists.first()?.name)?;
            if p.ends_with(".size()") {
                items.len().into()
            } else {
                let i: usize = p.rsplit('[').next()?.trim_end_matches(']').parse().ok()?;
                items.get(i)?.clone().into()
            }
        }
        _ => return None,
    })
}

fn check_case(row: &serde_json::Value) -> Result<(), String> {
    let name = row["test"].as_str().unwrap_or_default();
    let yaml = row["rules_yaml"].as_str().unwrap_or_default();
    let want = &row["loads"][0];
    let mut engine = syscall_engine();
    let res = engine.load_rules(yaml, "rules.yaml");
    let fail = |m: String| Err(format!("{name}: {m}"));
    let errors: Vec<String> = res.errors.iter().map(|d| d.message.clone()).collect();
    let warnings: Vec<String> = res.warnings.iter().map(|d| d.message.clone()).collect();
    if want["expect_success"].as_bool() != Some(res.successful()) {
        return fail(format!(
            "success {} (errors {errors:?}, warnings {warnings:?})",
            res.successful()
        ));
    }
    if let Some(s) = want["schema_validation"].as_str() {
        let ok = s == "validation_ok";
        if ok != res.schema_ok {
            return fail(format!("schema_ok {} expected {s}", res.schema_ok));
        }
    }
    for (key, list) in [
        ("errors_containing", &errors),
        ("warnings_containing", &warnings),
    ] {
        for s in want[key]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str())
        {
            if !list.iter().any(|m| m.contains(s)) {
                return fail(format!("{key} {s:?} not in {list:?}"));
            }
        }
    }
    for s in want["warnings_not_containing"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str())
    {
        if warnings.iter().any(|m| m.contains(s)) {
            return fail(format!("warning {s:?} should not appear: {warnings:?}"));
        }
    }
    if let Some(h) = want["has_warnings"].as_bool() {
        if h == warnings.is_empty() {
            return fail(format!("has_warnings {h} but warnings are {warnings:?}"));
        }
    }
    if let Some(obj) = want["compiled_condition"].as_object() {
        for (rule, cond) in obj {
            let got = engine
                .compiled_rules()
                .iter()
                .find(|r| r.name == *rule)
                .map(|r| r.compiled_condition.clone());
            if got.as_deref() != cond.as_str() {
                return fail(format!(
                    "compiled condition of {rule}: {got:?}, expected {cond}"
                ));
            }
        }
    }
    if let Some(n) = want["num_enabled_rules"].as_u64() {
        let got = engine.ruleset("syscall").map_or(0, |r| r.rules().len());
        if got as u64 != n {
            return fail(format!("{got} enabled rules, expected {n}"));
        }
    }
    for d in want["describe"].as_array().into_iter().flatten() {
        let path = d["path"].as_str().unwrap_or_default();
        let got = describe(&engine, path);
        if got.as_ref() != Some(&d["equals"]) {
            return fail(format!(
                "describe {path}: {got:?}, expected {}",
                d["equals"]
            ));
        }
    }
    Ok(())
}

#[test]
fn rule_loader_cases() {
    let Some(root) = common::corpus() else { return };
    let rows = common::jsonl(&root.join("cases/rule_loader_cases.jsonl"));
    let failures: Vec<String> = rows.iter().filter_map(|r| check_case(r).err()).collect();
    common::report("rule_loader_cases.jsonl", rows.len(), &failures);
}

#[test]
fn condition_warning_cases() {
    let Some(root) = common::corpus() else { return };
    let rows = common::jsonl(&root.join("cases/condition_warning_cases.jsonl"));
    let mut failures = Vec::new();
    for r in &rows {
        let expr = r["expr"].as_str().unwrap_or_default();
        let want = r["expect_warning"].as_bool().unwrap_or(false);
        match parser::parse(expr) {
            Ok(e) => {
                let got = !condition_warnings(&e).is_empty();
                if got != want {
                    failures.push(format!("{expr:?}: warning {got}, expected {want}"));
                }
            }
            Err(e) => failures.push(format!("{expr:?}: does not parse: {e}")),
        }
    }
    common::report("condition_warning_cases.jsonl", rows.len(), &failures);
}

#[test]
fn shipped_rule_files_load() {
    let Some(root) = common::corpus() else { return };
    let sets: &[&[&str]] = &[
        &["rules/falco_rules.yaml"],
        &[
            "rules/falco_rules.yaml",
            "rules/falco-incubating_rules.yaml",
        ],
        &["rules/falco_rules.yaml", "rules/falco-sandbox_rules.yaml"],
        &["rules/k8s_audit_rules.yaml"],
        &[
            "rules/k8s_audit_rules.yaml",
            "rules/k8s_audit_rules_gke.yaml",
        ],
        &["rules/legacy/falco-rules-1.0.1/falco_rules.yaml"],
        &["rules/archive/falco-deprecated_rules.yaml"],
        &["rules/archive/application_rules.yaml"],
    ];
    let mut failures = Vec::new();
    let mut total = 0;
    for set in sets {
        let mut engine = Engine::new();
        for f in *set {
            total += 1;
            let res = engine.load_file(&root.join(f));
            if !res.successful() {
                failures.push(format!(
                    "{set:?} / {f}: {}",
                    res.errors
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("; ")
                ));
            }
        }
    }
    common::report("rules/ files", total, &failures);
}

#[test]
fn default_rules_compiled_conditions() {
    let Some(root) = common::corpus() else { return };
    let rows = common::jsonl(&root.join("cases/default_rules_compiled.jsonl"));
    let mut engines: std::collections::HashMap<String, Engine> = std::collections::HashMap::new();
    let mut failures = Vec::new();
    for r in &rows {
        let set: Vec<&str> = r["load_set"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str())
            .collect();
        let engine = engines.entry(set.join("|")).or_insert_with(|| {
            let mut e = Engine::new();
            for f in &set {
                e.load_file(&root.join(f));
            }
            e
        });
        let rule = r["rule"].as_str().unwrap_or_default();
        let want = r["compiled_condition"].as_str().unwrap_or_default();
        let got = engine
            .compiled_rules()
            .iter()
            .find(|x| x.name == rule)
            .map(|x| x.compiled_condition.clone());
        if got.as_deref() != Some(want) {
            failures.push(format!("{set:?} / {rule}: {got:?}\n   expected {want:?}"));
        }
    }
    common::report("default_rules_compiled.jsonl", rows.len(), &failures);
}
