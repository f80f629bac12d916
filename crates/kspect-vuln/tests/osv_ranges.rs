//! OSV affected-range evaluation: hand-written cases after the OSV schema's
//! examples, plus a consistency check on real PyPI advisories (their
//! `versions` lists were enumerated from their ECOSYSTEM ranges).

use std::path::PathBuf;

use kspect_vuln::{Ecosystem, Event, Range, RangeType, is_affected};
use serde_json::{Value, json};

fn ranges(v: Value) -> Vec<Range> {
    serde_json::from_value(v).unwrap_or_else(|e| panic!("bad ranges: {e}"))
}

fn eco(s: &str) -> Ecosystem {
    s.parse().unwrap_or_else(|e| panic!("{e}"))
}

fn affected(e: &str, r: &[Range], versions: &[&str], v: &str) -> bool {
    let versions: Vec<String> = versions.iter().map(|s| s.to_string()).collect();
    is_affected(&eco(e), r, &versions, v).unwrap_or_else(|err| panic!("{v}: {err}"))
}

#[test]
fn semver_introduced_fixed() {
    let r =
        ranges(json!([{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.0.0"}]}]));
    assert!(affected("npm", &r, &[], "0.9.9"));
    assert!(affected("npm", &r, &[], "1.0.0-rc.1"));
    assert!(!affected("npm", &r, &[], "1.0.0"));
    assert!(!affected("npm", &r, &[], "1.0.1"));
}

#[test]
fn last_affected_is_inclusive() {
    let r = ranges(
        json!([{"type": "ECOSYSTEM", "events": [{"introduced": "1.0.0"}, {"last_affected": "1.2.0"}]}]),
    );
    assert!(!affected("PyPI", &r, &[], "0.9"));
    assert!(affected("PyPI", &r, &[], "1.0.0"));
    assert!(affected("PyPI", &r, &[], "1.2.0"));
    assert!(affected("PyPI", &r, &[], "1.2"));
    assert!(!affected("PyPI", &r, &[], "1.2.0.post1"));
}

#[test]
fn several_intervals_in_one_range_and_unsorted_events() {
    // The schema's example of a range that is fixed and reintroduced; the
    // events are listed out of order on purpose: evaluation sorts them.
    let r = ranges(json!([{"type": "ECOSYSTEM", "events": [
        {"fixed": "2.1.1"}, {"introduced": "2.0.0"}, {"fixed": "1.0.1"}, {"introduced": "0"}
    ]}]));
    for (v, want) in [
        ("0.1", true),
        ("1.0.0", true),
        ("1.0.1", false),
        ("1.5", false),
        ("2.0.0", true),
        ("2.1.0", true),
        ("2.1.1", false),
        ("3", false),
    ] {
        assert_eq!(affected("Go", &r, &[], v), want, "{v}");
    }
}

#[test]
fn limit_caps_the_range() {
    let r =
        ranges(json!([{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"limit": "2.0.0"}]}]));
    assert!(affected("crates.io", &r, &[], "1.9.0"));
    assert!(!affected("crates.io", &r, &[], "2.0.0"));
    let star =
        ranges(json!([{"type": "ECOSYSTEM", "events": [{"introduced": "1.0.0"}, {"limit": "*"}]}]));
    assert!(affected("crates.io", &star, &[], "99.0.0"));
}

#[test]
fn explicit_versions_match_exactly() {
    assert!(affected("PyPI", &[], &["1.0", "1.1"], "1.1"));
    assert!(!affected("PyPI", &[], &["1.0", "1.1"], "1.2"));
}

#[test]
fn ecosystem_orderings_apply() {
    // Debian: an epoch outranks any upstream version.
    let r = ranges(
        json!([{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1:2.0-1"}]}]),
    );
    assert!(affected("Debian:12", &r, &[], "9.9-1"));
    assert!(!affected("Debian:12", &r, &[], "1:2.0-1"));
    // Alpine: _rc sorts before the release, -r bumps after it.
    let r = ranges(
        json!([{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.2.3-r1"}]}]),
    );
    assert!(affected("Alpine:v3.19", &r, &[], "1.2.3_rc1-r0"));
    assert!(affected("Alpine:v3.19", &r, &[], "1.2.3-r0"));
    assert!(!affected("Alpine:v3.19", &r, &[], "1.2.3-r1"));
    // RPM with epoch.
    let r = ranges(
        json!([{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "0:4.18.0-513.5.1.el9_3"}]}]),
    );
    assert!(affected("AlmaLinux:9", &r, &[], "0:4.18.0-477.10.1.el9_2"));
    assert!(!affected("AlmaLinux:9", &r, &[], "4.18.0-513.5.1.el9_3"));
    // Maven qualifiers.
    let r = ranges(
        json!([{"type": "ECOSYSTEM", "events": [{"introduced": "2.0-beta9"}, {"fixed": "2.15.0"}]}]),
    );
    assert!(affected("Maven", &r, &[], "2.14.1"));
    assert!(!affected("Maven", &r, &[], "2.0-alpha1"));
}

#[test]
fn git_ranges_are_skipped_and_unknown_types_rejected() {
    let r = ranges(
        json!([{"type": "GIT", "repo": "https://example.invalid/x", "events": [{"introduced": "0"}]}]),
    );
    assert!(!affected("PyPI", &r, &[], "1.0"));
    let bad = ranges(json!([{"type": "WEIRD", "events": [{"introduced": "0"}]}]));
    assert_eq!(bad[0].kind, RangeType::Unknown);
    assert!(is_affected(&eco("PyPI"), &bad, &[], "1.0").is_err());
}

#[test]
fn invalid_versions_are_errors_in_strict_schemes() {
    let r =
        ranges(json!([{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.0.0"}]}]));
    assert!(is_affected(&eco("npm"), &r, &[], "not a version").is_err());
    assert!(is_affected(&eco("Debian"), &r, &[], "").is_err());
}

#[test]
fn events_deserialize_from_osv_json() {
    let r = ranges(
        json!([{"type": "SEMVER", "events": [{"introduced": "0"}, {"last_affected": "1.0"}, {"limit": "2"}]}]),
    );
    assert_eq!(
        r[0].events,
        vec![
            Event::Introduced("0".into()),
            Event::LastAffected("1.0".into()),
            Event::Limit("2".into())
        ]
    );
}

/// Every version a PyPI record lists must fall inside its ECOSYSTEM ranges
/// (records with GIT ranges are skipped: their lists also come from tags).
#[test]
fn pypi_advisory_versions_lie_in_their_ranges() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/vuln/advisories/pypi");
    if !dir.is_dir() {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("corpus not found at {}", dir.display());
        }
        println!("skipping: corpus not found at {}", dir.display());
        return;
    }
    let pypi = eco("PyPI");
    let (mut total, mut failures) = (0usize, Vec::new());
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    entries.sort();
    for path in entries {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let Ok(rec) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        for aff in rec["affected"].as_array().into_iter().flatten() {
            let Ok(rs) = serde_json::from_value::<Vec<Range>>(aff["ranges"].clone()) else {
                continue;
            };
            if rs.is_empty() || rs.iter().any(|r| r.kind != RangeType::Ecosystem) {
                continue;
            }
            for v in aff["versions"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                total += 1;
                // Evaluate the ranges alone (no explicit list).
                match is_affected(&pypi, &rs, &[], v) {
                    Ok(true) => {}
                    other => failures.push(format!("{}: {v}: {other:?}", path.display())),
                }
            }
        }
    }
    println!(
        "pypi advisories: {} of {total} listed versions inside their ranges",
        total - failures.len()
    );
    assert!(total > 100, "too few versions checked: {total}");
    assert!(
        failures.is_empty(),
        "{} outside:\n{}",
        failures.len(),
        failures
            .iter()
            .take(15)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
