//! `cases/filter_compile_cases.jsonl`: type checking against the real libsinsp field
//! table (operator x type matrix, value parsing, transformers, warnings), boolean logic
//! with the upstream mock checks, and results on the upstream harness's event.

mod common;

use kspect_rules::fields::{FieldArg, FieldId, FieldRegistry, FieldType, flags};
use kspect_rules::{Event, Value, Values, filter, parser};

/// libsinsp fields plus the unit tests' mock and sample-plugin fields.
fn registry() -> FieldRegistry {
    let mut r = FieldRegistry::syscall();
    for n in ["c.true", "c.false", "c.singlequote", "c.doublequote"] {
        r.add(n, FieldType::CharBuf, flags::NONE);
    }
    r.add("c.buffer", FieldType::ByteBuf, flags::NONE);
    r.add("sample.is_open", FieldType::Uint64, flags::NONE);
    r.add("sample.tick", FieldType::CharBuf, flags::NONE);
    r.add("sample.proc_name", FieldType::CharBuf, flags::NONE);
    r
}

/// The mock checks (`c.true` always matches `=1`, `c.false` never does) and the
/// harness's `getcwd` event on the init thread.
struct TestEvent<'r> {
    reg: &'r FieldRegistry,
}

impl Event for TestEvent<'_> {
    fn event_type(&self) -> &str {
        "getcwd"
    }

    fn timestamp_ns(&self) -> i64 {
        0
    }

    fn extract(&self, field: FieldId, arg: &FieldArg) -> Values<'_> {
        let s = |v: &'static str| Values::One(Value::Str(v.into()));
        match (self.reg.def(field).name.as_str(), arg) {
            ("c.true", _) => s("1"),
            ("c.singlequote", _) => s("hello 'quoted'"),
            ("c.doublequote", _) => s("hello \"quoted\""),
            ("evt.type" | "syscall.type", _) => s("getcwd"),
            ("evt.source", _) => s("syscall"),
            ("proc.name", _) => s("init"),
            ("evt.args", _) => s("res=0 path=/test/dir"),
            ("evt.arg", FieldArg::Key(k)) if k == "res" => s("0"),
            ("evt.arg", FieldArg::Index(1)) => s("/test/dir"),
            ("sample.is_open", _) => Values::One(Value::Uint(0)),
            ("sample.tick", _) => s("false"),
            ("sample.proc_name", _) => s("init"),
            _ => Values::Missing,
        }
    }
}

fn check(row: &serde_json::Value, reg: &FieldRegistry) -> Result<(), String> {
    let expr = row["expr"].as_str().unwrap_or_default();
    let valid = row["valid"].as_bool().unwrap_or(false);
    let parsed = parser::parse(expr);
    if row["parses"].as_bool() != Some(parsed.is_ok()) {
        return Err(format!(
            "{expr:?}: parses {}, expected {}",
            parsed.is_ok(),
            row["parses"]
        ));
    }
    let compiled = parsed
        .map_err(|e| e.to_string())
        .and_then(|e| filter::compile(&e, reg).map_err(|e| e.message));
    match (&compiled, valid) {
        (Ok(_), false) => return Err(format!("{expr:?}: compiles, expected an error")),
        (Err(e), true) => return Err(format!("{expr:?}: {e}")),
        (Err(e), false) => {
            if let Some(want) = row["error"].as_str() {
                if !e.contains(want) {
                    return Err(format!("{expr:?}: error {e:?}, expected {want:?}"));
                }
            }
            return Ok(());
        }
        (Ok(_), true) => {}
    }
    let Ok(c) = compiled else { return Ok(()) };
    if let Some(n) = row["expected_warnings"].as_u64() {
        if c.warnings.len() as u64 != n {
            return Err(format!("{expr:?}: warnings {:?}, expected {n}", c.warnings));
        }
    }
    if let Some(want) = row["expected_result"].as_bool() {
        let got = c.filter.eval(&TestEvent { reg });
        if got != want {
            return Err(format!("{expr:?}: evaluates to {got}, expected {want}"));
        }
    }
    Ok(())
}

#[test]
fn filter_compile_cases() {
    let Some(root) = common::corpus() else { return };
    let rows = common::jsonl(&root.join("cases/filter_compile_cases.jsonl"));
    let reg = registry();
    let failures: Vec<String> = rows.iter().filter_map(|r| check(r, &reg).err()).collect();
    common::report("filter_compile_cases.jsonl", rows.len(), &failures);
}
