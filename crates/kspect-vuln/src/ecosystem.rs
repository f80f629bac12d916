//! OSV ecosystem names (`Debian:12`, `Alpine:v3.19`, `PyPI`, ...) and the
//! version scheme each one uses.

use std::fmt;
use std::str::FromStr;

use crate::error::VersionError;
use crate::version::Scheme;

/// An OSV ecosystem. Distribution ecosystems carry the release suffix as
/// written after the first `:` (`Debian:12` -> `Debian(Some("12"))`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Ecosystem {
    /// `Debian[:release]`
    Debian(Option<String>),
    /// `Ubuntu[:release[:LTS]]`, also `Ubuntu:Pro:...`
    Ubuntu(Option<String>),
    /// `Alpine[:vX.Y]`
    Alpine(Option<String>),
    /// `Wolfi`
    Wolfi,
    /// `Chainguard`
    Chainguard,
    /// `Red Hat[:product]`
    RedHat(Option<String>),
    /// `Rocky Linux[:release]`
    RockyLinux(Option<String>),
    /// `AlmaLinux[:release]`
    AlmaLinux(Option<String>),
    /// `SUSE[:product]`
    Suse(Option<String>),
    /// `openSUSE[:product]`
    OpenSuse(Option<String>),
    /// `Mariner[:release]`
    Mariner(Option<String>),
    /// `Azure Linux[:release]`
    AzureLinux(Option<String>),
    /// `Fedora[:release]` (not an OSV ecosystem yet; RPM-based, accepted for
    /// distribution data)
    Fedora(Option<String>),
    /// `npm`
    Npm,
    /// `PyPI`
    PyPI,
    /// `crates.io`
    CratesIo,
    /// `Go`
    Go,
    /// `Maven[:repository]`
    Maven(Option<String>),
    /// `RubyGems`
    RubyGems,
    /// `Packagist`
    Packagist,
    /// `NuGet`
    NuGet,
    /// `Hex`
    Hex,
    /// `Pub`
    Pub,
    /// `Hackage`
    Hackage,
    /// `CRAN`
    Cran,
}

impl Ecosystem {
    /// The ordering OSV `ECOSYSTEM` ranges of this ecosystem use.
    pub fn scheme(&self) -> Scheme {
        match self {
            Ecosystem::Debian(_) | Ecosystem::Ubuntu(_) => Scheme::Dpkg,
            // apk-tools 2.14 is what installed these packages in the images
            // kspect scans, and it accepts the older version spellings
            // (`5.7.1p1-r0`) found in advisories that apk-tools 3 rejects.
            Ecosystem::Alpine(_) | Ecosystem::Wolfi | Ecosystem::Chainguard => Scheme::ApkV2,
            Ecosystem::RedHat(_)
            | Ecosystem::RockyLinux(_)
            | Ecosystem::AlmaLinux(_)
            | Ecosystem::Suse(_)
            | Ecosystem::OpenSuse(_)
            | Ecosystem::Mariner(_)
            | Ecosystem::AzureLinux(_)
            | Ecosystem::Fedora(_) => Scheme::Rpm,
            Ecosystem::Npm => Scheme::Npm,
            // OSV's crates.io and Hex ranges follow SemVer 2.0 precedence,
            // where build metadata never orders (unlike the `semver` crate's
            // Ord, available as `Scheme::CargoSemver`).
            Ecosystem::CratesIo | Ecosystem::Hex => Scheme::OsvSemver,
            Ecosystem::PyPI => Scheme::Pep440,
            Ecosystem::Go => Scheme::Go,
            Ecosystem::Maven(_) => Scheme::Maven,
            Ecosystem::RubyGems => Scheme::RubyGems,
            Ecosystem::Packagist => Scheme::Packagist,
            Ecosystem::NuGet => Scheme::NuGet,
            Ecosystem::Pub => Scheme::Pub,
            Ecosystem::Hackage => Scheme::Hackage,
            Ecosystem::Cran => Scheme::Cran,
        }
    }

