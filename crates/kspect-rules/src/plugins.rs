//! `required_plugin_versions`, checked as Falco checks it after loading the rule files
//! (`falco_engine::check_plugin_requirements`).
//!
//! Falco gets `container.*`/`k8s.*` fields from the `container` plugin, `ka.*` from
//! `k8saudit` (or its cloud variants) and `jevt.*` from `json`. kspect has no plugins:
//! its built-in sources provide those fields, so they stand in for the plugins at the
//! versions whose fields they implement ([`BUILTIN_PLUGINS`]). A rule file that needs a
//! newer (or a different major) version, or a plugin kspect does not stand in for, is
//! refused with Falco's message, at the file and line of the requirement.
//!
//! Falco's rule: every `required_plugin_versions` entry is a list of alternatives (the
//! main plugin and its `alternatives`); the first alternative that names a loaded
//! plugin decides the entry: satisfied when the loaded version is compatible (same
//! major, not older), refused otherwise. When no alternative is loaded the entry is
//! refused as missing.

use crate::loader::{Collection, Diagnostic, PluginRequirement, parse_semver};

/// A plugin and its version, as Falco lists loaded plugins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PluginVersion {
    /// Plugin name (`k8saudit`).
    pub name: &'static str,
    /// Its version (`0.18.0`).
    pub version: &'static str,
}

/// The plugins kspect's built-in sources stand in for.
///
/// - `container` 0.4.0: the `container.*` and `k8s.*` fields of the syscall source
///   (the version the default rule files require, and against which they are tested).
/// - `k8saudit` 0.18.0: the `ka.*` fields of the `k8s_audit` source, implemented from
///   the field table of that release (`plugins/k8saudit` at tag `v0.18.0`).
/// - `k8saudit-aks` 0.6.0, `k8saudit-eks` 0.12.0, `k8saudit-gke` 0.9.0: the cloud
///   variants share those `ka.*` fields, and kspect's audit reader takes their inputs
///   (AKS diagnostic records, CloudWatch messages, GKE Cloud Audit Logs) natively; the
///   versions are those the k8saudit 0.18.0 rules name as equivalent.
/// - `json` 0.7.0: the `jevt.*`/`json.*` fields.
pub const BUILTIN_PLUGINS: &[PluginVersion] = &[
    PluginVersion {
        name: "container",
        version: "0.4.0",
    },
    PluginVersion {
        name: "k8saudit",
        version: "0.18.0",
    },
    PluginVersion {
        name: "k8saudit-aks",
        version: "0.6.0",
    },
    PluginVersion {
        name: "k8saudit-eks",
        version: "0.12.0",
    },
    PluginVersion {
        name: "k8saudit-gke",
        version: "0.9.0",
    },
    PluginVersion {
        name: "json",
        version: "0.7.0",
    },
];

/// Whether a loaded `version` satisfies a `required` one: same major, not older
/// (`sinsp_version::compatible_with`).
pub fn compatible(version: &str, required: &str) -> bool {
    match (parse_semver(version), parse_semver(required)) {
        (Some(v), Some(r)) => v.0 == r.0 && v >= r,
        _ => false,
    }
}

/// Checks one entry; `Err` carries Falco's message.
fn check_entry(req: &PluginRequirement, plugins: &[PluginVersion]) -> Result<(), String> {
    for (name, required) in &req.alternatives {
        if let Some(p) = plugins.iter().find(|p| p.name == name) {
            if parse_semver(p.version).is_none() {
                return Err(format!(
                    "Plugin '{}' has invalid version string '{}'",
                    p.name, p.version
                ));
            }
            if !compatible(p.version, required) {
                return Err(format!(
                    "Plugin '{}' version '{}' is not compatible with required plugin version '{required}'",
                    p.name, p.version
                ));
            }
            return Ok(());
        }
    }
    let wanted: Vec<String> = req
        .alternatives
        .iter()
        .map(|(n, v)| format!("{n} (>= {v})"))
        .collect();
    Err(format!(
        "Plugin requirement not satisfied, must load one of: {}",
        wanted.join(", ")
    ))
}

