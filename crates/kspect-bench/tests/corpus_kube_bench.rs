//! kspect's check table held against kube-bench's own benchmark YAML (cis-1.11 and
//! cis-1.12 in the shared corpus), and kspect's results against kube-bench's sample
//! reports where their inputs are known.

mod common;

use std::path::Path;

use kspect_bench::checks::{self, Audit, BinOp, Op, Target};
use kspect_bench::facts::{Component, NodeFacts};
use kspect_bench::node::{self, NodeOptions};
use kspect_bench::{Benchmark, Choice, RootedFs, Status, render};
use serde_json::Value;

fn yaml(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    // kube-bench's etcd.yaml continues a double-quoted `text:` on a line indented no
    // deeper than its key, which Go's YAML accepts and saphyr (kspect-core) rejects;
    // join such continuation lines first. Only titles are affected.
    let mut joined = String::new();
    let mut open = false;
    for line in text.lines() {
        if open {
            joined.push(' ');
            joined.push_str(line.trim());
        } else {
            joined.push('\n');
            joined.push_str(line);
        }
        if line.matches('"').count() % 2 == 1 {
            open = !open;
        }
    }
    kspect_core::yaml::parse_document(&joined, 0)
        .unwrap()
        .unwrap()
        .value
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        _ => v.to_string(),
    }
}

fn op(name: &str) -> Option<Op> {
    Some(match name {
        "eq" => Op::Eq,
        "noteq" => Op::NotEq,
        "gte" => Op::Gte,
        "has" => Op::Has,
        "nothave" => Op::NotHave,
        "valid_elements" => Op::ValidElements,
        "bitmask" => Op::Bitmask,
        _ => return None,
    })
}

fn expected_audit(audit: &str, check_type: &str) -> Option<&'static str> {
    if check_type == "manual" {
        return Some("manual");
    }
    let a = audit;
    Some(if a.contains("kubectl") {
        "cluster"
    } else if a.contains("ENCRYPTION_PROVIDER_CONFIG") {
        "encryption"
    } else if a.contains("permissions=") {
        "mode"
    } else if a.contains("%U:%G") {
        "owner"
    } else if a.contains("$apiserverbin") {
        "apiserver"
    } else if a.contains("$controllermanagerbin") {
        "controller-manager"
    } else if a.contains("$schedulerbin") {
        "scheduler"
    } else if a.contains("$etcdbin") {
        "etcd"
    } else if a.contains("$kubeletbin") {
        "kubelet"
    } else if a.contains("$proxybin") {
        "proxy"
    } else {
        return None;
    })
}

fn audit_name(a: Audit) -> &'static str {
    match a {
        Audit::Manual => "manual",
        Audit::Cluster => "cluster",
        Audit::EncryptionProviders => "encryption",
        Audit::Mode(_) => "mode",
        Audit::Owner(_) => "owner",
        Audit::Flags(Component::ApiServer) => "apiserver",
        Audit::Flags(Component::ControllerManager) => "controller-manager",
        Audit::Flags(Component::Scheduler) => "scheduler",
        Audit::Flags(Component::Etcd) => "etcd",
        Audit::Flags(Component::Kubelet) => "kubelet",
        Audit::Flags(Component::Proxy) => "proxy",
    }
}

