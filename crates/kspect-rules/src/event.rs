//! The interface between compiled rules and event sources.

use std::borrow::Cow;
use std::net::IpAddr;

use crate::fields::{FieldArg, FieldId};

/// One extracted value. Strings and bytes borrow from the event when they can.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    /// Text.
    Str(Cow<'a, str>),
    /// Raw bytes.
    Bytes(Cow<'a, [u8]>),
    /// Signed number (also times and ports when signed makes sense).
    Int(i64),
    /// Unsigned number.
    Uint(u64),
    /// Floating point.
    Double(f64),
    /// Boolean.
    Bool(bool),
    /// IP address.
    Ip(IpAddr),
}

impl Value<'_> {
    /// The value's bytes when it is text or bytes.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::Str(s) => Some(s.as_bytes()),
            Value::Bytes(b) => Some(b),
            _ => None,
        }
    }

    /// The value as an integer, when it is numeric.
    pub fn as_i128(&self) -> Option<i128> {
        match self {
            Value::Int(i) => Some(i128::from(*i)),
            Value::Uint(u) => Some(i128::from(*u)),
            Value::Bool(b) => Some(i128::from(*b)),
            _ => None,
        }
    }

    /// Text form, as Falco prints it in outputs.
    pub fn to_text(&self) -> String {
        match self {
            Value::Str(s) => s.to_string(),
            Value::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
            Value::Int(i) => i.to_string(),
            Value::Uint(u) => u.to_string(),
            Value::Double(d) => d.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Ip(ip) => ip.to_string(),
        }
    }

    /// JSON form for `output_fields`.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Str(s) => serde_json::Value::String(s.to_string()),
            Value::Bytes(b) => serde_json::Value::String(String::from_utf8_lossy(b).into_owned()),
            Value::Int(i) => serde_json::Value::from(*i),
            Value::Uint(u) => serde_json::Value::from(*u),
            Value::Double(d) => serde_json::Value::from(*d),
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Ip(ip) => serde_json::Value::String(ip.to_string()),
        }
    }

    /// An owned copy.
    pub fn into_owned(self) -> Value<'static> {
        match self {
            Value::Str(s) => Value::Str(Cow::Owned(s.into_owned())),
            Value::Bytes(b) => Value::Bytes(Cow::Owned(b.into_owned())),
            Value::Int(i) => Value::Int(i),
            Value::Uint(u) => Value::Uint(u),
            Value::Double(d) => Value::Double(d),
            Value::Bool(b) => Value::Bool(b),
            Value::Ip(ip) => Value::Ip(ip),
        }
    }
}

/// What a field yields for one event: nothing, one value, or several (list fields and
/// ancestor fields without an index). Single values need no allocation.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Values<'a> {
    /// The field cannot be extracted for this event (every comparison is false).
    #[default]
    Missing,
    /// One value.
    One(Value<'a>),
    /// Several values (an empty list counts as missing).
    Many(Vec<Value<'a>>),
}

impl<'a> Values<'a> {
    /// Whether nothing was extracted.
    pub fn is_missing(&self) -> bool {
        match self {
            Values::Missing => true,
            Values::One(_) => false,
            Values::Many(v) => v.is_empty(),
        }
    }

    /// The values as a slice.
    pub fn as_slice(&self) -> &[Value<'a>] {
        match self {
            Values::Missing => &[],
            Values::One(v) => std::slice::from_ref(v),
            Values::Many(v) => v,
        }
    }
}

/// An event that rules can be evaluated on.
///
/// Implementors extract field values by [`FieldId`] (indexes into the registry of
/// their source, resolved when the rules were compiled), so no field name is looked
/// at while events flow.
pub trait Event {
    /// The event type (`open`, `execve` ...); plugin sources may return their source.
    fn event_type(&self) -> &str;

    /// Event time in nanoseconds since the Unix epoch.
    fn timestamp_ns(&self) -> i64;

    /// Extracts one field.
    fn extract(&self, field: FieldId, arg: &FieldArg) -> Values<'_>;
}
