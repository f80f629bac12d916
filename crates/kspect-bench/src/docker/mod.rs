//! The CIS Docker Benchmark checks (docker-bench-security 1.6.0) that can be decided from
//! `daemon.json`, the `dockerd` command line, systemd units, file modes, audit rules,
//! `docker info` and `docker inspect`.
//!
//! Statuses: a failed automated check is FAIL (docker-bench prints WARN), a failed
//! manual or informational one WARN or INFO as docker-bench prints it; checks that need
//! to run something inside containers or on the host (`docker exec`, `ss`,
//! `docker history`) are INFO with the reason.

pub mod client;

use std::path::Path;

use serde_json::Value;

use crate::cmdline::{CommandLine, Origin};
use crate::fs::{FileKind, NodeFs};
use crate::result::{CheckResult, Report, Status};
use crate::systemd;

/// Everything the Docker checks look at.
pub struct DockerFacts<'a> {
    /// The host's files.
    pub fs: &'a dyn NodeFs,
    /// The `dockerd` command line, when known.
    pub dockerd: Option<CommandLine>,
    /// Where the command line came from.
    pub dockerd_source: String,
    /// Path and content of the daemon configuration file.
    pub daemon_json: Option<(String, Value)>,
    /// `docker info`.
    pub info: Option<Value>,
    /// `docker inspect` of the running containers.
    pub containers: Vec<Value>,
    /// Problems met while gathering.
    pub notes: Vec<String>,
}

/// Errors reading saved `docker info` / `docker inspect` files.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// Unreadable file.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The error.
        source: std::io::Error,
    },
    /// Not JSON of the expected shape.
    #[error("{path}: {message}")]
    Format {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
}

/// Reads a saved `docker inspect` output: a JSON array of containers (or one object).
pub fn load_inspect(path: &Path) -> Result<Vec<Value>, LoadError> {
    let p = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| LoadError::Io {
        path: p.clone(),
        source,
    })?;
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Array(a)) => Ok(a),
        Ok(v @ Value::Object(_)) => Ok(vec![v]),
        Ok(_) => Err(LoadError::Format {
            path: p,
            message: "expected a JSON array of containers".into(),
        }),
        Err(e) => Err(LoadError::Format {
            path: p,
            message: format!("invalid JSON: {e}"),
        }),
    }
}

/// Reads a saved `docker info --format '{{json .}}'` output.
pub fn load_info(path: &Path) -> Result<Value, LoadError> {
    let p = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| LoadError::Io {
        path: p.clone(),
        source,
    })?;
    match serde_json::from_str::<Value>(&text) {
        Ok(v @ Value::Object(_)) => Ok(v),
        Ok(_) => Err(LoadError::Format {
            path: p,
            message: "expected a JSON object".into(),
        }),
        Err(e) => Err(LoadError::Format {
            path: p,
            message: format!("invalid JSON: {e}"),
        }),
    }
}

impl<'a> DockerFacts<'a> {
    /// Gathers the host side: the `dockerd` command line (from `/proc` when `proc_dir`
    /// is given, else from the `docker.service` unit) and the daemon configuration file.
    /// `info` and `containers` come from the API or from saved files.
    pub fn gather(
        fs: &'a dyn NodeFs,
        proc_dir: Option<&Path>,
        info: Option<Value>,
        containers: Vec<Value>,
    ) -> DockerFacts<'a> {
        let mut notes = Vec::new();
        let (dockerd, dockerd_source) = match proc_dir.and_then(live_dockerd) {
            Some((c, s)) => (Some(c), s),
            None => match systemd::service_command(fs, "docker.service") {
                Some(svc) => (
                    Some(svc.command),
                    format!("docker.service ({})", svc.unit.all().join(", ")),
                ),
                None => (
                    None,
                    "no dockerd process or docker.service unit found".to_string(),
                ),
            },
        };
        let config_path = dockerd
            .as_ref()
            .and_then(|c| c.get("config-file"))
            .and_then(|f| f.value.clone())
            .filter(|p| fs.exists(p))
            .unwrap_or_else(|| "/etc/docker/daemon.json".to_string());
        let daemon_json =
            fs.read_text(&config_path)
                .and_then(|t| match serde_json::from_str::<Value>(&t) {
                    Ok(v) => Some((config_path.clone(), v)),
                    Err(e) => {
                        notes.push(format!("{config_path}: invalid JSON: {e}"));
                        None
                    }
                });
        DockerFacts {
            fs,
            dockerd,
            dockerd_source,
            daemon_json,
            info,
            containers,
            notes,
        }
    }

    fn config(&self, key: &str) -> Option<&Value> {
        self.daemon_json
            .as_ref()
            .and_then(|(_, v)| v.get(key))
            .filter(|v| !v.is_null())
    }

    fn config_path(&self) -> &str {
        self.daemon_json
            .as_ref()
            .map(|(p, _)| p.as_str())
            .unwrap_or("/etc/docker/daemon.json")
    }

    /// Every value of a dockerd flag (long or short name).
    fn flag_values(&self, names: &[&str]) -> Vec<String> {
        let Some(c) = &self.dockerd else {
            return Vec::new();
        };
        c.flags
            .iter()
            .filter(|f| names.contains(&f.name.as_str()))
            .map(|f| f.value.clone().unwrap_or_else(|| "true".to_string()))
            .collect()
    }

    fn info_str(&self, key: &str) -> Option<&str> {
        self.info
            .as_ref()
            .and_then(|i| i.get(key))
            .and_then(Value::as_str)
    }

    fn swarm_active(&self) -> bool {
        self.info
            .as_ref()
            .and_then(|i| i.pointer("/Swarm/LocalNodeState"))
            .and_then(Value::as_str)
            .is_some_and(|s| s != "inactive" && !s.is_empty())
    }
}

fn live_dockerd(proc_dir: &Path) -> Option<(CommandLine, String)> {
    let mut best: Option<(u32, Vec<String>)> = None;
    for e in std::fs::read_dir(proc_dir).ok()?.flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else {
            continue;
        };
        let Ok(raw) = std::fs::read(e.path().join("cmdline")) else {
            continue;
        };
        let args: Vec<String> = raw
            .split(|b| *b == 0)
            .filter(|a| !a.is_empty())
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        if args
            .first()
            .is_some_and(|a| a.rsplit('/').next() == Some("dockerd"))
            && best.as_ref().is_none_or(|(p, _)| pid > *p)
        {
            best = Some((pid, args));
        }
    }
    best.map(|(pid, args)| {
        let src = format!("/proc/{pid}/cmdline");
        (
            CommandLine::from_strings(&args, &Origin::file(src.clone())),
            src,
        )
    })
}

