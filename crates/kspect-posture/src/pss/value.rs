//! Reading pod fields out of untyped JSON the way the library's Go types would see them.
//!
//! The library works on decoded `corev1.PodSpec` structs; we work on
//! `serde_json::Value`s straight from YAML, which may hold types the Go decoder
//! would have rejected. The rules below keep every check total (no panics) and
//! never let a mistyped value pass for an allowed one:
//!
//! * `null` is the same as absent (Go decodes `null` into a nil pointer or a zero value).
//! * A value that should be an object but is some other non-null value counts as a
//!   present object with no fields ([`field`] finds nothing in it). So
//!   `securityContext: "x"` is a securityContext that sets nothing, and
//!   `seccompProfile: "x"` is a profile with an empty (invalid) type.
//! * Booleans: only JSON `true` is true and only JSON `false` is false; anything
//!   else is treated as unset. A quoted `"true"` therefore never enables
//!   `privileged`, and a quoted `"false"` never satisfies
//!   `allowPrivilegeEscalation=false` or explicitly sets `runAsNonRoot=false`.
//! * Strings: a non-string scalar never equals an allowed string, and is never
//!   empty, so it fails allowlists and "must be empty" rules alike.
//! * Integers: a JSON number, or a string holding a decimal integer (a common
//!   quoting slip), is read as that number; any other value is "some non-zero
//!   value". Hence `runAsUser: "0"` is root and `hostPort: "8080"` is a host port.
//! * Lists: a non-list value stands for a one-element list holding it, so
//!   `add: SYS_ADMIN` is still seen as adding SYS_ADMIN.

use serde_json::Value;
use std::borrow::Cow;

/// The non-null member `key` of `v`, or `None` when `v` is not an object,
/// has no such member, or the member is `null`.
pub(crate) fn field<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    match v.as_object()?.get(key)? {
        Value::Null => None,
        found => Some(found),
    }
}

/// [`field`] through several keys.
pub(crate) fn path<'a>(v: &'a Value, keys: &[&str]) -> Option<&'a Value> {
    keys.iter().try_fold(v, |cur, key| field(cur, key))
}

/// True only for JSON `true`.
pub(crate) fn is_true(v: Option<&Value>) -> bool {
    matches!(v, Some(Value::Bool(true)))
}

/// True only for JSON `false`.
pub(crate) fn is_false(v: Option<&Value>) -> bool {
    matches!(v, Some(Value::Bool(false)))
}

/// A string-typed field as Go would hold it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Text<'a> {
    /// Absent or null: Go's empty string.
    Unset,
    /// A JSON string (possibly empty).
    Str(&'a str),
    /// Any other JSON value: matches no allowed string and is not empty.
    Other(&'a Value),
}

impl<'a> Text<'a> {
    /// Reads an optional value.
    pub(crate) fn of(v: Option<&'a Value>) -> Text<'a> {
        match v {
            None | Some(Value::Null) => Text::Unset,
            Some(Value::String(s)) => Text::Str(s),
            Some(other) => Text::Other(other),
        }
    }

    /// The Go string value, or `None` for a mistyped value.
    pub(crate) fn as_str(self) -> Option<&'a str> {
        match self {
            Text::Unset => Some(""),
            Text::Str(s) => Some(s),
            Text::Other(_) => None,
        }
    }

    /// Empty as Go sees it: absent, null or `""`.
    pub(crate) fn is_empty(self) -> bool {
        self.as_str() == Some("")
    }

    /// True when the Go string equals one of `allowed`.
    pub(crate) fn is_one_of(self, allowed: &[&str]) -> bool {
        self.as_str().is_some_and(|s| allowed.contains(&s))
    }

    /// The value quoted for a message: `"Unconfined"`, `""`, or raw JSON for mistyped values.
    pub(crate) fn quoted(self) -> String {
        match self {
            Text::Unset => "\"\"".to_owned(),
            Text::Str(s) => quote(s),
            Text::Other(v) => v.to_string(),
        }
    }
}

/// An integer-typed field as read under the module's lenient rules.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Int<'a> {
    /// Absent or null.
    Unset,
    /// Exactly zero.
    Zero,
    /// Anything else (a non-zero number, a non-numeric string, a list...).
    NonZero(&'a Value),
}

impl<'a> Int<'a> {
    /// Reads an optional value.
    pub(crate) fn of(v: Option<&'a Value>) -> Int<'a> {
        let zero = match v {
            None | Some(Value::Null) => return Int::Unset,
            Some(Value::Number(n)) => n.as_f64() == Some(0.0),
            Some(Value::String(s)) => s.trim().parse::<i64>() == Ok(0),
            Some(_) => false,
        };
        match v {
            Some(value) if !zero => Int::NonZero(value),
            _ => Int::Zero,
        }
    }
}

/// The elements of a list-typed field with their JSON pointers.
///
/// `pointer` is where `v` itself lives. A non-list value is a one-element list
/// (its pointer is the field's own); absent or null is empty.
pub(crate) fn items<'a>(v: Option<&'a Value>, pointer: &str) -> Vec<(String, &'a Value)> {
    match v {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(list)) => list
            .iter()
            .enumerate()
            .map(|(i, item)| (format!("{pointer}/{i}"), item))
            .collect(),
        Some(other) => vec![(pointer.to_owned(), other)],
    }
}

