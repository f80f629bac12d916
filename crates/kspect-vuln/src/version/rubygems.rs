//! RubyGems `Gem::Version` parsing and ordering.
//!
//! Written by hand: a small, fully specified algorithm (segments of digits or
//! letters, `-` read as `.pre.`, trailing zeros dropped per numeric/string run)
//! with no maintained Rust crate.

use std::cmp::Ordering;
use std::sync::LazyLock;

use regex::Regex;

use crate::error::VersionError;
use crate::version::num::cmp_digits;

const SCHEME: &str = "RubyGems";

/// `Gem::Version::ANCHORED_VERSION_PATTERN`, with Ruby's ASCII `\s`.
static PATTERN: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"\A[ \t\r\n\f\v]*([0-9]+(?:\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?)?[ \t\r\n\f\v]*\z",
    )
    .ok()
});

/// One segment: a number or a run of letters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// Digits, leading zeros removed.
    Number(String),
    /// Letters, case kept.
    Text(String),
}

/// A parsed gem version.
#[derive(Debug, Clone)]
pub struct GemVersion {
    /// The normalised string (`strip`, `-` -> `.pre.`), used by `eql?`.
    pub version: String,
    segments: Vec<Segment>,
}

fn is_zero(s: &Segment) -> bool {
    matches!(s, Segment::Number(n) if n == "0")
}

/// Parse a gem version (`Gem::Version.new`); an empty string is `0`.
pub fn parse(s: &str) -> Result<GemVersion, VersionError> {
    let re = PATTERN
        .as_ref()
        .ok_or_else(|| VersionError::invalid(SCHEME, s, "pattern unavailable"))?;
    if !re.is_match(s) {
        return Err(VersionError::invalid(
            SCHEME,
            s,
            "malformed version number string",
        ));
    }
    Ok(parse_lenient(s))
}

/// Split any string into gem segments without checking the grammar, the way
/// osv.dev orders advisory versions RubyGems itself would reject (`1beta`).
pub fn parse_lenient(s: &str) -> GemVersion {
    let trimmed = s.trim_matches(|c: char| c.is_ascii_whitespace() || c == '\0' || c == '\x0b');
    let version = if trimmed.is_empty() {
        "0".to_owned()
    } else {
        trimmed.replace('-', ".pre.")
    };
    let mut segments = Vec::new();
    let b = version.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() {
            let n = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
            let t = version[i..i + n].trim_start_matches('0');
            segments.push(Segment::Number(if t.is_empty() {
                "0".into()
            } else {
                t.into()
            }));
            i += n;
        } else if b[i].is_ascii_alphabetic() {
            let n = b[i..]
                .iter()
                .take_while(|c| c.is_ascii_alphabetic())
                .count();
            segments.push(Segment::Text(version[i..i + n].to_owned()));
            i += n;
        } else {
            i += 1;
        }
    }
    GemVersion { version, segments }
}

impl GemVersion {
    /// Segments with trailing zeros dropped from the numeric run and from the
    /// string run (`1.0.0.a.1.0` -> `[1, "a", 1]`).
    pub fn canonical_segments(&self) -> Vec<Segment> {
        let split = self
            .segments
            .iter()
            .position(|s| matches!(s, Segment::Text(_)))
            .unwrap_or(self.segments.len());
        let (nums, rest) = self.segments.split_at(split);
        let mut out = Vec::new();
        for run in [nums, rest] {
            let mut end = run.len();
            while end > 0 && is_zero(&run[end - 1]) {
                end -= 1;
            }
            out.extend_from_slice(&run[..end]);
        }
        out
    }

    /// `prerelease?`: any letter makes a prerelease.
    pub fn is_prerelease(&self) -> bool {
        self.version.bytes().any(|c| c.is_ascii_alphabetic())
    }

    /// `release`: the numeric segments before the first letter, joined by `.`.
    pub fn release(&self) -> String {
        if !self.is_prerelease() {
            return self.version.clone();
        }
        let mut segs = self.segments.clone();
        while segs.iter().any(|s| matches!(s, Segment::Text(_))) {
            segs.pop();
        }
        segs.iter()
            .map(|s| match s {
                Segment::Number(n) | Segment::Text(n) => n.as_str(),
            })
            .collect::<Vec<_>>()
            .join(".")
    }

    /// `eql?`: same normalised string.
    pub fn eql(&self, other: &GemVersion) -> bool {
        self.version == other.version
    }
}

impl Ord for GemVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        if self.version == other.version {
            return Ordering::Equal;
        }
        let (l, r) = (self.canonical_segments(), other.canonical_segments());
        let zero = Segment::Number("0".into());
        for i in 0..l.len().max(r.len()) {
            let a = l.get(i).unwrap_or(&zero);
            let b = r.get(i).unwrap_or(&zero);
            let o = match (a, b) {
                (Segment::Number(x), Segment::Number(y)) => cmp_digits(x, y),
                (Segment::Text(_), Segment::Number(_)) => Ordering::Less,
                (Segment::Number(_), Segment::Text(_)) => Ordering::Greater,
                (Segment::Text(x), Segment::Text(y)) => x.as_bytes().cmp(y.as_bytes()),
            };
            if o != Ordering::Equal {
                return o;
            }
        }
        Ordering::Equal
    }
}
impl PartialOrd for GemVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl PartialEq for GemVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for GemVersion {}

/// Compare two strings as gem versions without rejecting malformed ones.
pub fn compare_lenient(a: &str, b: &str) -> Ordering {
    parse_lenient(a).cmp(&parse_lenient(b))
}

/// Compare two gem versions.
pub fn compare(a: &str, b: &str) -> Result<Ordering, VersionError> {
    Ok(parse(a)?.cmp(&parse(b)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prerelease_below_release() {
        assert_eq!(compare("1.0.a", "1.0").ok(), Some(Ordering::Less));
        assert_eq!(compare("1.0", "1.0.0").ok(), Some(Ordering::Equal));
    }
}
