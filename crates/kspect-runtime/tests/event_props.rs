//! Property tests: whatever a sensor (or an attacker writing an event file) sends,
//! parsing, state tracking and field extraction never panic, and replay reports a
//! line that does not parse with its line number instead of stopping.

use kspect_rules::Event;
use kspect_rules::fields::{FieldArg, FieldId, FieldRegistry};
use kspect_runtime::{EventRecord, State};
use proptest::prelude::*;

/// Extracts every syscall field with the argument shapes rules use.
fn extract_all(ev: &kspect_runtime::SyscallEvent) {
    let reg = FieldRegistry::syscall();
    for i in 0..reg.len() {
        let id = FieldId::try_from(i).unwrap();
        for arg in [
            FieldArg::None,
            FieldArg::Index(0),
            FieldArg::Index(3),
            FieldArg::Index(-1),
            FieldArg::Key("name".into()),
            FieldArg::Key("/proc*".into()),
        ] {
            let _ = ev.extract(id, &arg);
        }
    }
}

fn scalar() -> impl Strategy<Value = serde_json::Value> {
    prop_oneof![
        any::<i64>().prop_map(serde_json::Value::from),
        any::<bool>().prop_map(serde_json::Value::from),
        "[a-zA-Z0-9_./:|\\- ]{0,24}".prop_map(serde_json::Value::from),
        Just(serde_json::Value::Null),
    ]
}

/// Records with the schema's keys and values of any type (most are ill-typed).
fn record() -> impl Strategy<Value = serde_json::Value> {
    let keys = prop::sample::select(vec![
        "type",
        "time",
        "num",
        "dir",
        "res",
        "args",
        "buffer",
        "buffer_hex",
        "tid",
        "proc",
        "parents",
        "user",
        "group",
        "fd",
        "container",
        "k8s",
    ]);
    let inner_keys = prop::sample::select(vec![
        "pid", "ppid", "name", "exe", "exepath", "args", "cwd", "start", "id", "type", "cip",
        "sip", "cport", "sport", "num", "uid", "flags", "mode", "labels", "mounts",
    ]);
    let inner = prop::collection::vec((inner_keys, scalar()), 0..6).prop_map(|kv| {
        serde_json::Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    });
    let value = prop_oneof![scalar(), inner];
    ("[a-z_]{1,12}", prop::collection::vec((keys, value), 0..10)).prop_map(|(ty, kv)| {
        let mut m: serde_json::Map<String, serde_json::Value> =
            kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        m.insert("type".into(), serde_json::Value::from(ty));
        serde_json::Value::Object(m)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(lines in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..80), 0..8)) {
        let mut state = State::new();
        for l in &lines {
            if let Ok(rec) = serde_json::from_slice::<EventRecord>(l) {
                let ev = state.ingest(rec);
                extract_all(&ev);
            }
        }
    }

    #[test]
    fn schema_shaped_records_never_panic(recs in prop::collection::vec(record(), 1..8)) {
        let mut state = State::new();
        for r in &recs {
            // Ill-typed records are refused by serde; the others must go through.
            if let Ok(rec) = serde_json::from_value::<EventRecord>(r.clone()) {
                let ev = state.ingest(rec);
                extract_all(&ev);
            }
        }
    }

    #[test]
    fn replay_reports_bad_lines_and_goes_on(good in 1usize..5, junk in prop::collection::vec(any::<u8>(), 1..40)) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("e.jsonl");
        let mut text = Vec::new();
        // A junk line (made invalid JSON by a leading byte), then `good` valid events.
        text.extend_from_slice(b"}");
        text.extend(junk.iter().filter(|b| **b != b'\n'));
        text.push(b'\n');
        for i in 0..good {
            text.extend_from_slice(format!("{{\"type\":\"openat\",\"tid\":{i}}}\n").as_bytes());
        }
        std::fs::write(&p, &text).unwrap();
        let mut state = State::new();
        let (mut n, mut errs) = (0, Vec::new());
        kspect_runtime::replay::replay_files(&[p], &mut state, |_| n += 1, |e| errs.push(e.to_string()));
        prop_assert_eq!(n, good);
        prop_assert_eq!(errs.len(), 1);
        prop_assert!(errs[0].contains("e.jsonl:1:"), "{:?}", errs);
    }
}
