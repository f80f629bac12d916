//! End-to-end tests of the `kspect` binary: the command-line contract of DESIGN.md
//! and issue 2 (formats, exit codes, locations, suppressions, bad input).

mod common;

use common::{repo_root, run, run_stdin, write};
use serde_json::Value;

const PRIVILEGED_POD: &str = "apiVersion: v1
kind: Pod
metadata:
  name: bad
  namespace: apps
spec:
  containers:
    - name: c
      image: nginx:1.25
      securityContext:
        privileged: true
";

const CLEAN_CM: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: apps
data:
  LOG_LEVEL: info
";

#[test]
fn scan_reports_the_offending_line_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "pod.yaml", PRIVILEGED_POD);
    let r = run(
        &["scan", "pod.yaml", "--format", "json", "--no-color"],
        dir.path(),
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let doc: Value = serde_json::from_str(&r.stdout).unwrap();
    let findings = doc["findings"].as_array().unwrap();
    let privileged = findings
        .iter()
        .find(|f| f["rule"] == "KSP101")
        .expect("KSP101 reported");
    assert_eq!(privileged["location"]["file"], "pod.yaml");
    assert_eq!(privileged["location"]["line"], 11);
    assert_eq!(privileged["location"]["column"], 9);
    assert_eq!(privileged["severity"], "critical");
}

#[test]
fn fail_on_threshold_decides_the_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "pod.yaml", PRIVILEGED_POD);
    // Only critical counts: the privileged container is critical.
    assert_eq!(
        run(
            &["scan", "pod.yaml", "--fail-on", "critical", "-q"],
            dir.path()
        )
        .code,
        1
    );
    let dir2 = tempfile::tempdir().unwrap();
    write(dir2.path(), "cm.yaml", CLEAN_CM);
    let r = run(&["scan", "cm.yaml", "--fail-on", "critical"], dir2.path());
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "cm.yaml", CLEAN_CM);
    assert_eq!(
        run(&["scan", "cm.yaml", "--format", "xml"], dir.path()).code,
        2
    );
    assert_eq!(
        run(&["scan", "cm.yaml", "--fail-on", "severe"], dir.path()).code,
        2
    );
    assert_eq!(
        run(&["pss", "cm.yaml", "--level", "strict"], dir.path()).code,
        2
    );
    assert_eq!(
        run(
            &[
                "pss",
                "cm.yaml",
                "--level",
                "baseline",
                "--version",
                "v1.07"
            ],
            dir.path()
        )
        .code,
        2
    );
    assert_eq!(run(&["explain", "KSP999"], dir.path()).code, 2);
}

#[test]
fn bad_documents_are_reported_and_the_rest_analysed() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("{CLEAN_CM}---\nkind: [unclosed\n---\nfoo: bar\n---\n{PRIVILEGED_POD}");
    write(dir.path(), "mixed.yaml", &text);
    write(
        dir.path(),
        "chart/deploy.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}\n",
    );
    let r = run(&["scan", ".", "--format", "json"], dir.path());
    assert_eq!(r.code, 2, "input errors exit 2");
    let doc: Value = serde_json::from_str(&r.stdout).unwrap();
    // The privileged pod after the broken documents was still analysed.
    assert!(
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "KSP101"
                && f["location"]["file"] == "./mixed.yaml"
                && f["location"]["line"] == 23
                && f["location"]["column"] == 9)
    );
    // Each problem names its file, document and line, on stderr too.
    assert!(r.stderr.contains("./mixed.yaml:9:"), "{}", r.stderr);
    assert!(r.stderr.contains("(document 2)"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("./mixed.yaml:11:1: error: document has no `apiVersion` and no `kind`"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("./chart/deploy.yaml:4: error: unrendered Helm"),
        "{}",
        r.stderr
    );
}

#[test]
fn stdin_is_read_with_dash() {
    let dir = tempfile::tempdir().unwrap();
    let r = run_stdin(
        &["scan", "-", "--format", "json"],
        dir.path(),
        PRIVILEGED_POD,
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let doc: Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "KSP101" && f["location"]["file"] == "<stdin>")
    );
}

