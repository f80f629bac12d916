//! PEP 440 versions (PyPI), with the ordering and normalisation of
//! `packaging.version.Version`, plus packaging's historical `LegacyVersion`
//! ordering for strings that are not PEP 440 (advisory data still has them,
//! and osv.dev sorts them below every valid version).
//!
//! Written by hand on top of packaging's own regular expression, which makes
//! the accepted syntax identical by construction; the legacy ordering is not
//! offered by any Rust crate.

use std::cmp::Ordering;
use std::fmt;
use std::sync::LazyLock;

use regex::Regex;

use crate::error::VersionError;
use crate::version::num::cmp_digits;

const SCHEME: &str = "PEP 440";

static PATTERN: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?xi)^\s*
        v?
        (?:
            (?:(?P<epoch>[0-9]+)!)?
            (?P<release>[0-9]+(?:\.[0-9]+)*)
            (?P<pre>
                [-_\.]?
                (?P<pre_l>alpha|a|beta|b|preview|pre|c|rc)
                [-_\.]?
                (?P<pre_n>[0-9]+)?
            )?
            (?P<post>
                (?:-(?P<post_n1>[0-9]+))
                |
                (?:
                    [-_\.]?
                    (?P<post_l>post|rev|r)
                    [-_\.]?
                    (?P<post_n2>[0-9]+)?
                )
            )?
            (?P<dev>
                [-_\.]?
                (?P<dev_l>dev)
                [-_\.]?
                (?P<dev_n>[0-9]+)?
            )?
        )
        (?:\+(?P<local>[a-z0-9]+(?:[-_\.][a-z0-9]+)*))?
        \s*$",
    )
    .ok()
});

/// One segment of a local version label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocalSegment {
    /// Digits: compares numerically and above any string.
    Number(String),
    /// Lower-cased letters and digits.
    Text(String),
}

impl Ord for LocalSegment {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (LocalSegment::Number(a), LocalSegment::Number(b)) => cmp_digits(a, b),
            (LocalSegment::Number(_), LocalSegment::Text(_)) => Ordering::Greater,
            (LocalSegment::Text(_), LocalSegment::Number(_)) => Ordering::Less,
            (LocalSegment::Text(a), LocalSegment::Text(b)) => a.cmp(b),
        }
    }
}
impl PartialOrd for LocalSegment {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Pre-release kind, normalised (`alpha` -> `a`, `c`/`pre`/`preview` -> `rc`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PreKind {
    /// `a`
    Alpha,
    /// `b`
    Beta,
    /// `rc`
    Rc,
}

impl PreKind {
    /// Normalised spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            PreKind::Alpha => "a",
            PreKind::Beta => "b",
            PreKind::Rc => "rc",
        }
    }
}

/// A valid PEP 440 version. Numbers are kept as digit strings without
/// leading zeros, so arbitrarily large components order correctly.
#[derive(Debug, Clone)]
pub struct Pep440Version {
    /// Epoch (`N!`), "0" when absent.
    pub epoch: String,
    /// Release numbers.
    pub release: Vec<String>,
    /// Pre-release kind and number.
    pub pre: Option<(PreKind, String)>,
    /// Post-release number.
    pub post: Option<String>,
    /// Dev-release number.
    pub dev: Option<String>,
    /// Local label segments.
    pub local: Option<Vec<LocalSegment>>,
}

fn norm_num(s: &str) -> String {
    let t = s.trim_start_matches('0');
    if t.is_empty() { "0".into() } else { t.into() }
}