    /// The release/product suffix, if any (`12` in `Debian:12`).
    pub fn suffix(&self) -> Option<&str> {
        match self {
            Ecosystem::Debian(s)
            | Ecosystem::Ubuntu(s)
            | Ecosystem::Alpine(s)
            | Ecosystem::RedHat(s)
            | Ecosystem::RockyLinux(s)
            | Ecosystem::AlmaLinux(s)
            | Ecosystem::Suse(s)
            | Ecosystem::OpenSuse(s)
            | Ecosystem::Mariner(s)
            | Ecosystem::AzureLinux(s)
            | Ecosystem::Fedora(s)
            | Ecosystem::Maven(s) => s.as_deref(),
            _ => None,
        }
    }

    /// Are this ecosystem's advisories split by distribution release
    /// (`Debian:12`, `Alpine:v3.19`)? Then a package without a release
    /// cannot be matched exactly.
    pub fn is_release_scoped(&self) -> bool {
        matches!(
            self,
            Ecosystem::Debian(_)
                | Ecosystem::Ubuntu(_)
                | Ecosystem::Alpine(_)
                | Ecosystem::RedHat(_)
                | Ecosystem::RockyLinux(_)
                | Ecosystem::AlmaLinux(_)
                | Ecosystem::Suse(_)
                | Ecosystem::OpenSuse(_)
                | Ecosystem::Mariner(_)
                | Ecosystem::AzureLinux(_)
                | Ecosystem::Fedora(_)
        )
    }

    /// The same ecosystem with `release` as its suffix; ecosystems that are
    /// not split by release (see [`Ecosystem::is_release_scoped`]) are
    /// returned unchanged.
    pub fn with_release(&self, release: String) -> Ecosystem {
        let r = Some(release);
        match self {
            Ecosystem::Debian(_) => Ecosystem::Debian(r),
            Ecosystem::Ubuntu(_) => Ecosystem::Ubuntu(r),
            Ecosystem::Alpine(_) => Ecosystem::Alpine(r),
            Ecosystem::RedHat(_) => Ecosystem::RedHat(r),
            Ecosystem::RockyLinux(_) => Ecosystem::RockyLinux(r),
            Ecosystem::AlmaLinux(_) => Ecosystem::AlmaLinux(r),
            Ecosystem::Suse(_) => Ecosystem::Suse(r),
            Ecosystem::OpenSuse(_) => Ecosystem::OpenSuse(r),
            Ecosystem::Mariner(_) => Ecosystem::Mariner(r),
            Ecosystem::AzureLinux(_) => Ecosystem::AzureLinux(r),
            Ecosystem::Fedora(_) => Ecosystem::Fedora(r),
            other => other.clone(),
        }
    }

    /// The ecosystem name without suffix, as OSV spells it.
    pub fn base_name(&self) -> &'static str {
        match self {
            Ecosystem::Debian(_) => "Debian",
            Ecosystem::Ubuntu(_) => "Ubuntu",
            Ecosystem::Alpine(_) => "Alpine",
            Ecosystem::Wolfi => "Wolfi",
            Ecosystem::Chainguard => "Chainguard",
            Ecosystem::RedHat(_) => "Red Hat",
            Ecosystem::RockyLinux(_) => "Rocky Linux",
            Ecosystem::AlmaLinux(_) => "AlmaLinux",
            Ecosystem::Suse(_) => "SUSE",
            Ecosystem::OpenSuse(_) => "openSUSE",
            Ecosystem::Mariner(_) => "Mariner",
            Ecosystem::AzureLinux(_) => "Azure Linux",
            Ecosystem::Fedora(_) => "Fedora",
            Ecosystem::Npm => "npm",
            Ecosystem::PyPI => "PyPI",
            Ecosystem::CratesIo => "crates.io",
            Ecosystem::Go => "Go",
            Ecosystem::Maven(_) => "Maven",
            Ecosystem::RubyGems => "RubyGems",
            Ecosystem::Packagist => "Packagist",
            Ecosystem::NuGet => "NuGet",
            Ecosystem::Hex => "Hex",
            Ecosystem::Pub => "Pub",
            Ecosystem::Hackage => "Hackage",
            Ecosystem::Cran => "CRAN",
        }
    }
}

impl FromStr for Ecosystem {
    type Err = VersionError;

