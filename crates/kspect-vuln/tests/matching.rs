//! Database, matching and output behaviour on small hand-made records.

use std::io::Write;

use kspect_core::Severity;
use kspect_vuln::advisory::OsvRecord;
use kspect_vuln::advisory::severity::{CvssVersion, score_vector};
use kspect_vuln::inventory::Package;
use kspect_vuln::output::{to_cyclonedx, to_json};
use kspect_vuln::{AdvisoryDb, Ecosystem, MatchOptions, match_packages};
use serde_json::{Value, json};

fn record(v: Value) -> OsvRecord {
    serde_json::from_value(v).expect("test record")
}

fn npm_record(
    id: &str,
    aliases: &[&str],
    modified: &str,
    fixed: &str,
    severity: Option<&str>,
) -> OsvRecord {
    let mut v = json!({
        "id": id, "modified": modified, "aliases": aliases,
        "affected": [{"package": {"ecosystem": "npm", "name": "left-pad"},
            "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": fixed}]}]}],
        "references": [{"type": "ADVISORY", "url": format!("https://example.invalid/{id}")}]
    });
    if let Some(s) = severity {
        v["severity"] = json!([{"type": "CVSS_V3", "score": s}]);
    }
    record(v)
}

#[test]
fn cvss_scores_per_version() {
    // Published reference scores: the NVD/FIRST calculators give these.
    let v3 = score_vector("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").expect("v3.1");
    assert_eq!((v3.version, v3.score), (CvssVersion::V3_1, 9.8));
    let v30 = score_vector("CVSS:3.0/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N").expect("v3.0");
    assert_eq!((v30.version, v30.score), (CvssVersion::V3_0, 3.1));
    let v2 = score_vector("AV:N/AC:L/Au:N/C:P/I:P/A:P").expect("v2");
    assert_eq!((v2.version, v2.score), (CvssVersion::V2, 7.5));
    let v4 = score_vector("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N")
        .expect("v4");
    assert_eq!((v4.version, v4.score), (CvssVersion::V4, 9.3));
    assert!(score_vector("CVSS:3.1/AV:X").is_none());
    assert!(score_vector("not a vector").is_none());
}

