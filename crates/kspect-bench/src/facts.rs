//! What a node is running and how: the facts the CIS Kubernetes checks decide on.
//!
//! Live mode reads `/proc/*/cmdline` (and `environ`) like kube-bench's `ps`; offline mode
//! (`--root DIR`) rebuilds the same command lines from the static pod manifests and the
//! kubelet's systemd unit, so the checks cannot tell the two apart.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::cmdline::{CommandLine, Origin, Word};
use crate::fs::NodeFs;
use crate::systemd;

/// A Kubernetes component kube-bench looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Component {
    /// kube-apiserver.
    ApiServer,
    /// kube-controller-manager.
    ControllerManager,
    /// kube-scheduler.
    Scheduler,
    /// etcd.
    Etcd,
    /// kubelet.
    Kubelet,
    /// kube-proxy.
    Proxy,
}

impl Component {
    /// Every component.
    pub const ALL: [Component; 6] = [
        Component::ApiServer,
        Component::ControllerManager,
        Component::Scheduler,
        Component::Etcd,
        Component::Kubelet,
        Component::Proxy,
    ];

    /// The usual binary name.
    pub fn binary(self) -> &'static str {
        match self {
            Component::ApiServer => "kube-apiserver",
            Component::ControllerManager => "kube-controller-manager",
            Component::Scheduler => "kube-scheduler",
            Component::Etcd => "etcd",
            Component::Kubelet => "kubelet",
            Component::Proxy => "kube-proxy",
        }
    }

    /// The binary candidates of kube-bench's `config.yaml` (generic benchmarks), in order.
    /// A candidate of two words is `hyperkube` with a sub-command.
    pub fn candidates(self) -> &'static [&'static str] {
        match self {
            Component::ApiServer => &[
                "kube-apiserver",
                "hyperkube apiserver",
                "hyperkube kube-apiserver",
                "apiserver",
            ],
            Component::ControllerManager => &[
                "kube-controller-manager",
                "kube-controller",
                "hyperkube controller-manager",
                "hyperkube kube-controller-manager",
                "controller-manager",
            ],
            Component::Scheduler => &[
                "kube-scheduler",
                "hyperkube scheduler",
                "hyperkube kube-scheduler",
                "scheduler",
            ],
            Component::Etcd => &["etcd"],
            Component::Kubelet => &["hyperkube kubelet", "kubelet"],
            Component::Proxy => &[
                "kube-proxy",
                "hyperkube proxy",
                "hyperkube kube-proxy",
                "proxy",
            ],
        }
    }

    /// The component whose candidate the words `argv[0] argv[1]` match, as kube-bench's
    /// `^(\S*/)*<candidate>` does for the program name (compared whole, not as a prefix).
    pub fn detect(argv: &[&str]) -> Option<Component> {
        let first = argv.first().map(|p| basename(p))?;
        Component::ALL.into_iter().find(|c| {
            c.candidates()
                .iter()
                .any(|cand| match cand.split_once(' ') {
                    Some((a, b)) => first == a && argv.get(1) == Some(&b),
                    None => first == *cand,
                })
        })
    }
}

impl std::fmt::Display for Component {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.binary())
    }
}

fn basename(p: &str) -> &str {
    p.rsplit('/').next().unwrap_or(p)
}

/// A running (or, offline, configured-to-run) component.
#[derive(Debug, Clone, PartialEq)]
pub struct Process {
    /// Which component.
    pub component: Component,
    /// Its command line.
    pub command: CommandLine,
    /// Where the command line was read (`/proc/PID/cmdline`, a manifest, a unit).
    pub source: String,
    /// Its environment (`/proc/PID/environ`, or the manifest's `env:`), name → value.
    pub env: Vec<(String, String, Origin)>,
    /// The container image (static pods only).
    pub image: Option<String>,
    /// The process id (live mode only).
    pub pid: Option<u32>,
}

impl Process {
    /// The value of an environment variable.
    pub fn env_var(&self, name: &str) -> Option<(&str, &Origin)> {
        self.env
            .iter()
            .rev()
            .find(|(n, _, _)| n == name)
            .map(|(_, v, o)| (v.as_str(), o))
    }
}

