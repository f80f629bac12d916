//! The 20 declarative end-to-end tests of Falco's `e2e_tests/evtgen_suite`
//! (`cases/falco-e2e-evtgen-suite/*.yaml` in the corpus), replayed through the real
//! `rules/falco_rules.yaml`.
//!
//! Each YAML test describes what event-generator's `HostRunner` does: an optional
//! container, a chain of processes (each spawned by the previous one), resources
//! (files, a connected client/server socket pair, a fileless process) and syscall
//! steps. This file turns one instantiated test (after expanding its `cases` matrix or
//! vectors) into the syscall events a sensor would report for it, in kspect's
//! JSON-lines schema, writes them to a file and replays that file with
//! `kspect_runtime::replay`. The expectations (rule, priority, output fields) are read
//! from the corpus, never written here.
//!
//! What is asserted, with Falco's default `rule_matching: first`:
//! - the event the test performs (its last step, the connection, or the spawn of the
//!   last process) fires exactly the expected rule, with the expected priority and
//!   output fields, and the expected rule fires on no other event;
//! - a benign look-alike of the same test (written here, per test) fires nothing on
//!   its triggering event and never fires the expected rule.
//!
//! Other rules firing on setup events (a process spawned in a container from a copied
//! binary fires "Drop and execute new binary in container", as in a real run) are
//! allowed and counted in the printed summary.
//!
//! Model of the runner, where the YAML leaves it implicit:
//! - the runner is `event-generator` (pid 1000, host, root), started by the test
//!   harness `evtgen-e2e`; without `context.processes` it performs the steps itself;
//! - `context.container: {}` runs the processes in a privileged container (the
//!   debugfs and release_agent tests rely on that), whose processes hold every
//!   capability; a process run there as a non-root user gets a copy of its binary in
//!   the overlay upper layer (as the drop-and-execute test's comment explains), root
//!   processes a hard link to the base image's binary (lower layer);
//! - a process without `exe` runs from `/tmp/event-generator/<name>`; `args` are split
//!   on spaces; `before: sleep N` elapses between the spawn and the steps;
//! - a `clientServer` resource is a connected socket of the acting process (fd 3);
//!   `${ cs.client.fd }` names it; file resources exist beforehand (no events).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use kspect_rules::yaml::{self, Node};
use kspect_rules::{Engine, RuleMatching};
use kspect_runtime::State;
use kspect_runtime::replay::replay_files;
use serde_json::{Map, Value as Json, json};

fn corpus() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/falco");
    if p.is_dir() {
        return Some(p);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("corpus not found at {}", p.display());
    }
    println!("skipping: corpus not found at {}", p.display());
    None
}

// ---------------------------------------------------------------------------------
// Reading the test files.

/// YAML nodes to JSON, every scalar as its text (templating works on text).
fn to_json(n: &Node) -> Json {
    match n {
        Node::Null(_) => Json::Null,
        Node::Scalar { text, .. } => Json::String(text.clone()),
        Node::Seq(items, _) => Json::Array(items.iter().map(to_json).collect()),
        Node::Map(entries, _) => {
            let mut m = Map::new();
            for (k, v) in entries {
                m.insert(k.as_text().unwrap_or_default().to_string(), to_json(v));
            }
            Json::Object(m)
        }
    }
}

