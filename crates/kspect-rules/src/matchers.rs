//! String matchers compiled once: glob patterns (`fnmatch` without `FNM_PATHNAME`) and
//! path-prefix tables for `pmatch`.
//!
//! Written here because the semantics are fnmatch's, not those of shell-path globbing
//! crates: `*` crosses `/`, and `pmatch` compares whole path components.

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
#[derive(Debug, Clone, Default)]
pub struct PrefixTable {
    literal: std::collections::HashSet<Vec<Vec<u8>>>,
    globbed: Vec<Vec<Glob>>,
    max_literal_len: usize,
}

fn components(p: &[u8]) -> Vec<Vec<u8>> {
    p.split(|b| *b == b'/')
        .filter(|c| !c.is_empty())
        .map(<[u8]>::to_vec)
        .collect()
}

impl PrefixTable {
    /// Builds the table from the list items.
    pub fn new<'a>(items: impl IntoIterator<Item = &'a [u8]>) -> Self {
        let mut t = PrefixTable::default();
        for it in items {
            let comps = components(it);
            let globs: Vec<Glob> = comps.iter().map(|c| Glob::new(c, false)).collect();
            if globs.iter().all(Glob::is_literal) {
                t.max_literal_len = t.max_literal_len.max(comps.len());
                t.literal.insert(comps);
            } else {
                t.globbed.push(globs);
            }
        }
        t
    }

    /// Whether `path` is under one of the prefixes.
    pub fn matches(&self, path: &[u8]) -> bool {
        let comps = components(path);
        for n in 0..=comps.len().min(self.max_literal_len) {
            if self.literal.contains(&comps[..n]) {
                return true;
            }
        }
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
