//! Fuzzes the Kubernetes audit-log reader: any bytes are read as a log (JSON lines,
//! EventList batches, cloud wrappers, pretty-printed documents); every event goes
//! through kspect's detections and every `ka.*`/`jevt.*` field is extracted. Nothing
//! may panic, and malformed input is reported, not fatal.
#![no_main]

use std::path::Path;

use kspect_audit::analyze::Analyzer;
use kspect_rules::Event;
use kspect_rules::fields::{FieldArg, FieldId, FieldRegistry};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let reg = FieldRegistry::k8s_audit();
    let mut analyzer = Analyzer::new();
    kspect_audit::reader::read_bytes(
        Path::new("fuzz.log"),
        data,
        |origin, ev| {
            analyzer.observe(origin, &ev);
            let a = kspect_audit::to_rule_event(ev);
            for i in 0..reg.len() {
                let Ok(id) = FieldId::try_from(i) else { break };
                for arg in [
                    FieldArg::None,
                    FieldArg::Index(0),
                    FieldArg::Key("/spec".into()),
                ] {
                    let _ = a.extract(id, &arg);
                }
            }
        },
        |_| {},
    );
    let report = analyzer.finish();
    let _ = kspect_audit::findings::detection_findings(&report);
});
