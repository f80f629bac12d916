//! End to end over the corpus: import every advisory in
//! `shared/corpus/vuln/advisories/` into a fresh database, read corpus
//! lockfiles, match, and check findings that follow from the advisory data
//! (each expectation below is worked out from the record's ranges in a
//! comment, not taken from this code's output).

use std::path::{Path, PathBuf};

use kspect_core::Severity;
use kspect_vuln::inventory::{self, Package, ParseOptions};
use kspect_vuln::{AdvisoryDb, Ecosystem, MatchOptions, MatchReport, match_packages};

fn corpus() -> Option<PathBuf> {
    kspect_core::corpus::corpus_dir("vuln")
}

fn imported(root: &Path) -> (tempfile::TempDir, AdvisoryDb) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut db = AdvisoryDb::open(&dir.path().join("db.sqlite")).expect("open db");
    let report = db.import(&[root.join("advisories")]).expect("import");
    assert!(
        report.problems.is_empty(),
        "import problems: {:?}",
        &report.problems[..report.problems.len().min(5)]
    );
    (dir, db)
}

fn scan(db: &AdvisoryDb, root: &Path, rel: &str, options: &MatchOptions) -> MatchReport {
    let pkgs = inventory::parse_file(
        &root.join("inventory").join(rel),
        None,
        &ParseOptions::default(),
    )
    .or_else(|_| {
        let f = root.join("inventory").join(rel);
        let fmt = if rel.contains("yarn") {
            inventory::Format::YarnLock
        } else if rel.contains("pipenv") {
            inventory::Format::PipfileLock
        } else {
            inventory::Format::CargoLock
        };
        inventory::parse_file(&f, Some(fmt), &ParseOptions::default())
    })
    .expect("corpus lockfile parses");
    match_packages(db, &pkgs, options).expect("match")
}

fn ids_for<'a>(r: &'a MatchReport, package: &str, version: &str) -> Vec<&'a str> {
    let mut v: Vec<&str> = r
        .findings
        .iter()
        .filter(|f| f.package == package && f.version == version)
        .map(|f| f.id.as_str())
        .collect();
    v.sort();
    v
}

#[test]
fn import_counts_and_idempotence() {
    let Some(root) = corpus() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let mut db = AdvisoryDb::open(&dir.path().join("db.sqlite")).expect("open");
    let started = std::time::Instant::now();
    let first = db.import(&[root.join("advisories")]).expect("import");
    println!("first import: {first:?} in {:?}", started.elapsed());
    // 2,451 OSV files hold 2,448 distinct IDs: PYSEC-2020-148, -2023-62 and
    // -2023-74 exist twice (git/GIT-*.json, modified 2023-11-08, and
    // pypi/*.json, modified earlier). Folders are read in name order, so the
    // newer git copy comes first and the older PyPI copy is skipped.
    // The 18 secdb files list 12,850 (branch, package, CVE) entries of which
    // 12,603 are distinct (counted with PyYAML, skipping fixed version "0").
    assert_eq!(first.added, 2448 + 12603);
    assert_eq!(first.skipped, 3 + (12850 - 12603));
    assert_eq!(first.updated, 0);
    // `withdrawn` is set in 10 corpus records.
    assert_eq!(first.withdrawn, 10);
    assert!(first.problems.is_empty());

    let again = db.import(&[root.join("advisories")]).expect("import again");
    assert_eq!((again.added, again.updated), (0, 0));
    assert_eq!(again.skipped, first.added + first.skipped);

    // The newer copy won: GIT-PYSEC-2023-74 (2023-11-08) over PYSEC-2023-74 (2023-06-05).
    let rec = db.get("PYSEC-2023-74").expect("get").expect("stored");
    assert!(rec.modified.starts_with("2023-11-08"));

    let info = db
        .info(
            jiff::Timestamp::now(),
            jiff::SignedDuration::from_hours(24 * 7),
        )
        .expect("info");
    assert_eq!(info.records, 2448 + 12603);
    assert_eq!(info.withdrawn, 10);
    assert!(info.per_ecosystem.get("Alpine").copied().unwrap_or(0) >= 12603);
    assert!(
        info.per_ecosystem.contains_key("PyPI") && info.per_ecosystem.contains_key("crates.io")
    );
    assert!(info.newest_modified.is_some());
}

