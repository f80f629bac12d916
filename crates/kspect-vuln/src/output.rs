//! Machine-readable renderings of a scan: the `--format json` document,
//! a CycloneDX 1.6 BOM with vulnerabilities (`--format cyclonedx`), and the
//! inventory alone as an SBOM (`kspect sbom`: CycloneDX 1.6, SPDX 2.3 or
//! plain JSON).

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use serde_json::{Value, json};

use crate::advisory::severity::CvssVersion;
use crate::inventory::Package;
use kspect_core::config::VulnException;

use crate::matcher::{Acceptance, MatchReport, PackageNote, VulnFinding};

/// `{"matches": [{"id", "aliases", "ecosystem", "package", "version",
/// "fixed", "severity", "cvss", "source", ...}], ...}`; `source` is
/// `file[:line]`.
///
/// A match accepted by an exception carries `"suppressed"`, one whose
/// exception has expired `"expired_exception"`, and one of a distribution
/// package whose release is unknown `"release_unknown": true` with the
/// advisory `"releases"` that matched. Beside `matches`: `invalid_versions`
/// and `unknown_release` (packages that could not be matched exactly, with
/// why), `advisory_problems`, and `unused_exceptions` / `expired_exceptions`
/// from `.kspect.yaml`.
pub fn to_json(report: &MatchReport) -> Value {
    let matches: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let mut m = json!({
                "id": f.id,
                "aliases": f.aliases,
                "ecosystem": f.ecosystem,
                "package": f.package,
                "version": f.version,
                "fixed": f.fixed,
                "severity": f.severity.map(|s| s.to_string()),
                "cvss": f.cvss,
                "source": f.source.as_ref().map(|l| l.to_string()),
                "references": f.references,
                "summary": f.summary,
            });
            match &f.acceptance {
                Some(Acceptance::Accepted(e)) => m["suppressed"] = exception_json(e),
                Some(Acceptance::Expired(e)) => m["expired_exception"] = exception_json(e),
                None => {}
            }
            if f.release_unknown {
                m["release_unknown"] = json!(true);
                m["releases"] = json!(f.releases);
            }
            m
        })
        .collect();
    let notes = |list: &[PackageNote]| -> Vec<Value> {
        list.iter()
            .map(|n| {
                json!({
                    "ecosystem": n.ecosystem,
                    "package": n.package,
                    "version": n.version,
                    "source": n.source.as_ref().map(|l| l.to_string()),
                    "reason": n.reason,
                })
            })
            .collect()
    };
    json!({
        "matches": matches,
        "invalid_versions": notes(&report.invalid_versions),
        "unknown_release": notes(&report.unknown_release),
        "advisory_problems": report.advisory_problems,
        "unused_exceptions": report.exceptions.unused.iter().map(exception_json).collect::<Vec<_>>(),
        "expired_exceptions": report.exceptions.expired.iter().map(|(e, n)| {
            let mut v = exception_json(e);
            v["findings"] = json!(n);
            v
        }).collect::<Vec<_>>(),
    })
}

/// Where an exception was written: `file:line`, else the config file's name.
pub fn exception_location(e: &VulnException) -> String {
    e.location.as_ref().map_or_else(
        || kspect_core::config::CONFIG_FILE_NAME.to_owned(),
        |l| format!("{}:{}", l.file, l.line),
    )
}

fn exception_json(e: &VulnException) -> Value {
    json!({
        "kind": "config",
        "id": e.id,
        "package": e.package,
        "reason": e.reason,
        "expires": e.expires.map(|d| d.to_string()),
        "location": exception_location(e),
    })
}

fn cdx_severity(f: &VulnFinding) -> &'static str {
    match f.severity {
        Some(kspect_core::Severity::Critical) => "critical",
        Some(kspect_core::Severity::High) => "high",
        Some(kspect_core::Severity::Medium) => "medium",
        Some(kspect_core::Severity::Low) => "low",
        Some(kspect_core::Severity::Info) => "info",
        None => "unknown",
    }
}