/// Every check ID this module reports.
pub const CHECK_IDS: &[&str] = &[
    "1.1.1", "1.1.2", "1.1.3", "1.1.4", "1.1.5", "1.1.6", "1.1.7", "1.1.8", "1.1.9", "1.1.10",
    "1.1.11", "1.1.12", "1.1.13", "1.1.14", "1.1.15", "1.1.16", "1.1.17", "1.1.18", "1.2.1",
    "1.2.2", "2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "2.7", "2.8", "2.9", "2.10", "2.11", "2.12",
    "2.13", "2.14", "2.15", "2.16", "2.17", "2.18", "3.1", "3.2", "3.3", "3.4", "3.5", "3.6",
    "3.7", "3.8", "3.9", "3.10", "3.11", "3.12", "3.13", "3.14", "3.15", "3.16", "3.17", "3.18",
    "3.19", "3.20", "3.21", "3.22", "3.23", "3.24", "4.1", "4.2", "4.3", "4.4", "4.5", "4.6",
    "4.7", "4.8", "4.9", "4.10", "4.11", "4.12", "5.1", "5.2", "5.3", "5.4", "5.5", "5.6", "5.7",
    "5.8", "5.9", "5.10", "5.11", "5.12", "5.13", "5.14", "5.15", "5.16", "5.17", "5.18", "5.19",
    "5.20", "5.21", "5.22", "5.23", "5.24", "5.25", "5.26", "5.27", "5.28", "5.29", "5.30", "5.31",
    "5.32", "6.1", "6.2", "7.1", "7.2", "7.3", "7.4", "7.5", "7.6", "7.7", "7.8", "7.9", "C.5.3.1",
    "C.5.3.2", "C.5.3.3", "C.5.3.4",
];

struct Out {
    results: Vec<CheckResult>,
}

impl Out {
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        id: &str,
        title: &str,
        scored: bool,
        status: Status,
        evidence: impl Into<String>,
        remediation: &str,
    ) {
        let group = match id.strip_prefix("C.") {
            Some(_) => "C".to_string(),
            None => match id.split('.').collect::<Vec<_>>().as_slice() {
                [a, b, _] => format!("{a}.{b}"),
                [a, _] => (*a).to_string(),
                _ => id.to_string(),
            },
        };
        let section = group.split('.').next().unwrap_or("").to_string();
        self.results.push(CheckResult {
            id: id.to_string(),
            group,
            title: title.to_string(),
            target: format!("docker-{section}"),
            scored,
            status,
            evidence: evidence.into(),
            remediation: remediation.to_string(),
            kube_bench_status: None,
            note: None,
            expected: String::new(),
            audit: String::new(),
            actual: String::new(),
            kind: if scored {
                String::new()
            } else {
                "manual".to_string()
            },
            source: None,
            sources: Vec::new(),
        });
    }

    /// Records where the last result's evidence was read.
    fn source(&mut self, origin: Origin) {
        if let Some(r) = self.results.last_mut() {
            r.set_sources([origin]);
        }
    }

    fn note(&mut self, note: impl Into<String>) {
        if let Some(r) = self.results.last_mut() {
            r.note = Some(note.into());
        }
    }

    /// A scored check: PASS when `bad` is empty, else FAIL listing it.
    fn scored(
        &mut self,
        id: &str,
        title: &str,
        bad: Vec<String>,
        ok_text: &str,
        remediation: &str,
    ) {
        if bad.is_empty() {
            self.push(id, title, true, Status::Pass, ok_text, remediation);
        } else {
            self.push(id, title, true, Status::Fail, bad.join("; "), remediation);
        }
    }
}

fn name_of(c: &Value) -> String {
    c.get("Name")
        .and_then(Value::as_str)
        .unwrap_or("?")
        .trim_start_matches('/')
        .to_string()
}

fn s<'v>(c: &'v Value, ptr: &str) -> &'v str {
    c.pointer(ptr).and_then(Value::as_str).unwrap_or("")
}

fn arr<'v>(c: &'v Value, ptr: &str) -> Vec<&'v Value> {
    c.pointer(ptr)
        .and_then(Value::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

fn num(c: &Value, ptr: &str) -> Option<i64> {
    c.pointer(ptr).and_then(Value::as_i64)
}

/// Docker's default capability set.
const DEFAULT_CAPS: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "NET_RAW",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

/// Host ports published by a container: `(container port, host ip, host port)`.
fn published(c: &Value) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    if let Some(ports) = c
        .pointer("/NetworkSettings/Ports")
        .and_then(Value::as_object)
    {
        for (cport, binds) in ports {
            for b in binds.as_array().into_iter().flatten() {
                out.push((
                    cport.clone(),
                    b.get("HostIp")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string(),
                    b.get("HostPort")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string(),
                ));
            }
        }
    }
    out
}

/// Runs the Docker benchmark.
pub fn run(f: &DockerFacts) -> Report {
    let mut o = Out {
        results: Vec::new(),
    };
    host_checks(f, &mut o);
    daemon_checks(f, &mut o);
    locate_daemon_settings(f, &mut o);
    file_checks(f, &mut o);
    container_checks(f, &mut o);
    let mut notes = f.notes.clone();
    notes.push(format!("dockerd command line: {}", f.dockerd_source));
    if f.info.is_none() {
        notes.push("no `docker info` (no --info file and no daemon reachable): checks that need it are INFO".to_string());
    }
    let mut targets: Vec<String> = Vec::new();
    for r in &o.results {
        if !targets.contains(&r.target) {
            targets.push(r.target.clone());
        }
    }
    Report {
        benchmark: "cis-docker-1.6.0".to_string(),
        benchmark_source: "docker-bench-security 1.6.0 (CIS Docker Benchmark 1.6.0)".to_string(),
        targets,
        checks: o.results,
        notes,
    }
}

fn audit_rules(fs: &dyn NodeFs) -> Option<String> {
    let mut text = String::new();
    let mut any = false;
    if let Some(t) = fs.read_text("/etc/audit/audit.rules") {
        text.push_str(&t);
        any = true;
    }
    for n in fs.read_dir("/etc/audit/rules.d").unwrap_or_default() {
        if n.ends_with(".rules")
            && let Some(t) = fs.read_text(&format!("/etc/audit/rules.d/{n}"))
        {
            text.push('\n');
            text.push_str(&t);
            any = true;
        }
    }
    any.then(|| {
        text.lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .collect::<Vec<_>>()
            .join("\n")
    })
}

/// docker-bench's `get_service_file`.
fn service_file(fs: &dyn NodeFs, name: &str) -> Option<String> {
    [
        "/etc/systemd/system",
        "/lib/systemd/system",
        "/usr/lib/systemd/system",
    ]
    .iter()
    .map(|d| format!("{d}/{name}"))
    .find(|p| fs.exists(p))
}

