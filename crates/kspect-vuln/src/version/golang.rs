//! Go module versions: `golang.org/x/mod/semver` and pseudo-versions.
//!
//! Written by hand: x/mod's semver differs from SemVer 2.0 crates (it needs
//! the `v`, accepts `v1`/`v1.2` shorthands, and ranks every invalid string
//! equal to the others and below every valid version).

use std::cmp::Ordering;

use crate::version::num::cmp_digits;

/// A version split the way x/mod's `parse` does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoVersion<'a> {
    /// Major digits.
    pub major: &'a str,
    /// Minor digits ("0" when shortened).
    pub minor: &'a str,
    /// Patch digits ("0" when shortened).
    pub patch: &'a str,
    /// `-...` prerelease including the hyphen, or empty.
    pub prerelease: &'a str,
    /// `+...` build including the plus, or empty.
    pub build: &'a str,
    /// `.0.0` / `.0` when the input was a shorthand.
    pub short: &'static str,
}

fn parse_int(v: &str) -> Option<(&str, &str)> {
    let n = v.bytes().take_while(|c| c.is_ascii_digit()).count();
    if n == 0 || (v.as_bytes()[0] == b'0' && n != 1) {
        return None;
    }
    Some(v.split_at(n))
}

fn is_ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'-'
}

fn is_bad_num(v: &str) -> bool {
    v.len() > 1 && v.bytes().all(|c| c.is_ascii_digit()) && v.starts_with('0')
}

fn parse_prerelease(v: &str) -> Option<(&str, &str)> {
    let b = v.as_bytes();
    if b.first() != Some(&b'-') {
        return None;
    }
    let (mut i, mut start) = (1, 1);
    while i < b.len() && b[i] != b'+' {
        if !is_ident_char(b[i]) && b[i] != b'.' {
            return None;
        }
        if b[i] == b'.' {
            if start == i || is_bad_num(&v[start..i]) {
                return None;
            }
            start = i + 1;
        }
        i += 1;
    }
    if start == i || is_bad_num(&v[start..i]) {
        return None;
    }
    Some(v.split_at(i))
}

fn parse_build(v: &str) -> Option<&str> {
    let b = v.as_bytes();
    if b.first() != Some(&b'+') {
        return None;
    }
    let (mut i, mut start) = (1, 1);
    while i < b.len() {
        if !is_ident_char(b[i]) && b[i] != b'.' {
            return None;
        }
        if b[i] == b'.' {
            if start == i {
                return None;
            }
            start = i + 1;
        }
        i += 1;
    }
    if start == i {
        return None;
    }
    Some(v)
}

/// Parse like x/mod; `None` for invalid versions.
pub fn parse(v: &str) -> Option<GoVersion<'_>> {
    let rest = v.strip_prefix('v')?;
    let (major, rest) = parse_int(rest)?;
    let mut out = GoVersion {
        major,
        minor: "0",
        patch: "0",
        prerelease: "",
        build: "",
        short: "",
    };
    if rest.is_empty() {
        out.short = ".0.0";
        return Some(out);
    }
    let (minor, rest) = parse_int(rest.strip_prefix('.')?)?;
    out.minor = minor;
    if rest.is_empty() {
        out.short = ".0";
        return Some(out);
    }
    let (patch, mut rest) = parse_int(rest.strip_prefix('.')?)?;
    out.patch = patch;
    if rest.starts_with('-') {
        let (pre, r) = parse_prerelease(rest)?;
        out.prerelease = pre;
        rest = r;
    }
    if rest.starts_with('+') {
        out.build = parse_build(rest)?;
        rest = "";
    }
    rest.is_empty().then_some(out)
}

/// `semver.IsValid`.
pub fn is_valid(v: &str) -> bool {
    parse(v).is_some()
}

/// `semver.Canonical`: `vMAJOR.MINOR.PATCH[-pre]`, or "" when invalid.
pub fn canonical(v: &str) -> String {
    match parse(v) {
        None => String::new(),
        Some(p) if !p.build.is_empty() => v[..v.len() - p.build.len()].to_owned(),
        Some(p) => format!("{v}{}", p.short),
    }
}

fn next_ident(x: &str) -> (&str, &str) {
    let n = x.bytes().take_while(|&c| c != b'.').count();
    x.split_at(n)
}

