//! Maven ordering as the POM reference's "Version Order Specification"
//! describes it, which is what osv.dev implements for OSV `Maven` ranges.
//!
//! It agrees with `ComparableVersion` of the Maven 3.x releases on real
//! versions, but not with Maven 4's fixes (MNG-7644: `1.0.0.RC1 <
//! 1.0.0-RC2`; `3.2.0rc2` vs `3.2.0-rc.1`), which [`super::maven`] follows.
//!
//! Tokens are split at `.`, `-` and digit/letter transitions (a transition
//! counts as `-`); trailing "null" tokens (`0`, ``, `final`, `ga`) are
//! trimmed before each `-`; the shorter version is padded with nulls of the
//! other's separator kind, and unequal tokens are ordered by separator kind
//! (`.qualifier < -qualifier < -number < .number`) or, with the same
//! separator, numbers numerically and qualifiers by the known-qualifier list.

use std::cmp::Ordering;

use crate::version::num::{cmp_digits, is_digits};

#[derive(Debug, Clone, PartialEq, Eq)]
struct Token {
    prefix: &'static str,
    value: String,
    is_null: bool,
}

const KEYWORDS: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];

fn keyword_index(k: &str) -> usize {
    KEYWORDS
        .iter()
        .position(|x| *x == k)
        .unwrap_or(KEYWORDS.len())
}

impl Token {
    fn qualifier_order(&self) -> u8 {
        match (is_digits(&self.value), self.prefix) {
            (true, "-") => 2,
            (true, _) => 3,
            (false, "-") => 1,
            (false, _) => 0,
        }
    }

    fn should_trim(&self) -> bool {
        matches!(self.value.as_str(), "0" | "" | "final" | "ga")
    }

    fn less_than(&self, w: &Token) -> bool {
        if self.prefix != w.prefix {
            return self.qualifier_order() < w.qualifier_order();
        }
        let (vn, wn) = (is_digits(&self.value), is_digits(&w.value));
        if vn && wn {
            return cmp_digits(&self.value, &w.value) == Ordering::Less;
        }
        // Numbers sort after qualifiers unless they are padding.
        if vn && !self.is_null {
            return false;
        }
        if wn && !w.is_null {
            return true;
        }
        let (l, r) = (keyword_index(&self.value), keyword_index(&w.value));
        if l == KEYWORDS.len() && r == KEYWORDS.len() {
            return self.value < w.value;
        }
        l < r
    }

    /// Padding for a missing token, shaped after the other side's token.
    fn null_like(other: &Token) -> Token {
        if other.prefix == "-" {
            Token {
                prefix: "-",
                value: String::new(),
                is_null: true,
            }
        } else {
            // `sp` is the only qualifier above the empty one.
            let value = if other.value == "sp" { "" } else { "0" };
            Token {
                prefix: ".",
                value: value.into(),
                is_null: true,
            }
        }
    }
}

fn tokens(s: &str) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::new();
    let mut prefix: &'static str = "";
    let mut rest = s;
    loop {
        let (raw, sep) = match rest.find(['-', '.']) {
            Some(i) => (&rest[..i], Some(&rest[i..i + 1])),
            None => (rest, None),
        };
        // Split the raw token at digit/non-digit transitions.
        let chars: Vec<(usize, char)> = raw.char_indices().collect();
        let mut cuts: Vec<usize> = Vec::new();
        for w in chars.windows(2) {
            if w[0].1.is_ascii_digit() != w[1].1.is_ascii_digit() {
                cuts.push(w[1].0);
            }
        }
        cuts.push(raw.len());
        let mut prev = 0;
        for (j, &cut) in cuts.iter().enumerate() {
            let p = if j > 0 { "-" } else { prefix };
            let mut cur = raw[prev..cut].to_lowercase();
            if cur.is_empty() {
                cur = "0".into();
            }
            if cur == "cr" {
                cur = "rc".into();
            }
            if ["ga", "final", "release"].contains(&cur.as_str()) {
                cur.clear();
            }
            if cut != raw.len() {
                match cur.as_str() {
                    "a" => cur = "alpha".into(),
                    "b" => cur = "beta".into(),
                    "m" => cur = "milestone".into(),
                    _ => {}
                }
            }
            if is_digits(&cur) {
                let t = cur.trim_start_matches('0');
                cur = if t.is_empty() { "0".into() } else { t.into() };
            }
            out.push(Token {
                prefix: p,
                value: cur,
                is_null: false,
            });
            prev = cut;
        }
        match sep {
            Some(sep) => {
                prefix = if sep == "-" { "-" } else { "." };
                rest = &rest[1 + raw.len()..];
            }
            None => break,
        }
    }
    // Trim trailing nulls, then again before every remaining hyphen.
    let mut i = out.len() as isize - 1;
    while i > 0 {
        let iu = i as usize;
        if out[iu].should_trim() {
            out.remove(iu);
            i -= 1;
            continue;
        }
        while i >= 0 && out[i as usize].prefix != "-" {
            i -= 1;
        }
        i -= 1;
    }
    out
}

/// Compare two Maven versions by the specification (osv.dev's ordering).
pub fn compare(a: &str, b: &str) -> Ordering {
    let (v, w) = (tokens(a), tokens(b));
    if v == w {
        return Ordering::Equal;
    }
    for i in 0..v.len().max(w.len()) {
        let left = match (v.get(i), w.get(i)) {
            (Some(t), _) => t.clone(),
            (None, Some(o)) => Token::null_like(o),
            (None, None) => break,
        };
        let right = match (w.get(i), v.get(i)) {
            (Some(t), _) => t.clone(),
            (None, Some(o)) => Token::null_like(o),
            (None, None) => break,
        };
        if left.prefix == right.prefix && left.value == right.value {
            continue;
        }
        return if left.less_than(&right) {
            Ordering::Less
        } else {
            Ordering::Greater
        };
    }
    Ordering::Greater
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_examples() {
        assert_eq!(compare("1", "1.0.0"), Ordering::Equal);
        assert_eq!(compare("1-1", "1-ga-1"), Ordering::Equal);
        assert_eq!(compare("1.0-alpha-1", "1.0"), Ordering::Less);
        assert_eq!(compare("3.2.0rc2", "3.2.0-rc.1"), Ordering::Less);
    }
}