#[test]
fn output_file_and_sarif() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "pod.yaml", PRIVILEGED_POD);
    let r = run(
        &[
            "scan",
            "pod.yaml",
            "--format",
            "sarif",
            "--output",
            "out.sarif",
        ],
        dir.path(),
    );
    assert_eq!(r.code, 1);
    assert!(r.stdout.is_empty());
    let sarif: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out.sarif")).unwrap())
            .unwrap();
    common::assert_valid_sarif(&sarif);
    assert_eq!(sarif["version"], "2.1.0");
    let result = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "KSP101")
        .cloned()
        .unwrap();
    let region = &result["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], 11);
}

#[test]
fn junit_is_written() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "pod.yaml", PRIVILEGED_POD);
    let r = run(&["scan", "pod.yaml", "--format", "junit"], dir.path());
    assert_eq!(r.code, 1);
    assert!(r.stdout.starts_with("<?xml"), "{}", r.stdout);
    assert!(r.stdout.contains("KSP101"));
}

#[test]
fn table_is_grouped_with_file_lines_and_summary() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "pod.yaml", PRIVILEGED_POD);
    let r = run(&["scan", "pod.yaml", "--no-color"], dir.path());
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("pod.yaml:11:9"), "{}", r.stdout);
    assert!(r.stdout.contains("KSP101"));
    assert!(
        !r.stdout.contains('\u{1b}'),
        "no ANSI escapes with --no-color"
    );
}

#[test]
fn annotation_suppresses_and_unused_suppressions_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let pod = PRIVILEGED_POD.replace(
        "  namespace: apps\n",
        "  namespace: apps\n  annotations:\n    kspect.dev/ignore: \"KSP101: lab machine; KSP111: never fires\"\n",
    );
    write(dir.path(), "pod.yaml", &pod);
    let r = run(&["scan", "pod.yaml", "--format", "json"], dir.path());
    let doc: Value = serde_json::from_str(&r.stdout).unwrap();
    let findings = doc["findings"].as_array().unwrap();
    let k101 = findings.iter().find(|f| f["rule"] == "KSP101").unwrap();
    assert_eq!(k101["suppressed"]["kind"], "annotation");
    assert_eq!(k101["suppressed"]["reason"], "lab machine");
    let unused = findings
        .iter()
        .find(|f| f["rule"] == "KSP002")
        .expect("unused suppression reported");
    assert!(unused["message"].as_str().unwrap().contains("KSP111"));
}

#[test]
fn config_exceptions_expire_and_select_ignore_severity_apply() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "pod.yaml", PRIVILEGED_POD);
    write(
        dir.path(),
        ".kspect.yaml",
        "select: [pss]\nignore: [KSP12]\nseverity: {KSP101: low}\nexceptions:\n  - rules: [KSP101]\n    match: {kind: Pod, name: 'ba*'}\n    reason: old exception\n    expires: 2026-01-01\n",
    );
    let r = run(&["scan", "pod.yaml", "--format", "json"], dir.path());
    let doc: Value = serde_json::from_str(&r.stdout).unwrap();
    let findings = doc["findings"].as_array().unwrap();
    // Only PSS baseline rules selected (KSP12x ignored), and the override applied.
    assert!(
        findings.iter().all(|f| {
            let id = f["rule"].as_str().unwrap();
            (id.starts_with("KSP10") || id.starts_with("KSP11") || id == "KSP003")
                && !id.starts_with("KSP12")
        }),
        "{findings:#?}"
    );
    let k101 = findings.iter().find(|f| f["rule"] == "KSP101").unwrap();
    assert_eq!(k101["severity"], "low");
    assert!(
        k101.get("suppressed").is_none_or(Value::is_null),
        "expired exceptions do not suppress"
    );
    let expired = findings
        .iter()
        .find(|f| f["rule"] == "KSP003")
        .expect("expired exception reported");
    assert_eq!(expired["location"]["line"], 5);

    // The same exception, not yet expired, suppresses.
    write(
        dir.path(),
        ".kspect.yaml",
        "exceptions:\n  - rules: [KSP101]\n    match: {kind: Pod, name: 'ba*'}\n    reason: lab\n    expires: 2027-01-01\n",
    );
    let r = run(&["scan", "pod.yaml", "--format", "json"], dir.path());
    let doc: Value = serde_json::from_str(&r.stdout).unwrap();
    let k101 = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "KSP101")
        .cloned()
        .unwrap();
    assert_eq!(k101["suppressed"]["kind"], "config");
}