/// A template placed directly after a key (`runIf: %{ item.runIf }`) is not a valid
/// plain scalar; quote it so that the file parses, the substitution then replaces the
/// whole string by the item's value (a mapping or null there).
fn quote_bare_templates(text: &str) -> String {
    text.lines()
        .map(|l| match l.find(": %{") {
            Some(i) => format!("{}: \"{}\"", &l[..i], l[i + 2..].trim_end()),
            None => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The item values of every case of a test: `matrix` is the product of the value
/// lists (in key order), `vector` one item as written. No `cases`: one empty item.
fn expand_cases(test: &Json) -> Vec<Map<String, Json>> {
    let Some(cases) = test.get("cases").and_then(Json::as_array) else {
        return vec![Map::new()];
    };
    let mut out = Vec::new();
    for c in cases {
        let values = c["values"].as_object().cloned().unwrap_or_default();
        match c["strategy"].as_str() {
            Some("vector") => out.push(values),
            _ => {
                let mut items = vec![Map::new()];
                for (k, vs) in &values {
                    let vs = vs.as_array().cloned().unwrap_or_else(|| vec![vs.clone()]);
                    items = items
                        .into_iter()
                        .flat_map(|it| {
                            vs.iter().map(move |v| {
                                let mut it = it.clone();
                                it.insert(k.clone(), v.clone());
                                it
                            })
                        })
                        .collect();
                }
                out.extend(items);
            }
        }
    }
    out
}

fn value_text(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        Json::Null => String::new(),
        other => other.to_string(),
    }
}

/// Replaces `%{ item.K }`: a string that is only the template becomes the value
/// itself; templates inside longer strings are replaced by the value's text.
fn instantiate(v: &Json, item: &Map<String, Json>) -> Json {
    match v {
        Json::String(s) => {
            let t = s.trim();
            if let Some(k) = t
                .strip_prefix("%{ item.")
                .and_then(|r| r.strip_suffix(" }"))
                .filter(|k| !k.contains(' '))
            {
                if let Some(x) = item.get(k) {
                    return x.clone();
                }
            }
            let mut out = s.clone();
            for (k, x) in item {
                out = out.replace(&format!("%{{ item.{k} }}"), &value_text(x));
            }
            Json::String(out)
        }
        Json::Array(a) => Json::Array(a.iter().map(|x| instantiate(x, item)).collect()),
        Json::Object(m) => Json::Object(
            m.iter()
                .filter(|(k, _)| *k != "cases")
                .map(|(k, x)| (k.clone(), instantiate(x, item)))
                .collect(),
        ),
        other => other.clone(),
    }
}

// ---------------------------------------------------------------------------------
// From a test to the events a sensor reports.

const T0: i64 = 1_000_000_000_000;
const HARNESS_PID: i64 = 900;
const RUNNER_PID: i64 = 1000;
const SHIM_PID: i64 = 1900;
const CONTAINER_ID: &str = "e2e0c0ffee01";
const ALL_CAPS: &str = "CAP_CHOWN CAP_DAC_OVERRIDE CAP_DAC_READ_SEARCH CAP_FOWNER CAP_FSETID CAP_KILL CAP_SETGID CAP_SETUID CAP_SETPCAP CAP_LINUX_IMMUTABLE CAP_NET_BIND_SERVICE CAP_NET_BROADCAST CAP_NET_ADMIN CAP_NET_RAW CAP_IPC_LOCK CAP_IPC_OWNER CAP_SYS_MODULE CAP_SYS_RAWIO CAP_SYS_CHROOT CAP_SYS_PTRACE CAP_SYS_PACCT CAP_SYS_ADMIN CAP_SYS_BOOT CAP_SYS_NICE CAP_SYS_RESOURCE CAP_SYS_TIME CAP_SYS_TTY_CONFIG CAP_MKNOD CAP_LEASE CAP_AUDIT_WRITE CAP_AUDIT_CONTROL CAP_SETFCAP CAP_MAC_OVERRIDE CAP_MAC_ADMIN CAP_SYSLOG CAP_WAKE_ALARM CAP_BLOCK_SUSPEND CAP_AUDIT_READ CAP_PERFMON CAP_BPF CAP_CHECKPOINT_RESTORE";

/// Debian's uids for the system users the tests name.
fn uid_of(user: &str) -> u32 {
    match user {
        "root" => 0,
        "daemon" => 1,
        "bin" => 2,
        "sync" => 4,
        "games" => 5,
        "lp" => 7,
        "mail" => 8,
        "uucp" => 10,
        "www-data" => 33,
        "sshd" => 105,
        "nobody" => 65534,
        _ => 1001,
    }
}

fn user_rec(name: &str) -> Json {
    let uid = uid_of(name);
    json!({"uid": uid, "name": name, "loginuid": -1})
}

/// `/a/../b/./c` to `/b/c`, as the kernel resolves the path that `fd.name` shows.
fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    format!("/{}", parts.join("/"))
}

/// Splits `host:port` / `[v6]:port`.
fn split_addr(a: &str) -> Option<(String, u16)> {
    let (h, p) = a.rsplit_once(':')?;
    let h = h.trim_start_matches('[').trim_end_matches(']');
    Some((h.to_string(), p.parse().ok()?))
}

struct Gen {
    t: i64,
    events: Vec<Json>,
    fds: BTreeMap<i64, Json>,
    next_fd: i64,
    vars: BTreeMap<String, String>,
}

impl Gen {
    fn push(&mut self, mut ev: Json) {
        self.t += 1_000_000;
        ev["time"] = json!(self.t);
        self.events.push(ev);
    }

    fn resolve(&self, v: &Json) -> Json {
        if let Some(s) = v.as_str() {
            let t = s.trim();
            if let Some(name) = t.strip_prefix("${ ").and_then(|r| r.strip_suffix(" }")) {
                if let Some(x) = self.vars.get(name) {
                    return Json::String(x.clone());
                }
            }
        }
        v.clone()
    }

    fn num(&self, v: &Json) -> Option<i64> {
        value_text(&self.resolve(v)).trim().parse().ok()
    }
}

/// Events of one instantiated test; the last event is the one the test performs.
fn events_of(test: &Json) -> Result<Vec<Json>, String> {
    let mut g = Gen {
        t: T0,
        events: Vec::new(),
        fds: BTreeMap::new(),
        next_fd: 3,
        vars: BTreeMap::new(),
    };
    let root = user_rec("root");
    g.push(json!({"type": "execve", "res": 0, "user": root,
        "args": {"filename": "/usr/local/bin/evtgen-e2e"},
        "proc": {"pid": HARNESS_PID, "ppid": 1, "exepath": "/usr/local/bin/evtgen-e2e", "cwd": "/root/", "tty": 34816, "start": T0}}));
    g.push(json!({"type": "execve", "res": 0, "user": root,
        "args": {"filename": "/usr/bin/event-generator"},
        "proc": {"pid": RUNNER_PID, "ppid": HARNESS_PID, "exepath": "/usr/bin/event-generator", "args": ["test", "run"],
                 "cwd": "/root/", "tty": 34816, "start": T0, "cap_effective": ALL_CAPS}}));

    let ctx = &test["context"];
    let container = match ctx.get("container") {
        Some(Json::Object(m)) => {
            let privileged = m
                .get("privileged")
                .and_then(Json::as_str)
                .is_none_or(|p| p != "false");
            Some(json!({"id": CONTAINER_ID, "name": "event-generator-e2e",
                "image": "docker.io/falcosecurity/event-generator:latest", "type": "containerd",
                "privileged": privileged}))
        }
        _ => None,
    };
    let privileged = container
        .as_ref()
        .is_some_and(|c| c["privileged"] == json!(true));
    if container.is_some() {
        g.push(json!({"type": "execve", "res": 0, "user": root,
            "args": {"filename": "/usr/bin/containerd-shim-runc-v2"},
            "proc": {"pid": SHIM_PID, "ppid": 1, "exepath": "/usr/bin/containerd-shim-runc-v2", "start": T0}}));
    }

    // The process chain.
    let mut actor = RUNNER_PID;
    let procs = ctx
        .get("processes")
        .and_then(Json::as_array)
        .cloned()
        .unwrap_or_default();
    for (i, p) in procs.iter().enumerate() {
        let name = value_text(&p["name"]);
        if name.is_empty() {
            return Err("process without a name".into());
        }
        let exe = match p.get("exe") {
            Some(Json::String(e)) if !e.is_empty() => e.clone(),
            _ => format!("/tmp/event-generator/{name}"),
        };
        let user = match p.get("user") {
            Some(Json::String(u)) if !u.is_empty() => u.clone(),
            _ => "root".to_string(),
        };
        let args: Vec<String> = p
            .get("args")
            .map(value_text)
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_string)
            .collect();
        let pid = 3001 + i as i64;
        let ppid = if i == 0 && container.is_some() {
            SHIM_PID
        } else {
            actor
        };
        let mut pr = json!({"pid": pid, "ppid": ppid, "name": name, "exe": exe, "exepath": exe, "args": args,
            "cwd": "/", "tty": 0, "start": g.t + 1_000_000});
        let mut ev =
            json!({"type": "execve", "res": 0, "args": {"filename": exe}, "user": user_rec(&user)});
        if let Some(c) = &container {
            // Copied binaries live in the upper layer, hard-linked ones in the image.
            let upper = user != "root";
            pr["exe_upper_layer"] = json!(upper);
            pr["exe_lower_layer"] = json!(!upper);
            if upper {
                pr["exe_writable"] = json!(true);
                ev["args"]["flags"] = json!("EXE_WRITABLE|EXE_UPPER_LAYER");
            } else {
                ev["args"]["flags"] = json!("EXE_LOWER_LAYER");
            }
            if privileged {
                pr["cap_effective"] = json!(ALL_CAPS);
            } else {
                pr["cap_effective"] = json!(
                    "CAP_CHOWN CAP_DAC_OVERRIDE CAP_FOWNER CAP_SETGID CAP_SETUID CAP_NET_BIND_SERVICE"
                );
            }
            ev["container"] = c.clone();
        } else if user == "root" {
            pr["cap_effective"] = json!(ALL_CAPS);
        }
        ev["proc"] = pr;
        g.push(ev);
        actor = pid;
    }

    // Resources.
    for r in test
        .get("resources")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        let rname = value_text(&r["name"]);
        match r["type"].as_str() {
            Some("fd") => {}
            Some("clientServer") => {
                let proto = value_text(&r["l4Proto"]);
                let (sip, sport) = split_addr(&value_text(&r["address"]))
                    .ok_or_else(|| format!("bad address {}", r["address"]))?;
                let ty = if proto.ends_with('6') { "ipv6" } else { "ipv4" };
                let fdn = g.next_fd;
                g.next_fd += 1;
                let fd = json!({"num": fdn, "type": ty, "l4proto": "tcp", "cip": sip, "cport": 41000,
                    "sip": sip, "sport": sport, "connected": true});
                g.fds.insert(fdn, fd.clone());
                g.vars.insert(format!("{rname}.client.fd"), fdn.to_string());
                let sep = if ty == "ipv6" { "[" } else { "" };
                let end = if ty == "ipv6" { "]" } else { "" };
                g.push(json!({"type": "connect", "tid": actor, "res": 0,
                    "args": {"fd": fdn, "addr": format!("{sep}{sip}{end}:{sport}")}, "fd": fd}));
            }
            Some("process") => {
                let fileless = value_text(&r["fileLess"]) == "true";
                let name = rname.clone();
                let pid = 4001;
                let (exepath, flags) = if fileless {
                    (
                        format!("/memfd:{name} (deleted)"),
                        "EXE_WRITABLE|EXE_FROM_MEMFD",
                    )
                } else {
                    (format!("/tmp/event-generator/{name}"), "0")
                };
                g.push(json!({"type": "execve", "res": 0, "user": root,
                    "args": {"filename": exepath, "flags": flags},
                    "proc": {"pid": pid, "ppid": RUNNER_PID, "name": name, "exe": name, "exepath": exepath,
                             "cwd": "/root/", "start": g.t + 1_000_000, "exe_from_memfd": fileless,
                             "exe_writable": fileless}}));
            }
            other => return Err(format!("unsupported resource type {other:?}")),
        }
    }

    // `before: sleep N` happens between the spawn and the steps.
    if let Some(b) = test.get("before").and_then(Json::as_str) {
        if let Some(n) = b
            .strip_prefix("sleep ")
            .and_then(|n| n.trim().parse::<i64>().ok())
        {
            g.t += n * 1_000_000_000;
        }
    }

    let steps = test
        .get("steps")
        .and_then(Json::as_array)
        .cloned()
        .unwrap_or_default();
    for s in &steps {
        if s["type"] != "syscall" {
            return Err(format!("unsupported step type {}", s["type"]));
        }
        let sc = value_text(&s["syscall"]);
        let a = &s["args"];
        let txt = |k: &str| value_text(&g.resolve(&a[k]));
        let mut ev = json!({"type": sc, "tid": actor});
        match sc.as_str() {
            "open" | "openat" | "openat2" => {
                let path = txt("pathname");
                let (flags, mode) = if sc == "openat2" {
                    (
                        value_text(&a["how"]["flags"]),
                        value_text(&a["how"]["mode"]),
                    )
                } else {
                    (txt("flags"), txt("mode"))
                };
                let mode = if mode.is_empty() { "0".into() } else { mode };
                let fdn = g.next_fd;
                g.next_fd += 1;
                let mut args = json!({"fd": fdn, "name": path, "flags": flags, "mode": mode});
                if sc != "open" {
                    args["dirfd"] = json!("AT_FDCWD");
                }
                ev["res"] = json!(fdn);
                ev["args"] = args;
                ev["fd"] =
                    json!({"num": fdn, "type": "file", "name": normalize(&path), "nameraw": path});
            }
            "link" | "linkat" => {
                let mut args = json!({"oldpath": txt("oldPath"), "newpath": txt("newPath")});
                if sc == "linkat" {
                    args["olddir"] = json!("AT_FDCWD");
                    args["newdir"] = json!("AT_FDCWD");
                    args["flags"] = json!(0);
                }
                ev["res"] = json!(0);
                ev["args"] = args;
            }
            "symlink" | "symlinkat" => {
                let mut args = json!({"target": txt("target"), "linkpath": txt("linkPath")});
                if sc == "symlinkat" {
                    args["linkdirfd"] = json!("AT_FDCWD");
                }
                ev["res"] = json!(0);
                ev["args"] = args;
            }
            "socket" => {
                let args =
                    json!({"domain": txt("domain"), "type": txt("type"), "proto": txt("protocol")});
                let fdn = g.next_fd;
                g.next_fd += 1;
                ev["res"] = json!(fdn);
                ev["args"] = args;
            }
            "dup2" | "dup3" => {
                let old = g
                    .num(&a["oldFd"])
                    .ok_or_else(|| format!("unresolved oldFd {}", a["oldFd"]))?;
                let new = g
                    .num(&a["newFd"])
                    .ok_or_else(|| format!("bad newFd {}", a["newFd"]))?;
                let mut args = json!({"oldfd": old, "newfd": new});
                if sc == "dup3" {
                    args["flags"] = json!(g.num(&a["flags"]).unwrap_or(0));
                }
                ev["res"] = json!(new);
                ev["args"] = args;
                // libsinsp's dup events describe the descriptor being duplicated.
                if let Some(fd) = g.fds.get(&old) {
                    ev["fd"] = fd.clone();
                }
            }
            other => return Err(format!("unsupported syscall step {other:?}")),
        }
        g.push(ev);
    }
    Ok(g.events)
}

