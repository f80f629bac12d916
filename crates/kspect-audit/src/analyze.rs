//! kspect's own audit-log detections and the analyst's summary: who did what, what
//! was denied, and a timeline of the sensitive actions.
//!
//! Events are fed one at a time ([`Analyzer::observe`]); state is per principal and
//! bounded by the number of principals and secrets seen, not by the log length.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::net::IpAddr;

use serde::Serialize;
use serde_json::Value as Json;

use crate::reader::Origin;

/// Severity of a detection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Critical.
    Critical,
    /// High.
    High,
    /// Medium.
    Medium,
    /// Low.
    Low,
    /// Informational.
    Info,
}

impl Severity {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
            Severity::Info => "info",
        }
    }

    /// Parses a lower-case name.
    pub fn parse(s: &str) -> Option<Severity> {
        Some(match s.to_ascii_lowercase().as_str() {
            "critical" => Severity::Critical,
            "high" => Severity::High,
            "medium" => Severity::Medium,
            "low" => Severity::Low,
            "info" => Severity::Info,
            _ => return None,
        })
    }
}

/// The detections kspect runs on audit logs: (id, severity, title).
pub const DETECTIONS: &[(&str, Severity, &str)] = &[
    (
        "KSA001",
        Severity::Medium,
        "Secret read by a principal that had not read secrets before",
    ),
    (
        "KSA002",
        Severity::High,
        "Exec, attach or port-forward into a pod",
    ),
    (
        "KSA003",
        Severity::Medium,
        "Anonymous or unauthenticated request",
    ),
    ("KSA004", Severity::High, "Privileged pod created"),
    (
        "KSA005",
        Severity::High,
        "Pod with a hostPath volume created",
    ),
    ("KSA006", Severity::Critical, "Binding to cluster-admin"),
    ("KSA007", Severity::Medium, "RBAC object changed"),
    ("KSA008", Severity::Medium, "Burst of denied requests"),
    (
        "KSA009",
        Severity::High,
        "Service-account token used from outside the cluster",
    ),
];

/// One detection.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Detection {
    /// Detection id (`KSA002`).
    pub id: &'static str,
    /// Severity.
    pub severity: Severity,
    /// Title.
    pub title: &'static str,
    /// What happened, in a sentence.
    pub message: String,
    /// Principal.
    pub user: String,
    /// Event time (RFC 3339 as logged).
    pub time: String,
    /// `auditID`.
    pub audit_id: String,
    /// `file:line` of the event.
    pub location: String,
    /// File of the event (for report locations; `location` is its text form).
    #[serde(skip)]
    pub file: String,
    /// Line of the event in `file`, from 1.
    #[serde(skip)]
    pub line: u64,
}

/// A request that was denied.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Denied {
    /// Time.
    pub time: String,
    /// Principal.
    pub user: String,
    /// Verb.
    pub verb: String,
    /// What (resource, namespace/name or URL).
    pub target: String,
    /// HTTP code.
    pub code: i64,
    /// Server message.
    pub message: String,
}

/// Per-principal activity.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Principal {
    /// Requests.
    pub requests: u64,
    /// Denied requests (401/403).
    pub denied: u64,
    /// Counts by `verb resource`.
    pub actions: BTreeMap<String, u64>,
    /// Source addresses (last, trusted entry of `sourceIPs`).
    pub source_ips: Vec<String>,
}

/// The analysis of a set of logs.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Report {
    /// Requests analysed (one per `auditID` and stage).
    pub events: u64,
    /// Duplicate stage events skipped.
    pub duplicates: u64,
    /// Earliest time seen.
    pub first: Option<String>,
    /// Latest time seen.
    pub last: Option<String>,
    /// Detections, in log order.
    pub detections: Vec<Detection>,
    /// Who did what.
    pub principals: BTreeMap<String, Principal>,
    /// What was denied.
    pub denied: Vec<Denied>,
    /// Pod creations whose body was not logged (level Metadata): privileged/hostPath
    /// checks could not be made.
    pub uninspectable_pod_writes: u64,
}

impl Report {
    /// Detections sorted by time: the timeline of sensitive actions.
    pub fn timeline(&self) -> Vec<&Detection> {
        let mut v: Vec<&Detection> = self.detections.iter().collect();
        v.sort_by(|a, b| a.time.cmp(&b.time));
        v
    }
}

/// Burst detector settings.
pub const BURST_COUNT: usize = 3;
/// Window of the burst detector, in seconds.
pub const BURST_WINDOW_S: i64 = 60;

