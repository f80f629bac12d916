//! Every result says where its evidence was read. The node trees are written line by
//! line here, so the expected file and line of each flag, key and file are counted by
//! hand from the text below, never taken from kspect's output.

mod common;

use common::Tree;
use kspect_bench::cmdline::Origin;
use kspect_bench::facts::NodeFacts;
use kspect_bench::node::{self, NodeOptions};
use kspect_bench::{Benchmark, Choice, Report, RootedFs, Status, Target};

const APISERVER: &str = "/etc/kubernetes/manifests/kube-apiserver.yaml";
const UNIT: &str = "/etc/systemd/system/kubelet.service";
const DROPIN: &str = "/etc/systemd/system/kubelet.service.d/10-kubeadm.conf";
const EXTRA: &str = "/etc/default/kubelet";
const CONFIG: &str = "/var/lib/kubelet/config.yaml";
const ENC: &str = "/etc/kubernetes/enc.yaml";

/// Line numbers in the comments are the ones the assertions use.
fn tree() -> Tree {
    let t = Tree::new();
    t.write(
        APISERVER,
        0o644,
        "apiVersion: v1
kind: Pod
metadata:
  name: kube-apiserver
  namespace: kube-system
spec:
  containers:
  - command:
    - kube-apiserver
    - --profiling=true
    - --authorization-mode=Node,RBAC
    - --anonymous-auth=false
    args:
    - --audit-log-path=/var/log/a.log
    - --encryption-provider-config=/etc/kubernetes/enc.yaml
    image: registry.k8s.io/kube-apiserver:v1.31.4
    name: kube-apiserver
",
    ); // command word 1 on line 9, --profiling line 10, args from line 14
    // The other required master components run too (else every command-line audit of
    // the master target fails, as in kube-bench).
    t.write(
        "/etc/kubernetes/manifests/kube-scheduler.yaml",
        0o600,
        &common::scheduler_manifest(&[], &[]),
    );
    t.write(
        "/etc/kubernetes/manifests/kube-controller-manager.yaml",
        0o600,
        &common::controller_manager_manifest(&[], &[]),
    );
    t.write(
        ENC,
        0o600,
        "apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
- resources:
  - secrets
  providers:
  - identity: {}
  - aescbc:
      keys: []
",
    ); // first provider of the secrets entry on line 7
    t.write(
        UNIT,
        0o644,
        "[Unit]
Description=kubelet
[Service]
ExecStart=/usr/bin/kubelet
",
    );
    t.write(
        DROPIN,
        0o600,
        "[Service]
Environment=\"KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml\"
EnvironmentFile=-/etc/default/kubelet
ExecStart=
ExecStart=/usr/bin/kubelet $KUBELET_CONFIG_ARGS $KUBELET_EXTRA_ARGS --rotate-certificates=false
",
    ); // --config from line 2, ExecStart on line 5
    t.write(
        EXTRA,
        0o644,
        "# extra flags
KUBELET_EXTRA_ARGS=--read-only-port=10255 --anonymous-auth=true
",
    ); // both flags on line 2
    t.write(
        CONFIG,
        0o644,
        "apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  anonymous:
    enabled: false
authorization:
  mode: AlwaysAllow
readOnlyPort: 0
",
    ); // authorization.mode on line 7
    t
}

fn run(t: &Tree) -> Report {
    let fs = RootedFs::new(t.root());
    node::run(
        &NodeFacts::offline(&fs),
        &NodeOptions {
            benchmark: Choice::Fixed(Benchmark::Cis112),
            targets: Some(vec![Target::Master, Target::Node]),
            ..NodeOptions::default()
        },
    )
}

fn at(file: &str, line: u32) -> Option<Origin> {
    Some(Origin::at(file, line))
}

fn whole(file: &str) -> Option<Origin> {
    Some(Origin::file(file))
}

