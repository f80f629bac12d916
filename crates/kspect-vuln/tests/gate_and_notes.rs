//! The library's CI gate with accepted risks (`vulnerabilities:` exceptions),
//! unused and expired exceptions, and packages whose version their
//! ecosystem's scheme rejects. Records are hand-made; the invalid versions
//! are upstream's (dpkg's and golang.org/x/mod's test tables in the corpus).

use kspect_core::Severity;
use kspect_core::config::VulnException;
use kspect_vuln::advisory::OsvRecord;
use kspect_vuln::inventory::{Location, Package};
use kspect_vuln::{AdvisoryDb, Ecosystem, MatchOptions, gate, match_packages};
use serde_json::{Value, json};

/// Two npm advisories for `left-pad` below 1.3.0: one critical (CVSS 3.1
/// base 9.8 for AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H), one medium (5.3 for
/// AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N), and one with no fix at all.
fn db() -> AdvisoryDb {
    let rec = |id: &str, cve: &str, vector: &str, events: Value| -> OsvRecord {
        serde_json::from_value(json!({
            "id": id, "modified": "2025-01-01T00:00:00Z", "aliases": [cve],
            "severity": [{"type": "CVSS_V3", "score": vector}],
            "affected": [{"package": {"ecosystem": "npm", "name": "left-pad"},
                          "ranges": [{"type": "SEMVER", "events": events}]}]
        }))
        .expect("record")
    };
    let mut db = AdvisoryDb::open_in_memory().expect("db");
    db.import_records(
        vec![
            rec(
                "GHSA-crit-0000-0001",
                "CVE-2099-1001",
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                json!([{"introduced": "0"}, {"fixed": "1.3.0"}]),
            ),
            rec(
                "GHSA-medi-0000-0002",
                "CVE-2099-1002",
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N",
                json!([{"introduced": "0"}, {"fixed": "1.3.0"}]),
            ),
            rec(
                "GHSA-unfx-0000-0003",
                "CVE-2099-1003",
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N",
                json!([{"introduced": "0"}]),
            ),
        ],
        "test",
    )
    .expect("import");
    db
}

fn left_pad(version: &str) -> Vec<Package> {
    vec![Package::new(
        Ecosystem::Npm,
        "left-pad",
        version,
        Some(Location {
            file: "package-lock.json".into(),
            line: Some(7),
        }),
    )]
}

fn exception(id: &str, package: Option<&str>, expires: Option<&str>) -> VulnException {
    VulnException {
        id: id.into(),
        package: package.map(Into::into),
        reason: "accepted for the test".into(),
        expires: expires.map(|d| d.parse().expect("date")),
        location: None,
    }
}

fn today() -> Option<jiff::civil::Date> {
    Some("2026-06-01".parse().expect("date"))
}

#[test]
fn the_gate_is_the_librarys_and_leaves_accepted_risks_out() {
    let db = db();
    let base = MatchOptions {
        fail_on: Some(Severity::High),
        max_cvss: Some(7.0),
        today: today(),
        ..MatchOptions::default()
    };
    let r = match_packages(&db, &left_pad("1.2.0"), &base).expect("match");
    assert_eq!(r.findings.len(), 3);
    assert!(r.gate.failed);
    // The critical one fails both limits; the medium ones neither.
    assert_eq!(r.gate.reasons.len(), 2, "{:?}", r.gate.reasons);
    assert!(r.gate.reasons.iter().all(|m| m.contains("CVE-2099-1001")));
    // The public gate gives the same verdict over the same findings.
    assert_eq!(gate(&r.findings, &base), r.gate);

    // Accepted by its GHSA alias (case does not matter), for this package: kept,
    // marked, and out of the gate.
    let accepted = MatchOptions {
        exceptions: vec![exception("ghsa-crit-0000-0001", Some("left-pad"), None)],
        ..base.clone()
    };
    let r = match_packages(&db, &left_pad("1.2.0"), &accepted).expect("match");
    assert_eq!(r.findings.len(), 3, "accepted findings are kept");
    assert!(!r.gate.failed, "{:?}", r.gate.reasons);
    let crit = r
        .findings
        .iter()
        .find(|f| f.id == "CVE-2099-1001")
        .expect("critical");
    assert!(crit.is_accepted());
    assert!(r.exceptions.unused.is_empty());

    // Expired the day before: reported again and failing again.
    let expired = MatchOptions {
        exceptions: vec![exception("CVE-2099-1001", None, Some("2026-05-31"))],
        ..base.clone()
    };
    let r = match_packages(&db, &left_pad("1.2.0"), &expired).expect("match");
    assert!(r.gate.failed);
    assert_eq!(r.exceptions.expired.len(), 1);
    assert_eq!(r.exceptions.expired[0].1, 1, "it would cover one finding");
    // ... but on its last day it still holds.
    let last_day = MatchOptions {
        today: Some("2026-05-31".parse().expect("date")),
        ..expired
    };
    assert!(
        !match_packages(&db, &left_pad("1.2.0"), &last_day)
            .expect("match")
            .gate
            .failed
    );
}

