//! `kspect audit analyze` and `kspect audit policy` through the real binary, on
//! `../shared/corpus/audit/`: SARIF and JUnit output from the shared reporters, with
//! results at the file and line that the command's own JSON document gives for each
//! detection and policy finding; the analyst summary stays the default; exit codes
//! follow `--fail-on`.
//!
//! The SARIF is checked here for its structure and locations; its validation against
//! the OASIS 2.1.0 schema runs in `crates/kspect-audit/tests/report_sarif.rs` (this
//! crate has no JSON-schema validator among its dev-dependencies), over the same
//! findings rendered by the same reporter.

mod common;

use std::path::{Path, PathBuf};

use serde_json::Value;

fn corpus() -> Option<PathBuf> {
    let p = common::repo_root().join("../shared/corpus/audit");
    if p.is_dir() {
        return Some(p);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("corpus not found at {}", p.display());
    }
    println!("skipping: corpus not found at {}", p.display());
    None
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

fn results(sarif: &Value) -> Vec<Value> {
    sarif["runs"][0]["results"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// `(ruleId, uri, startLine)` of each result.
fn located(sarif: &Value) -> Vec<(String, String, u64)> {
    results(sarif)
        .iter()
        .map(|r| {
            let p = &r["locations"][0]["physicalLocation"];
            (
                r["ruleId"].as_str().unwrap_or_default().to_string(),
                p["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                p["region"]["startLine"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

fn argv(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn check_sarif_shape(sarif: &Value) {
    common::assert_valid_sarif(sarif);
    assert_eq!(sarif["version"], "2.1.0");
    let rules: Vec<&str> = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    for r in results(sarif) {
        let id = r["ruleId"].as_str().unwrap();
        assert!(rules.contains(&id), "{id} is not among the driver's rules");
        assert!(
            r["ruleIndex"].as_u64().is_some(),
            "result without ruleIndex: {r}"
        );
        assert!(
            ["error", "warning", "note"].contains(&r["level"].as_str().unwrap_or("")),
            "{r}"
        );
    }
}

#[test]
fn policy_sarif_points_at_the_offending_rule_lines() {
    let Some(root) = corpus() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let mut total = 0;
    let mut failures = Vec::new();
    let mut dir: Vec<PathBuf> = std::fs::read_dir(root.join("policies"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    dir.sort();
    for p in &dir {
        total += 1;
        let f = p.to_str().unwrap();
        let doc = common::run(&["audit", "policy", f, "--format", "json"], tmp.path());
        let doc = json(&doc.stdout);
        let want: Vec<(String, u64)> = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| {
                (
                    x["id"].as_str().unwrap().to_string(),
                    x["line"].as_u64().unwrap(),
                )
            })
            .collect();
        let out = common::run(&["audit", "policy", f, "--format", "sarif"], tmp.path());
        let expected_code = i32::from(!want.is_empty());
        if out.code != expected_code {
            failures.push(format!("{f}: exit {} ({})", out.code, out.stderr));
            continue;
        }
        let sarif = json(&out.stdout);
        check_sarif_shape(&sarif);
        let mut got: Vec<(String, u64)> = located(&sarif)
            .into_iter()
            .map(|(id, uri, line)| {
                assert!(
                    uri.ends_with(p.file_name().unwrap().to_str().unwrap()),
                    "{uri}"
                );
                (id, line)
            })
            .collect();
        let mut want = want;
        got.sort();
        want.sort();
        if got != want {
            failures.push(format!("{f}: SARIF {got:?} != JSON {want:?}"));
        }
    }
    println!(
        "audit policy --format sarif: {} of {total} passed",
        total - failures.len()
    );
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn analyze_sarif_points_at_the_event_lines() {
    let Some(root) = corpus() else { return };
    let tmp = tempfile::tempdir().unwrap();
    // Line-per-event logs, a webhook EventList batch, and the Falco samples (one of
    // them deliberately not an audit event).
    let logs: Vec<String> = [
        "events/falco",
        "events/audit2rbac",
        "events/elastic-elv2",
        "events/derived/eventlist-audit2rbac-demo.json",
    ]
    .iter()
    .map(|p| root.join(p).display().to_string())
    .collect();
    let with = |extra: &[&str]| -> Vec<String> {
        let mut a: Vec<String> = vec!["audit".into(), "analyze".into()];
        a.extend(logs.iter().cloned());
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    let a = with(&["--format", "json"]);
    let doc = json(&common::run(&argv(&a), tmp.path()).stdout);
    let mut want: Vec<(String, String)> = doc["detections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let loc = d["location"].as_str().unwrap();
            // `file:line` or `file:line (item N)` for EventList batches.
            let loc = loc.split(" (item").next().unwrap();
            (d["id"].as_str().unwrap().to_string(), loc.to_string())
        })
        .collect();
    assert!(want.len() > 10, "the corpus logs have detections: {want:?}");

    let out_file = tmp.path().join("audit.sarif");
    let a = with(&["--format", "sarif", "--output", out_file.to_str().unwrap()]);
    let r = common::run(&argv(&a), tmp.path());
    // Without --fail-on, detections do not decide the exit code; the deliberately
    // broken event (fal_01_003.json) is a warning, not an unreadable file.
    assert_eq!(r.code, 0, "{}", r.stderr);
    let sarif = json(&std::fs::read_to_string(&out_file).unwrap());
    check_sarif_shape(&sarif);
    let mut got: Vec<(String, String)> = located(&sarif)
        .into_iter()
        .map(|(id, uri, line)| {
            let file = Path::new(&uri)
                .file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .to_string();
            (id, format!("{file}:{line}"))
        })
        .collect();
    let mut want_names: Vec<(String, String)> = want
        .drain(..)
        .map(|(id, loc)| {
            let (file, line) = loc.rsplit_once(':').unwrap();
            let name = Path::new(file).file_name().unwrap().to_str().unwrap();
            (id, format!("{name}:{line}"))
        })
        .collect();
    got.sort();
    want_names.sort();
    assert_eq!(got, want_names);
    // The malformed event is reported with its file and line.
    let notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        notes
            .iter()
            .any(|n| n.to_string().contains("fal_01_003.json")),
        "{notes:?}"
    );

    // --fail-on still decides the exit code with the report formats.
    let a = with(&["--format", "sarif", "--fail-on", "critical"]);
    let r = common::run(&argv(&a), tmp.path());
    assert_eq!(r.code, 1, "a cluster-admin binding is critical");
}

#[test]
fn junit_table_and_bad_format() {
    let Some(root) = corpus() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let p = root.join("policies/kics-positive2-secrets-at-requestresponse.yaml");
    let f = p.to_str().unwrap();
    let r = common::run(&["audit", "policy", f, "--format", "junit"], tmp.path());
    assert_eq!(r.code, 1);
    assert!(r.stdout.starts_with("<?xml"), "{}", r.stdout);
    assert!(r.stdout.contains("KAP001"), "{}", r.stdout);
    assert!(r.stdout.contains("<testsuites"), "{}", r.stdout);

    // The summary is the default and `table`; `text` is still accepted.
    let want = "kics-positive2-secrets-at-requestresponse.yaml:5: [high] KAP001 secrets are logged at RequestResponse";
    for args in [vec![], vec!["--format", "table"], vec!["--format", "text"]] {
        let mut a = vec!["audit", "policy", f];
        a.extend(args);
        let r = common::run(&a, tmp.path());
        assert!(r.stdout.contains(want), "{a:?}: {}", r.stdout);
    }
    let log = root.join("events/audit2rbac/demo.log");
    let r = common::run(
        &[
            "audit",
            "analyze",
            log.to_str().unwrap(),
            "--format",
            "table",
        ],
        tmp.path(),
    );
    assert!(r.stdout.contains("Who did what:"), "{}", r.stdout);
    let r = common::run(
        &[
            "audit",
            "analyze",
            log.to_str().unwrap(),
            "--format",
            "junit",
        ],
        tmp.path(),
    );
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("KSA"), "{}", r.stdout);

    let r = common::run(&["audit", "policy", f, "--format", "xml"], tmp.path());
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("unknown format"), "{}", r.stderr);
}

#[test]
fn audit_rules_are_listed_and_explained() {
    let tmp = tempfile::tempdir().unwrap();
    let r = common::run(&["rules", "--format", "json"], tmp.path());
    let rules = json(&r.stdout);
    let ids: Vec<&str> = rules
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    for id in [
        "KSA001", "KSA002", "KSA003", "KSA004", "KSA005", "KSA006", "KSA007", "KSA008", "KSA009",
        "KAP001", "KAP002", "KAP003", "KAP004", "KAP005", "KAP006",
    ] {
        assert!(ids.contains(&id), "{id} missing from `kspect rules`");
        let e = common::run(&["explain", id], tmp.path());
        assert_eq!(e.code, 0, "{id}: {}", e.stderr);
        assert!(e.stdout.contains("## How to fix"), "{id}");
    }
}
