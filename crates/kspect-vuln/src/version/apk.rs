//! Alpine (apk) version ordering, following apk-tools 3.x.
//!
//! Written by hand: no maintained crate implements apk-tools' tokenizer. The
//! grammar is `digit{.digit}...{letter}{_suffix{digits}}...{~hash}{-r#}`.
//! A version is compared token by token; when the token *kinds* differ the
//! comparison stops and the kinds decide (a pre-release suffix sorts before
//! the end of the string, anything else after it). Invalid input is not
//! rejected: like `apk version -t`, the comparison runs until the first token
//! that breaks the grammar, which then sorts below a valid continuation.
//!
//! apk-tools 2.x differs on some malformed inputs and on components with
//! leading zeros (`8.2.0 < 8.2.001` only holds in 3.x); this module pins 3.x,
//! the version Alpine ships from 3.22 on and the one whose tests the corpus
//! reproduces.

use std::cmp::Ordering;

use crate::error::VersionError;
use crate::version::num::cmp_digits;

const SCHEME: &str = "apk";

/// Token kinds, in the order apk-tools ranks them when kinds differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    InitialDigit,
    Digit,
    Letter,
    Suffix,
    SuffixNo,
    CommitHash,
    RevisionNo,
    End,
    Invalid,
}

/// Suffix ranks: pre-release suffixes sort below [`Suffix::None`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Suffix {
    Invalid,
    Alpha,
    Beta,
    Pre,
    Rc,
    None,
    Cvs,
    Svn,
    Git,
    Hg,
    P,
}

fn suffix_value(s: &str) -> Suffix {
    match s {
        "alpha" => Suffix::Alpha,
        "beta" => Suffix::Beta,
        "pre" => Suffix::Pre,
        "rc" => Suffix::Rc,
        "cvs" => Suffix::Cvs,
        "svn" => Suffix::Svn,
        "git" => Suffix::Git,
        "hg" => Suffix::Hg,
        "p" => Suffix::P,
        _ => Suffix::Invalid,
    }
}

#[derive(Debug, Clone, Copy)]
struct Token<'a> {
    kind: Kind,
    suffix: Suffix,
    value: &'a str,
}

/// A cursor over one version string.
struct Lexer<'a> {
    rest: &'a str,
    tok: Token<'a>,
}

fn take_while(s: &str, f: impl Fn(u8) -> bool) -> (&str, &str) {
    let n = s.bytes().take_while(|&c| f(c)).count();
    s.split_at(n)
}

impl<'a> Lexer<'a> {
    fn new(s: &'a str) -> Self {
        let (digits, rest) = take_while(s, |c| c.is_ascii_digit());
        let kind = if digits.is_empty() {
            Kind::Invalid
        } else {
            Kind::InitialDigit
        };
        Lexer {
            rest,
            tok: Token {
                kind,
                suffix: Suffix::None,
                value: digits,
            },
        }
    }

    fn invalid(&mut self) {
        self.tok.kind = Kind::Invalid;
    }

    fn digits(&mut self, kind: Kind) {
        let (digits, rest) = take_while(self.rest, |c| c.is_ascii_digit());
        self.rest = rest;
        self.tok.value = digits;
        self.tok.kind = if digits.is_empty() {
            Kind::Invalid
        } else {
            kind
        };
    }

