//! Tests of the hardening rules (KSP3xx).
//!
//! Every rule has a fixture `tests/fixtures/hardening/<ID>.yaml` with documents that
//! must trigger it and documents that must not. The line where a finding must point is
//! marked by hand with a trailing `# expect: <ID>` comment; a document without a marker
//! is a negative case. The test compares the lines the rule reports with the marked
//! lines exactly, so a missing finding, an extra finding or a finding at the wrong
//! field all fail.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use kspect_core::config::Config;
use kspect_core::load::{LoadOptions, load_paths, parse_str};
use kspect_core::rule::REQUIRED_DOC_SECTIONS;
use kspect_core::{Finding, Inventory};
use kspect_posture::hardening;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hardening")
}

/// The configuration every fixture runs with: an allowlist for KSP325.
fn config() -> Config {
    Config {
        allowed_registries: vec!["registry.example.com".into(), "ghcr.io/acme".into()],
        ..Config::default()
    }
}

fn scan(label: &str, text: &str, config: &Config) -> (Inventory, Vec<Finding>) {
    let loaded = parse_str(label, text);
    assert!(
        !loaded.has_errors(),
        "{label}: fixture does not load: {:?}",
        loaded.diagnostics
    );
    let inventory = Inventory::new(loaded);
    let findings = hardening::check(&inventory, config);
    (inventory, findings)
}

/// Lines (1-based) that carry `# expect: ... ID ...`, once per mention.
fn expected_lines(text: &str, id: &str) -> Vec<u32> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if let Some((_, marks)) = line.split_once("# expect:") {
            for m in marks.split_whitespace() {
                if m == id {
                    out.push(u32::try_from(n + 1).expect("line fits"));
                }
            }
        }
    }
    out
}

/// Line ranges (first, last) of the documents of a multi-document file.
fn documents(text: &str) -> Vec<(u32, u32)> {
    let mut docs = Vec::new();
    let mut start = 1u32;
    let mut last = 0u32;
    for (n, line) in text.lines().enumerate() {
        let n = u32::try_from(n + 1).expect("line fits");
        if line.trim_end() == "---" {
            docs.push((start, n - 1));
            start = n + 1;
        }
        last = n;
    }
    docs.push((start, last));
    docs
}

#[test]
fn every_rule_fires_where_marked_and_nowhere_else() {
    let config = config();
    let mut failures = Vec::new();
    for rule in hardening::rules() {
        let path = fixtures().join(format!("{}.yaml", rule.id));
        let Ok(text) = std::fs::read_to_string(&path) else {
            failures.push(format!("{}: no fixture at {}", rule.id, path.display()));
            continue;
        };
        let label = format!("{}.yaml", rule.id);
        let (inventory, findings) = scan(&label, &text, &config);
        let mut got: Vec<u32> = findings
            .iter()
            .filter(|f| f.rule == rule.id)
            .filter_map(|f| f.location.as_ref().map(|l| l.line))
            .collect();
        got.sort_unstable();
        let mut want = expected_lines(&text, rule.id);
        want.sort_unstable();
        if got != want {
            let detail: Vec<String> = findings
                .iter()
                .filter(|f| f.rule == rule.id)
                .map(|f| {
                    let line = f.location.as_ref().map_or(0, |l| l.line);
                    format!("    line {line}: {}", f.message)
                })
                .collect();
            failures.push(format!(
                "{} ({}): expected lines {want:?}, got {got:?}\n{}",
                rule.id,
                rule.name,
                detail.join("\n")
            ));
        }
        // A positive case, and a negative one that has an object the rule looks at.
        let docs = documents(&text);
        let positive = docs
            .iter()
            .any(|(a, b)| want.iter().any(|l| (a..=b).contains(&l)));
        let negative = docs.iter().any(|(a, b)| {
            !want.iter().any(|l| (a..=b).contains(&l))
                && inventory.objects().iter().any(|o| {
                    rule.kinds.contains(&o.kind()) && (a..=b).contains(&&o.location().line)
                })
        });
        if !positive || !negative {
            failures.push(format!(
                "{}: fixture needs a positive and a negative case (positive: {positive}, negative: {negative})",
                rule.id
            ));
        }
        // The finding carries the rule's metadata.
        for f in findings.iter().filter(|f| f.rule == rule.id) {
            assert_eq!(f.severity, rule.severity);
            assert_eq!(f.category, rule.category);
            assert_eq!(f.title, rule.title);
            assert!(!f.message.is_empty());
        }
    }
    assert!(
        failures.is_empty(),
        "{} rule(s) disagree with their fixtures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn rule_ids_are_unique_and_in_the_ksp3xx_range() {
    let rules = hardening::rules();
    assert!(rules.len() >= 30, "only {} rules", rules.len());
    let mut ids: Vec<&str> = rules.iter().map(|r| r.id).collect();
    let mut names: Vec<&str> = rules.iter().map(|r| r.name).collect();
    for id in &ids {
        let n: u32 = id
            .strip_prefix("KSP")
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("bad ID {id}"));
        assert!((301..=399).contains(&n), "{id} outside KSP301..KSP399");
    }
    for name in &names {
        assert!(
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !name.starts_with('-')
                && !name.ends_with('-')
                && !name.contains("--"),
            "{name} is not kebab-case"
        );
    }
    let n = ids.len();
    ids.sort_unstable();
    ids.dedup();
    names.sort_unstable();
    names.dedup();
    assert_eq!(ids.len(), n, "duplicate rule IDs");
    assert_eq!(names.len(), n, "duplicate rule names");
    // The registry accepts them (it panics on duplicates).
    let registry = kspect_core::Registry::new(rules.iter().copied());
    assert_eq!(registry.rules().len(), n);
}

