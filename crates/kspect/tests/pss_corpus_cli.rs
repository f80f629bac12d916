//! The Pod Security Admission fixtures, through the real command line:
//! `kspect pss DIR --level L --version V --format json` for every fixture folder, and
//! every verdict compared with the one its path states (see the corpus README).

mod common;

use std::collections::BTreeMap;

use common::{repo_root, run};
use serde_json::Value;

/// A restricted check that replaces a baseline one fires in its place.
fn expected_check(stem: &str, level: &str, minor: u32) -> String {
    let id = match stem {
        "allowprivilegeescalation" => "allowPrivilegeEscalation",
        "apparmorprofile" => "appArmorProfile",
        "capabilities_baseline" => "capabilities_baseline",
        "capabilities_restricted" => "capabilities_restricted",
        "hostnamespaces" => "hostNamespaces",
        "hostpathvolumes" => "hostPathVolumes",
        "hostports" => "hostPorts",
        "hostprobesandhostlifecycle" => "hostProbesAndHostLifecycle",
        "privileged" => "privileged",
        "procmount" => "procMount",
        "procmount_restricted" => "procMount_restricted",
        "restrictedvolumes" => "restrictedVolumes",
        "runasnonroot" => "runAsNonRoot",
        "runasuser" => "runAsUser",
        "selinuxoptions" => "seLinuxOptions",
        "seccompprofile_baseline" => "seccompProfile_baseline",
        "seccompprofile_restricted" => "seccompProfile_restricted",
        "sysctls" => "sysctls",
        "windowshostprocess" => "windowsHostProcess",
        other => panic!("unknown fixture stem {other}"),
    };
    if level == "restricted" {
        match id {
            "capabilities_baseline" if minor >= 22 => return "capabilities_restricted".into(),
            "hostPathVolumes" => return "restrictedVolumes".into(),
            "seccompProfile_baseline" if minor >= 19 => return "seccompProfile_restricted".into(),
            "procMount" if minor >= 35 => return "procMount_restricted".into(),
            _ => {}
        }
    }
    id.to_string()
}

#[test]
fn every_pss_fixture_through_the_cli() {
    let Some(corpus) = kspect_core::corpus::corpus_dir("pss") else {
        return;
    };
    let root = repo_root();
    let (mut passed, mut total) = (0usize, 0usize);
    let mut failures: Vec<String> = Vec::new();
    for level in ["baseline", "restricted"] {
        for minor in 0..=37u32 {
            for outcome in ["pass", "fail"] {
                let dir = corpus.join(level).join(format!("v1.{minor}")).join(outcome);
                if !dir.is_dir() {
                    continue;
                }
                let files = std::fs::read_dir(&dir).unwrap().count();
                let version = format!("v1.{minor}");
                let dir_arg = dir.to_str().unwrap();
                let r = run(
                    &[
                        "pss",
                        dir_arg,
                        "--level",
                        level,
                        "--version",
                        &version,
                        "--format",
                        "json",
                    ],
                    &root,
                );
                let expected_code = if outcome == "pass" { 0 } else { 1 };
                if r.code != expected_code {
                    failures.push(format!(
                        "{level}/{version}/{outcome}: exit {} (expected {expected_code}) {}",
                        r.code, r.stderr
                    ));
                }
                let doc: Value = serde_json::from_str(&r.stdout).unwrap_or(Value::Null);
                let results: BTreeMap<String, &Value> = doc["results"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .map(|r| (r["object"]["name"].as_str().unwrap_or("").to_string(), r))
                            .collect()
                    })
                    .unwrap_or_default();
                for entry in std::fs::read_dir(&dir).unwrap() {
                    let path = entry.unwrap().path();
                    let name = path.file_stem().unwrap().to_str().unwrap().to_string();
                    total += 1;
                    let Some(result) = results.get(&name) else {
                        failures.push(format!("{}: no result", path.display()));
                        continue;
                    };
                    let allowed = result["allowed"].as_bool();
                    let ok = if outcome == "pass" {
                        allowed == Some(true)
                    } else {
                        let stem = name.trim_end_matches(|c: char| c.is_ascii_digit());
                        let want = expected_check(stem, level, minor);
                        allowed == Some(false)
                            && result["violations"]
                                .as_array()
                                .is_some_and(|v| v.iter().any(|v| v["check"] == want.as_str()))
                    };
                    if ok {
                        passed += 1;
                    } else {
                        failures.push(format!("{}: {}", path.display(), result["violations"]));
                    }
                }
                assert_eq!(
                    results.len(),
                    files,
                    "one result per fixture in {}",
                    dir.display()
                );
            }
        }
    }
    println!("PSS fixtures through `kspect pss`: {passed} of {total} passed");
    assert!(
        total > 3000,
        "expected the whole corpus, found {total} fixtures"
    );
    assert!(
        failures.is_empty(),
        "{} disagreements, first: {:#?}",
        failures.len(),
        &failures[..failures.len().min(10)]
    );
}
