//! `kspect bench` through the real binary: a node filesystem written by the test, with
//! expectations taken from the benchmark's definitions (CIS 1.1.1: the API server
//! manifest is 600 or stricter; 1.2.15: `--profiling=false`).

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use common::{repo_root, run, write};
use serde_json::Value;

fn apiserver_manifest(profiling: Option<&str>) -> String {
    let mut flags = vec![
        "kube-apiserver",
        "--advertise-address=10.0.0.10",
        "--authorization-mode=Node,RBAC",
        "--client-ca-file=/etc/kubernetes/pki/ca.crt",
    ];
    if let Some(p) = profiling {
        flags.push(p);
    }
    let command: String = flags.iter().map(|f| format!("    - {f}\n")).collect();
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: kube-apiserver\n  namespace: kube-system\nspec:\n  containers:\n  - name: kube-apiserver\n    image: registry.k8s.io/kube-apiserver:v1.32.2\n    command:\n{command}"
    )
}

fn node_tree(dir: &Path, mode: u32, profiling: Option<&str>) {
    let manifest = write(
        dir,
        "etc/kubernetes/manifests/kube-apiserver.yaml",
        &apiserver_manifest(profiling),
    );
    std::fs::set_permissions(&manifest, std::fs::Permissions::from_mode(mode)).unwrap();
    // kube-bench needs every required master component running (CHECKS.md §2.1): with
    // one missing, every command-line audit of the master target fails.
    for (name, flag) in [
        ("kube-scheduler", "--bind-address=127.0.0.1"),
        ("kube-controller-manager", "--bind-address=127.0.0.1"),
    ] {
        let m = write(
            dir,
            &format!("etc/kubernetes/manifests/{name}.yaml"),
            &format!(
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  namespace: kube-system\nspec:\n  containers:\n  - name: {name}\n    image: registry.k8s.io/{name}:v1.32.2\n    command:\n    - {name}\n    - {flag}\n"
            ),
        );
        std::fs::set_permissions(&m, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
}

fn status(doc: &Value, id: &str) -> String {
    doc["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id} in {doc}"))["status"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn node_checks_follow_the_benchmark() {
    let dir = tempfile::tempdir().unwrap();
    node_tree(dir.path(), 0o644, None);
    let root = dir.path().to_str().unwrap();
    let args = [
        "bench",
        "node",
        "--root",
        root,
        "--benchmark",
        "cis-1.12",
        "--targets",
        "master",
        "--check",
        "1.1.1,1.2.15",
        "--format",
        "json",
    ];
    let r = run(&args, &repo_root());
    assert_eq!(r.code, 1, "failures exit 1: {}", r.stderr);
    let doc: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(doc["benchmark"], "cis-1.12");
    assert_eq!(status(&doc, "1.1.1"), "FAIL", "0644 is wider than 600");
    assert_eq!(status(&doc, "1.2.15"), "FAIL", "profiling defaults to true");
    for c in doc["checks"].as_array().unwrap() {
        for key in ["id", "status", "scored", "evidence", "remediation"] {
            assert!(c.get(key).is_some(), "{key} missing in {c}");
        }
    }

    let hardened = tempfile::tempdir().unwrap();
    node_tree(hardened.path(), 0o600, Some("--profiling=false"));
    let root = hardened.path().to_str().unwrap();
    let args = [
        "bench",
        "node",
        "--root",
        root,
        "--benchmark",
        "cis-1.12",
        "--targets",
        "master",
        "--check",
        "1.1.1,1.2.15",
        "--format",
        "json",
    ];
    let r = run(&args, &repo_root());
    let doc: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(status(&doc, "1.1.1"), "PASS");
    assert_eq!(status(&doc, "1.2.15"), "PASS");
    assert_eq!(r.code, 0, "{}", r.stdout);
}

#[test]
fn kube_bench_json_and_sarif_formats() {
    let dir = tempfile::tempdir().unwrap();
    node_tree(dir.path(), 0o644, None);
    let root = dir.path().to_str().unwrap();
    let r = run(
        &[
            "bench",
            "node",
            "--root",
            root,
            "--benchmark",
            "cis-1.12",
            "--targets",
            "master",
            "--format",
            "kube-bench-json",
        ],
        &repo_root(),
    );
    let doc: Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(
        doc["Controls"].is_array() && doc["Totals"].is_object(),
        "{doc}"
    );
    let r = run(
        &[
            "bench",
            "node",
            "--root",
            root,
            "--benchmark",
            "cis-1.12",
            "--targets",
            "master",
            "--format",
            "sarif",
        ],
        &repo_root(),
    );
    let sarif: Value = serde_json::from_str(&r.stdout).unwrap();
    common::assert_valid_sarif(&sarif);
    assert!(!sarif["runs"][0]["results"].as_array().unwrap().is_empty());
}

#[test]
fn docker_from_saved_samples() {
    let Some(samples) = kspect_core::corpus::corpus_dir("cis/docker-samples") else {
        return;
    };
    let info = samples.join("docker-info.json");
    let inspect = samples.join("inspect-containers.json");
    let dir = tempfile::tempdir().unwrap();
    let r = run(
        &[
            "bench",
            "docker",
            "--root",
            dir.path().to_str().unwrap(),
            "--info",
            info.to_str().unwrap(),
            "--inspect",
            inspect.to_str().unwrap(),
            "--format",
            "json",
        ],
        &repo_root(),
    );
    let doc: Value =
        serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}{}", r.stdout, r.stderr));
    assert!(doc["checks"].as_array().is_some_and(|c| !c.is_empty()));
}

#[test]
fn bad_arguments_exit_2() {
    let r = run(
        &[
            "bench",
            "node",
            "--root",
            "/nonexistent-dir",
            "--benchmark",
            "cis-9",
        ],
        &repo_root(),
    );
    assert_eq!(r.code, 2);
}

fn check<'d>(doc: &'d Value, id: &str) -> &'d Value {
    doc["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id} in {doc}"))
}

