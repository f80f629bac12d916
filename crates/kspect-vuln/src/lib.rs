//! Vulnerability matching for kspect: exact version ordering for every
//! package ecosystem kspect scans, and evaluation of OSV affected ranges.
//!
//! - [`version`]: one module per ordering scheme (dpkg, apk, rpm, node-semver,
//!   PEP 440, Maven, RubyGems, Go modules, ...) and [`Scheme`] to dispatch.
//! - [`Ecosystem`]: OSV ecosystem names (`Debian:12`, `PyPI`, ...) mapped to
//!   their scheme; [`compare`] orders two versions of one ecosystem.
//! - [`range`]: OSV `ECOSYSTEM`/`SEMVER` ranges and [`is_affected`].
//!
//! Every scheme is checked against the upstream test vectors in
//! `shared/corpus/vuln/versions/` (see `tests/corpus_versions.rs`).
#![deny(missing_docs)]

pub mod ecosystem;
pub mod error;
pub mod range;
pub mod version;

use std::cmp::Ordering;

pub use ecosystem::Ecosystem;
pub use error::VersionError;
pub use range::{Event, Range, RangeType, is_affected};
pub use version::Scheme;

/// Compare two versions of `ecosystem`'s packages.
pub fn compare(ecosystem: &Ecosystem, a: &str, b: &str) -> Result<Ordering, VersionError> {
    ecosystem.scheme().compare(a, b)
}