#[test]
fn every_rule_is_documented() {
    for rule in hardening::rules() {
        let doc = rule.doc;
        let summary = doc.split("\n## ").next().unwrap_or("").trim();
        assert!(
            summary.len() > 40,
            "{}: needs a summary paragraph before the sections",
            rule.id
        );
        let mut last = 0;
        for section in REQUIRED_DOC_SECTIONS {
            let at = doc
                .find(section)
                .unwrap_or_else(|| panic!("{}: missing section {section:?}", rule.id));
            assert!(at >= last, "{}: section {section:?} out of order", rule.id);
            last = at;
        }
        let fix = &doc[doc.find("## How to fix").unwrap_or(0)..];
        let snippet = fix
            .split("```yaml")
            .nth(1)
            .and_then(|s| s.split("```").next())
            .unwrap_or_else(|| panic!("{}: no ```yaml snippet under How to fix", rule.id));
        assert!(
            snippet.contains("# before") && snippet.contains("# after"),
            "{}: the snippet needs # before and # after parts",
            rule.id
        );
        assert!(!rule.title.is_empty() && !rule.remediation.is_empty());
        assert!(!rule.kinds.is_empty(), "{}: declares no kinds", rule.id);
        assert!(
            rule.references
                .iter()
                .any(|r| r.kind == kspect_core::rule::RefKind::Mitre),
            "{}: no MITRE ATT&CK reference",
            rule.id
        );
        for r in rule.references {
            assert!(
                r.url.starts_with("https://"),
                "{}: bad url {}",
                rule.id,
                r.url
            );
        }
    }
}

#[test]
fn messages_name_the_container_and_its_list() {
    let text = std::fs::read_to_string(fixtures().join("KSP303.yaml")).expect("fixture");
    let (_, findings) = scan("KSP303.yaml", &text, &config());
    let messages: Vec<&str> = findings
        .iter()
        .filter(|f| f.rule == "KSP303")
        .map(|f| f.message.as_str())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("init container \"setup\""))
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("ephemeral container \"debugger\""))
    );
    assert!(messages.iter().any(|m| m.starts_with("container \"job\"")));
}

#[test]
fn findings_point_at_the_object_and_field() {
    let text = std::fs::read_to_string(fixtures().join("KSP315.yaml")).expect("fixture");
    let (_, findings) = scan("KSP315.yaml", &text, &config());
    let root = findings
        .iter()
        .find(|f| f.rule == "KSP315" && f.evidence.as_deref() == Some("/"))
        .expect("finding for /");
    let loc = root.location.as_ref().expect("location");
    assert_eq!(&*loc.file, "KSP315.yaml");
    assert_eq!(loc.pointer, "/spec/volumes/0/hostPath/path");
    assert_eq!(
        root.object.as_ref().map(|o| o.name.as_str()),
        Some("host-mounts")
    );
    assert!(
        root.message
            .contains("container \"app\" (read-write at /host)"),
        "{}",
        root.message
    );
}

#[test]
fn credentials_never_appear_in_findings() {
    for id in ["KSP328", "KSP331"] {
        let text = std::fs::read_to_string(fixtures().join(format!("{id}.yaml"))).expect("fixture");
        let (_, findings) = scan("x.yaml", &text, &config());
        for f in findings.iter().filter(|f| f.rule == id) {
            let shown = format!("{} {}", f.message, f.evidence.as_deref().unwrap_or(""));
            for secret in [
                "s3cr3t-Pa55",
                "Sup3rS3cret",
                "AKIAABCDEFGHIJKLMNOP",
                "0123456789abcdef",
            ] {
                assert!(!shown.contains(secret), "{id} leaks {secret}: {shown}");
            }
        }
    }
}

#[test]
fn registry_rule_is_silent_without_an_allowlist() {
    let text = std::fs::read_to_string(fixtures().join("KSP325.yaml")).expect("fixture");
    let (_, findings) = scan("KSP325.yaml", &text, &Config::default());
    assert!(findings.iter().all(|f| f.rule != "KSP325"));
}

#[test]
fn static_pod_detected_from_the_kubelet_manifest_directory() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: kube-scheduler\n  namespace: kube-system\nspec:\n  containers:\n    - name: s\n      image: registry.k8s.io/kube-scheduler:v1.30.0\n";
    let (_, findings) = scan(
        "node1/etc/kubernetes/manifests/kube-scheduler.yaml",
        text,
        &config(),
    );
    let f = findings
        .iter()
        .find(|f| f.rule == "KSP339")
        .expect("static pod finding");
    assert_eq!(f.location.as_ref().map(|l| l.line), Some(1));
    // The same pod elsewhere is an ordinary manifest.
    let (_, findings) = scan("apps/scheduler/pod.yaml", text, &config());
    assert!(findings.iter().all(|f| f.rule != "KSP339"));
}

