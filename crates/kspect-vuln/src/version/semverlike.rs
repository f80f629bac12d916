//! The lenient "SemVer-like" orderings osv.dev uses for SEMVER ranges and for
//! ecosystems whose native tools compare similarly: NuGet, Pub, Hackage, CRAN.
//!
//! Written by hand: these accept what strict SemVer parsers reject (a leading
//! `v`, any number of numeric components, 30-digit numbers), because advisory
//! data contains such versions and osv.dev still orders them. Components are
//! compared as unbounded integers, a missing component counting as 0.

use std::cmp::Ordering;

use crate::version::num::{cmp_digits, is_digits};

/// A version split into leading numeric components and the rest ("build").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SemverLike {
    /// Numeric components (digit strings).
    pub components: Vec<String>,
    /// Everything from the first character that is neither a digit nor a `.`
    /// separating components (e.g. `-rc.1+build`).
    pub build: String,
}

/// Split `s`: an optional leading `v`, then digit runs separated by `.`, then
/// the remainder. With `max_components`, extra components move to the front
/// of the remainder as `.N`.
pub fn parse(s: &str, max_components: Option<usize>) -> SemverLike {
    let s = s.strip_prefix('v').unwrap_or(s);
    let mut components = Vec::new();
    let mut current = String::new();
    let mut build = String::new();
    let mut in_build = false;
    for c in s.chars() {
        if in_build {
            build.push(c);
            continue;
        }
        if c.is_ascii_digit() {
            current.push(c);
            continue;
        }
        if !current.is_empty() {
            components.push(std::mem::take(&mut current));
        }
        if c == '.' {
            continue;
        }
        in_build = true;
        build.push(c);
    }
    if !in_build && !current.is_empty() {
        components.push(current);
    }
    if let Some(max) = max_components
        && components.len() > max
    {
        let extra: String = components[max..]
            .iter()
            .map(|c| {
                let t = c.trim_start_matches('0');
                format!(".{}", if t.is_empty() { "0" } else { t })
            })
            .collect();
        components.truncate(max);
        build = format!("{build}{extra}");
    }
    SemverLike { components, build }
}

fn cmp_components(a: &[String], b: &[String]) -> Ordering {
    for i in 0..a.len().max(b.len()) {
        let x = a.get(i).map_or("0", String::as_str);
        let y = b.get(i).map_or("0", String::as_str);
        let o = cmp_digits(x, y);
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

/// SemVer precedence of the prerelease part of `build` (build metadata after
/// `+` ignored, one leading `-` dropped, no prerelease sorting last).
pub fn cmp_prerelease(a: &str, b: &str) -> Ordering {
    let strip = |s: &str| {
        let s = s.split('+').next().unwrap_or("");
        s.strip_prefix('-').unwrap_or(s).to_owned()
    };
    let (a, b) = (strip(a), strip(b));
    match (a.is_empty(), b.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        _ => {}
    }
    let (xa, xb): (Vec<&str>, Vec<&str>) = (a.split('.').collect(), b.split('.').collect());
    for (x, y) in xa.iter().zip(&xb) {
        let o = match (is_digits(x), is_digits(y)) {
            (true, true) => cmp_digits(x, y),
            (false, false) => x.cmp(y),
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    xa.len().cmp(&xb.len())
}

/// OSV `SEMVER` ordering: three components, then prerelease precedence.
pub fn compare_semver(a: &str, b: &str) -> Ordering {
    let (a, b) = (parse(a, Some(3)), parse(b, Some(3)));
    cmp_components(&a.components, &b.components).then_with(|| cmp_prerelease(&a.build, &b.build))
}

/// NuGet: four components, case-insensitive prerelease labels.
pub fn compare_nuget(a: &str, b: &str) -> Ordering {
    let (a, b) = (parse(a, Some(4)), parse(b, Some(4)));
    cmp_components(&a.components, &b.components)
        .then_with(|| cmp_prerelease(&a.build.to_ascii_lowercase(), &b.build.to_ascii_lowercase()))
}

/// Pub (Dart): like SemVer, but build metadata breaks ties, compared as text.
pub fn compare_pub(a: &str, b: &str) -> Ordering {
    let (a, b) = (parse(a, Some(3)), parse(b, Some(3)));
    let meta = |s: &str| {
        s.split_once('+')
            .map_or(String::new(), |(_, m)| m.to_owned())
    };
    cmp_components(&a.components, &b.components)
        .then_with(|| cmp_prerelease(&a.build, &b.build))
        .then_with(|| meta(&a.build).cmp(&meta(&b.build)))
}

/// Hackage (Haskell PVP): any number of components; more components win a tie.
pub fn compare_hackage(a: &str, b: &str) -> Ordering {
    let (a, b) = (parse(a, None), parse(b, None));
    cmp_components(&a.components, &b.components)
        .then_with(|| cmp_prerelease(&a.build.to_ascii_lowercase(), &b.build.to_ascii_lowercase()))
        .then_with(|| a.components.len().cmp(&b.components.len()))
}

/// CRAN (R `package_version`): numbers separated by `.` or `-`; more
/// components win a tie.
pub fn compare_cran(a: &str, b: &str) -> Ordering {
    let comps = |s: &str| -> Vec<String> {
        s.split(['.', '-'])
            .filter(|p| is_digits(p))
            .map(str::to_owned)
            .collect()
    };
    let (a, b) = (comps(a), comps(b));
    cmp_components(&a, &b).then_with(|| a.len().cmp(&b.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn big_numbers_and_extra_components() {
        assert_eq!(
            compare_semver(
                "999999999999999999999999999991",
                "999999999999999999999999999999"
            ),
            Ordering::Less
        );
        assert_eq!(compare_semver("1.1.3.4.5", "1.1.3.4.5"), Ordering::Equal);
        assert_eq!(compare_nuget("1.0", "1.0.0.0"), Ordering::Equal);
        assert_eq!(compare_cran("0.01.0", "0.1-0"), Ordering::Equal);
    }
}
