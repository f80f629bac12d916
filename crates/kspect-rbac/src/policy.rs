//! `PolicyRule` and the predicates the RBAC authorizer applies to one rule
//! (`SEMANTICS.md` §3).
//!
//! Everything here compares strings exactly and case-sensitively, because the
//! API server does: `GET` is not `get`, `Pods` is not `pods`.

use serde::{Deserialize, Deserializer, Serialize};

/// The wildcard that matches every verb, group, resource or URL.
pub const STAR: &str = "*";

/// One rule of a Role or ClusterRole (`rbac.authorization.k8s.io/v1` `PolicyRule`).
///
/// `null` and missing lists both read as empty: the API server treats them the
/// same, and offline manifests contain both.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyRule {
    /// Verbs (`get`, `list`, `*`, ...).
    #[serde(default, deserialize_with = "null_as_empty")]
    pub verbs: Vec<String>,
    /// API groups; `""` is the core group.
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub api_groups: Vec<String>,
    /// Resources, optionally `resource/subresource`, `*` or `*/subresource`.
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub resources: Vec<String>,
    /// Object names the rule is limited to (exact, no wildcards).
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub resource_names: Vec<String>,
    /// Non-resource URL paths; a trailing `*` is a prefix match.
    #[serde(
        default,
        rename = "nonResourceURLs",
        deserialize_with = "null_as_empty",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub non_resource_urls: Vec<String>,
}

/// Reads `null` as an empty list (serde's `default` only covers a missing key).
pub(crate) fn null_as_empty<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

fn has(list: &[String], value: &str) -> bool {
    list.iter().any(|v| v == value)
}

/// Verb predicate: some rule verb is `*` or equals `verb`.
pub fn verb_matches(rule: &PolicyRule, verb: &str) -> bool {
    rule.verbs.iter().any(|v| v == STAR || v == verb)
}

/// API group predicate: some rule group is `*` or equals `group` (`""` is core only).
pub fn api_group_matches(rule: &PolicyRule, group: &str) -> bool {
    rule.api_groups.iter().any(|g| g == STAR || g == group)
}

/// Resource predicate (`SEMANTICS.md` §3): `*` matches everything including
/// subresources, an exact `resource[/subresource]` matches, and `*/S` matches
/// subresource `S` of any resource.
pub fn resource_matches(rule: &PolicyRule, resource: &str, subresource: &str) -> bool {
    rule.resources.iter().any(|entry| {
        if entry == STAR {
            return true;
        }
        if subresource.is_empty() {
            return entry == resource;
        }
        // Compare `resource/subresource` without allocating the combined string.
        let exact = entry.len() == resource.len() + 1 + subresource.len()
            && entry.starts_with(resource)
            && entry[resource.len()..].starts_with('/')
            && entry.ends_with(subresource);
        exact || entry.strip_prefix("*/") == Some(subresource)
    })
}

/// Resource-name predicate: no names means any object; otherwise the request
/// name must be listed (so a request without a name never matches).
pub fn resource_name_matches(rule: &PolicyRule, name: &str) -> bool {
    rule.resource_names.is_empty() || (!name.is_empty() && has(&rule.resource_names, name))
}

/// One non-resource URL entry against a path: `*`, exact, or a trailing-`*` prefix.
pub fn non_resource_url_matches(entry: &str, path: &str) -> bool {
    if entry == STAR || entry == path {
        return true;
    }
    // Only a trailing `*` is special; every trailing star is removed before
    // the prefix compare, as the upstream code trims them all.
    entry.ends_with('*') && path.starts_with(entry.trim_end_matches('*'))
}

/// The rule allows a resource request with these attributes.
pub fn rule_allows_resource(
    rule: &PolicyRule,
    verb: &str,
    group: &str,
    resource: &str,
    subresource: &str,
    name: &str,
) -> bool {
    verb_matches(rule, verb)
        && api_group_matches(rule, group)
        && resource_matches(rule, resource, subresource)
        && resource_name_matches(rule, name)
}

/// The rule allows a non-resource request with this verb and path.
pub fn rule_allows_non_resource(rule: &PolicyRule, verb: &str, path: &str) -> bool {
    verb_matches(rule, verb)
        && rule
            .non_resource_urls
            .iter()
            .any(|entry| non_resource_url_matches(entry, path))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(verbs: &[&str], groups: &[&str], resources: &[&str]) -> PolicyRule {
        PolicyRule {
            verbs: verbs.iter().map(|s| s.to_string()).collect(),
            api_groups: groups.iter().map(|s| s.to_string()).collect(),
            resources: resources.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn subresource_forms() {
        let r = rule(&["get"], &[""], &["pods/exec", "*/scale", "pods/*"]);
        assert!(resource_matches(&r, "pods", "exec"));
        assert!(resource_matches(&r, "deployments", "scale"));
        assert!(!resource_matches(&r, "deployments", ""));
        assert!(!resource_matches(&r, "pods", "log"));
        assert!(resource_matches(&r, "pods", "*"));
        assert!(!resource_matches(&r, "pods", ""));
        // "podsX/exec" must not match "pods/exec" through the length shortcut.
        assert!(!resource_matches(&r, "podx", "exec"));
    }

    #[test]
    fn urls() {
        assert!(non_resource_url_matches("/apis/*", "/apis/"));
        assert!(non_resource_url_matches("/apis/*", "/apis/v1/foo"));
        assert!(!non_resource_url_matches("/apis/*", "/apis"));
        assert!(!non_resource_url_matches("/*/v1/*", "/api/v1"));
        assert!(non_resource_url_matches("/a**", "/a/b"));
        assert!(!non_resource_url_matches("/version/", "/version"));
    }

    #[test]
    fn null_lists_read_as_empty() {
        let r: PolicyRule =
            serde_json::from_str(r#"{"verbs":null,"apiGroups":null}"#).unwrap_or_default();
        assert!(r.verbs.is_empty() && r.api_groups.is_empty());
    }
}
