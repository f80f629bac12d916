//! Packages x advisories -> findings.
//!
//! For every package, the database's package index gives the records naming
//! it in its ecosystem, with only that package's `affected[]` entries; an
//! entry matches when its release (`Debian:12`) fits the package's and the
//! version falls in its ranges or list. Only then is the full record read.
//! Records that describe one vulnerability under several IDs (a GHSA, its
//! CVE, a distribution advisory aliasing the CVE) become one [`VulnFinding`]:
//! for each package occurrence, records whose ID sets overlap are merged.
//!
//! After matching, accepted risks (`vulnerabilities:` in `.kspect.yaml`) are
//! applied, `--ignore-unfixed` drops what no release fixes, and [`gate`]
//! decides the CI verdict over what is left and not accepted.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use kspect_core::Severity;
use kspect_core::config::VulnException;
use serde::Serialize;

use crate::advisory::db::{normalize_name, split_ecosystem};
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
    /// Accepted vulnerabilities (`vulnerabilities:` in `.kspect.yaml`): the
    /// findings they cover are kept, marked, and left out of the gate.
    pub exceptions: Vec<VulnException>,
    /// The day exception expiry is judged on; `None`: today (UTC).
    pub today: Option<jiff::civil::Date>,
}

/// What an exception in `.kspect.yaml` does to one finding.
#[derive(Debug, Clone, PartialEq)]
pub enum Acceptance {
    /// Accepted: kept, marked, and out of the gate.
    Accepted(VulnException),
    /// Accepted once, but past its `expires`: reported and gated again.
    Expired(VulnException),
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
    /// True when the package is a distribution package whose release the
    /// input does not say: it was matched against the advisories of every
    /// release, listed in [`VulnFinding::releases`], and may not apply.
    pub release_unknown: bool,
    /// The advisory releases that matched (`12`, `v3.19`), when the
    /// package's own release is unknown; empty otherwise.
    pub releases: Vec<String>,
    /// The exception that accepts this finding, or that did until it expired.
    #[serde(skip)]
    pub acceptance: Option<Acceptance>,
}

impl VulnFinding {
    /// True when a live exception accepts it (it stays out of the gate).
    pub fn is_accepted(&self) -> bool {
        matches!(self.acceptance, Some(Acceptance::Accepted(_)))
    }
}

/// Why a scan fails its gate.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Gate {
    /// True when any finding is at/above `fail_on` or above `max_cvss`.
    pub failed: bool,
    /// One line per reason.
    pub reasons: Vec<String>,
}

/// A package that was not matched as it should be, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PackageNote {
    /// Ecosystem of the package.
    pub ecosystem: String,
    /// Package name.
    pub package: String,
    /// Version as declared.
    pub version: String,
    /// Where the package was declared.
    pub source: Option<Location>,
    /// What is wrong.
    pub reason: String,
}

/// An advisory whose affected ranges could not be evaluated for a package
/// (an unknown range type, an event version the scheme rejects).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AdvisoryProblem {
    /// The record.
    pub advisory: String,
    /// Ecosystem of the package looked up.
    pub ecosystem: String,
    /// The package looked up.
    pub package: String,
    /// What is wrong.
    pub message: String,
}

/// What the `.kspect.yaml` exceptions did in this scan.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExceptionUse {
    /// Live exceptions that covered no finding: like an unused suppression,
    /// they would silently accept the next vulnerability they name.
    pub unused: Vec<VulnException>,
    /// Expired exceptions, each with how many findings it would still cover.
    pub expired: Vec<(VulnException, usize)>,
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
    /// Packages whose version their ecosystem's scheme rejects: no range can
    /// be evaluated for them (only advisories listing the exact string match).
    pub invalid_versions: Vec<PackageNote>,
    /// Distribution packages whose release is unknown (matched against every
    /// release; their findings say so).
    pub unknown_release: Vec<PackageNote>,
    /// Advisories that could not be evaluated for a package.
    pub advisory_problems: Vec<AdvisoryProblem>,
    /// What the exceptions did.
    #[serde(skip)]
    pub exceptions: ExceptionUse,
    /// The gate verdict (accepted findings left out).
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

/// What a record contributes to every finding it is part of, worked out
/// once per scan however many packages it matches.
struct RecordFacts {
    record: OsvRecord,
    ids: Vec<String>,
    scores: Vec<CvssScore>,
    label: Option<Severity>,
}

impl RecordFacts {
    fn new(record: OsvRecord) -> Self {
        RecordFacts {
            ids: record.all_ids(),
            scores: record
                .severity
                .iter()
                .filter_map(|s| score_vector(&s.score))
                .collect(),
            label: label_of(record.database_specific.as_ref()),
            record,
        }
    }
}

/// One matched record for one package, before alias merging.
struct Hit {
    facts: Arc<RecordFacts>,
    fixed: Option<String>,
    scores: Vec<CvssScore>,
    label: Option<Severity>,
    releases: Vec<String>,
}

/// The index rows of one package: each record's ID with its `affected[]`
/// entries for that package.
type PackageEntries = Arc<Vec<(String, Vec<Affected>)>>;