fn compare_prerelease(x: &str, y: &str) -> Ordering {
    if x == y {
        return Ordering::Equal;
    }
    if x.is_empty() {
        return Ordering::Greater;
    }
    if y.is_empty() {
        return Ordering::Less;
    }
    let (mut x, mut y) = (x, y);
    while !x.is_empty() && !y.is_empty() {
        let (dx, rx) = next_ident(&x[1..]);
        let (dy, ry) = next_ident(&y[1..]);
        x = rx;
        y = ry;
        if dx != dy {
            let ix = !dx.is_empty() && dx.bytes().all(|c| c.is_ascii_digit());
            let iy = !dy.is_empty() && dy.bytes().all(|c| c.is_ascii_digit());
            return match (ix, iy) {
                (true, false) => Ordering::Less,
                (false, true) => Ordering::Greater,
                (true, true) => cmp_digits(dx, dy),
                (false, false) => dx.cmp(dy),
            };
        }
    }
    if x.is_empty() {
        Ordering::Less
    } else {
        Ordering::Greater
    }
}

/// `semver.Compare`: invalid strings are equal to each other and below all
/// valid versions; build metadata is ignored.
pub fn compare(v: &str, w: &str) -> Ordering {
    match (parse(v), parse(w)) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(a), Some(b)) => cmp_digits(a.major, b.major)
            .then_with(|| cmp_digits(a.minor, b.minor))
            .then_with(|| cmp_digits(a.patch, b.patch))
            .then_with(|| compare_prerelease(a.prerelease, b.prerelease)),
    }
}

/// Compare versions as OSV's `Go` ecosystem writes them: without the `v`.
pub fn compare_osv(v: &str, w: &str) -> Ordering {
    let add_v = |s: &str| {
        if s.starts_with('v') {
            s.to_owned()
        } else {
            format!("v{s}")
        }
    };
    compare(&add_v(v), &add_v(w))
}

fn inc_decimal(d: &str) -> String {
    let mut digits: Vec<u8> = d.bytes().collect();
    let mut i = digits.len();
    loop {
        if i == 0 {
            digits.insert(0, b'1');
            break;
        }
        i -= 1;
        if digits[i] == b'9' {
            digits[i] = b'0';
        } else {
            digits[i] += 1;
            break;
        }
    }
    String::from_utf8(digits).unwrap_or_default()
}

/// `module.PseudoVersion`: the pseudo-version for revision `rev` committed at
/// `timestamp` (UTC, `YYYYMMDDhhmmss`) after tag `older` ("" for none), with
/// major version prefix `major` ("" means `v0`).
pub fn pseudo_version(major: &str, older: &str, timestamp: &str, rev: &str) -> String {
    let major = if major.is_empty() { "v0" } else { major };
    let segment = format!("{timestamp}-{rev}");
    let build = parse(older).map_or("", |p| p.build);
    let older = canonical(older);
    if older.is_empty() {
        return format!("{major}.0.0-{segment}{build}");
    }
    if parse(&older).is_some_and(|p| !p.prerelease.is_empty()) {
        return format!("{older}.0.{segment}{build}");
    }
    let cut = older.rfind('.').map_or(0, |i| i + 1);
    let (head, patch) = older.split_at(cut);
    format!("{head}{}-0.{segment}{build}", inc_decimal(patch))
}

/// The parts of a pseudo-version: (timestamp, revision), or `None` when `v`
/// is not one (`module.IsPseudoVersion`).
pub fn pseudo_version_parts(v: &str) -> Option<(&str, &str)> {
    let p = parse(v)?;
    if p.prerelease.is_empty() {
        return None;
    }
    // The prerelease ends in `[...0.]YYYYMMDDhhmmss-rev` (form 1: `-YYYY...`).
    let pre = &p.prerelease[1..];
    let (head, rev) = pre.rsplit_once('-')?;
    if rev.is_empty() || !rev.bytes().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    let ts_start = head.len().checked_sub(14)?;
    let ts = &head[ts_start..];
    if !ts.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let before = &head[..ts_start];
    let form1 = before.is_empty() && p.minor == "0" && p.patch == "0";
    let form_other = before == "0." || before.ends_with(".0.");
    if !(form1 || form_other) {
        return None;
    }
    Some((ts, rev))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_is_lowest() {
        assert_eq!(compare("bad", "v0.0.0"), Ordering::Less);
        assert_eq!(compare("bad", "v1-pre"), Ordering::Equal);
    }

    #[test]
    fn pseudo_sorts_between_tags() {
        let p = pseudo_version("", "v1.2.3", "20060102150405", "abcdef123456");
        assert_eq!(p, "v1.2.4-0.20060102150405-abcdef123456");
        assert_eq!(compare("v1.2.3", &p), Ordering::Less);
        assert_eq!(compare(&p, "v1.2.4"), Ordering::Less);
        assert_eq!(
            pseudo_version_parts(&p),
            Some(("20060102150405", "abcdef123456"))
        );
    }
}
