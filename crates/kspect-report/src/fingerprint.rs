//! Stable finding fingerprints, for SARIF `partialFingerprints`.
//!
//! GitHub code scanning matches an alert across runs by its fingerprint; it must not
//! change when unrelated lines move or the file is renamed, and must change when the
//! finding is about something else. So it hashes the rule, the object's identity and
//! the JSON pointer of the field, never the line number or the file.
//!
//! FNV-1a is written out here (a dozen lines) because the value must stay the same in
//! every kspect version forever: `std`'s hashers promise no such thing, and a
//! cryptographic hash is not needed to tell findings apart.

use kspect_core::Finding;

/// The `partialFingerprints` key; the suffix is bumped if the recipe ever changes.
pub(crate) const KEY: &str = "kspectFingerprint/v1";

const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const PRIME: u64 = 0x0000_0100_0000_01b3;

/// 64-bit FNV-1a of the parts, each followed by a 0xff byte (which never occurs in
/// UTF-8), so that `("ab", "c")` and `("a", "bc")` differ.
fn fnv1a(parts: &[&str]) -> u64 {
    parts
        .iter()
        .fold(OFFSET, |h, part| step(step(h, part.as_bytes()), &[0xff]))
}

/// Feeds `bytes` into the FNV-1a state `h`.
fn step(mut h: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(PRIME);
    }
    h
}

/// The fingerprint of a finding, as 16 hex digits.
///
/// With an object: rule, kind, namespace, name and pointer (not the apiVersion, which
/// changes when a manifest moves to a newer API version of the same object).
/// Without one (a finding about a file or the configuration): rule, file, pointer and
/// message, the best identity such a finding has.
pub(crate) fn fingerprint(f: &Finding) -> String {
    let pointer = f.location.as_ref().map_or("", |l| l.pointer.as_str());
    let h = match &f.object {
        Some(o) => fnv1a(&[
            &f.rule,
            &o.kind,
            o.namespace.as_deref().unwrap_or(""),
            &o.name,
            pointer,
        ]),
        None => fnv1a(&[
            &f.rule,
            f.location.as_ref().map_or("", |l| &*l.file),
            pointer,
            &f.message,
        ]),
    };
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_the_published_test_vectors() {
        // From the FNV reference test suite (draft-eastlake-fnv): "" and "a" with 64-bit FNV-1a.
        let raw = |s: &[u8]| step(OFFSET, s);
        assert_eq!(raw(b""), 0xcbf29ce484222325);
        assert_eq!(raw(b"a"), 0xaf63dc4c8601ec8c);
        assert_eq!(raw(b"foobar"), 0x85944171f73967e8);
    }

    #[test]
    fn parts_are_delimited() {
        assert_ne!(fnv1a(&["ab", "c"]), fnv1a(&["a", "bc"]));
    }
}
