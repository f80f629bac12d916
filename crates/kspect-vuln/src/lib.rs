//! Vulnerability matching for kspect: exact version ordering for every
//! package ecosystem kspect scans, and evaluation of OSV affected ranges.
//!
//! - [`version`]: one module per ordering scheme (dpkg, apk, rpm, node-semver,
//!   PEP 440, Maven, RubyGems, Go modules, ...) and [`Scheme`] to dispatch.
//! - [`Ecosystem`]: OSV ecosystem names (`Debian:12`, `PyPI`, ...) mapped to
//!   their scheme; [`compare`] orders two versions of one ecosystem.
//! - [`range`]: OSV `ECOSYSTEM`/`SEMVER` ranges and [`is_affected`].
//! - [`inventory`]: packages from lockfiles, manifests and SBOMs.
//! - [`advisory`]: OSV records, Alpine secdb, CVSS scoring, the SQLite store.
//! - [`matcher`]: packages x advisories -> findings, alias merging, CI gate.
//! - [`output`]: the `--format json` document and CycloneDX 1.6 output.
//!
//! # Wiring the CLI
//!
//! - `kspect vuln compare ECO A B`: `ECO.parse::<Ecosystem>()`, then
//!   [`compare`] gives the [`Ordering`] to print as `<`, `=` or `>`.
//! - `kspect db import PATH... [--db FILE]`: [`AdvisoryDb::default_path`]
//!   (or `--db`), [`AdvisoryDb::open`], [`AdvisoryDb::import`]; print the
//!   [`ImportReport`] counts and each [`advisory::ImportProblem`] (file +
//!   message) as a warning. Only a [`DbError`] is fatal (exit 2).
//! - `kspect db info`: [`AdvisoryDb::info`] with `jiff::Timestamp::now()`
//!   and a staleness limit (7 days is a sensible default); print
//!   `per_ecosystem`, `newest_modified`, and `stale_warning` on stderr.
//! - `kspect vuln TARGET... [--db] [--format] [--fail-on] [--max-cvss]
//!   [--ignore-unfixed] [--config FILE] [--distro FAMILY/VERSION]`: for each
//!   target [`inventory::scan_target`] (`dir:PATH`, `sbom:FILE`, or a path),
//!   report its [`inventory::InventoryError`]s (file:line) and go on;
//!   optionally [`inventory::distro::apply_distro`];
//!   [`AdvisoryDb::open_existing`]; [`match_packages`] with [`MatchOptions`]
//!   (the `.kspect.yaml` exceptions and the day included). The library
//!   applies the exceptions, drops unfixed findings and decides
//!   [`MatchReport::gate`] (see [`gate`]); the CLI renders
//!   [`MatchReport::findings`], or [`output::to_json`], or
//!   [`output::to_cyclonedx`], explains [`MatchReport::invalid_versions`],
//!   [`MatchReport::unknown_release`] and [`MatchReport::exceptions`], and
//!   exits 1 when the gate `.failed`, printing its `reasons`.
//! - `kspect sbom TARGET --format cyclonedx`: [`inventory::scan_target`] then
//!   [`output::to_cyclonedx`] with an empty [`MatchReport`].
//!
//! Every scheme is checked against the upstream test vectors in
//! `shared/corpus/vuln/versions/` (see `tests/corpus_versions.rs`).
#![deny(missing_docs)]

pub mod advisory;
pub mod ecosystem;
pub mod error;
pub mod inventory;
pub mod matcher;
pub mod output;
pub mod range;
pub mod version;

use std::cmp::Ordering;

pub use advisory::{AdvisoryDb, DbError, DbInfo, ImportReport};
pub use ecosystem::Ecosystem;
pub use error::VersionError;
pub use matcher::{
    Acceptance, ExceptionUse, Gate, MatchOptions, MatchReport, PackageNote, VulnFinding, gate,
    match_packages,
};
pub use range::{Event, Range, RangeType, is_affected};
pub use version::Scheme;

/// Compare two versions of `ecosystem`'s packages.
pub fn compare(ecosystem: &Ecosystem, a: &str, b: &str) -> Result<Ordering, VersionError> {
    ecosystem.scheme().compare(a, b)
}