/// Streams events into a [`Report`].
#[derive(Debug, Default)]
pub struct Analyzer {
    report: Report,
    seen: HashSet<(String, String)>,
    flagged_requests: HashSet<(&'static str, String)>,
    secret_readers: HashSet<String>,
    denials: HashMap<String, VecDeque<i64>>,
    bursting: HashSet<String>,
    outside: HashSet<(String, String)>,
}

fn s<'a>(v: &'a Json, path: &[&str]) -> &'a str {
    path.iter()
        .try_fold(v, |acc, k| acc.get(*k))
        .and_then(Json::as_str)
        .unwrap_or("")
}

fn ts_seconds(t: &str) -> Option<i64> {
    t.parse::<jiff::Timestamp>().ok().map(|x| x.as_second())
}

/// The identity that acted: the impersonated user when impersonation was used.
pub fn principal(ev: &Json) -> String {
    let imp = s(ev, &["impersonatedUser", "username"]);
    if imp.is_empty() {
        s(ev, &["user", "username"]).to_string()
    } else {
        format!("{imp} (as {})", s(ev, &["user", "username"]))
    }
}

fn groups(ev: &Json) -> Vec<&str> {
    ev.get("user")
        .and_then(|u| u.get("groups"))
        .and_then(Json::as_array)
        .map(|a| a.iter().filter_map(Json::as_str).collect())
        .unwrap_or_default()
}

fn target(ev: &Json) -> String {
    let r = ev.get("objectRef");
    match r {
        None => s(ev, &["requestURI"]).to_string(),
        Some(_) => {
            let mut t = s(ev, &["objectRef", "resource"]).to_string();
            let sub = s(ev, &["objectRef", "subresource"]);
            if !sub.is_empty() {
                t = format!("{t}/{sub}");
            }
            let ns = s(ev, &["objectRef", "namespace"]);
            let name = s(ev, &["objectRef", "name"]);
            match (ns.is_empty(), name.is_empty()) {
                (false, false) => format!("{t} {ns}/{name}"),
                (false, true) => format!("{t} in {ns}"),
                (true, false) => format!("{t} {name}"),
                (true, true) => t,
            }
        }
    }
}

fn is_system_controller(user: &str) -> bool {
    user.starts_with("system:kube-")
        || user.starts_with("system:node:")
        || user.starts_with("system:serviceaccount:kube-system:")
        || user == "system:apiserver"
}

fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v) => {
            v.is_private()
                || v.is_loopback()
                || v.is_link_local()
                || v.octets()[0] == 100 && (64..128).contains(&v.octets()[1])
        }
        IpAddr::V6(v) => {
            v.is_loopback()
                || (v.segments()[0] & 0xfe00) == 0xfc00
                || (v.segments()[0] & 0xffc0) == 0xfe80
        }
    }
}