#[test]
fn windows_pods_skip_linux_only_rules() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: win\nspec:\n  os:\n    name: windows\n  containers:\n    - name: app\n      image: mcr.microsoft.com/windows/nanoserver:ltsc2022\n";
    let (_, findings) = scan("win.yaml", text, &config());
    for linux_only in ["KSP304", "KSP305", "KSP307", "KSP309", "KSP319"] {
        assert!(
            findings.iter().all(|f| f.rule != linux_only),
            "{linux_only} fired on a Windows pod"
        );
    }
    // Platform-neutral rules still apply.
    assert!(findings.iter().any(|f| f.rule == "KSP301"));
}

#[test]
fn check_is_deterministic() {
    let text = std::fs::read_to_string(fixtures().join("KSP315.yaml")).expect("fixture");
    let (_, a) = scan("a.yaml", &text, &config());
    let (_, b) = scan("a.yaml", &text, &config());
    assert_eq!(a, b);
}

/// The real-world corpus: no panic on any object, and a profile of what fires.
#[test]
fn corpus_manifests() {
    let Some(dir) = kspect_core::corpus::corpus_dir("manifests") else {
        return;
    };
    let loaded = load_paths(&[&dir], &LoadOptions::default());
    let inventory = Inventory::new(loaded);
    assert!(
        inventory.len() > 1000,
        "corpus too small: {}",
        inventory.len()
    );
    let started = std::time::Instant::now();
    let findings = hardening::check(&inventory, &Config::default());
    let elapsed = started.elapsed();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &findings {
        *counts.entry(&*f.rule).or_default() += 1;
    }
    println!(
        "hardening over {} objects from {} files: {} findings in {elapsed:?}",
        inventory.len(),
        inventory.files,
        findings.len()
    );
    for rule in hardening::rules() {
        println!(
            "  {} {:<34} {:>6}",
            rule.id,
            rule.name,
            counts.get(rule.id).copied().unwrap_or(0)
        );
    }
    // `KSPECT_SHOW=KSP328,KSP331` prints those rules' findings, to review them by hand.
    if let Ok(show) = std::env::var("KSPECT_SHOW") {
        for f in findings
            .iter()
            .filter(|f| show.split(',').any(|id| id == f.rule))
        {
            let loc = f
                .location
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default();
            println!(
                "{} {loc}: {} [{}]",
                f.rule,
                f.message,
                f.evidence.as_deref().unwrap_or("")
            );
        }
    }
    // Every finding is located in the file of its object.
    for f in &findings {
        let loc = f.location.as_ref().expect("located");
        assert!(loc.line >= 1, "{f:?}");
    }

    // Known-insecure objects of the badPods collection.
    let by_object = |name: &str| -> Vec<&Finding> {
        findings
            .iter()
            .filter(|f| f.object.as_ref().is_some_and(|o| o.name == name))
            .collect()
    };
    let has = |fs: &[&Finding], id: &str| fs.iter().any(|f| f.rule == id);

    let everything = by_object("everything-allowed-exec-pod");
    assert!(
        !everything.is_empty(),
        "everything-allowed-exec-pod not found"
    );
    for id in [
        "KSP303", "KSP310", "KSP311", "KSP312", "KSP315", "KSP316", "KSP317", "KSP322",
    ] {
        assert!(
            has(&everything, id),
            "everything-allowed-exec-pod lacks {id}"
        );
    }
    let root = everything
        .iter()
        .find(|f| f.rule == "KSP315")
        .expect("sensitive host path");
    assert_eq!(root.evidence.as_deref(), Some("/"));

    let deployment = by_object("everything-allowed-exec-deployment");
    for id in ["KSP303", "KSP310", "KSP311", "KSP312", "KSP315"] {
        assert!(
            has(&deployment, id),
            "everything-allowed-exec-deployment lacks {id}"
        );
    }
    let cron = by_object("everything-allowed-exec-cronjob");
    assert!(has(&cron, "KSP303") && has(&cron, "KSP310"));

    let priv_pod = by_object("priv-exec-pod");
    assert!(has(&priv_pod, "KSP303"));
    assert!(!has(&priv_pod, "KSP310") && !has(&priv_pod, "KSP315"));

    let hostpath = by_object("hostpath-exec-pod");
    assert!(has(&hostpath, "KSP315") && !has(&hostpath, "KSP303"));

    // "nothing-allowed" is the constrained counterpart: none of the host escapes.
    let nothing = by_object("nothing-allowed-exec-pod");
    assert!(!nothing.is_empty(), "nothing-allowed-exec-pod not found");
    for id in ["KSP303", "KSP310", "KSP311", "KSP312", "KSP315", "KSP316"] {
        assert!(!has(&nothing, id), "nothing-allowed-exec-pod has {id}");
    }
}
