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
