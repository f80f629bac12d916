//! npm versions and ranges, as node-semver 7.x parses, orders and matches them.
//!
//! Written by hand: the `node-semver` crate does not implement node-semver's
//! `loose` and `includePrerelease` options or its desugaring quirks
//! (`<=1.2.x` meaning `<1.3.0-0`, `>=0.0.0` meaning `*`, prerelease gating per
//! comparator set). node-semver is defined by its regular expressions; they are
//! reproduced here with the same structure (using the whitespace limits of its
//! "safe" variants, which apply once a range has had its whitespace collapsed).

use std::cmp::Ordering;
use std::sync::LazyLock;

use regex::{Captures, Regex};

use crate::error::VersionError;
use crate::version::num::cmp_digits;

const SCHEME: &str = "npm";
/// node-semver refuses longer inputs.
const MAX_LENGTH: usize = 256;
/// `Number.MAX_SAFE_INTEGER`: larger major/minor/patch numbers are invalid.
const MAX_SAFE_INTEGER: u64 = 9_007_199_254_740_991;

const NUM: &str = r"0|[1-9][0-9]*";
const NUM_LOOSE: &str = r"[0-9]+";
const NON_NUM: &str = r"[0-9]*[a-zA-Z-][a-zA-Z0-9-]*";
const BUILD_ID: &str = r"[a-zA-Z0-9-]+";
const GTLT: &str = r"((?:<|>)?=?)";

fn main_version(num: &str) -> String {
    format!(r"({num})\.({num})\.({num})")
}
fn prerelease(loose: bool) -> String {
    let (num, dash) = if loose { (NUM_LOOSE, "-?") } else { (NUM, "-") };
    let id = format!("(?:{NON_NUM}|{num})");
    format!(r"(?:{dash}({id}(?:\.{id})*))")
}
fn build() -> String {
    format!(r"(?:\+({BUILD_ID}(?:\.{BUILD_ID})*))")
}
fn full_plain() -> String {
    format!("v?{}{}?{}?", main_version(NUM), prerelease(false), build())
}
fn loose_plain() -> String {
    format!(
        r"[v=\s]*{}{}?{}?",
        main_version(NUM_LOOSE),
        prerelease(true),
        build()
    )
}
fn xrange_plain(loose: bool) -> String {
    let id = if loose {
        format!(r"{NUM_LOOSE}|x|X|\*")
    } else {
        format!(r"{NUM}|x|X|\*")
    };
    format!(
        r"[v=\s]*({id})(?:\.({id})(?:\.({id})(?:{})?{}?)?)?",
        prerelease(loose),
        build()
    )
}

fn re(src: &str) -> Regex {
    // The patterns are constants of this module; a failure is a programming
    // error caught by the unit tests, so fall back to a never-matching regex
    // rather than panicking in library code.
    Regex::new(src).unwrap_or_else(|_| Regex::new(r"[^\s\S]").unwrap_or_else(|_| unreachable!()))
}

struct Res {
    full: Regex,
    loose: Regex,
    comparator: [Regex; 2],
    xrange: [Regex; 2],
    tilde: [Regex; 2],
    caret: [Regex; 2],
    hyphen: [Regex; 2],
    comparator_trim: Regex,
    tilde_trim: Regex,
    caret_trim: Regex,
    star: Regex,
    build: Regex,
    gte0: Regex,
    gte0_pre: Regex,
}

