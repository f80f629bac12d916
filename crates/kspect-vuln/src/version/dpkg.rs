//! Debian version ordering, as `dpkg --compare-versions` does it.
//!
//! Written by hand: the Rust crates for Debian versions either reject what
//! dpkg only warns about, or split epoch/revision differently. This follows
//! dpkg's `parseversion` (lib/dpkg/parsehelp.c) and `verrevcmp`
//! (lib/dpkg/version.c) behaviour as documented by its test suite.

use std::cmp::Ordering;

use crate::error::VersionError;

const SCHEME: &str = "dpkg";

/// A parsed Debian version: `[epoch:]upstream[-revision]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DpkgVersion {
    /// The epoch; 0 when absent.
    pub epoch: u32,
    /// The upstream version (may itself contain `-` and `:`).
    pub upstream: String,
    /// The Debian revision; empty when absent (which orders like `0`).
    pub revision: String,
}

/// How bad a syntax problem is, mirroring dpkg's error/warning split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// dpkg refuses the version outright.
    Error,
    /// dpkg complains but still compares the version.
    Warning,
}

/// A syntax problem found while parsing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DpkgSyntax {
    /// Error or warning.
    pub severity: Severity,
    /// dpkg's description of the problem.
    pub reason: &'static str,
}

/// Parse strictly: both dpkg errors and dpkg warnings make the version invalid.
pub fn parse(s: &str) -> Result<DpkgVersion, VersionError> {
    match parse_detailed(s) {
        (Some(v), None) => Ok(v),
        (_, Some(problem)) => Err(VersionError::invalid(SCHEME, s, problem.reason)),
        (None, None) => Err(VersionError::invalid(SCHEME, s, "unparsable")),
    }
}

/// Whose rules decide which characters are allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// dpkg itself (`lib/dpkg/parsehelp.c`).
    Dpkg,
    /// Trivy's `go-deb-version` library: dpkg's rules, but `_` is accepted in
    /// both the upstream version and the revision (RPM-style `x86_64`).
    GoDebVersion,
}

/// Parse like dpkg: returns the version whenever dpkg would still use it
/// (no problem, or only a warning) and the problem found, if any.
pub fn parse_detailed(s: &str) -> (Option<DpkgVersion>, Option<DpkgSyntax>) {
    parse_detailed_with(s, Flavor::Dpkg)
}

/// [`parse_detailed`] with a choice of character rules.
pub fn parse_detailed_with(s: &str, flavor: Flavor) -> (Option<DpkgVersion>, Option<DpkgSyntax>) {
    let extra: &[u8] = match flavor {
        Flavor::Dpkg => b"",
        Flavor::GoDebVersion => b"_",
    };
    let err = |reason| {
        (
            None,
            Some(DpkgSyntax {
                severity: Severity::Error,
                reason,
            }),
        )
    };
    let trimmed = s.trim_matches(|c: char| c.is_ascii_whitespace());
    if trimmed.is_empty() {
        return err("version string is empty");
    }
    if trimmed.bytes().any(|c| c.is_ascii_whitespace()) {
        return err("version string has embedded spaces");
    }
    // The epoch ends at the first colon; the upstream version may contain more.
    let (epoch, rest) = match trimmed.split_once(':') {
        Some((e, rest)) => {
            if e.is_empty() {
                return err("epoch in version is empty");
            }
            // strtol accepts one sign; a negative epoch is its own error.
            let (negative, digits) = match e.as_bytes()[0] {
                b'-' => (true, &e[1..]),
                b'+' => (false, &e[1..]),
                _ => (false, e),
            };
            if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
                return err("epoch in version is not number");
            }
            let value: Option<u64> = digits.trim_start_matches('0').parse().ok().or(
                if digits.trim_start_matches('0').is_empty() {
                    Some(0)
                } else {
                    None
                },
            );
            if negative && value != Some(0) {
                return err("epoch in version is negative");
            }
            match value {
                Some(v) if v <= i32::MAX as u64 => {
                    if rest.is_empty() {
                        return err("nothing after colon in version number");
                    }
                    (v as u32, rest)
                }
                _ => return err("epoch in version is too big"),
            }
        }
        None => (0, trimmed),
    };
    // The revision starts after the last hyphen.
    let (upstream, revision) = match rest.rsplit_once('-') {
        Some((u, r)) => {
            if r.is_empty() {
                return err("revision number is empty");
            }
            (u, r)
        }
        None => (rest, ""),
    };
    if upstream.is_empty() {
        return err("upstream version is empty");
    }
    let version = DpkgVersion {
        epoch,
        upstream: upstream.to_owned(),
        revision: revision.to_owned(),
    };
    let warn = |reason| {
        Some(DpkgSyntax {
            severity: Severity::Warning,
            reason,
        })
    };
    let problem = if !upstream.as_bytes()[0].is_ascii_digit() {
        warn("version number does not start with digit")
    } else if !upstream
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || b".-+~:".contains(&c) || extra.contains(&c))
    {
        warn("invalid character in version number")
    } else if !revision
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || b".+~".contains(&c) || extra.contains(&c))
    {
        warn("invalid character in revision number")
    } else {
        None
    };
    (Some(version), problem)
}