// ---------------------------------------------------------------------------------
// Benign look-alikes: the same test, changed in the one detail the rule keys on.

fn set(test: &mut Json, ptr: &str, v: Json) {
    if let Some(x) = test.pointer_mut(ptr) {
        *x = v;
    }
}

fn benign(name: &str, test: &Json) -> Result<Json, String> {
    let mut t = test.clone();
    let step_args = "/steps/0/args";
    let last_proc = match t["context"]["processes"].as_array().map(Vec::len) {
        Some(n) if n > 0 => format!("/context/processes/{}", n - 1),
        _ => String::new(),
    };
    match name {
        // Appending to a log file, not truncating it.
        n if n.starts_with("clear_log_activities") => {
            if n.ends_with("openat2") {
                set(
                    &mut t,
                    "/steps/0/args/how/flags",
                    json!("O_WRONLY|O_CREAT|O_APPEND"),
                );
            } else {
                set(
                    &mut t,
                    &format!("{step_args}/flags"),
                    json!("O_WRONLY|O_CREAT|O_APPEND"),
                );
            }
        }
        // A link to a file that is not sensitive.
        "create_hardlink_over_sensitive_files" => {
            set(
                &mut t,
                &format!("{step_args}/oldPath"),
                json!("/etc/hostname"),
            );
        }
        "create_symlink_over_sensitive_files" => {
            set(
                &mut t,
                &format!("{step_args}/target"),
                json!("/etc/hostname"),
            );
        }
        // The same binary in an unprivileged container.
        "debugfs_launched_in_privileged_container" => {
            t["context"]["container"] = json!({"privileged": "false"});
        }
        n if n.starts_with("detect_release_agent_file_container_escapes") => {
            t["context"]["container"] = json!({"privileged": "false"});
        }
        // The same traversal shape towards a file nobody monitors.
        n if n.starts_with("directory_traversal_monitored_file_read") => {
            set(
                &mut t,
                &format!("{step_args}/pathname"),
                json!("/tmp/../tmp/../tmp/eg_notes.txt"),
            );
        }
        // ssh to the standard port.
        "disallowed_ssh_connection_non_standard_port" => {
            set(&mut t, "/resources/0/address", json!("203.0.113.10:22"));
        }
        // Run as root: the image's own binary (lower layer).
        "drop_and_execute_new_binary_in_container" => {
            set(&mut t, &format!("{last_proc}/user"), json!("root"));
        }
        "execution_from_dev_shm_exe" => {
            set(&mut t, &format!("{last_proc}/exe"), json!("/tmp/eg_devshm"));
        }
        "execution_from_dev_shm_shell" => {
            set(&mut t, &format!("{last_proc}/args"), json!("-c /tmp/evil"));
        }
        // runc's own memfd re-exec, which the rule excludes.
        "fileless_execution_via_memfd_create" => {
            set(&mut t, "/resources/0/name", json!("runc"));
        }
        "find_aws_credentials_grep" => {
            set(&mut t, &format!("{last_proc}/args"), json!("aws_region"));
        }
        "find_aws_credentials_find" => {
            set(
                &mut t,
                &format!("{last_proc}/args"),
                json!("/root/.aws/config"),
            );
        }
        "netcat_remote_code_execution_in_container" => {
            set(&mut t, &format!("{last_proc}/args"), json!("-l -p 9999"));
        }
        "packet_socket_created_in_container" => {
            set(&mut t, &format!("{step_args}/domain"), json!("AF_INET"));
        }
        // A trusted server reading a file that is not sensitive, after startup.
        "read_sensitive_file_trusted_after_startup" => {
            set(
                &mut t,
                &format!("{step_args}/pathname"),
                json!("/etc/passwd"),
            );
        }
        // A program allowed to read them (user management binaries).
        n if n.starts_with("read_sensitive_file_untrusted") => {
            t["context"] = json!({"processes": [{"name": "passwd"}]});
        }
        // Duplicating onto a descriptor that is not stdin/stdout/stderr.
        n if n.starts_with("redirect_stdout_stdin_to_network_connection_in_container") => {
            set(&mut t, &format!("{step_args}/newFd"), json!("5"));
        }
        "remove_bulk_data_from_disk" => {
            set(&mut t, &format!("{last_proc}/name"), json!("rm"));
        }
        // A shell started by a program that is not a protected server.
        "run_shell_untrusted_direct_spawner" | "run_shell_untrusted_ancestor_spawner" => {
            set(&mut t, "/context/processes/0/name", json!("eg_plain"));
        }
        "run_shell_untrusted_java_parent" => {
            set(
                &mut t,
                "/context/processes/0/args",
                json!("com.example.App"),
            );
        }
        "search_private_keys_or_passwords_grep" => {
            set(
                &mut t,
                &format!("{last_proc}/args"),
                json!("BEGIN CERTIFICATE"),
            );
        }
        "search_private_keys_or_passwords_find" => {
            set(&mut t, &format!("{last_proc}/args"), json!("known_hosts"));
        }
        n if n.starts_with("system_user_interactive") => {
            set(&mut t, &format!("{last_proc}/user"), json!("root"));
        }
        other => return Err(format!("no benign look-alike written for {other}")),
    }
    Ok(t)
}