#[test]
fn check_table_matches_kube_bench_definitions() {
    let Some(dir) = kspect_core::corpus::corpus_dir("cis/kube-bench-cfg") else {
        return;
    };
    let mut total = 0;
    let mut bad: Vec<String> = Vec::new();
    for (bench, name) in [
        (Benchmark::Cis111, "cis-1.11"),
        (Benchmark::Cis112, "cis-1.12"),
    ] {
        let mut seen = Vec::new();
        for (file, target) in [
            ("master.yaml", Target::Master),
            ("etcd.yaml", Target::Etcd),
            ("controlplane.yaml", Target::ControlPlane),
            ("node.yaml", Target::Node),
            ("policies.yaml", Target::Policies),
        ] {
            let doc = yaml(&dir.join(name).join(file));
            for group in doc["groups"].as_array().unwrap() {
                for c in group["checks"].as_array().unwrap() {
                    total += 1;
                    let id = text(&c["id"]);
                    seen.push(id.clone());
                    let mut err = |m: String| bad.push(format!("{name} {id}: {m}"));
                    let Some(def) = checks::checks(bench).find(|d| d.id == id) else {
                        err("missing from kspect's table".into());
                        continue;
                    };
                    if def.target != target {
                        err(format!("target {:?} != {:?}", def.target, target));
                    }
                    if def.group != text(&group["id"]) {
                        err(format!("group {} != {}", def.group, text(&group["id"])));
                    }
                    if def.scored != c["scored"].as_bool().unwrap_or(false) {
                        err(format!("scored {}", def.scored));
                    }
                    let ctype = c.get("type").map(text).unwrap_or_default();
                    let audit = c.get("audit").map(text).unwrap_or_default();
                    if expected_audit(&audit, &ctype) != Some(audit_name(def.audit)) {
                        err(format!("audit {:?} for {audit:?}", audit_name(def.audit)));
                    }
                    let multiple = c
                        .get("use_multiple_values")
                        .and_then(Value::as_bool)
                        .unwrap_or(false);
                    if def.multiple != multiple {
                        err(format!("use_multiple_values {}", def.multiple));
                    }
                    let Some(tests) = c.get("tests") else {
                        if !def.items.is_empty() {
                            err("kspect has test items kube-bench does not".into());
                        }
                        continue;
                    };
                    let bin_op = match tests.get("bin_op").map(text).as_deref() {
                        Some("or") => BinOp::Or,
                        _ => BinOp::And,
                    };
                    if def.bin_op != bin_op {
                        err(format!("bin_op {:?}", def.bin_op));
                    }
                    let items = tests["test_items"].as_array().unwrap();
                    if items.len() != def.items.len() {
                        err(format!(
                            "{} items, kube-bench has {}",
                            def.items.len(),
                            items.len()
                        ));
                        continue;
                    }
                    for (i, (mine, theirs)) in def.items.iter().zip(items).enumerate() {
                        let flag = text(&theirs["flag"]);
                        let path = theirs.get("path").map(text);
                        let env = theirs.get("env").map(text);
                        let set = theirs.get("set").and_then(Value::as_bool).unwrap_or(true);
                        let cmp = theirs
                            .get("compare")
                            .map(|c| (op(&text(&c["op"])), text(&c["value"])));
                        if mine.flag != flag
                            || mine.path.map(str::to_string) != path
                            || mine.env.map(str::to_string) != env
                            || mine.set != set
                        {
                            err(format!(
                                "item {i}: {mine:?} vs flag={flag} path={path:?} env={env:?} set={set}"
                            ));
                        }
                        let mine_cmp = mine.compare.map(|(o, v)| (Some(o), v.to_string()));
                        if mine_cmp != cmp {
                            err(format!("item {i}: compare {:?} vs {cmp:?}", mine.compare));
                        }
                    }
                }
            }
        }
        let extra: Vec<&str> = checks::checks(bench)
            .map(|d| d.id)
            .filter(|id| !seen.iter().any(|s| s == id))
            .collect();
        if !extra.is_empty() {
            bad.push(format!(
                "{name}: kspect has checks kube-bench does not: {extra:?}"
            ));
        }
    }
    let failed: std::collections::BTreeSet<String> = bad
        .iter()
        .map(|b| b.split(':').next().unwrap_or("").to_string())
        .collect();
    println!("{} of {} passed", total - failed.len(), total);
    assert!(
        bad.is_empty(),
        "first disagreements:\n{}",
        bad.iter().take(20).cloned().collect::<Vec<_>>().join("\n")
    );
}

