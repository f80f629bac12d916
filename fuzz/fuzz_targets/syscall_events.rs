//! Fuzzes the syscall event path: any bytes, split into lines, are parsed as kspect's
//! JSON-lines event schema; every record that parses goes through the process tree and
//! container table, and every syscall field is extracted from the resulting event,
//! with the argument shapes rules use. Nothing may panic.
#![no_main]

use kspect_rules::Event;
use kspect_rules::fields::{FieldArg, FieldId, FieldRegistry};
use kspect_runtime::{EventRecord, State};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let reg = FieldRegistry::syscall();
    let mut state = State::new();
    for line in data.split(|b| *b == b'\n') {
        let Ok(rec) = serde_json::from_slice::<EventRecord>(line) else {
            continue;
        };
        let ev = state.ingest(rec);
        for i in 0..reg.len() {
            let Ok(id) = FieldId::try_from(i) else { break };
            for arg in [
                FieldArg::None,
                FieldArg::Index(0),
                FieldArg::Index(2),
                FieldArg::Key("name".into()),
            ] {
                let _ = ev.extract(id, &arg);
            }
        }
    }
});