#[test]
fn aliases_merge_into_one_finding() {
    let mut db = AdvisoryDb::open_in_memory().expect("db");
    // A GHSA and a distribution-style record both naming CVE-2099-0001, and
    // a third record aliasing only the GHSA: one vulnerability, one finding.
    let recs = vec![
        npm_record(
            "GHSA-aaaa-bbbb-cccc",
            &["CVE-2099-0001"],
            "2024-01-01T00:00:00Z",
            "1.3.0",
            Some("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
        ),
        npm_record(
            "EXAMPLE-2099-1",
            &["CVE-2099-0001"],
            "2024-01-01T00:00:00Z",
            "1.2.5",
            None,
        ),
        npm_record(
            "OTHER-1",
            &["GHSA-aaaa-bbbb-cccc"],
            "2024-01-01T00:00:00Z",
            "1.4.0",
            None,
        ),
        // Unrelated, and not affecting 1.2.0.
        npm_record(
            "GHSA-zzzz-zzzz-zzzz",
            &["CVE-2099-0002"],
            "2024-01-01T00:00:00Z",
            "1.0.0",
            None,
        ),
    ];
    let rep = db.import_records(recs, "test").expect("import");
    assert_eq!(rep.added, 4);
    let pkgs = vec![Package::new(Ecosystem::Npm, "left-pad", "1.2.0", None)];
    let r = match_packages(&db, &pkgs, &MatchOptions::default()).expect("match");
    assert_eq!(r.findings.len(), 1, "{:?}", r.findings);
    let f = &r.findings[0];
    assert_eq!(f.id, "CVE-2099-0001");
    assert_eq!(
        f.aliases,
        vec!["EXAMPLE-2099-1", "GHSA-aaaa-bbbb-cccc", "OTHER-1"]
    );
    assert_eq!(f.advisories.len(), 3);
    // The lowest fix among the merged records.
    assert_eq!(f.fixed.as_deref(), Some("1.2.5"));
    assert_eq!(f.cvss, Some(9.8));
    assert_eq!(f.severity, Some(Severity::Critical));

    // The JSON document has the documented keys.
    let j = to_json(&r);
    let m = &j["matches"][0];
    for k in [
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
        assert!(m.get(k).is_some(), "missing {k}");
    }
    assert_eq!(m["severity"], "critical");
}

#[test]
fn newer_modified_wins_and_withdrawal_is_honoured() {
    let mut db = AdvisoryDb::open_in_memory().expect("db");
    let old = npm_record(
        "GHSA-1111-2222-3333",
        &[],
        "2024-01-01T00:00:00Z",
        "2.0.0",
        None,
    );
    db.import_records(vec![old.clone()], "a").expect("import");
    let pkgs = vec![Package::new(Ecosystem::Npm, "left-pad", "1.0.0", None)];
    assert_eq!(
        match_packages(&db, &pkgs, &MatchOptions::default())
            .expect("m")
            .findings
            .len(),
        1
    );

    // An older copy is skipped.
    let older = npm_record(
        "GHSA-1111-2222-3333",
        &[],
        "2023-01-01T00:00:00Z",
        "0.5.0",
        None,
    );
    let rep = db.import_records(vec![older], "b").expect("import");
    assert_eq!((rep.added, rep.updated, rep.skipped), (0, 0, 1));

    // A newer copy that withdraws the record removes the finding.
    let mut withdrawn = old;
    withdrawn.modified = "2025-01-01T00:00:00Z".into();
    withdrawn.withdrawn = Some("2025-01-01T00:00:00Z".into());
    let rep = db.import_records(vec![withdrawn], "c").expect("import");
    assert_eq!((rep.added, rep.updated, rep.withdrawn), (0, 1, 1));
    assert!(
        match_packages(&db, &pkgs, &MatchOptions::default())
            .expect("m")
            .findings
            .is_empty()
    );
}

#[test]
fn import_reads_zip_folders_and_reports_bad_records() {
    let dir = tempfile::tempdir().expect("tmp");
    let good = serde_json::to_string(&npm_record(
        "GHSA-zip1-zip1-zip1",
        &[],
        "2024-05-01T00:00:00Z",
        "1.0.0",
        None,
    ))
    .expect("json");
    // An `all.zip` as osv.dev publishes it: one JSON file per record.
    let zpath = dir.path().join("all.zip");
    {
        let f = std::fs::File::create(&zpath).expect("zip file");
        let mut w = zip::ZipWriter::new(f);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        w.start_file("GHSA-zip1-zip1-zip1.json", opts)
            .expect("entry");
        w.write_all(good.as_bytes()).expect("write");
        w.start_file("broken.json", opts).expect("entry");
        w.write_all(b"{\"id\": ").expect("write");
        w.finish().expect("finish");
    }
    let sub = dir.path().join("folder");
    std::fs::create_dir(&sub).expect("mkdir");
    std::fs::write(sub.join("not-osv.json"), "{\"hello\": 1}").expect("write");
    std::fs::write(sub.join("README.md"), "ignored: not JSON or YAML").expect("write");

    let mut db = AdvisoryDb::open(&dir.path().join("nested/db.sqlite")).expect("db");
    let rep = db.import(&[zpath.clone(), sub.clone()]).expect("import");
    assert_eq!(rep.added, 1);
    assert_eq!(rep.problems.len(), 2, "{:?}", rep.problems);
    assert!(
        rep.problems
            .iter()
            .any(|p| p.file.ends_with("all.zip!broken.json"))
    );
    assert!(
        rep.problems
            .iter()
            .any(|p| p.file.ends_with("not-osv.json") && p.message.contains("id"))
    );

    let info = db
        .info(
            jiff::Timestamp::now(),
            jiff::SignedDuration::from_hours(24 * 7),
        )
        .expect("info");
    assert_eq!(info.per_ecosystem.get("npm"), Some(&1));
    assert_eq!(
        info.newest_modified.as_deref(),
        Some("2024-05-01T00:00:00Z")
    );
    // 2024 data is stale by any reasonable clock running these tests.
    assert!(info.stale_warning.is_some());
    let fresh = db
        .info(
            "2024-05-02T00:00:00Z".parse().expect("ts"),
            jiff::SignedDuration::from_hours(24 * 7),
        )
        .expect("info");
    assert!(fresh.stale_warning.is_none());
}

#[test]
fn pypi_names_match_normalised() {
    let mut db = AdvisoryDb::open_in_memory().expect("db");
    let rec = record(json!({
        "id": "PYSEC-0000-1", "modified": "2024-01-01T00:00:00Z",
        "affected": [{"package": {"ecosystem": "PyPI", "name": "Zope.Interface"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "5.0"}]}]}],
        "database_specific": {"severity": "MODERATE"}
    }));
    db.import_records(vec![rec], "t").expect("import");
    let pkgs = vec![Package::new(
        Ecosystem::PyPI,
        "zope_interface",
        "4.7.1",
        None,
    )];
    let r = match_packages(&db, &pkgs, &MatchOptions::default()).expect("m");
    assert_eq!(r.findings.len(), 1);
    // No vector: the database's own rating.
    assert_eq!(r.findings[0].severity, Some(Severity::Medium));
    assert_eq!(r.findings[0].cvss, None);
}

