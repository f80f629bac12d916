//! A realistic report shared by the format tests: manifests loaded from a real file
//! (so snippets can be read back), findings made with `Finding::at` from test rules,
//! suppressions of both kinds, a finding with no object, one from stdin, one whose rule
//! is not in the registry, and input diagnostics from a malformed document.
#![allow(dead_code)]

use std::path::PathBuf;

use kspect_core::finding::Suppression;
use kspect_core::load::{Diagnostic, parse_str};
use kspect_core::{Finding, Object, Reference, Registry, Rule, Severity};
use kspect_report::Report;

pub static PRIVILEGED: Rule = Rule {
    id: "KSPT01",
    name: "privileged-container",
    title: "Privileged container",
    severity: Severity::High,
    category: "workload",
    kinds: &["Deployment", "Pod"],
    doc: "Finds containers that run `privileged: true`.\n\n## Why it matters\nA privileged container has every capability of the host.\n\n## What an attacker does\nMounts the host disk and escapes.\n\n## How to fix\n```yaml\n# before\nprivileged: true\n# after\nprivileged: false\n```\n",
    remediation: "Set securityContext.privileged to false.",
    references: &[
        Reference::pss("Privileged Containers"),
        Reference::mitre("T1611", "https://attack.mitre.org/techniques/T1611/"),
    ],
};

pub static LATEST_TAG: Rule = Rule {
    id: "KSPT02",
    name: "image-latest-tag",
    title: "Image uses the latest tag",
    severity: Severity::Low,
    category: "workload",
    kinds: &["Deployment", "Pod"],
    doc: "Finds images tagged `latest` or untagged.\n\n## Why it matters\nx\n\n## What an attacker does\ny\n\n## How to fix\nz\n",
    remediation: "Pin the image to a version tag or digest.",
    references: &[Reference::docs(
        "Images",
        "https://kubernetes.io/docs/concepts/containers/images/",
    )],
};

pub static HOST_PID: Rule = Rule {
    id: "KSPT03",
    name: "host-pid",
    title: "Pod shares the host PID namespace",
    severity: Severity::Critical,
    category: "pss",
    kinds: &["Pod"],
    doc: "",
    remediation: "Remove hostPID.",
    references: &[],
};

pub static NO_LIMITS: Rule = Rule {
    id: "KSPT04",
    name: "no-limits",
    title: "No resource limits",
    severity: Severity::Medium,
    category: "workload",
    kinds: &["Pod"],
    doc: "No limits.\n",
    remediation: "Set limits.",
    references: &[],
};

pub static CONFIG_RULE: Rule = Rule {
    id: "KSPT05",
    name: "config-problem",
    title: "Configuration problem",
    severity: Severity::Info,
    category: "meta",
    kinds: &[],
    doc: "A configuration problem.\n",
    remediation: "Fix the configuration.",
    references: &[],
};

/// A rule that no registry holds (a plugin's, say).
pub static UNREGISTERED: Rule = Rule {
    id: "XTRA99",
    name: "extra",
    title: "Rule missing from the registry",
    severity: Severity::Medium,
    category: "extra",
    kinds: &[],
    doc: "",
    remediation: "",
    references: &[],
};

pub fn registry() -> Registry {
    Registry::new([
        &PRIVILEGED,
        &LATEST_TAG,
        &HOST_PID,
        &NO_LIMITS,
        &CONFIG_RULE,
    ])
}

/// The manifest file; line numbers below are counted by hand from this text.
pub const DEPLOY_YAML: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  annotations:
    kspect.dev/ignore: \"KSPT02: pinned by the release pipeline\"
spec:
  template:
    spec:
      containers:
        - name: app
          image: nginx:latest
          securityContext:
            privileged: true
---
apiVersion: v1
kind: Pod
metadata:
  name: \"odd<name>&'q\"
spec:
  hostPID: true
  containers:
    - name: c
      image: \"busybox\\u001b[31m\"
";

/// Where `privileged:` is in DEPLOY_YAML (line 15, column 13: the key).
pub const PRIVILEGED_LINE: u32 = 15;
pub const PRIVILEGED_COL: u32 = 13;
/// Where `hostPID:` is (document 2, line 22, column 3).
pub const HOSTPID_LINE: u32 = 22;
pub const HOSTPID_COL: u32 = 3;

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub deploy_path: PathBuf,
    pub objects: Vec<Object>,
    pub findings: Vec<Finding>,
    pub diagnostics: Vec<Diagnostic>,
    pub registry: Registry,
}