/// A parsed configuration file (kubelet `--config`, kube-proxy `--config`).
#[derive(Debug, Clone)]
pub struct ConfigFile {
    /// Node path.
    pub path: String,
    /// Why this file: `--config flag` or `kube-bench candidate`.
    pub found_by: String,
    /// The content, `Value::Null` when it could not be parsed.
    pub value: Value,
    /// Field positions.
    pub index: kspect_core::span::SpanIndex,
    /// The parse error, if any.
    pub error: Option<String>,
}

impl ConfigFile {
    /// Reads and parses a YAML or JSON file.
    pub fn load(fs: &dyn NodeFs, path: &str, found_by: &str) -> Option<ConfigFile> {
        let text = fs.read_text(path)?;
        let (value, index, error) = match kspect_core::yaml::parse_document(&text, 0) {
            Ok(Some(doc)) => (doc.value, doc.index, None),
            Ok(None) => (Value::Null, Default::default(), None),
            Err(e) => (
                Value::Null,
                Default::default(),
                Some(format!("{}:{}: {e}", path, e.pos.line)),
            ),
        };
        Some(ConfigFile {
            path: path.to_string(),
            found_by: found_by.to_string(),
            value,
            index,
            error,
        })
    }

    /// The origin of the field at `pointer`.
    pub fn origin(&self, pointer: &str) -> Origin {
        match self.index.get(pointer) {
            Some(p) => Origin::at(self.path.clone(), p.line),
            None => Origin::file(self.path.clone()),
        }
    }
}

/// How the facts were gathered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// From the running system.
    Live,
    /// From a copy of a node's filesystem.
    Offline,
}

/// A Kubernetes version `major.minor` and where it was seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    /// Major.
    pub major: u32,
    /// Minor.
    pub minor: u32,
    /// Full text as seen (`v1.31.2`).
    pub text: String,
    /// Where it was seen.
    pub source: String,
}

/// Parses `v1.31.2`, `1.31`, `Kubernetes v1.31.2`, an image reference ending in such a tag.
pub fn parse_version(text: &str, source: &str) -> Option<Version> {
    let t = text.trim();
    let t = t.rsplit([':', ' ']).next().unwrap_or(t);
    let t = t.trim_start_matches('v');
    let mut parts = t.split(['.', '-', '+']);
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some(Version {
        major,
        minor,
        text: text.trim().to_string(),
        source: source.to_string(),
    })
}

/// Everything the node checks need.
pub struct NodeFacts<'a> {
    /// The node's files.
    pub fs: &'a dyn NodeFs,
    /// Live or offline.
    pub mode: Mode,
    /// Components found, at most one per component.
    pub processes: Vec<Process>,
    /// The kubelet's config file.
    pub kubelet_config: Option<ConfigFile>,
    /// kube-proxy's `--config` file.
    pub proxy_config: Option<ConfigFile>,
    /// The files the kubelet's systemd unit is made of.
    pub kubelet_unit: systemd::UnitFiles,
    /// The Kubernetes version, when it could be found.
    pub version: Option<Version>,
    /// Problems met while gathering (unreadable manifests ...).
    pub notes: Vec<String>,
}

/// Static pod manifest directory.
pub const MANIFEST_DIR: &str = "/etc/kubernetes/manifests";

/// kube-bench's kubelet config candidates that hold a kubelet configuration (the
/// systemd unit files at the end of its list are left out: they are not config files).
pub const KUBELET_CONFIG_CANDIDATES: &[&str] = &[
    "/etc/kubernetes/kubelet-config.yaml",
    "/etc/kubernetes/kubelet/kubelet-config.json",
    "/var/lib/kubelet/config.yaml",
    "/var/lib/kubelet/config.yml",
    "/etc/kubernetes/kubelet/config.json",
    "/etc/kubernetes/kubelet/config",
    "/home/kubernetes/kubelet-config.yaml",
    "/home/kubernetes/kubelet-config.yml",
    "/etc/default/kubeletconfig.json",
];

/// kube-bench's default kubelet config path.
pub const KUBELET_CONFIG_DEFAULT: &str = "/var/lib/kubelet/config.yaml";

impl<'a> NodeFacts<'a> {
    /// The process of a component.
    pub fn process(&self, c: Component) -> Option<&Process> {
        self.processes.iter().find(|p| p.component == c)
    }