static RE: LazyLock<Res> = LazyLock::new(|| {
    let both = |f: &dyn Fn(bool) -> String| [re(&f(false)), re(&f(true))];
    Res {
        full: re(&format!("^{}$", full_plain())),
        loose: re(&format!("^{}$", loose_plain())),
        comparator: both(&|l| {
            let plain = if l { loose_plain() } else { full_plain() };
            format!(r"^{GTLT}\s?({plain})$|^$")
        }),
        xrange: both(&|l| format!(r"^{GTLT}\s?{}$", xrange_plain(l))),
        tilde: both(&|l| format!(r"^(?:~>?){}$", xrange_plain(l))),
        caret: both(&|l| format!(r"^(?:\^){}$", xrange_plain(l))),
        hyphen: both(&|l| {
            let x = xrange_plain(l);
            format!(r"^\s?({x})\s-\s({x})\s?$")
        }),
        comparator_trim: re(&format!(
            r"(\s?){GTLT}\s?({}|{})",
            loose_plain(),
            xrange_plain(false)
        )),
        tilde_trim: re(r"(\s?)(?:~>?)\s"),
        caret_trim: re(r"(\s?)(?:\^)\s"),
        star: re(r"(<|>)?=?\s?\*"),
        build: re(&build()),
        gte0: re(r"^\s?>=\s?0\.0\.0\s?$"),
        gte0_pre: re(r"^\s?>=\s?0\.0\.0-0\s?$"),
    }
});

/// One prerelease identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identifier {
    /// All digits: compares numerically and below any alphanumeric identifier.
    Numeric(String),
    /// Anything else: compares as ASCII text.
    AlphaNumeric(String),
}

impl Identifier {
    fn new(s: &str) -> Self {
        if !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit()) {
            Identifier::Numeric(s.to_owned())
        } else {
            Identifier::AlphaNumeric(s.to_owned())
        }
    }
}

impl Ord for Identifier {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Identifier::Numeric(a), Identifier::Numeric(b)) => cmp_digits(a, b),
            (Identifier::Numeric(_), Identifier::AlphaNumeric(_)) => Ordering::Less,
            (Identifier::AlphaNumeric(_), Identifier::Numeric(_)) => Ordering::Greater,
            (Identifier::AlphaNumeric(a), Identifier::AlphaNumeric(b)) => a.cmp(b),
        }
    }
}

impl PartialOrd for Identifier {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A node-semver version. Build metadata is kept but never ordered on.
#[derive(Debug, Clone)]
pub struct NpmVersion {
    /// Major number.
    pub major: u64,
    /// Minor number.
    pub minor: u64,
    /// Patch number.
    pub patch: u64,
    /// Prerelease identifiers (empty for a release).
    pub prerelease: Vec<Identifier>,
    /// Build metadata identifiers.
    pub build: Vec<String>,
}

impl PartialEq for NpmVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for NpmVersion {}

impl Ord for NpmVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(other.major, other.minor, other.patch))
            .then_with(
                || match (self.prerelease.is_empty(), other.prerelease.is_empty()) {
                    (true, true) => Ordering::Equal,
                    (true, false) => Ordering::Greater,
                    (false, true) => Ordering::Less,
                    (false, false) => self.prerelease.cmp(&other.prerelease),
                },
            )
    }
}
impl PartialOrd for NpmVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

fn number(s: &str, input: &str) -> Result<u64, VersionError> {
    match s.parse::<u64>() {
        Ok(n) if n <= MAX_SAFE_INTEGER => Ok(n),
        _ => Err(VersionError::invalid(SCHEME, input, "number too large")),
    }
}

/// Parse a version the way `new SemVer(s, { loose })` does.
pub fn parse(s: &str, loose: bool) -> Result<NpmVersion, VersionError> {
    if s.len() > MAX_LENGTH {
        return Err(VersionError::invalid(
            SCHEME,
            s,
            "longer than 256 characters",
        ));
    }
    let trimmed = s.trim();
    let caps = if loose { &RE.loose } else { &RE.full }
        .captures(trimmed)
        .ok_or_else(|| VersionError::invalid(SCHEME, s, "not a semver version"))?;
    let get = |i| caps.get(i).map_or("", |m| m.as_str());
    Ok(NpmVersion {
        major: number(get(1), s)?,
        minor: number(get(2), s)?,
        patch: number(get(3), s)?,
        prerelease: caps
            .get(4)
            .map(|m| m.as_str().split('.').map(Identifier::new).collect())
            .unwrap_or_default(),
        build: caps
            .get(5)
            .map(|m| m.as_str().split('.').map(str::to_owned).collect())
            .unwrap_or_default(),
    })
}

/// Compare two versions (`semver.compare(a, b, loose)`).
pub fn compare(a: &str, b: &str, loose: bool) -> Result<Ordering, VersionError> {
    Ok(parse(a, loose)?.cmp(&parse(b, loose)?))
}

