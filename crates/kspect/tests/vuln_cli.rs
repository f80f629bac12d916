//! `kspect vuln`, `kspect vuln compare` and `kspect db` through the real binary.
//!
//! - `vuln compare` runs upstream ordering vectors from `shared/corpus/vuln/versions/`.
//! - `db import` loads `shared/corpus/vuln/advisories/` into a temporary database; the
//!   expected counts are derived here from the advisory files themselves (and, for
//!   Alpine's secdb YAML, from the count `kspect-vuln`'s e2e test documents).
//! - `vuln` scans corpus lockfiles (copied under their canonical names into a temporary
//!   folder, since detection goes by file name); every expected finding is worked out
//!   in a comment from the advisory's ranges, never taken from kspect's output.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use common::{Run, kspect, run};
use serde_json::Value;

fn corpus() -> Option<PathBuf> {
    kspect_core::corpus::corpus_dir("vuln")
}

fn run_env(args: &[&str], cwd: &Path, env: &[(&str, &str)]) -> Run {
    let mut c = kspect();
    c.args(args).current_dir(cwd);
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().expect("run kspect");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn json(r: &Run) -> Value {
    serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}\n{}", r.stdout, r.stderr))
}

// ---------------------------------------------------------------------------------------
// vuln compare
// ---------------------------------------------------------------------------------------

/// Every line of `file` (filtered by `keep`) through `kspect vuln compare ECO A B`.
/// Returns (passed, total, first disagreements).
fn compare_file(
    dir: &Path,
    file: &str,
    eco: &str,
    keep: impl Fn(&Value) -> bool,
) -> (usize, usize, Vec<String>) {
    let text = std::fs::read_to_string(dir.join(file))
        .unwrap_or_else(|e| panic!("cannot read {file}: {e}"));
    let cases: Vec<(usize, Value)> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, l)| {
            let v: Value = serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("{file}:{}: bad JSON: {e}", n + 1));
            (n + 1, v)
        })
        .filter(|(_, v)| keep(v))
        .collect();
    let check = |(n, v): &(usize, Value)| -> Option<String> {
        let a = v["a"].as_str().unwrap_or_default();
        let b = v["b"].as_str().unwrap_or_default();
        let want = match v["cmp"].as_i64() {
            Some(-1) => "<",
            Some(0) => "=",
            Some(1) => ">",
            other => return Some(format!("{file}:{n}: bad cmp {other:?}")),
        };
        let r = run(&["vuln", "compare", eco, a, b], dir);
        let got = r.stdout.trim();
        (r.code != 0 || got != want).then(|| {
            format!(
                "{file}:{n}: {eco} {a:?} vs {b:?}: want {want}, got {got:?} (exit {}, {})",
                r.code,
                r.stderr.trim()
            )
        })
    };
    // One process per vector: spread them over a few threads.
    let chunks: Vec<&[(usize, Value)]> = cases.chunks(cases.len().div_ceil(4).max(1)).collect();
    let mut failures: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = chunks
            .iter()
            .map(|c| s.spawn(|| c.iter().filter_map(check).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("worker"))
            .collect()
    });
    failures.sort();
    (cases.len() - failures.len(), cases.len(), failures)
}

/// Which lines of a vector file to run.
type Keep = dyn Fn(&Value) -> bool;

#[test]
fn compare_agrees_with_upstream_vectors() {
    let Some(root) = corpus() else { return };
    let dir = root.join("versions");
    let all = |_: &Value| true;
    // Alpine images are installed by apk-tools 2.x, which kspect's Alpine ecosystem
    // follows; five apk.jsonl lines are apk-tools 3.x-only and say so.
    let apk2 = |v: &Value| v["apk_tools_2_14"].as_str() == Some("present");
    let files: Vec<(&str, &str, &Keep)> = vec![
        ("dpkg.jsonl", "Debian", &all),
        ("apk.jsonl", "Alpine", &apk2),
        ("osv-scalibr/debian-versions.jsonl", "Debian:12", &all),
        ("osv-scalibr/redhat-versions.jsonl", "Red Hat", &all),
        ("osv-scalibr/pypi-versions.jsonl", "PyPI", &all),
        ("osv-scalibr/rubygems-versions.jsonl", "RubyGems", &all),
        ("osv-scalibr/semver-versions.jsonl", "crates.io", &all),
        ("osv-scalibr/nuget-versions.jsonl", "NuGet", &all),
        ("osv-scalibr/packagist-versions.jsonl", "Packagist", &all),
        ("osv-scalibr/pub-versions.jsonl", "Pub", &all),
    ];
    let mut all_failures = Vec::new();
    let (mut passed, mut total) = (0, 0);
    for (file, eco, keep) in files {
        let (p, t, f) = compare_file(&dir, file, eco, keep);
        println!("{file} as {eco}: {p} of {t} passed");
        assert!(t > 0, "{file} has no vectors");
        passed += p;
        total += t;
        all_failures.extend(f);
    }
    println!("vuln compare: {passed} of {total} passed");
    assert!(
        all_failures.is_empty(),
        "{} of {total} disagree; first ones:\n{}",
        all_failures.len(),
        all_failures[..all_failures.len().min(15)].join("\n")
    );
}

