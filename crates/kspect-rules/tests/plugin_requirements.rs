//! `required_plugin_versions` of the corpus rule files against the plugins kspect's
//! built-in sources stand in for: every shipped load set is satisfied (the default,
//! incubating and sandbox files need `container` 0.4.0 or newer; the audit files
//! `k8saudit` 0.18.0 or a cloud variant, and `json` 0.7.0), and the legacy regression file
//! that requires `cloudtrail` 100000.0.0 is refused with Falco's messages.

mod common;

use kspect_rules::Engine;
use kspect_rules::plugins::{BUILTIN_PLUGINS, PluginVersion};

#[test]
fn shipped_rule_files_are_satisfied_by_the_builtin_sources() {
    let Some(root) = common::corpus() else { return };
    let sets: &[&[&str]] = &[
        &["rules/falco_rules.yaml"],
        &[
            "rules/falco_rules.yaml",
            "rules/falco-incubating_rules.yaml",
        ],
        &["rules/falco_rules.yaml", "rules/falco-sandbox_rules.yaml"],
        &["rules/k8s_audit_rules.yaml"],
        &[
            "rules/k8s_audit_rules.yaml",
            "rules/k8s_audit_rules_gke.yaml",
        ],
        &[
            "rules/legacy/falco-rules-1.0.1/falco_rules.yaml",
            "rules/k8s_audit_rules.yaml",
        ],
    ];
    let mut failures = Vec::new();
    for set in sets {
        let mut e = Engine::new();
        for f in *set {
            let r = e.load_file(&root.join(f));
            assert!(r.successful(), "{f}: {:?}", r.errors);
        }
        if e.collection().plugin_requirements.is_empty()
            && set[0] != "rules/legacy/falco-rules-1.0.1/falco_rules.yaml"
        {
            failures.push(format!("{set:?}: no requirement collected"));
        }
        if let Err(d) = e.check_plugin_requirements(BUILTIN_PLUGINS) {
            failures.push(format!("{set:?}: {d}"));
        }
        // Without the plugins, Falco refuses them.
        if !e.collection().plugin_requirements.is_empty()
            && e.check_plugin_requirements(&[]).is_ok()
        {
            failures.push(format!("{set:?}: accepted with no plugin at all"));
        }
    }
    common::report("plugin requirements of rules/", sets.len(), &failures);
}

#[test]
fn incompatible_and_missing_plugins_are_refused_at_their_line() {
    let Some(root) = common::corpus() else { return };
    let f = root.join(
        "cases/falco-0.34.1-regression/rules/plugins/cloudtrail_incompat_plugin_version.yaml",
    );
    let mut e = Engine::new();
    let r = e.load_file(&f);
    assert!(r.successful(), "{:?}", r.errors);
    let line = std::fs::read_to_string(&f)
        .unwrap()
        .lines()
        .position(|l| l.contains("- name: cloudtrail"))
        .map(|i| i as u32 + 1)
        .unwrap();
    let d = e.check_plugin_requirements(BUILTIN_PLUGINS).unwrap_err();
    assert_eq!(
        d.message,
        "Plugin requirement not satisfied, must load one of: cloudtrail (>= 100000.0.0)"
    );
    assert_eq!(d.ctx.line, line);
    assert!(
        d.ctx
            .file
            .ends_with("cloudtrail_incompat_plugin_version.yaml")
    );
    // With a cloudtrail plugin of an older major, the message Falco's regression test
    // expects.
    let cloudtrail = [PluginVersion {
        name: "cloudtrail",
        version: "0.6.0",
    }];
    assert_eq!(
        e.check_plugin_requirements(&cloudtrail)
            .unwrap_err()
            .message,
        "Plugin 'cloudtrail' version '0.6.0' is not compatible with required plugin version '100000.0.0'"
    );
}
