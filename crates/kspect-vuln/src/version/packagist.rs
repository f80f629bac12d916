//! Packagist (Composer) ordering as osv.dev evaluates it: PHP's
//! `version_compare` after stripping a leading `v`/`V`.
//!
//! Written by hand: PHP's algorithm canonicalises (`-`, `_`, `+` become `.`,
//! and a `.` is inserted between digits and letters), then compares part by
//! part, ranking the special words `dev < alpha = a < beta = b < RC = rc < #
//! < pl = p` (matched by prefix) and treating a number met by a word as `#`.
//! The `#` rank makes this ordering intransitive for versions containing `#`
//! (`1.2.3.# == 1.2.3` and `1.2.3.# == 1.2.3.1`); real versions do not.

use std::cmp::Ordering;

use crate::version::num::{cmp_digits, is_digits};

fn canonicalize(v: &str) -> Vec<String> {
    let v = v.strip_prefix('v').unwrap_or(v);
    let v = v.strip_prefix('V').unwrap_or(v);
    let mut out = String::new();
    let mut prev: Option<char> = None;
    for c in v.chars() {
        let c = if matches!(c, '-' | '_' | '+') { '.' } else { c };
        if let Some(p) = prev {
            let boundary = (p != '.' && !p.is_ascii_digit() && c.is_ascii_digit())
                || (p.is_ascii_digit() && c != '.' && !c.is_ascii_digit());
            if boundary {
                out.push('.');
            }
        }
        out.push(c);
        prev = Some(c);
    }
    out.split('.').map(str::to_owned).collect()
}

fn weight(s: &str) -> u8 {
    if s.starts_with("RC") {
        return 3;
    }
    const SPECIALS: [&str; 6] = ["dev", "a", "b", "rc", "#", "p"];
    SPECIALS
        .iter()
        .position(|p| s.starts_with(p))
        .map_or(0, |i| i as u8)
}

fn compare_parts(a: &[String], b: &[String]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        let o = match (is_digits(x), is_digits(y)) {
            (true, true) => cmp_digits(x, y),
            (false, false) => weight(x).cmp(&weight(y)),
            (true, false) => weight("#").cmp(&weight(y)),
            (false, true) => weight(x).cmp(&weight("#")),
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    let hash = ["#".to_owned()];
    match a.len().cmp(&b.len()) {
        Ordering::Greater => {
            if is_digits(&a[b.len()]) {
                Ordering::Greater
            } else {
                compare_parts(&a[b.len()..], &hash)
            }
        }
        Ordering::Less => {
            if is_digits(&b[a.len()]) {
                Ordering::Less
            } else {
                compare_parts(&hash, &b[a.len()..])
            }
        }
        Ordering::Equal => Ordering::Equal,
    }
}

/// Compare two Packagist versions.
pub fn compare(a: &str, b: &str) -> Ordering {
    compare_parts(&canonicalize(a), &canonicalize(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn php_order() {
        assert_eq!(compare("1.0-dev", "1.0a1"), Ordering::Less);
        assert_eq!(compare("1.0rc1", "1.0RC1"), Ordering::Equal);
        assert_eq!(compare("1.0", "1.0pl1"), Ordering::Less);
    }
}
