//! Matching throughput: 2,000 locked packages against a generated database
//! of 200,000 advisories (the target is under 200 ms), plus version
//! comparison.
//!
//! The database is a file, as `kspect vuln` reads it (an in-memory database
//! would hide SQLite's file locking and page reads). "fresh connection" opens
//! it anew for every scan, as each `kspect vuln` run does (SQLite's page cache
//! starts empty; the operating system's is warm); "open connection" reuses
//! one.

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use kspect_vuln::advisory::OsvRecord;
use kspect_vuln::inventory::Package;
use kspect_vuln::{AdvisoryDb, Ecosystem, MatchOptions, Scheme, match_packages};
use serde_json::json;

const ADVISORIES: usize = 200_000;
const NAMES: usize = 50_000;
const PACKAGES: usize = 2_000;

fn database(path: &std::path::Path) -> AdvisoryDb {
    let mut db = AdvisoryDb::open(path).expect("db");
    let mut batch = Vec::with_capacity(10_000);
    for i in 0..ADVISORIES {
        let name = format!("pkg-{}", i % NAMES);
        let fixed = format!("{}.{}.0", 1 + i % 5, i % 17);
        let rec: OsvRecord = serde_json::from_value(json!({
            "id": format!("GHSA-bench-{i:07}"),
            "modified": "2026-01-01T00:00:00Z",
            "aliases": [format!("CVE-2026-{i:06}")],
            "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
            "affected": [{"package": {"ecosystem": "npm", "name": name},
                "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": fixed}]}]}]
        }))
        .expect("record");
        batch.push(rec);
        if batch.len() == 10_000 {
            db.import_records(std::mem::take(&mut batch), "bench")
                .expect("import");
        }
    }
    db.import_records(batch, "bench").expect("import");
    db
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bench.sqlite");
    let db = database(&path);
    let packages: Vec<Package> = (0..PACKAGES)
        .map(|i| {
            Package::new(
                Ecosystem::Npm,
                format!("pkg-{}", i * 25),
                format!("{}.{}.3", 1 + i % 4, i % 9),
                None,
            )
        })
        .collect();
    c.bench_function(
        "match 2000 packages x 200k advisories (fresh connection)",
        |b| {
            b.iter_batched(
                || AdvisoryDb::open_existing(&path).expect("open"),
                |fresh| {
                    black_box(
                        match_packages(&fresh, &packages, &MatchOptions::default()).expect("match"),
                    )
                },
                BatchSize::PerIteration,
            )
        },
    );
    c.bench_function(
        "match 2000 packages x 200k advisories (open connection)",
        |b| {
            b.iter(|| {
                black_box(match_packages(&db, &packages, &MatchOptions::default()).expect("match"))
            })
        },
    );
    c.bench_function("compare dpkg", |b| {
        b.iter(|| {
            black_box(Scheme::Dpkg.compare(
                black_box("1:2.31.1-0.4ubuntu3.7"),
                black_box("1:2.31.1-0.4ubuntu3.10"),
            ))
        })
    });
    c.bench_function("compare pep440", |b| {
        b.iter(|| {
            black_box(Scheme::Pep440.compare(black_box("1.0.post1.dev3"), black_box("1.0rc2")))
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