#[test]
fn lockfile_findings_follow_the_advisories() {
    let Some(root) = corpus() else { return };
    let (_dir, db) = imported(&root);
    let all = MatchOptions::default();

    // yarn_happy.lock locks lodash 4.17.11. Of the seven lodash records:
    // GHSA-29mw (CVE-2020-28500) [4.0.0, 4.17.21), GHSA-35jh (CVE-2021-23337)
    // [0, 4.17.21), GHSA-jf85 (CVE-2019-10744) [0, 4.17.12) and GHSA-p6mc
    // (CVE-2020-8203) [3.7.0, 4.17.19) contain it; GHSA-4xc9 and GHSA-x5rq are
    // fixed in 4.17.11 itself and GHSA-fvqr in 4.17.5.
    let r = scan(&db, &root, "yarn/trivy/nodejs-yarn/yarn_happy.lock", &all);
    assert_eq!(
        ids_for(&r, "lodash", "4.17.11"),
        vec![
            "CVE-2019-10744",
            "CVE-2020-28500",
            "CVE-2020-8203",
            "CVE-2021-23337"
        ]
    );
    let jf85 = r
        .findings
        .iter()
        .find(|f| f.id == "CVE-2019-10744")
        .expect("CVE-2019-10744");
    assert_eq!(jf85.fixed.as_deref(), Some("4.17.12"));
    assert!(jf85.aliases.contains(&"GHSA-jf85-cpcp-j695".to_owned()));
    // CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:H scores 9.1: critical.
    assert_eq!(jf85.cvss, Some(9.1));
    assert_eq!(jf85.severity, Some(Severity::Critical));
    // The finding names the line of the yarn.lock entry.
    let loc = jf85.source.as_ref().expect("location");
    assert!(loc.file.ends_with("yarn_happy.lock") && loc.line.is_some());

    // Pipfile_normal.lock: urllib3 1.24.2 is in PYSEC-2020-148 (CVE-2020-26137,
    // fixed 1.25.9) but not PYSEC-2023-207 (fixed in 1.24.2); requests 2.21.0
    // is in PYSEC-2023-74 (CVE-2023-32681, [2.3.0, 2.31.0)) but not
    // PYSEC-2014-13 (fixed 2.3.0).
    let r = scan(
        &db,
        &root,
        "pypi/trivy/python-pipenv/Pipfile_normal.lock",
        &all,
    );
    assert_eq!(ids_for(&r, "urllib3", "1.24.2"), vec!["CVE-2020-26137"]);
    assert_eq!(ids_for(&r, "requests", "2.21.0"), vec!["CVE-2023-32681"]);
    let u = r
        .findings
        .iter()
        .find(|f| f.package == "urllib3")
        .expect("urllib3");
    assert_eq!(u.fixed.as_deref(), Some("1.25.9"));

    // cargo_normal.lock: typemap 0.3.3 is in RUSTSEC-2019-0039 (unmaintained,
    // introduced 0.0.0-0, never fixed; alias GHSA-vfv3-9w6v-23jp, no CVE).
    let r = scan(&db, &root, "cargo/trivy/rust-cargo/cargo_normal.lock", &all);
    assert_eq!(ids_for(&r, "typemap", "0.3.3"), vec!["RUSTSEC-2019-0039"]);
    let t = &r
        .findings
        .iter()
        .find(|f| f.package == "typemap")
        .expect("typemap");
    assert_eq!(t.fixed, None);
    assert_eq!(t.aliases, vec!["GHSA-vfv3-9w6v-23jp".to_owned()]);
    // ... and --ignore-unfixed drops it.
    let r = scan(
        &db,
        &root,
        "cargo/trivy/rust-cargo/cargo_normal.lock",
        &MatchOptions {
            ignore_unfixed: true,
            ..MatchOptions::default()
        },
    );
    assert!(ids_for(&r, "typemap", "0.3.3").is_empty());
}

