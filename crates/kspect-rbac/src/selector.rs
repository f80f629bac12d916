//! Kubernetes label selectors (`matchLabels` + `matchExpressions`), as used by
//! `aggregationRule.clusterRoleSelectors`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::RbacError;
use crate::policy::null_as_empty;

/// A `metav1.LabelSelector`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LabelSelector {
    /// Every pair must be present with that value.
    #[serde(default, deserialize_with = "null_map")]
    pub match_labels: BTreeMap<String, String>,
    /// Every requirement must hold.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub match_expressions: Vec<LabelSelectorRequirement>,
}

/// One `matchExpressions` entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelSelectorRequirement {
    /// Label key.
    #[serde(default)]
    pub key: String,
    /// `In`, `NotIn`, `Exists` or `DoesNotExist`.
    #[serde(default)]
    pub operator: String,
    /// Values for `In` / `NotIn`.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub values: Vec<String>,
}

fn null_map<'de, D>(d: D) -> Result<BTreeMap<String, String>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    Ok(Option::<BTreeMap<String, String>>::deserialize(d)?.unwrap_or_default())
}

impl LabelSelector {
    /// Whether `labels` satisfy the selector. An empty selector selects
    /// everything (as `LabelSelectorAsSelector` does for a non-nil empty
    /// selector). A malformed requirement is an error, as upstream refuses to
    /// build such a selector and the controller then aggregates nothing.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> Result<bool, RbacError> {
        for req in &self.match_expressions {
            req.validate()?;
        }
        let labels_ok = self
            .match_labels
            .iter()
            .all(|(k, v)| labels.get(k) == Some(v));
        Ok(labels_ok && self.match_expressions.iter().all(|r| r.holds(labels)))
    }
}

impl LabelSelectorRequirement {
    fn validate(&self) -> Result<(), RbacError> {
        let bad = |why: &str| {
            Err(RbacError::InvalidSelector(format!(
                "{} {} {:?}: {why}",
                self.key, self.operator, self.values
            )))
        };
        match self.operator.as_str() {
            "In" | "NotIn" if self.values.is_empty() => bad("values must be non-empty"),
            "Exists" | "DoesNotExist" if !self.values.is_empty() => bad("values must be empty"),
            "In" | "NotIn" | "Exists" | "DoesNotExist" => Ok(()),
            _ => bad("unknown operator"),
        }
    }

    fn holds(&self, labels: &BTreeMap<String, String>) -> bool {
        let value = labels.get(&self.key);
        match self.operator.as_str() {
            "In" => value.is_some_and(|v| self.values.contains(v)),
            "NotIn" => value.is_none_or(|v| !self.values.contains(v)),
            "Exists" => value.is_some(),
            "DoesNotExist" => value.is_none(),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn expressions() {
        let sel: LabelSelector = serde_json::from_value(serde_json::json!({
            "matchExpressions": [
                {"key": "tier", "operator": "In", "values": ["a", "b"]},
                {"key": "legacy", "operator": "DoesNotExist"},
                {"key": "env", "operator": "NotIn", "values": ["prod"]}
            ]
        }))
        .unwrap_or_default();
        assert_eq!(sel.matches(&labels(&[("tier", "a")])).ok(), Some(true));
        assert_eq!(
            sel.matches(&labels(&[("tier", "a"), ("env", "prod")])).ok(),
            Some(false)
        );
        assert_eq!(
            sel.matches(&labels(&[("tier", "a"), ("legacy", "")])).ok(),
            Some(false)
        );
        assert_eq!(sel.matches(&labels(&[("tier", "c")])).ok(), Some(false));
    }

    #[test]
    fn empty_selects_all_and_bad_operator_errors() {
        assert_eq!(
            LabelSelector::default().matches(&labels(&[])).ok(),
            Some(true)
        );
        let bad = LabelSelector {
            match_expressions: vec![LabelSelectorRequirement {
                key: "a".into(),
                operator: "Equals".into(),
                values: vec![],
            }],
            ..Default::default()
        };
        assert!(bad.matches(&labels(&[])).is_err());
    }
}