/// A UUID-shaped serial number derived from the content, so that the same
/// scan gives the same BOM (reproducible output diffs cleanly in CI).
fn serial(packages: &[Package], findings: &[VulnFinding]) -> String {
    let mut h1 = DefaultHasher::new();
    let mut h2 = DefaultHasher::new();
    for p in packages {
        p.purl().hash(&mut h1);
    }
    for f in findings {
        (&f.id, &f.package, &f.version).hash(&mut h2);
    }
    let (a, b) = (h1.finish(), h2.finish() ^ 0x9e37_79b9_7f4a_7c15);
    let hex = format!("{a:016x}{b:016x}");
    // Version 4 / variant 1 bits, as RFC 4122 lays them out.
    format!(
        "urn:uuid:{}-{}-4{}-8{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    )
}

/// A CycloneDX 1.6 JSON BOM: the packages as components (with purls) and
/// the findings as vulnerabilities that affect them.
pub fn to_cyclonedx(packages: &[Package], report: &MatchReport) -> Value {
    let mut refs: HashMap<(String, String, String), String> = HashMap::new();
    let mut components = Vec::new();
    for (i, p) in packages.iter().enumerate() {
        let key = (p.ecosystem.to_string(), p.name.clone(), p.version.clone());
        if refs.contains_key(&key) {
            continue;
        }
        let bom_ref = format!("pkg-{i}");
        refs.insert(key, bom_ref.clone());
        let mut c = json!({
            "type": "library",
            "bom-ref": bom_ref,
            "name": p.name,
            "purl": p.purl(),
        });
        if !p.version.is_empty() {
            c["version"] = json!(p.version);
        }
        if let Some(l) = &p.location {
            c["properties"] = json!([{"name": "kspect:source", "value": l.to_string()}]);
        }
        components.push(c);
    }
    let mut vulns = Vec::new();
    for f in &report.findings {
        let Some(bom_ref) = refs.get(&(f.ecosystem.clone(), f.package.clone(), f.version.clone()))
        else {
            continue;
        };
        let mut ratings: Vec<Value> = f
            .cvss_vectors
            .iter()
            .map(|s| {
                let method = match s.version {
                    CvssVersion::V2 => "CVSSv2",
                    CvssVersion::V3_0 => "CVSSv3",
                    CvssVersion::V3_1 => "CVSSv31",
                    CvssVersion::V4 => "CVSSv4",
                };
                json!({
                    "score": s.score,
                    "severity": cdx_severity_of(s.score),
                    "method": method,
                    "vector": s.vector,
                })
            })
            .collect();
        if ratings.is_empty() {
            ratings.push(json!({"severity": cdx_severity(f), "method": "other"}));
        }
        let mut v = json!({
            "bom-ref": format!("{}@{}", f.id, bom_ref),
            "id": f.id,
            "source": {"name": source_name(&f.id)},
            "references": f.aliases.iter().map(|a| json!({"id": a, "source": {"name": source_name(a)}})).collect::<Vec<_>>(),
            "ratings": ratings,
            "advisories": f.references.iter().map(|u| json!({"url": u})).collect::<Vec<_>>(),
            "affects": [{"ref": bom_ref, "versions": [{"version": f.version, "status": "affected"}]}],
        });
        if let Some(s) = &f.summary {
            v["description"] = json!(s);
        }
        let mut props = Vec::new();
        if f.release_unknown {
            props.push(json!({"name": "kspect:release_unknown", "value": format!(
                "the package names no distribution release; matched against the advisories of release(s) {}",
                f.releases.join(", ")
            )}));
        }
        if let Some(Acceptance::Accepted(e)) = &f.acceptance {
            props.push(json!({"name": "kspect:accepted", "value": format!("{} ({})", e.reason, exception_location(e))}));
        }
        if !props.is_empty() {
            v["properties"] = json!(props);
        }
        if let Some(fx) = &f.fixed {
            v["recommendation"] = json!(format!("Upgrade {} to {fx} or later.", f.package));
        }
        vulns.push(v);
    }
    json!({
        "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": serial(packages, &report.findings),
        "version": 1,
        "metadata": {
            "tools": {"components": [{"type": "application", "name": "kspect", "version": env!("CARGO_PKG_VERSION")}]}
        },
        "components": components,
        "vulnerabilities": vulns,
    })
}

/// The inventory as a plain JSON document: `{"packages": [...]}`, each
/// package as the library models it plus its purl.
pub fn to_inventory_json(packages: &[Package]) -> Value {
    let items: Vec<Value> = packages
        .iter()
        .map(|p| {
            let mut v = serde_json::to_value(p).unwrap_or(Value::Null);
            if let Value::Object(m) = &mut v {
                m.insert("purl".into(), json!(p.purl()));
                if let Some(l) = &p.location {
                    m.insert("location".into(), json!(l.to_string()));
                }
            }
            v
        })
        .collect();
    json!({ "packages": items })
}

/// An SPDX 2.3 JSON document describing the packages, each with its purl as
/// a `PACKAGE-MANAGER` external reference. `name` names the document (the
/// scanned target); `created` is the creation time (a parameter, so that a
/// run pinned to a date is reproducible). Packages listed twice (the same
/// ecosystem, name and version) appear once.
pub fn to_spdx(packages: &[Package], name: &str, created: jiff::Timestamp) -> Value {
    let mut seen = std::collections::HashSet::new();
    let mut items = Vec::new();
    let mut relationships = Vec::new();
    for p in packages {
        if !seen.insert((p.ecosystem.to_string(), p.name.as_str(), p.version.as_str())) {
            continue;
        }
        let id = format!("SPDXRef-Package-{}", items.len() + 1);
        let mut item = json!({
            "SPDXID": id,
            "name": p.name,
            // Where the package can be fetched is the registry's business; SPDX
            // says NOASSERTION when the creator does not state it.
            "downloadLocation": "NOASSERTION",
            "filesAnalyzed": false,
            "externalRefs": [{
                "referenceCategory": "PACKAGE-MANAGER",
                "referenceType": "purl",
                "referenceLocator": p.purl(),
            }],
        });
        if !p.version.is_empty() {
            item["versionInfo"] = json!(p.version);
        }
        if let Some(l) = &p.location {
            item["sourceInfo"] = json!(format!("declared in {l}"));
        }
        relationships.push(json!({
            "spdxElementId": "SPDXRef-DOCUMENT",
            "relationshipType": "DESCRIBES",
            "relatedSpdxElement": id,
        }));
        items.push(item);
    }
    let uuid = serial(packages, &[]);
    let uuid = uuid.strip_prefix("urn:uuid:").unwrap_or(&uuid);
    // The namespace must be a unique URI; the name is kept readable in it.
    let slug: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    json!({
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": name,
        "documentNamespace": format!("https://kspect.dev/spdxdocs/{}-{uuid}", slug.trim_matches('-')),
        "creationInfo": {
            "created": created.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
            "creators": [format!("Tool: kspect-{}", env!("CARGO_PKG_VERSION"))],
        },
        "packages": items,
        "relationships": relationships,
    })
}

fn cdx_severity_of(score: f64) -> &'static str {
    match crate::advisory::severity::rating(score) {
        kspect_core::Severity::Critical => "critical",
        kspect_core::Severity::High => "high",
        kspect_core::Severity::Medium => "medium",
        kspect_core::Severity::Low => "low",
        kspect_core::Severity::Info => "none",
    }
}

