//! String matchers compiled once: glob patterns (`fnmatch` without `FNM_PATHNAME`) and
//! path-prefix tables for `pmatch`.
//!
//! Written here because the semantics are fnmatch's, not those of shell-path globbing
//! crates: `*` crosses `/`, and `pmatch` compares whole path components.

use std::collections::HashSet;

/// One element of a compiled glob.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Lit(u8),
    Any,
    Star,
    Class { negate: bool, ranges: Vec<(u8, u8)> },
}

/// A compiled glob pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glob {
    toks: Vec<Tok>,
    fold: bool,
}

impl Glob {
    /// Compiles `pattern`; `fold` makes it ASCII case-insensitive (`iglob`).
    pub fn new(pattern: &[u8], fold: bool) -> Glob {
        let f = |b: u8| if fold { b.to_ascii_lowercase() } else { b };
        let mut toks = Vec::new();
        let mut i = 0;
        while i < pattern.len() {
            let c = pattern[i];
            match c {
                b'*' => {
                    if toks.last() != Some(&Tok::Star) {
                        toks.push(Tok::Star);
                    }
                    i += 1;
                }
                b'?' => {
                    toks.push(Tok::Any);
                    i += 1;
                }
                b'\\' if i + 1 < pattern.len() => {
                    toks.push(Tok::Lit(f(pattern[i + 1])));
                    i += 2;
                }
                b'[' => match parse_class(&pattern[i..], fold) {
                    Some((tok, used)) => {
                        toks.push(tok);
                        i += used;
                    }
                    None => {
                        toks.push(Tok::Lit(b'['));
                        i += 1;
                    }
                },
                _ => {
                    toks.push(Tok::Lit(f(c)));
                    i += 1;
                }
            }
        }
        Glob { toks, fold }
    }

    /// Whether the whole `s` matches.
    pub fn matches(&self, s: &[u8]) -> bool {
        let (mut ti, mut si) = (0usize, 0usize);
        let mut back: Option<(usize, usize)> = None;
        while si < s.len() {
            let c = if self.fold {
                s[si].to_ascii_lowercase()
            } else {
                s[si]
            };
            let step = match self.toks.get(ti) {
                Some(Tok::Star) => {
                    back = Some((ti, si));
                    ti += 1;
                    continue;
                }
                Some(Tok::Any) => true,
                Some(Tok::Lit(l)) => *l == c,
                Some(Tok::Class { negate, ranges }) => {
                    ranges.iter().any(|(a, b)| *a <= c && c <= *b) != *negate
                }
                None => false,
            };
            if step {
                ti += 1;
                si += 1;
            } else if let Some((bt, bs)) = back {
                ti = bt + 1;
                si = bs + 1;
                back = Some((bt, bs + 1));
            } else {
                return false;
            }
        }
        self.toks[ti..].iter().all(|t| *t == Tok::Star)
    }

    /// Whether the pattern has no wildcard at all.
    pub fn is_literal(&self) -> bool {
        self.toks.iter().all(|t| matches!(t, Tok::Lit(_)))
    }
}

fn parse_class(p: &[u8], fold: bool) -> Option<(Tok, usize)> {
    let mut i = 1;
    let mut negate = false;
    if i < p.len() && (p[i] == b'!' || p[i] == b'^') {
        negate = true;
        i += 1;
    }
    let mut ranges: Vec<(u8, u8)> = Vec::new();
    let mut first = true;
    while i < p.len() {
        let c = p[i];
        if c == b']' && !first {
            if fold {
                let mut extra = Vec::new();
                for (a, b) in &ranges {
                    for x in *a..=*b {
                        if x.is_ascii_alphabetic() {
                            extra.push((x.to_ascii_lowercase(), x.to_ascii_lowercase()));
                        }
                    }
                }
                ranges.extend(extra);
            }
            return Some((Tok::Class { negate, ranges }, i + 1));
        }
        first = false;
        if i + 2 < p.len() && p[i + 1] == b'-' && p[i + 2] != b']' {
            ranges.push((c, p[i + 2]));
            i += 3;
        } else {
            ranges.push((c, c));
            i += 1;
        }
    }
    None
}

/// Path prefixes for `pmatch`: a value matches when the components of one pattern are
/// a prefix of its components (empty components ignored, each may be a glob).
///
/// Literal prefixes are stored as their components joined by `/` (`/usr/local/` is
/// `usr/local`), so a path is tested by looking up its own normalized form cut at
/// each component boundary; for the usual path (one leading slash, no empty
/// components) that form is the path itself without the slash, and nothing is
/// allocated.
#[derive(Debug, Clone, Default)]
pub struct PrefixTable {
    literal: HashSet<Box<[u8]>, foldhash::fast::FixedState>,
    globbed: Vec<Vec<Glob>>,
    max_literal_len: usize,
}

