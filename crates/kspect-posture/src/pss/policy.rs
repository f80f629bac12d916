//! Policy levels and versions, parsed exactly as the PSA library accepts them.

use std::fmt;
use std::str::FromStr;

/// Why a level, version or policy string was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyParseError {
    /// The level is not one of `privileged`, `baseline`, `restricted`.
    #[error("invalid Pod Security level {0:?}: expected privileged, baseline or restricted")]
    Level(String),
    /// The version is neither `latest` nor `v1.<n>` with `n` free of leading zeros.
    #[error(
        "invalid Pod Security version {0:?}: expected \"latest\" or \"v1.<minor>\" (e.g. v1.25)"
    )]
    Version(String),
}

/// A Pod Security Standards level, from most to least permissive.
///
/// The derived order is by strictness: `Privileged < Baseline < Restricted`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Unrestricted: every pod is allowed.
    Privileged,
    /// Prevents known privilege escalations; allows the default pod.
    Baseline,
    /// Hardened: baseline plus current pod-hardening best practice.
    Restricted,
}

impl Level {
    /// The lower-case name used in namespace labels and on the command line.
    pub const fn as_str(self) -> &'static str {
        match self {
            Level::Privileged => "privileged",
            Level::Baseline => "baseline",
            Level::Restricted => "restricted",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Level {
    type Err = PolicyParseError;

    /// Case-sensitive, like the library: `Baseline` is not a level.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "privileged" => Ok(Level::Privileged),
            "baseline" => Ok(Level::Baseline),
            "restricted" => Ok(Level::Restricted),
            other => Err(PolicyParseError::Level(other.to_owned())),
        }
    }
}

/// A policy version: `v1.<minor>` or `latest`.
///
/// Only the minor number matters (the library knows major version 1 only).
/// `latest` orders after every numbered version. A version newer than the last
/// check change is evaluated exactly like that last change, which falls out of
/// "each check uses its newest variant at or below the version".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    // `u32::MAX` encodes `latest`; parsing refuses that number as a literal minor.
    minor: u32,
}

impl Version {
    /// The newest rules the library knows.
    pub const LATEST: Version = Version { minor: u32::MAX };

    /// `v1.<minor>`. `minor == u32::MAX` is `latest`.
    pub const fn new(minor: u32) -> Version {
        Version { minor }
    }

    /// The minor number (`u32::MAX` for `latest`), as used to pick check variants.
    pub const fn minor(self) -> u32 {
        self.minor
    }

    /// True for `latest`.
    pub const fn is_latest(self) -> bool {
        self.minor == u32::MAX
    }
}

impl Default for Version {
    fn default() -> Self {
        Version::LATEST
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_latest() {
            f.write_str("latest")
        } else {
            write!(f, "v1.{}", self.minor)
        }
    }
}

impl FromStr for Version {
    type Err = PolicyParseError;

    /// `latest`, or `v1.` followed by decimal digits without a leading zero
    /// (`v1.0` is fine, `v1.05`, `v1.+5`, `V1.5` and `1.5` are not).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || PolicyParseError::Version(s.to_owned());
        if s == "latest" {
            return Ok(Version::LATEST);
        }
        let digits = s.strip_prefix("v1.").ok_or_else(bad)?;
        let well_formed = !digits.is_empty()
            && digits.bytes().all(|b| b.is_ascii_digit())
            && (digits == "0" || !digits.starts_with('0'));
        if !well_formed {
            return Err(bad());
        }
        match digits.parse::<u32>() {
            Ok(minor) if minor != u32::MAX => Ok(Version { minor }),
            _ => Err(bad()),
        }
    }
}

/// A level at a version: what one namespace label pair (or `--level`/`--version`) selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Policy {
    /// Which standard applies.
    pub level: Level,
    /// Which version of that standard's checks applies.
    pub version: Version,
}

impl Policy {
    /// A policy from its parts.
    pub const fn new(level: Level, version: Version) -> Policy {
        Policy { level, version }
    }
}

impl fmt::Display for Policy {
    /// `level:version`, the library's own spelling of a level/version pair.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.level, self.version)
    }
}

impl FromStr for Policy {
    type Err = PolicyParseError;

    /// `level` (version `latest`) or `level:version`, e.g. `restricted:v1.25`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (level, version) = match s.split_once(':') {
            Some((level, version)) => (level.parse()?, version.parse()?),
            None => (s.parse()?, Version::LATEST),
        };
        Ok(Policy { level, version })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_like_the_library() {
        assert_eq!("v1.0".parse::<Version>(), Ok(Version::new(0)));
        assert_eq!("v1.37".parse::<Version>(), Ok(Version::new(37)));
        assert_eq!("latest".parse::<Version>(), Ok(Version::LATEST));
        for bad in [
            "",
            "v1.",
            "v1.05",
            "v1.00",
            "v2.1",
            "1.5",
            "V1.5",
            "v1.+5",
            "v1.5 ",
            "v1.-1",
            "Latest",
            "v1.4294967295",
        ] {
            assert!(bad.parse::<Version>().is_err(), "{bad:?} must be rejected");
        }
    }

    #[test]
    fn version_display_round_trips_and_latest_is_newest() {
        for s in ["v1.0", "v1.9", "v1.10", "v1.37", "v1.100", "latest"] {
            assert_eq!(
                s.parse::<Version>().map(|v| v.to_string()).as_deref(),
                Ok(s)
            );
        }
        assert!(Version::new(9) < Version::new(10));
        assert!(Version::new(1000) < Version::LATEST);
    }

    #[test]
    fn levels_and_policies_parse() {
        assert_eq!("restricted".parse::<Level>(), Ok(Level::Restricted));
        assert!("Restricted".parse::<Level>().is_err());
        assert!(Level::Privileged < Level::Baseline && Level::Baseline < Level::Restricted);
        assert_eq!(
            "baseline:v1.25".parse::<Policy>(),
            Ok(Policy::new(Level::Baseline, Version::new(25)))
        );
        assert_eq!(
            "privileged".parse::<Policy>(),
            Ok(Policy::new(Level::Privileged, Version::LATEST))
        );
        assert_eq!(
            Policy::new(Level::Restricted, Version::LATEST).to_string(),
            "restricted:latest"
        );
        assert!("baseline:v1.025".parse::<Policy>().is_err());
    }
}