/// Per-scan memory: index rows per looked-up package, full records per ID.
#[derive(Default)]
struct Lookups {
    entries: HashMap<(&'static str, String), PackageEntries>,
    records: HashMap<String, Option<Arc<RecordFacts>>>,
}

impl Lookups {
    fn entries(
        &mut self,
        db: &AdvisoryDb,
        pkg: &Package,
        key: &(&'static str, String),
        problems: &mut Vec<AdvisoryProblem>,
    ) -> Result<PackageEntries, DbError> {
        if let Some(e) = self.entries.get(key) {
            return Ok(Arc::clone(e));
        }
        let mut list = Vec::new();
        for (id, json) in db.package_entries(&pkg.ecosystem, &pkg.name)? {
            match serde_json::from_str::<Vec<Affected>>(&json) {
                Ok(entries) => list.push((id, entries)),
                Err(e) => problems.push(AdvisoryProblem {
                    advisory: id,
                    ecosystem: pkg.ecosystem.to_string(),
                    package: pkg.name.clone(),
                    message: format!("unreadable index entry: {e}"),
                }),
            }
        }
        let list = Arc::new(list);
        self.entries.insert(key.clone(), Arc::clone(&list));
        Ok(list)
    }

    fn record(&mut self, db: &AdvisoryDb, id: &str) -> Result<Option<Arc<RecordFacts>>, DbError> {
        if let Some(r) = self.records.get(id) {
            return Ok(r.clone());
        }
        let facts = db.get(id)?.map(|r| Arc::new(RecordFacts::new(r)));
        self.records.insert(id.to_owned(), facts.clone());
        Ok(facts)
    }
}

fn note(pkg: &Package, reason: String) -> PackageNote {
    PackageNote {
        ecosystem: pkg.ecosystem.to_string(),
        package: pkg.name.clone(),
        version: pkg.version.clone(),
        source: pkg.location.clone(),
        reason,
    }
}

/// Match `packages` against the database, apply the exceptions in
/// `options`, drop unfixed findings when asked, and decide the gate.
pub fn match_packages(
    db: &AdvisoryDb,
    packages: &[Package],
    options: &MatchOptions,
) -> Result<MatchReport, DbError> {
    let _snapshot = db.read_snapshot()?;
    let mut lookups = Lookups::default();
    let mut report = MatchReport {
        packages: packages.len(),
        ..MatchReport::default()
    };
    let mut problem_seen: HashSet<(String, String)> = HashSet::new();
    for pkg in packages {
        if pkg.version.is_empty() {
            report.unversioned += 1;
            continue;
        }
        let scheme = pkg.ecosystem.scheme();
        // A version the scheme cannot read cannot be placed in a range; only
        // an advisory that lists the exact string can still match it.
        let valid = match scheme.validate(&pkg.version) {
            Ok(()) => true,
            Err(e) => {
                report.invalid_versions.push(note(
                    pkg,
                    format!("{e}; only advisories that list this exact version can match it"),
                ));
                false
            }
        };
        let release_unknown = pkg.ecosystem.is_release_scoped() && pkg.ecosystem.suffix().is_none();
        if release_unknown {
            report.unknown_release.push(note(
                pkg,
                format!(
                    "no {} release is known for this package (no purl `distro` qualifier, no operating-system component, no os-release, no --distro): matched against the advisories of every release",
                    pkg.ecosystem.base_name()
                ),
            ));
        }
        let base = pkg.ecosystem.base_name();
        let key = (base, normalize_name(base, &pkg.name));
        let mut problems = Vec::new();
        let entries = lookups.entries(db, pkg, &key, &mut problems)?;
        let mut hits = Vec::new();
        for (id, affected) in entries.iter() {
            let mut hit: Option<Hit> = None;
            for a in affected {
                let Some(ap) = &a.package else { continue };
                let (abase, arelease) = split_ecosystem(&ap.ecosystem);
                if abase != base
                    || normalize_name(base, &ap.name) != key.1
                    || !release_fits(arelease.as_deref(), pkg.ecosystem.suffix())
                {
                    continue;
                }
                let affected_here = if valid {
                    match is_affected(&pkg.ecosystem, &a.ranges, &a.versions, &pkg.version) {
                        Ok(b) => b,
                        Err(e) => {
                            problems.push(AdvisoryProblem {
                                advisory: id.clone(),
                                ecosystem: pkg.ecosystem.to_string(),
                                package: pkg.name.clone(),
                                message: e.to_string(),
                            });
                            // An exact listing still decides.
                            a.versions.contains(&pkg.version)
                        }
                    }
                } else {
                    a.versions.contains(&pkg.version)
                };
                if !affected_here {
                    continue;
                }
                if hit.is_none() {
                    let Some(facts) = lookups.record(db, id)? else {
                        problems.push(AdvisoryProblem {
                            advisory: id.clone(),
                            ecosystem: pkg.ecosystem.to_string(),
                            package: pkg.name.clone(),
                            message: "indexed, but the record is missing or unreadable; \
                                      re-import the advisories"
                                .into(),
                        });
                        break;
                    };
                    hit = Some(Hit {
                        scores: facts.scores.clone(),
                        label: facts.label,
                        facts,
                        fixed: None,
                        releases: Vec::new(),
                    });
                }
                let Some(h) = hit.as_mut() else { continue };
                if valid && let Some(f) = fixed_version(&pkg.ecosystem, a, &pkg.version) {
                    let lower = h
                        .fixed
                        .as_ref()
                        .is_none_or(|old| scheme.compare(&f, old).is_ok_and(|o| o.is_lt()));
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
                if release_unknown
                    && let Some(r) = arelease
                    && !h.releases.contains(&r)
                {
                    h.releases.push(r);
                }
            }
            hits.extend(hit);
        }
        for p in problems {
            if problem_seen.insert((p.advisory.clone(), p.package.clone())) {
                report.advisory_problems.push(p);
            }
        }
        report.findings.extend(merge(pkg, hits, release_unknown));
    }
    report.exceptions = apply_exceptions(&mut report.findings, options);
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

/// Mark each finding with the exception that covers it (a live one wins over
/// an expired one), and say which exceptions were unused or expired. This
/// runs before `--ignore-unfixed` drops findings, so that an exception for
/// an unfixed vulnerability is not called unused.
fn apply_exceptions(findings: &mut [VulnFinding], options: &MatchOptions) -> ExceptionUse {
    let today = options.today.unwrap_or_else(|| {
        jiff::tz::TimeZone::UTC
            .to_datetime(jiff::Timestamp::now())
            .date()
    });
    let exceptions = &options.exceptions;
    let mut used = vec![0usize; exceptions.len()];
    let mut expired_hits = vec![0usize; exceptions.len()];
    for f in findings.iter_mut() {
        let covering: Vec<usize> = (0..exceptions.len())
            .filter(|&i| {
                exceptions[i].covers(&f.id, f.aliases.iter().map(String::as_str), &f.package)
            })
            .collect();
        let live = covering
            .iter()
            .copied()
            .find(|&i| !exceptions[i].is_expired(today));
        f.acceptance = match (live, covering.first()) {
            (Some(i), _) => {
                used[i] += 1;
                Some(Acceptance::Accepted(exceptions[i].clone()))
            }
            (None, Some(&i)) => Some(Acceptance::Expired(exceptions[i].clone())),
            (None, None) => None,
        };
        for &i in &covering {
            if exceptions[i].is_expired(today) {
                expired_hits[i] += 1;
            }
        }
    }
    let mut out = ExceptionUse::default();
    for (i, e) in exceptions.iter().enumerate() {
        if e.is_expired(today) {
            out.expired.push((e.clone(), expired_hits[i]));
        } else if used[i] == 0 {
            out.unused.push(e.clone());
        }
    }
    out
}

/// The CI verdict over `findings`: fails when one that no exception accepts
/// is at or above `options.fail_on`, or scores above `options.max_cvss`.
pub fn gate<'a>(
    findings: impl IntoIterator<Item = &'a VulnFinding>,
    options: &MatchOptions,
) -> Gate {
    let mut g = Gate::default();
    for f in findings.into_iter().filter(|f| !f.is_accepted()) {
        if let (Some(limit), Some(sev)) = (options.fail_on, f.severity)
            && sev >= limit
        {
            g.reasons.push(format!(
                "{} in {} {}: severity {sev} >= {limit}",
                f.id, f.package, f.version
            ));
        }
        if let (Some(max), Some(score)) = (options.max_cvss, f.cvss)
            && score > max
        {
            g.reasons.push(format!(
                "{} in {} {}: CVSS {score:.1} > {max:.1}",
                f.id, f.package, f.version
            ));
        }
    }
    g.failed = !g.reasons.is_empty();
    g
}

/// Merge the hits of one package whose ID sets overlap (transitively).
fn merge(pkg: &Package, hits: Vec<Hit>, release_unknown: bool) -> Vec<VulnFinding> {
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
        for id in &h.facts.ids {
            if let Some(&j) = owner.get(id) {
                let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                parent[a] = b;
            } else {
                owner.insert(id.clone(), i);
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
        let mut releases: Vec<String> = Vec::new();
        for &i in &members {
            let h = &hits[i];
            let record = &h.facts.record;
            advisories.push(record.id.clone());
            for id in &h.facts.ids {
                if !ids.contains(id) {
                    ids.push(id.clone());
                }
            }
            for r in &h.releases {
                if !releases.contains(r) {
                    releases.push(r.clone());
                }
            }
            if let Some(f) = &h.fixed
                && fixed
                    .as_ref()
                    .is_none_or(|old| scheme.compare(f, old).is_ok_and(|o| o.is_lt()))
            {
                fixed = Some(f.clone());
            }
            scores.extend(h.scores.iter().cloned());
            label = label.max(h.label);
            if summary.is_none() {
                summary = record.summary.clone();
            }
            for r in &record.references {
                if !references.contains(&r.url) {
                    references.push(r.url.clone());
                }
            }
        }
        ids.sort();
        advisories.sort();
        releases.sort();
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
            release_unknown,
            releases,
            acceptance: None,
        });
    }
    out
}
