//! Every lockfile in `shared/corpus/vuln/inventory/` against the package
//! lists that osv-scalibr's and Trivy's own tests expect from it.
//!
//! Compared: the multiset of (name, version). The two tools differ in what
//! they report from the same file, and each package carries the facts that
//! decide it, so each expectation is compared with the view of the tool that
//! wrote it:
//! - osv-scalibr does not report the project itself (go.mod `module`).
//! - Trivy reports the go.mod module (version empty); it leaves out local
//!   replacements and the `go`-line stdlib (it reports stdlib only when a
//!   `toolchain` line pins it); for npm it leaves out local folders that no
//!   `node_modules` link points at; for yarn, anything not from a registry;
//!   for requirements files, anything not pinned with `==` (unless the test
//!   sets `useMinVersion`).
//! - Go versions are compared without the `v` prefix, which osv-scalibr
//!   drops and Trivy keeps.
//! - osv-scalibr's `TestMetricCollector` expectations check metrics, not
//!   packages, and are left out.
//!
//! Trivy's golden options (`replace`, `useMinVersion`) become [`ParseOptions`].
//!
//! OS package databases (dpkg, apk, rpm) in the same folder belong to the
//! image scanner and are not read here.

use std::path::{Path, PathBuf};

use kspect_vuln::inventory::{self, Format, Package, PackageSource, ParseOptions, Relationship};
use serde_json::Value;

fn format_for(rel: &str) -> Option<Format> {
    let eco = rel.split('/').next()?;
    Some(match eco {
        "cargo" => Format::CargoLock,
        "composer" => Format::ComposerLock,
        "go" if rel.ends_with(".sum") => Format::GoSum,
        "go" => Format::GoMod,
        "maven" => Format::PomXml,
        "npm" => Format::NpmLock,
        "pnpm" => Format::PnpmLock,
        "yarn" => Format::YarnLock,
        "rubygems" => Format::GemfileLock,
        "pypi" if rel.contains("requirements") || rel.contains("python-pip/") => {
            Format::Requirements
        }
        "pypi" if rel.contains("poetry") => Format::PoetryLock,
        "pypi" if rel.contains("pipfile") || rel.contains("pipenv") => Format::PipfileLock,
        "pypi" if rel.contains("uvlock") => Format::UvLock,
        _ => return None,
    })
}

fn goldens(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            goldens(&p, out);
        } else if p.to_string_lossy().ends_with(".golden.json") {
            out.push(p);
        }
    }
}

fn norm_version(format: Format, v: &str) -> String {
    if matches!(format, Format::GoMod | Format::GoSum) {
        v.strip_prefix('v').unwrap_or(v).to_owned()
    } else {
        v.to_owned()
    }
}

/// Expectations that need files the corpus does not hold: Trivy names the
/// workspace `functions/func1` from its `package.json`, which was not copied.
const NEEDS_MISSING_FILE: &[&str] = &["npm/trivy/nodejs-npm/package-lock_v3_with_workspace.json"];

/// The `go` directive's minor version (`go 1.16` -> 16).
fn go_minor(text: &str) -> Option<u32> {
    text.lines()
        .find_map(|l| l.trim().strip_prefix("go "))
        .and_then(|v| v.trim().split('.').nth(1))
        .and_then(|m| m.parse().ok())
}

fn trivy_keeps(format: Format, p: &Package, min_version: bool, go_minor: Option<u32>) -> bool {
    match format {
        // Before go 1.17, go.mod's `// indirect` list is incomplete and
        // Trivy leaves it out.
        Format::GoMod
            if go_minor.is_some_and(|m| m < 17) && p.relationship == Relationship::Indirect =>
        {
            false
        }
        // Trivy reads no go.sum for go <= 1.16 modules.
        Format::GoMod
            if p.location
                .as_ref()
                .is_some_and(|l| l.file.extension().is_some_and(|e| e == "sum")) =>
        {
            false
        }
        Format::GoMod => {
            p.relationship == Relationship::Root
                || (p.source == PackageSource::Implied && p.relationship == Relationship::Direct)
                || p.source == PackageSource::Registry
        }
        Format::NpmLock => {
            p.source != PackageSource::Local || p.relationship == Relationship::Workspace
        }
        Format::YarnLock => p.source == PackageSource::Registry,
        Format::Requirements => {
            !p.version.is_empty()
                && (min_version || p.constraint.as_deref().is_some_and(|c| c.starts_with("==")))
        }
        _ => true,
    }
}