    /// Gathers facts from a node's filesystem copy: static pod manifests, the kubelet's
    /// and kube-proxy's systemd units.
    pub fn offline(fs: &'a dyn NodeFs) -> NodeFacts<'a> {
        let mut notes = Vec::new();
        let mut processes = static_pods(fs, &mut notes);
        for (component, unit) in [
            (Component::Kubelet, "kubelet.service"),
            (Component::Proxy, "kube-proxy.service"),
            (Component::Etcd, "etcd.service"),
            (Component::ApiServer, "kube-apiserver.service"),
            (
                Component::ControllerManager,
                "kube-controller-manager.service",
            ),
            (Component::Scheduler, "kube-scheduler.service"),
        ] {
            if processes.iter().any(|p| p.component == component) {
                continue;
            }
            if let Some(svc) = systemd::service_command(fs, unit) {
                let files = svc.unit.all().join(", ");
                let env = svc
                    .env
                    .iter()
                    .map(|(k, v)| (k.clone(), v.value.clone(), v.origin.clone()))
                    .collect();
                processes.push(Process {
                    component,
                    command: svc.command,
                    source: format!("systemd unit {unit} ({files})"),
                    env,
                    image: None,
                    pid: None,
                });
            }
        }
        Self::finish(fs, Mode::Offline, processes, notes)
    }

    /// Gathers facts from the running system: `/proc` (normally `Path::new("/proc")`)
    /// and the files of `fs` (normally [`crate::fs::RootedFs::live`]).
    pub fn live(fs: &'a dyn NodeFs, proc_dir: &Path) -> NodeFacts<'a> {
        let notes = Vec::new();
        let processes = proc_processes(proc_dir);
        let mut facts = Self::finish(fs, Mode::Live, processes, notes);
        if facts.version.is_none() {
            facts.version = live_version(&facts.processes, proc_dir);
        }
        facts
    }

    fn finish(
        fs: &'a dyn NodeFs,
        mode: Mode,
        processes: Vec<Process>,
        notes: Vec<String>,
    ) -> NodeFacts<'a> {
        let mut notes = notes;
        let kubelet = processes.iter().find(|p| p.component == Component::Kubelet);
        let kubelet_config = match kubelet.and_then(|k| k.command.get("config")) {
            Some(flag) => flag.value.as_deref().and_then(|p| {
                let cfg = ConfigFile::load(fs, p, "the kubelet's --config flag");
                if cfg.is_none() {
                    notes.push(format!("the kubelet's --config file {p} cannot be read"));
                }
                cfg
            }),
            None => KUBELET_CONFIG_CANDIDATES
                .iter()
                .find(|p| fs.exists(p))
                .and_then(|p| ConfigFile::load(fs, p, "kube-bench's candidate list")),
        };
        if let Some(e) = kubelet_config.as_ref().and_then(|c| c.error.as_ref()) {
            notes.push(format!("kubelet config file is not valid YAML: {e}"));
        }
        let proxy_config = processes
            .iter()
            .find(|p| p.component == Component::Proxy)
            .and_then(|p| p.command.get("config"))
            .and_then(|f| f.value.as_deref())
            .and_then(|p| ConfigFile::load(fs, p, "kube-proxy's --config flag"));
        let version = [
            Component::ApiServer,
            Component::ControllerManager,
            Component::Scheduler,
            Component::Proxy,
        ]
        .iter()
        .filter_map(|c| processes.iter().find(|p| p.component == *c))
        .find_map(|p| {
            p.image
                .as_deref()
                .and_then(|i| parse_version(i, &format!("image of {}", p.source)))
        });
        NodeFacts {
            fs,
            mode,
            kubelet_unit: systemd::find_unit(fs, "kubelet.service"),
            processes,
            kubelet_config,
            proxy_config,
            version,
            notes,
        }
    }
}

/// Reads the static pod manifests into processes.
fn static_pods(fs: &dyn NodeFs, notes: &mut Vec<String>) -> Vec<Process> {
    let mut out: Vec<Process> = Vec::new();
    let mut files = fs.read_dir(MANIFEST_DIR).unwrap_or_default();
    // kube-proxy is sometimes run from an add-on manifest rather than a static pod.
    files.sort();
    let mut paths: Vec<String> = files
        .iter()
        .filter(|n| {
            n.ends_with(".yaml")
                || n.ends_with(".yml")
                || n.ends_with(".manifest")
                || n.ends_with(".json")
        })
        .map(|n| format!("{MANIFEST_DIR}/{n}"))
        .collect();
    for extra in [
        "/etc/kubernetes/addons/kube-proxy-daemonset.yaml",
        "/etc/kubernetes/addons/kube-proxy-daemonset.yml",
    ] {
        if fs.exists(extra) {
            paths.push(extra.to_string());
        }
    }
    for path in paths {
        let Some(text) = fs.read_text(&path) else {
            notes.push(format!("{path}: cannot be read"));
            continue;
        };
        let doc = match kspect_core::yaml::parse_document(&text, 0) {
            Ok(Some(d)) => d,
            Ok(None) => continue,
            Err(e) => {
                notes.push(format!("{path}:{}: {e}", e.pos.line));
                continue;
            }
        };
        // A Pod has its spec at /spec; a DaemonSet at /spec/template/spec.
        let spec_ptr = if doc.value.pointer("/spec/template/spec").is_some() {
            "/spec/template/spec"
        } else {
            "/spec"
        };
        let Some(containers) = doc
            .value
            .pointer(&format!("{spec_ptr}/containers"))
            .and_then(Value::as_array)
        else {
            continue;
        };
        for (ci, c) in containers.iter().enumerate() {
            let base = format!("{spec_ptr}/containers/{ci}");
            let mut words = Vec::new();
            for key in ["command", "args"] {
                if let Some(items) = c.get(key).and_then(Value::as_array) {
                    for (i, item) in items.iter().enumerate() {
                        let text = match item {
                            Value::String(s) => s.clone(),
                            other => other.to_string(),
                        };
                        let line = doc.index.get(&format!("{base}/{key}/{i}")).map(|p| p.line);
                        words.push(Word {
                            text,
                            origin: Origin {
                                file: path.clone(),
                                line,
                            },
                        });
                    }
                }
            }
            // `sh -c "exec kube-proxy ..."` wrappers: look inside the script.
            if words.len() >= 3
                && matches!(basename(&words[0].text), "sh" | "bash")
                && words[1].text == "-c"
            {
                let origin = words[2].origin.clone();
                let script = words[2].text.trim_start_matches("exec ").to_string();
                words = crate::cmdline::split_words(&script)
                    .into_iter()
                    .map(|t| Word {
                        text: t,
                        origin: origin.clone(),
                    })
                    .collect();
            }
            let argv: Vec<&str> = words.iter().map(|w| w.text.as_str()).collect();
            let Some(component) = Component::detect(&argv) else {
                continue;
            };
            if out.iter().any(|p| p.component == component) {
                continue;
            }
            let env = c
                .get("env")
                .and_then(Value::as_array)
                .map(|items| {
                    items
                        .iter()
                        .enumerate()
                        .filter_map(|(i, e)| {
                            let name = e.get("name")?.as_str()?.to_string();
                            let value = e.get("value")?.as_str()?.to_string();
                            let line = doc.index.get(&format!("{base}/env/{i}")).map(|p| p.line);
                            Some((
                                name,
                                value,
                                Origin {
                                    file: path.clone(),
                                    line,
                                },
                            ))
                        })
                        .collect()
                })
                .unwrap_or_default();
            out.push(Process {
                component,
                command: CommandLine::parse(words),
                source: path.clone(),
                env,
                image: c.get("image").and_then(Value::as_str).map(str::to_string),
                pid: None,
            });
        }
    }
    out
}

/// Reads `/proc/*/cmdline` and keeps the first process (lowest pid) of each component.
pub fn proc_processes(proc_dir: &Path) -> Vec<Process> {
    let mut pids: Vec<u32> = std::fs::read_dir(proc_dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter_map(|e| e.file_name().to_str().and_then(|n| n.parse().ok()))
                .collect()
        })
        .unwrap_or_default();
    pids.sort_unstable();
    let mut out: Vec<Process> = Vec::new();
    for pid in pids {
        let dir = proc_dir.join(pid.to_string());
        let Ok(raw) = std::fs::read(dir.join("cmdline")) else {
            continue;
        };
        let args: Vec<String> = raw
            .split(|b| *b == 0)
            .filter(|a| !a.is_empty())
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let Some(component) = Component::detect(&argv) else {
            continue;
        };
        if out.iter().any(|p| p.component == component) {
            continue;
        }
        let source = format!("/proc/{pid}/cmdline");
        let env_origin = Origin::file(format!("/proc/{pid}/environ"));
        let env = std::fs::read(dir.join("environ"))
            .map(|raw| {
                raw.split(|b| *b == 0)
                    .filter_map(|kv| {
                        let kv = String::from_utf8_lossy(kv);
                        let (k, v) = kv.split_once('=')?;
                        Some((k.to_string(), v.to_string(), env_origin.clone()))
                    })
                    .collect()
            })
            .unwrap_or_default();
        out.push(Process {
            component,
            command: CommandLine::from_strings(&args, &Origin::file(source.clone())),
            source,
            env,
            image: None,
            pid: Some(pid),
        });
    }
    out
}

