//! Who asks what: the attributes of an authorization request, shaped like a
//! `SubjectAccessReview` spec.

use serde::{Deserialize, Serialize};

/// `system:authenticated`: every authenticated identity carries it.
pub const ALL_AUTHENTICATED: &str = "system:authenticated";
/// `system:unauthenticated`: anonymous requests carry it.
pub const ALL_UNAUTHENTICATED: &str = "system:unauthenticated";
/// `system:anonymous`: the anonymous user name.
pub const ANONYMOUS: &str = "system:anonymous";
/// `system:serviceaccounts`: every service account carries it.
pub const ALL_SERVICE_ACCOUNTS: &str = "system:serviceaccounts";
/// `system:masters`: allowed everything by an authorizer placed before RBAC.
pub const SYSTEM_MASTERS: &str = "system:masters";
/// User-name prefix of service accounts.
pub const SERVICE_ACCOUNT_PREFIX: &str = "system:serviceaccount:";

/// The user name of service account `namespace/name`.
pub fn service_account_user(namespace: &str, name: &str) -> String {
    format!("{SERVICE_ACCOUNT_PREFIX}{namespace}:{name}")
}

/// Splits `system:serviceaccount:NS:NAME` into `(NS, NAME)` when both parts are
/// valid Kubernetes names, as the API server's `SplitUsername` does.
pub fn split_service_account_user(user: &str) -> Option<(&str, &str)> {
    let rest = user.strip_prefix(SERVICE_ACCOUNT_PREFIX)?;
    let (ns, name) = rest.split_once(':')?;
    (!name.contains(':') && is_dns_label(ns) && is_dns_subdomain(name)).then_some((ns, name))
}

fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

fn is_dns_subdomain(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !part.starts_with('-')
                && !part.ends_with('-')
        })
}

/// The identity of a request: user name and groups, taken literally.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInfo {
    /// User name (`system:serviceaccount:NS:NAME` for service accounts).
    pub name: String,
    /// Groups, exactly as the authenticator (or the review) gives them.
    #[serde(default)]
    pub groups: Vec<String>,
}

impl UserInfo {
    /// An identity taken literally, with no implied groups (what a
    /// SubjectAccessReview spec means).
    pub fn new(
        name: impl Into<String>,
        groups: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        UserInfo {
            name: name.into(),
            groups: groups.into_iter().map(Into::into).collect(),
        }
    }

    /// The identity the API server builds for `kubectl --as NAME
    /// [--as-group G]...`: a service-account user name without explicit
    /// groups gets `system:serviceaccounts` and `system:serviceaccounts:NS`;
    /// then `system:authenticated` is added unless a group already says
    /// (un)authenticated, and `system:anonymous` gets `system:unauthenticated`.
    pub fn impersonated(name: &str, groups: &[String]) -> Self {
        let mut out: Vec<String> = groups.to_vec();
        if out.is_empty()
            && let Some((ns, _)) = split_service_account_user(name)
        {
            out.push(ALL_SERVICE_ACCOUNTS.to_string());
            out.push(format!("{ALL_SERVICE_ACCOUNTS}:{ns}"));
        }
        if name == ANONYMOUS {
            if !out.iter().any(|g| g == ALL_UNAUTHENTICATED) {
                out.push(ALL_UNAUTHENTICATED.to_string());
            }
        } else if !out
            .iter()
            .any(|g| g == ALL_AUTHENTICATED || g == ALL_UNAUTHENTICATED)
        {
            out.push(ALL_AUTHENTICATED.to_string());
        }
        UserInfo {
            name: name.to_string(),
            groups: out,
        }
    }

    /// The identity of a service account's token.
    pub fn service_account(namespace: &str, name: &str) -> Self {
        UserInfo {
            name: service_account_user(namespace, name),
            groups: vec![
                ALL_SERVICE_ACCOUNTS.to_string(),
                format!("{ALL_SERVICE_ACCOUNTS}:{namespace}"),
                ALL_AUTHENTICATED.to_string(),
            ],
        }
    }
}