/// node-semver range options.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RangeOptions {
    /// Accept sloppy versions (`1.2.3beta`, `=v1.2.3`).
    pub loose: bool,
    /// Let prereleases match ranges whose bounds have no prerelease.
    pub include_prerelease: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

/// One comparator: `>=1.2.3`, or "any" (empty).
#[derive(Debug, Clone)]
struct Comparator {
    op: Op,
    /// `None` means ANY.
    version: Option<NpmVersion>,
    /// Canonical text, used for de-duplication and null-set detection.
    value: String,
}

impl Comparator {
    fn parse(comp: &str, opts: RangeOptions) -> Result<Self, VersionError> {
        let comp = comp.split_whitespace().collect::<Vec<_>>().join(" ");
        let caps = RE.comparator[usize::from(opts.loose)]
            .captures(&comp)
            .ok_or_else(|| VersionError::InvalidRange {
                range: comp.clone(),
                reason: "invalid comparator".into(),
            })?;
        let op = match caps.get(1).map_or("", |m| m.as_str()) {
            "<" => Op::Lt,
            "<=" => Op::Le,
            ">" => Op::Gt,
            ">=" => Op::Ge,
            _ => Op::Eq,
        };
        let Some(v) = caps.get(2).filter(|m| !m.as_str().is_empty()) else {
            return Ok(Comparator {
                op,
                version: None,
                value: String::new(),
            });
        };
        let version = parse(v.as_str(), opts.loose)?;
        let opstr = match op {
            Op::Eq => "",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
        };
        let value = format!("{opstr}{}", format_version(&version));
        Ok(Comparator {
            op,
            version: Some(version),
            value,
        })
    }

    fn test(&self, v: &NpmVersion) -> bool {
        let Some(c) = &self.version else { return true };
        let o = v.cmp(c);
        match self.op {
            Op::Eq => o == Ordering::Equal,
            Op::Lt => o == Ordering::Less,
            Op::Le => o != Ordering::Greater,
            Op::Gt => o == Ordering::Greater,
            Op::Ge => o != Ordering::Less,
        }
    }
}

fn format_version(v: &NpmVersion) -> String {
    let mut s = format!("{}.{}.{}", v.major, v.minor, v.patch);
    if !v.prerelease.is_empty() {
        let ids: Vec<&str> = v
            .prerelease
            .iter()
            .map(|i| match i {
                Identifier::Numeric(s) | Identifier::AlphaNumeric(s) => s.as_str(),
            })
            .collect();
        s.push('-');
        s.push_str(&ids.join("."));
    }
    s
}

/// A parsed npm range: a union of comparator sets.
#[derive(Debug, Clone)]
pub struct NpmRange {
    set: Vec<Vec<Comparator>>,
    opts: RangeOptions,
}

fn is_x(id: Option<&str>) -> bool {
    match id {
        None | Some("") | Some("*") => true,
        Some(s) => s.eq_ignore_ascii_case("x"),
    }
}

/// `+n + 1` on a captured number (node-semver does float arithmetic; the
/// numbers reaching here are bounded by the version grammar).
fn inc(s: &str) -> String {
    s.parse::<u128>()
        .map_or_else(|_| s.to_owned(), |n| (n + 1).to_string())
}

fn cap<'a>(c: &'a Captures<'_>, i: usize) -> Option<&'a str> {
    c.get(i).map(|m| m.as_str())
}

