//! Version parsing and ordering, one module per scheme, and the [`Scheme`]
//! enum that dispatches between them.

pub mod apk;
pub mod dpkg;
pub mod golang;
pub mod maven;
pub mod maven_spec;
pub mod npm;
pub(crate) mod num;
pub mod packagist;
pub mod pep440;
pub mod rpm;
pub mod rubygems;
pub mod semverlike;

use std::cmp::Ordering;

use crate::error::VersionError;

/// A version ordering algorithm. Several OSV ecosystems share one (Debian and
/// Ubuntu use [`Scheme::Dpkg`]); some schemes exist only to reproduce a
/// specific upstream tool (the Rust `semver` crate, bare `rpmvercmp`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// `dpkg --compare-versions` (Debian, Ubuntu).
    Dpkg,
    /// apk-tools 2.x (2.14): Alpine, Wolfi and Chainguard images as shipped.
    ApkV2,
    /// apk-tools 3.x (decimal-fraction leading zeros, `~hash`, stricter grammar).
    Apk,
    /// osv.dev's Alpine comparator (for OSV `Alpine` ranges as osv.dev evaluates them).
    OsvAlpine,
    /// Full RPM labels `[epoch:]version[-release]` (Red Hat family, SUSE, Mariner).
    Rpm,
    /// Bare `rpmvercmp` on one version or release string.
    RpmVercmp,
    /// node-semver `compare` with loose parsing (npm).
    Npm,
    /// The Rust `semver` crate's `Ord` (build metadata breaks ties).
    CargoSemver,
    /// OSV `SEMVER` precedence, lenient as osv.dev parses it.
    OsvSemver,
    /// PEP 440, invalid strings ordered by packaging's legacy rules (PyPI).
    Pep440,
    /// Maven 4 `ComparableVersion` (maven-artifact master).
    Maven,
    /// The POM reference's version order specification, as osv.dev applies it
    /// (matches Maven 3.x releases).
    MavenSpec,
    /// RubyGems `Gem::Version`.
    RubyGems,
    /// Go modules (`golang.org/x/mod/semver`), `v` optional.
    Go,
    /// Packagist (PHP `version_compare`).
    Packagist,
    /// NuGet.
    NuGet,
    /// Pub (Dart).
    Pub,
    /// Hackage (Haskell).
    Hackage,
    /// CRAN (R).
    Cran,
}

impl Scheme {
    /// Compare `a` with `b` in this scheme.
    ///
    /// Schemes whose reference tool orders any pair of strings (apk, rpm,
    /// Maven, Go, RubyGems as osv.dev orders it, ...) never fail; strict ones
    /// (dpkg errors, node-semver, the `semver` crate) return
    /// [`VersionError::Invalid`].
    pub fn compare(self, a: &str, b: &str) -> Result<Ordering, VersionError> {
        Ok(match self {
            Scheme::Dpkg => dpkg::compare(a, b)?,
            Scheme::ApkV2 => apk::v2::compare(a, b),
            Scheme::Apk => apk::compare(a, b),
            Scheme::OsvAlpine => apk::osv::compare(a, b),
            Scheme::Rpm => rpm::compare(a, b),
            Scheme::RpmVercmp => rpm::rpmvercmp(a, b),
            Scheme::Npm => npm::compare(a, b, true)?,
            Scheme::CargoSemver => {
                let parse = |s: &str| {
                    semver::Version::parse(s)
                        .map_err(|e| VersionError::invalid("semver", s, e.to_string()))
                };
                parse(a)?.cmp(&parse(b)?)
            }
            Scheme::OsvSemver => semverlike::compare_semver(a, b),
            Scheme::Pep440 => pep440::compare_with_legacy(a, b),
            Scheme::Maven => maven::compare(a, b),
            Scheme::MavenSpec => maven_spec::compare(a, b),
            // Advisory data holds versions RubyGems would reject (`1beta`);
            // they are ordered by their segments, as osv.dev does.
            Scheme::RubyGems => rubygems::compare_lenient(a, b),
            Scheme::Go => golang::compare_osv(a, b),
            Scheme::Packagist => packagist::compare(a, b),
            Scheme::NuGet => semverlike::compare_nuget(a, b),
            Scheme::Pub => semverlike::compare_pub(a, b),
            Scheme::Hackage => semverlike::compare_hackage(a, b),
            Scheme::Cran => semverlike::compare_cran(a, b),
        })
    }

    /// Check that `v` is a version this scheme can order meaningfully: dpkg
    /// (errors *and* warnings), apk's grammar, node-semver (loose), the
    /// `semver` crate, RubyGems' pattern, Go module syntax. Schemes that
    /// order every string (rpm, Maven, PEP 440 with its legacy fallback, the
    /// osv.dev comparators) accept everything.
    pub fn validate(self, v: &str) -> Result<(), VersionError> {
        match self {
            Scheme::Dpkg => dpkg::parse(v).map(|_| ()),
            Scheme::Apk => apk::parse(v).map(|_| ()),
            Scheme::ApkV2 => {
                if apk::v2::is_valid(v) {
                    Ok(())
                } else {
                    Err(VersionError::invalid("apk", v, "not valid for apk-tools 2"))
                }
            }
            Scheme::Npm => npm::parse(v, true).map(|_| ()),
            Scheme::CargoSemver => semver::Version::parse(v)
                .map(|_| ())
                .map_err(|e| VersionError::invalid("semver", v, e.to_string())),
            Scheme::RubyGems => rubygems::parse(v).map(|_| ()),
            Scheme::Go => {
                let with_v = if v.starts_with('v') {
                    v.to_owned()
                } else {
                    format!("v{v}")
                };
                if golang::is_valid(&with_v) {
                    Ok(())
                } else {
                    Err(VersionError::invalid("Go", v, "not a valid module version"))
                }
            }
            Scheme::Rpm
            | Scheme::RpmVercmp
            | Scheme::OsvSemver
            | Scheme::Maven
            | Scheme::MavenSpec
            | Scheme::OsvAlpine
            // Non-PEP 440 strings still order (packaging's legacy rules) and
            // real advisories list them (`0.3m1`), so PyPI accepts them.
            | Scheme::Pep440
            | Scheme::Packagist
            | Scheme::NuGet
            | Scheme::Pub
            | Scheme::Hackage
            | Scheme::Cran => Ok(()),
        }
    }
}