/// Parse a PEP 440 version (`packaging.version.Version(s)`).
pub fn parse(s: &str) -> Result<Pep440Version, VersionError> {
    let re = PATTERN
        .as_ref()
        .ok_or_else(|| VersionError::invalid(SCHEME, s, "pattern unavailable"))?;
    let c = re
        .captures(s)
        .ok_or_else(|| VersionError::invalid(SCHEME, s, "not a PEP 440 version"))?;
    let g = |n: &str| c.name(n).map(|m| m.as_str());
    let pre = g("pre_l").map(|l| {
        let kind = match l.to_ascii_lowercase().as_str() {
            "alpha" | "a" => PreKind::Alpha,
            "beta" | "b" => PreKind::Beta,
            _ => PreKind::Rc,
        };
        (kind, norm_num(g("pre_n").unwrap_or("0")))
    });
    let post = if let Some(n) = g("post_n1") {
        Some(norm_num(n))
    } else if g("post_l").is_some() {
        Some(norm_num(g("post_n2").unwrap_or("0")))
    } else {
        None
    };
    let dev = g("dev_l").map(|_| norm_num(g("dev_n").unwrap_or("0")));
    let local = g("local").map(|l| {
        l.split(['-', '_', '.'])
            .map(|p| {
                if p.bytes().all(|c| c.is_ascii_digit()) {
                    LocalSegment::Number(norm_num(p))
                } else {
                    LocalSegment::Text(p.to_ascii_lowercase())
                }
            })
            .collect()
    });
    Ok(Pep440Version {
        epoch: norm_num(g("epoch").unwrap_or("0")),
        release: g("release")
            .unwrap_or("0")
            .split('.')
            .map(norm_num)
            .collect(),
        pre,
        post,
        dev,
        local,
    })
}

impl Pep440Version {
    /// True for dev releases and pre-releases.
    pub fn is_prerelease(&self) -> bool {
        self.dev.is_some() || self.pre.is_some()
    }
    /// True when a post-release number is present.
    pub fn is_postrelease(&self) -> bool {
        self.post.is_some()
    }
    /// True when a dev-release number is present.
    pub fn is_devrelease(&self) -> bool {
        self.dev.is_some()
    }
    /// The version without its local label.
    pub fn public(&self) -> String {
        let s = self.to_string();
        match s.split_once('+') {
            Some((p, _)) => p.to_owned(),
            None => s,
        }
    }
    /// Epoch and release only.
    pub fn base_version(&self) -> String {
        let mut s = String::new();
        if self.epoch != "0" {
            s.push_str(&self.epoch);
            s.push('!');
        }
        s.push_str(&self.release.join("."));
        s
    }
    /// The local label, normalised.
    pub fn local_str(&self) -> Option<String> {
        self.local.as_ref().map(|l| {
            l.iter()
                .map(|p| match p {
                    LocalSegment::Number(s) | LocalSegment::Text(s) => s.as_str(),
                })
                .collect::<Vec<_>>()
                .join(".")
        })
    }
}

impl fmt::Display for Pep440Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.base_version())?;
        if let Some((k, n)) = &self.pre {
            write!(f, "{}{n}", k.as_str())?;
        }
        if let Some(p) = &self.post {
            write!(f, ".post{p}")?;
        }
        if let Some(d) = &self.dev {
            write!(f, ".dev{d}")?;
        }
        if let Some(l) = self.local_str() {
            write!(f, "+{l}")?;
        }
        Ok(())
    }
}

/// Sort key part that may be -inf / +inf, as in packaging's `_cmpkey`.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Bound<T> {
    NegInf,
    Val(T),
    PosInf,
}

struct Num<'a>(&'a str);
impl PartialEq for Num<'_> {
    fn eq(&self, o: &Self) -> bool {
        cmp_digits(self.0, o.0) == Ordering::Equal
    }
}
impl Eq for Num<'_> {}
impl PartialOrd for Num<'_> {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Num<'_> {
    fn cmp(&self, o: &Self) -> Ordering {
        cmp_digits(self.0, o.0)
    }
}

