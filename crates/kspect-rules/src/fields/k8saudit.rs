//! The Kubernetes audit field source: `ka.*` (k8saudit plugin) and `json.*`/`jevt.*`
//! (json plugin) over `audit.k8s.io` events.
//!
//! Semantics follow the plugins: events without `auditID` yield no `ka.*` field;
//! non-string JSON values are returned as their compact JSON text (`201`, `true`); a
//! container list with an entry missing the wanted key makes the whole field missing,
//! except for the `privileged` lists, which skip such entries.

use std::sync::OnceLock;

use serde_json::Value as Json;

use super::{FieldArg, FieldId, FieldRegistry};
use crate::event::{Event, Value, Values};

/// How one field is read.
#[derive(Debug, Clone, Copy)]
enum Ka {
    /// A fixed JSON path (list fields expect an array there).
    Path(&'static [&'static str], bool),
    UriParam,
    TargetPodName,
    SubjectNames(Option<&'static str>),
    SubjectSaNs,
    HasName,
    /// Per-container key in one of the container lists.
    Containers(&'static str, &'static [&'static str], ContainerMode),
    ContainerImage(bool),
    AnyPrivileged,
    EffRunAs(&'static str, &'static str),
    HostPort(&'static str),
    RulesField(&'static str),
    ServicePorts,
    VolumeHostpathKey,
    Volumes(&'static [&'static str]),
    VolumeTypes,
    SourceIps,
    JsonValue,
    JsonObj,
    JsonRawTime,
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ContainerMode {
    Strings,
    SkipNil,
    Repository,
}

const CONTAINERS: &str = "containers";
const INIT: &str = "initContainers";
const EPHEMERAL: &str = "ephemeralContainers";

fn kind_of(name: &str) -> Ka {
    use ContainerMode::*;
    if let Some(rest) = name.strip_prefix("ka.req.pod.") {
        for (list, key) in [
            ("containers.", CONTAINERS),
            ("initContainers.", INIT),
            ("ephemeralContainers.", EPHEMERAL),
        ] {
            if let Some(f) = rest.strip_prefix(list) {
                return match f {
                    "args" => Ka::Containers(key, &["args"], Strings),
                    "command" => Ka::Containers(key, &["command"], Strings),
                    "name" => Ka::Containers(key, &["name"], Strings),
                    "image" => Ka::Containers(key, &["image"], Strings),
                    "image.repository" => Ka::Containers(key, &["image"], Repository),
                    "privileged" => {
                        Ka::Containers(key, &["securityContext", "privileged"], SkipNil)
                    }
                    "allow_privilege_escalation" => Ka::Containers(
                        key,
                        &["securityContext", "allowPrivilegeEscalation"],
                        Strings,
                    ),
                    "read_only_fs" => {
                        Ka::Containers(key, &["securityContext", "readOnlyRootFilesystem"], Strings)
                    }
                    "run_as_user" => {
                        Ka::Containers(key, &["securityContext", "runAsUser"], Strings)
                    }
                    "run_as_group" => {
                        Ka::Containers(key, &["securityContext", "runAsGroup"], Strings)
                    }
                    "proc_mount" => Ka::Containers(key, &["securityContext", "procMount"], Strings),
                    "add_capabilities" => {
                        Ka::Containers(key, &["securityContext", "capabilities", "add"], Strings)
                    }
                    "eff_run_as_user" => Ka::EffRunAs(key, "runAsUser"),
                    "eff_run_as_group" => Ka::EffRunAs(key, "runAsGroup"),
                    "host_port" => Ka::HostPort(key),
                    _ => Ka::Unknown,
                };
            }
        }
    }
    match name {
        "ka.auditid" => Ka::Path(&["auditID"], false),
        "ka.stage" => Ka::Path(&["stage"], false),
        "ka.auth.decision" => Ka::Path(&["annotations", "authorization.k8s.io/decision"], false),
        "ka.auth.reason" => Ka::Path(&["annotations", "authorization.k8s.io/reason"], false),
        "ka.auth.openshift.decision" => Ka::Path(
            &["annotations", "authentication.openshift.io/decision"],
            false,
        ),
        "ka.validations.admission.policy.failure" => Ka::Path(
            &[
                "annotations",
                "validation.policy.admission.k8s.io/validation_failure",
            ],
            false,
        ),
        "ka.security.pod.violations" => Ka::Path(
            &["annotations", "pod-security.kubernetes.io/audit-violations"],
            false,
        ),
        "ka.auth.openshift.username" => Ka::Path(
            &["annotations", "authentication.openshift.io/username"],
            false,
        ),
        "ka.user.name" => Ka::Path(&["user", "username"], false),
        "ka.user.groups" => Ka::Path(&["user", "groups"], true),
        "ka.impuser.name" => Ka::Path(&["impersonatedUser", "username"], false),
        "ka.verb" => Ka::Path(&["verb"], false),
        "ka.uri" => Ka::Path(&["requestURI"], false),
        "ka.uri.param" => Ka::UriParam,
        "ka.target.name" | "ka.req.configmap.name" => Ka::Path(&["objectRef", "name"], false),
        "ka.target.namespace" => Ka::Path(&["objectRef", "namespace"], false),
        "ka.target.resource" => Ka::Path(&["objectRef", "resource"], false),
        "ka.target.subresource" => Ka::Path(&["objectRef", "subresource"], false),
        "ka.target.pod.name" => Ka::TargetPodName,
        "ka.req.binding.subjects" => Ka::Path(&["requestObject", "subjects"], true),
        "ka.req.binding.subjects.user_names" => Ka::SubjectNames(Some("User")),
        "ka.req.binding.subjects.serviceaccount_names" => Ka::SubjectNames(Some("ServiceAccount")),
        "ka.req.binding.subjects.group_names" => Ka::SubjectNames(Some("Group")),
        "ka.req.binding.subjects.serviceaccount_ns_names" => Ka::SubjectSaNs,
        "ka.req.binding.role" => Ka::Path(&["requestObject", "roleRef", "name"], false),
        "ka.req.binding.subject.has_name" => Ka::HasName,
        "ka.req.configmap.obj" => Ka::Path(&["requestObject", "data"], false),
        "ka.req.container.image" => Ka::ContainerImage(false),
        "ka.req.container.image.repository" => Ka::ContainerImage(true),
        "ka.req.pod.host_ipc" => Ka::Path(&["requestObject", "spec", "hostIPC"], false),
        "ka.req.pod.host_network" | "ka.req.container.host_network" => {
            Ka::Path(&["requestObject", "spec", "hostNetwork"], false)
        }
        "ka.req.pod.host_pid" => Ka::Path(&["requestObject", "spec", "hostPID"], false),
        "ka.req.container.privileged" => Ka::AnyPrivileged,
        "ka.req.pod.run_as_user" => Ka::Path(
            &["requestObject", "spec", "securityContext", "runAsUser"],
            false,
        ),
        "ka.req.pod.run_as_group" => Ka::Path(
            &["requestObject", "spec", "securityContext", "runAsGroup"],
            false,
        ),
        "ka.req.role.rules" => Ka::Path(&["requestObject", "rules"], true),
        "ka.req.role.rules.apiGroups" => Ka::RulesField("apiGroups"),
        "ka.req.role.rules.nonResourceURLs" => Ka::RulesField("nonResourceURLs"),
        "ka.req.role.rules.verbs" => Ka::RulesField("verbs"),
        "ka.req.role.rules.resources" => Ka::RulesField("resources"),
        "ka.req.pod.fs_group" => Ka::Path(
            &["requestObject", "spec", "securityContext", "fsGroup"],
            false,
        ),
        "ka.req.pod.supplemental_groups" => Ka::Path(
            &[
                "requestObject",
                "spec",
                "securityContext",
                "supplementalGroups",
            ],
            true,
        ),
        "ka.req.service.type" => Ka::Path(&["requestObject", "spec", "type"], false),
        "ka.req.service.ports" => Ka::ServicePorts,
        "ka.req.pod.volumes.hostpath" => Ka::Volumes(&["hostPath", "path"]),
        "ka.req.volume.hostpath" => Ka::VolumeHostpathKey,
        "ka.req.pod.volumes.flexvolume_driver" => Ka::Volumes(&["flexVolume", "driver"]),
        "ka.req.pod.volumes.volume_type" => Ka::VolumeTypes,
        "ka.resp.name" => Ka::Path(&["responseObject", "metadata", "name"], false),
        "ka.response.code" => Ka::Path(&["responseStatus", "code"], false),
        "ka.response.reason" => Ka::Path(&["responseStatus", "reason"], false),
        "ka.useragent" => Ka::Path(&["userAgent"], false),
        "ka.sourceips" => Ka::SourceIps,
        "ka.cluster.name" => Ka::Path(&["annotations", "cluster_name"], false),
        "json.value" | "jevt.value" => Ka::JsonValue,
        "json.obj" | "jevt.obj" => Ka::JsonObj,
        "json.rawtime" | "jevt.rawtime" => Ka::JsonRawTime,
        _ => Ka::Unknown,
    }
}

fn table() -> &'static [Ka] {
    static T: OnceLock<Vec<Ka>> = OnceLock::new();
    T.get_or_init(|| {
        let r = FieldRegistry::k8s_audit();
        (0..r.len())
            .map(|i| kind_of(&r.def(FieldId::try_from(i).unwrap_or(FieldId::MAX)).name))
            .collect()
    })
}

/// One Kubernetes audit event (an `audit.k8s.io` `Event` object).
#[derive(Debug, Clone)]
pub struct AuditEvent {
    /// The event JSON.
    pub json: Json,
    /// Compact JSON text of the event (for `json.obj`).
    text: String,
    ts: i64,
    is_audit: bool,
}

impl AuditEvent {
    /// Wraps a parsed event. `ts` is taken from `stageTimestamp` (or
    /// `requestReceivedTimestamp`) when it parses.
    pub fn new(json: Json) -> Self {
        let ts = ["stageTimestamp", "requestReceivedTimestamp"]
            .iter()
            .filter_map(|k| json.get(*k).and_then(Json::as_str))
            .find_map(|s| s.parse::<jiff::Timestamp>().ok())
            .map_or(0, |t| i64::try_from(t.as_nanosecond()).unwrap_or(0));
        let is_audit = json.get("auditID").is_some();
        let text = json.to_string();
        AuditEvent {
            json,
            text,
            ts,
            is_audit,
        }
    }

    /// Whether the JSON looks like an audit event (it has `auditID`); the k8saudit plugin
    /// reports other objects as "data not recognized as a k8s audit event".
    pub fn is_audit_event(&self) -> bool {
        self.is_audit
    }
}

fn get<'a>(v: &'a Json, path: &[&str]) -> Option<&'a Json> {
    path.iter().try_fold(v, |acc, k| match acc {
        Json::Object(m) => m.get(*k),
        Json::Array(a) => k.parse::<usize>().ok().and_then(|i| a.get(i)),
        _ => None,
    })
}

fn text(v: &Json) -> Value<'_> {
    match v {
        Json::String(s) => Value::Str(s.as_str().into()),
        other => Value::Str(other.to_string().into()),
    }
}