    /// Parse an OSV ecosystem string. Base names are matched exactly as OSV
    /// spells them; everything after the first `:` is kept as the suffix.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (base, suffix) = match s.split_once(':') {
            Some((b, rest)) => (b, Some(rest.to_owned()).filter(|r| !r.is_empty())),
            None => (s, None),
        };
        let no_suffix = |e: Ecosystem| {
            if suffix.is_some() {
                Err(VersionError::UnsupportedEcosystem(s.to_owned()))
            } else {
                Ok(e)
            }
        };
        match base {
            "Debian" => Ok(Ecosystem::Debian(suffix)),
            "Ubuntu" => Ok(Ecosystem::Ubuntu(suffix)),
            "Alpine" => Ok(Ecosystem::Alpine(suffix)),
            "Wolfi" => no_suffix(Ecosystem::Wolfi),
            "Chainguard" => no_suffix(Ecosystem::Chainguard),
            "Red Hat" => Ok(Ecosystem::RedHat(suffix)),
            "Rocky Linux" => Ok(Ecosystem::RockyLinux(suffix)),
            "AlmaLinux" => Ok(Ecosystem::AlmaLinux(suffix)),
            "SUSE" => Ok(Ecosystem::Suse(suffix)),
            "openSUSE" => Ok(Ecosystem::OpenSuse(suffix)),
            "Mariner" => Ok(Ecosystem::Mariner(suffix)),
            "Azure Linux" => Ok(Ecosystem::AzureLinux(suffix)),
            "Fedora" => Ok(Ecosystem::Fedora(suffix)),
            "npm" => no_suffix(Ecosystem::Npm),
            "PyPI" => no_suffix(Ecosystem::PyPI),
            "crates.io" => no_suffix(Ecosystem::CratesIo),
            "Go" => no_suffix(Ecosystem::Go),
            "Maven" => Ok(Ecosystem::Maven(suffix)),
            "RubyGems" => no_suffix(Ecosystem::RubyGems),
            "Packagist" => no_suffix(Ecosystem::Packagist),
            "NuGet" => no_suffix(Ecosystem::NuGet),
            "Hex" => no_suffix(Ecosystem::Hex),
            "Pub" => no_suffix(Ecosystem::Pub),
            "Hackage" => no_suffix(Ecosystem::Hackage),
            "CRAN" => no_suffix(Ecosystem::Cran),
            _ => Err(VersionError::UnsupportedEcosystem(s.to_owned())),
        }
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.base_name())?;
        if let Some(s) = self.suffix() {
            write!(f, ":{s}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_osv_names() {
        for (name, scheme) in [
            ("Debian:12", Scheme::Dpkg),
            ("Ubuntu:22.04:LTS", Scheme::Dpkg),
            ("Alpine:v3.19", Scheme::ApkV2),
            ("Wolfi", Scheme::ApkV2),
            ("Rocky Linux:9", Scheme::Rpm),
            ("AlmaLinux:8", Scheme::Rpm),
            ("Red Hat:enterprise_linux:9::appstream", Scheme::Rpm),
            ("SUSE:Linux Enterprise Server 15 SP5", Scheme::Rpm),
            ("openSUSE:Leap 15.5", Scheme::Rpm),
            ("Mariner:2.0", Scheme::Rpm),
            ("npm", Scheme::Npm),
            ("PyPI", Scheme::Pep440),
            ("crates.io", Scheme::OsvSemver),
            ("Go", Scheme::Go),
            ("Maven", Scheme::Maven),
            ("RubyGems", Scheme::RubyGems),
            ("Packagist", Scheme::Packagist),
            ("NuGet", Scheme::NuGet),
            ("Hex", Scheme::OsvSemver),
            ("Pub", Scheme::Pub),
        ] {
            let eco: Ecosystem = name.parse().unwrap_or(Ecosystem::Wolfi);
            assert_eq!(eco.to_string(), name, "round trip of {name}");
            assert_eq!(eco.scheme(), scheme, "scheme of {name}");
        }
        assert!("Debain".parse::<Ecosystem>().is_err());
        assert!("npm:1".parse::<Ecosystem>().is_err());
    }
}