    /// Advance to the next token, checking that it may follow the current one.
    fn next(&mut self) {
        let prev = self.tok.kind;
        let Some(&c) = self.rest.as_bytes().first() else {
            self.tok.kind = Kind::End;
            return;
        };
        match c {
            b'a'..=b'z' => {
                if prev > Kind::Digit {
                    return self.invalid();
                }
                self.tok.value = &self.rest[..1];
                self.tok.kind = Kind::Letter;
                self.rest = &self.rest[1..];
            }
            b'.' | b'0'..=b'9' => {
                if c == b'.' {
                    if prev > Kind::Digit {
                        return self.invalid();
                    }
                    self.rest = &self.rest[1..];
                }
                match prev {
                    Kind::InitialDigit | Kind::Digit => self.digits(Kind::Digit),
                    Kind::Suffix => self.digits(Kind::SuffixNo),
                    _ => self.invalid(),
                }
            }
            b'_' => {
                if prev > Kind::SuffixNo {
                    return self.invalid();
                }
                let (name, rest) = take_while(&self.rest[1..], |c| c.is_ascii_lowercase());
                self.rest = rest;
                self.tok.value = name;
                self.tok.suffix = suffix_value(name);
                if self.tok.suffix == Suffix::Invalid {
                    return self.invalid();
                }
                self.tok.kind = Kind::Suffix;
            }
            b'~' => {
                if prev >= Kind::CommitHash {
                    return self.invalid();
                }
                let (hash, rest) = take_while(&self.rest[1..], |c| {
                    c.is_ascii_digit() || (b'a'..=b'f').contains(&c)
                });
                if hash.is_empty() {
                    return self.invalid();
                }
                self.rest = rest;
                self.tok.value = hash;
                self.tok.kind = Kind::CommitHash;
            }
            b'-' => {
                if prev >= Kind::RevisionNo {
                    return self.invalid();
                }
                match self.rest.strip_prefix("-r") {
                    Some(rest) => {
                        self.rest = rest;
                        self.digits(Kind::RevisionNo);
                    }
                    None => self.invalid(),
                }
            }
            _ => self.invalid(),
        }
    }
}

/// Compare two tokens of the same kind.
fn token_cmp(a: &Token<'_>, b: &Token<'_>) -> Ordering {
    match a.kind {
        // A later component with a leading zero compares as a string, so that
        // `1.0010 < 1.002` (a decimal fraction, as in Gentoo).
        Kind::Digit if a.value.starts_with('0') || b.value.starts_with('0') => {
            a.value.as_bytes().cmp(b.value.as_bytes())
        }
        // apk stores numbers as u64; comparing the digit strings gives the
        // same answer without its silent wrap-around on 20+ digit numbers.
        Kind::Digit | Kind::InitialDigit | Kind::SuffixNo | Kind::RevisionNo => {
            cmp_digits(a.value, b.value)
        }
        Kind::Letter => a.value.cmp(b.value),
        Kind::Suffix => a.suffix.cmp(&b.suffix),
        _ => a.value.as_bytes().cmp(b.value.as_bytes()),
    }
}

/// apk's comparison; with `fuzzy`, `a` matches when `b` is a prefix of it.
fn compare_fuzzy(a: &str, b: &str, fuzzy: bool) -> Ordering {
    let mut la = Lexer::new(a);
    let mut lb = Lexer::new(b);
    while la.tok.kind == lb.tok.kind && la.tok.kind < Kind::End {
        let r = token_cmp(&la.tok, &lb.tok);
        if r != Ordering::Equal {
            return r;
        }
        la.next();
        lb.next();
    }
    let (ta, tb) = (la.tok, lb.tok);
    if ta.kind == tb.kind || (fuzzy && tb.kind == Kind::End) {
        return Ordering::Equal;
    }
    if ta.kind == Kind::Suffix && ta.suffix < Suffix::None {
        return Ordering::Less;
    }
    if tb.kind == Kind::Suffix && tb.suffix < Suffix::None {
        return Ordering::Greater;
    }
    // The version that ran out first (or broke the grammar first) is newer
    // unless the other one continued with a pre-release suffix, handled above.
    tb.kind.cmp(&ta.kind)
}

/// Compare two apk versions. Never fails: apk orders any pair of strings.
pub fn compare(a: &str, b: &str) -> Ordering {
    compare_fuzzy(a, b, false)
}

/// Whether `s` is a valid apk version (`apk version --check`).
pub fn is_valid(s: &str) -> bool {
    let mut l = Lexer::new(s);
    while l.tok.kind < Kind::End {
        l.next();
    }
    l.tok.kind == Kind::End
}

/// Parse: succeeds only for valid versions, returning the string unchanged.
pub fn parse(s: &str) -> Result<&str, VersionError> {
    if is_valid(s) {
        Ok(s)
    } else {
        Err(VersionError::invalid(
            SCHEME,
            s,
            "does not follow the apk version grammar",
        ))
    }
}