#[test]
fn compare_usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(&["vuln", "compare", "Slackware", "1", "2"], dir.path());
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("unknown ecosystem"), "{}", r.stderr);
    // dpkg rejects a non-numeric epoch.
    let r = run(&["vuln", "compare", "Debian", "a:1", "1"], dir.path());
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stderr.contains("epoch"), "{}", r.stderr);
    assert_eq!(run(&["vuln", "compare", "Debian", "1"], dir.path()).code, 2);
    // Spelled as a person types it.
    let r = run(
        &["vuln", "compare", "alpine", "1.2.3-r4", "1.2.3_rc1"],
        dir.path(),
    );
    // `_rc` is a pre-release suffix: 1.2.3_rc1 < 1.2.3 < 1.2.3-r4.
    assert_eq!((r.code, r.stdout.trim()), (0, ">"), "{}", r.stderr);
}

// ---------------------------------------------------------------------------------------
// db import / db info
// ---------------------------------------------------------------------------------------

/// Facts derived from the OSV JSON files of the corpus, independently of kspect.
struct AdvisoryFacts {
    files: usize,
    distinct: usize,
    withdrawn: usize,
    per_ecosystem: BTreeMap<String, usize>,
    newest: jiff::Timestamp,
}

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            json_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "json") {
            out.push(p);
        }
    }
}