/// Parse the way `dpkg --compare-versions` does: warnings are tolerated.
fn parse_for_compare(s: &str) -> Result<DpkgVersion, VersionError> {
    match parse_detailed(s) {
        (Some(v), _) => Ok(v),
        (None, problem) => Err(VersionError::invalid(
            SCHEME,
            s,
            problem.map_or("unparsable", |p| p.reason),
        )),
    }
}

/// Compare two Debian version strings.
pub fn compare(a: &str, b: &str) -> Result<Ordering, VersionError> {
    let a = parse_for_compare(a)?;
    let b = parse_for_compare(b)?;
    Ok(compare_parsed(&a, &b))
}

/// Compare two parsed Debian versions: epoch, then upstream, then revision.
pub fn compare_parsed(a: &DpkgVersion, b: &DpkgVersion) -> Ordering {
    a.epoch
        .cmp(&b.epoch)
        .then_with(|| verrevcmp(a.upstream.as_bytes(), b.upstream.as_bytes()))
        .then_with(|| verrevcmp(a.revision.as_bytes(), b.revision.as_bytes()))
}

/// Sort weight of one non-digit byte: `~` below the end of the string, letters
/// below everything else, other bytes above letters.
fn order(c: Option<u8>) -> i32 {
    match c {
        None => 0,
        Some(c) if c.is_ascii_digit() => 0,
        Some(c) if c.is_ascii_alphabetic() => i32::from(c),
        Some(b'~') => -1,
        Some(c) => i32::from(c) + 256,
    }
}

/// dpkg's string comparison: alternating non-digit and digit runs.
fn verrevcmp(a: &[u8], b: &[u8]) -> Ordering {
    let (mut i, mut j) = (0usize, 0usize);
    let at = |k: usize| a.get(k).copied();
    let bt = |k: usize| b.get(k).copied();
    let is_digit = |c: Option<u8>| c.is_some_and(|c| c.is_ascii_digit());
    while at(i).is_some() || bt(j).is_some() {
        while (at(i).is_some() && !is_digit(at(i))) || (bt(j).is_some() && !is_digit(bt(j))) {
            let (ac, bc) = (order(at(i)), order(bt(j)));
            if ac != bc {
                return ac.cmp(&bc);
            }
            i += 1;
            j += 1;
        }
        while at(i) == Some(b'0') {
            i += 1;
        }
        while bt(j) == Some(b'0') {
            j += 1;
        }
        let mut first_diff = Ordering::Equal;
        while is_digit(at(i)) && is_digit(bt(j)) {
            if first_diff == Ordering::Equal {
                first_diff = at(i).cmp(&bt(j));
            }
            i += 1;
            j += 1;
        }
        if is_digit(at(i)) {
            return Ordering::Greater;
        }
        if is_digit(bt(j)) {
            return Ordering::Less;
        }
        if first_diff != Ordering::Equal {
            return first_diff;
        }
    }
    Ordering::Equal
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tilde_sorts_before_end() {
        assert_eq!(compare("1~", "1").ok(), Some(Ordering::Less));
        assert_eq!(compare("1.0-1", "1.0").ok(), Some(Ordering::Greater));
    }

    #[test]
    fn splits_on_first_colon_and_last_hyphen() {
        let v = parse("0:0-0:0-0").ok();
        assert_eq!(
            v.map(|v| (v.upstream, v.revision)),
            Some(("0-0:0".into(), "0".into()))
        );
    }
}