#[test]
fn broken_config_is_a_usage_error_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "cm.yaml", CLEAN_CM);
    write(dir.path(), "k.yaml", "severity:\n  KSP101: extreme\n");
    let r = run(&["scan", "cm.yaml", "--config", "k.yaml"], dir.path());
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("k.yaml:2:"), "{}", r.stderr);
}

#[test]
fn rules_and_explain() {
    let root = repo_root();
    let r = run(&["rules", "--format", "json"], &root);
    assert_eq!(r.code, 0);
    let rules: Value = serde_json::from_str(&r.stdout).unwrap();
    let ids: Vec<&str> = rules
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"KSP101") && ids.contains(&"KSP002"));
    let r = run(&["explain", "KSP101"], &root);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("## How to fix"), "{}", r.stdout);
    assert_eq!(run(&["explain", "pss-privileged"], &root).code, 0);
}

#[test]
fn pss_json_has_the_contract_shape() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "pod.yaml", PRIVILEGED_POD);
    let r = run(
        &[
            "pss",
            "pod.yaml",
            "--level",
            "restricted",
            "--version",
            "v1.25",
            "--format",
            "json",
        ],
        dir.path(),
    );
    assert_eq!(r.code, 1);
    let doc: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(doc["level"], "restricted");
    assert_eq!(doc["version"], "v1.25");
    let result = &doc["results"][0];
    assert_eq!(
        result["object"],
        serde_json::json!({"apiVersion": "v1", "kind": "Pod", "namespace": "apps", "name": "bad"})
    );
    assert_eq!(
        result["source"],
        serde_json::json!({"file": "pod.yaml", "document": 1, "line": 1})
    );
    assert_eq!(result["allowed"], false);
    let checks: Vec<&str> = result["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["check"].as_str().unwrap())
        .collect();
    assert!(checks.contains(&"privileged"), "{checks:?}");
    let privileged = result["violations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["check"] == "privileged")
        .unwrap();
    assert_eq!(privileged["reason"], "privileged");
    assert_eq!(
        privileged["location"],
        serde_json::json!({"line": 11, "column": 9})
    );
    for key in ["check", "reason", "detail", "location"] {
        assert!(privileged.get(key).is_some());
    }
}

#[test]
fn pss_uses_namespace_labels_without_level() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "all.yaml",
        &format!(
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n  labels:\n    pod-security.kubernetes.io/enforce: baseline\n    pod-security.kubernetes.io/warn: restricted\n    pod-security.kubernetes.io/warn-version: v1.30\n---\n{}",
            PRIVILEGED_POD.replace("privileged: true", "runAsUser: 0")
        ),
    );
    let r = run(&["pss", "all.yaml", "--format", "json"], dir.path());
    assert_eq!(r.code, 0, "baseline enforce allows it: {}", r.stdout);
    let doc: Value = serde_json::from_str(&r.stdout).unwrap();
    let result = &doc["results"][0];
    assert_eq!(result["allowed"], true);
    assert_eq!(
        result["namespacePolicy"]["warn"],
        serde_json::json!({"level": "restricted", "version": "v1.30"})
    );
    let v = result["violations"].as_array().unwrap();
    assert!(!v.is_empty());
    assert!(
        v.iter().all(|v| v["modes"] == serde_json::json!(["warn"])),
        "{v:?}"
    );
}

