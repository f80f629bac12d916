//! Property tests of the loader: no input makes it panic, documents survive their
//! neighbours' errors, and every field of a document gets a position that points at it.

use kspect_core::load::{parse_bytes, parse_str};
use proptest::prelude::*;
use serde_json::{Map, Value};

/// JSON-like values with the shapes manifests have (keys are identifiers, so a key's
/// line can be found by text search).
fn value_strategy() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i32>().prop_map(|n| Value::from(i64::from(n))),
        "[a-zA-Z0-9 ._/:-]{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map("k[a-z]{1,6}", inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn object_with(body: Value, name: &str) -> Value {
    let mut m = Map::new();
    m.insert("apiVersion".into(), Value::from("v1"));
    m.insert("kind".into(), Value::from("ConfigMap"));
    m.insert("metadata".into(), serde_json::json!({"name": name}));
    m.insert("data".into(), body);
    Value::Object(m)
}

/// Every JSON pointer of a value.
fn pointers(v: &Value, base: String, out: &mut Vec<String>) {
    out.push(base.clone());
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                pointers(c, format!("{base}/{k}"), out);
            }
        }
        Value::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                pointers(c, format!("{base}/{i}"), out);
            }
        }
        _ => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,400}") {
        let _ = parse_str("fuzz.yaml", &text);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = parse_bytes("fuzz.yaml", &bytes);
    }

    #[test]
    fn yaml_like_text_never_panics(lines in prop::collection::vec(
        prop_oneof![
            Just("---".to_string()), Just("- ".to_string()), Just("  ".to_string()),
            Just("a: &x {b: 1}".to_string()), Just("c: *x".to_string()), Just("<<: *x".to_string()),
            Just("kind: List".to_string()), Just("items:".to_string()), Just("apiVersion: v1".to_string()),
            Just("{{ .Values.x }}".to_string()), Just("key: |".to_string()), Just("  [".to_string()),
            "[ a-z:{}\\[\\]&*!|>'\"#-]{0,16}",
        ], 0..24)) {
        let _ = parse_str("fuzz.yaml", &lines.join("\n"));
    }

    /// JSON is YAML: a JSON rendering of any value loads back to the same value, and
    /// every field's recorded line holds that field's key.
    #[test]
    fn json_roundtrip_with_positions(body in value_strategy()) {
        let object = object_with(body, "cm");
        let text = serde_json::to_string_pretty(&object).unwrap();
        let loaded = parse_str("rt.json", &text);
        prop_assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
        prop_assert_eq!(loaded.objects.len(), 1);
        let obj = &loaded.objects[0];
        prop_assert_eq!(&obj.value, &object);
        let lines: Vec<&str> = text.lines().collect();
        let mut ptrs = Vec::new();
        pointers(&object, String::new(), &mut ptrs);
        for p in ptrs {
            let loc = obj.locate(&p);
            prop_assert_eq!(&loc.pointer, &p, "no exact position for {}", p);
            let key = p.rsplit('/').next().unwrap_or("");
            if key.starts_with('k') || ["apiVersion", "kind", "metadata", "data", "name"].contains(&key) {
                let line = lines[(loc.line - 1) as usize];
                prop_assert!(line.contains(&format!("\"{key}\"")), "{} -> line {}: {}", p, loc.line, line);
            }
        }
    }

    /// A broken document among good ones costs only itself.
    #[test]
    fn broken_documents_are_isolated(n in 1usize..6, broken_at in 0usize..6, garbage in "[\\[{:&*!|>]{1,6}") {
        let broken_at = broken_at % (n + 1);
        let mut docs = Vec::new();
        for i in 0..=n {
            if i == broken_at {
                docs.push(format!("kind: {garbage}\n  bad: [\n"));
            } else {
                docs.push(format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm{i}\n"));
            }
        }
        let text = docs.join("---\n");
        let loaded = parse_str("multi.yaml", &text);
        prop_assert_eq!(loaded.objects.len(), n);
        for o in &loaded.objects {
            let i: usize = o.id.name[2..].parse().unwrap();
            prop_assert_eq!(o.source.doc.document as usize, i + 1);
        }
        prop_assert!(loaded.diagnostics.iter().all(|d| d.document == Some(broken_at as u32 + 1)), "{:?}", loaded.diagnostics);
    }
}