fn advisory_facts(advisories: &Path) -> AdvisoryFacts {
    let mut files = Vec::new();
    json_files(advisories, &mut files);
    // The newest `modified` copy of each ID is the one a database keeps.
    let mut newest_copy: HashMap<String, (jiff::Timestamp, Value)> = HashMap::new();
    for f in &files {
        let v: Value = serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
        let id = v["id"].as_str().unwrap().to_owned();
        // One record (PYSEC-2024-55) says `1-01-01T00:00:00Z`: no usable date.
        let t: jiff::Timestamp = v["modified"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap_or(jiff::Timestamp::MIN);
        if newest_copy.get(&id).is_none_or(|(old, _)| t > *old) {
            newest_copy.insert(id, (t, v));
        }
    }
    let mut per: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut withdrawn = 0;
    for (id, (_, v)) in &newest_copy {
        if v.get("withdrawn").is_some_and(|w| !w.is_null()) {
            withdrawn += 1;
            continue;
        }
        for a in v["affected"].as_array().into_iter().flatten() {
            if let Some(eco) = a["package"]["ecosystem"].as_str() {
                let base = eco.split(':').next().unwrap_or(eco);
                per.entry(base.to_owned()).or_default().insert(id.clone());
            }
        }
    }
    AdvisoryFacts {
        files: files.len(),
        distinct: newest_copy.len(),
        withdrawn,
        per_ecosystem: per.into_iter().map(|(k, v)| (k, v.len())).collect(),
        newest: newest_copy.values().map(|(t, _)| *t).max().unwrap(),
    }
}

/// The Alpine secdb YAML (`advisories/alpine-secdb/`) lists 12,850 (branch, package, CVE)
/// entries of which 12,603 are distinct, as counted with PyYAML for `kspect-vuln`'s
/// e2e test (skipping fixed version "0"); each becomes one record.
const SECDB_ENTRIES: usize = 12_850;
const SECDB_DISTINCT: usize = 12_603;

/// `kspect db import` of the corpus advisories into `db`, run from `cwd`.
fn import(root: &Path, db: &Path, cwd: &Path) -> Value {
    let adv = root.join("advisories");
    let r = run(
        &[
            "db",
            "import",
            adv.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
            "--format",
            "json",
        ],
        cwd,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    json(&r)
}

#[test]
fn db_import_is_idempotent_and_info_counts_per_ecosystem() {
    let Some(root) = corpus() else { return };
    let facts = advisory_facts(&root.join("advisories"));
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cache/db.sqlite");
    let dbs = db.to_str().unwrap();

    // The parent folders of the database are created on import.
    let first = import(&root, &db, dir.path());
    assert_eq!(first["added"], facts.distinct + SECDB_DISTINCT);
    // Duplicate JSON copies of one ID and duplicate secdb entries are skipped.
    assert_eq!(
        first["skipped"],
        (facts.files - facts.distinct) + (SECDB_ENTRIES - SECDB_DISTINCT)
    );
    assert_eq!(first["updated"], 0);
    assert_eq!(first["withdrawn"], facts.withdrawn);
    assert_eq!(first["problems"], Value::Array(Vec::new()));

    // Again, in the text format a person reads: nothing new.
    let adv = root.join("advisories");
    let r = run(
        &["db", "import", adv.to_str().unwrap(), "--db", dbs],
        dir.path(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let field = |name: &str| -> usize {
        r.stdout
            .lines()
            .find_map(|l| l.trim().strip_prefix(&format!("{name}:")))
            .unwrap_or_else(|| panic!("no {name} line in:\n{}", r.stdout))
            .trim()
            .parse()
            .unwrap()
    };
    assert_eq!(field("added"), 0);
    assert_eq!(field("updated"), 0);
    assert_eq!(
        field("skipped"),
        facts.files + SECDB_ENTRIES,
        "every record seen is skipped"
    );

    let r = run(&["db", "info", "--db", dbs, "--format", "json"], dir.path());
    assert_eq!(r.code, 0, "{}", r.stderr);
    let info = json(&r);
    assert_eq!(info["records"], facts.distinct + SECDB_DISTINCT);
    assert_eq!(info["withdrawn"], facts.withdrawn);
    for eco in [
        "npm",
        "PyPI",
        "crates.io",
        "Go",
        "Maven",
        "AlmaLinux",
        "Debian",
    ] {
        assert_eq!(
            info["per_ecosystem"][eco], facts.per_ecosystem[eco],
            "records of {eco}"
        );
    }
    assert_eq!(
        info["per_ecosystem"]["Alpine"],
        facts.per_ecosystem["Alpine"] + SECDB_DISTINCT
    );
    let newest: jiff::Timestamp = info["newest_modified"].as_str().unwrap().parse().unwrap();
    assert_eq!(newest, facts.newest);

    // Staleness is judged against the newest record: a day later it is fresh, years
    // later the user is warned (on stderr; the exit status stays 0).
    let date = |t: jiff::Timestamp| jiff::tz::TimeZone::UTC.to_datetime(t).date().to_string();
    let fresh = date(facts.newest + jiff::SignedDuration::from_hours(48));
    let r = run_env(
        &["db", "info", "--db", dbs],
        dir.path(),
        &[("KSPECT_TODAY", &fresh)],
    );
    assert_eq!(r.code, 0);
    assert!(!r.stderr.contains("warning"), "{}", r.stderr);
    assert!(r.stdout.contains("Alpine"), "{}", r.stdout);
    let later = date(facts.newest + jiff::SignedDuration::from_hours(24 * 400));
    let r = run_env(
        &["db", "info", "--db", dbs],
        dir.path(),
        &[("KSPECT_TODAY", &later)],
    );
    assert_eq!(r.code, 0);
    assert!(
        r.stderr.contains("warning") && r.stderr.contains("days old"),
        "{}",
        r.stderr
    );
    let r = run_env(
        &["db", "info", "--db", dbs, "--max-age", "1000"],
        dir.path(),
        &[("KSPECT_TODAY", &later)],
    );
    assert!(!r.stderr.contains("warning"), "{}", r.stderr);
}

#[test]
fn db_import_reports_bad_records_and_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let good = r#"{"id": "GHSA-test-0001", "modified": "2024-01-01T00:00:00Z",
        "affected": [{"package": {"ecosystem": "npm", "name": "left-pad"},
        "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.3.0"}]}]}]}"#;
    common::write(dir.path(), "in/good.json", good);
    common::write(dir.path(), "in/bad.json", "{ not json");
    let r = run(&["db", "import", "in", "--db", "db.sqlite"], dir.path());
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("added:     1"), "{}", r.stdout);
    assert!(r.stdout.contains("problems:  1"), "{}", r.stdout);
    assert!(
        r.stderr.contains("bad.json") && r.stderr.contains("warning"),
        "{}",
        r.stderr
    );
    // A path that does not exist is an input error, and nothing is imported.
    let r = run(&["db", "import", "nope", "--db", "db.sqlite"], dir.path());
    assert_eq!(r.code, 2, "{}", r.stdout);
    // A database that does not exist is never created by `info` or `vuln`.
    let r = run(&["db", "info", "--db", "missing.sqlite"], dir.path());
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("kspect db import"), "{}", r.stderr);
    assert!(!dir.path().join("missing.sqlite").exists());
}

// ---------------------------------------------------------------------------------------
// vuln TARGET...
// ---------------------------------------------------------------------------------------