#[test]
fn unused_exceptions_are_reported_and_unfixed_ones_are_not_unused() {
    let db = db();
    let options = MatchOptions {
        ignore_unfixed: true,
        today: today(),
        exceptions: vec![
            // Names a package the finding is not in.
            exception("CVE-2099-1001", Some("right-pad"), None),
            // Covers the unfixed finding that --ignore-unfixed hides: still used.
            exception("CVE-2099-1003", None, None),
            // Matches nothing at all.
            exception("CVE-1999-0001", None, None),
            // Expired: reported as expired, never as unused.
            exception("CVE-1999-0002", None, Some("2020-01-01")),
        ],
        ..MatchOptions::default()
    };
    let r = match_packages(&db, &left_pad("1.2.0"), &options).expect("match");
    let ids: Vec<String> = r.findings.iter().map(|f| f.id.clone()).collect();
    assert_eq!(ids, ["CVE-2099-1001", "CVE-2099-1002"], "unfixed dropped");
    let unused: Vec<&str> = r.exceptions.unused.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(unused, ["CVE-2099-1001", "CVE-1999-0001"]);
    assert_eq!(r.exceptions.expired.len(), 1);
    assert_eq!(r.exceptions.expired[0].1, 0);
    // 1.3.0 fixes the first two; the unfixed one (every version since 0) is
    // still there, hidden by --ignore-unfixed, and its exception still used.
    let r = match_packages(&db, &left_pad("1.3.0"), &options).expect("match");
    assert!(r.findings.is_empty());
    let unused: Vec<&str> = r.exceptions.unused.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(unused, ["CVE-2099-1001", "CVE-1999-0001"]);
}

fn corpus_lines(file: &str) -> Vec<Value> {
    let Some(dir) = kspect_core::corpus::corpus_dir("vuln/versions") else {
        return Vec::new();
    };
    std::fs::read_to_string(dir.join(file))
        .expect("corpus file")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("jsonl"))
        .collect()
}

#[test]
fn versions_the_scheme_rejects_are_reported_with_file_line_and_why() {
    // dpkg's own invalid versions (errors, not warnings; the empty ones are
    // "no version", counted separately).
    let invalid: Vec<String> = corpus_lines("dpkg.parse.jsonl")
        .iter()
        .filter(|v| v["valid"] == false && v["severity"] == "error")
        .filter_map(|v| v["version"].as_str().map(str::to_owned))
        .filter(|v| !v.is_empty())
        .collect();
    let go_invalid: Vec<String> = corpus_lines("go.parse.jsonl")
        .iter()
        .filter(|v| v["valid"] == false)
        .filter_map(|v| v["version"].as_str().map(str::to_owned))
        // Go module versions are matched with or without the `v`.
        .filter(|v| v.starts_with('v') && v.len() > 1)
        .collect();
    if invalid.is_empty() {
        return;
    }
    let at = |line| {
        Some(Location {
            file: "sbom.cdx.json".into(),
            line: Some(line),
        })
    };
    let mut packages: Vec<Package> = invalid
        .iter()
        .enumerate()
        .map(|(i, v)| {
            Package::new(
                Ecosystem::Debian(Some("12".into())),
                "openssl",
                v.clone(),
                at(u32::try_from(i).expect("small") + 1),
            )
        })
        .collect();
    packages.extend(
        go_invalid
            .iter()
            .map(|v| Package::new(Ecosystem::Go, "example.com/m", v.clone(), at(999))),
    );
    // A record that lists one invalid string exactly, and a range over all.
    let listed = invalid[0].clone();
    let rec: OsvRecord = serde_json::from_value(json!({
        "id": "DEBIAN-TEST-1", "modified": "2025-01-01T00:00:00Z",
        "affected": [{"package": {"ecosystem": "Debian:12", "name": "openssl"},
                      "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}],
                      "versions": [listed.clone()]}]
    }))
    .expect("record");
    let mut db = AdvisoryDb::open_in_memory().expect("db");
    db.import_records(vec![rec], "test").expect("import");
    let r = match_packages(&db, &packages, &MatchOptions::default()).expect("match");

    assert_eq!(r.invalid_versions.len(), invalid.len() + go_invalid.len());
    for (n, v) in r.invalid_versions.iter().zip(&invalid) {
        assert_eq!(&n.version, v);
        assert_eq!(n.package, "openssl");
        assert_eq!(n.ecosystem, "Debian:12");
        assert!(n.source.as_ref().is_some_and(|l| l.line.is_some()));
        assert!(n.reason.contains("dpkg"), "{}", n.reason);
    }
    // Only the exact listing matched; the open range could not be evaluated.
    let versions: Vec<&str> = r.findings.iter().map(|f| f.version.as_str()).collect();
    assert_eq!(versions, [listed.as_str()]);
}
