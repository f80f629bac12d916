//! Rough throughput of the default syscall rules over pre-built events. Ignored by
//! default (timing belongs in release builds):
//! `cargo bench -p kspect-rules --bench throughput`

#[path = "../tests/common/mod.rs"]
mod common;

use kspect_rules::fields::{FieldArg, FieldId, FieldRegistry};
use kspect_rules::{Engine, Event, Value, Values};

/// A syscall event whose fields are looked up through a table built once per field id.
struct Ev<'a> {
    slots: &'a [u8],
    ty: &'static str,
    vals: [&'static str; 6],
    num: u64,
}

impl Event for Ev<'_> {
    fn event_type(&self) -> &str {
        self.ty
    }
    fn timestamp_ns(&self) -> i64 {
        0
    }
    fn extract(&self, f: FieldId, _a: &FieldArg) -> Values<'_> {
        match self.slots.get(usize::from(f)).copied().unwrap_or(0) {
            1 => Values::One(Value::Str(self.ty.into())),
            2..=7 => Values::One(Value::Str(
                self.vals[usize::from(self.slots[usize::from(f)] - 2)].into(),
            )),
            8 => Values::One(Value::Uint(self.num)),
            9 => Values::One(Value::Int(3)),
            10 => Values::One(Value::Bool(false)),
            _ => Values::Missing,
        }
    }
}

fn main() {
    let Some(root) = common::corpus() else { return };
    let mut engine = Engine::new();
    assert!(
        engine
            .load_file(&root.join("rules/falco_rules.yaml"))
            .successful()
    );
    let reg = FieldRegistry::syscall();
    let mut slots = vec![0u8; reg.len()];
    for (name, slot) in [
        ("evt.type", 1),
        ("proc.name", 2),
        ("proc.pname", 3),
        ("fd.name", 4),
        ("proc.cmdline", 5),
        ("container.id", 6),
        ("proc.exepath", 7),
        ("evt.num", 8),
        ("fd.num", 9),
        ("evt.is_open_write", 10),
    ] {
        if let Some(id) = reg.id(name) {
            slots[usize::from(id)] = slot;
        }
    }
    let kinds = [
        "openat", "execve", "connect", "read", "close", "openat", "write", "accept",
    ];
    let events: Vec<Ev<'_>> = (0..1024u64)
        .map(|i| Ev {
            slots: &slots,
            ty: kinds[(i % 8) as usize],
            vals: [
                "nginx",
                "bash",
                "/var/log/nginx/access.log",
                "nginx -g daemon off;",
                "3ad7b26ded6d",
                "/usr/sbin/nginx",
            ],
            num: i + 1,
        })
        .collect();
    let rs = engine.ruleset("syscall").unwrap();
    let n = 2_000_000usize;
    let t = std::time::Instant::now();
    let mut hits = 0usize;
    for i in 0..n {
        if rs.first_match(&events[i % events.len()]).is_some() {
            hits += 1;
        }
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "{} rules, {n} events in {secs:.3}s: {:.0} events/s ({hits} alerts)",
        rs.rules().len(),
        n as f64 / secs
    );
}