fn replace_caret(comp: &str, opts: RangeOptions) -> String {
    let z = if opts.include_prerelease { "-0" } else { "" };
    let Some(c) = RE.caret[usize::from(opts.loose)].captures(comp) else {
        return comp.to_owned();
    };
    let (mj, mn, p, pr) = (cap(&c, 1), cap(&c, 2), cap(&c, 3), cap(&c, 4));
    let (mjs, mns, ps) = (mj.unwrap_or(""), mn.unwrap_or(""), p.unwrap_or(""));
    if is_x(mj) {
        String::new()
    } else if is_x(mn) {
        format!(">={mjs}.0.0{z} <{}.0.0-0", inc(mjs))
    } else if is_x(p) {
        if mjs == "0" {
            format!(">={mjs}.{mns}.0{z} <{mjs}.{}.0-0", inc(mns))
        } else {
            format!(">={mjs}.{mns}.0{z} <{}.0.0-0", inc(mjs))
        }
    } else if let Some(pr) = pr {
        if mjs == "0" {
            if mns == "0" {
                format!(">={mjs}.{mns}.{ps}-{pr} <{mjs}.{mns}.{}-0", inc(ps))
            } else {
                format!(">={mjs}.{mns}.{ps}-{pr} <{mjs}.{}.0-0", inc(mns))
            }
        } else {
            format!(">={mjs}.{mns}.{ps}-{pr} <{}.0.0-0", inc(mjs))
        }
    } else if mjs == "0" {
        // A full version is its own lower bound even with includePrerelease:
        // `^0.0.3` does not admit `0.0.3-alpha`.
        if mns == "0" {
            format!(">={mjs}.{mns}.{ps} <{mjs}.{mns}.{}-0", inc(ps))
        } else {
            format!(">={mjs}.{mns}.{ps} <{mjs}.{}.0-0", inc(mns))
        }
    } else {
        format!(">={mjs}.{mns}.{ps} <{}.0.0-0", inc(mjs))
    }
}

fn replace_tilde(comp: &str, opts: RangeOptions) -> String {
    let z = if opts.include_prerelease { "-0" } else { "" };
    let Some(c) = RE.tilde[usize::from(opts.loose)].captures(comp) else {
        return comp.to_owned();
    };
    let (mj, mn, p, pr) = (cap(&c, 1), cap(&c, 2), cap(&c, 3), cap(&c, 4));
    let (mjs, mns, ps) = (mj.unwrap_or(""), mn.unwrap_or(""), p.unwrap_or(""));
    if is_x(mj) {
        String::new()
    } else if is_x(mn) {
        format!(">={mjs}.0.0{z} <{}.0.0-0", inc(mjs))
    } else if is_x(p) {
        format!(">={mjs}.{mns}.0{z} <{mjs}.{}.0-0", inc(mns))
    } else if let Some(pr) = pr {
        format!(">={mjs}.{mns}.{ps}-{pr} <{mjs}.{}.0-0", inc(mns))
    } else {
        format!(">={mjs}.{mns}.{ps} <{mjs}.{}.0-0", inc(mns))
    }
}

fn replace_xrange(comp: &str, opts: RangeOptions) -> String {
    let comp = comp.trim();
    let Some(c) = RE.xrange[usize::from(opts.loose)].captures(comp) else {
        return comp.to_owned();
    };
    let mut gtlt = cap(&c, 1).unwrap_or("").to_owned();
    let (mj, mn, p) = (cap(&c, 2), cap(&c, 3), cap(&c, 4));
    let xm_major = is_x(mj);
    let xm = xm_major || is_x(mn);
    let xp = xm || is_x(p);
    if gtlt == "=" && xp {
        gtlt.clear();
    }
    let mut pr = if opts.include_prerelease { "-0" } else { "" };
    // The patch is always 0 once an X is present; the captured one is unused.
    let (mut big, mut minor) = (mj.unwrap_or("").to_owned(), mn.unwrap_or("").to_owned());
    if xm_major {
        if gtlt == ">" || gtlt == "<" {
            "<0.0.0-0".to_owned()
        } else {
            "*".to_owned()
        }
    } else if !gtlt.is_empty() && xp {
        if xm {
            minor = "0".into();
        }
        if gtlt == ">" {
            gtlt = ">=".into();
            if xm {
                big = inc(&big);
                minor = "0".into();
            } else {
                minor = inc(&minor);
            }
        } else if gtlt == "<=" {
            gtlt = "<".into();
            if xm {
                big = inc(&big);
            } else {
                minor = inc(&minor);
            }
        }
        if gtlt == "<" {
            pr = "-0";
        }
        format!("{gtlt}{big}.{minor}.0{pr}")
    } else if xm {
        format!(">={big}.0.0{pr} <{}.0.0-0", inc(&big))
    } else if xp {
        format!(">={big}.{minor}.0{pr} <{big}.{}.0-0", inc(&minor))
    } else {
        comp.to_owned()
    }
}