/// Asks a running component's binary for its version, as kube-bench runs
/// `kubelet --version`.
fn live_version(processes: &[Process], proc_dir: &Path) -> Option<Version> {
    for c in [Component::ApiServer, Component::Kubelet] {
        let Some(p) = processes.iter().find(|p| p.component == c) else {
            continue;
        };
        let Some(pid) = p.pid else { continue };
        let exe: PathBuf = proc_dir.join(pid.to_string()).join("exe");
        let Ok(out) = std::process::Command::new(&exe).arg("--version").output() else {
            continue;
        };
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        if let Some(v) = parse_version(&text, &format!("{} --version", c.binary())) {
            return Some(v);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detection_matches_whole_program_names() {
        assert_eq!(
            Component::detect(&["/usr/bin/kubelet", "--x"]),
            Some(Component::Kubelet)
        );
        assert_eq!(
            Component::detect(&["hyperkube", "kubelet"]),
            Some(Component::Kubelet)
        );
        assert_eq!(
            Component::detect(&["kube-apiserver"]),
            Some(Component::ApiServer)
        );
        assert_eq!(Component::detect(&["kube-apiserver-proxy"]), None);
        assert_eq!(Component::detect(&["etcdctl"]), None);
        assert_eq!(
            Component::detect(&["hyperkube", "apiserver"]),
            Some(Component::ApiServer)
        );
    }

    #[test]
    fn versions_from_tags_and_output() {
        let v = parse_version("registry.k8s.io/kube-apiserver:v1.31.2", "x").unwrap();
        assert_eq!((v.major, v.minor), (1, 31));
        let v = parse_version("Kubernetes v1.33.0-rc.1", "x").unwrap();
        assert_eq!((v.major, v.minor), (1, 33));
        assert!(parse_version("latest", "x").is_none());
    }

    #[test]
    fn proc_scan_finds_components() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        for (pid, argv) in [
            ("1", "/sbin/init\0"),
            (
                "812",
                "/usr/bin/kubelet\0--config=/var/lib/kubelet/config.yaml\0--anonymous-auth=false\0",
            ),
            ("900", "etcd\0--cert-file=/a\0"),
            ("901", "/usr/bin/kubelet\0--other\0"),
        ] {
            std::fs::create_dir_all(p.join(pid)).unwrap();
            std::fs::write(p.join(pid).join("cmdline"), argv).unwrap();
        }
        std::fs::write(p.join("900/environ"), "ETCD_KEY_FILE=/k\0PATH=/bin\0").unwrap();
        let procs = proc_processes(p);
        assert_eq!(procs.len(), 2);
        let k = procs
            .iter()
            .find(|x| x.component == Component::Kubelet)
            .unwrap();
        assert_eq!(k.pid, Some(812));
        assert_eq!(
            k.command.get("anonymous-auth").unwrap().value.as_deref(),
            Some("false")
        );
        let e = procs
            .iter()
            .find(|x| x.component == Component::Etcd)
            .unwrap();
        assert_eq!(e.env_var("ETCD_KEY_FILE").unwrap().0, "/k");
    }
}
