//! Kubernetes label selectors (`matchLabels` + `matchExpressions`), validated as the API
//! server does, and printed the way the reference analyzer prints them.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value;

/// Labels of a pod or namespace.
pub type Labels = BTreeMap<String, String>;

/// A `matchExpressions` operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Operator {
    /// The label's value is one of the values.
    In,
    /// The label is absent or its value is none of the values.
    NotIn,
    /// The label is present.
    Exists,
    /// The label is absent.
    DoesNotExist,
}

impl Operator {
    fn as_str(self) -> &'static str {
        match self {
            Operator::In => "In",
            Operator::NotIn => "NotIn",
            Operator::Exists => "Exists",
            Operator::DoesNotExist => "DoesNotExist",
        }
    }
}

/// One `matchExpressions` entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Requirement {
    /// Label key.
    pub key: String,
    /// Operator.
    pub operator: Operator,
    /// Values (for In/NotIn), in the order written.
    pub values: Vec<String>,
}

/// A label selector. The empty selector matches everything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Selector {
    /// `matchLabels`.
    pub match_labels: BTreeMap<String, String>,
    /// `matchExpressions`.
    pub match_expressions: Vec<Requirement>,
}

/// Why a selector is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("selector error: {0}")]
pub struct BadSelector(pub String);

impl Selector {
    /// The selector that matches everything.
    pub fn everything() -> Selector {
        Selector::default()
    }

    /// True when the selector has no term (matches everything).
    pub fn is_empty(&self) -> bool {
        self.match_labels.is_empty() && self.match_expressions.is_empty()
    }

    /// A selector matching one label value.
    pub fn label(key: &str, value: &str) -> Selector {
        let mut s = Selector::default();
        s.match_labels.insert(key.to_string(), value.to_string());
        s
    }

    /// Parses and validates a selector object (`null` is the caller's business).
    pub fn parse(v: &Value) -> Result<Selector, BadSelector> {
        let obj = match v {
            Value::Object(o) => o,
            Value::Null => return Ok(Selector::default()),
            _ => return Err(BadSelector("a selector must be an object".into())),
        };
        let mut sel = Selector::default();
        match obj.get("matchLabels") {
            None | Some(Value::Null) => {}
            Some(Value::Object(m)) => {
                for (k, v) in m {
                    let v = scalar_string(v).ok_or_else(|| {
                        BadSelector(format!("matchLabels value of {k:?} is not a string"))
                    })?;
                    validate_key(k)?;
                    validate_value(&v)?;
                    sel.match_labels.insert(k.clone(), v);
                }
            }
            Some(_) => return Err(BadSelector("matchLabels must be a map".into())),
        }
        match obj.get("matchExpressions") {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) => {
                for item in items {
                    sel.match_expressions.push(parse_requirement(item)?);
                }
            }
            Some(_) => return Err(BadSelector("matchExpressions must be a list".into())),
        }
        Ok(sel)
    }

    /// True when the labels satisfy every term.
    pub fn matches(&self, labels: &Labels) -> bool {
        self.match_labels
            .iter()
            .all(|(k, v)| labels.get(k) == Some(v))
            && self.match_expressions.iter().all(|r| {
                let got = labels.get(&r.key);
                match r.operator {
                    Operator::In => got.is_some_and(|g| r.values.contains(g)),
                    Operator::NotIn => got.is_none_or(|g| !r.values.contains(g)),
                    Operator::Exists => got.is_some(),
                    Operator::DoesNotExist => got.is_none(),
                }
            })
    }

    /// When the selector only pins `kubernetes.io/metadata.name`, the namespace it names.
    pub fn only_namespace_name(&self) -> Option<&str> {
        if self.match_expressions.is_empty() && self.match_labels.len() == 1 {
            return self.match_labels.get(NS_NAME_LABEL).map(String::as_str);
        }
        None
    }
}

/// The label the control plane puts on every namespace.
pub const NS_NAME_LABEL: &str = "kubernetes.io/metadata.name";

