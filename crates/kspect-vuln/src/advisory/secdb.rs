//! Alpine's secdb documents (`secdb.alpinelinux.org/<branch>/<repo>.yaml`)
//! converted to OSV records.
//!
//! A secdb document lists, per source package, the `-rN` release that fixed
//! each CVE. Each (branch, package, CVE) becomes one record with ID
//! `ALPINE-<branch>-<package>-<CVE>`, the CVE as alias (so that it merges
//! with other advisories for the CVE), and one `ECOSYSTEM` range
//! `introduced 0, fixed <release>` in ecosystem `Alpine:<branch>`. A fixed
//! version of `0` is secdb's way of saying "never affected" and yields no
//! record. secdb carries no dates, so records get `modified` =
//! the Unix epoch and re-importing them is a no-op.

use serde_json::Value;

use super::osv::{Affected, AffectedPackage, OsvRecord, Reference};
use crate::range::{Event, Range, RangeType};

/// Is this parsed YAML document a secdb document?
pub fn is_secdb(doc: &Value) -> bool {
    // An empty repository has `packages:` with nothing under it (null).
    doc.get("distroversion").is_some()
        && doc
            .get("packages")
            .is_some_and(|p| p.is_array() || p.is_null())
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Convert one secdb document. Malformed entries are returned as messages
/// (with the JSON pointer of the entry) and skipped.
pub fn convert(doc: &Value) -> (Vec<OsvRecord>, Vec<(String, String)>) {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    let branch = doc
        .get("distroversion")
        .and_then(scalar)
        .unwrap_or_default();
    let Some(packages) = doc.get("packages").and_then(Value::as_array) else {
        return (out, problems);
    };
    for (i, entry) in packages.iter().enumerate() {
        let ptr = format!("/packages/{i}");
        let pkg = entry.get("pkg");
        let Some(name) = pkg.and_then(|p| p.get("name")).and_then(scalar) else {
            problems.push((ptr, "package without pkg.name".into()));
            continue;
        };
        let Some(fixes) = pkg.and_then(|p| p.get("secfixes")) else {
            continue;
        };
        let Some(fixes) = fixes.as_object() else {
            if !fixes.is_null() {
                problems.push((ptr, "secfixes is not a mapping".into()));
            }
            continue;
        };
        for (fixed, ids) in fixes {
            let fixed = fixed.trim();
            if fixed == "0" {
                continue;
            }
            let ids: Vec<String> = match ids {
                Value::Array(a) => a.iter().filter_map(scalar).collect(),
                Value::String(s) => vec![s.clone()],
                _ => Vec::new(),
            };
            for id in ids
                .iter()
                .flat_map(|s| s.split_whitespace().map(str::to_owned).collect::<Vec<_>>())
            {
                // Entries hold IDs, sometimes followed by remarks.
                if !id.contains('-') || !id.chars().next().is_some_and(|c| c.is_ascii_uppercase()) {
                    continue;
                }
                out.push(OsvRecord {
                    id: format!("ALPINE-{branch}-{name}-{id}"),
                    modified: "1970-01-01T00:00:00Z".into(),
                    published: None,
                    withdrawn: None,
                    aliases: vec![id.clone()],
                    related: Vec::new(),
                    summary: Some(format!("{id} fixed in {name} {fixed}")),
                    details: None,
                    severity: Vec::new(),
                    affected: vec![Affected {
                        package: Some(AffectedPackage {
                            ecosystem: format!("Alpine:{branch}"),
                            name: name.clone(),
                            purl: None,
                        }),
                        severity: Vec::new(),
                        ranges: vec![Range {
                            kind: RangeType::Ecosystem,
                            repo: None,
                            events: vec![
                                Event::Introduced("0".into()),
                                Event::Fixed(fixed.to_owned()),
                            ],
                        }],
                        versions: Vec::new(),
                        ecosystem_specific: None,
                        database_specific: None,
                    }],
                    references: vec![Reference {
                        kind: "ADVISORY".into(),
                        url: format!("https://secdb.alpinelinux.org/{branch}/"),
                    }],
                    database_specific: Some(serde_json::json!({"source": "alpine-secdb"})),
                });
            }
        }
    }
    (out, problems)
}