/// Shell-decodes `command=` parameters of an exec URI (`%2F` and `+`).
pub fn exec_command(uri: &str) -> Vec<String> {
    let Some(q) = uri.split_once('?').map(|x| x.1) else {
        return Vec::new();
    };
    q.split('&')
        .filter_map(|kv| kv.strip_prefix("command="))
        .map(percent_decode)
        .collect()
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
                    .ok_or(())
                {
                    Ok(x) => {
                        out.push(x);
                        i += 3;
                        continue;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn pod_specs(obj: &Json) -> Vec<&Json> {
    let mut v = Vec::new();
    if let Some(spec) = obj.get("spec") {
        if spec.get("containers").is_some() {
            v.push(spec);
        }
        if let Some(t) = spec.pointer("/template/spec") {
            v.push(t);
        }
        if let Some(t) = spec.pointer("/jobTemplate/spec/template/spec") {
            v.push(t);
        }
    }
    v
}

fn containers(spec: &Json) -> impl Iterator<Item = &Json> {
    ["initContainers", "containers", "ephemeralContainers"]
        .into_iter()
        .filter_map(|k| spec.get(k).and_then(Json::as_array))
        .flatten()
}

impl Analyzer {
    /// A fresh analyzer.
    pub fn new() -> Self {
        Analyzer::default()
    }

    fn detect(&mut self, idx: usize, ev: &Json, origin: &Origin, message: String) {
        let (id, severity, title) = DETECTIONS[idx];
        let audit_id = s(ev, &["auditID"]).to_string();
        // One detection of a kind per request, whatever the number of stage events.
        if !self
            .flagged_requests
            .insert((id, format!("{audit_id}|{}", s(ev, &["requestURI"]))))
        {
            return;
        }
        let time = [
            s(ev, &["stageTimestamp"]),
            s(ev, &["requestReceivedTimestamp"]),
            s(ev, &["timestamp"]),
        ]
        .into_iter()
        .find(|t| !t.is_empty())
        .unwrap_or("")
        .to_string();
        self.report.detections.push(Detection {
            id,
            severity,
            title,
            message,
            user: principal(ev),
            time,
            audit_id,
            location: origin.to_string(),
            file: origin.file.display().to_string(),
            line: origin.line,
        });
    }

    /// Takes one event.
    pub fn observe(&mut self, origin: &Origin, ev: &Json) {
        let stage = s(ev, &["stage"]);
        let key = (
            s(ev, &["auditID"]).to_string(),
            format!(
                "{stage}|{}|{}",
                s(ev, &["requestURI"]),
                s(ev, &["stageTimestamp"])
            ),
        );
        if !self.seen.insert(key) {
            self.report.duplicates += 1;
            return;
        }
        // The request was only received: it is counted when it completes.
        if stage == "RequestReceived" {
            return;
        }
        self.report.events += 1;
        let time = [
            s(ev, &["stageTimestamp"]),
            s(ev, &["requestReceivedTimestamp"]),
            s(ev, &["timestamp"]),
        ]
        .into_iter()
        .find(|t| !t.is_empty())
        .unwrap_or("")
        .to_string();
        if !time.is_empty() {
            if self.report.first.as_ref().is_none_or(|f| time < *f) {
                self.report.first = Some(time.clone());
            }
            if self.report.last.as_ref().is_none_or(|l| time > *l) {
                self.report.last = Some(time.clone());
            }
        }
        let user = principal(ev);
        let raw_user = s(ev, &["user", "username"]).to_string();
        let verb = s(ev, &["verb"]).to_string();
        let resource = s(ev, &["objectRef", "resource"]).to_string();
        let sub = s(ev, &["objectRef", "subresource"]).to_string();
        let code = ev
            .pointer("/responseStatus/code")
            .and_then(Json::as_i64)
            .unwrap_or(0);
        let denied = code == 401 || code == 403;
        let allowed = (1..400).contains(&code);
        let src = ev
            .get("sourceIPs")
            .and_then(Json::as_array)
            .and_then(|a| a.last())
            .and_then(Json::as_str)
            .unwrap_or("")
            .to_string();

        let p = self.report.principals.entry(user.clone()).or_default();
        p.requests += 1;
        let what = if resource.is_empty() {
            format!(
                "{verb} {}",
                s(ev, &["requestURI"]).split('?').next().unwrap_or("")
            )
        } else if sub.is_empty() {
            format!("{verb} {resource}")
        } else {
            format!("{verb} {resource}/{sub}")
        };
        *p.actions.entry(what).or_default() += 1;
        if !src.is_empty() && !p.source_ips.contains(&src) && p.source_ips.len() < 16 {
            p.source_ips.push(src.clone());
        }
        if denied {
            p.denied += 1;
            self.report.denied.push(Denied {
                time: time.clone(),
                user: user.clone(),
                verb: verb.clone(),
                target: target(ev),
                code,
                message: s(ev, &["responseStatus", "message"]).to_string(),
            });
        }

        // KSA001: first secret read by a principal.
        if resource == "secrets"
            && matches!(verb.as_str(), "get" | "list" | "watch")
            && allowed
            && !is_system_controller(&raw_user)
            && self.secret_readers.insert(user.clone())
        {
            self.detect(
                0,
                ev,
                origin,
                format!(
                    "{user} read {} (first secret read by this principal in the log)",
                    target(ev)
                ),
            );
        }
        // KSA002: exec / attach / port-forward.
        if resource == "pods"
            && matches!(sub.as_str(), "exec" | "attach" | "portforward")
            && !denied
        {
            let cmd = exec_command(s(ev, &["requestURI"]));
            let extra = if cmd.is_empty() {
                String::new()
            } else {
                format!(" running `{}`", cmd.join(" "))
            };
            self.detect(
                1,
                ev,
                origin,
                format!("{user} used {sub} on {}{extra}", target(ev)),
            );
        }
        // KSA003: anonymous.
        let anon = raw_user == "system:anonymous" || groups(ev).contains(&"system:unauthenticated");
        if anon {
            let how = if allowed {
                "was allowed"
            } else {
                "was refused"
            };
            self.detect(
                2,
                ev,
                origin,
                format!("unauthenticated {verb} {} {how} (code {code})", target(ev)),
            );
        }
        // KSA004/KSA005: privileged or hostPath pods (and workload templates).
        let writes = matches!(verb.as_str(), "create" | "update" | "patch");
        let workload = matches!(
            resource.as_str(),
            "pods"
                | "deployments"
                | "daemonsets"
                | "statefulsets"
                | "replicasets"
                | "jobs"
                | "cronjobs"
                | "replicationcontrollers"
        );
        if writes && workload && sub.is_empty() && !denied {
            match ev.get("requestObject") {
                None => self.report.uninspectable_pod_writes += 1,
                Some(obj) => {
                    let specs = pod_specs(obj);
                    let privileged: Vec<String> = specs
                        .iter()
                        .flat_map(|sp| containers(sp))
                        .filter(|c| {
                            c.pointer("/securityContext/privileged")
                                .and_then(Json::as_bool)
                                == Some(true)
                        })
                        .map(|c| s(c, &["name"]).to_string())
                        .collect();
                    if !privileged.is_empty() {
                        self.detect(
                            3,
                            ev,
                            origin,
                            format!(
                                "{user} {verb}d {} with privileged container(s) {}",
                                target(ev),
                                privileged.join(", ")
                            ),
                        );
                    }
                    let host_paths: Vec<String> = specs
                        .iter()
                        .filter_map(|sp| sp.get("volumes").and_then(Json::as_array))
                        .flatten()
                        .filter_map(|v| v.pointer("/hostPath/path").and_then(Json::as_str))
                        .map(str::to_string)
                        .collect();
                    if !host_paths.is_empty() {
                        self.detect(
                            4,
                            ev,
                            origin,
                            format!(
                                "{user} {verb}d {} mounting host path(s) {}",
                                target(ev),
                                host_paths.join(", ")
                            ),
                        );
                    }
                }
            }
        }
        // KSA006/KSA007: RBAC.
        let rbac = matches!(
            resource.as_str(),
            "roles" | "clusterroles" | "rolebindings" | "clusterrolebindings"
        );
        let rbac_write = matches!(
            verb.as_str(),
            "create" | "update" | "patch" | "delete" | "deletecollection"
        );
        if rbac && writes && !denied && resource.ends_with("bindings") {
            let role = ev
                .pointer("/requestObject/roleRef/name")
                .or_else(|| ev.pointer("/responseObject/roleRef/name"))
                .and_then(Json::as_str);
            if role == Some("cluster-admin") {
                self.detect(
                    5,
                    ev,
                    origin,
                    format!("{user} {verb}d {} binding cluster-admin", target(ev)),
                );
            }
        }
        if rbac && rbac_write && !denied && !is_system_controller(&raw_user) {
            self.detect(6, ev, origin, format!("{user} {verb}d {}", target(ev)));
        }
        // KSA008: bursts of denials.
        if code == 403 {
            if let Some(t) = ts_seconds(&time) {
                let q = self.denials.entry(user.clone()).or_default();
                q.push_back(t);
                while q.front().is_some_and(|f| t - *f > BURST_WINDOW_S) {
                    q.pop_front();
                }
                if q.len() >= BURST_COUNT {
                    if self.bursting.insert(user.clone()) {
                        let n = q.len();
                        self.detect(
                            7,
                            ev,
                            origin,
                            format!("{user} was denied {n} times within {BURST_WINDOW_S}s"),
                        );
                    }
                } else if q.len() <= 1 {
                    self.bursting.remove(&user);
                }
            }
        }
        // KSA009: service-account token from outside.
        if raw_user.starts_with("system:serviceaccount:") && !denied {
            if let Ok(ip) = src.parse::<IpAddr>() {
                if !is_internal(ip) && self.outside.insert((raw_user.clone(), src.clone())) {
                    self.detect(
                        8,
                        ev,
                        origin,
                        format!("{raw_user} used from {src}, an address outside private ranges"),
                    );
                }
            }
        }
    }

    /// The report so far.
    pub fn report(&self) -> &Report {
        &self.report
    }

    /// Ends the analysis.
    pub fn finish(self) -> Report {
        self.report
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn o() -> Origin {
        Origin {
            file: PathBuf::from("f"),
            line: 1,
            item: None,
            wrapper: None,
        }
    }

    #[test]
    fn exec_commands_decode() {
        assert_eq!(
            exec_command(
                "/api/v1/namespaces/default/pods/x/exec?command=bash&command=-c&command=ls%20%2Ftmp&container=c"
            ),
            ["bash", "-c", "ls /tmp"]
        );
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }

    #[test]
    fn bursts_and_stage_dedup() {
        let mut a = Analyzer::new();
        for i in 0..4 {
            let ev = serde_json::json!({"auditID": format!("id{i}"), "stage": "ResponseComplete", "verb": "list",
                "user": {"username": "bob"}, "objectRef": {"resource": "pods"}, "responseStatus": {"code": 403},
                "stageTimestamp": format!("2020-01-01T00:00:0{i}Z")});
            a.observe(&o(), &ev);
            a.observe(&o(), &ev);
        }
        let r = a.finish();
        assert_eq!(r.events, 4);
        assert_eq!(r.duplicates, 4);
        assert_eq!(r.detections.iter().filter(|d| d.id == "KSA008").count(), 1);
        assert_eq!(r.denied.len(), 4);
    }

    #[test]
    fn outside_addresses() {
        assert!(is_internal("10.1.2.3".parse().unwrap()));
        assert!(is_internal("fd00::1".parse().unwrap()));
        assert!(!is_internal("8.8.8.8".parse().unwrap()));
    }
}