/// Evaluate an apk dependency operator: `<`, `<=`, `=`, `>=`, `>`, and the
/// fuzzy forms `~`, `<~`, `>~` (`~` matches when `b` is a prefix of `a`).
/// A leading `!` negates the result, as in apk's conflict dependencies.
pub fn matches(a: &str, op: &str, b: &str) -> Result<bool, VersionError> {
    let (negate, op) = match op.strip_prefix('!') {
        Some(rest) => (true, rest),
        None => (false, op),
    };
    let (mut less, mut equal, mut greater, mut fuzzy) = (false, false, false, false);
    for c in op.chars() {
        match c {
            '<' => less = true,
            '>' => greater = true,
            '=' => equal = true,
            '~' => {
                fuzzy = true;
                equal = true;
            }
            _ => return Err(VersionError::invalid(SCHEME, op, "unknown operator")),
        }
    }
    if !(less || equal || greater) {
        return Err(VersionError::invalid(SCHEME, op, "empty operator"));
    }
    let ok = match compare_fuzzy(a, b, fuzzy) {
        Ordering::Less => less,
        Ordering::Equal => equal,
        Ordering::Greater => greater,
    };
    Ok(ok != negate)
}

/// apk-tools 2.x (2.14-stable) comparison, kept for the Alpine releases that
/// ship it (up to 3.21) and for advisory data generated with it.
///
/// 2.x tokenizes differently from 3.x: a digit may follow the single letter
/// (`6.6.2p1` reads as `6.6.2`, `p`, `1`), a component with leading zeros
/// becomes a negative count of its zeros followed by the rest of the number,
/// and an unknown suffix or stray character ends the comparison with the
/// "invalid" token, which ranks below everything.
pub mod v2 {
    use std::cmp::Ordering;

    // Token kinds in 2.x order; INVALID ranks lowest.
    const INVALID: i8 = -1;
    const DIGIT_OR_ZERO: i8 = 0;
    const DIGIT: i8 = 1;
    const LETTER: i8 = 2;
    const SUFFIX: i8 = 3;
    const SUFFIX_NO: i8 = 4;
    const REVISION_NO: i8 = 5;
    const END: i8 = 6;

    const PRE: [&str; 4] = ["alpha", "beta", "pre", "rc"];
    const POST: [&str; 5] = ["cvs", "svn", "git", "hg", "p"];

