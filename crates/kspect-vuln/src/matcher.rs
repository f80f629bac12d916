//! Packages x advisories -> findings.
//!
//! For every package, the database gives the records naming it in its
//! ecosystem; a record matches when its release (`Debian:12`) fits the
//! package's and the version falls in its affected ranges or list. Records
//! that describe one vulnerability under several IDs (a GHSA, its CVE, a
//! distribution advisory aliasing the CVE) become one [`VulnFinding`]: for
//! each package occurrence, records whose ID sets overlap are merged.

use std::collections::HashMap;
use std::sync::Arc;

use kspect_core::Severity;
use serde::Serialize;

use crate::advisory::db::normalize_name;
use crate::advisory::osv::{Affected, OsvRecord};
use crate::advisory::severity::{CvssScore, CvssVersion, parse_label, rating, score_vector};
use crate::advisory::{AdvisoryDb, DbError};
use crate::ecosystem::Ecosystem;
use crate::inventory::{Location, Package};
use crate::range::{Event, RangeType, is_affected};
use crate::version::Scheme;

/// What to report and when the scan fails.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MatchOptions {
    /// Drop findings that no release fixes yet (`--ignore-unfixed`).
    pub ignore_unfixed: bool,
    /// Fail when a finding's CVSS base score is above this (`--max-cvss 7.0`).
    pub max_cvss: Option<f64>,
    /// Fail when a finding is at or above this severity (`--fail-on high`).
    pub fail_on: Option<Severity>,
}

/// One vulnerability in one package occurrence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VulnFinding {
    /// The vulnerability's ID: its CVE when any merged record names one,
    /// else the smallest record ID.
    pub id: String,
    /// Every other ID the merged records use (record IDs and aliases).
    pub aliases: Vec<String>,
    /// The IDs of the database records that matched.
    pub advisories: Vec<String>,
    /// Ecosystem of the package (`PyPI`, `Debian:12`).
    pub ecosystem: String,
    /// Package name.
    pub package: String,
    /// Installed / locked version.
    pub version: String,
    /// The lowest version that fixes it, when a record names one.
    pub fixed: Option<String>,
    /// Severity: from the CVSS score, else the database's own rating.
    pub severity: Option<Severity>,
    /// The CVSS base score used for `--max-cvss` (see [`primary_cvss`]).
    pub cvss: Option<f64>,
    /// Every CVSS vector the records give, scored.
    pub cvss_vectors: Vec<CvssScore>,
    /// One-line summary.
    pub summary: Option<String>,
    /// Reference URLs.
    pub references: Vec<String>,
    /// Where the package was declared.
    pub source: Option<Location>,
}

/// Why a scan fails its gate.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Gate {
    /// True when any finding is at/above `fail_on` or above `max_cvss`.
    pub failed: bool,
    /// One line per reason.
    pub reasons: Vec<String>,
}

/// The result of matching an inventory.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MatchReport {
    /// Findings, ordered by package then ID.
    pub findings: Vec<VulnFinding>,
    /// Packages looked up.
    pub packages: usize,
    /// Packages skipped because their version is empty (nothing to compare).
    pub unversioned: usize,
    /// The gate verdict.
    pub gate: Gate,
}

/// The score `--max-cvss` compares: CVSS v3.x when a record gives it (what
/// CI gates are written against), else v4.0, else v2.0; the highest score
/// within that version.
pub fn primary_cvss(scores: &[CvssScore]) -> Option<f64> {
    let pick = |vs: &[CvssVersion]| {
        scores
            .iter()
            .filter(|s| vs.contains(&s.version))
            .map(|s| s.score)
            .fold(None, |m: Option<f64>, s| Some(m.map_or(s, |m| m.max(s))))
    };
    pick(&[CvssVersion::V3_1, CvssVersion::V3_0])
        .or_else(|| pick(&[CvssVersion::V4]))
        .or_else(|| pick(&[CvssVersion::V2]))
}

/// Does an advisory's release suffix apply to the package's? A missing
/// suffix on either side matches any; `Ubuntu:22.04:LTS` matches `22.04`.
fn release_fits(advisory: Option<&str>, package: Option<&str>) -> bool {
    match (advisory, package) {
        (Some(a), Some(p)) => {
            let first = |s: &str| s.split(':').next().unwrap_or(s).to_owned();
            a == p || first(a) == first(p)
        }
        _ => true,
    }
}

