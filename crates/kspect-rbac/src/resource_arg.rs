//! `kubectl auth can-i` argument parsing: `TYPE[.GROUP][/NAME]` or
//! `/NON/RESOURCE/URL`.
//!
//! kubectl resolves TYPE through the cluster's discovery data. Offline, a
//! built-in table of the common built-in resources stands in for it
//! ([`known_resource`]): plural, singular and short names (`po`, `deploy`,
//! `svc`, `sa`, `cm`, ...) map to the plural name and group the API server
//! uses. Limits:
//! * a TYPE that the table does not know (custom resources, rare built-ins)
//!   is taken as written: `widgets.example.com` means resource `widgets` in
//!   group `example.com`, i.e. as if the custom resource were installed.
//!   (kubectl without discovery data would send the whole string as the
//!   resource with group `""`; that can never match a real rule.)
//! * as in kubectl, `/NAME` is an object name: `pods/exec` asks about the pod
//!   named `exec`. Subresources go in their own field (`--subresource exec`).
//! * versions are accepted (`deployments.v1.apps`) and dropped, as RBAC
//!   ignores them.

use crate::error::RbacError;

/// A built-in resource type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownResource {
    /// Plural resource name, as RBAC rules spell it.
    pub plural: &'static str,
    /// Singular name.
    pub singular: &'static str,
    /// kubectl short names.
    pub short_names: &'static [&'static str],
    /// API group (`""` core).
    pub group: &'static str,
    /// Namespaced (`false`: cluster-scoped).
    pub namespaced: bool,
}

const fn r(
    plural: &'static str,
    singular: &'static str,
    short_names: &'static [&'static str],
    group: &'static str,
    namespaced: bool,
) -> KnownResource {
    KnownResource {
        plural,
        singular,
        short_names,
        group,
        namespaced,
    }
}