/// The manifest written by `node_tree`: `--profiling=true` is the 15th line (after 10
/// lines up to `command:` and four command words).
#[test]
fn sources_in_json_table_and_sarif() {
    let dir = tempfile::tempdir().unwrap();
    node_tree(dir.path(), 0o644, Some("--profiling=true"));
    let root = dir.path().to_str().unwrap();
    let base = [
        "bench",
        "node",
        "--root",
        root,
        "--benchmark",
        "cis-1.12",
        "--targets",
        "master",
        "--check",
        "1.1.1,1.2.15",
    ];
    let manifest = "/etc/kubernetes/manifests/kube-apiserver.yaml";
    let with = |format: &str| {
        let mut a: Vec<&str> = base.to_vec();
        a.extend(["--format", format]);
        run(&a, &repo_root())
    };
    let r = with("json");
    let doc: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        check(&doc, "1.2.15")["source"],
        serde_json::json!({"file": manifest, "line": 15})
    );
    assert_eq!(
        check(&doc, "1.1.1")["source"],
        serde_json::json!({"file": manifest, "line": null})
    );
    let r = with("table");
    assert!(
        r.stdout.contains(&format!("source: {manifest}:15")),
        "{}",
        r.stdout
    );
    let r = with("sarif");
    let sarif: Value = serde_json::from_str(&r.stdout).unwrap();
    common::assert_valid_sarif(&sarif);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let res = results
        .iter()
        .find(|x| {
            x["message"]["text"]
                .as_str()
                .unwrap_or("")
                .starts_with("1.2.15 ")
        })
        .unwrap_or_else(|| panic!("{sarif}"));
    let loc = &res["locations"][0]["physicalLocation"];
    assert!(
        loc["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .ends_with("etc/kubernetes/manifests/kube-apiserver.yaml"),
        "{loc}"
    );
    assert_eq!(loc["region"]["startLine"], 15, "{loc}");
}

/// `--manifests`: a ClusterRoleBinding of cluster-admin to a user (CIS 5.1.1) is
/// decided, at the line of its subjects (line 9), and kube-bench's WARN stays visible.
#[test]
fn manifests_decide_policy_checks() {
    let dir = tempfile::tempdir().unwrap();
    let objects = write(
        dir.path(),
        "cluster/rbac.yaml",
        "apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: ci-admin
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: cluster-admin
subjects:
- kind: User
  name: ci-bot
",
    );
    let node = tempfile::tempdir().unwrap();
    let args = |format: &'static str| {
        vec![
            "bench".to_string(),
            "node".into(),
            "--root".into(),
            node.path().display().to_string(),
            "--benchmark".into(),
            "cis-1.12".into(),
            "--targets".into(),
            "policies".into(),
            "--check".into(),
            "5.1.1,5.4.2".into(),
            "--manifests".into(),
            objects.display().to_string(),
            "--format".into(),
            format.into(),
        ]
    };
    let a = args("json");
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let r = run(&a, &repo_root());
    let doc: Value =
        serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stderr));
    let c = check(&doc, "5.1.1");
    assert_eq!(c["status"], "FAIL", "{c}");
    assert_eq!(c["kube_bench_status"], "WARN", "{c}");
    assert_eq!(c["source"]["line"], 9, "{c}");
    assert!(c["source"]["file"].as_str().unwrap().ends_with("rbac.yaml"));
    assert_eq!(check(&doc, "5.4.2")["status"], "WARN");
    let a = args("kube-bench-json");
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let r = run(&a, &repo_root());
    let doc: Value = serde_json::from_str(&r.stdout).unwrap();
    let res = &doc["Controls"][0]["tests"][0]["results"][0];
    assert_eq!(res["test_number"], "5.1.1");
    assert_eq!(res["kube_bench_status"], "WARN", "{res}");
    // Without --manifests the check stays as kube-bench reports it.
    let r = run(
        &[
            "bench",
            "node",
            "--root",
            node.path().to_str().unwrap(),
            "--benchmark",
            "cis-1.12",
            "--targets",
            "policies",
            "--check",
            "5.1.1",
            "--format",
            "json",
        ],
        &repo_root(),
    );
    let doc: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(check(&doc, "5.1.1")["status"], "WARN");
}

#[path = "../../kspect-bench/tests/common/docker.rs"]
mod live;

/// `kspect bench docker` against the real daemon, when one answers here.
#[test]
fn docker_live_daemon() {
    if let Some(why) = live::unavailable() {
        println!("skipping: {why}");
        return;
    }
    let c = live::start(&format!("cli{}", std::process::id())).expect("start containers");
    let r = run(&["bench", "docker", "--format", "json"], &repo_root());
    let doc: Value =
        serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}{}", r.stdout, r.stderr));
    for id in ["5.10", "5.16", "5.32"] {
        let x = check(&doc, id);
        let ev = x["evidence"].as_str().unwrap();
        assert_eq!(x["status"], "FAIL", "{id}: {x}");
        assert!(ev.contains(&c.bad) && !ev.contains(&c.good), "{id}: {ev}");
    }
    assert_eq!(r.code, 1, "failures exit 1");
}