fn scalar_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn parse_requirement(item: &Value) -> Result<Requirement, BadSelector> {
    let key = item
        .get("key")
        .and_then(Value::as_str)
        .ok_or_else(|| BadSelector("key: Required value".into()))?;
    validate_key(key)?;
    let op = item.get("operator").and_then(Value::as_str).unwrap_or("");
    let operator = match op {
        "In" => Operator::In,
        "NotIn" => Operator::NotIn,
        "Exists" => Operator::Exists,
        "DoesNotExist" => Operator::DoesNotExist,
        other => {
            return Err(BadSelector(format!(
                "{other:?} is not a valid label selector operator"
            )));
        }
    };
    let values: Vec<String> = match item.get("values") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(v)) => v.iter().filter_map(scalar_string).collect(),
        Some(_) => return Err(BadSelector("values must be a list".into())),
    };
    match operator {
        Operator::In | Operator::NotIn if values.is_empty() => {
            return Err(BadSelector(format!(
                "values: Invalid value: for 'in', 'notin' operators, values set can't be empty (key {key:?})"
            )));
        }
        Operator::Exists | Operator::DoesNotExist if !values.is_empty() => {
            return Err(BadSelector(format!(
                "values: Invalid value: values set must be empty for exists and does not exist (key {key:?})"
            )));
        }
        _ => {}
    }
    for v in &values {
        validate_value(v)?;
    }
    Ok(Requirement {
        key: key.to_string(),
        operator,
        values,
    })
}

/// A label name part: 1..63 chars, alphanumerics with `-`, `_`, `.` inside.
fn is_name(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

fn is_dns_subdomain(s: &str) -> bool {
    s.len() <= 253
        && !s.is_empty()
        && s.split('.').all(|part| {
            let b = part.as_bytes();
            !b.is_empty()
                && b[0].is_ascii_alphanumeric()
                && b[b.len() - 1].is_ascii_alphanumeric()
                && b.iter()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        })
}

fn validate_key(k: &str) -> Result<(), BadSelector> {
    let ok = match k.split_once('/') {
        Some((prefix, name)) => is_dns_subdomain(prefix) && is_name(name),
        None => is_name(k),
    };
    if ok {
        Ok(())
    } else {
        Err(BadSelector(format!("key: Invalid value: {k:?}")))
    }
}

fn validate_value(v: &str) -> Result<(), BadSelector> {
    if v.is_empty() || is_name(v) {
        Ok(())
    } else {
        Err(BadSelector(format!("values: Invalid value: {v:?}")))
    }
}

impl fmt::Display for Selector {
    /// The reference analyzer's form: `k1=v1,k2=v2` for labels, then
    /// `{Key:k,Operator:In,Values:[a b],}` per expression.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = self
            .match_labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        for r in &self.match_expressions {
            parts.push(format!(
                "{{Key:{},Operator:{},Values:[{}],}}",
                r.key,
                r.operator.as_str(),
                r.values.join(" ")
            ));
        }
        f.write_str(&parts.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn matching() {
        let s = Selector::parse(&json!({
            "matchLabels": {"app": "web"},
            "matchExpressions": [
                {"key": "tier", "operator": "In", "values": ["a", "b"]},
                {"key": "env", "operator": "NotIn", "values": ["prod"]},
                {"key": "x", "operator": "DoesNotExist"}
            ]
        }))
        .unwrap();
        assert!(s.matches(&labels(&[("app", "web"), ("tier", "a")])));
        assert!(!s.matches(&labels(&[("app", "web"), ("tier", "c")])));
        assert!(!s.matches(&labels(&[("app", "web"), ("tier", "a"), ("env", "prod")])));
        assert!(!s.matches(&labels(&[("app", "web"), ("tier", "a"), ("x", "")])));
        assert!(Selector::everything().matches(&labels(&[])));
    }

    #[test]
    fn validation() {
        assert!(Selector::parse(&json!({"matchLabels": {"bad key!": "v"}})).is_err());
        assert!(
            Selector::parse(&json!({"matchExpressions": [{"key": "a", "operator": "In"}]}))
                .is_err()
        );
        assert!(
            Selector::parse(
                &json!({"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["x"]}]})
            )
            .is_err()
        );
        assert!(
            Selector::parse(
                &json!({"matchExpressions": [{"key": "a", "operator": "Equals", "values": ["x"]}]})
            )
            .is_err()
        );
        assert!(Selector::parse(&json!({"matchLabels": {"example.com/app": "v-1.2"}})).is_ok());
    }

    #[test]
    fn display() {
        let s = Selector::parse(&json!({
            "matchLabels": {"b": "2", "a": "1"},
            "matchExpressions": [{"key": "k", "operator": "In", "values": ["x", "y"]}]
        }))
        .unwrap();
        assert_eq!(s.to_string(), "a=1,b=2,{Key:k,Operator:In,Values:[x y],}");
    }
}
