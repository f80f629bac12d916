//! Machine-readable renderings of a scan: the `--format json` document and
//! a CycloneDX 1.6 BOM with vulnerabilities (`--format cyclonedx`).

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use serde_json::{Value, json};

use crate::advisory::severity::CvssVersion;
use crate::inventory::Package;
use crate::matcher::{MatchReport, VulnFinding};

/// `{"matches": [{"id", "aliases", "ecosystem", "package", "version",
/// "fixed", "severity", "cvss", "source"}]}`; `source` is `file[:line]`.
pub fn to_json(report: &MatchReport) -> Value {
    let matches: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            json!({
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
            })
        })
        .collect();
    json!({ "matches": matches })
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