/// `resourceAttributes` of a SubjectAccessReview.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ResourceAttributes {
    /// Namespace (`""` for cluster-scoped resources and all-namespace lists).
    pub namespace: String,
    /// Verb (`get`, `list`, `create`, `bind`, ...).
    pub verb: String,
    /// API group (`""` core).
    pub group: String,
    /// Resource (plural, lower case as the API server spells it).
    pub resource: String,
    /// Subresource (`exec`, `status`, `scale`, ...).
    pub subresource: String,
    /// Object name (`""` for list/create/collection requests).
    pub name: String,
}

/// `nonResourceAttributes` of a SubjectAccessReview.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NonResourceAttributes {
    /// URL path (`/healthz`, `/apis/apps/v1`).
    pub path: String,
    /// Lower-case HTTP method (`get`, `post`, ...).
    pub verb: String,
}

/// What is asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Attributes {
    /// A request on an API resource.
    Resource(ResourceAttributes),
    /// A request on a non-resource URL.
    NonResource(NonResourceAttributes),
}

/// One authorization request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    /// Who asks.
    pub user: UserInfo,
    /// What is asked.
    pub attributes: Attributes,
}

impl Request {
    /// A resource request.
    pub fn resource(user: UserInfo, attributes: ResourceAttributes) -> Self {
        Request {
            user,
            attributes: Attributes::Resource(attributes),
        }
    }

    /// A non-resource request.
    pub fn non_resource(user: UserInfo, verb: &str, path: &str) -> Self {
        Request {
            user,
            attributes: Attributes::NonResource(NonResourceAttributes {
                path: path.into(),
                verb: verb.into(),
            }),
        }
    }

    /// The request namespace (`""` for non-resource requests).
    pub fn namespace(&self) -> &str {
        match &self.attributes {
            Attributes::Resource(r) => &r.namespace,
            Attributes::NonResource(_) => "",
        }
    }

    /// The request verb.
    pub fn verb(&self) -> &str {
        match &self.attributes {
            Attributes::Resource(r) => &r.verb,
            Attributes::NonResource(n) => &n.verb,
        }
    }

    /// Whether one rule allows this request (`RuleAllows`).
    pub fn allowed_by(&self, rule: &crate::PolicyRule) -> bool {
        self.attributes.allowed_by(rule)
    }
}

impl Attributes {
    /// Whether one rule allows these attributes (`RuleAllows`).
    pub fn allowed_by(&self, rule: &crate::PolicyRule) -> bool {
        match self {
            Attributes::Resource(r) => crate::policy::rule_allows_resource(
                rule,
                &r.verb,
                &r.group,
                &r.resource,
                &r.subresource,
                &r.name,
            ),
            Attributes::NonResource(n) => {
                crate::policy::rule_allows_non_resource(rule, &n.verb, &n.path)
            }
        }
    }

    /// The namespace (`""` for non-resource requests).
    pub fn namespace(&self) -> &str {
        match self {
            Attributes::Resource(r) => &r.namespace,
            Attributes::NonResource(_) => "",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn impersonation_groups() {
        let sa = UserInfo::impersonated("system:serviceaccount:ci:deployer", &[]);
        assert_eq!(
            sa.groups,
            [
                "system:serviceaccounts",
                "system:serviceaccounts:ci",
                "system:authenticated"
            ]
        );
        let explicit = UserInfo::impersonated("system:serviceaccount:ci:deployer", &["g".into()]);
        assert_eq!(explicit.groups, ["g", "system:authenticated"]);
        let anon = UserInfo::impersonated(ANONYMOUS, &[]);
        assert_eq!(anon.groups, ["system:unauthenticated"]);
        // Not a valid SA user name: treated as a plain user.
        let odd = UserInfo::impersonated("system:serviceaccount:a:b:c", &[]);
        assert_eq!(odd.groups, ["system:authenticated"]);
    }
}