#[test]
fn inventory_corpus() {
    let Some(root) = kspect_core::corpus::corpus_dir("vuln/inventory") else {
        return;
    };
    let mut files = Vec::new();
    goldens(&root, &mut files);
    files.sort();
    let (mut total, mut passed, mut known) = (0, 0, 0);
    let mut failures = Vec::new();
    for golden in files {
        let rel = golden
            .strip_prefix(&root)
            .unwrap_or(&golden)
            .to_string_lossy()
            .replace('\\', "/");
        let input_rel = rel.trim_end_matches(".golden.json").to_owned();
        if ["dpkg/", "apk/", "rpm/"].iter().any(|p| rel.starts_with(p)) {
            continue;
        }
        let Some(format) = format_for(&input_rel) else {
            failures.push(format!("{rel}: no format for this file"));
            total += 1;
            continue;
        };
        let g: Value = serde_json::from_str(&std::fs::read_to_string(&golden).unwrap_or_default())
            .unwrap_or(Value::Null);
        let trivy = g["source_repo"]
            .as_str()
            .is_some_and(|r| r.contains("trivy"));
        for exp in g["expectations"].as_array().into_iter().flatten() {
            // That test checks extraction metrics, not the package list.
            if exp["test_file"]
                .as_str()
                .is_some_and(|t| t.ends_with("#TestMetricCollector"))
            {
                continue;
            }
            if NEEDS_MISSING_FILE.contains(&input_rel.as_str()) {
                known += 1;
                continue;
            }
            total += 1;
            let opts: Vec<String> = exp["options"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|o| o.as_str().map(|s| s.split_whitespace().collect::<String>()))
                .collect();
            let options = ParseOptions {
                go_replace: !opts.iter().any(|o| o == "replace:false"),
                pip_min_version: opts.iter().any(|o| o == "useMinVersion:true"),
                ..ParseOptions::default()
            };
            let case = format!(
                "{input_rel} [{}{}]",
                exp["test_file"]
                    .as_str()
                    .unwrap_or("")
                    .rsplit('#')
                    .next()
                    .unwrap_or(""),
                exp["case"]
                    .as_str()
                    .map(|c| format!(": {c}"))
                    .unwrap_or_default()
            );
            let go_minor_version =
                go_minor(&std::fs::read_to_string(root.join(&input_rel)).unwrap_or_default());
            let result = inventory::parse_file(&root.join(&input_rel), Some(format), &options);
            if exp["expect_error"].as_bool() == Some(true) {
                match result {
                    Err(_) => passed += 1,
                    Ok(p) => failures.push(format!(
                        "{case}: expected an error, got {} packages",
                        p.len()
                    )),
                }
                continue;
            }
            let pkgs = match result {
                Ok(p) => p,
                Err(e) => {
                    failures.push(format!("{case}: unexpected error {e}"));
                    continue;
                }
            };
            let mut got: Vec<String> = pkgs
                .iter()
                .filter(|p| {
                    if trivy {
                        trivy_keeps(format, p, options.pip_min_version, go_minor_version)
                    } else {
                        p.relationship != Relationship::Root
                    }
                })
                .map(|p| format!("{}@{}", p.name, norm_version(format, &p.version)))
                .collect();
            let mut want: Vec<String> = exp["packages"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| {
                    format!(
                        "{}@{}",
                        p["name"].as_str().unwrap_or(""),
                        norm_version(format, p["version"].as_str().unwrap_or(""))
                    )
                })
                .collect();
            got.sort();
            want.sort();
            if got == want {
                passed += 1;
            } else {
                let missing: Vec<&String> = want.iter().filter(|w| !got.contains(w)).collect();
                let extra: Vec<&String> = got.iter().filter(|x| !want.contains(x)).collect();
                failures.push(format!(
                    "{case}: got {} want {}; missing {missing:?}; extra {extra:?}",
                    got.len(),
                    want.len()
                ));
            }
        }
    }
    println!(
        "inventory corpus: {passed} of {total} passed ({known} left out: they need files the corpus lacks)"
    );
    for f in failures.iter().take(60) {
        println!("  FAIL {f}");
    }
    assert!(
        failures.is_empty(),
        "{} of {total} inventory expectations disagree",
        failures.len()
    );
}
