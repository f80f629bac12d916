//! Linux errno names and values, for `evt.res` (name) and `evt.rawres` (negative value).

const TABLE: &[(&str, i64)] = &[
    ("EPERM", 1),
    ("ENOENT", 2),
    ("ESRCH", 3),
    ("EINTR", 4),
    ("EIO", 5),
    ("ENXIO", 6),
    ("E2BIG", 7),
    ("ENOEXEC", 8),
    ("EBADF", 9),
    ("ECHILD", 10),
    ("EAGAIN", 11),
    ("ENOMEM", 12),
    ("EACCES", 13),
    ("EFAULT", 14),
    ("EBUSY", 16),
    ("EEXIST", 17),
    ("EXDEV", 18),
    ("ENODEV", 19),
    ("ENOTDIR", 20),
    ("EISDIR", 21),
    ("EINVAL", 22),
    ("ENFILE", 23),
    ("EMFILE", 24),
    ("ENOTTY", 25),
    ("ETXTBSY", 26),
    ("EFBIG", 27),
    ("ENOSPC", 28),
    ("ESPIPE", 29),
    ("EROFS", 30),
    ("EMLINK", 31),
    ("EPIPE", 32),
    ("ERANGE", 34),
    ("ENAMETOOLONG", 36),
    ("ENOSYS", 38),
    ("ENOTEMPTY", 39),
    ("ELOOP", 40),
    ("ENOTSOCK", 88),
    ("EPROTONOSUPPORT", 93),
    ("EOPNOTSUPP", 95),
    ("EAFNOSUPPORT", 97),
    ("EADDRINUSE", 98),
    ("EADDRNOTAVAIL", 99),
    ("ENETUNREACH", 101),
    ("ECONNRESET", 104),
    ("EISCONN", 106),
    ("ENOTCONN", 107),
    ("ETIMEDOUT", 110),
    ("ECONNREFUSED", 111),
    ("EHOSTUNREACH", 113),
    ("EALREADY", 114),
    ("EINPROGRESS", 115),
];

/// The raw value of a result name: `SUCCESS` is 0, an errno name its negative value.
pub fn value(name: &str) -> Option<i64> {
    if name == "SUCCESS" {
        return Some(0);
    }
    TABLE.iter().find(|(n, _)| *n == name).map(|(_, v)| -v)
}

/// The text libsinsp prints for a raw result: `SUCCESS` when not negative, otherwise
/// the errno name (or the number when unknown). Known names are borrowed, so rules
/// testing `evt.res` allocate nothing.
pub fn name(raw: i64) -> std::borrow::Cow<'static, str> {
    if raw >= 0 {
        return std::borrow::Cow::Borrowed("SUCCESS");
    }
    TABLE.iter().find(|(_, v)| *v == -raw).map_or_else(
        || std::borrow::Cow::Owned(raw.to_string()),
        |(n, _)| std::borrow::Cow::Borrowed(*n),
    )
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn names_round_trip(raw in -120i64..5) {
            let n = super::name(raw);
            if let Some(v) = super::value(&n) {
                prop_assert_eq!(v, raw.min(0));
            }
        }
    }
}
