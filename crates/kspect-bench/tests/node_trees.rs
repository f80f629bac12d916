//! Node trees written by the tests, with the results the benchmark definitions give
//! (worked out by hand from kube-bench's cis-1.11 test items and CHECKS.md, never by
//! running kspect).

mod common;

use common::*;
use kspect_bench::facts::NodeFacts;
use kspect_bench::node::{self, NodeOptions};
use kspect_bench::{Benchmark, Choice, Report, RootedFs, Status, Target};

fn run(t: &Tree, targets: Option<Vec<Target>>) -> Report {
    let fs = RootedFs::new(t.root());
    let facts = NodeFacts::offline(&fs);
    node::run(
        &facts,
        &NodeOptions {
            benchmark: Choice::Auto,
            targets,
            checks: vec![],
            manifests: None,
        },
    )
}

/// Compares every expectation, printing all disagreements before failing.
fn expect(report: &Report, expected: &[(&str, &str)]) {
    let mut bad = Vec::new();
    for (id, status) in expected {
        match report.get(id) {
            Some(r) if r.status.as_str() == *status => {}
            Some(r) => bad.push(format!(
                "{id}: expected {status}, got {} ({}; note: {:?})",
                r.status, r.evidence, r.note
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
}

fn expect_kube_bench(report: &Report, expected: &[(&str, Option<&str>)]) {
    let mut bad = Vec::new();
    for (id, kb) in expected {
        let r = report.get(id).unwrap();
        let got = r.kube_bench_status.map(|s| s.as_str());
        if got != *kb {
            bad.push(format!(
                "{id}: expected kube-bench {kb:?}, got {got:?} (note {:?})",
                r.note
            ));
        }
        if kb.is_some() {
            assert!(
                r.note
                    .as_deref()
                    .is_some_and(|n| n.starts_with("kube-bench reports")),
                "{id} lacks the reason"
            );
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// Expected results on a fresh `kubeadm init` control plane (Kubernetes 1.31 → cis-1.11).
const KUBEADM_DEFAULTS: &[(&str, &str)] = &[
    ("1.1.1", "PASS"),
    ("1.1.2", "PASS"),
    ("1.1.3", "PASS"),
    ("1.1.4", "PASS"),
    ("1.1.5", "PASS"),
    ("1.1.6", "PASS"),
    ("1.1.7", "PASS"),
    ("1.1.8", "PASS"),
    // calico's conflist is 0644: unscored → WARN.
    ("1.1.9", "WARN"),
    ("1.1.10", "PASS"),
    ("1.1.11", "PASS"),
    ("1.1.12", "FAIL"),
    ("1.1.13", "PASS"),
    ("1.1.14", "PASS"),
    ("1.1.15", "PASS"),
    ("1.1.16", "PASS"),
    ("1.1.17", "PASS"),
    ("1.1.18", "PASS"),
    ("1.1.19", "PASS"),
    ("1.1.20", "PASS"),
    ("1.1.21", "PASS"),
    ("1.2.1", "WARN"),
    ("1.2.2", "PASS"),
    ("1.2.3", "WARN"),
    ("1.2.4", "PASS"),
    ("1.2.5", "FAIL"),
    ("1.2.6", "PASS"),
    ("1.2.7", "PASS"),
    ("1.2.8", "PASS"),
    ("1.2.9", "WARN"),
    ("1.2.10", "PASS"),
    ("1.2.11", "WARN"),
    ("1.2.12", "PASS"),
    ("1.2.13", "PASS"),
    ("1.2.14", "PASS"),
    ("1.2.15", "FAIL"),
    ("1.2.16", "FAIL"),
    ("1.2.17", "FAIL"),
    ("1.2.18", "FAIL"),
    ("1.2.19", "FAIL"),
    ("1.2.20", "WARN"),
    ("1.2.21", "PASS"),
    ("1.2.22", "PASS"),
    ("1.2.23", "PASS"),
    ("1.2.24", "PASS"),
    ("1.2.25", "PASS"),
    ("1.2.26", "PASS"),
    ("1.2.27", "WARN"),
    ("1.2.28", "WARN"),
    ("1.2.29", "WARN"),
    ("1.2.30", "FAIL"),
    ("1.3.1", "WARN"),
    ("1.3.2", "FAIL"),
    ("1.3.3", "PASS"),
    ("1.3.4", "PASS"),
    ("1.3.5", "PASS"),
    ("1.3.6", "PASS"),
    ("1.3.7", "PASS"),
    ("1.4.1", "FAIL"),
    ("1.4.2", "PASS"),
    ("2.1", "PASS"),
    ("2.2", "PASS"),
    ("2.3", "PASS"),
    ("2.4", "PASS"),
    ("2.5", "PASS"),
    ("2.6", "PASS"),
    ("2.7", "PASS"),
    ("3.1.1", "WARN"),
    ("3.1.2", "WARN"),
    ("3.1.3", "WARN"),
    ("3.2.1", "WARN"),
    ("3.2.2", "WARN"),
    // The package's unit and drop-in are 0644.
    ("4.1.1", "FAIL"),
    ("4.1.2", "PASS"),
    // No kube-proxy kubeconfig on disk (kubeadm keeps it in a ConfigMap): CHECKS.md
    // 4.1.3/4.1.4 "missing → WARN", as kube-bench reports.
    ("4.1.3", "WARN"),
    ("4.1.4", "WARN"),
    ("4.1.5", "PASS"),
    ("4.1.6", "PASS"),
    ("4.1.7", "PASS"),
    ("4.1.8", "PASS"),
    // kubeadm writes config.yaml with 0644.
    ("4.1.9", "FAIL"),
    ("4.1.10", "PASS"),
    ("4.2.1", "PASS"),
    ("4.2.2", "PASS"),
    ("4.2.3", "PASS"),
    ("4.2.4", "PASS"),
    ("4.2.5", "PASS"),
    ("4.2.6", "PASS"),
    ("4.2.7", "PASS"),
    ("4.2.8", "PASS"),
    ("4.2.9", "WARN"),
    ("4.2.10", "PASS"),
    ("4.2.11", "PASS"),
    ("4.2.12", "WARN"),
    ("4.2.13", "WARN"),
    ("4.2.14", "WARN"),
    ("4.2.15", "WARN"),
    // kube-proxy runs as a DaemonSet: not on disk; its default binds metrics to localhost.
    ("4.3.1", "PASS"),
    ("5.1.1", "WARN"),
    ("5.1.7", "WARN"),
    ("5.2.2", "WARN"),
    ("5.2.9", "WARN"),
    ("5.2.13", "WARN"),
    ("5.6.4", "WARN"),
];

#[test]
fn kubeadm_defaults() {
    let t = Tree::new();
    kubeadm_control_plane(&t);
    let r = run(&t, None);
    assert_eq!(r.benchmark, "cis-1.11", "{}", r.benchmark_source);
    assert_eq!(
        r.targets,
        vec!["master", "etcd", "controlplane", "node", "policies"]
    );
    assert_eq!(r.checks.len(), 133);
    expect(&r, KUBEADM_DEFAULTS);
    // Where kube-bench differs on this node, and why.
    expect_kube_bench(
        &r,
        &[
            ("4.1.3", None),
            ("4.1.4", None),
            ("1.3.7", None),
            ("4.2.10", None),
        ],
    );
    let e = r.get("1.2.15").unwrap();
    assert!(e.evidence.contains("--profiling not set"), "{}", e.evidence);
    let e = r.get("4.1.9").unwrap();
    assert!(
        e.evidence
            .contains("/var/lib/kubelet/config.yaml: mode 644"),
        "{}",
        e.evidence
    );
    let e = r.get("4.2.1").unwrap();
    assert!(
        e.evidence
            .contains("authentication.anonymous.enabled: false (/var/lib/kubelet/config.yaml:4)"),
        "{}",
        e.evidence
    );
    // The package layout: kube-bench audits only /lib/systemd/system/kubelet.service.
    let n = r.get("4.1.1").unwrap();
    assert!(
        n.evidence.contains("10-kubeadm.conf: mode 644"),
        "{}",
        n.evidence
    );
    assert!(
        n.note
            .as_deref()
            .unwrap_or("")
            .contains("kube-bench audits only"),
        "{:?}",
        n.note
    );
}

#[test]
fn kubeadm_worker_runs_only_node_and_policies() {
    let t = Tree::new();
    kubeadm_worker(&t);
    let r = run(&t, None);
    assert_eq!(r.targets, vec!["node", "policies"]);
    // No control plane image: the version is unknown and cis-1.12 is used, saying so.
    assert_eq!(r.benchmark, "cis-1.12");
    assert!(r.notes.iter().any(|n| n.contains("no Kubernetes version")));
    assert!(r.get("4.2.15").is_none());
    expect(
        &r,
        &[
            ("4.1.1", "FAIL"),
            ("4.1.9", "FAIL"),
            ("4.2.1", "PASS"),
            ("4.2.10", "PASS"),
            ("4.2.12", "WARN"),
        ],
    );
}

fn hardened(t: &Tree) {
    kubeadm_control_plane(t);
    let cipher = "--tls-cipher-suites=TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256";
    t.write("/etc/kubernetes/manifests/kube-apiserver.yaml", 0o600, &apiserver_manifest(
        &[
            "--anonymous-auth=false",
            "--kubelet-certificate-authority=/etc/kubernetes/pki/ca.crt",
            "--profiling=false",
            "--audit-log-path=/var/log/kubernetes/audit.log",
            "--audit-log-maxage=30",
            "--audit-log-maxbackup=10",
            "--audit-log-maxsize=100",
            "--audit-policy-file=/etc/kubernetes/audit-policy.yaml",
            "--admission-control-config-file=/etc/kubernetes/admission.yaml",
            "--encryption-provider-config=/etc/kubernetes/enc/encryption.yaml",
            "--service-account-extend-token-expiration=false",
            cipher,
            "--enable-admission-plugins=NodeRestriction,EventRateLimit,AlwaysPullImages,DenyServiceExternalIPs",
        ],
        &["--enable-admission-plugins"],
    ));
    t.write("/etc/kubernetes/enc/encryption.yaml", 0o600, "apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n  - resources:\n      - secrets\n    providers:\n      - aescbc:\n          keys:\n            - name: key1\n              secret: c2VjcmV0IGlzIHNlY3VyZSwgb3IgaXMgaXQ/Cg==\n      - identity: {}\n");
    t.write(
        "/etc/kubernetes/manifests/kube-controller-manager.yaml",
        0o600,
        &controller_manager_manifest(
            &["--profiling=false", "--terminated-pod-gc-threshold=10"],
            &[],
        ),
    );
    t.write(
        "/etc/kubernetes/manifests/kube-scheduler.yaml",
        0o600,
        &scheduler_manifest(&["--profiling=false"], &[]),
    );
    t.chown("/var/lib/etcd", 1234, 1234);
    t.chmod("/usr/lib/systemd/system/kubelet.service", 0o600);
    t.chmod(
        "/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf",
        0o600,
    );
    t.chmod("/etc/cni/net.d/10-calico.conflist", 0o600);
    let cfg = KUBEADM_KUBELET_CONFIG.to_string()
        + "readOnlyPort: 0\neventRecordQPS: 50\npodPidsLimit: 4096\nseccompDefault: true\ntlsCertFile: /var/lib/kubelet/pki/kubelet.crt\ntlsPrivateKeyFile: /var/lib/kubelet/pki/kubelet.key\ntlsCipherSuites:\n- TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256\n- TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384\nfeatureGates:\n  RotateKubeletServerCertificate: true\nIPAddressDeny: any\n";
    t.write("/var/lib/kubelet/config.yaml", 0o600, &cfg);
}

#[test]
fn hardened_node_passes_every_automated_check() {
    let t = Tree::new();
    hardened(&t);
    let r = run(&t, None);
    let mut bad = Vec::new();
    for c in &r.checks {
        // 4.1.3/4.1.4 (manual): no kube-proxy kubeconfig file exists, which CHECKS.md
        // says is WARN.
        let manual_or_cluster =
            c.kind == "manual" || c.target == "policies" || c.id == "4.1.3" || c.id == "4.1.4";
        let expected = if manual_or_cluster {
            Status::Warn
        } else {
            Status::Pass
        };
        // 1.1.12 needs chown, which only root can do.
        if c.id == "1.1.12" && !is_root() {
            continue;
        }
        if c.status != expected {
            bad.push(format!(
                "{}: expected {expected}, got {} ({}; {:?})",
                c.id, c.status, c.evidence, c.note
            ));
        }
    }
    println!(
        "{} of {} passed",
        r.checks.len() - bad.len(),
        r.checks.len()
    );
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    let e = r.get("1.2.28").unwrap();
    assert!(e.evidence.contains("aescbc provider"), "{}", e.evidence);
}

fn broken(t: &Tree) {
    kubeadm_control_plane(t);
    t.write(
        "/etc/kubernetes/manifests/kube-apiserver.yaml",
        0o644,
        &apiserver_manifest(
            &[
                "--anonymous-auth=true",
                "--authorization-mode=AlwaysAllow",
                "--token-auth-file=/etc/kubernetes/tokens.csv",
                "--enable-admission-plugins=AlwaysAdmit",
                "--profiling",
                // The space form: kube-bench reads "true" and fails the integer comparison.
                "--audit-log-maxage",
                "30",
                "--encryption-provider-config=/etc/kubernetes/enc.yaml",
            ],
            &["--authorization-mode", "--enable-admission-plugins"],
        ),
    );
    // identity first: Secrets are written unencrypted although aescbc is listed too.
    t.write("/etc/kubernetes/enc.yaml", 0o600, "kind: EncryptionConfiguration\nresources:\n  - resources:\n      - configmaps\n    providers:\n      - aescbc:\n          keys: []\n  - resources:\n      - secrets\n    providers:\n      - identity: {}\n      - aescbc:\n          keys: []\n");
    t.write(
        "/etc/kubernetes/manifests/kube-controller-manager.yaml",
        0o600,
        &controller_manager_manifest(&[], &["--bind-address"]),
    );
    t.write(
        "/etc/kubernetes/manifests/kube-scheduler.yaml",
        0o600,
        &scheduler_manifest(&["--bind-address=0.0.0.0"], &["--bind-address"]),
    );
    t.write(
        "/etc/kubernetes/manifests/etcd.yaml",
        0o600,
        &etcd_manifest(
            &["--client-cert-auth=false", "--auto-tls=true"],
            &["--client-cert-auth", "--peer-cert-file"],
        ),
    );
    t.chmod("/etc/kubernetes/admin.conf", 0o644);
    t.chown("/etc/kubernetes/admin.conf", 1000, 1000);
    t.chmod("/etc/kubernetes/pki/sa.key", 0o644);
    t.chown("/var/lib/kubelet/config.yaml", 1000, 1000);
    t.write("/etc/default/kubelet", 0o644, "KUBELET_EXTRA_ARGS=\"--anonymous-auth=true --read-only-port=10255 --hostname-override=node1 --streaming-connection-idle-timeout=0s\"\n");
    let cfg = KUBEADM_KUBELET_CONFIG.replace("rotateCertificates: true\n", "")
        + "eventRecordQPS: 0\npodPidsLimit: -1\nseccompDefault: false\nfeatureGates:\n  RotateKubeletServerCertificate: false\n";
    t.write("/var/lib/kubelet/config.yaml", 0o644, &cfg);
}

#[test]
fn broken_node() {
    let t = Tree::new();
    broken(&t);
    let r = run(&t, None);
    let mut exp: Vec<(&str, &str)> = vec![
        ("1.1.1", "FAIL"),
        ("1.1.13", "FAIL"),
        ("1.1.21", "WARN"),
        ("1.2.1", "WARN"),
        ("1.2.2", "FAIL"),
        ("1.2.6", "FAIL"),
        ("1.2.7", "FAIL"),
        ("1.2.8", "FAIL"),
        ("1.2.10", "FAIL"),
        ("1.2.14", "FAIL"),
        ("1.2.15", "FAIL"),
        ("1.2.17", "PASS"),
        ("1.2.27", "PASS"),
        ("1.2.28", "WARN"),
        // --bind-address unset: the default is 0.0.0.0.
        ("1.3.7", "FAIL"),
        ("1.4.2", "FAIL"),
        ("2.2", "FAIL"),
        ("2.3", "FAIL"),
        ("2.4", "FAIL"),
        ("2.5", "PASS"),
        ("4.1.9", "FAIL"),
        // The flag in /etc/default/kubelet overrides anonymous.enabled: false.
        ("4.2.1", "FAIL"),
        ("4.2.4", "WARN"),
        ("4.2.5", "WARN"),
        ("4.2.7", "WARN"),
        ("4.2.8", "WARN"),
        ("4.2.10", "FAIL"),
        ("4.2.11", "WARN"),
        ("4.2.13", "WARN"),
        ("4.2.14", "WARN"),
    ];
    if is_root() {
        exp.extend([("1.1.14", "FAIL"), ("4.1.10", "FAIL")]);
    }
    expect(&r, &exp);
    // kube-bench's verdicts where it is known to be wrong on this node.
    expect_kube_bench(
        &r,
        &[
            ("1.2.17", Some("FAIL")),
            ("1.2.28", Some("PASS")),
            ("1.3.7", Some("PASS")),
            ("4.2.5", Some("PASS")),
            ("4.2.8", Some("PASS")),
            ("4.2.10", Some("PASS")),
            ("4.2.13", Some("PASS")),
            ("4.2.14", Some("PASS")),
            ("4.2.1", None),
            ("1.2.6", None),
        ],
    );
    let a = r.get("4.2.1").unwrap();
    assert!(
        a.evidence
            .contains("--anonymous-auth=true (/etc/default/kubelet:1)"),
        "{}",
        a.evidence
    );
    let a = r.get("1.2.6").unwrap();
    assert!(
        a.evidence
            .contains("/etc/kubernetes/manifests/kube-apiserver.yaml:"),
        "{}",
        a.evidence
    );
}

#[test]
fn explicit_targets_and_check_filter() {
    let t = Tree::new();
    kubeadm_worker(&t);
    let fs = RootedFs::new(t.root());
    let facts = NodeFacts::offline(&fs);
    let r = node::run(
        &facts,
        &NodeOptions {
            benchmark: Choice::Fixed(Benchmark::Cis112),
            targets: Some(vec![Target::Master]),
            checks: vec!["1.2.5".into(), "1.1.1".into()],
            manifests: None,
        },
    );
    assert_eq!(r.checks.len(), 2);
    // No API server on a worker: its manifest is missing and its flags absent.
    assert_eq!(r.get("1.1.1").unwrap().status, Status::Fail);
    // CHECKS.md §2.1: a required component that does not run leaves kube-bench with no
    // binary names, and every command-line audit of the target fails.
    let e = r.get("1.2.5").unwrap();
    assert_eq!(e.status, Status::Fail);
    assert!(
        e.evidence
            .contains("kube-apiserver, kube-scheduler, kube-controller-manager not found"),
        "{}",
        e.evidence
    );
}

#[test]
fn live_mode_reads_proc() {
    let t = Tree::new();
    kubeadm_worker(&t);
    let proc_dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(proc_dir.path().join("4321")).unwrap();
    std::fs::write(
        proc_dir.path().join("4321/cmdline"),
        "/usr/bin/kubelet\0--kubeconfig=/etc/kubernetes/kubelet.conf\0--config=/var/lib/kubelet/config.yaml\0--read-only-port=10255\0",
    )
    .unwrap();
    let fs = RootedFs::new(t.root());
    let facts = NodeFacts::live(&fs, proc_dir.path());
    let r = node::run(
        &facts,
        &NodeOptions {
            benchmark: Choice::Fixed(Benchmark::Cis112),
            targets: Some(vec![Target::Node]),
            checks: vec![],
            manifests: None,
        },
    );
    let ro = r.get("4.2.4").unwrap();
    assert_eq!(ro.status, Status::Warn);
    assert!(
        ro.evidence.contains("/proc/4321/cmdline"),
        "{}",
        ro.evidence
    );
    assert_eq!(r.get("4.2.1").unwrap().status, Status::Pass);
}

#[test]
fn kubelet_without_config_file_uses_flag_defaults() {
    let t = Tree::new();
    t.write("/etc/systemd/system/kubelet.service", 0o600, "[Service]\nExecStart=/usr/bin/kubelet --kubeconfig=/etc/kubernetes/kubelet.conf --client-ca-file=/etc/kubernetes/pki/ca.crt\n");
    // A stray config file that the kubelet does not load (no --config).
    t.write(
        "/var/lib/kubelet/config.yaml",
        0o600,
        "authentication:\n  anonymous:\n    enabled: false\nauthorization:\n  mode: Webhook\n",
    );
    let r = run(&t, Some(vec![Target::Node]));
    // Flag defaults: anonymous auth on, AlwaysAllow, read-only port 10255.
    expect(
        &r,
        &[("4.2.1", "FAIL"), ("4.2.2", "FAIL"), ("4.2.4", "WARN")],
    );
    expect_kube_bench(
        &r,
        &[
            ("4.2.1", Some("PASS")),
            ("4.2.2", Some("PASS")),
            ("4.2.4", Some("PASS")),
        ],
    );
}

/// Keeps a broken tree on disk for manual inspection when KSPECT_KEEP_TREE is set.
#[test]
fn keep_tree_for_inspection() {
    let Ok(dest) = std::env::var("KSPECT_KEEP_TREE") else {
        return;
    };
    let t = Tree::new();
    broken(&t);
    let keep = t.dir.keep();
    std::fs::write(dest, keep.display().to_string()).unwrap();
}

#[test]
fn failures_become_findings() {
    let t = Tree::new();
    broken(&t);
    let r = run(&t, None);
    let findings = kspect_bench::findings::findings(&r);
    let fails = r.checks.iter().filter(|c| c.status == Status::Fail).count();
    assert_eq!(findings.len(), fails);
    let f = findings
        .iter()
        .find(|f| f.message.starts_with("1.2.6 "))
        .unwrap();
    assert_eq!(f.rule, "KSP602");
    assert_eq!(f.category, "cis");
    assert!(f.references.iter().any(|x| x.id == "1.2.6"));
    assert!(
        findings
            .iter()
            .any(|f| f.rule == "KSP605" && f.message.starts_with("2.2 "))
    );
    assert!(
        findings
            .iter()
            .any(|f| f.rule == "KSP608" && f.message.starts_with("4.2.1 "))
    );
    // kspect's JSON shape.
    let j = kspect_bench::render::json(&r);
    assert_eq!(j["benchmark"], "cis-1.11");
    let c = j["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "1.2.6")
        .unwrap();
    assert_eq!(c["status"], "FAIL");
    assert_eq!(c["scored"], true);
    assert!(c["evidence"].as_str().unwrap().contains("AlwaysAllow"));
    assert!(
        c["remediation"]
            .as_str()
            .unwrap()
            .starts_with("Remove AlwaysAllow from --authorization-mode")
    );
}

/// CHECKS.md §2.1: a required component with no running candidate leaves kube-bench
/// with no binary names, so every command-line audit of the target fails, even items
/// that pass when a flag is absent; optional components (kube-proxy on node) fall back
/// to their name and are audited as not running.
#[test]
fn missing_required_component_fails_the_targets_flag_checks() {
    let t = Tree::new();
    kubeadm_control_plane(&t);
    std::fs::remove_file(t.host("/etc/kubernetes/manifests/kube-scheduler.yaml")).unwrap();
    let r = run(&t, Some(vec![Target::Master, Target::Node]));
    expect(
        &r,
        &[
            // AlwaysAdmit absent passes when the API server is audited ...
            ("1.2.10", "FAIL"),
            // ... and so does --bind-address absent for the controller manager.
            ("1.3.7", "FAIL"),
            ("1.4.1", "FAIL"),
            // Unscored: WARN.
            ("1.2.1", "WARN"),
            // File checks do not depend on the binaries.
            ("1.1.1", "PASS"),
            // The node target's kubelet runs; kube-proxy is optional and its
            // default binds metrics to localhost.
            ("4.2.6", "PASS"),
            ("4.3.1", "PASS"),
        ],
    );
    assert!(
        r.get("1.2.10")
            .unwrap()
            .evidence
            .contains("kube-scheduler not found")
    );

    // A node without any kubelet: every kubelet and kube-proxy flag check fails.
    let t = Tree::new();
    t.write(
        "/var/lib/kubelet/config.yaml",
        0o600,
        KUBEADM_KUBELET_CONFIG,
    );
    let r = run(&t, Some(vec![Target::Node]));
    expect(
        &r,
        &[
            ("4.2.1", "FAIL"),
            ("4.2.6", "FAIL"),
            ("4.2.4", "WARN"),
            ("4.3.1", "FAIL"),
            ("4.1.9", "PASS"),
        ],
    );
}