#[test]
fn workload_templates_are_evaluated_with_template_locations() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "cron.yaml",
        "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: nightly\nspec:\n  schedule: '0 0 * * *'\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          hostPID: true\n          containers:\n            - name: c\n              image: busybox:1.36\n",
    );
    let r = run(
        &[
            "pss",
            "cron.yaml",
            "--level",
            "baseline",
            "--format",
            "json",
        ],
        dir.path(),
    );
    assert_eq!(r.code, 1);
    let doc: Value = serde_json::from_str(&r.stdout).unwrap();
    let v = &doc["results"][0]["violations"][0];
    assert_eq!(v["check"], "hostNamespaces");
    assert_eq!(v["location"]["line"], 11);
}

#[test]
fn bundled_example_runs() {
    let root = repo_root();
    let r = run(&["scan", "examples/", "--no-color"], &root);
    assert_eq!(r.code, 1, "the example has findings: {}", r.stderr);
    assert!(
        r.stdout.contains("examples/shop/node-agent.yaml"),
        "{}",
        r.stdout
    );
}

#[test]
fn every_rule_documents_why_attack_and_fix() {
    let root = repo_root();
    let r = run(&["rules", "--format", "json"], &root);
    let rules: Value = serde_json::from_str(&r.stdout).unwrap();
    for rule in rules.as_array().unwrap() {
        let id = rule["id"].as_str().unwrap();
        let doc = run(&["explain", id], &root).stdout;
        for section in kspect_core::rule::REQUIRED_DOC_SECTIONS {
            assert!(doc.contains(section), "{id} lacks {section}:\n{doc}");
        }
        assert!(doc.contains("```yaml"), "{id} has no YAML snippet");
    }
}

/// Two copies of a namespace with different labels and a policy the network model
/// rejects: scan still runs the network rules, and names each object it left out with
/// its file and line.
#[test]
fn scan_keeps_network_findings_when_one_policy_is_bad_or_an_object_is_duplicated() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a/app.yaml",
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, labels: {team: a}}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: c, image: nginx}]}\n",
    );
    write(
        dir.path(),
        "b/app.yaml",
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, labels: {team: b}}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: bad, namespace: shop}\nspec:\n  podSelector: {}\n  ingress: [{ports: [{port: 10, endPort: 1}]}]\n",
    );
    let r = run(&["scan", ".", "--format", "json", "--no-color"], dir.path());
    let doc: Value = serde_json::from_str(&r.stdout).unwrap();
    let network: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .filter(|id| id.starts_with("KSP4"))
        .collect();
    assert!(!network.is_empty(), "no network findings: {}", r.stdout);
    let warnings: Vec<String> = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{}:{} {}",
                d["file"].as_str().unwrap(),
                d["line"],
                d["message"]
            )
        })
        .collect();
    let b = std::path::Path::new(".").join("b").join("app.yaml");
    let b = b.display();
    assert!(
        warnings.iter().any(|w| w.starts_with(&format!("{b}:1 "))
            && w.contains("defined twice, with different labels")),
        "{warnings:?}"
    );
    assert!(
        warnings.iter().any(|w| w.starts_with(&format!("{b}:5 "))
            && w.contains("left out of the network analysis: port error")),
        "{warnings:?}"
    );
    assert!(
        !warnings.iter().any(|w| w.contains("analysis skipped")),
        "{warnings:?}"
    );
}

/// The schema check the CLI tests rely on rejects what is not SARIF.
#[test]
fn the_sarif_schema_check_rejects_a_log_without_runs() {
    let Some(errors) = common::sarif_schema_errors(&serde_json::json!({"version": "2.1.0"})) else {
        return;
    };
    assert!(errors.iter().any(|e| e.contains("runs")), "{errors:?}");
}