/// The lowest `fixed` event above `version` in the entry's ranges.
fn fixed_version(eco: &Ecosystem, affected: &Affected, version: &str) -> Option<String> {
    let mut best: Option<(Scheme, String)> = None;
    for r in &affected.ranges {
        let scheme = match r.kind {
            RangeType::Ecosystem => eco.scheme(),
            RangeType::Semver => Scheme::OsvSemver,
            _ => continue,
        };
        for e in &r.events {
            let Event::Fixed(f) = e else { continue };
            if !scheme.compare(f, version).is_ok_and(|o| o.is_gt()) {
                continue;
            }
            let better = match &best {
                None => true,
                Some((s, b)) => s.compare(f, b).is_ok_and(|o| o.is_lt()),
            };
            if better {
                best = Some((scheme, f.clone()));
            }
        }
    }
    best.map(|(_, f)| f)
}

fn label_of(v: Option<&serde_json::Value>) -> Option<Severity> {
    let v = v?;
    ["severity", "urgency", "priority", "cvss_severity"]
        .iter()
        .find_map(|k| v.get(k).and_then(|s| s.as_str()).and_then(parse_label))
}

/// One matched record for one package, before alias merging.
struct Hit {
    record: Arc<OsvRecord>,
    fixed: Option<String>,
    scores: Vec<CvssScore>,
    label: Option<Severity>,
}

/// Match `packages` against the database.
pub fn match_packages(
    db: &AdvisoryDb,
    packages: &[Package],
    options: &MatchOptions,
) -> Result<MatchReport, DbError> {
    let mut cache: HashMap<String, Option<Arc<OsvRecord>>> = HashMap::new();
    let mut lookups: HashMap<(String, String), Vec<Arc<OsvRecord>>> = HashMap::new();
    let mut report = MatchReport {
        packages: packages.len(),
        ..MatchReport::default()
    };
    for pkg in packages {
        if pkg.version.is_empty() {
            report.unversioned += 1;
            continue;
        }
        let base = pkg.ecosystem.base_name();
        let key = (base.to_owned(), normalize_name(base, &pkg.name));
        if !lookups.contains_key(&key) {
            let mut recs = Vec::new();
            for (id, json) in db.candidates(&pkg.ecosystem, &pkg.name)? {
                let rec = cache
                    .entry(id)
                    .or_insert_with(|| OsvRecord::from_json(&json).ok().map(Arc::new))
                    .clone();
                recs.extend(rec);
            }
            lookups.insert(key.clone(), recs);
        }
        let mut hits = Vec::new();
        for rec in lookups.get(&key).into_iter().flatten() {
            let mut hit: Option<Hit> = None;
            for a in &rec.affected {
                let Some(ap) = &a.package else { continue };
                let (abase, arelease) = crate::advisory::db::split_ecosystem(&ap.ecosystem);
                if abase != base
                    || normalize_name(base, &ap.name) != key.1
                    || !release_fits(arelease.as_deref(), pkg.ecosystem.suffix())
                {
                    continue;
                }
                // A version the scheme cannot read cannot be decided; it is
                // not reported rather than guessed.
                if !is_affected(&pkg.ecosystem, &a.ranges, &a.versions, &pkg.version)
                    .unwrap_or(false)
                {
                    continue;
                }
                let h = hit.get_or_insert_with(|| Hit {
                    record: Arc::clone(rec),
                    fixed: None,
                    scores: rec
                        .severity
                        .iter()
                        .filter_map(|s| score_vector(&s.score))
                        .collect(),
                    label: label_of(rec.database_specific.as_ref()),
                });
                if let Some(f) = fixed_version(&pkg.ecosystem, a, &pkg.version) {
                    let lower = h.fixed.as_ref().is_none_or(|old| {
                        pkg.ecosystem
                            .scheme()
                            .compare(&f, old)
                            .is_ok_and(|o| o.is_lt())
                    });
                    if lower {
                        h.fixed = Some(f);
                    }
                }
                h.scores
                    .extend(a.severity.iter().filter_map(|s| score_vector(&s.score)));
                h.label = h
                    .label
                    .max(label_of(a.ecosystem_specific.as_ref()))
                    .max(label_of(a.database_specific.as_ref()));
            }
            hits.extend(hit);
        }
        report.findings.extend(merge(pkg, hits));
    }
    if options.ignore_unfixed {
        report.findings.retain(|f| f.fixed.is_some());
    }
    report.findings.sort_by(|a, b| {
        (
            a.ecosystem.as_str(),
            a.package.as_str(),
            a.version.as_str(),
            a.id.as_str(),
        )
            .cmp(&(
                b.ecosystem.as_str(),
                b.package.as_str(),
                b.version.as_str(),
                b.id.as_str(),
            ))
    });
    report.gate = gate(&report.findings, options);
    Ok(report)
}