/// Built-in resources in kubectl's discovery preference order (core group
/// first, so `events` is the core `events`).
pub const KNOWN_RESOURCES: &[KnownResource] = &[
    r("bindings", "binding", &[], "", true),
    r("componentstatuses", "componentstatus", &["cs"], "", false),
    r("configmaps", "configmap", &["cm"], "", true),
    r("endpoints", "endpoints", &["ep"], "", true),
    r("events", "event", &["ev"], "", true),
    r("limitranges", "limitrange", &["limits"], "", true),
    r("namespaces", "namespace", &["ns"], "", false),
    r("nodes", "node", &["no"], "", false),
    r(
        "persistentvolumeclaims",
        "persistentvolumeclaim",
        &["pvc"],
        "",
        true,
    ),
    r("persistentvolumes", "persistentvolume", &["pv"], "", false),
    r("pods", "pod", &["po"], "", true),
    r("podtemplates", "podtemplate", &[], "", true),
    r(
        "replicationcontrollers",
        "replicationcontroller",
        &["rc"],
        "",
        true,
    ),
    r("resourcequotas", "resourcequota", &["quota"], "", true),
    r("secrets", "secret", &[], "", true),
    r("serviceaccounts", "serviceaccount", &["sa"], "", true),
    r("services", "service", &["svc"], "", true),
    r(
        "mutatingwebhookconfigurations",
        "mutatingwebhookconfiguration",
        &[],
        "admissionregistration.k8s.io",
        false,
    ),
    r(
        "validatingwebhookconfigurations",
        "validatingwebhookconfiguration",
        &[],
        "admissionregistration.k8s.io",
        false,
    ),
    r(
        "validatingadmissionpolicies",
        "validatingadmissionpolicy",
        &[],
        "admissionregistration.k8s.io",
        false,
    ),
    r(
        "validatingadmissionpolicybindings",
        "validatingadmissionpolicybinding",
        &[],
        "admissionregistration.k8s.io",
        false,
    ),
    r(
        "customresourcedefinitions",
        "customresourcedefinition",
        &["crd", "crds"],
        "apiextensions.k8s.io",
        false,
    ),
    r(
        "apiservices",
        "apiservice",
        &[],
        "apiregistration.k8s.io",
        false,
    ),
    r(
        "controllerrevisions",
        "controllerrevision",
        &[],
        "apps",
        true,
    ),
    r("daemonsets", "daemonset", &["ds"], "apps", true),
    r("deployments", "deployment", &["deploy"], "apps", true),
    r("replicasets", "replicaset", &["rs"], "apps", true),
    r("statefulsets", "statefulset", &["sts"], "apps", true),
    r(
        "selfsubjectreviews",
        "selfsubjectreview",
        &[],
        "authentication.k8s.io",
        false,
    ),
    r(
        "tokenreviews",
        "tokenreview",
        &[],
        "authentication.k8s.io",
        false,
    ),
    r(
        "localsubjectaccessreviews",
        "localsubjectaccessreview",
        &[],
        "authorization.k8s.io",
        true,
    ),
    r(
        "selfsubjectaccessreviews",
        "selfsubjectaccessreview",
        &[],
        "authorization.k8s.io",
        false,
    ),
    r(
        "selfsubjectrulesreviews",
        "selfsubjectrulesreview",
        &[],
        "authorization.k8s.io",
        false,
    ),
    r(
        "subjectaccessreviews",
        "subjectaccessreview",
        &[],
        "authorization.k8s.io",
        false,
    ),
    r(
        "horizontalpodautoscalers",
        "horizontalpodautoscaler",
        &["hpa"],
        "autoscaling",
        true,
    ),
    r("cronjobs", "cronjob", &["cj"], "batch", true),
    r("jobs", "job", &[], "batch", true),
    r(
        "certificatesigningrequests",
        "certificatesigningrequest",
        &["csr"],
        "certificates.k8s.io",
        false,
    ),
    r("signers", "signer", &[], "certificates.k8s.io", false),
    r("leases", "lease", &[], "coordination.k8s.io", true),
    r(
        "endpointslices",
        "endpointslice",
        &[],
        "discovery.k8s.io",
        true,
    ),
    r(
        "flowschemas",
        "flowschema",
        &[],
        "flowcontrol.apiserver.k8s.io",
        false,
    ),
    r(
        "prioritylevelconfigurations",
        "prioritylevelconfiguration",
        &[],
        "flowcontrol.apiserver.k8s.io",
        false,
    ),
    r(
        "ingressclasses",
        "ingressclass",
        &[],
        "networking.k8s.io",
        false,
    ),
    r("ingresses", "ingress", &["ing"], "networking.k8s.io", true),
    r(
        "networkpolicies",
        "networkpolicy",
        &["netpol"],
        "networking.k8s.io",
        true,
    ),
    r("runtimeclasses", "runtimeclass", &[], "node.k8s.io", false),
    r(
        "poddisruptionbudgets",
        "poddisruptionbudget",
        &["pdb"],
        "policy",
        true,
    ),
    r(
        "clusterrolebindings",
        "clusterrolebinding",
        &[],
        "rbac.authorization.k8s.io",
        false,
    ),
    r(
        "clusterroles",
        "clusterrole",
        &[],
        "rbac.authorization.k8s.io",
        false,
    ),
    r(
        "rolebindings",
        "rolebinding",
        &[],
        "rbac.authorization.k8s.io",
        true,
    ),
    r("roles", "role", &[], "rbac.authorization.k8s.io", true),
    r(
        "priorityclasses",
        "priorityclass",
        &["pc"],
        "scheduling.k8s.io",
        false,
    ),
    r("csidrivers", "csidriver", &[], "storage.k8s.io", false),
    r("csinodes", "csinode", &[], "storage.k8s.io", false),
    r(
        "csistoragecapacities",
        "csistoragecapacity",
        &[],
        "storage.k8s.io",
        true,
    ),
    r(
        "storageclasses",
        "storageclass",
        &["sc"],
        "storage.k8s.io",
        false,
    ),
    r(
        "volumeattachments",
        "volumeattachment",
        &[],
        "storage.k8s.io",
        false,
    ),
    // Pseudo-resources that only exist for authorization checks.
    r("users", "user", &[], "", false),
    r("groups", "group", &[], "", false),
    r(
        "userextras",
        "userextra",
        &[],
        "authentication.k8s.io",
        false,
    ),
    r("uids", "uid", &[], "authentication.k8s.io", false),
];

/// Looks up a type by plural, singular or short name, optionally in a group.
pub fn known_resource(name: &str, group: Option<&str>) -> Option<&'static KnownResource> {
    KNOWN_RESOURCES.iter().find(|k| {
        group.is_none_or(|g| g == k.group)
            && (k.plural == name || k.singular == name || k.short_names.contains(&name))
    })
}

/// A parsed resource argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceArg {
    /// API group (`""` core).
    pub group: String,
    /// Plural resource name (`*` stays `*`).
    pub resource: String,
    /// Object name (after `/`), `""` when none.
    pub name: String,
    /// The built-in entry the type resolved to, `None` for unknown types.
    pub known: Option<&'static KnownResource>,
}