fn index_filter(arg: &FieldArg) -> Option<i64> {
    match arg {
        FieldArg::Index(i) => Some(*i),
        _ => None,
    }
}

fn array<'a>(v: &'a Json, path: &[&str], idx: Option<i64>) -> Option<Vec<&'a Json>> {
    let arr = get(v, path)?.as_array()?;
    match idx {
        None => Some(arr.iter().collect()),
        Some(i) => usize::try_from(i)
            .ok()
            .and_then(|i| arr.get(i))
            .map(|x| vec![x]),
    }
}

fn many(v: Vec<Value<'_>>) -> Values<'_> {
    if v.is_empty() {
        Values::Missing
    } else {
        Values::Many(v)
    }
}

fn json_pointer<'a>(v: &'a Json, ptr: &str) -> Option<&'a Json> {
    if ptr.is_empty() {
        return Some(v);
    }
    v.pointer(ptr)
}

impl Event for AuditEvent {
    fn event_type(&self) -> &str {
        "k8s_audit"
    }

    fn timestamp_ns(&self) -> i64 {
        self.ts
    }

    fn extract(&self, field: FieldId, arg: &FieldArg) -> Values<'_> {
        let kind = table()
            .get(usize::from(field))
            .copied()
            .unwrap_or(Ka::Unknown);
        let j = &self.json;
        match kind {
            Ka::JsonValue => {
                let Some(p) = arg.as_text() else {
                    return Values::Missing;
                };
                return json_pointer(j, &p).map_or(Values::Missing, |v| Values::One(text(v)));
            }
            Ka::JsonObj => return Values::One(Value::Str(self.text.as_str().into())),
            Ka::JsonRawTime => return Values::One(Value::Str(self.ts.to_string().into())),
            _ => {}
        }
        if !self.is_audit {
            return Values::Missing;
        }
        let idx = index_filter(arg);
        match kind {
            Ka::Path(p, list) => match get(j, p) {
                None => Values::Missing,
                Some(v) if list => match v.as_array() {
                    Some(a) => many(a.iter().map(text).collect()),
                    None => Values::Missing,
                },
                Some(v) => Values::One(text(v)),
            },
            Ka::UriParam => {
                let (Some(uri), Some(key)) = (
                    get(j, &["requestURI"]).and_then(Json::as_str),
                    arg.as_text(),
                ) else {
                    return Values::Missing;
                };
                let query = uri.split_once('?').map_or("", |(_, q)| q);
                query
                    .split('&')
                    .filter_map(|kv| kv.split_once('=').or(Some((kv, ""))))
                    .find(|(k, _)| percent_decode(k) == key)
                    .map_or(Values::Missing, |(_, v)| {
                        Values::One(Value::Str(percent_decode(v).into()))
                    })
            }
            Ka::TargetPodName => {
                let res = get(j, &["objectRef", "resource"]).and_then(Json::as_str);
                if res == Some("pods") && get(j, &["objectRef", "subresource"]).is_none() {
                    get(j, &["objectRef", "name"]).map_or(Values::Missing, |v| Values::One(text(v)))
                } else {
                    Values::Missing
                }
            }
            Ka::SubjectNames(kind) => {
                let Some(subs) = array(j, &["requestObject", "subjects"], None) else {
                    return Values::Missing;
                };
                many(
                    subs.iter()
                        .filter(|s| {
                            kind.is_none_or(|k| get(s, &["kind"]).and_then(Json::as_str) == Some(k))
                        })
                        .filter_map(|s| get(s, &["name"]).map(text))
                        .collect(),
                )
            }
            Ka::SubjectSaNs => {
                let Some(subs) = array(j, &["requestObject", "subjects"], None) else {
                    return Values::Missing;
                };
                many(
                    subs.iter()
                        .filter(|s| {
                            get(s, &["kind"]).and_then(Json::as_str) == Some("ServiceAccount")
                        })
                        .filter_map(|s| {
                            let ns = get(s, &["namespace"]).and_then(Json::as_str).unwrap_or("");
                            let n = get(s, &["name"]).and_then(Json::as_str)?;
                            Some(Value::Str(format!("{ns}:{n}").into()))
                        })
                        .collect(),
                )
            }
            Ka::HasName => Values::One(Value::Str("true".into())),
            Ka::Containers(list, keys, mode) => {
                let Some(cs) = array(j, &["requestObject", "spec", list], idx) else {
                    return Values::Missing;
                };
                let mut out = Vec::new();
                for c in cs {
                    match get(c, keys) {
                        Some(v) => out.push(match mode {
                            ContainerMode::Repository => {
                                Value::Str(repository(&text(v).to_text()).into())
                            }
                            _ => text(v),
                        }),
                        None if mode == ContainerMode::SkipNil => {}
                        None => return Values::Missing,
                    }
                }
                many(out)
            }
            Ka::ContainerImage(repo) => {
                let Some(cs) = array(j, &["requestObject", "spec", CONTAINERS], Some(0)) else {
                    return Values::Missing;
                };
                match cs.first().and_then(|c| get(c, &["image"])) {
                    Some(v) if repo => {
                        Values::One(Value::Str(repository(&text(v).to_text()).into()))
                    }
                    Some(v) => Values::One(text(v)),
                    None => Values::Missing,
                }
            }
            Ka::AnyPrivileged => {
                let Some(cs) = array(j, &["requestObject", "spec", CONTAINERS], None) else {
                    return Values::Missing;
                };
                let any = cs.iter().any(|c| {
                    get(c, &["securityContext", "privileged"]).and_then(Json::as_bool) == Some(true)
                });
                Values::One(Value::Str(if any { "true" } else { "false" }.into()))
            }
            Ka::EffRunAs(list, key) => {
                let pod = get(j, &["requestObject", "spec", "securityContext", key])
                    .map_or_else(|| "0".to_string(), |v| text(v).to_text());
                let Some(cs) = array(j, &["requestObject", "spec", list], idx) else {
                    return Values::Missing;
                };
                many(
                    cs.iter()
                        .map(|c| {
                            get(c, &["securityContext", key])
                                .map_or_else(|| Value::Str(pod.clone().into()), text)
                        })
                        .collect(),
                )
            }
            Ka::HostPort(list) => {
                let Some(cs) = array(j, &["requestObject", "spec", list], idx) else {
                    return Values::Missing;
                };
                let mut out = Vec::new();
                for c in cs {
                    let Some(ports) = get(c, &["ports"]).and_then(Json::as_array) else {
                        return Values::Missing;
                    };
                    for p in ports {
                        if let Some(v) =
                            get(p, &["hostPort"]).or_else(|| get(p, &["containerPort"]))
                        {
                            out.push(text(v));
                        }
                    }
                }
                many(out)
            }
            Ka::RulesField(key) => {
                let Some(rules) = array(j, &["requestObject", "rules"], idx) else {
                    return Values::Missing;
                };
                many(
                    rules
                        .iter()
                        .filter_map(|r| get(r, &[key]).and_then(Json::as_array))
                        .flat_map(|a| a.iter().filter(|x| !x.is_null()).map(text))
                        .collect(),
                )
            }
            Ka::ServicePorts => match array(j, &["requestObject", "spec", "ports"], idx) {
                Some(ps) => many(ps.into_iter().map(text).collect()),
                None => Values::Missing,
            },
            Ka::Volumes(keys) => {
                let Some(vs) = array(j, &["requestObject", "spec", "volumes"], idx) else {
                    return Values::Missing;
                };
                // Like the plugin: volumes without the key make the conversion fail.
                let mut out = Vec::new();
                for v in vs {
                    match get(v, keys) {
                        Some(x) => out.push(text(x)),
                        None => return Values::Missing,
                    }
                }
                many(out)
            }
            Ka::VolumeHostpathKey => {
                let Some(key) = arg.as_text() else {
                    return Values::Missing;
                };
                let Some(vs) = array(j, &["requestObject", "spec", "volumes"], None) else {
                    return Values::Missing;
                };
                let mut paths = Vec::new();
                for v in vs {
                    match get(v, &["hostPath", "path"]) {
                        Some(x) => paths.push(text(x).to_text()),
                        None => return Values::Missing,
                    }
                }
                let found = match key.strip_suffix('*') {
                    Some(prefix) => paths.iter().any(|p| p.starts_with(prefix) || *p == key),
                    None => paths.contains(&key),
                };
                Values::One(Value::Str(if found { "true" } else { "false" }.into()))
            }
            Ka::VolumeTypes => {
                let Some(vs) = array(j, &["requestObject", "spec", "volumes"], idx) else {
                    return Values::Missing;
                };
                let mut out = Vec::new();
                for v in vs {
                    let Some(m) = v.as_object() else {
                        return Values::Missing;
                    };
                    out.extend(
                        m.keys()
                            .filter(|k| *k != "name")
                            .map(|k| Value::Str(k.as_str().into())),
                    );
                }
                many(out)
            }
            Ka::SourceIps => {
                let Some(rules) = array(j, &["requestObject", "rules"], None) else {
                    return Values::Missing;
                };
                let mut out: Vec<Value<'_>> = rules
                    .iter()
                    .filter_map(|r| get(r, &["sourceIPs"]).and_then(Json::as_array))
                    .flat_map(|a| a.iter().map(text))
                    .collect();
                if let Some(i) = idx {
                    out = usize::try_from(i)
                        .ok()
                        .and_then(|i| out.get(i).cloned())
                        .into_iter()
                        .collect();
                }
                many(out)
            }
            Ka::JsonValue | Ka::JsonObj | Ka::JsonRawTime | Ka::Unknown => Values::Missing,
        }
    }
}