fn each_word(comp: &str, f: impl Fn(&str) -> String) -> String {
    comp.split_whitespace().map(f).collect::<Vec<_>>().join(" ")
}

fn parse_comparator(comp: &str, opts: RangeOptions) -> String {
    let comp = RE.build.replace(comp, "");
    let comp = each_word(&comp, |c| replace_caret(c, opts));
    let comp = each_word(&comp, |c| replace_tilde(c, opts));
    let comp = each_word(&comp, |c| replace_xrange(c, opts));
    RE.star.replace_all(comp.trim(), "").into_owned()
}

fn hyphen_replace(c: &Captures<'_>, inc_pr: bool) -> String {
    let z = if inc_pr { "-0" } else { "" };
    let from = cap(c, 1).unwrap_or("");
    let (fm, fmn, fp, fpr) = (cap(c, 2), cap(c, 3), cap(c, 4), cap(c, 5));
    let to = cap(c, 7).unwrap_or("");
    let (tm, tmn, tp, tpr) = (cap(c, 8), cap(c, 9), cap(c, 10), cap(c, 11));
    let (fms, fmns) = (fm.unwrap_or(""), fmn.unwrap_or(""));
    let (tms, tmns, tps) = (tm.unwrap_or(""), tmn.unwrap_or(""), tp.unwrap_or(""));
    let from = if is_x(fm) {
        String::new()
    } else if is_x(fmn) {
        format!(">={fms}.0.0{z}")
    } else if is_x(fp) {
        format!(">={fms}.{fmns}.0{z}")
    } else if fpr.is_some() {
        format!(">={from}")
    } else {
        format!(">={from}{z}")
    };
    let to = if is_x(tm) {
        String::new()
    } else if is_x(tmn) {
        format!("<{}.0.0-0", inc(tms))
    } else if is_x(tp) {
        format!("<{tms}.{}.0-0", inc(tmns))
    } else if let Some(tpr) = tpr {
        format!("<={tms}.{tmns}.{tps}-{tpr}")
    } else if inc_pr {
        format!("<{tms}.{tmns}.{}-0", inc(tps))
    } else {
        format!("<={to}")
    };
    format!("{from} {to}").trim().to_owned()
}

impl NpmRange {
    /// Parse a range expression the way `new Range(range, options)` does.
    pub fn parse(range: &str, opts: RangeOptions) -> Result<Self, VersionError> {
        let raw = range.split_whitespace().collect::<Vec<_>>().join(" ");
        let mut set = Vec::new();
        for part in raw.split("||") {
            let comps = Self::parse_set(part.trim(), opts)?;
            if !comps.is_empty() {
                set.push(comps);
            }
        }
        if set.is_empty() {
            return Err(VersionError::InvalidRange {
                range: range.to_owned(),
                reason: "no valid comparator set".into(),
            });
        }
        if set.len() > 1 {
            let is_null = |c: &Vec<Comparator>| c.first().is_some_and(|c| c.value == "<0.0.0-0");
            let first = set[0].clone();
            set.retain(|c| !is_null(c));
            if set.is_empty() {
                set = vec![first];
            } else if set.len() > 1
                && let Some(any) = set
                    .iter()
                    .find(|c| c.len() == 1 && c[0].value.is_empty())
                    .cloned()
            {
                set = vec![any];
            }
        }
        Ok(NpmRange { set, opts })
    }

