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

#[path = "events_mix.rs"]
mod events_mix;
use events_mix::generate;

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