/// kube-bench's sample JSON reports: 1.1.1 with `permissions=600`, 2.1 with the minikube
/// etcd command line it printed, and the manual 3.1.1. kspect must give the same status,
/// and its kube-bench-json output must carry every field the samples have.
#[test]
fn sample_reports_agree() {
    let Some(dir) = kspect_core::corpus::corpus_dir("cis/kube-bench-cfg/testdata/cmd") else {
        return;
    };
    let sample: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("result.json")).unwrap()).unwrap();
    let t = common::Tree::new();
    let mut etcd_line = String::new();
    let mut cases = Vec::new();
    for control in sample["Controls"].as_array().unwrap() {
        for test in control["tests"].as_array().unwrap() {
            for r in test["results"].as_array().unwrap() {
                let id = r["test_number"].as_str().unwrap().to_string();
                let actual = r["actual_value"].as_str().unwrap_or("");
                if id == "2.1" {
                    etcd_line = actual
                        .lines()
                        .find(|l| l.contains(" etcd "))
                        .unwrap()
                        .to_string();
                }
                if id == "1.1.1" {
                    let mode =
                        u32::from_str_radix(actual.trim().trim_start_matches("permissions="), 8)
                            .unwrap();
                    t.write(
                        "/etc/kubernetes/manifests/kube-apiserver.yaml",
                        mode,
                        &common::apiserver_manifest(&[], &[]),
                    );
                }
                cases.push((id, r["status"].as_str().unwrap().to_string(), r.clone()));
            }
        }
    }
    // The ps line: user pid ppid c stime tty time cmd...
    let argv: Vec<&str> = etcd_line.split_whitespace().skip(7).collect();
    assert_eq!(argv[0], "etcd");
    let mut manifest = String::from(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: etcd\nspec:\n  containers:\n  - name: etcd\n    command:\n",
    );
    for a in &argv {
        manifest.push_str(&format!("    - {a}\n"));
    }
    t.write("/etc/kubernetes/manifests/etcd.yaml", 0o600, &manifest);
    let fs = RootedFs::new(t.root());
    let facts = NodeFacts::offline(&fs);
    let report = node::run(
        &facts,
        &NodeOptions {
            benchmark: Choice::Fixed(Benchmark::Cis112),
            targets: None,
            checks: vec![],
            manifests: None,
        },
    );
    let rendered = render::kube_bench_json(&report);
    let mut bad = Vec::new();
    for (id, status, sample_result) in &cases {
        let Some(mine) = report.get(id) else {
            bad.push(format!("{id}: not run"));
            continue;
        };
        if mine.status.as_str() != status {
            bad.push(format!(
                "{id}: kube-bench {status}, kspect {} ({})",
                mine.status, mine.evidence
            ));
        }
        let ours = rendered["Controls"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|c| c["tests"].as_array().unwrap().iter())
            .flat_map(|t| t["results"].as_array().unwrap().iter())
            .find(|r| r["test_number"] == id.as_str())
            .unwrap();
        for key in sample_result.as_object().unwrap().keys() {
            if ours.get(key).is_none() {
                bad.push(format!("{id}: kube-bench-json lacks {key}"));
            }
        }
        if let Some(reason) = sample_result.get("reason") {
            assert_eq!(ours.get("reason"), Some(reason), "{id} reason");
        }
    }
    for key in ["Controls", "Totals"] {
        assert!(rendered.get(key).is_some());
    }
    for key in sample["Controls"][0].as_object().unwrap().keys() {
        if rendered["Controls"][0].get(key).is_none() {
            bad.push(format!("control lacks {key}"));
        }
    }
    for key in sample["Controls"][0]["tests"][0]
        .as_object()
        .unwrap()
        .keys()
    {
        if rendered["Controls"][0]["tests"][0].get(key).is_none() {
            bad.push(format!("section lacks {key}"));
        }
    }
    for key in sample["Totals"].as_object().unwrap().keys() {
        if rendered["Totals"].get(key).is_none() {
            bad.push(format!("Totals lacks {key}"));
        }
    }
    println!(
        "{} of {} passed",
        cases.len() - bad.len().min(cases.len()),
        cases.len()
    );
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    assert_eq!(report.get("2.1").unwrap().status, Status::Pass);
}