    fn parse_set(range: &str, opts: RangeOptions) -> Result<Vec<Comparator>, VersionError> {
        let loose = usize::from(opts.loose);
        let range = RE.hyphen[loose]
            .replace(range, |c: &Captures<'_>| {
                hyphen_replace(c, opts.include_prerelease)
            })
            .into_owned();
        let range = RE
            .comparator_trim
            .replace_all(&range, "$1$2$3")
            .into_owned();
        let range = RE.tilde_trim.replace_all(&range, "${1}~").into_owned();
        let range = RE.caret_trim.replace_all(&range, "${1}^").into_owned();
        let joined = range
            .split(' ')
            .map(|c| parse_comparator(c, opts))
            .collect::<Vec<_>>()
            .join(" ");
        let gte0 = if opts.include_prerelease {
            &RE.gte0_pre
        } else {
            &RE.gte0
        };
        // JavaScript's split(/\s+/) keeps empty strings at the ends; an empty
        // comparator means "any" and is dropped later when others exist.
        let mut list: Vec<String> = js_split_ws(&joined)
            .into_iter()
            .map(|c| gte0.replace(c.trim(), "").into_owned())
            .collect();
        if opts.loose {
            list.retain(|c| RE.comparator[1].is_match(c));
        }
        let mut out: Vec<Comparator> = Vec::new();
        for c in &list {
            let comp = Comparator::parse(c, opts)?;
            if comp.value == "<0.0.0-0" {
                return Ok(vec![comp]);
            }
            // Like a JavaScript Map keyed by value: a repeat replaces in place.
            if let Some(slot) = out.iter_mut().find(|o| o.value == comp.value) {
                *slot = comp;
            } else {
                out.push(comp);
            }
        }
        if out.len() > 1 && out.iter().any(|c| c.value.is_empty()) {
            out.retain(|c| !c.value.is_empty());
        }
        Ok(out)
    }

    /// Whether `version` satisfies the range (`range.test(version)`); a
    /// version that does not parse never satisfies.
    pub fn test(&self, version: &str) -> bool {
        if version.is_empty() {
            return false;
        }
        let Ok(v) = parse(version, self.opts.loose) else {
            return false;
        };
        self.set.iter().any(|set| test_set(set, &v, self.opts))
    }
}

/// `s.split(/\s+/)`: runs of whitespace separate; empty ends are kept.
fn js_split_ws(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut in_ws = false;
    let mut ws_start = 0;
    for (i, c) in s.char_indices() {
        if c.is_whitespace() {
            if !in_ws {
                in_ws = true;
                ws_start = i;
            }
        } else if in_ws {
            out.push(&s[start..ws_start]);
            start = i;
            in_ws = false;
        }
    }
    out.push(if in_ws {
        &s[start..ws_start]
    } else {
        &s[start..]
    });
    if in_ws {
        out.push("");
    }
    out
}

fn test_set(set: &[Comparator], v: &NpmVersion, opts: RangeOptions) -> bool {
    if !set.iter().all(|c| c.test(v)) {
        return false;
    }
    if !v.prerelease.is_empty() && !opts.include_prerelease {
        // A prerelease only matches when some comparator names a prerelease of
        // the same major.minor.patch (`^1.2.3-pr.1` admits `1.2.3-pr.2`).
        return set.iter().any(|c| {
            c.version.as_ref().is_some_and(|a| {
                !a.prerelease.is_empty()
                    && (a.major, a.minor, a.patch) == (v.major, v.minor, v.patch)
            })
        });
    }
    true
}

/// `semver.satisfies(version, range, options)`: false when either does not parse.
pub fn satisfies(version: &str, range: &str, opts: RangeOptions) -> bool {
    NpmRange::parse(range, opts).is_ok_and(|r| r.test(version))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regexes_compile() {
        assert!(RE.full.is_match("1.2.3-alpha.1+build"));
        assert!(RE.loose.is_match("=v1.2.3beta"));
        assert!(RE.hyphen[0].is_match("1.2.3 - 2.3.4"));
    }

    #[test]
    fn caret_and_tilde() {
        let o = RangeOptions::default();
        assert!(satisfies("1.8.1", "^1.2.3", o));
        assert!(!satisfies("2.0.0", "^1.2.3", o));
        assert!(satisfies("1.2.9", "~1.2.3", o));
        assert!(!satisfies("1.2.3-beta", "^1.2.3", o));
    }

    #[test]
    fn loose_prefixes() {
        assert_eq!(
            compare("1.2.3", " = v1.2.3", true).ok(),
            Some(Ordering::Equal)
        );
        assert!(parse("=1.2.3", false).is_err());
    }
}
