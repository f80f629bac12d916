//! The command line a systemd service starts, read from its unit files.
//!
//! Offline there is no process to look at, so the kubelet's (and dockerd's) command line
//! is rebuilt the way systemd builds it: the unit file found first along the unit search
//! path, its drop-ins (`NAME.d/*.conf` from every directory, a name in a earlier
//! directory hiding the same name in a later one, applied in file-name order), `ExecStart=`
//! (an empty assignment clears earlier ones), `Environment=` and `EnvironmentFile=`
//! (files override `Environment=`; a leading `-` makes a missing file acceptable), and
//! `$VAR` expanded to several words and `${VAR}` to one.

use std::collections::{BTreeMap, HashMap};

use crate::cmdline::{CommandLine, Origin, Word, split_words};
use crate::fs::NodeFs;

/// Unit directories in systemd's order of precedence.
pub const UNIT_DIRS: &[&str] = &[
    "/etc/systemd/system",
    "/run/systemd/system",
    "/usr/local/lib/systemd/system",
    "/lib/systemd/system",
    "/usr/lib/systemd/system",
];

/// The files that make up one unit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnitFiles {
    /// The unit file itself (node path), if one exists.
    pub main: Option<String>,
    /// Drop-ins in the order systemd applies them.
    pub dropins: Vec<String>,
}

impl UnitFiles {
    /// Every file, main unit first.
    pub fn all(&self) -> Vec<String> {
        self.main
            .iter()
            .chain(self.dropins.iter())
            .cloned()
            .collect()
    }

    /// True when no file defines the unit.
    pub fn is_empty(&self) -> bool {
        self.main.is_none() && self.dropins.is_empty()
    }
}

/// Finds the unit `name` (e.g. `kubelet.service`) and its drop-ins.
pub fn find_unit(fs: &dyn NodeFs, name: &str) -> UnitFiles {
    let main = UNIT_DIRS
        .iter()
        .map(|d| format!("{d}/{name}"))
        .find(|p| fs.exists(p));
    let mut dropins: BTreeMap<String, String> = BTreeMap::new();
    for d in UNIT_DIRS {
        let dir = format!("{d}/{name}.d");
        for n in fs.read_dir(&dir).unwrap_or_default() {
            if n.ends_with(".conf") {
                dropins
                    .entry(n.clone())
                    .or_insert_with(|| format!("{dir}/{n}"));
            }
        }
    }
    UnitFiles {
        main,
        dropins: dropins.into_values().collect(),
    }
}

/// One `Key=value` line of a `[Service]` section.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Directive {
    key: String,
    value: String,
    origin: Origin,
}

fn service_directives(fs: &dyn NodeFs, files: &[String]) -> Vec<Directive> {
    let mut out = Vec::new();
    for file in files {
        let Some(text) = fs.read_text(file) else {
            continue;
        };
        let mut section = String::new();
        let mut pending: Option<(String, u32)> = None;
        for (idx, raw) in text.lines().enumerate() {
            let lineno = u32::try_from(idx + 1).unwrap_or(u32::MAX);
            let (mut line, start) = match pending.take() {
                Some((mut acc, start)) => {
                    acc.push(' ');
                    acc.push_str(raw.trim());
                    (acc, start)
                }
                None => (raw.trim().to_string(), lineno),
            };
            if let Some(stripped) = line.strip_suffix('\\') {
                line = stripped.to_string();
                pending = Some((line, start));
                continue;
            }
            if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
                continue;
            }
            if line.starts_with('[') && line.ends_with(']') {
                section = line[1..line.len() - 1].to_string();
                continue;
            }
            if section != "Service" {
                continue;
            }
            if let Some((k, v)) = line.split_once('=') {
                out.push(Directive {
                    key: k.trim().to_string(),
                    value: v.trim().to_string(),
                    origin: Origin::at(file.clone(), start),
                });
            }
        }
    }
    out
}

/// A variable of the service environment and where its value was set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvValue {
    /// The value.
    pub value: String,
    /// Where it was assigned.
    pub origin: Origin,
}