// ---------------------------------------------------------------------------------
// Replay and checks.

struct Fired {
    /// Position of the event in the written stream, from 0.
    index: usize,
    alert: kspect_rules::Alert,
}

fn replay(engine: &Engine, dir: &Path, name: &str, events: &[Json]) -> Result<Vec<Fired>, String> {
    let path = dir.join(format!("{name}.jsonl"));
    let text: String = events.iter().map(|e| format!("{e}\n")).collect();
    std::fs::write(&path, text).map_err(|e| e.to_string())?;
    let rs = engine
        .ruleset("syscall")
        .ok_or("no syscall ruleset".to_string())?;
    let mut state = State::new();
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut index = 0usize;
    replay_files(
        &[path],
        &mut state,
        |ev| {
            for r in rs.matches(ev, RuleMatching::First) {
                out.push(Fired {
                    index,
                    alert: r.alert(ev, "e2e-host"),
                });
            }
            index += 1;
        },
        |e| errors.push(e.to_string()),
    );
    if !errors.is_empty() {
        return Err(format!("replay errors: {errors:?}"));
    }
    if index != events.len() {
        return Err(format!("{index} of {} events replayed", events.len()));
    }
    Ok(out)
}

fn check_attack(test: &Json, fired: &[Fired], trigger: usize) -> Result<Vec<String>, String> {
    let rule = test["rule"].as_str().unwrap_or_default();
    let at_trigger: Vec<&Fired> = fired.iter().filter(|f| f.index == trigger).collect();
    let names: Vec<&str> = at_trigger.iter().map(|f| f.alert.rule.as_str()).collect();
    if names != [rule] {
        return Err(format!(
            "the test's event fired {names:?}, expected exactly [{rule:?}]"
        ));
    }
    if let Some(f) = fired
        .iter()
        .find(|f| f.index != trigger && f.alert.rule == rule)
    {
        return Err(format!("{rule:?} also fired on setup event {}", f.index));
    }
    let a = &at_trigger[0].alert;
    let out = &test["expectedOutcome"];
    if a.source != value_text(&out["source"]) {
        return Err(format!("source {} != {}", a.source, out["source"]));
    }
    // Falco prints INFO rules as "Informational"; the suite writes the long name in
    // lower case.
    let want_p = value_text(&out["priority"]).to_ascii_lowercase();
    if a.priority.as_str().to_ascii_lowercase() != want_p {
        return Err(format!("priority {} != {want_p}", a.priority.as_str()));
    }
    for (k, v) in out["outputFields"].as_object().into_iter().flatten() {
        let got = a.output_fields.get(k).map(value_text);
        if got.as_deref() != Some(value_text(v).as_str()) {
            return Err(format!(
                "output field {k} = {got:?}, expected {v} ({})",
                a.message
            ));
        }
    }
    Ok(fired
        .iter()
        .filter(|f| f.index != trigger)
        .map(|f| f.alert.rule.clone())
        .collect())
}