#[test]
fn gates_and_withdrawn_and_alpine() {
    let Some(root) = corpus() else { return };
    let (_dir, db) = imported(&root);
    let lodash = || {
        inventory::parse_file(
            &root.join("inventory/yarn/trivy/nodejs-yarn/yarn_happy.lock"),
            Some(inventory::Format::YarnLock),
            &ParseOptions::default(),
        )
        .expect("parse")
    };
    // lodash 4.17.11's CVE-2019-10744 scores 9.1 > 7.0: the gate fails.
    let r = match_packages(
        &db,
        &lodash(),
        &MatchOptions {
            max_cvss: Some(7.0),
            ..MatchOptions::default()
        },
    )
    .expect("match");
    assert!(r.gate.failed);
    assert!(r.gate.reasons.iter().any(|m| m.contains("CVE-2019-10744")));
    // With a limit of 10 nothing exceeds it.
    let r = match_packages(
        &db,
        &lodash(),
        &MatchOptions {
            max_cvss: Some(10.0),
            ..MatchOptions::default()
        },
    )
    .expect("match");
    assert!(!r.gate.failed);
    // fail-on critical trips on the critical finding.
    let r = match_packages(
        &db,
        &lodash(),
        &MatchOptions {
            fail_on: Some(Severity::Critical),
            ..MatchOptions::default()
        },
    )
    .expect("match");
    assert!(r.gate.failed);

    // RUSTSEC-2020-0053 (crate `dirs`, every version) is withdrawn: no finding.
    let dirs = vec![Package::new(Ecosystem::CratesIo, "dirs", "1.0.5", None)];
    let r = match_packages(&db, &dirs, &MatchOptions::default()).expect("match");
    assert!(
        r.findings
            .iter()
            .all(|f| !f.advisories.contains(&"RUSTSEC-2020-0053".to_owned()))
    );

    // Alpine secdb v3.10 main: musl fixed CVE-2019-14697 in 1.1.22-r3.
    let musl = |v: &str| {
        vec![Package::new(
            Ecosystem::Alpine(Some("v3.10".into())),
            "musl",
            v,
            None,
        )]
    };
    let r = match_packages(&db, &musl("1.1.22-r2"), &MatchOptions::default()).expect("match");
    assert_eq!(ids_for(&r, "musl", "1.1.22-r2"), vec!["CVE-2019-14697"]);
    assert_eq!(r.findings[0].fixed.as_deref(), Some("1.1.22-r3"));
    let r = match_packages(&db, &musl("1.1.22-r3"), &MatchOptions::default()).expect("match");
    assert!(ids_for(&r, "musl", "1.1.22-r3").is_empty());
    // ... and a v3.10 record does not apply to another branch's package.
    let other = vec![Package::new(
        Ecosystem::Alpine(Some("v3.9".into())),
        "musl",
        "1.1.20-r3",
        None,
    )];
    let r = match_packages(&db, &other, &MatchOptions::default()).expect("match");
    assert!(
        !r.findings
            .iter()
            .any(|f| f.advisories.iter().any(|a| a.starts_with("ALPINE-v3.10-")))
    );

    // ALPINE-CVE-2025-26519 (OSV): Alpine:v3.19 musl [0.9.13, 1.2.4_git20230717-r5);
    // its ID embeds the CVE, which becomes the finding's ID.
    let m = vec![Package::new(
        Ecosystem::Alpine(Some("v3.19".into())),
        "musl",
        "1.2.4_git20230717-r4",
        None,
    )];
    let r = match_packages(&db, &m, &MatchOptions::default()).expect("match");
    assert_eq!(
        ids_for(&r, "musl", "1.2.4_git20230717-r4"),
        vec!["CVE-2025-26519"]
    );
    assert_eq!(r.findings[0].fixed.as_deref(), Some("1.2.4_git20230717-r5"));
}