fn host_checks(f: &DockerFacts, o: &mut Out) {
    let root_dir = f
        .info_str("DockerRootDir")
        .unwrap_or("/var/lib/docker")
        .to_string();
    match f.fs.read_text("/proc/mounts") {
        Some(m) => {
            let mounted = m
                .lines()
                .any(|l| l.split_whitespace().nth(1) == Some(root_dir.as_str()));
            o.push(
                "1.1.1",
                "A separate partition for containers has been created",
                true,
                Status::of(mounted, true),
                format!(
                    "{root_dir} {} a mount point",
                    if mounted { "is" } else { "is not" }
                ),
                "Mount the Docker root directory on its own partition",
            );
        }
        None => o.push(
            "1.1.1",
            "A separate partition for containers has been created",
            true,
            Status::Info,
            format!("cannot tell whether {root_dir} is a mount point (no /proc/mounts)"),
            "Mount the Docker root directory on its own partition",
        ),
    }
    let members =
        f.fs.read_text("/etc/group")
            .and_then(|g| {
                g.lines()
                    .find(|l| l.starts_with("docker:"))
                    .map(|l| l.rsplit(':').next().unwrap_or("").to_string())
            })
            .unwrap_or_default();
    o.push(
        "1.1.2",
        "Only trusted users are allowed to control the Docker daemon",
        false,
        Status::Info,
        if members.is_empty() {
            "group docker has no members".to_string()
        } else {
            format!("members of group docker: {members}")
        },
        "Remove untrusted users from the docker group",
    );
    let rules = audit_rules(f.fs);
    let containerd_sock = service_file(f.fs, "containerd.sock")
        .unwrap_or_else(|| "/run/containerd/containerd.sock".into());
    let targets: [(&str, String, bool); 16] = [
        ("1.1.3", "/usr/bin/dockerd".into(), true),
        ("1.1.4", "/run/containerd".into(), true),
        ("1.1.5", "/var/lib/docker".into(), false),
        ("1.1.6", "/etc/docker".into(), false),
        (
            "1.1.7",
            service_file(f.fs, "docker.service").unwrap_or_else(|| "docker.service".into()),
            false,
        ),
        ("1.1.8", containerd_sock, false),
        (
            "1.1.9",
            service_file(f.fs, "docker.socket").unwrap_or_else(|| "docker.socket".into()),
            false,
        ),
        ("1.1.10", "/etc/default/docker".into(), false),
        ("1.1.11", "/etc/docker/daemon.json".into(), false),
        ("1.1.12", "/etc/containerd/config.toml".into(), false),
        ("1.1.13", "/etc/sysconfig/docker".into(), false),
        ("1.1.14", "/usr/bin/containerd".into(), false),
        ("1.1.15", "/usr/bin/containerd-shim".into(), false),
        ("1.1.16", "/usr/bin/containerd-shim-runc-v1".into(), false),
        ("1.1.17", "/usr/bin/containerd-shim-runc-v2".into(), false),
        ("1.1.18", "/usr/bin/runc".into(), false),
    ];
    for (id, path, always) in targets {
        let title = format!("Auditing is configured for {path}");
        if !always && !f.fs.exists(&path) {
            o.push(
                id,
                &title,
                true,
                Status::Info,
                format!("{path} does not exist"),
                "Add an audit rule (-w PATH -k docker) when the file exists",
            );
            continue;
        }
        let has = rules
            .as_deref()
            .is_some_and(|r| r.lines().any(|l| l.contains(path.as_str())));
        let ev = match &rules {
            None => "no audit rules found (/etc/audit/audit.rules, /etc/audit/rules.d/*.rules)"
                .to_string(),
            Some(_) if has => format!("an audit rule watches {path}"),
            Some(_) => format!("no audit rule mentions {path}"),
        };
        o.push(
            id,
            &title,
            true,
            Status::of(has, true),
            ev,
            "Add `-w PATH -k docker` to /etc/audit/rules.d/docker.rules and reload auditd",
        );
    }
    o.push(
        "1.2.1",
        "The container host has been hardened",
        false,
        Status::Info,
        "manual review",
        "Harden the host (CIS benchmark of its OS)",
    );
    o.push(
        "1.2.2",
        "The version of Docker is up to date",
        false,
        Status::Info,
        format!(
            "server version {}",
            f.info_str("ServerVersion").unwrap_or("unknown")
        ),
        "Keep Docker up to date",
    );
}

/// Section 2 results point at the setting their remediation names (`Set "icc": false
/// in daemon.json`): the key's line in the daemon configuration file when it is
/// written there, else the dockerd flag of that name, else the file where it belongs.
fn locate_daemon_settings(f: &DockerFacts, o: &mut Out) {
    let path = f.config_path().to_string();
    let index =
        f.fs.read_text(&path)
            .and_then(|t| kspect_core::yaml::parse_document(&t, 0).ok().flatten())
            .map(|d| d.index);
    for r in o.results.iter_mut().filter(|r| r.group == "2") {
        let Some(key) = r.remediation.split('"').nth(1).map(str::to_string) else {
            continue;
        };
        let pointer = format!("/{}", key.replace('~', "~0").replace('/', "~1"));
        let origin = if f.config(&key).is_some() {
            match index.as_ref().and_then(|i| i.get(&pointer)) {
                Some(pos) => Origin::at(path.clone(), pos.line),
                None => Origin::file(path.clone()),
            }
        } else if let Some(flag) = f.dockerd.as_ref().and_then(|c| c.get(&key)) {
            flag.origin.clone()
        } else if f.daemon_json.is_some() {
            Origin::file(path.clone())
        } else {
            continue;
        };
        r.set_sources([origin]);
    }
}

fn truthy(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) => crate::cmdline::parse_go_bool(s),
        _ => None,
    }
}

