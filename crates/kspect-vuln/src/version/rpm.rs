//! RPM version ordering (`rpmvercmp`) and full `[epoch:]version[-release]`
//! comparison as `rpm.labelCompare` does it.
//!
//! Written by hand: rpmvercmp is a short, fully specified algorithm and the
//! available crates either allocate per segment or disagree on `^` handling.

use std::cmp::Ordering;

/// rpm's segment comparison of a single version or release string.
///
/// Only ASCII alphanumeric runs count; every other byte is a separator, except
/// `~` (sorts before everything, even the end) and `^` (sorts after the end
/// but before any further segment). A numeric run beats an alphabetic one.
pub fn rpmvercmp(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0usize, 0usize);
    let sep = |c: u8| !c.is_ascii_alphanumeric() && c != b'~' && c != b'^';
    loop {
        while i < a.len() && sep(a[i]) {
            i += 1;
        }
        while j < b.len() && sep(b[j]) {
            j += 1;
        }
        let (ca, cb) = (a.get(i).copied(), b.get(j).copied());
        if ca.is_none() && cb.is_none() {
            return Ordering::Equal;
        }
        if ca == Some(b'~') || cb == Some(b'~') {
            if ca != Some(b'~') {
                return Ordering::Greater;
            }
            if cb != Some(b'~') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        if ca == Some(b'^') || cb == Some(b'^') {
            if ca.is_none() {
                return Ordering::Less;
            }
            if cb.is_none() {
                return Ordering::Greater;
            }
            if ca != Some(b'^') {
                return Ordering::Greater;
            }
            if cb != Some(b'^') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        let (Some(ca), Some(_)) = (ca, cb) else {
            // One side ran out: whichever still has characters wins.
            return if ca.is_none() {
                Ordering::Less
            } else {
                Ordering::Greater
            };
        };
        let numeric = ca.is_ascii_digit();
        let class = |c: &u8| {
            if numeric {
                c.is_ascii_digit()
            } else {
                c.is_ascii_alphabetic()
            }
        };
        let ea = i + a[i..].iter().take_while(|c| class(c)).count();
        let eb = j + b[j..].iter().take_while(|c| class(c)).count();
        if eb == j {
            // Segments of different types: numeric is newer than alphabetic.
            return if numeric {
                Ordering::Greater
            } else {
                Ordering::Less
            };
        }
        let (sa, sb) = (&a[i..ea], &b[j..eb]);
        let r = if numeric {
            let za = sa.iter().take_while(|&&c| c == b'0').count();
            let zb = sb.iter().take_while(|&&c| c == b'0').count();
            let (sa, sb) = (&sa[za..], &sb[zb..]);
            sa.len().cmp(&sb.len()).then_with(|| sa.cmp(sb))
        } else {
            sa.cmp(sb)
        };
        if r != Ordering::Equal {
            return r;
        }
        i = ea;
        j = eb;
    }
}

/// An RPM label: epoch, version and release, each optional.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evr<'a> {
    /// Epoch text; `None` orders as `0`.
    pub epoch: Option<&'a str>,
    /// Version text.
    pub version: &'a str,
    /// Release text; `None` (no hyphen) orders below any release, even an
    /// empty one.
    pub release: Option<&'a str>,
}

/// Split `[epoch:]version[-release]`: the epoch ends at the first colon and
/// the release starts after the last hyphen.
pub fn parse_evr(s: &str) -> Evr<'_> {
    let (epoch, rest) = match s.split_once(':') {
        Some((e, rest)) => (Some(e), rest),
        None => (None, s),
    };
    let (version, release) = match rest.rsplit_once('-') {
        Some((v, r)) => (v, Some(r)),
        None => (rest, None),
    };
    Evr {
        epoch,
        version,
        release,
    }
}

/// Compare two full RPM labels: epoch, version, then release (absent < present).
pub fn compare(a: &str, b: &str) -> Ordering {
    let (a, b) = (parse_evr(a), parse_evr(b));
    rpmvercmp(a.epoch.unwrap_or("0"), b.epoch.unwrap_or("0"))
        .then_with(|| rpmvercmp(a.version, b.version))
        .then_with(|| match (a.release, b.release) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (Some(ra), Some(rb)) => rpmvercmp(ra, rb),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caret_and_tilde() {
        assert_eq!(rpmvercmp("1.0^git1", "1.01"), Ordering::Less);
        assert_eq!(rpmvercmp("1.0~rc1", "1.0"), Ordering::Less);
        assert_eq!(compare("1:1.0", "2.0"), Ordering::Greater);
    }
}
