//! Rule throughput over pre-parsed events, reported as the best and the median of
//! many passes. On a shared machine the best pass is the most repeatable figure for
//! comparing two builds; criterion's mean moves by ±20% here.
//!
//! Run: `cargo run --release -p kspect-runtime --example rules_throughput [PASSES [200k|batch_2k [all]]]`
//!
//! The events and rules are those of the criterion benchmark (`benches/replay.rs`).
//! Because the event count is fixed, running it under
//! `valgrind --tool=cachegrind` with 1 and with 3 passes and dividing the difference
//! by 400,000 gives the instructions per event, a figure that does not move with the
//! machine's load.

#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[path = "../benches/events_mix.rs"]
mod events_mix;

use std::hint::black_box;
use std::path::Path;

use kspect_rules::{Engine, RuleMatching};
use kspect_runtime::{EventRecord, State, SyscallEvent};

fn thread_cpu_ns() -> u64 {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").expect("schedstat");
    text.split_whitespace()
        .next()
        .and_then(|t| t.parse().ok())
        .expect("cpu time")
}

fn main() {
    let passes: usize = std::env::args()
        .nth(1)
        .map_or(40, |a| a.parse().expect("passes"));
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/falco");
    if !root.is_dir() {
        eprintln!("skipping: corpus not found at {}", root.display());
        return;
    }
    // A third argument `all` loads the incubating and sandbox files too and enables
    // every rule, as the benchmark's `all_syscall_files` group does.
    let all = std::env::args().nth(3).is_some_and(|a| a == "all");
    let files: &[&str] = if all {
        &[
            "rules/falco_rules.yaml",
            "rules/falco-incubating_rules.yaml",
            "rules/falco-sandbox_rules.yaml",
        ]
    } else {
        &["rules/falco_rules.yaml"]
    };
    let mut engine = Engine::new();
    for f in files {
        let res = engine.load_file(&root.join(f));
        assert!(res.successful(), "{f}: {:?}", res.errors);
    }
    if all {
        engine.set_enabled_where(true, |r| r.source == "syscall");
    }
    let rs = engine.ruleset("syscall").expect("syscall ruleset");
    let mut state = State::new();
    let events: Vec<SyscallEvent> = events_mix::generate(200_000)
        .iter()
        .map(|l| state.ingest(serde_json::from_str::<EventRecord>(l).expect("event")))
        .collect();
    let only = std::env::args().nth(2);
    for (name, evs) in [("200k", &events[..]), ("batch_2k", &events[..2048])] {
        if only.as_deref().is_some_and(|o| o != name) {
            continue;
        }
        let reps = 200_000 / evs.len();
        let mut rates: Vec<f64> = (0..passes)
            .map(|_| {
                let t0 = thread_cpu_ns();
                let mut n = 0usize;
                for _ in 0..reps {
                    for ev in evs {
                        for r in rs.matches(ev, RuleMatching::First) {
                            n += black_box(r.alert(ev, "bench")).message.len();
                        }
                    }
                }
                black_box(n);
                (reps * evs.len()) as f64 / ((thread_cpu_ns() - t0) as f64 / 1e9) / 1e6
            })
            .collect();
        rates.sort_by(f64::total_cmp);
        println!(
            "{name}: best {:.2} M ev/s, median {:.2} M ev/s ({passes} passes)",
            rates[passes - 1],
            rates[passes / 2]
        );
    }
}