impl ResourceArg {
    /// `Some(false)` for known cluster-scoped types (kubectl warns when a
    /// namespace is given for those), `Some(true)` for namespaced ones.
    pub fn namespaced(&self) -> Option<bool> {
        self.known.map(|k| k.namespaced)
    }
}

/// What a `can-i` argument asks about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResourceTarget {
    /// A resource type (and maybe an object name).
    Resource(ResourceArg),
    /// A non-resource URL (argument starting with `/`).
    NonResource(String),
}

/// Parses `TYPE[.VERSION.GROUP|.GROUP][/NAME]` or `/URL` as `kubectl auth
/// can-i` does, with the offline type table described in the module docs.
pub fn parse_resource_arg(arg: &str) -> Result<ResourceTarget, RbacError> {
    if arg.starts_with('/') {
        return Ok(ResourceTarget::NonResource(arg.to_string()));
    }
    let bad = |why: &str| RbacError::InvalidResourceArg {
        arg: arg.to_string(),
        why: why.to_string(),
    };
    let (type_part, name) = match arg.split_once('/') {
        Some((t, n)) => (t, n),
        None => (arg, ""),
    };
    if type_part.is_empty() {
        return Err(bad("empty resource type"));
    }
    if type_part == "*" {
        return Ok(ResourceTarget::Resource(ResourceArg {
            group: String::new(),
            resource: "*".into(),
            name: name.into(),
            known: None,
        }));
    }
    let lower = type_part.to_lowercase();
    let make = |k: &'static KnownResource| {
        ResourceTarget::Resource(ResourceArg {
            group: k.group.into(),
            resource: k.plural.into(),
            name: name.into(),
            known: Some(k),
        })
    };
    // resource.version.group, as kubectl tries first.
    let parts: Vec<&str> = lower.splitn(3, '.').collect();
    if let [res, _version, group] = parts.as_slice()
        && let Some(k) = known_resource(res, Some(group))
    {
        return Ok(make(k));
    }
    let (res, group) = match lower.split_once('.') {
        Some((r, g)) => (r, Some(g)),
        None => (lower.as_str(), None),
    };
    if res.is_empty() || group == Some("") {
        return Err(bad("empty resource or group"));
    }
    if let Some(k) = known_resource(res, group) {
        return Ok(make(k));
    }
    Ok(ResourceTarget::Resource(ResourceArg {
        group: group.unwrap_or("").into(),
        resource: res.into(),
        name: name.into(),
        known: None,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn res(arg: &str) -> (String, String, String) {
        match parse_resource_arg(arg) {
            Ok(ResourceTarget::Resource(r)) => (r.group, r.resource, r.name),
            other => panic!("{arg}: {other:?}"),
        }
    }

    #[test]
    fn kubectl_forms() {
        assert_eq!(res("pods"), ("".into(), "pods".into(), "".into()));
        assert_eq!(res("po"), ("".into(), "pods".into(), "".into()));
        assert_eq!(res("Pod/web-0"), ("".into(), "pods".into(), "web-0".into()));
        assert_eq!(
            res("deploy"),
            ("apps".into(), "deployments".into(), "".into())
        );
        assert_eq!(
            res("deployments.apps"),
            ("apps".into(), "deployments".into(), "".into())
        );
        assert_eq!(
            res("deployments.v1.apps"),
            ("apps".into(), "deployments".into(), "".into())
        );
        assert_eq!(res("pods/exec"), ("".into(), "pods".into(), "exec".into()));
        assert_eq!(res("svc"), ("".into(), "services".into(), "".into()));
        assert_eq!(res("sa"), ("".into(), "serviceaccounts".into(), "".into()));
        assert_eq!(res("cm"), ("".into(), "configmaps".into(), "".into()));
        assert_eq!(
            res("widgets.example.com"),
            ("example.com".into(), "widgets".into(), "".into())
        );
        assert_eq!(res("*"), ("".into(), "*".into(), "".into()));
        assert_eq!(
            parse_resource_arg("/healthz").ok(),
            Some(ResourceTarget::NonResource("/healthz".into()))
        );
        assert!(parse_resource_arg("/").is_ok());
        assert!(parse_resource_arg("pods.").is_err());
        assert!(parse_resource_arg("").is_err());
    }
}