    struct Cursor<'a> {
        b: &'a [u8],
        kind: i8,
    }

    impl Cursor<'_> {
        fn next_token(&mut self) {
            let mut n = INVALID;
            match self.b.first().copied() {
                None | Some(0) => n = END,
                Some(c)
                    if (self.kind == DIGIT || self.kind == DIGIT_OR_ZERO)
                        && c.is_ascii_lowercase() =>
                {
                    n = LETTER
                }
                Some(c) if self.kind == LETTER && c.is_ascii_digit() => n = DIGIT,
                Some(c) if self.kind == SUFFIX && c.is_ascii_digit() => n = SUFFIX_NO,
                Some(c) => {
                    match c {
                        b'.' => n = DIGIT_OR_ZERO,
                        b'_' => n = SUFFIX,
                        // `-r` starts the revision; skip the `-` here and the
                        // `r` below, like apk-tools.
                        b'-' if self.b.get(1) == Some(&b'r') => {
                            n = REVISION_NO;
                            self.b = &self.b[1..];
                        }
                        _ => {}
                    }
                    self.b = &self.b[1..];
                }
            }
            if n < self.kind
                && !((n == DIGIT_OR_ZERO && self.kind == DIGIT)
                    || (n == SUFFIX && self.kind == SUFFIX_NO)
                    || (n == DIGIT && self.kind == LETTER))
            {
                n = INVALID;
            }
            self.kind = n;
        }

        /// Read the value of the current token and advance to the next one.
        fn get_token(&mut self) -> i64 {
            if self.b.is_empty() {
                self.kind = END;
                return 0;
            }
            let mut v: i64 = 0;
            let mut i = 0usize;
            let mut nt = INVALID;
            let digits = |b: &[u8], i: &mut usize, v: &mut i64| {
                while *i < b.len() && b[*i].is_ascii_digit() {
                    *v = v.saturating_mul(10).saturating_add(i64::from(b[*i] - b'0'));
                    *i += 1;
                }
            };
            match self.kind {
                DIGIT_OR_ZERO if self.b[0] == b'0' => {
                    // Count the zeros before the last one; the last zero is
                    // then read as (part of) an ordinary number.
                    while i + 1 < self.b.len() && self.b[i + 1] == b'0' {
                        i += 1;
                    }
                    nt = DIGIT;
                    v = -(i as i64);
                }
                DIGIT_OR_ZERO | DIGIT | SUFFIX_NO | REVISION_NO => digits(self.b, &mut i, &mut v),
                LETTER => {
                    v = i64::from(self.b[0]);
                    i = 1;
                }
                SUFFIX => {
                    if let Some(k) = PRE.iter().position(|p| self.b.starts_with(p.as_bytes())) {
                        i = PRE[k].len();
                        v = k as i64 - PRE.len() as i64;
                    } else if let Some(k) =
                        POST.iter().position(|p| self.b.starts_with(p.as_bytes()))
                    {
                        i = POST[k].len();
                        v = k as i64;
                    } else {
                        self.kind = INVALID;
                        return -1;
                    }
                }
                _ => {
                    self.kind = INVALID;
                    return -1;
                }
            }
            self.b = &self.b[i..];
            if self.b.is_empty() {
                self.kind = END;
            } else if nt != INVALID {
                self.kind = nt;
            } else {
                self.next_token();
            }
            v
        }
    }

    /// Whether apk-tools 2.x accepts `s` (`apk_version_validate`).
    pub fn is_valid(s: &str) -> bool {
        let mut c = Cursor {
            b: s.as_bytes(),
            kind: DIGIT,
        };
        while c.kind != END && c.kind != INVALID {
            c.get_token();
        }
        c.kind == END
    }

    /// Compare two versions the way apk-tools 2.x does.
    pub fn compare(a: &str, b: &str) -> Ordering {
        let mut ca = Cursor {
            b: a.as_bytes(),
            kind: DIGIT,
        };
        let mut cb = Cursor {
            b: b.as_bytes(),
            kind: DIGIT,
        };
        let (mut av, mut bv) = (0i64, 0i64);
        while ca.kind == cb.kind && ca.kind != END && ca.kind != INVALID && av == bv {
            av = ca.get_token();
            bv = cb.get_token();
        }
        if av != bv {
            return av.cmp(&bv);
        }
        if ca.kind == cb.kind {
            return Ordering::Equal;
        }
        // A pre-release suffix on the longer version makes it older.
        if ca.kind == SUFFIX {
            let mut t = Cursor {
                b: ca.b,
                kind: SUFFIX,
            };
            if t.get_token() < 0 {
                return Ordering::Less;
            }
        }
        if cb.kind == SUFFIX {
            let mut t = Cursor {
                b: cb.b,
                kind: SUFFIX,
            };
            if t.get_token() < 0 {
                return Ordering::Greater;
            }
        }
        cb.kind.cmp(&ca.kind)
    }
}

/// The Alpine comparator osv.dev applies to OSV `Alpine` ranges (the Go
/// `semantic` package shared by osv-scanner and osv-scalibr).
///
/// It parses `numbers{.numbers}[letter]{_suffix[n]}[~hash][-r#]` with regular
/// expressions instead of apk's tokenizer, and so agrees with apk-tools on
/// well-formed versions but not on every malformed one: it sides with
/// apk-tools 3 on `1-r-0 < 1-r0` and with apk-tools 2 on `6.6.2p1 < 6.6.2p2`.
/// Two unparsable versions compare as plain strings.
pub mod osv {
    use std::cmp::Ordering;

    use crate::version::num::cmp_digits;

    const SUFFIXES: [&str; 9] = ["alpha", "beta", "pre", "rc", "", "cvs", "svn", "git", "hg"];

    struct Parsed<'a> {
        original: &'a str,
        invalid: bool,
        remainder: &'a str,
        components: Vec<&'a str>,
        letter: &'a str,
        suffixes: Vec<(usize, &'a str)>,
        build: &'a str,
    }

    fn digits_len(s: &str) -> usize {
        s.bytes().take_while(|c| c.is_ascii_digit()).count()
    }