#[test]
fn flags_keys_and_files_point_at_file_and_line() {
    let t = tree();
    let r = run(&t);
    let expected: &[(&str, Status, Option<Origin>)] = &[
        // A flag in the manifest's command: list.
        ("1.2.15", Status::Fail, at(APISERVER, 10)),
        // A flag in args:.
        ("1.2.16", Status::Pass, at(APISERVER, 14)),
        // Not set: the command line where it would be added (its first word).
        ("1.2.5", Status::Fail, at(APISERVER, 9)),
        // Both flags absent: the command line.
        ("1.2.4", Status::Fail, at(APISERVER, 9)),
        // File mode of the manifest: the file itself.
        ("1.1.1", Status::Fail, whole(APISERVER)),
        // The provider that writes Secrets, inside the EncryptionConfiguration.
        ("1.2.28", Status::Warn, at(ENC, 7)),
        // A kubelet flag from an EnvironmentFile.
        ("4.2.1", Status::Fail, at(EXTRA, 2)),
        ("4.2.4", Status::Warn, at(EXTRA, 2)),
        // A kubelet flag written literally on the drop-in's ExecStart= line.
        ("4.2.10", Status::Fail, at(DROPIN, 5)),
        // A config-file key.
        ("4.2.2", Status::Fail, at(CONFIG, 7)),
        // Set nowhere: the kubelet's config file, where the key belongs.
        ("4.2.3", Status::Fail, whole(CONFIG)),
        // Mode of the config file.
        ("4.1.9", Status::Fail, whole(CONFIG)),
        // The unit is 644 (fails), the drop-in 600: the failing file first.
        ("4.1.1", Status::Fail, whole(UNIT)),
    ];
    let mut bad = Vec::new();
    for (id, status, source) in expected {
        match r.get(id) {
            Some(c) if c.status == *status && c.source == *source => {}
            Some(c) => bad.push(format!(
                "{id}: expected {status} at {source:?}, got {} at {:?} ({})",
                c.status, c.source, c.evidence
            )),
            None => bad.push(format!("{id}: missing")),
        }
    }
    println!(
        "{} of {} passed",
        expected.len() - bad.len(),
        expected.len()
    );
    assert!(bad.is_empty(), "disagreements:\n{}", bad.join("\n"));
    // Every file of the kubelet unit is listed, the failing one first.
    assert_eq!(
        r.get("4.1.1").unwrap().sources,
        vec![Origin::file(UNIT), Origin::file(DROPIN)]
    );
    // Manual checks read nothing.
    assert_eq!(r.get("1.2.20").map(|c| c.source.clone()), Some(None));
}

#[test]
fn json_carries_the_source() {
    let t = tree();
    let r = run(&t);
    let doc = kspect_bench::render::json(&r);
    let check = |id: &str| {
        doc["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(
        check("1.2.15")["source"],
        serde_json::json!({"file": APISERVER, "line": 10})
    );
    assert_eq!(
        check("4.1.9")["source"],
        serde_json::json!({"file": CONFIG, "line": null})
    );
    assert!(check("1.2.20")["source"].is_null(), "manual: no source");
    // The table prints it under the evidence of what did not pass.
    let text = kspect_bench::render::text(&r);
    assert!(text.contains(&format!("source: {APISERVER}:10")), "{text}");
}

#[test]
fn findings_are_located_under_the_root() {
    let t = tree();
    let r = run(&t);
    let findings = kspect_bench::findings::findings_under(&r, Some(t.root()));
    let f = findings
        .iter()
        .find(|f| f.message.starts_with("1.2.15 "))
        .unwrap();
    let loc = f.location.as_ref().unwrap();
    assert_eq!(
        &*loc.file,
        t.root()
            .join("etc/kubernetes/manifests/kube-apiserver.yaml")
            .to_str()
            .unwrap()
    );
    assert_eq!(loc.line, 10);
}

#[test]
fn live_mode_points_at_proc_cmdline() {
    let t = tree();
    let proc_dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(proc_dir.path().join("4321")).unwrap();
    std::fs::write(
        proc_dir.path().join("4321/cmdline"),
        "/usr/bin/kubelet\0--config=/var/lib/kubelet/config.yaml\0--read-only-port=10255\0",
    )
    .unwrap();
    let fs = RootedFs::new(t.root());
    let r = node::run(
        &NodeFacts::live(&fs, proc_dir.path()),
        &NodeOptions {
            benchmark: Choice::Fixed(Benchmark::Cis112),
            targets: Some(vec![Target::Node]),
            ..NodeOptions::default()
        },
    );
    assert_eq!(r.get("4.2.4").unwrap().source, whole("/proc/4321/cmdline"));
    // A key of the config file the live kubelet's --config names.
    assert_eq!(r.get("4.2.2").unwrap().source, at(CONFIG, 7));
}
