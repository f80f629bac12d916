//! Corpus tests over `../shared/corpus/audit`: the policy evaluator against the
//! cross-check table of its README, every event sample read in every shape, and
//! findings on the corpus policies.

use std::path::{Path, PathBuf};

use kspect_audit::policy::{self, Level, Policy, Request, ResourceAttrs};
use kspect_audit::reader;

fn corpus() -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/audit");
    if p.is_dir() {
        return Some(p);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("corpus not found at {}", p.display());
    }
    println!("skipping: corpus not found at {}", p.display());
    None
}

fn report(name: &str, total: usize, failures: &[String]) {
    println!("{name}: {} of {total} passed", total - failures.len());
    assert!(
        failures.is_empty(),
        "{name}: {} of {total} disagree; first ones:\n{}",
        failures.len(),
        failures
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

fn probe(label: &str) -> Request {
    let alice = |verb: &str, group: &str, res: &str, sub: &str, ns: &str, name: &str| Request {
        user: "alice".into(),
        groups: vec!["system:authenticated".into()],
        verb: verb.into(),
        resource: Some(ResourceAttrs {
            group: group.into(),
            resource: res.into(),
            subresource: sub.into(),
            namespace: ns.into(),
            name: name.into(),
        }),
        path: String::new(),
    };
    match label {
        "get secret default/db (alice)" => alice("get", "", "secrets", "", "default", "db"),
        "list secrets kube-system (alice)" => alice("list", "", "secrets", "", "kube-system", ""),
        "create configmap kube-system (alice)" => {
            alice("create", "", "configmaps", "", "kube-system", "")
        }
        "create pods/exec default (alice)" => alice("create", "", "pods", "exec", "default", ""),
        "create pod default (alice)" => alice("create", "", "pods", "", "default", ""),
        "create clusterrolebinding (alice)" => alice(
            "create",
            "rbac.authorization.k8s.io",
            "clusterrolebindings",
            "",
            "",
            "",
        ),
        "create serviceaccounts/token (alice)" => {
            alice("create", "", "serviceaccounts", "token", "default", "")
        }
        "get /healthz (system:anonymous)" => Request {
            user: "system:anonymous".into(),
            groups: vec!["system:unauthenticated".into()],
            verb: "get".into(),
            resource: None,
            path: "/healthz".into(),
        },
        "get /api (alice)" => Request {
            user: "alice".into(),
            groups: vec!["system:authenticated".into()],
            verb: "get".into(),
            resource: None,
            path: "/api".into(),
        },
        other => panic!("unknown probe {other}"),
    }
}

fn load_policy(path: &Path) -> Policy {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Policy::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn policy_levels_agree_with_the_cross_check_table() {
    let Some(root) = corpus() else { return };
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let start = readme.find("| probe |").expect("cross-check table");
    let lines: Vec<&str> = readme[start..]
        .lines()
        .take_while(|l| l.starts_with('|'))
        .collect();
    let cells = |l: &str| -> Vec<String> {
        l.trim_matches('|')
            .split('|')
            .map(|c| c.trim().to_string())
            .collect()
    };
    let header = cells(lines[0]);
    let mut total = 0;
    let mut failures = Vec::new();
    for row in &lines[2..] {
        let c = cells(row);
        let req = probe(&c[0]);
        for (i, name) in header.iter().enumerate().skip(1) {
            total += 1;
            let pol = load_policy(&root.join("policies").join(format!("{name}.yaml")));
            let (lvl, rule) = pol.evaluate(&req);
            let got = match rule {
                Some(r) => format!("{} (#{})", lvl.as_str(), r.index),
                None => format!("{} (no rule)", lvl.as_str()),
            };
            if got != c[i] {
                failures.push(format!("{name} / {}: expected {}, got {got}", c[0], c[i]));
            }
        }
    }
    assert_eq!(total, 9 * 13);
    report("audit policy cross-check", total, &failures);
}

#[test]
fn policy_findings_name_the_documented_problems() {
    let Some(root) = corpus() else { return };
    // (policy, finding id, substring that must appear in one message of that id)
    let cases = [
        (
            "kics-positive2-secrets-at-requestresponse",
            "KAP001",
            "secrets are logged at RequestResponse",
        ),
        // tokenreviews are listed under group "": that entry never matches them.
        (
            "kics-positive2-secrets-at-requestresponse",
            "KAP006",
            "`tokenreviews` listed under group \"\"",
        ),
        (
            "kics-positive2-secrets-at-requestresponse",
            "KAP002",
            "exec into pods are not audited",
        ),
        (
            "falco-k8saudit-audit-policy",
            "KAP001",
            "configmaps are logged at RequestResponse",
        ),
        (
            "falco-k8saudit-audit-policy",
            "KAP006",
            "`deployments` listed under group \"\"",
        ),
        (
            "kics-negative1-compliant",
            "KAP006",
            "`deployments` listed under group \"\"",
        ),
        ("kics-negative1-compliant", "KAP004", "no catch-all"),
        (
            "kics-negative1-compliant",
            "KAP002",
            "ClusterRoleBinding changes are not audited",
        ),
        (
            "openshift-writerequestbodies",
            "KAP005",
            "unknown key `resource`",
        ),
        (
            "openshift-allrequestbodies",
            "KAP005",
            "unknown key `resource`",
        ),
        ("openshift-oauth", "KAP005", "unknown key `resource`"),
        ("openshift-multipleCr", "KAP005", "unknown key `resource`"),
        (
            "k8s-docs-audit-policy",
            "KAP001",
            "configmaps are logged at Request",
        ),
        ("audit2rbac-demo-policy", "KAP004", "no catch-all"),
        ("openshift-none", "KAP002", "are not audited"),
    ];
    let mut failures = Vec::new();
    for (name, id, needle) in cases {
        let pol = load_policy(&root.join("policies").join(format!("{name}.yaml")));
        let f = policy::analyze(&pol);
        if !f
            .iter()
            .any(|x| x.id == id && x.message.contains(needle) && x.line > 0)
        {
            failures.push(format!("{name}: no {id} containing {needle:?}: {f:#?}"));
        }
    }
    // Clean facts must not be reported: GCE logs secrets at Metadata and ends with a catch-all.
    let gce = policy::analyze(&load_policy(
        &root.join("policies/gce-configure-helper-audit-policy.yaml"),
    ));
    if gce
        .iter()
        .any(|f| f.id == "KAP001" || f.id == "KAP004" || f.id == "KAP005")
    {
        failures.push(format!("gce: unexpected findings {gce:#?}"));
    }
    report("audit policy findings", cases.len() + 1, &failures);
}

#[test]
fn every_event_shape_is_read() {
    let Some(root) = corpus() else { return };
    let ev = root.join("events");
    let count = |paths: &[PathBuf]| {
        let mut events = Vec::new();
        let mut bad = Vec::new();
        let st = reader::read_logs(paths, |o, e| events.push((o.clone(), e)), |m| bad.push(m));
        (st, events, bad)
    };
    let mut failures = Vec::new();
    let mut check = |name: &str, ok: bool, detail: String| {
        if !ok {
            failures.push(format!("{name}: {detail}"));
        }
    };
    let (st, evs, _) = count(&[ev.join("audit2rbac/demo.log")]);
    check(
        "jsonl",
        st.events == 37 && st.malformed == 0,
        format!("{st:?}"),
    );
    let (st, list, _) = count(&[ev.join("derived/eventlist-audit2rbac-demo.json")]);
    check(
        "eventlist",
        st.events == 37
            && list
                .iter()
                .zip(&evs)
                .all(|(a, b)| a.1 == b.1 || a.1["auditID"] == b.1["auditID"]),
        format!("{st:?}"),
    );
    let (st, rot, _) = count(&[
        ev.join("derived/rotated/audit.log"),
        ev.join("derived/rotated/audit-2017-09-11T20-05-00.000.log.gz"),
    ]);
    let same_order = rot
        .iter()
        .map(|e| e.1["auditID"].clone())
        .eq(evs.iter().map(|e| e.1["auditID"].clone()));
    check(
        "rotated",
        st.events == 37 && same_order,
        format!("{st:?} order ok: {same_order}"),
    );
    let (st, rot_dir, _) = count(&[ev.join("derived/rotated")]);
    check(
        "rotated dir",
        st.events == 37
            && rot_dir
                .iter()
                .map(|e| e.1["auditID"].clone())
                .eq(evs.iter().map(|e| e.1["auditID"].clone())),
        format!("{st:?}"),
    );
    let (st, _, _) = count(&[ev.join("derived/falco-combined.jsonl")]);
    check(
        "falco combined",
        st.events == 51 && st.malformed == 0,
        format!("{st:?}"),
    );
    let (st, el, _) = count(&[
        ev.join("elastic-elv2/test-audit.log"),
        ev.join("elastic-elv2/test-kube-audit.log"),
    ]);
    let wrappers: Vec<_> = el.iter().map(|e| e.0.wrapper).collect();
    check(
        "cloud wrappers",
        st.events == 6 && wrappers == [None, None, None, Some("gke"), Some("aks"), Some("aks")],
        format!("{st:?} {wrappers:?}"),
    );
    let gke = &el[3].1;
    check(
        "gke user",
        gke["user"]["username"] == "system:gke-master-healthcheck",
        gke.to_string(),
    );
    let (st, _, bad) = count(&[ev.join("falco/fal_01_003.json")]);
    check(
        "malformed",
        st.malformed == 1 && bad[0].origin.line == 1 && bad[0].message.contains("not recognized"),
        format!("{st:?} {bad:?}"),
    );
    report("audit event shapes", 9, &failures);
}

#[test]
fn analysis_of_the_demo_log() {
    let Some(root) = corpus() else { return };
    let mut a = kspect_audit::analyze::Analyzer::new();
    reader::read_logs(
        &[root.join("events/audit2rbac/demo.log")],
        |o, e| a.observe(o, &e),
        |_| {},
    );
    let r = a.finish();
    let mut failures = Vec::new();
    if r.denied.len() != 11 {
        failures.push(format!("denied: {} (README: 11 are 403)", r.denied.len()));
    }
    // sa1 is denied 4 times within 38 s and alice 3 times within 12 s; bob's denials
    // are minutes apart.
    let bursts: Vec<&str> = r
        .detections
        .iter()
        .filter(|d| d.id == "KSA008")
        .map(|d| d.user.as_str())
        .collect();
    if bursts
        != [
            "system:serviceaccount:ns1:sa1 (as system:admin)",
            "alice (as system:admin)",
        ]
    {
        failures.push(format!("403 bursts: {bursts:?}"));
    }
    if !r
        .principals
        .keys()
        .any(|k| k.starts_with("bob (as system:admin)"))
    {
        failures.push(format!(
            "impersonation not shown: {:?}",
            r.principals.keys()
        ));
    }
    let mut b = kspect_audit::analyze::Analyzer::new();
    reader::read_logs(
        &[root.join("events/falco")],
        |o, e| b.observe(o, &e),
        |_| {},
    );
    let r = b.finish();
    for id in ["KSA002", "KSA003", "KSA004", "KSA005", "KSA006", "KSA007"] {
        if !r.detections.iter().any(|d| d.id == id) {
            failures.push(format!("falco samples: no {id}"));
        }
    }
    let exec = r
        .detections
        .iter()
        .find(|d| d.id == "KSA002" && d.message.contains(" exec "));
    if !exec.is_some_and(|d| d.message.contains("running `bash`")) {
        failures.push(format!("exec command not shown: {exec:?}"));
    }
    report("audit analysis", 10, &failures);
}

#[test]
fn levels_order() {
    assert!(Level::RequestResponse > Level::Request && Level::Metadata > Level::None);
}