    fn parse(original: &str) -> Parsed<'_> {
        let mut s = original;
        // `^((\d+)\.?)*`, then split on "."
        let mut end = 0;
        loop {
            let n = digits_len(&s[end..]);
            if n == 0 {
                break;
            }
            end += n;
            if s[end..].starts_with('.') {
                end += 1;
            }
        }
        let components: Vec<&str> = if end == 0 {
            Vec::new()
        } else {
            s[..end].split('.').collect()
        };
        s = &s[end..];
        let letter = match s.as_bytes().first() {
            Some(c) if c.is_ascii_lowercase() => &s[..1],
            _ => "",
        };
        s = &s[letter.len()..];
        // Every `_suffix[n]` anywhere counts; only leading ones are consumed.
        let mut suffixes = Vec::new();
        let mut i = 0;
        let mut consumed_to = 0;
        while let Some(off) = s[i..].find('_') {
            let at = i + off;
            let rest = &s[at + 1..];
            let name = ["alpha", "beta", "pre", "rc", "cvs", "svn", "git", "hg", "p"]
                .into_iter()
                .find(|n| rest.starts_with(n));
            match name {
                Some(name) => {
                    let num_start = at + 1 + name.len();
                    let n = digits_len(&s[num_start..]);
                    let weight = SUFFIXES
                        .iter()
                        .position(|x| *x == name)
                        .unwrap_or(SUFFIXES.len());
                    suffixes.push((weight, &s[num_start..num_start + n]));
                    if at == consumed_to {
                        consumed_to = num_start + n;
                    }
                    i = num_start + n;
                }
                None => i = at + 1,
            }
        }
        s = &s[consumed_to..];
        if let Some(rest) = s.strip_prefix('~') {
            let n = rest
                .bytes()
                .take_while(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c))
                .count();
            if n > 0 {
                s = &rest[n..];
            }
        }
        let mut build = "0";
        let mut invalid = false;
        if !s.is_empty() {
            match s.strip_prefix("-r") {
                Some(rest) => {
                    let n = digits_len(rest);
                    build = if n == 0 { "0" } else { &rest[..n] };
                    s = &rest[n..];
                }
                None => invalid = true,
            }
        }
        Parsed {
            original,
            invalid,
            remainder: s,
            components,
            letter,
            suffixes,
            build,
        }
    }

    /// Compare two versions as osv.dev's Alpine comparator does.
    pub fn compare(a: &str, b: &str) -> Ordering {
        let (v, w) = (parse(a), parse(b));
        if v.invalid && w.invalid {
            return v.original.cmp(w.original);
        }
        for i in 0..v.components.len().max(w.components.len()) {
            // A missing component is "0" at index 0, exempt from the
            // leading-zero rule.
            let (x, xi) = v.components.get(i).map_or(("0", 0), |c| (*c, i));
            let (y, yi) = w.components.get(i).map_or(("0", 0), |c| (*c, i));
            let o = if xi != 0 && yi != 0 && (x.starts_with('0') || y.starts_with('0')) {
                x.cmp(y)
            } else {
                cmp_digits(x, y)
            };
            if o != Ordering::Equal {
                return o;
            }
        }
        let o = match (v.letter.is_empty(), w.letter.is_empty()) {
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            _ => v.letter.cmp(w.letter),
        };
        if o != Ordering::Equal {
            return o;
        }
        // A missing suffix weighs 5 in osv.dev's table (one above "none").
        for i in 0..v.suffixes.len().max(w.suffixes.len()) {
            let (xw, xn) = v.suffixes.get(i).copied().unwrap_or((5, "0"));
            let (yw, yn) = w.suffixes.get(i).copied().unwrap_or((5, "0"));
            let o = xw.cmp(&yw).then_with(|| cmp_digits(xn, yn));
            if o != Ordering::Equal {
                return o;
            }
        }
        let o = cmp_digits(v.build, w.build);
        if o != Ordering::Equal {
            return o;
        }
        match (v.remainder.is_empty(), w.remainder.is_empty()) {
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            _ => Ordering::Equal,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffix_order() {
        assert_eq!(compare("1.0_rc1", "1.0"), Ordering::Less);
        assert_eq!(compare("1.0_p1", "1.0"), Ordering::Greater);
        assert_eq!(compare("1.0-r1", "1.0"), Ordering::Greater);
    }

    #[test]
    fn v2_grammar_accepts_letter_then_digit() {
        assert!(v2::is_valid("5.7.1p1-r0"));
        assert!(!is_valid("5.7.1p1-r0"));
        assert!(!v2::is_valid("1.0-x"));
    }

    #[test]
    fn fuzzy_prefix() {
        assert_eq!(matches("3.6.9", "~", "3.6").ok(), Some(true));
        assert_eq!(matches("3.7", "~", "3.6").ok(), Some(false));
        assert_eq!(matches("3.7", "!~", "3.6").ok(), Some(true));
    }
}
