//! Runs every upstream PSA fixture in `../shared/corpus/pss/` (see its README):
//! the verdict must match the `pass`/`fail` directory, a `fail` fixture must be
//! denied by the check its file name names (or the restricted check overriding
//! it at that version) and by nothing else except the documented extras, and the
//! upstream message substring for the stem must appear in our messages.

use kspect_posture::pss::{Level, Policy, Version, evaluate};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// File stem (without its index) to check ID, as the corpus README lists them.
const STEMS: &[(&str, &str, &str)] = &[
    (
        "allowprivilegeescalation",
        "allowPrivilegeEscalation",
        "allowPrivilegeEscalation",
    ),
    (
        "apparmorprofile",
        "appArmorProfile",
        "forbidden AppArmor profile",
    ),
    (
        "capabilities_baseline",
        "capabilities_baseline",
        "capabilities",
    ),
    (
        "capabilities_restricted",
        "capabilities_restricted",
        "unrestricted capabilities",
    ),
    ("hostnamespaces", "hostNamespaces", "host namespaces"),
    ("hostpathvolumes", "hostPathVolumes", "hostPath"),
    ("hostports", "hostPorts", "hostPort"),
    (
        "hostprobesandhostlifecycle",
        "hostProbesAndHostLifecycle",
        "probe or lifecycle host",
    ),
    ("privileged", "privileged", "privileged"),
    ("procmount", "procMount", "procMount"),
    ("procmount_restricted", "procMount_restricted", "procMount"),
    (
        "restrictedvolumes",
        "restrictedVolumes",
        "restricted volume types",
    ),
    ("runasnonroot", "runAsNonRoot", "runAsNonRoot"),
    ("runasuser", "runAsUser", "runAsUser"),
    ("selinuxoptions", "seLinuxOptions", "seLinuxOptions"),
    (
        "seccompprofile_baseline",
        "seccompProfile_baseline",
        "seccompProfile",
    ),
    (
        "seccompprofile_restricted",
        "seccompProfile_restricted",
        "seccompProfile",
    ),
    ("sysctls", "sysctls", "forbidden sysctl"),
    ("windowshostprocess", "windowsHostProcess", "hostProcess"),
];

/// At `restricted`, these baseline checks are replaced from the given minor on.
const OVERRIDES: &[(&str, &str, u32)] = &[
    ("capabilities_baseline", "capabilities_restricted", 22),
    ("hostPathVolumes", "restrictedVolumes", 0),
    ("seccompProfile_baseline", "seccompProfile_restricted", 19),
    ("procMount", "procMount_restricted", 35),
];

struct Case {
    path: PathBuf,
    level: String,
    minor: u32,
    pass: bool,
    name: String,
}

fn collect(root: &Path) -> Vec<Case> {
    let mut cases = Vec::new();
    for level in ["baseline", "restricted"] {
        let Ok(versions) = std::fs::read_dir(root.join(level)) else {
            continue;
        };
        for version in versions.flatten() {
            let vname = version.file_name().to_string_lossy().into_owned();
            let minor: u32 = vname
                .strip_prefix("v1.")
                .and_then(|m| m.parse().ok())
                .unwrap_or_else(|| panic!("unexpected version directory {vname}"));
            for outcome in ["pass", "fail"] {
                let Ok(files) = std::fs::read_dir(version.path().join(outcome)) else {
                    continue;
                };
                for file in files.flatten() {
                    let path = file.path();
                    if path.extension().is_some_and(|e| e == "yaml") {
                        let name = path
                            .file_stem()
                            .map(|s| s.to_string_lossy().into_owned())
                            .unwrap_or_default();
                        cases.push(Case {
                            path,
                            level: level.into(),
                            minor,
                            pass: outcome == "pass",
                            name,
                        });
                    }
                }
            }
        }
    }
    cases.sort_by(|a, b| a.path.cmp(&b.path));
    cases
}

fn load(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let loaded = kspect_core::load::parse_str(&path.display().to_string(), &text);
    if loaded.has_errors() {
        return Err(format!("load errors: {:?}", loaded.diagnostics));
    }
    match loaded.objects.as_slice() {
        [one] => Ok(one.value.clone()),
        other => Err(format!("expected one object, got {}", other.len())),
    }
}

/// The checks a `fail` fixture must trip, or an error for an unknown stem.
fn expected_checks(case: &Case) -> Result<(BTreeSet<&'static str>, &'static str), String> {
    let stem = case.name.trim_end_matches(|c: char| c.is_ascii_digit());
    let &(_, mut id, substring) = STEMS
        .iter()
        .find(|(s, _, _)| *s == stem)
        .ok_or_else(|| format!("unknown fixture stem {stem:?}"))?;
    if case.level == "restricted"
        && let Some(&(_, by, _)) = OVERRIDES
            .iter()
            .find(|&&(base, _, from)| base == id && case.minor >= from)
    {
        id = by;
    }
    let mut set = BTreeSet::from([id]);
    let index: u32 = case.name[stem.len()..].parse().unwrap_or(u32::MAX);
    // The corpus README's known cases where a second check fires as well.
    if stem == "windowshostprocess" && index <= 1 {
        set.insert("hostNamespaces");
    }
    if case.level == "restricted" && stem == "privileged" && index <= 1 && case.minor >= 8 {
        set.insert("allowPrivilegeEscalation");
    }
    if case.level == "restricted"
        && stem == "allowprivilegeescalation"
        && index == 3
        && case.minor >= 22
    {
        set.insert("capabilities_restricted");
    }
    Ok((set, substring))
}

fn judge(case: &Case) -> Result<(), String> {
    let pod = load(&case.path)?;
    let level: Level = case.level.parse().map_err(|e| format!("{e}"))?;
    let policy = Policy {
        level,
        version: Version::new(case.minor),
    };
    let null = Value::Null;
    let violations = evaluate(
        pod.get("metadata").unwrap_or(&null),
        pod.get("spec").unwrap_or(&null),
        &policy,
    );
    let fired: BTreeSet<&str> = violations.iter().map(|v| v.check).collect();
    if case.pass {
        return if violations.is_empty() {
            Ok(())
        } else {
            Err(format!("expected allowed, denied by {fired:?}"))
        };
    }
    if case.name.starts_with("base") {
        return Err("a base fixture under fail/".into());
    }
    let (expected, substring) = expected_checks(case)?;
    if fired != expected {
        return Err(format!(
            "expected exactly {expected:?} to fail, got {fired:?}"
        ));
    }
    let message = violations
        .iter()
        .map(|v| format!("{} ({})", v.reason, v.detail))
        .collect::<Vec<_>>()
        .join(", ");
    if !message.contains(substring) {
        return Err(format!(
            "message {message:?} lacks upstream substring {substring:?}"
        ));
    }
    Ok(())
}

#[test]
fn every_pss_fixture_agrees_with_upstream() {
    let Some(root) = kspect_core::corpus::corpus_dir("pss") else {
        return;
    };
    let cases = collect(&root);
    assert!(
        !cases.is_empty(),
        "no fixtures found under {}",
        root.display()
    );
    let mut failures = Vec::new();
    for case in &cases {
        if let Err(why) = judge(case) {
            failures.push(format!(
                "{}: {why}",
                case.path
                    .strip_prefix(&root)
                    .unwrap_or(&case.path)
                    .display()
            ));
        }
    }
    let passed = cases.len() - failures.len();
    println!("pss corpus: {passed} of {} passed", cases.len());
    assert!(
        failures.is_empty(),
        "{} of {} fixtures disagree; first ones:\n{}",
        failures.len(),
        cases.len(),
        failures
            .iter()
            .take(25)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
