//! kube-bench's test semantics: how a test item finds a value in audit output and how
//! `compare` decides.
//!
//! kspect evaluates every check twice: once with these text semantics over the output
//! kube-bench's audit would have printed (to know and report what kube-bench says), and
//! once over exactly parsed facts with the components' defaults (kspect's verdict).

use crate::checks::{BinOp, Item, Op};

/// Finds `flag` in `output` as kube-bench does: a substring test, then the value after
/// `=` or `: ` on the first occurrence. A `--flag` without a value reads as `true`; any
/// other flag without a value reads as the flag text itself.
pub fn find_value(output: &str, flag: &str) -> Option<String> {
    if output.is_empty() || flag.is_empty() {
        return None;
    }
    let at = output.find(flag)?;
    let mut rest = &output[at + flag.len()..];
    // `(=|: *)*`: any run of `=` and `:` followed by spaces.
    loop {
        if let Some(r) = rest.strip_prefix('=') {
            rest = r;
        } else if let Some(r) = rest.strip_prefix(':') {
            rest = r.trim_start_matches(' ');
        } else {
            break;
        }
    }
    let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
    let value = &rest[..end];
    if !value.is_empty() {
        Some(value.to_string())
    } else if flag.starts_with("--") {
        Some("true".to_string())
    } else {
        Some(flag.to_string())
    }
}

/// kube-bench's `compareOp`.
pub fn compare(op: Op, actual: &str, expected: &str) -> bool {
    match op {
        Op::Eq => {
            if is_bool(actual) {
                actual.eq_ignore_ascii_case(expected)
            } else {
                actual == expected
            }
        }
        Op::NotEq => {
            if is_bool(actual) {
                !actual.eq_ignore_ascii_case(expected)
            } else {
                actual != expected
            }
        }
        Op::Gte => match (actual.parse::<i64>(), expected.parse::<i64>()) {
            (Ok(a), Ok(e)) => a >= e,
            _ => false,
        },
        Op::Has => actual.contains(expected),
        Op::NotHave => !actual.contains(expected),
        Op::ValidElements => valid_elements(actual, expected),
        Op::Bitmask => match (
            u32::from_str_radix(actual, 8),
            u32::from_str_radix(expected, 8),
        ) {
            (Ok(a), Ok(e)) => a & e == a,
            _ => false,
        },
    }
}

fn is_bool(s: &str) -> bool {
    s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false")
}

/// Every comma-separated element of `actual` is in `allowed`; both empty pass, one
/// empty fails. A trailing comma (from a JSONPath `range`) is dropped first.
pub fn valid_elements(actual: &str, allowed: &str) -> bool {
    let split = |s: &str| -> Vec<String> {
        let s = s.strip_suffix(',').unwrap_or(s);
        if s.is_empty() {
            Vec::new()
        } else {
            s.split(',').map(|e| e.trim().to_string()).collect()
        }
    };
    let a = split(actual);
    let e = split(allowed);
    match (a.is_empty(), e.is_empty()) {
        (true, true) => true,
        (true, false) | (false, true) => false,
        _ => a.iter().all(|x| e.contains(x)),
    }
}

/// The verdict of one item given the value found (or not).
pub fn item_passes(item: &Item, found: Option<&str>) -> bool {
    match (item.set, found) {
        (false, found) => found.is_none(),
        (true, None) => false,
        (true, Some(v)) => match item.compare {
            Some((op, expected)) => compare(op, v, expected),
            None => true,
        },
    }
}

/// Combines item verdicts.
pub fn combine(bin_op: BinOp, verdicts: &[bool]) -> bool {
    match bin_op {
        BinOp::And => !verdicts.is_empty() && verdicts.iter().all(|v| *v),
        BinOp::Or => verdicts.iter().any(|v| *v),
    }
}

/// kube-bench's `expected_result` text for a set of items.
pub fn expected_text(bin_op: BinOp, items: &[Item]) -> String {
    let parts: Vec<String> = items
        .iter()
        .map(|i| match (i.set, i.compare) {
            (false, _) => format!("'{}' is not present", i.flag),
            (true, None) => format!("'{}' is present", i.flag),
            (true, Some((op, v))) => match op {
                Op::Eq => format!("'{}' is equal to '{v}'", i.flag),
                Op::NotEq => format!("'{}' is not equal to '{v}'", i.flag),
                Op::Gte => format!("'{}' is greater or equal to {v}", i.flag),
                Op::Has => format!("'{}' has '{v}'", i.flag),
                Op::NotHave => format!("'{}' does not have '{v}'", i.flag),
                Op::ValidElements => format!("'{}' contains valid elements from '{v}'", i.flag),
                Op::Bitmask => format!("bitmask '{v}'"),
            },
        })
        .collect();
    let joiner = match bin_op {
        BinOp::And => " AND ",
        BinOp::Or => " OR ",
    };
    parts.join(joiner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn values_found_as_kube_bench_finds_them() {
        assert_eq!(
            find_value("kube-apiserver --profiling=false --x", "--profiling").as_deref(),
            Some("false")
        );
        assert_eq!(
            find_value("kubelet --rotate-certificates --x", "--rotate-certificates").as_deref(),
            Some("true")
        );
        // The space form reads as a bare flag.
        assert_eq!(
            find_value("a --audit-log-maxage 30", "--audit-log-maxage").as_deref(),
            Some("true")
        );
        assert_eq!(
            find_value("permissions=644", "permissions").as_deref(),
            Some("644")
        );
        assert_eq!(
            find_value("root:root", "root:root").as_deref(),
            Some("root:root")
        );
        assert_eq!(
            find_value("readOnlyPort: 0", "readOnlyPort").as_deref(),
            Some("0")
        );
        // The leading `--` keeps `--client-ca-file` from matching inside
        // `--requestheader-client-ca-file` (one dash before `client` there) ...
        assert_eq!(
            find_value("x --requestheader-client-ca-file=/a", "--client-ca-file"),
            None
        );
        // ... but a bare name matches anywhere, first occurrence wins.
        assert_eq!(
            find_value(
                "k --feature-gates=A=true,RotateKubeletServerCertificate=false",
                "RotateKubeletServerCertificate"
            )
            .as_deref(),
            Some("false")
        );
        assert_eq!(find_value("", "--x"), None);
    }

    #[test]
    fn comparisons() {
        assert!(compare(Op::Bitmask, "600", "600"));
        assert!(compare(Op::Bitmask, "400", "600"));
        assert!(!compare(Op::Bitmask, "640", "600"));
        assert!(!compare(Op::Bitmask, "1600", "600"));
        assert!(compare(Op::Eq, "FALSE", "false"));
        assert!(!compare(Op::Eq, "127.0.0.1:0", "127.0.0.1"));
        assert!(compare(Op::NotEq, "0s", "0"));
        assert!(!compare(Op::Gte, "true", "30"));
        assert!(compare(Op::Gte, "30", "30"));
        assert!(compare(Op::ValidElements, "a,b,", "a,b,c"));
        assert!(!compare(Op::ValidElements, "a,d", "a,b,c"));
        assert!(!compare(Op::ValidElements, "", "a"));
    }

    proptest! {
        #[test]
        fn bitmask_agrees_with_set_inclusion(actual in 0u32..0o7777, allowed in 0u32..0o777) {
            let r = compare(Op::Bitmask, &format!("{actual:o}"), &format!("{allowed:o}"));
            prop_assert_eq!(r, actual & !allowed == 0);
        }

        #[test]
        fn find_value_never_panics(out in "\\PC{0,80}", flag in "[-a-z:=]{0,10}") {
            let _ = find_value(&out, &flag);
        }
    }
}