/// The database an ID comes from, by its prefix.
fn source_name(id: &str) -> &'static str {
    match id.split('-').next().unwrap_or("") {
        "CVE" => "NVD",
        "GHSA" => "GitHub Advisories",
        "RUSTSEC" => "RustSec",
        "GO" => "Go Vulnerability Database",
        "PYSEC" => "PyPI Advisory Database",
        "DLA" | "DSA" | "DEBIAN" => "Debian",
        "USN" | "UBUNTU" => "Ubuntu",
        "ALSA" | "ALBA" | "ALEA" => "AlmaLinux",
        "ALPINE" => "Alpine secdb",
        "SUSE" | "openSUSE" => "SUSE",
        "MAL" => "OpenSSF Malicious Packages",
        _ => "OSV",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Ecosystem;
    use crate::inventory::Location;

    fn packages() -> Vec<Package> {
        let at = |line| {
            Some(Location {
                file: "web/yarn.lock".into(),
                line: Some(line),
            })
        };
        vec![
            Package::new(Ecosystem::Npm, "lodash", "4.17.11", at(46)),
            Package::new(Ecosystem::Npm, "@scope/thing", "2.0.0", at(3)),
            // The same package declared twice is one SBOM entry.
            Package::new(Ecosystem::Npm, "lodash", "4.17.11", at(80)),
            Package::new(Ecosystem::Maven(None), "org.example:lib", "1.0", None),
            Package::new(Ecosystem::PyPI, "requests", "", None),
            Package::new(
                Ecosystem::Debian(Some("12".into())),
                "openssl",
                "3.0.11-1~deb12u2",
                None,
            ),
        ]
    }

    fn created() -> jiff::Timestamp {
        "2026-01-02T03:04:05Z".parse().expect("timestamp")
    }

    /// The CycloneDX schema's relative `$ref`s, resolved from the shared folder.
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

    fn errors(validator: &jsonschema::Validator, doc: &Value) -> Vec<String> {
        validator
            .iter_errors(doc)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect()
    }

    #[test]
    fn spdx_validates_and_carries_purls() {
        let Some(schemas) = kspect_core::corpus::corpus_dir("../schemas") else {
            return;
        };
        let schema: Value = serde_json::from_str(
            &std::fs::read_to_string(schemas.join("spdx-2.3-schema.json")).expect("schema"),
        )
        .expect("schema json");
        let validator = jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .expect("schema compiles offline");
        let doc = to_spdx(&packages(), "web/yarn.lock", created());
        let errs = errors(&validator, &doc);
        assert!(errs.is_empty(), "{errs:#?}");

        assert_eq!(doc["spdxVersion"], "SPDX-2.3");
        assert_eq!(doc["creationInfo"]["created"], "2026-01-02T03:04:05Z");
        let pkgs = doc["packages"].as_array().expect("packages");
        assert_eq!(pkgs.len(), 5, "the duplicate lodash is listed once");
        assert_eq!(pkgs[0]["name"], "lodash");
        assert_eq!(pkgs[0]["versionInfo"], "4.17.11");
        assert_eq!(pkgs[0]["sourceInfo"], "declared in web/yarn.lock:46");
        let purl = |i: usize| pkgs[i]["externalRefs"][0]["referenceLocator"].clone();
        assert_eq!(pkgs[0]["externalRefs"][0]["referenceType"], "purl");
        assert_eq!(
            pkgs[0]["externalRefs"][0]["referenceCategory"],
            "PACKAGE-MANAGER"
        );
        assert_eq!(purl(0), "pkg:npm/lodash@4.17.11");
        assert_eq!(purl(1), "pkg:npm/%40scope/thing@2.0.0");
        assert_eq!(purl(2), "pkg:maven/org.example/lib@1.0");
        assert!(
            pkgs[3].get("versionInfo").is_none(),
            "no version, no versionInfo"
        );
        assert_eq!(
            purl(4),
            "pkg:deb/debian/openssl@3.0.11-1~deb12u2?distro=debian-12"
        );
        // The document describes every package, by its SPDX ID.
        let rels = doc["relationships"].as_array().expect("relationships");
        assert_eq!(rels.len(), 5);
        for (r, p) in rels.iter().zip(pkgs) {
            assert_eq!(r["spdxElementId"], "SPDXRef-DOCUMENT");
            assert_eq!(r["relationshipType"], "DESCRIBES");
            assert_eq!(r["relatedSpdxElement"], p["SPDXID"]);
        }
        // Same input, same document (namespace included).
        assert_eq!(doc, to_spdx(&packages(), "web/yarn.lock", created()));

        // The validator can say no.
        let mut broken = doc.clone();
        broken["packages"][0]
            .as_object_mut()
            .expect("object")
            .remove("downloadLocation");
        broken["relationships"][0]["relationshipType"] = json!("LIKES");
        assert_eq!(errors(&validator, &broken).len(), 2);
    }

    #[test]
    fn cyclonedx_sbom_without_vulnerabilities_validates() {
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
        let bom = to_cyclonedx(&packages(), &MatchReport::default());
        let errs = errors(&validator, &bom);
        assert!(errs.is_empty(), "{errs:#?}");
        assert_eq!(bom["components"].as_array().map(Vec::len), Some(5));
        assert_eq!(bom["vulnerabilities"], json!([]));
    }

    #[test]
    fn inventory_json_lists_every_package_with_its_purl() {
        let doc = to_inventory_json(&packages());
        let pkgs = doc["packages"].as_array().expect("packages");
        assert_eq!(pkgs.len(), 6, "plain JSON is the inventory as read");
        assert_eq!(pkgs[0]["name"], "lodash");
        assert_eq!(pkgs[0]["ecosystem"], "npm");
        assert_eq!(pkgs[0]["purl"], "pkg:npm/lodash@4.17.11");
        assert_eq!(pkgs[0]["location"], "web/yarn.lock:46");
        assert_eq!(pkgs[3]["location"], Value::Null);
    }
}