impl Ord for Pep440Version {
    fn cmp(&self, o: &Self) -> Ordering {
        fn release(v: &Pep440Version) -> Vec<Num<'_>> {
            let mut r: Vec<Num<'_>> = v.release.iter().map(|s| Num(s)).collect();
            while r.last().is_some_and(|n| n.0 == "0") {
                r.pop();
            }
            r
        }
        fn pre(v: &Pep440Version) -> Bound<(PreKind, Num<'_>)> {
            match &v.pre {
                None if v.post.is_none() && v.dev.is_some() => Bound::NegInf,
                None => Bound::PosInf,
                Some((k, n)) => Bound::Val((*k, Num(n))),
            }
        }
        fn post(v: &Pep440Version) -> Bound<Num<'_>> {
            v.post
                .as_deref()
                .map_or(Bound::NegInf, |n| Bound::Val(Num(n)))
        }
        fn dev(v: &Pep440Version) -> Bound<Num<'_>> {
            v.dev
                .as_deref()
                .map_or(Bound::PosInf, |n| Bound::Val(Num(n)))
        }
        fn local(v: &Pep440Version) -> Bound<&[LocalSegment]> {
            v.local.as_deref().map_or(Bound::NegInf, Bound::Val)
        }
        cmp_digits(&self.epoch, &o.epoch)
            .then_with(|| release(self).cmp(&release(o)))
            .then_with(|| pre(self).cmp(&pre(o)))
            .then_with(|| post(self).cmp(&post(o)))
            .then_with(|| dev(self).cmp(&dev(o)))
            .then_with(|| local(self).cmp(&local(o)))
    }
}
impl PartialOrd for Pep440Version {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl PartialEq for Pep440Version {
    fn eq(&self, o: &Self) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}
impl Eq for Pep440Version {}

/// Compare two strict PEP 440 versions; either being invalid is an error.
pub fn compare(a: &str, b: &str) -> Result<Ordering, VersionError> {
    Ok(parse(a)?.cmp(&parse(b)?))
}

/// packaging's pre-22 `LegacyVersion` key: epoch -1, then padded parts.
fn legacy_key(s: &str) -> Vec<String> {
    let lower = s.to_lowercase();
    let mut raw: Vec<&str> = Vec::new();
    // re.split(r"(\d+|[a-z]+|\.|-)") : the text between matches and the
    // matches themselves, in order.
    let b = lower.as_bytes();
    let (mut i, mut last) = (0usize, 0usize);
    while i < b.len() {
        let c = b[i];
        let end = if c.is_ascii_digit() {
            i + b[i..].iter().take_while(|c| c.is_ascii_digit()).count()
        } else if c.is_ascii_lowercase() {
            i + b[i..].iter().take_while(|c| c.is_ascii_lowercase()).count()
        } else if c == b'.' || c == b'-' {
            i + 1
        } else {
            i += 1;
            continue;
        };
        raw.push(&lower[last..i]);
        raw.push(&lower[i..end]);
        i = end;
        last = end;
    }
    raw.push(&lower[last..]);
    let mut parts: Vec<String> = Vec::new();
    let mapped = raw.into_iter().filter_map(|p| {
        let p = match p {
            "pre" | "preview" | "rc" => "c",
            "-" => "final-",
            "dev" => "@",
            other => other,
        };
        if p.is_empty() || p == "." {
            None
        } else if p.as_bytes()[0].is_ascii_digit() {
            Some(format!("{p:0>8}"))
        } else {
            Some(format!("*{p}"))
        }
    });
    for part in mapped.chain(std::iter::once("*final".to_owned())) {
        if part.starts_with('*') {
            if part.as_str() < "*final" {
                while parts.last().is_some_and(|p| p == "*final-") {
                    parts.pop();
                }
            }
            while parts.last().is_some_and(|p| p == "00000000") {
                parts.pop();
            }
        }
        parts.push(part);
    }
    parts
}

/// Compare as PyPI tooling does: valid versions by PEP 440, anything else by
/// the legacy key, and every invalid version below every valid one.
pub fn compare_with_legacy(a: &str, b: &str) -> Ordering {
    match (parse(a), parse(b)) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        (Ok(_), Err(_)) => Ordering::Greater,
        (Err(_), Ok(_)) => Ordering::Less,
        (Err(_), Err(_)) => legacy_key(a).cmp(&legacy_key(b)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises() {
        let v = parse("1.0-r5").map(|v| v.to_string()).ok();
        assert_eq!(v.as_deref(), Some("1.0.post5"));
        assert_eq!(compare("1.0.dev0", "1.0a0").ok(), Some(Ordering::Less));
    }

    #[test]
    fn legacy_sorts_first() {
        assert_eq!(compare_with_legacy("french toast", "0.0.1"), Ordering::Less);
    }
}