/// Reads an `EnvironmentFile`: `KEY=value` lines, `#`/`;` comments, quotes removed.
pub fn parse_env_file(text: &str, file: &str) -> Vec<(String, EnvValue)> {
    let mut out = Vec::new();
    for (idx, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        let v = v.trim();
        let value = if v.starts_with('"') || v.starts_with('\'') {
            split_words(v).join(" ")
        } else {
            v.to_string()
        };
        out.push((
            k.trim().to_string(),
            EnvValue {
                value,
                origin: Origin::at(file, u32::try_from(idx + 1).unwrap_or(u32::MAX)),
            },
        ));
    }
    out
}

/// The command a service runs, with the files it was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceCommand {
    /// The expanded command line.
    pub command: CommandLine,
    /// The unit files.
    pub unit: UnitFiles,
    /// Environment files that were read.
    pub env_files: Vec<String>,
    /// The service environment.
    pub env: HashMap<String, EnvValue>,
}

/// Rebuilds the command line of `ExecStart=` of the unit `name`, or `None` when the unit
/// does not exist or has no `ExecStart=`.
pub fn service_command(fs: &dyn NodeFs, name: &str) -> Option<ServiceCommand> {
    let unit = find_unit(fs, name);
    if unit.is_empty() {
        return None;
    }
    let directives = service_directives(fs, &unit.all());
    let mut exec: Option<Directive> = None;
    let mut env: HashMap<String, EnvValue> = HashMap::new();
    let mut env_files: Vec<(String, bool)> = Vec::new();
    for d in directives {
        match d.key.as_str() {
            "ExecStart" => {
                exec = if d.value.is_empty() { None } else { Some(d) };
            }
            "Environment" => {
                if d.value.is_empty() {
                    env.clear();
                }
                for assignment in split_words(&d.value) {
                    if let Some((k, v)) = assignment.split_once('=') {
                        env.insert(
                            k.to_string(),
                            EnvValue {
                                value: v.to_string(),
                                origin: d.origin.clone(),
                            },
                        );
                    }
                }
            }
            "EnvironmentFile" => {
                if d.value.is_empty() {
                    env_files.clear();
                }
                for f in split_words(&d.value) {
                    match f.strip_prefix('-') {
                        Some(p) => env_files.push((p.to_string(), true)),
                        None => env_files.push((f, false)),
                    }
                }
            }
            _ => {}
        }
    }
    let exec = exec?;
    // systemd reads the files when the service starts, so they override Environment=.
    let mut read_files = Vec::new();
    for (file, _optional) in &env_files {
        if let Some(text) = fs.read_text(file) {
            for (k, v) in parse_env_file(&text, file) {
                env.insert(k, v);
            }
            read_files.push(file.clone());
        }
    }
    let words = expand_exec(&exec.value, &exec.origin, &env);
    Some(ServiceCommand {
        command: CommandLine::parse(words),
        unit,
        env_files: read_files,
        env,
    })
}

fn is_var_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Expands an `ExecStart=` value into words.
pub fn expand_exec(value: &str, origin: &Origin, env: &HashMap<String, EnvValue>) -> Vec<Word> {
    let mut words = Vec::new();
    let mut first = true;
    for w in split_words(value) {
        let w = if first {
            first = false;
            // `-`, `@`, `+`, `!`, `:` prefixes change how systemd runs the program.
            w.trim_start_matches(['-', '@', '+', '!', ':']).to_string()
        } else {
            w
        };
        if let Some(name) = w.strip_prefix('$').filter(|n| is_var_name(n)) {
            if let Some(v) = env.get(name) {
                for part in split_words(&v.value) {
                    words.push(Word {
                        text: part,
                        origin: v.origin.clone(),
                    });
                }
            }
            continue;
        }
        let (text, from) = substitute(&w, env);
        if text.is_empty() && w.contains('$') {
            continue;
        }
        words.push(Word {
            text,
            origin: from.unwrap_or_else(|| origin.clone()),
        });
    }
    words
}

