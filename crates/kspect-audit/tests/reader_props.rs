//! Property tests of the audit-log reader: arbitrary bytes never panic; every
//! non-empty line is either delivered as events or reported as malformed with its
//! line number; a bad line (not UTF-8, not JSON, not an audit event) never stops the
//! lines after it from being read. Events then go through kspect's detections and
//! every `ka.*`/`jevt.*` field without panicking.

use std::path::Path;

use kspect_audit::analyze::Analyzer;
use kspect_audit::reader;
use kspect_rules::Event;
use kspect_rules::fields::{FieldArg, FieldId, FieldRegistry};
use proptest::prelude::*;

fn exercise(ev: serde_json::Value, analyzer: &mut Analyzer, origin: &reader::Origin) {
    analyzer.observe(origin, &ev);
    let a = kspect_audit::to_rule_event(ev);
    let reg = FieldRegistry::k8s_audit();
    for i in 0..reg.len() {
        let id = FieldId::try_from(i).unwrap();
        for arg in [
            FieldArg::None,
            FieldArg::Index(0),
            FieldArg::Key("/spec".into()),
            FieldArg::Key("x".into()),
        ] {
            let _ = a.extract(id, &arg);
        }
    }
}

const EVENT: &str = r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Request","auditID":"a1","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/d/pods/p/exec?command=sh","verb":"create","user":{"username":"bob","groups":["system:authenticated"]},"sourceIPs":["203.0.113.9"],"objectRef":{"resource":"pods","namespace":"d","name":"p","subresource":"exec"},"responseStatus":{"code":101},"stageTimestamp":"2026-01-01T00:00:00Z"}"#;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(data in prop::collection::vec(any::<u8>(), 0..400)) {
        let mut analyzer = Analyzer::new();
        let stats = reader::read_bytes(Path::new("fuzz.log"), &data,
            |o, ev| exercise(ev, &mut analyzer, o), |_| {});
        let _ = analyzer.finish();
        prop_assert_eq!(stats.files, 1);
    }

    #[test]
    fn bad_lines_are_located_and_reading_goes_on(
        junk in prop::collection::vec(prop::collection::vec(any::<u8>(), 1..30), 1..5),
    ) {
        // A valid event first (so the source is read line by line), then junk lines
        // that cannot be JSON (a leading `}`), then the event again.
        let mut data = Vec::new();
        data.extend_from_slice(EVENT.as_bytes());
        data.push(b'\n');
        for j in &junk {
            data.push(b'}');
            data.extend(j.iter().filter(|b| **b != b'\n'));
            data.push(b'\n');
        }
        data.extend_from_slice(EVENT.as_bytes());
        data.push(b'\n');
        let mut lines_with_events = Vec::new();
        let mut bad = Vec::new();
        let stats = reader::read_bytes(Path::new("x.log"), &data,
            |o, _| lines_with_events.push(o.line), |m| bad.push(m.origin.line));
        let last = junk.len() as u64 + 2;
        prop_assert_eq!(lines_with_events, vec![1, last]);
        prop_assert_eq!(bad, (2..last).collect::<Vec<_>>());
        prop_assert_eq!(stats.malformed, junk.len() as u64);
    }
}

#[test]
fn a_line_that_is_not_utf8_is_one_malformed_line() {
    let mut data = Vec::new();
    data.extend_from_slice(EVENT.as_bytes());
    data.extend_from_slice(b"\n{\"auditID\":\"\xff\xfe\"}\n");
    data.extend_from_slice(EVENT.as_bytes());
    data.push(b'\n');
    let mut events = 0;
    let mut bad = Vec::new();
    reader::read_bytes(
        Path::new("x.log"),
        &data,
        |_, _| events += 1,
        |m| bad.push(m.to_string()),
    );
    assert_eq!(events, 2);
    assert_eq!(bad.len(), 1);
    assert!(bad[0].starts_with("x.log:2:"), "{bad:?}");
}