/// Merge the hits of one package whose ID sets overlap (transitively).
fn merge(pkg: &Package, hits: Vec<Hit>) -> Vec<VulnFinding> {
    let n = hits.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(p: &mut [usize], mut i: usize) -> usize {
        while p[i] != i {
            p[i] = p[p[i]];
            i = p[i];
        }
        i
    }
    let mut owner: HashMap<String, usize> = HashMap::new();
    for (i, h) in hits.iter().enumerate() {
        for id in h.record.all_ids() {
            if let Some(&j) = owner.get(&id) {
                let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                parent[a] = b;
            } else {
                owner.insert(id, i);
            }
        }
    }
    let mut groups: HashMap<usize, Vec<usize>> = HashMap::new();
    for i in 0..n {
        let r = find(&mut parent, i);
        groups.entry(r).or_default().push(i);
    }
    let scheme = pkg.ecosystem.scheme();
    let mut out = Vec::new();
    for members in groups.into_values() {
        let mut ids: Vec<String> = Vec::new();
        let mut advisories = Vec::new();
        let mut fixed: Option<String> = None;
        let mut scores = Vec::new();
        let mut label = None;
        let mut summary = None;
        let mut references = Vec::new();
        for &i in &members {
            let h = &hits[i];
            advisories.push(h.record.id.clone());
            for id in h.record.all_ids() {
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
            if let Some(f) = &h.fixed {
                if fixed
                    .as_ref()
                    .is_none_or(|old| scheme.compare(f, old).is_ok_and(|o| o.is_lt()))
                {
                    fixed = Some(f.clone());
                }
            }
            scores.extend(h.scores.iter().cloned());
            label = label.max(h.label);
            if summary.is_none() {
                summary = h.record.summary.clone();
            }
            for r in &h.record.references {
                if !references.contains(&r.url) {
                    references.push(r.url.clone());
                }
            }
        }
        ids.sort();
        advisories.sort();
        let id = ids
            .iter()
            .find(|i| i.starts_with("CVE-"))
            .cloned()
            .unwrap_or_else(|| advisories.first().cloned().unwrap_or_default());
        ids.retain(|i| *i != id);
        let cvss = primary_cvss(&scores);
        let severity = cvss.map(rating).or(label);
        out.push(VulnFinding {
            id,
            aliases: ids,
            advisories,
            ecosystem: pkg.ecosystem.to_string(),
            package: pkg.name.clone(),
            version: pkg.version.clone(),
            fixed,
            severity,
            cvss,
            cvss_vectors: scores,
            summary,
            references,
            source: pkg.location.clone(),
        });
    }
    out
}

fn gate(findings: &[VulnFinding], options: &MatchOptions) -> Gate {
    let mut g = Gate::default();
    for f in findings {
        if let (Some(limit), Some(sev)) = (options.fail_on, f.severity) {
            if sev >= limit {
                g.reasons.push(format!(
                    "{} in {} {}: severity {sev} >= {limit}",
                    f.id, f.package, f.version
                ));
            }
        }
        if let (Some(max), Some(score)) = (options.max_cvss, f.cvss) {
            if score > max {
                g.reasons.push(format!(
                    "{} in {} {}: CVSS {score:.1} > {max:.1}",
                    f.id, f.package, f.version
                ));
            }
        }
    }
    g.failed = !g.reasons.is_empty();
    g
}
