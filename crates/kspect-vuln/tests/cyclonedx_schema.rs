//! The CycloneDX 1.6 BOM of a real scan (components, vulnerabilities with
//! ratings, references, recommendations, and kspect's properties for
//! accepted risks and unknown releases) validates against the CycloneDX 1.6
//! JSON schema from `shared/schemas/cyclonedx/`, with the Rust `jsonschema`
//! crate. `kspect vuln --format cyclonedx` writes exactly this rendering (the
//! CLI test checks that equality).

use std::path::{Path, PathBuf};

use kspect_core::config::VulnException;
use kspect_vuln::inventory::{self, Package, ParseOptions};
use kspect_vuln::output::to_cyclonedx;
use kspect_vuln::{AdvisoryDb, Ecosystem, MatchOptions, match_packages};
use serde_json::Value;

/// The schema's relative `$ref`s (`spdx.schema.json`, `jsf-0.82.schema.json`),
/// resolved from the shared folder: no network.
struct LocalSchemas(PathBuf);

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

fn validator(schemas: &Path) -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(schemas.join("bom-1.6.schema.json")).expect("schema"),
    )
    .expect("schema json");
    jsonschema::options()
        .with_retriever(LocalSchemas(schemas.to_path_buf()))
        .should_validate_formats(true)
        .build(&schema)
        .expect("schema compiles offline")
}

fn errors(v: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[test]
fn a_scan_with_vulnerabilities_validates_against_cyclonedx_1_6() {
    let Some(root) = kspect_core::corpus::corpus_dir("vuln") else {
        return;
    };
    let Some(schemas) = kspect_core::corpus::corpus_dir("../schemas/cyclonedx") else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let mut db = AdvisoryDb::open(&dir.path().join("db.sqlite")).expect("db");
    db.import(&[root.join("advisories")]).expect("import");

    let mut packages = inventory::parse_file(
        &root.join("inventory/yarn/trivy/nodejs-yarn/yarn_happy.lock"),
        Some(inventory::Format::YarnLock),
        &ParseOptions::default(),
    )
    .expect("yarn.lock");
    // An Alpine package without a release (ALPINE-CVE-2025-26519 matches it in
    // several releases), to carry the `kspect:release_unknown` property.
    packages.push(Package::new(
        Ecosystem::Alpine(None),
        "musl",
        "1.2.4-r3",
        None,
    ));
    let options = MatchOptions {
        exceptions: vec![VulnException {
            id: "CVE-2019-10744".into(),
            package: Some("lodash".into()),
            reason: "not reachable".into(),
            expires: None,
            location: None,
        }],
        ..MatchOptions::default()
    };
    let report = match_packages(&db, &packages, &options).expect("match");
    let bom = to_cyclonedx(&packages, &report);

    let v = validator(&schemas);
    let errs = errors(&v, &bom);
    assert!(errs.is_empty(), "{errs:#?}");

    let vulns = bom["vulnerabilities"].as_array().expect("vulnerabilities");
    let by_id = |id: &str| {
        vulns
            .iter()
            .find(|x| x["id"] == id)
            .unwrap_or_else(|| panic!("no {id}"))
    };
    // GHSA-jf85-cpcp-j695 / CVE-2019-10744 (lodash < 4.17.12), CVSS 3.1 base 9.1.
    let lodash = by_id("CVE-2019-10744");
    assert!(
        lodash["ratings"]
            .as_array()
            .expect("ratings")
            .iter()
            .any(|r| r["method"] == "CVSSv31" && r["score"] == 9.1),
        "{lodash:#}"
    );
    assert_eq!(lodash["properties"][0]["name"], "kspect:accepted");
    let musl = by_id("CVE-2025-26519");
    assert_eq!(musl["properties"][0]["name"], "kspect:release_unknown");

    // The validator can say no: an unknown rating method and a missing id.
    let mut broken = bom.clone();
    broken["vulnerabilities"][0]["ratings"][0]["method"] = Value::from("CVSSv9");
    broken["components"][0]["type"] = Value::from("not-a-type");
    assert!(errors(&v, &broken).len() >= 2, "{:?}", errors(&v, &broken));
}