/// `repo[:tag][@digest]` → `repo`, as the plugin splits it.
fn repository(image: &str) -> String {
    image
        .split(':')
        .next()
        .unwrap_or("")
        .split('@')
        .next()
        .unwrap_or("")
        .to_string()
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => {
                match std::str::from_utf8(&b[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                {
                    Some(v) => {
                        out.push(v);
                        i += 3;
                    }
                    None => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_paths_and_lists() {
        let ev = AuditEvent::new(serde_json::json!({
            "auditID": "x", "verb": "create", "responseStatus": {"code": 201},
            "requestURI": "/api/v1/namespaces/default/pods/p/exec?command=sh&container=c",
            "requestObject": {"spec": {"containers": [
                {"image": "nginx:1.2", "securityContext": {"privileged": true}},
                {"image": "busybox@sha256:00"}
            ]}}
        }));
        let r = FieldRegistry::k8s_audit();
        let f = |n: &str, a: FieldArg| ev.extract(r.id(n).unwrap(), &a);
        assert_eq!(
            f("ka.verb", FieldArg::None),
            Values::One(Value::Str("create".into()))
        );
        assert_eq!(
            f("ka.response.code", FieldArg::None),
            Values::One(Value::Str("201".into()))
        );
        assert_eq!(
            f("ka.req.pod.containers.image.repository", FieldArg::None),
            Values::Many(vec![
                Value::Str("nginx".into()),
                Value::Str("busybox".into())
            ])
        );
        assert_eq!(
            f("ka.req.pod.containers.privileged", FieldArg::None),
            Values::Many(vec![Value::Str("true".into())])
        );
        assert_eq!(
            f("ka.uri.param", FieldArg::Key("command".into())),
            Values::One(Value::Str("sh".into()))
        );
        assert!(f("ka.target.subresource", FieldArg::None).is_missing());
        assert_eq!(
            f("jevt.value", FieldArg::Key("/verb".into())),
            Values::One(Value::Str("create".into()))
        );
    }
}