fn check_benign(test: &Json, fired: &[Fired], trigger: usize) -> Result<(), String> {
    let rule = test["rule"].as_str().unwrap_or_default();
    if let Some(f) = fired.iter().find(|f| f.index == trigger) {
        return Err(format!(
            "benign look-alike fired {:?}: {}",
            f.alert.rule, f.alert.message
        ));
    }
    if let Some(f) = fired.iter().find(|f| f.alert.rule == rule) {
        return Err(format!(
            "benign look-alike fired {rule:?} on event {}",
            f.index
        ));
    }
    Ok(())
}

#[test]
fn evtgen_suite_fires_exactly_the_expected_rules() {
    let Some(root) = corpus() else { return };
    let mut engine = Engine::new();
    let res = engine.load_file(&root.join("rules/falco_rules.yaml"));
    assert!(res.successful(), "{:?}", res.errors);
    let dir = tempfile::tempdir().unwrap();
    let suite = root.join("cases/falco-e2e-evtgen-suite");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&suite)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();

    let mut total = 0usize;
    let mut failures = Vec::new();
    let mut side_alerts: BTreeMap<String, usize> = BTreeMap::new();
    let mut tests_seen = 0usize;
    for f in &files {
        let text = quote_bare_templates(&std::fs::read_to_string(f).unwrap());
        let docs = yaml::parse_all(&text)
            .unwrap_or_else(|e| panic!("{}: {e} at {:?}", f.display(), e.mark));
        let doc = docs
            .into_iter()
            .flatten()
            .next()
            .map(|n| to_json(&n))
            .unwrap_or_default();
        for test in doc["tests"].as_array().into_iter().flatten() {
            tests_seen += 1;
            let name = test["name"].as_str().unwrap_or_default();
            for (ci, item) in expand_cases(test).iter().enumerate() {
                total += 1;
                let inst = instantiate(test, item);
                let label = format!("{name}#{ci} {item:?}");
                let r = (|| -> Result<(), String> {
                    let attack = events_of(&inst)?;
                    let fired = replay(&engine, dir.path(), &format!("{name}-{ci}-a"), &attack)?;
                    for rule in check_attack(&inst, &fired, attack.len() - 1)? {
                        *side_alerts.entry(rule).or_default() += 1;
                    }
                    let b = benign(name, &inst)?;
                    let calm = events_of(&b)?;
                    let fired = replay(&engine, dir.path(), &format!("{name}-{ci}-b"), &calm)?;
                    check_benign(&inst, &fired, calm.len() - 1)
                })();
                if let Err(e) = r {
                    failures.push(format!("{label}: {e}"));
                }
            }
        }
    }
    println!(
        "falco-e2e-evtgen-suite: {} files, {tests_seen} tests, {total} instances",
        files.len()
    );
    if !side_alerts.is_empty() {
        println!("other rules fired on setup events (allowed): {side_alerts:?}");
    }
    println!(
        "falco-e2e-evtgen-suite: {} of {total} passed",
        total - failures.len()
    );
    assert_eq!(files.len(), 20, "the suite has 20 files");
    assert!(
        failures.is_empty(),
        "{} of {total} disagree; first ones:\n{}",
        failures.len(),
        failures
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn case_expansion_and_templates() {
    let test = json!({"name": "x", "runIf": "%{ item.runIf }", "args": {"p": "%{ item.t }", "q": "a-%{ item.n }-b"},
        "cases": [{"strategy": "matrix", "values": {"t": ["/a", "/b"], "n": ["1", "2", "3"], "runIf": [null]}},
                  {"strategy": "vector", "values": {"t": "/c", "n": "9", "runIf": {"arch": "x"}}}]});
    let items = expand_cases(&test);
    assert_eq!(items.len(), 7);
    let last = instantiate(&test, &items[6]);
    assert_eq!(last["runIf"], json!({"arch": "x"}));
    assert_eq!(last["args"], json!({"p": "/c", "q": "a-9-b"}));
    assert!(last.get("cases").is_none());
    assert_eq!(instantiate(&test, &items[0])["runIf"], Json::Null);
    assert_eq!(normalize("/etc/../etc/../etc/shadow"), "/etc/shadow");
    assert_eq!(split_addr("[::1]:9999"), Some(("::1".to_string(), 9999)));
    assert_eq!(
        quote_bare_templates("    runIf: %{ item.runIf }"),
        "    runIf: \"%{ item.runIf }\""
    );
}