fn daemon_checks(f: &DockerFacts, o: &mut Out) {
    let cfg = f.config_path().to_string();
    let flag_false = |names: &[&str]| f.flag_values(names).iter().any(|v| v == "false");
    let flag_true = |names: &[&str]| f.flag_values(names).iter().any(|v| v == "true");
    o.push(
        "2.1",
        "The daemon runs as a non-root user, if possible",
        false,
        Status::Info,
        "manual review (rootless mode)",
        "Consider rootless Docker",
    );
    // 2.2
    let icc_off = f.config("icc").and_then(truthy) == Some(false) || flag_false(&["icc"]);
    o.push("2.2", "Network traffic between containers on the default bridge is restricted", true, Status::of(icc_off, true),
        if icc_off { "icc is false".to_string() } else { format!("icc not set to false ({cfg}, dockerd flags); the default true lets containers talk freely") },
        "Set \"icc\": false in daemon.json");
    // 2.3
    let level = f
        .config("log-level")
        .and_then(Value::as_str)
        .map(str::to_string);
    let flag_level = f.flag_values(&["log-level", "l"]).pop();
    let effective = level
        .clone()
        .or(flag_level.clone())
        .unwrap_or_else(|| "info".to_string());
    o.push(
        "2.3",
        "The logging level is set to info",
        true,
        Status::of(effective == "info", true),
        format!(
            "log level {effective} ({})",
            if level.is_some() {
                cfg.as_str()
            } else if flag_level.is_some() {
                "dockerd flag"
            } else {
                "default"
            }
        ),
        "Set \"log-level\": \"info\" in daemon.json",
    );
    if level.is_none() && flag_level.as_deref().is_some_and(|l| l != "info") {
        o.note("docker-bench never reads --log-level when daemon.json has no log-level key, so it passes this host");
    }
    // 2.4
    let ipt_off = f.config("iptables").and_then(truthy) == Some(false) || flag_false(&["iptables"]);
    o.push(
        "2.4",
        "Docker is allowed to make changes to iptables",
        true,
        Status::of(!ipt_off, true),
        if ipt_off {
            "iptables is false"
        } else {
            "iptables not disabled"
        },
        "Remove \"iptables\": false",
    );
    // 2.5
    let mut insecure: Vec<String> = f.flag_values(&["insecure-registry"]);
    if let Some(a) = f.config("insecure-registries").and_then(Value::as_array) {
        insecure.extend(a.iter().filter_map(Value::as_str).map(str::to_string));
    }
    o.scored(
        "2.5",
        "Insecure registries are not used",
        insecure
            .iter()
            .map(|r| format!("insecure registry {r}"))
            .collect(),
        "no insecure registries",
        "Remove insecure-registries",
    );
    // 2.6
    match f.info_str("Driver") {
        Some(d) => o.push(
            "2.6",
            "aufs storage driver is not used",
            true,
            Status::of(d != "aufs", true),
            format!("storage driver {d}"),
            "Use overlay2",
        ),
        None => o.push(
            "2.6",
            "aufs storage driver is not used",
            true,
            Status::Info,
            "no docker info",
            "Use overlay2",
        ),
    }
    // 2.7
    let mut hosts: Vec<String> = f.flag_values(&["host", "H"]);
    if let Some(a) = f.config("hosts").and_then(Value::as_array) {
        hosts.extend(a.iter().filter_map(Value::as_str).map(str::to_string));
    }
    let tcp: Vec<&String> = hosts
        .iter()
        .filter(|h| !h.starts_with("unix://") && !h.starts_with("fd://"))
        .collect();
    let verify = f.config("tlsverify").and_then(truthy) == Some(true) || flag_true(&["tlsverify"]);
    let tls = f.config("tls").and_then(truthy) == Some(true) || flag_true(&["tls"]);
    if tcp.is_empty() {
        o.push(
            "2.7",
            "TLS authentication for the Docker daemon is configured",
            true,
            Status::Info,
            "the daemon does not listen on TCP",
            "",
        );
    } else if verify {
        o.push(
            "2.7",
            "TLS authentication for the Docker daemon is configured",
            true,
            Status::Pass,
            format!(
                "TCP listener {} with tlsverify",
                tcp.iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            "Set tlsverify, tlscacert, tlscert and tlskey",
        );
        if f.config("tlsverify").is_some() && !flag_true(&["tlsverify"]) {
            o.note("docker-bench (with jq installed) does not see tlsverify in daemon.json because of a jq quoting bug and warns");
        }
    } else {
        let what = if tls {
            "TLS without client verification"
        } else {
            "no TLS"
        };
        o.push(
            "2.7",
            "TLS authentication for the Docker daemon is configured",
            true,
            Status::Fail,
            format!(
                "TCP listener {} with {what}",
                tcp.iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            "Set tlsverify, tlscacert, tlscert and tlskey, or do not listen on TCP",
        );
    }
    // 2.8
    let ulimit = f
        .config("default-ulimits")
        .is_some_and(|v| v.as_object().is_some_and(|m| !m.is_empty()))
        || !f.flag_values(&["default-ulimit"]).is_empty();
    o.push(
        "2.8",
        "The default ulimit is set as appropriate",
        false,
        if ulimit { Status::Pass } else { Status::Info },
        if ulimit {
            "default-ulimits set"
        } else {
            "default-ulimits not set"
        },
        "Set default-ulimits in daemon.json",
    );
    // 2.9
    let userns = f
        .config("userns-remap")
        .and_then(Value::as_str)
        .is_some_and(|s| !s.is_empty())
        || !f.flag_values(&["userns-remap"]).is_empty();
    o.push(
        "2.9",
        "User namespace support is enabled",
        true,
        Status::of(userns, true),
        if userns {
            "userns-remap set"
        } else {
            "userns-remap not set: root in a container is root on the host"
        },
        "Set \"userns-remap\": \"default\"",
    );
    // 2.10
    let cgp = f.flag_values(&["cgroup-parent"]);
    o.push(
        "2.10",
        "The default cgroup usage has been confirmed",
        true,
        Status::of(cgp.is_empty(), true),
        if cgp.is_empty() {
            "default cgroup parent".to_string()
        } else {
            format!("--cgroup-parent={}", cgp.join(","))
        },
        "Confirm the cgroup parent",
    );
    // 2.11
    let mut opts = f.flag_values(&["storage-opt"]);
    if let Some(a) = f.config("storage-opts").and_then(Value::as_array) {
        opts.extend(a.iter().filter_map(Value::as_str).map(str::to_string));
    }
    let base: Vec<String> = opts
        .into_iter()
        .filter(|o| o.contains("dm.basesize"))
        .collect();
    o.scored(
        "2.11",
        "Base device size is not changed until needed",
        base.iter().map(|b| format!("storage option {b}")).collect(),
        "dm.basesize not set",
        "Remove dm.basesize",
    );
    // 2.12
    let mut authz = f.flag_values(&["authorization-plugin"]);
    if let Some(a) = f.config("authorization-plugins").and_then(Value::as_array) {
        authz.extend(a.iter().filter_map(Value::as_str).map(str::to_string));
    }
    o.push(
        "2.12",
        "Authorization for Docker client commands is enabled",
        true,
        Status::of(!authz.is_empty(), true),
        if authz.is_empty() {
            "no authorization plugin".to_string()
        } else {
            format!("authorization plugins {}", authz.join(","))
        },
        "Configure an authorization plugin",
    );
    // 2.13
    let cfg_driver = f.config("log-driver").and_then(Value::as_str);
    match f.info_str("LoggingDriver").or(cfg_driver) {
        Some(d) => o.push(
            "2.13",
            "Centralized and remote logging is configured",
            true,
            Status::of(d != "json-file", true),
            format!("logging driver {d}"),
            "Set a remote log-driver",
        ),
        None => o.push(
            "2.13",
            "Centralized and remote logging is configured",
            true,
            Status::Info,
            "no docker info",
            "Set a remote log-driver",
        ),
    }
    // 2.14
    let nnp = daemon_no_new_privileges(f);
    o.push(
        "2.14",
        "Containers are restricted from acquiring new privileges",
        true,
        Status::of(nnp, true),
        if nnp {
            "no-new-privileges is on daemon-wide"
        } else {
            "no-new-privileges not set daemon-wide"
        },
        "Set \"no-new-privileges\": true",
    );
    // 2.15
    let live = f
        .info
        .as_ref()
        .and_then(|i| i.get("LiveRestoreEnabled"))
        .and_then(Value::as_bool)
        == Some(true)
        || f.config("live-restore").and_then(truthy) == Some(true)
        || flag_true(&["live-restore"])
        || f.swarm_active();
    o.push(
        "2.15",
        "Live restore is enabled",
        true,
        Status::of(live, true),
        if live {
            "live restore enabled"
        } else {
            "live restore disabled"
        },
        "Set \"live-restore\": true",
    );
    // 2.16
    let proxy_off = f.config("userland-proxy").and_then(truthy) == Some(false)
        || flag_false(&["userland-proxy"]);
    o.push(
        "2.16",
        "Userland proxy is disabled",
        true,
        Status::of(proxy_off, true),
        if proxy_off {
            "userland-proxy false"
        } else {
            "userland-proxy enabled (default)"
        },
        "Set \"userland-proxy\": false",
    );
    // 2.17
    let secopts: Vec<String> = f
        .info
        .as_ref()
        .map(|i| {
            arr(i, "/SecurityOptions")
                .iter()
                .filter_map(|v| v.as_str())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let seccomp = secopts
        .iter()
        .find(|s| s.starts_with("name=seccomp"))
        .cloned();
    let default_profile = seccomp
        .as_deref()
        .is_some_and(|s| s.contains("profile=default") || s.contains("profile=builtin"));
    o.push(
        "2.17",
        "A daemon-wide custom seccomp profile is applied if appropriate",
        false,
        if default_profile {
            Status::Pass
        } else {
            Status::Info
        },
        seccomp
            .clone()
            .unwrap_or_else(|| "no seccomp security option".to_string()),
        "Apply a seccomp profile daemon-wide if the default does not suit",
    );
    if seccomp
        .as_deref()
        .is_some_and(|s| s.contains("profile=builtin"))
    {
        o.note("recent engines report the default profile as profile=builtin; docker-bench looks for profile=default and reports INFO");
    }
    o.push(
        "2.18",
        "Experimental features are not used in production",
        true,
        Status::Info,
        "deprecated check: experimental features are part of current engines",
        "",
    );
}

fn daemon_no_new_privileges(f: &DockerFacts) -> bool {
    f.config("no-new-privileges").and_then(truthy) == Some(true)
        || f.flag_values(&["no-new-privileges"])
            .iter()
            .any(|v| v == "true")
}

/// Mode check as a bitmask (docker-bench compares the octal text as a decimal number).
#[allow(clippy::too_many_arguments)] // one call per benchmark row
fn mode_check(
    o: &mut Out,
    f: &DockerFacts,
    id: &str,
    title: &str,
    path: Option<String>,
    allowed: u32,
    exact: bool,
    need_socket: bool,
) {
    let rem = format!("chmod {allowed:o} PATH");
    let Some(path) = path else {
        o.push(id, title, true, Status::Info, "file not found", &rem);
        return;
    };
    match f.fs.stat(&path) {
        Ok(m) if need_socket && m.kind != FileKind::Socket => o.push(
            id,
            title,
            true,
            Status::Info,
            format!("{path} is not a socket"),
            &rem,
        ),
        Ok(m) => {
            let ok = if exact {
                m.mode == allowed
            } else {
                m.mode & !allowed == 0
            };
            o.push(
                id,
                title,
                true,
                Status::of(ok, true),
                format!("{path}: mode {:o}", m.mode),
                &rem.replace("PATH", &path),
            );
            o.source(Origin::file(path.clone()));
            let decimal: Option<u32> = format!("{:o}", m.mode).parse().ok();
            let db_ok = if exact {
                m.mode == allowed
            } else {
                decimal
                    .zip(format!("{allowed:o}").parse::<u32>().ok())
                    .is_some_and(|(a, b)| a <= b)
            };
            if db_ok != ok {
                o.note(format!("docker-bench compares the mode {:o} with {allowed:o} as decimal numbers and reports {}", m.mode, if db_ok { "PASS" } else { "WARN" }));
            }
        }
        Err(_) => o.push(
            id,
            title,
            true,
            Status::Info,
            format!("{path} not found"),
            &rem,
        ),
    }
}

fn owner_check(
    o: &mut Out,
    f: &DockerFacts,
    id: &str,
    title: &str,
    path: Option<String>,
    expect: &str,
    need_socket: bool,
) {
    let rem = format!("chown {expect} PATH");
    let Some(path) = path else {
        o.push(id, title, true, Status::Info, "file not found", &rem);
        return;
    };
    match f.fs.stat(&path) {
        Ok(m) if need_socket && m.kind != FileKind::Socket => o.push(
            id,
            title,
            true,
            Status::Info,
            format!("{path} is not a socket"),
            &rem,
        ),
        Ok(m) => {
            let ok = if expect == "root:root" {
                m.uid == 0 && m.gid == 0
            } else {
                m.ownership() == expect
            };
            o.push(
                id,
                title,
                true,
                Status::of(ok, true),
                format!("{path}: owner {}", m.ownership()),
                &rem.replace("PATH", &path),
            );
            o.source(Origin::file(path.clone()));
        }
        Err(_) => o.push(
            id,
            title,
            true,
            Status::Info,
            format!("{path} not found"),
            &rem,
        ),
    }
}

fn file_checks(f: &DockerFacts, o: &mut Out) {
    let fs = f.fs;
    let svc = service_file(fs, "docker.service");
    let sock = service_file(fs, "docker.socket");
    owner_check(
        o,
        f,
        "3.1",
        "docker.service file ownership is root:root",
        svc.clone(),
        "root:root",
        false,
    );
    mode_check(
        o,
        f,
        "3.2",
        "docker.service file permissions are 644 or stricter",
        svc,
        0o644,
        false,
        false,
    );
    owner_check(
        o,
        f,
        "3.3",
        "docker.socket file ownership is root:root",
        sock.clone(),
        "root:root",
        false,
    );
    mode_check(
        o,
        f,
        "3.4",
        "docker.socket file permissions are 644 or stricter",
        sock,
        0o644,
        false,
        false,
    );
    let etc = Some("/etc/docker".to_string()).filter(|p| fs.exists(p));
    owner_check(
        o,
        f,
        "3.5",
        "/etc/docker directory ownership is root:root",
        etc.clone(),
        "root:root",
        false,
    );
    mode_check(
        o,
        f,
        "3.6",
        "/etc/docker directory permissions are 755 or stricter",
        etc,
        0o755,
        false,
        false,
    );
    // 3.7/3.8: every certificate below certs.d.
    let certs: Vec<String> = fs
        .walk("/etc/docker/certs.d")
        .into_iter()
        .filter(|p| p.ends_with(".crt"))
        .collect();
    if !fs.exists("/etc/docker/certs.d") {
        o.push(
            "3.7",
            "Registry certificate file ownership is root:root",
            true,
            Status::Info,
            "/etc/docker/certs.d not found",
            "chown root:root /etc/docker/certs.d/*/*",
        );
        o.push(
            "3.8",
            "Registry certificate file permissions are 444 or stricter",
            true,
            Status::Info,
            "/etc/docker/certs.d not found",
            "chmod 444 /etc/docker/certs.d/*/*",
        );
    } else {
        let bad_owner: Vec<String> = certs
            .iter()
            .filter_map(|p| {
                fs.stat(p)
                    .ok()
                    .filter(|m| m.uid != 0)
                    .map(|m| format!("{p}: owner {}", m.ownership()))
            })
            .collect();
        o.scored(
            "3.7",
            "Registry certificate file ownership is root:root",
            bad_owner,
            "all registry certificates owned by root",
            "chown root:root /etc/docker/certs.d/*/*",
        );
        let bad_mode: Vec<String> = certs
            .iter()
            .filter_map(|p| {
                fs.stat(p)
                    .ok()
                    .filter(|m| m.mode & !0o444 != 0)
                    .map(|m| format!("{p}: mode {:o}", m.mode))
            })
            .collect();
        o.scored(
            "3.8",
            "Registry certificate file permissions are 444 or stricter",
            bad_mode,
            "all registry certificates 444 or stricter",
            "chmod 444 /etc/docker/certs.d/*/*",
        );
    }
    let tls_path = |key: &str| -> Option<String> {
        f.config(key)
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| f.flag_values(&[key]).pop())
    };
    owner_check(
        o,
        f,
        "3.9",
        "TLS CA certificate file ownership is root:root",
        tls_path("tlscacert"),
        "root:root",
        false,
    );
    mode_check(
        o,
        f,
        "3.10",
        "TLS CA certificate file permissions are 444 or stricter",
        tls_path("tlscacert"),
        0o444,
        false,
        false,
    );
    owner_check(
        o,
        f,
        "3.11",
        "Docker server certificate file ownership is root:root",
        tls_path("tlscert"),
        "root:root",
        false,
    );
    mode_check(
        o,
        f,
        "3.12",
        "Docker server certificate file permissions are 444 or stricter",
        tls_path("tlscert"),
        0o444,
        false,
        false,
    );
    owner_check(
        o,
        f,
        "3.13",
        "Docker server certificate key file ownership is root:root",
        tls_path("tlskey"),
        "root:root",
        false,
    );
    mode_check(
        o,
        f,
        "3.14",
        "Docker server certificate key file permissions are 400",
        tls_path("tlskey"),
        0o400,
        true,
        false,
    );
    let dsock = Some("/var/run/docker.sock".to_string());
    owner_check(
        o,
        f,
        "3.15",
        "Docker socket file ownership is root:docker",
        dsock.clone(),
        "root:docker",
        true,
    );
    mode_check(
        o,
        f,
        "3.16",
        "Docker socket file permissions are 660 or stricter",
        dsock,
        0o660,
        false,
        true,
    );
    let dj = Some("/etc/docker/daemon.json".to_string());
    owner_check(
        o,
        f,
        "3.17",
        "daemon.json file ownership is root:root",
        dj.clone(),
        "root:root",
        false,
    );
    mode_check(
        o,
        f,
        "3.18",
        "daemon.json file permissions are 644 or stricter",
        dj,
        0o644,
        false,
        false,
    );
    let dd = Some("/etc/default/docker".to_string());
    owner_check(
        o,
        f,
        "3.19",
        "/etc/default/docker file ownership is root:root",
        dd.clone(),
        "root:root",
        false,
    );
    mode_check(
        o,
        f,
        "3.20",
        "/etc/default/docker file permissions are 644 or stricter",
        dd,
        0o644,
        false,
        false,
    );
    let sc = Some("/etc/sysconfig/docker".to_string());
    mode_check(
        o,
        f,
        "3.21",
        "/etc/sysconfig/docker file permissions are 644 or stricter",
        sc.clone(),
        0o644,
        false,
        false,
    );
    owner_check(
        o,
        f,
        "3.22",
        "/etc/sysconfig/docker file ownership is root:root",
        sc,
        "root:root",
        false,
    );
    let cs = Some("/run/containerd/containerd.sock".to_string());
    owner_check(
        o,
        f,
        "3.23",
        "containerd socket file ownership is root:root",
        cs.clone(),
        "root:root",
        true,
    );
    mode_check(
        o,
        f,
        "3.24",
        "containerd socket file permissions are 660 or stricter",
        cs,
        0o660,
        false,
        true,
    );
}

fn container_checks(f: &DockerFacts, o: &mut Out) {
    let cs = &f.containers;
    let each = |pred: &dyn Fn(&Value) -> Option<String>| -> Vec<String> {
        cs.iter()
            .filter_map(|c| pred(c).map(|why| format!("{}: {why}", name_of(c))))
            .collect()
    };
    // 4.1
    o.scored(
        "4.1",
        "A user for the container has been created",
        each(&|c| {
            let u = s(c, "/Config/User");
            matches!(u, "" | "0" | "root" | "[]" | "<no value>").then(|| {
                if u.is_empty() {
                    "runs as root (no user set)".to_string()
                } else {
                    format!("runs as {u}")
                }
            })
        }),
        "every container runs as a non-root user",
        "Set USER in the Dockerfile or --user",
    );
    let uid0 = each(&|c| {
        let u = s(c, "/Config/User");
        (u.starts_with("0:") || u.starts_with("root:")).then(|| format!("user {u} is root"))
    });
    if !uid0.is_empty() {
        if let Some(r) = o.results.last_mut() {
            r.status = Status::Fail;
            r.evidence = if r.evidence.starts_with("every") {
                uid0.join("; ")
            } else {
                format!("{}; {}", r.evidence, uid0.join("; "))
            };
            r.note = Some(
                "docker-bench passes users written as 0:0 or root:root, which are root".to_string(),
            );
        }
    }
    for (id, t) in [
        ("4.2", "Containers use only trusted base images"),
        (
            "4.3",
            "Unnecessary packages are not installed in the container",
        ),
        (
            "4.4",
            "Images are scanned and rebuilt to include security patches",
        ),
    ] {
        o.push(id, t, false, Status::Info, "manual review", "");
    }
    o.push("4.5", "Content trust for Docker is enabled", true, Status::Info, "DOCKER_CONTENT_TRUST is a setting of the client's environment; not decidable from the host's files", "export DOCKER_CONTENT_TRUST=1");
    // 4.6 from the container's configuration (which includes the image's HEALTHCHECK).
    o.scored(
        "4.6",
        "HEALTHCHECK instructions have been added to container images",
        each(&|c| {
            c.pointer("/Config/Healthcheck")
                .filter(|h| !h.is_null())
                .is_none()
                .then(|| format!("image {} has no HEALTHCHECK", s(c, "/Config/Image")))
        }),
        "every running container's image has a HEALTHCHECK",
        "Add HEALTHCHECK to the Dockerfile",
    );
    for (id, t) in [
        (
            "4.7",
            "Update instructions are not used alone in Dockerfiles",
        ),
        ("4.8", "setuid and setgid permissions are removed"),
        ("4.9", "COPY is used instead of ADD in Dockerfiles"),
        ("4.10", "Secrets are not stored in Dockerfiles"),
        ("4.11", "Only verified packages are installed"),
        ("4.12", "All signed artifacts are validated"),
    ] {
        o.push(
            id,
            t,
            false,
            Status::Info,
            "needs the image history or a manual review",
            "",
        );
    }
    // 5.x
    let swarm = f
        .info
        .as_ref()
        .and_then(|i| i.pointer("/Swarm/LocalNodeState"))
        .and_then(Value::as_str);
    match swarm {
        Some(st) => o.push(
            "5.1",
            "Swarm mode is not enabled, if not needed",
            true,
            Status::of(st == "inactive", true),
            format!("swarm {st}"),
            "docker swarm leave",
        ),
        None => o.push(
            "5.1",
            "Swarm mode is not enabled, if not needed",
            true,
            Status::Info,
            "no docker info",
            "docker swarm leave",
        ),
    }
    if cs.is_empty() {
        o.push(
            "5.2",
            "No running containers",
            true,
            Status::Info,
            "no running containers (no --inspect file and no daemon reachable)",
            "",
        );
        return;
    }
    o.scored(
        "5.2",
        "An AppArmor profile is enabled, if applicable",
        each(&|c| {
            let p = s(c, "/AppArmorProfile");
            matches!(p, "" | "[]" | "<no value>" | "unconfined")
                .then(|| format!("AppArmor profile {}", if p.is_empty() { "none" } else { p }))
        }),
        "every container has an AppArmor profile",
        "Run with --security-opt apparmor=PROFILE",
    );
    o.scored(
        "5.3",
        "SELinux security options are set, if applicable",
        each(&|c| {
            arr(c, "/HostConfig/SecurityOpt")
                .is_empty()
                .then(|| "no security options".to_string())
        }),
        "every container has security options",
        "Run with --security-opt",
    );
    o.scored(
        "5.4",
        "Linux kernel capabilities are restricted within containers",
        each(&|c| {
            let extra: Vec<&str> = arr(c, "/HostConfig/CapAdd")
                .iter()
                .filter_map(|v| v.as_str())
                .filter(|cap| {
                    let cap = cap.trim_start_matches("CAP_");
                    !DEFAULT_CAPS.contains(&cap)
                })
                .collect();
            (!extra.is_empty()).then(|| format!("adds {}", extra.join(", ")))
        }),
        "no container adds capabilities outside Docker's default set",
        "Remove --cap-add",
    );
    o.scored(
        "5.5",
        "Privileged containers are not used",
        each(&|c| {
            (c.pointer("/HostConfig/Privileged").and_then(Value::as_bool) == Some(true))
                .then(|| "privileged".to_string())
        }),
        "no privileged container",
        "Run without --privileged",
    );
    const SENSITIVE: &[&str] = &[
        "/", "/boot", "/dev", "/etc", "/lib", "/proc", "/sys", "/usr",
    ];
    o.scored(
        "5.6",
        "Sensitive host system directories are not mounted in containers",
        each(&|c| {
            let bad: Vec<String> = arr(c, "/Mounts")
                .iter()
                .filter(|m| m.get("RW").and_then(Value::as_bool) == Some(true))
                .filter_map(|m| {
                    let src = m.get("Source").and_then(Value::as_str).unwrap_or("");
                    let dst = m.get("Destination").and_then(Value::as_str).unwrap_or("");
                    (SENSITIVE.contains(&src) || SENSITIVE.contains(&dst))
                        .then(|| format!("{src} mounted read-write at {dst}"))
                })
                .collect();
            (!bad.is_empty()).then(|| bad.join(", "))
        }),
        "no sensitive host directory mounted read-write",
        "Mount host directories read-only or not at all",
    );
    o.push(
        "5.7",
        "sshd is not run within containers",
        true,
        Status::Info,
        "needs `docker exec ps` inside each container",
        "",
    );
    o.scored(
        "5.8",
        "Privileged ports are not mapped within containers",
        each(&|c| {
            let low: Vec<String> = published(c)
                .into_iter()
                .filter(|(_, _, hp)| hp.parse::<u32>().is_ok_and(|p| p < 1025))
                .map(|(cp, _, hp)| format!("{cp} -> {hp}"))
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            (!low.is_empty()).then(|| format!("host port {}", low.join(", ")))
        }),
        "no privileged host port",
        "Publish ports above 1024",
    );
    let open = each(&|c| {
        let ports: Vec<String> = published(c)
            .into_iter()
            .map(|(cp, ip, hp)| {
                format!(
                    "{cp} -> {}:{hp}",
                    if ip.is_empty() { "0.0.0.0" } else { &ip }
                )
            })
            .collect();
        (!ports.is_empty()).then(|| format!("publishes {}", ports.join(", ")))
    });
    o.push(
        "5.9",
        "Only needed ports are open on the container",
        true,
        if open.is_empty() {
            Status::Pass
        } else {
            Status::Warn
        },
        if open.is_empty() {
            "no published ports".to_string()
        } else {
            open.join("; ")
        },
        "Publish only the ports the service needs",
    );
    o.note("review: docker-bench lists every published port (WARN); kspect reports WARN for the same review");
    o.scored(
        "5.10",
        "The host's network namespace is not shared",
        each(&|c| {
            (s(c, "/HostConfig/NetworkMode") == "host").then(|| "network mode host".to_string())
        }),
        "no container uses the host network",
        "Run without --network=host",
    );
    o.scored(
        "5.11",
        "The memory usage for containers is limited",
        each(&|c| {
            (num(c, "/HostConfig/Memory").unwrap_or(0) == 0).then(|| "no memory limit".to_string())
        }),
        "every container has a memory limit",
        "Run with --memory",
    );
    o.scored(
        "5.12",
        "CPU priority is set appropriately on containers",
        each(&|c| {
            (num(c, "/HostConfig/CpuShares").unwrap_or(0) == 0
                && num(c, "/HostConfig/NanoCpus").unwrap_or(0) == 0)
                .then(|| "no CPU shares or limit".to_string())
        }),
        "every container has CPU shares or a CPU limit",
        "Run with --cpu-shares or --cpus",
    );
    o.scored(
        "5.13",
        "The container's root filesystem is mounted as read only",
        each(&|c| {
            (c.pointer("/HostConfig/ReadonlyRootfs")
                .and_then(Value::as_bool)
                != Some(true))
            .then(|| "writable root filesystem".to_string())
        }),
        "every root filesystem is read-only",
        "Run with --read-only",
    );
    o.scored(
        "5.14",
        "Incoming container traffic is bound to a specific host interface",
        each(&|c| {
            let any: Vec<String> = published(c)
                .into_iter()
                .filter(|(_, ip, _)| ip == "0.0.0.0")
                .map(|(cp, _, hp)| format!("{cp} -> 0.0.0.0:{hp}"))
                .collect();
            (!any.is_empty()).then(|| format!("bound to all interfaces: {}", any.join(", ")))
        }),
        "no port bound to 0.0.0.0",
        "Publish with -p IP:HOSTPORT:PORT",
    );
    o.scored(
        "5.15",
        "The 'on-failure' container restart policy is set to 5",
        each(&|c| {
            num(c, "/HostConfig/RestartPolicy/MaximumRetryCount")
                .filter(|n| *n > 5)
                .map(|n| format!("restart retries {n}"))
        }),
        "no restart policy retries more than 5 times",
        "Use --restart=on-failure:5",
    );
    o.scored(
        "5.16",
        "The host's process namespace is not shared",
        each(&|c| (s(c, "/HostConfig/PidMode") == "host").then(|| "PID mode host".to_string())),
        "no container shares the host PID namespace",
        "Run without --pid=host",
    );
    o.scored(
        "5.17",
        "The host's IPC namespace is not shared",
        each(&|c| (s(c, "/HostConfig/IpcMode") == "host").then(|| "IPC mode host".to_string())),
        "no container shares the host IPC namespace",
        "Run without --ipc=host",
    );
    let devs = each(&|c| {
        let d: Vec<&str> = arr(c, "/HostConfig/Devices")
            .iter()
            .filter_map(|d| d.get("PathOnHost").and_then(Value::as_str))
            .collect();
        (!d.is_empty()).then(|| format!("devices {}", d.join(", ")))
    });
    o.push(
        "5.18",
        "Host devices are not directly exposed to containers",
        false,
        Status::of(devs.is_empty(), false).min_info(),
        if devs.is_empty() {
            "no host devices".to_string()
        } else {
            devs.join("; ")
        },
        "Run without --device unless needed",
    );
    let ul = each(&|c| {
        arr(c, "/HostConfig/Ulimits")
            .is_empty()
            .then(|| "no ulimit override".to_string())
    });
    o.push(
        "5.19",
        "The default ulimit is overwritten at runtime if needed",
        false,
        Status::of(ul.is_empty(), false).min_info(),
        if ul.is_empty() {
            "every container sets ulimits".to_string()
        } else {
            ul.join("; ")
        },
        "Use --ulimit where needed",
    );
    o.scored(
        "5.20",
        "Mount propagation mode is not set to shared",
        each(&|c| {
            let sh: Vec<String> = arr(c, "/Mounts")
                .iter()
                .filter(|m| {
                    m.get("Propagation")
                        .and_then(Value::as_str)
                        .is_some_and(|p| p.contains("shared"))
                })
                .map(|m| {
                    format!(
                        "{} ({})",
                        m.get("Destination").and_then(Value::as_str).unwrap_or(""),
                        m.get("Propagation").and_then(Value::as_str).unwrap_or("")
                    )
                })
                .collect();
            (!sh.is_empty()).then(|| format!("shared propagation {}", sh.join(", ")))
        }),
        "no shared mount propagation",
        "Do not mount with shared propagation",
    );
    o.scored(
        "5.21",
        "The host's UTS namespace is not shared",
        each(&|c| (s(c, "/HostConfig/UTSMode") == "host").then(|| "UTS mode host".to_string())),
        "no container shares the host UTS namespace",
        "Run without --uts=host",
    );
    o.scored(
        "5.22",
        "The default seccomp profile is not disabled",
        each(&|c| {
            arr(c, "/HostConfig/SecurityOpt")
                .iter()
                .filter_map(|v| v.as_str())
                .any(|o| o == "seccomp:unconfined" || o == "seccomp=unconfined")
                .then(|| "seccomp unconfined".to_string())
        }),
        "no container disables seccomp",
        "Run without --security-opt seccomp=unconfined",
    );
    o.push(
        "5.23",
        "docker exec commands are not used with the privileged option",
        false,
        Status::Info,
        "needs the daemon's audit log",
        "",
    );
    o.push(
        "5.24",
        "docker exec commands are not used with the user=root option",
        false,
        Status::Info,
        "needs the daemon's audit log",
        "",
    );
    o.scored(
        "5.25",
        "cgroup usage is confirmed",
        each(&|c| {
            let p = s(c, "/HostConfig/CgroupParent");
            (!p.is_empty()).then(|| format!("cgroup parent {p}"))
        }),
        "no container sets a cgroup parent",
        "Run without --cgroup-parent",
    );
    let daemon_nnp = daemon_no_new_privileges(f);
    o.scored(
        "5.26",
        "The container is restricted from acquiring additional privileges",
        if daemon_nnp {
            Vec::new()
        } else {
            each(&|c| {
                (!arr(c, "/HostConfig/SecurityOpt")
                    .iter()
                    .filter_map(|v| v.as_str())
                    .any(|o| o.starts_with("no-new-privileges") && !o.ends_with("false")))
                .then(|| "no-new-privileges missing".to_string())
            })
        },
        if daemon_nnp {
            "no-new-privileges is set daemon-wide"
        } else {
            "every container sets no-new-privileges"
        },
        "Run with --security-opt no-new-privileges",
    );
    o.scored(
        "5.27",
        "Container health is checked at runtime",
        each(&|c| {
            c.pointer("/State/Health/Status")
                .and_then(Value::as_str)
                .is_none()
                .then(|| "no health status".to_string())
        }),
        "every container reports a health status",
        "Add a HEALTHCHECK or --health-cmd",
    );
    o.push(
        "5.28",
        "Docker commands always make use of the latest version of their image",
        false,
        Status::Info,
        "manual review",
        "",
    );
    o.scored(
        "5.29",
        "The PIDs cgroup limit is used",
        each(&|c| match num(c, "/HostConfig/PidsLimit") {
            Some(n) if n > 0 => None,
            Some(n) => Some(format!("PIDs limit {n}")),
            None => Some("no PIDs limit".to_string()),
        }),
        "every container has a PIDs limit",
        "Run with --pids-limit",
    );
    o.push(
        "5.30",
        "Docker's default bridge docker0 is not used",
        false,
        Status::Info,
        "needs `docker network inspect`",
        "",
    );
    o.scored(
        "5.31",
        "The host's user namespaces are not shared",
        each(&|c| {
            s(c, "/HostConfig/UsernsMode")
                .contains("host")
                .then(|| "user namespace mode host".to_string())
        }),
        "no container shares the host user namespace",
        "Run without --userns=host",
    );
    o.scored(
        "5.32",
        "The Docker socket is not mounted inside any containers",
        each(&|c| {
            arr(c, "/Mounts")
                .iter()
                .any(|m| m.to_string().contains("docker.sock"))
                .then(|| "mounts docker.sock".to_string())
        }),
        "no container mounts docker.sock",
        "Do not mount /var/run/docker.sock",
    );
    // 6
    let info = f.info.as_ref();
    o.push(
        "6.1",
        "Image sprawl is avoided",
        false,
        Status::Info,
        info.and_then(|i| num(i, "/Images"))
            .map(|n| format!("{n} images"))
            .unwrap_or_else(|| "image count unknown".into()),
        "Remove unused images",
    );
    let total = info.and_then(|i| num(i, "/Containers"));
    let running = info.and_then(|i| num(i, "/ContainersRunning"));
    o.push(
        "6.2",
        "Container sprawl is avoided",
        false,
        Status::Info,
        match (total, running) {
            (Some(t), Some(r)) => format!("{t} containers, {r} running"),
            _ => "container counts unknown".to_string(),
        },
        "Remove stopped containers",
    );
    // 7
    let swarm_on = f.swarm_active();
    for (id, t) in [
        ("7.1", "The number of manager nodes in a swarm is minimized"),
        (
            "7.2",
            "Swarm services are bound to a specific host interface",
        ),
        ("7.3", "All Docker swarm overlay networks are encrypted"),
        ("7.4", "Docker's secret management commands are used"),
        ("7.5", "Swarm manager is run in auto-lock mode"),
        (
            "7.6",
            "The swarm manager auto-lock key is rotated periodically",
        ),
        ("7.7", "Node certificates are rotated as appropriate"),
        ("7.8", "CA certificates are rotated as appropriate"),
        (
            "7.9",
            "Management plane traffic is separated from data plane traffic",
        ),
    ] {
        if swarm_on {
            o.push(
                id,
                t,
                true,
                Status::Info,
                "swarm is active: needs `docker node`/`docker network` commands",
                "",
            );
        } else {
            o.push(id, t, true, Status::Pass, "swarm mode not enabled", "");
        }
    }
    // Community checks
    for (id, cap) in [
        ("C.5.3.1", "DAC_READ_SEARCH"),
        ("C.5.3.2", "SYS_MODULE"),
        ("C.5.3.3", "SYS_ADMIN"),
        ("C.5.3.4", "SYS_PTRACE"),
    ] {
        o.scored(
            id,
            &format!("CAP_{cap} is not added to containers"),
            each(&|c| {
                arr(c, "/HostConfig/CapAdd")
                    .iter()
                    .filter_map(|v| v.as_str())
                    .any(|x| x.trim_start_matches("CAP_") == cap)
                    .then(|| format!("adds {cap}"))
            }),
            &format!("no container adds {cap}"),
            &format!("Remove --cap-add {cap}"),
        );
    }
}

trait MinInfo {
    fn min_info(self) -> Status;
}

impl MinInfo for Status {
    /// docker-bench reports unscored findings as INFO.
    fn min_info(self) -> Status {
        if self == Status::Warn {
            Status::Info
        } else {
            self
        }
    }
}