/// Replaces `${VAR}` and `$VAR` inside one word; `$$` is a literal `$`.
fn substitute(w: &str, env: &HashMap<String, EnvValue>) -> (String, Option<Origin>) {
    let mut out = String::new();
    let mut from = None;
    let mut rest = w;
    while let Some(pos) = rest.find('$') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        if let Some(a) = after.strip_prefix('$') {
            out.push('$');
            rest = a;
        } else if let Some(body) = after.strip_prefix('{') {
            match body.find('}') {
                Some(end) => {
                    if let Some(v) = env.get(&body[..end]) {
                        out.push_str(&v.value);
                        from = Some(v.origin.clone());
                    }
                    rest = &body[end + 1..];
                }
                None => {
                    out.push('$');
                    rest = after;
                }
            }
        } else {
            let end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            if end == 0 {
                out.push('$');
            } else if let Some(v) = env.get(&after[..end]) {
                out.push_str(&v.value);
                from = Some(v.origin.clone());
            }
            rest = &after[end..];
        }
    }
    out.push_str(rest);
    (out, from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::RootedFs;

    fn write(root: &std::path::Path, path: &str, text: &str) {
        let p = root.join(path.trim_start_matches('/'));
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    #[test]
    fn kubeadm_dropin_is_expanded() {
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path();
        write(
            r,
            "/lib/systemd/system/kubelet.service",
            "[Unit]\nDescription=kubelet\n[Service]\nExecStart=/usr/bin/kubelet\nRestart=always\n",
        );
        write(
            r,
            "/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf",
            "[Service]\nEnvironment=\"KUBELET_KUBECONFIG_ARGS=--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf\"\n\
             Environment=\"KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml\"\n\
             EnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env\n\
             EnvironmentFile=-/etc/default/kubelet\n\
             ExecStart=\n\
             ExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS\n",
        );
        write(
            r,
            "/var/lib/kubelet/kubeadm-flags.env",
            "KUBELET_KUBEADM_ARGS=\"--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock --pod-infra-container-image=registry.k8s.io/pause:3.10\"\n",
        );
        write(
            r,
            "/etc/default/kubelet",
            "KUBELET_EXTRA_ARGS=--read-only-port=10255\n",
        );
        let fs = RootedFs::new(r);
        let svc = service_command(&fs, "kubelet.service").unwrap();
        let c = &svc.command;
        assert_eq!(c.program(), Some("/usr/bin/kubelet"));
        assert_eq!(
            c.get("config").unwrap().value.as_deref(),
            Some("/var/lib/kubelet/config.yaml")
        );
        assert_eq!(
            c.get("kubeconfig").unwrap().value.as_deref(),
            Some("/etc/kubernetes/kubelet.conf")
        );
        let ro = c.get("read-only-port").unwrap();
        assert_eq!(ro.value.as_deref(), Some("10255"));
        assert_eq!(ro.origin, Origin::at("/etc/default/kubelet", 1));
        assert_eq!(
            c.get("container-runtime-endpoint").unwrap().origin.file,
            "/var/lib/kubelet/kubeadm-flags.env"
        );
        assert_eq!(svc.unit.all().len(), 2);
    }

    #[test]
    fn etc_dropin_hides_same_name_and_order_is_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path();
        write(
            r,
            "/lib/systemd/system/x.service",
            "[Service]\nExecStart=/bin/x --a=1\n",
        );
        write(
            r,
            "/lib/systemd/system/x.service.d/20-b.conf",
            "[Service]\nExecStart=\nExecStart=/bin/x --a=lib\n",
        );
        write(
            r,
            "/etc/systemd/system/x.service.d/20-b.conf",
            "[Service]\nExecStart=\nExecStart=/bin/x --a=etc \\\n  --b=2\n",
        );
        write(
            r,
            "/etc/systemd/system/x.service.d/10-a.conf",
            "[Service]\nEnvironment=A=1\n",
        );
        let fs = RootedFs::new(r);
        let svc = service_command(&fs, "x.service").unwrap();
        assert_eq!(svc.command.get("a").unwrap().value.as_deref(), Some("etc"));
        assert_eq!(svc.command.get("b").unwrap().value.as_deref(), Some("2"));
        assert_eq!(
            svc.unit.dropins,
            vec![
                "/etc/systemd/system/x.service.d/10-a.conf".to_string(),
                "/etc/systemd/system/x.service.d/20-b.conf".to_string()
            ]
        );
    }

    #[test]
    fn braces_expand_to_one_word() {
        let mut env = HashMap::new();
        env.insert(
            "V".to_string(),
            EnvValue {
                value: "a b".to_string(),
                origin: Origin::file("f"),
            },
        );
        let w = expand_exec("/bin/p ${V} $V x$${V}", &Origin::file("u"), &env);
        let t: Vec<&str> = w.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(t, vec!["/bin/p", "a b", "a", "b", "x${V}"]);
    }
}
