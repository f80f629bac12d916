//! Helpers shared by the schemes: arbitrary-length decimal comparison.

use std::cmp::Ordering;

/// Compare two runs of ASCII digits as unbounded non-negative integers.
///
/// Several ecosystems carry numbers far beyond 64 bits (advisory data has
/// 30-digit components), so numbers are never converted to machine integers:
/// leading zeros are dropped, then the longer run is larger, then the digits
/// decide.
pub fn cmp_digits(a: &str, b: &str) -> Ordering {
    let a = a.trim_start_matches('0');
    let b = b.trim_start_matches('0');
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// True when `s` is a non-empty run of ASCII digits.
pub fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_compare_as_numbers() {
        assert_eq!(cmp_digits("010", "9"), Ordering::Greater);
        assert_eq!(cmp_digits("000", ""), Ordering::Equal);
        assert_eq!(
            cmp_digits(
                "999999999999999999999999999991",
                "999999999999999999999999999999"
            ),
            Ordering::Less
        );
    }
}