/// Escapes one JSON-pointer reference token (RFC 6901: `~` -> `~0`, `/` -> `~1`).
pub(crate) fn escape(token: &str) -> Cow<'_, str> {
    if token.contains(['~', '/']) {
        Cow::Owned(token.replace('~', "~0").replace('/', "~1"))
    } else {
        Cow::Borrowed(token)
    }
}

/// A string in double quotes with JSON escaping, for messages.
pub(crate) fn quote(s: &str) -> String {
    Value::String(s.to_owned()).to_string()
}

/// `"a", "b", "c"`: names quoted and joined, as messages list them.
pub(crate) fn quote_all<S: AsRef<str>>(names: &[S]) -> String {
    names
        .iter()
        .map(|n| quote(n.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn null_is_absent_and_non_objects_have_no_fields() {
        let v = json!({"a": null, "b": {"c": 1}, "s": "x"});
        assert!(field(&v, "a").is_none());
        assert_eq!(path(&v, &["b", "c"]), Some(&json!(1)));
        assert!(field(&v, "s").is_some());
        assert!(path(&v, &["s", "c"]).is_none());
        assert!(field(&json!([1]), "0").is_none());
    }

    #[test]
    fn booleans_are_strict() {
        assert!(is_true(Some(&json!(true))));
        assert!(!is_true(Some(&json!("true"))));
        assert!(!is_false(Some(&json!("false"))));
        assert!(!is_false(None));
    }

    #[test]
    fn text_and_int_follow_the_documented_rules() {
        assert!(Text::of(None).is_empty());
        assert!(Text::of(Some(&json!(""))).is_empty());
        assert!(!Text::of(Some(&json!(0))).is_empty());
        assert!(!Text::of(Some(&json!(7))).is_one_of(&["7"]));
        assert_eq!(Text::of(Some(&json!("a\"b"))).quoted(), r#""a\"b""#);
        assert_eq!(Int::of(None), Int::Unset);
        assert_eq!(Int::of(Some(&json!(0))), Int::Zero);
        assert_eq!(Int::of(Some(&json!(0.0))), Int::Zero);
        assert_eq!(Int::of(Some(&json!("0"))), Int::Zero);
        assert!(matches!(Int::of(Some(&json!("x"))), Int::NonZero(_)));
        assert!(matches!(Int::of(Some(&json!(80))), Int::NonZero(_)));
    }

    #[test]
    fn items_and_pointers() {
        let list = json!(["a", "b"]);
        let got = items(Some(&list), "/x");
        assert_eq!(got.len(), 2);
        assert_eq!(got[1].0, "/x/1");
        assert_eq!(items(Some(&json!("a")), "/x")[0].0, "/x");
        assert!(items(Some(&Value::Null), "/x").is_empty());
        assert_eq!(escape("a/b~c"), "a~1b~0c");
        assert_eq!(quote_all(&["a", "b"]), r#""a", "b""#);
    }
}