/// Checks every requirement collected so far against `plugins`, in file order; the
/// first unsatisfied one is returned with the file and line of its entry.
pub fn check(collection: &Collection, plugins: &[PluginVersion]) -> Result<(), Diagnostic> {
    for req in &collection.plugin_requirements {
        check_entry(req, plugins).map_err(|message| Diagnostic {
            message,
            ctx: req.ctx.clone(),
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Engine;

    fn load(text: &str) -> Engine {
        let mut e = Engine::new();
        let r = e.load_rules(text, "test.yaml");
        assert!(r.successful(), "{:?}", r.errors);
        e
    }

    fn ok(plugins: &[PluginVersion], text: &str) -> Result<(), String> {
        check(load(text).collection(), plugins).map_err(|d| d.message)
    }

    const fn p(name: &'static str, version: &'static str) -> PluginVersion {
        PluginVersion { name, version }
    }

    /// The cases of Falco's `unit_tests/engine/test_plugin_requirements.cpp`.
    #[test]
    fn falco_requirement_cases() {
        let k = |v| p("k8saudit", v);
        assert!(ok(&[k("0.1.0")], "").is_ok());
        let single = "- required_plugin_versions:\n  - name: k8saudit\n    version: 0.1.0\n";
        assert!(ok(&[k("0.1.0")], single).is_ok());
        assert!(ok(&[k("0.2.0")], single).is_ok());
        let two = "- required_plugin_versions:\n  - name: k8saudit\n    version: 0.1.0\n  - name: json\n    version: 0.3.0\n";
        assert!(ok(&[k("0.1.0"), p("json", "0.3.0")], two).is_ok());
        let twice = "- required_plugin_versions:\n  - name: k8saudit\n    version: 0.1.0\n- required_plugin_versions:\n  - name: k8saudit\n    version: 0.2.0\n";
        assert!(ok(&[k("0.2.0")], twice).is_ok());
        let alt = "- required_plugin_versions:\n  - name: k8saudit\n    version: 0.1.0\n    alternatives:\n      - name: k8saudit-other\n        version: 0.4.0\n";
        assert!(ok(&[p("k8saudit-other", "0.5.0")], alt).is_ok());
        let alts = "- required_plugin_versions:\n  - name: k8saudit\n    version: 0.1.0\n    alternatives:\n      - name: k8saudit-other\n        version: 0.4.0\n  - name: json\n    version: 0.3.0\n    alternatives:\n      - name: json2\n        version: 0.1.0\n";
        assert!(ok(&[p("k8saudit-other", "0.5.0"), p("json2", "0.5.0")], alts).is_ok());
        let alts_more = format!(
            "{alts}- required_plugin_versions:\n  - name: k8saudit\n    version: 1.0.0\n    alternatives:\n      - name: k8saudit-other\n        version: 0.7.0\n"
        );
        assert!(
            ok(
                &[p("k8saudit-other", "0.7.0"), p("json2", "0.5.0")],
                &alts_more
            )
            .is_ok()
        );

        // Rejections.
        assert_eq!(
            ok(&[], single).unwrap_err(),
            "Plugin requirement not satisfied, must load one of: k8saudit (>= 0.1.0)"
        );
        let other = "- required_plugin_versions:\n  - name: k8saudit2\n    version: 0.1.0\n";
        assert!(ok(&[k("0.1.0")], other).is_err());
        let newer = "- required_plugin_versions:\n  - name: k8saudit\n    version: 0.2.0\n";
        assert_eq!(
            ok(&[k("0.1.0")], newer).unwrap_err(),
            "Plugin 'k8saudit' version '0.1.0' is not compatible with required plugin version '0.2.0'"
        );
        assert!(ok(&[k("0.1.0")], two).is_err());
        assert!(ok(&[k("0.1.0")], twice).is_err());
        assert_eq!(
            ok(&[p("k8saudit2", "0.5.0")], alt).unwrap_err(),
            "Plugin requirement not satisfied, must load one of: k8saudit (>= 0.1.0), k8saudit-other (>= 0.4.0)"
        );
        assert!(ok(&[p("k8saudit-other", "0.5.0"), p("json3", "0.5.0")], alts).is_err());
        assert!(ok(&[k("0.7.0"), p("json2", "0.5.0")], &alts_more).is_err());
        // Overlapping alternatives do not even load.
        let overlap = "- required_plugin_versions:\n  - name: k8saudit\n    version: 0.1.0\n    alternatives:\n      - name: k8saudit\n        version: 0.4.0\n";
        assert!(!Engine::new().load_rules(overlap, "t.yaml").successful());
    }

    #[test]
    fn compatibility_is_same_major_and_not_older() {
        assert!(compatible("0.18.0", "0.18.0"));
        assert!(compatible("0.18.0", "0.9.5"));
        assert!(!compatible("0.18.0", "0.18.1"));
        assert!(!compatible("1.0.0", "0.18.0"));
        assert!(!compatible("0.18.0", "1.0.0"));
        assert!(!compatible("x", "0.1.0"));
    }

    #[test]
    fn errors_point_at_the_requirement() {
        let text = "- rule: r\n  desc: d\n  condition: evt.num > 0\n  output: o\n  priority: INFO\n\n- required_plugin_versions:\n  - name: json\n    version: 0.7.0\n  - name: cloudtrail\n    version: 0.1.0\n";
        let e = load(text);
        let d = check(e.collection(), BUILTIN_PLUGINS).unwrap_err();
        assert_eq!(d.ctx.file, "test.yaml");
        assert_eq!(d.ctx.line, 10);
        assert_eq!(
            d.message,
            "Plugin requirement not satisfied, must load one of: cloudtrail (>= 0.1.0)"
        );
    }
}