/// A project folder with corpus lockfiles under their canonical names.
fn project(root: &Path, dir: &Path) {
    let inv = root.join("inventory");
    let copy = |from: &str, to: &str| {
        let to = dir.join(to);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(inv.join(from), to).unwrap();
    };
    copy("yarn/trivy/nodejs-yarn/yarn_happy.lock", "web/yarn.lock");
    copy(
        "pypi/trivy/python-pipenv/Pipfile_normal.lock",
        "py/Pipfile.lock",
    );
    copy("cargo/trivy/rust-cargo/cargo_normal.lock", "rs/Cargo.lock");
}

fn ids_for(matches: &Value, package: &str, version: &str) -> Vec<String> {
    let mut v: Vec<String> = matches["matches"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["package"] == package && m["version"] == version)
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .collect();
    v.sort();
    v
}

fn find<'a>(matches: &'a Value, id: &str) -> &'a Value {
    matches["matches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == id)
        .unwrap_or_else(|| panic!("no {id} in {matches:#}"))
}

#[test]
fn vuln_scans_lockfiles_gates_and_renders() {
    let Some(root) = corpus() else { return };
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let db = p.join("db.sqlite");
    import(&root, &db, p);
    project(&root, p);
    let vuln = |extra: &[&str]| {
        let mut args = vec!["vuln", "--db", "db.sqlite"];
        args.extend_from_slice(extra);
        run(&args, p)
    };

    // The whole folder, JSON contract shape.
    let r = vuln(&[".", "--format", "json"]);
    assert_eq!(r.code, 0, "no gate flag, no failure: {}", r.stderr);
    let all = json(&r);
    for m in all["matches"].as_array().unwrap() {
        for key in [
            "id",
            "aliases",
            "ecosystem",
            "package",
            "version",
            "fixed",
            "severity",
            "cvss",
            "source",
        ] {
            assert!(m.get(key).is_some(), "{key} missing in {m}");
        }
    }

    // yarn.lock locks lodash 4.17.11 (line 46). Of the seven lodash records:
    // GHSA-29mw (CVE-2020-28500) [4.0.0, 4.17.21), GHSA-35jh (CVE-2021-23337)
    // [0, 4.17.21), GHSA-jf85 (CVE-2019-10744) [0, 4.17.12) and GHSA-p6mc
    // (CVE-2020-8203) [3.7.0, 4.17.19) contain it; GHSA-4xc9 and GHSA-x5rq are fixed in
    // 4.17.11 itself and GHSA-fvqr in 4.17.5.
    assert_eq!(
        ids_for(&all, "lodash", "4.17.11"),
        [
            "CVE-2019-10744",
            "CVE-2020-28500",
            "CVE-2020-8203",
            "CVE-2021-23337"
        ]
    );
    let jf85 = find(&all, "CVE-2019-10744");
    assert_eq!(jf85["fixed"], "4.17.12");
    // CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:H scores 9.1: critical.
    assert_eq!(jf85["cvss"], 9.1);
    assert_eq!(jf85["severity"], "critical");
    assert!(
        jf85["aliases"]
            .as_array()
            .unwrap()
            .contains(&Value::from("GHSA-jf85-cpcp-j695"))
    );
    assert_eq!(jf85["source"], "./web/yarn.lock:46");
    // Pipfile.lock: urllib3 1.24.2 is in PYSEC-2020-148 (CVE-2020-26137, fixed 1.25.9)
    // but not PYSEC-2023-207 (fixed in 1.24.2); requests 2.21.0 is in PYSEC-2023-74
    // (CVE-2023-32681, [2.3.0, 2.31.0)) but not PYSEC-2014-13 (fixed 2.3.0).
    assert_eq!(ids_for(&all, "urllib3", "1.24.2"), ["CVE-2020-26137"]);
    assert_eq!(find(&all, "CVE-2020-26137")["fixed"], "1.25.9");
    assert_eq!(ids_for(&all, "requests", "2.21.0"), ["CVE-2023-32681"]);
    // Cargo.lock: typemap 0.3.3 is in RUSTSEC-2019-0039 (introduced 0.0.0-0, never
    // fixed; alias GHSA-vfv3-9w6v-23jp, no CVE).
    assert_eq!(ids_for(&all, "typemap", "0.3.3"), ["RUSTSEC-2019-0039"]);
    assert_eq!(find(&all, "RUSTSEC-2019-0039")["fixed"], Value::Null);

    // --ignore-unfixed drops exactly the findings without a fixed version.
    let r = vuln(&[".", "--format", "json", "--ignore-unfixed"]);
    let fixed_only = json(&r);
    assert!(ids_for(&fixed_only, "typemap", "0.3.3").is_empty());
    let with_fix = all["matches"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| !m["fixed"].is_null())
        .count();
    assert_eq!(fixed_only["matches"].as_array().unwrap().len(), with_fix);
    assert!(with_fix > 0);

    // The explicit `dir:` form reads the same folder.
    let r = vuln(&["dir:py", "--format", "json"]);
    assert_eq!(ids_for(&json(&r), "urllib3", "1.24.2"), ["CVE-2020-26137"]);

    // Gates: CVE-2019-10744 scores 9.1 > 7.0.
    let r = vuln(&["web/yarn.lock", "--max-cvss", "7.0"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("CVE-2019-10744") && r.stderr.contains("9.1"),
        "{}",
        r.stderr
    );
    // Nothing scores above 10.
    assert_eq!(vuln(&["web/yarn.lock", "--max-cvss", "10"]).code, 0);
    assert_eq!(vuln(&["web/yarn.lock", "--fail-on", "critical"]).code, 1);
    // A limit outside CVSS's 0-10 is a usage error.
    assert_eq!(vuln(&["web/yarn.lock", "--max-cvss", "11"]).code, 2);

    // Table: the rule, the severity and the line of the lockfile, with the package name
    // under the caret.
    let r = vuln(&["web/yarn.lock", "--no-color"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("KSP501"), "{}", r.stdout);
    assert!(r.stdout.contains("web/yarn.lock:46:1"), "{}", r.stdout);
    assert!(r.stdout.contains("fixed in 4.17.12"), "{}", r.stdout);

    // SARIF parses, names the rule and points at the lockfile line.
    let r = vuln(&["web/yarn.lock", "--format", "sarif"]);
    let sarif = json(&r);
    common::assert_valid_sarif(&sarif);
    assert_eq!(sarif["version"], "2.1.0");
    let run0 = &sarif["runs"][0];
    let rules: Vec<&str> = run0["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    for id in ["KSP501", "KSP502", "KSP503", "KSP504", "KSP505"] {
        assert!(rules.contains(&id), "{id} not among the SARIF rules");
    }
    let results = run0["results"].as_array().unwrap();
    let in_web = all["matches"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["source"].as_str().unwrap().starts_with("./web/"))
        .count();
    assert_eq!(results.len(), in_web, "one SARIF result per match");
    let lodash = results
        .iter()
        .find(|r| {
            r["message"]["text"]
                .as_str()
                .unwrap()
                .contains("CVE-2019-10744")
        })
        .expect("CVE-2019-10744 in SARIF");
    assert_eq!(lodash["ruleId"], "KSP501");
    let loc = &lodash["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "web/yarn.lock");
    assert_eq!(loc["region"]["startLine"], 46);

    // CycloneDX: a BOM whose vulnerabilities affect its components, valid against the
    // 1.6 schema; fed back as an SBOM target it gives the same findings.
    let r = vuln(&["web/yarn.lock", "--format", "cyclonedx", "-o", "bom.cdx"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let bom: Value =
        serde_json::from_str(&std::fs::read_to_string(p.join("bom.cdx")).unwrap()).unwrap();
    check_cyclonedx(&bom, p);
    let vulns: BTreeSet<&str> = bom["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_str().unwrap())
        .collect();
    assert!(vulns.contains("CVE-2019-10744"));
    let r = vuln(&["sbom:bom.cdx", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        ids_for(&json(&r), "lodash", "4.17.11"),
        ids_for(&all, "lodash", "4.17.11")
    );

    // Input problems: a missing target is reported and the exit status is 2.
    let r = vuln(&["nope.lock", "--format", "json"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("nope.lock"), "{}", r.stderr);
    // A broken lockfile is named, and the other targets are still scanned.
    common::write(p, "broken/Cargo.lock", "[[package]\nname = ");
    let r = vuln(&["broken", "web", "--format", "json"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("Cargo.lock"), "{}", r.stderr);
    assert_eq!(ids_for(&json(&r), "lodash", "4.17.11").len(), 4);
}

/// The BOM's structure, then that the binary wrote exactly what the library renders for
/// the same inventory and database: `kspect-vuln`'s `cyclonedx_schema` test validates
/// that rendering, vulnerabilities included, against the CycloneDX 1.6 JSON schema with
/// the Rust `jsonschema` crate. (Validating here directly would need `jsonschema` as a
/// dev-dependency of this crate; until then the equality carries the guarantee over.)
fn check_cyclonedx(bom: &Value, dir: &Path) {
    assert_eq!(bom["bomFormat"], "CycloneDX");
    assert_eq!(bom["specVersion"], "1.6");
    let refs: BTreeSet<&str> = bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            assert!(c["purl"].as_str().unwrap().starts_with("pkg:npm/"), "{c}");
            c["bom-ref"].as_str().unwrap()
        })
        .collect();
    assert!(!bom["vulnerabilities"].as_array().unwrap().is_empty());
    for v in bom["vulnerabilities"].as_array().unwrap() {
        for a in v["affects"].as_array().unwrap() {
            assert!(refs.contains(a["ref"].as_str().unwrap()), "{v}");
        }
    }

    let (packages, errors) = kspect_vuln::inventory::scan_target(
        &dir.join("web/yarn.lock").display().to_string(),
        &kspect_vuln::inventory::ParseOptions::default(),
    );
    assert!(errors.is_empty(), "{errors:?}");
    let db = kspect_vuln::AdvisoryDb::open_existing(&dir.join("db.sqlite")).unwrap();
    let report =
        kspect_vuln::match_packages(&db, &packages, &kspect_vuln::MatchOptions::default()).unwrap();
    let mut expected = kspect_vuln::output::to_cyclonedx(&packages, &report);
    // The binary names the declaring file as given on its command line (relative); the
    // library was given an absolute path here.
    let relative = |v: &mut Value| {
        for c in v["components"].as_array_mut().unwrap() {
            if let Some(props) = c.get_mut("properties").and_then(Value::as_array_mut) {
                for p in props {
                    let s = p["value"].as_str().unwrap().to_owned();
                    let prefix = format!("{}/", dir.display());
                    p["value"] = Value::from(s.strip_prefix(&prefix).unwrap_or(&s));
                }
            }
        }
    };
    relative(&mut expected);
    assert_eq!(bom, &expected);
}

#[test]
fn vuln_without_a_database_says_how_to_get_one() {
    let dir = tempfile::tempdir().unwrap();
    common::write(dir.path(), "Cargo.lock", "version = 3\n");
    let r = run_env(
        &["vuln", "."],
        dir.path(),
        &[("XDG_CACHE_HOME", dir.path().join("cache").to_str().unwrap())],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("kspect db import") && r.stderr.contains("never downloads"),
        "{}",
        r.stderr
    );
    assert!(!dir.path().join("cache/kspect/db.sqlite").exists());
    // No target at all is a usage error.
    assert_eq!(run(&["vuln"], dir.path()).code, 2);
}

#[test]
fn vuln_rules_are_listed_and_explained() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(
        &["rules", "--format", "json", "--category", "vuln"],
        dir.path(),
    );
    assert_eq!(r.code, 0);
    let ids: Vec<String> = json(&r)
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, ["KSP501", "KSP502", "KSP503", "KSP504", "KSP505"]);
    let r = run(&["explain", "KSP502"], dir.path());
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("## How to fix") && r.stdout.contains("```yaml"));
}

// ---------------------------------------------------------------------------------------
// sbom, and accepted vulnerabilities in .kspect.yaml
// ---------------------------------------------------------------------------------------

#[test]
fn sbom_renders_a_corpus_lockfile_in_each_format() {
    let Some(root) = corpus() else { return };
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    project(&root, p);
    let purls = |doc: &Value, list: &str, key: &dyn Fn(&Value) -> Value| -> Vec<Value> {
        doc[list].as_array().unwrap().iter().map(key).collect()
    };
    let lodash = Value::from("pkg:npm/lodash@4.17.11");

    let r = run(&["sbom", "web/yarn.lock", "--format", "cyclonedx"], p);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let bom = json(&r);
    assert_eq!(bom["specVersion"], "1.6");
    assert!(purls(&bom, "components", &|c| c["purl"].clone()).contains(&lodash));
    assert_eq!(bom["vulnerabilities"], Value::Array(vec![]));

    let r = run(&["sbom", "web/yarn.lock", "--format", "spdx"], p);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let spdx = json(&r);
    assert_eq!(spdx["spdxVersion"], "SPDX-2.3");
    assert!(
        purls(&spdx, "packages", &|c| {
            c["externalRefs"][0]["referenceLocator"].clone()
        })
        .contains(&lodash)
    );
    // Both SBOMs list the same packages.
    assert_eq!(
        spdx["packages"].as_array().unwrap().len(),
        bom["components"].as_array().unwrap().len()
    );

    let r = run(&["sbom", "web/yarn.lock", "--format", "json"], p);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let inv = json(&r);
    assert!(purls(&inv, "packages", &|c| c["purl"].clone()).contains(&lodash));

    // A missing target is an input error.
    assert_eq!(run(&["sbom", "nope.lock"], p).code, 2);
}

#[test]
fn accepted_vulnerabilities_leave_the_gate_until_they_expire() {
    let Some(root) = corpus() else { return };
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let db = p.join("db.sqlite");
    import(&root, &db, p);
    project(&root, p);
    let gate = [
        "vuln",
        "--db",
        "db.sqlite",
        "web/yarn.lock",
        "--max-cvss",
        "7.0",
    ];
    let with_json = |env: &[(&str, &str)]| {
        let mut a = gate.to_vec();
        a.extend(["--format", "json"]);
        run_env(&a, p, env)
    };
    // Without exceptions, CVE-2019-10744 (CVSS 9.1) fails the gate (see above). Every
    // finding above 7.0 is accepted below, so that the verdict depends on the
    // exceptions alone.
    let r = with_json(&[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let over: Vec<(String, String)> = json(&r)["matches"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["cvss"].as_f64().is_some_and(|s| s > 7.0))
        .map(|m| {
            (
                m["id"].as_str().unwrap().to_owned(),
                m["package"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        over.iter().any(|(id, _)| id == "CVE-2019-10744"),
        "{over:?}"
    );
    let yaml = |expires: &str| {
        let mut y = String::from("vulnerabilities:\n");
        for (id, pkg) in &over {
            y.push_str(&format!(
                "  - id: {id}\n    package: {pkg}\n    reason: not reachable\n    expires: {expires}\n"
            ));
        }
        y
    };
    std::fs::write(p.join(".kspect.yaml"), yaml("2027-03-31")).unwrap();
    let today = [("KSPECT_TODAY", "2027-03-31")];
    let r = with_json(&today);
    assert_eq!(r.code, 0, "accepted, the gate passes: {}", r.stderr);
    let doc = json(&r);
    let m = find(&doc, "CVE-2019-10744");
    assert_eq!(m["suppressed"]["kind"], "config");
    assert_eq!(m["suppressed"]["reason"], "not reachable");
    // Kept, not dropped.
    assert_eq!(ids_for(&doc, "lodash", "4.17.11").len(), 4);
    assert_eq!(run_env(&gate, p, &today).code, 0);

    // The day after it expires it stops suppressing and says so.
    let later = [("KSPECT_TODAY", "2027-04-01")];
    let r = with_json(&later);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("expired on 2027-03-31") && r.stderr.contains("CVE-2019-10744"),
        "{}",
        r.stderr
    );
    let doc = json(&r);
    let m = find(&doc, "CVE-2019-10744");
    assert!(m.get("suppressed").is_none(), "{m}");
    assert_eq!(m["expired_exception"]["expires"], "2027-03-31");

    // An exception for another package does not apply.
    std::fs::write(
        p.join(".kspect.yaml"),
        "vulnerabilities:\n  - id: CVE-2019-10744\n    package: underscore\n    reason: r\n",
    )
    .unwrap();
    assert_eq!(run_env(&gate, p, &today).code, 1);
    // A config without a reason stops the command.
    std::fs::write(
        p.join(".kspect.yaml"),
        "vulnerabilities:\n  - id: CVE-2019-10744\n",
    )
    .unwrap();
    let r = run_env(&gate, p, &today);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("reason"), "{}", r.stderr);
}

#[test]
fn config_flag_and_unused_exceptions() {
    let Some(root) = corpus() else { return };
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let db = p.join("db.sqlite");
    import(&root, &db, p);
    project(&root, p);
    // Not named `.kspect.yaml` and not discovered: only `--config` finds it. One exception
    // covers a real finding (GHSA-jf85-cpcp-j695 is CVE-2019-10744 in lodash 4.17.11);
    // the other names an advisory no package here has.
    common::write(
        p,
        "policy/accepted.yaml",
        "vulnerabilities:\n  - id: GHSA-jf85-cpcp-j695\n    reason: not reachable\n  - id: CVE-1999-0001\n    package: lodash\n    reason: stale\n",
    );
    let args = |extra: &[&'static str]| {
        let mut a = vec![
            "vuln",
            "--db",
            "db.sqlite",
            "web/yarn.lock",
            "--config",
            "policy/accepted.yaml",
        ];
        a.extend_from_slice(extra);
        a
    };
    let r = run(&args(&["--format", "json"]), p);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc = json(&r);
    assert_eq!(
        find(&doc, "CVE-2019-10744")["suppressed"]["reason"],
        "not reachable"
    );
    let unused = doc["unused_exceptions"].as_array().unwrap();
    assert_eq!(unused.len(), 1, "{doc:#}");
    assert_eq!(unused[0]["id"], "CVE-1999-0001");
    assert_eq!(unused[0]["location"], "policy/accepted.yaml:4");
    assert!(
        r.stderr.contains("policy/accepted.yaml:4") && r.stderr.contains("matches no finding"),
        "{}",
        r.stderr
    );

    // In SARIF the unused exception is a KSP002 result at the exception's line, and
    // the accepted finding carries its suppression.
    let r = run(&args(&["--format", "sarif"]), p);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let sarif = json(&r);
    common::assert_valid_sarif(&sarif);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let unused = results
        .iter()
        .find(|x| x["ruleId"] == "KSP002")
        .unwrap_or_else(|| panic!("no KSP002 in {sarif:#}"));
    let loc = &unused["locations"][0]["physicalLocation"];
    assert_eq!(loc["region"]["startLine"], 4);
    assert!(
        loc["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .ends_with("accepted.yaml")
    );
    assert!(results.iter().any(|x| {
        x["message"]["text"]
            .as_str()
            .is_some_and(|m| m.contains("CVE-2019-10744"))
            && x.get("suppressions").is_some()
    }));

    // A --config that does not exist is a usage error, not a silent default.
    let r = run(
        &[
            "vuln",
            "--db",
            "db.sqlite",
            "web/yarn.lock",
            "--config",
            "nope.yaml",
        ],
        p,
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
}

/// An SBOM whose packages cannot all be matched exactly: an npm version node-semver
/// rejects (`latest`), and an Alpine package with no release anywhere.
const ODD_SBOM: &str = r#"{
  "bomFormat": "CycloneDX",
  "specVersion": "1.6",
  "version": 1,
  "components": [
    {"type": "library", "name": "lodash", "version": "latest",
     "purl": "pkg:npm/lodash@latest"},
    {"type": "library", "name": "musl", "version": "1.2.5-r1",
     "purl": "pkg:apk/alpine/musl@1.2.5-r1?arch=x86_64"}
  ]
}
"#;

#[test]
fn unmatchable_versions_and_unknown_releases_are_reported() {
    let Some(root) = corpus() else { return };
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let db = p.join("db.sqlite");
    import(&root, &db, p);
    common::write(p, "img/sbom.json", ODD_SBOM);
    let vuln = |extra: &[&str]| {
        let mut a = vec!["vuln", "--db", "db.sqlite", "sbom:img/sbom.json"];
        a.extend_from_slice(extra);
        run(&a, p)
    };
    let r = vuln(&["--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc = json(&r);
    // `latest` is not a version node-semver parses, even loosely: reported with its
    // file and line (the component object opens on line 6), and not matched by any range.
    let bad = doc["invalid_versions"].as_array().unwrap();
    assert_eq!(bad.len(), 1, "{doc:#}");
    assert_eq!(bad[0]["package"], "lodash");
    assert_eq!(bad[0]["version"], "latest");
    assert_eq!(bad[0]["source"], "img/sbom.json:6");
    assert!(ids_for(&doc, "lodash", "latest").is_empty());
    assert!(
        r.stderr.contains("img/sbom.json:6") && r.stderr.contains("lodash latest"),
        "{}",
        r.stderr
    );
    // musl 1.2.5-r1 names no Alpine release. ALPINE-CVE-2025-26519 fixes it in 1.2.5-r1 on
    // v3.20 and older, and in 1.2.5-r9 (v3.21) / 1.2.5-r10 (v3.22 to v3.24): matched
    // against every release, the finding says which ones, and stderr says why.
    let m = find(&doc, "CVE-2025-26519");
    assert_eq!(m["release_unknown"], true);
    assert_eq!(
        m["releases"],
        serde_json::json!(["v3.21", "v3.22", "v3.23", "v3.24"])
    );
    assert_eq!(m["fixed"], "1.2.5-r9");
    assert_eq!(doc["unknown_release"].as_array().unwrap().len(), 1);
    assert!(
        r.stderr.contains("name no release") && r.stderr.contains("--distro"),
        "{}",
        r.stderr
    );
    // The table shows both problems as warnings too.
    let r = vuln(&["--no-color"]);
    assert!(
        r.stdout.contains("lodash latest") && r.stdout.contains("name no release"),
        "{}",
        r.stdout
    );

    // --distro names the release: on v3.20 the installed musl is the fix.
    let r = vuln(&["--format", "json", "--distro", "alpine/3.20"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc = json(&r);
    assert!(ids_for(&doc, "musl", "1.2.5-r1").is_empty(), "{doc:#}");
    assert!(doc["unknown_release"].as_array().unwrap().is_empty());
    // ... and on v3.21 it is not.
    let doc = json(&vuln(&["--format", "json", "--distro", "alpine/3.21"]));
    assert_eq!(find(&doc, "CVE-2025-26519")["fixed"], "1.2.5-r9");
    assert!(
        find(&doc, "CVE-2025-26519")
            .get("release_unknown")
            .is_none()
    );
    // A distro kspect does not know is a usage error.
    assert_eq!(vuln(&["--distro", "slackware/15"]).code, 2);
}