impl Fixture {
    pub fn report(&self, fail_on: Option<Severity>) -> Report<'_> {
        Report {
            tool_version: "0.1.0",
            command: "scan",
            findings: &self.findings,
            diagnostics: &self.diagnostics,
            registry: &self.registry,
            objects_scanned: self.objects.len(),
            files_scanned: 3,
            fail_on,
        }
    }
}

pub fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let k8s = dir.path().join("k8s");
    std::fs::create_dir_all(&k8s).expect("mkdir");
    let deploy_path = k8s.join("deploy.yaml");
    std::fs::write(&deploy_path, DEPLOY_YAML).expect("write manifest");
    let label = deploy_path.to_string_lossy().to_string();
    let loaded = parse_str(&label, DEPLOY_YAML);
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    assert_eq!(loaded.objects.len(), 2);
    let deploy = &loaded.objects[0];
    let pod = &loaded.objects[1];

    let stdin = parse_str(
        "<stdin>",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: from-stdin\nspec:\n  containers: []\n",
    );
    let stdin_pod = &stdin.objects[0];

    // Real diagnostics from a malformed file, plus a warning without a line.
    let bad = parse_str(
        "bad & <odd>.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: [\n",
    );
    assert!(!bad.diagnostics.is_empty());
    let mut diagnostics = bad.diagnostics;
    diagnostics.push(Diagnostic {
        level: kspect_core::load::DiagnosticLevel::Warning,
        file: "empty.yaml".into(),
        document: None,
        line: None,
        column: None,
        message: "file holds no document".into(),
    });

    let mut suppressed = Finding::at(
        &LATEST_TAG,
        deploy,
        "/spec/template/spec/containers/0/image",
        "container \"app\" uses image nginx:latest",
    )
    .with_evidence("nginx:latest");
    suppressed.suppressed = Some(Suppression {
        kind: "annotation",
        reason: "pinned by the release pipeline".into(),
        location: Some(deploy.locate("/metadata/annotations/kspect.dev~1ignore")),
    });

    let mut external = Finding::at(
        &NO_LIMITS,
        pod,
        "/spec/containers/0/resources/limits",
        "container \"c\" has no limits",
    );
    external.suppressed = Some(Suppression {
        kind: "config",
        reason: "sandbox namespace <ok> & \"fine\"".into(),
        location: None,
    });

    let findings = vec![
        // Deliberately not in report order: renderers sort.
        Finding::at(
            &HOST_PID,
            pod,
            "/spec/hostPID",
            "pod shares the host PID namespace",
        )
        .with_evidence("true\u{1b}[2J"),
        Finding::at(
            &PRIVILEGED,
            deploy,
            "/spec/template/spec/containers/0/securityContext/privileged",
            "container \"app\" runs privileged",
        ),
        suppressed,
        external,
        Finding::general(&CONFIG_RULE, None, "the configuration selects no rule"),
        Finding::at(
            &PRIVILEGED,
            stdin_pod,
            "/spec/containers",
            "read from stdin",
        ),
        Finding::general(&UNREGISTERED, None, "a finding of an unregistered rule"),
    ];

    let mut objects = loaded.objects;
    objects.extend(stdin.objects);
    Fixture {
        dir,
        deploy_path,
        objects,
        findings,
        diagnostics,
        registry: registry(),
    }
}

/// Renders to a string.
pub fn render(
    format: kspect_report::Format,
    report: &Report,
    opts: &kspect_report::RenderOptions,
) -> String {
    let mut out = Vec::new();
    kspect_report::render(format, report, opts, &mut out).expect("render");
    String::from_utf8(out).expect("utf-8 output")
}

/// `../shared/<what>` beside the repository, or `None` (after saying so) when it is
/// absent outside CI; under `CI=true` its absence is a failure.
pub fn shared(what: &str) -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared")
        .join(what);
    if p.exists() {
        return Some(p);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!(
            "{what} not found at {} (required under CI=true)",
            p.display()
        );
    }
    println!("skipping: {what} not found at {}", p.display());
    None
}