fn components(p: &[u8]) -> impl Iterator<Item = &[u8]> {
    p.split(|b| *b == b'/').filter(|c| !c.is_empty())
}

/// `p`'s components joined by single slashes, borrowed when `p` is already so.
fn normalized(p: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    let body = p.strip_prefix(b"/").unwrap_or(p);
    let clean = !body.is_empty()
        && body[0] != b'/'
        && body[body.len() - 1] != b'/'
        && !body.windows(2).any(|w| w == b"//");
    if clean {
        return std::borrow::Cow::Borrowed(body);
    }
    let mut out = Vec::with_capacity(body.len());
    for c in components(p) {
        if !out.is_empty() {
            out.push(b'/');
        }
        out.extend_from_slice(c);
    }
    std::borrow::Cow::Owned(out)
}

impl PrefixTable {
    /// Builds the table from the list items.
    pub fn new<'a>(items: impl IntoIterator<Item = &'a [u8]>) -> Self {
        let mut t = PrefixTable::default();
        for it in items {
            let globs: Vec<Glob> = components(it).map(|c| Glob::new(c, false)).collect();
            if globs.iter().all(Glob::is_literal) {
                t.max_literal_len = t.max_literal_len.max(globs.len());
                t.literal
                    .insert(normalized(it).into_owned().into_boxed_slice());
            } else {
                t.globbed.push(globs);
            }
        }
        t
    }

    /// Whether `path` is under one of the prefixes.
    pub fn matches(&self, path: &[u8]) -> bool {
        let norm = normalized(path);
        let norm = &norm[..];
        // The empty prefix (a pattern of slashes only) matches every path.
        if self.literal.contains(&[][..]) {
            return true;
        }
        let mut taken = 0;
        for (i, b) in norm.iter().enumerate() {
            if *b == b'/' {
                taken += 1;
                if taken > self.max_literal_len {
                    break;
                }
                if self.literal.contains(&norm[..i]) {
                    return true;
                }
            }
        }
        if !norm.is_empty() && taken < self.max_literal_len && self.literal.contains(norm) {
            return true;
        }
        if self.globbed.is_empty() {
            return false;
        }
        let comps: Vec<&[u8]> = components(path).collect();
        self.globbed
            .iter()
            .any(|g| g.len() <= comps.len() && g.iter().zip(&comps).all(|(p, c)| p.matches(c)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_crosses_slashes() {
        assert!(Glob::new(b"/tmp/*.sh", false).matches(b"/tmp/a/b.sh"));
        assert!(Glob::new(b"a?c", false).matches(b"abc"));
        assert!(Glob::new(b"[a-c]x", false).matches(b"bx"));
        assert!(!Glob::new(b"[!a-c]x", false).matches(b"bx"));
        assert!(Glob::new(b"ABC*", true).matches(b"abcdef"));
        assert!(!Glob::new(b"abc", false).matches(b"abcd"));
    }

    proptest::proptest! {
        /// The table agrees with comparing component lists directly, for paths and
        /// prefixes with doubled, leading and trailing slashes.
        #[test]
        fn pmatch_agrees_with_component_prefixes(
            prefixes in proptest::collection::vec("/?([ab]{1,2}/{1,2}){0,3}[ab]{0,2}/?", 1..5),
            path in "/{0,2}([ab]{1,2}/{1,2}){0,4}[ab]{0,2}/?",
        ) {
            let comps = |p: &str| -> Vec<String> {
                p.split('/').filter(|c| !c.is_empty()).map(str::to_string).collect()
            };
            let path_c = comps(&path);
            let want = prefixes.iter().any(|p| {
                let pc = comps(p);
                pc.len() <= path_c.len() && pc[..] == path_c[..pc.len()]
            });
            let t = PrefixTable::new(prefixes.iter().map(|p| p.as_bytes()));
            proptest::prop_assert_eq!(t.matches(path.as_bytes()), want, "{:?} {:?}", prefixes, path);
        }
    }

    #[test]
    fn pmatch_by_component() {
        let t = PrefixTable::new([
            b"/var/run".as_slice(),
            b"/usr/local/".as_slice(),
            b"/opt/*/sub".as_slice(),
        ]);
        assert!(t.matches(b"/var/run/docker"));
        assert!(!t.matches(b"/var"));
        assert!(!t.matches(b"/usr"));
        assert!(t.matches(b"/opt/x/sub/file"));
        assert!(!t.matches(b"/var/running"));
    }
}