/// Resolve the CycloneDX schema's relative `$ref`s from the shared folder.
struct LocalSchemas(std::path::PathBuf);

impl jsonschema::Retrieve for LocalSchemas {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let name = uri
            .path()
            .as_str()
            .rsplit('/')
            .next()
            .unwrap_or("")
            .to_owned();
        let text = std::fs::read_to_string(self.0.join(&name))?;
        Ok(serde_json::from_str(&text)?)
    }
}

#[test]
fn cyclonedx_output_validates() {
    let Some(schemas) = kspect_core::corpus::corpus_dir("../schemas/cyclonedx") else {
        return;
    };
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(schemas.join("bom-1.6.schema.json")).expect("schema"),
    )
    .expect("schema json");
    let validator = jsonschema::options()
        .with_retriever(LocalSchemas(schemas.clone()))
        .should_validate_formats(true)
        .build(&schema)
        .expect("schema compiles offline");

    let mut db = AdvisoryDb::open_in_memory().expect("db");
    db.import_records(
        vec![npm_record(
            "GHSA-aaaa-bbbb-cccc",
            &["CVE-2099-0001"],
            "2024-01-01T00:00:00Z",
            "1.3.0",
            Some("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
        )],
        "t",
    )
    .expect("import");
    let pkgs = vec![
        Package::new(Ecosystem::Npm, "left-pad", "1.2.0", None),
        Package::new(Ecosystem::Npm, "@scope/thing", "2.0.0", None),
        Package::new(Ecosystem::Maven(None), "org.example:lib", "1.0", None),
        Package::new(
            Ecosystem::Debian(Some("12".into())),
            "openssl",
            "3.0.11-1~deb12u2",
            None,
        ),
    ];
    let r = match_packages(&db, &pkgs, &MatchOptions::default()).expect("m");
    let bom = to_cyclonedx(&pkgs, &r);
    let errors: Vec<String> = validator
        .iter_errors(&bom)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(bom["vulnerabilities"].as_array().map(Vec::len), Some(1));
    assert_eq!(bom["components"][1]["purl"], "pkg:npm/%40scope/thing@2.0.0");
    assert_eq!(
        bom["components"][3]["purl"],
        "pkg:deb/debian/openssl@3.0.11-1~deb12u2?distro=debian-12"
    );
    // The validator can say no.
    let mut broken = bom.clone();
    broken["specVersion"] = json!(16);
    assert!(validator.iter_errors(&broken).next().is_some());
}
