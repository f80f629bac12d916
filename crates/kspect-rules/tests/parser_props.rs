//! Property tests: the condition parser never panics, and printing a parsed tree with
//! `to_source` parses back to the same tree.

use kspect_rules::parser::{self, FALCO_MAX_DEPTH};
use proptest::prelude::*;

/// Condition-like text: fragments of the grammar glued together at random.
fn conditionish() -> impl Strategy<Value = String> {
    let frag = prop_oneof![
        Just("proc.name".to_string()),
        Just("evt.arg[1]".to_string()),
        Just("ka.uri.param[command]".to_string()),
        Just("and".to_string()),
        Just("or".to_string()),
        Just("not".to_string()),
        Just("(".to_string()),
        Just(")".to_string()),
        Just("=".to_string()),
        Just("!=".to_string()),
        Just("in".to_string()),
        Just("pmatch".to_string()),
        Just("contains".to_string()),
        Just("exists".to_string()),
        Just("oneof".to_string()),
        Just("tolower(".to_string()),
        Just("val(".to_string()),
        Just(",".to_string()),
        Just("\"q\\\"x\"".to_string()),
        Just("'s\\\\'".to_string()),
        Just("0x1F".to_string()),
        Just("-1.5e+3".to_string()),
        "[a-z/*.]{1,6}",
        " |\t|\n",
    ];
    proptest::collection::vec(frag, 0..24).prop_map(|v| v.join(" "))
}

/// Well-formed conditions built from the grammar.
fn expr() -> impl Strategy<Value = String> {
    let value = prop_oneof!["[a-z0-9/_.*-]{1,8}", "\"[a-z ,()=':/*]{0,8}\""];
    let field = prop_oneof![
        Just("proc.name".to_string()),
        Just("fd.name".to_string()),
        Just("proc.aname[2]".to_string()),
        Just("evt.arg.flags".to_string()),
        Just("toupper(proc.cmdline)".to_string()),
    ];
    let op = prop_oneof![
        Just("="),
        Just("!="),
        Just("contains"),
        Just("startswith"),
        Just("glob")
    ];
    let check = prop_oneof![
        (field.clone(), op, value.clone()).prop_map(|(f, o, v)| format!("{f} {o} {v}")),
        (
            field.clone(),
            proptest::collection::vec(value.clone(), 0..4)
        )
            .prop_map(|(f, vs)| format!("{f} in ({})", vs.join(", "))),
        field.clone().prop_map(|f| format!("{f} exists")),
        (field.clone(), field).prop_map(|(a, b)| format!(
            "{a} = val({})",
            b.replace("toupper(", "").replace(')', "")
        )),
        "[a-z][a-z0-9_]{0,6}",
    ];
    check.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 2..4)
                .prop_map(|v| format!("({})", v.join(" and "))),
            proptest::collection::vec(inner.clone(), 2..4).prop_map(|v| v.join(" or ")),
            inner.prop_map(|e| format!("not ({e})")),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn parser_never_panics_on_any_text(s in "\\PC{0,80}") {
        let _ = parser::parse(&s);
        let _ = parser::parse_operand(&s);
    }

    #[test]
    fn parser_never_panics_on_condition_like_text(s in conditionish()) {
        let _ = parser::parse(&s);
    }

    #[test]
    fn print_then_parse_round_trips(s in expr()) {
        let e = parser::parse_with_depth(&s, FALCO_MAX_DEPTH).unwrap();
        let printed = e.to_source();
        let again = parser::parse_with_depth(&printed, FALCO_MAX_DEPTH).unwrap();
        prop_assert_eq!(&e, &again, "{} -> {}", s, printed);
    }

    #[test]
    fn yaml_reader_never_panics(s in "\\PC{0,120}") {
        let _ = kspect_rules::yaml::parse_all(&s);
        let mut engine = kspect_rules::Engine::new();
        let _ = engine.load_rules(&s, "fuzz.yaml");
    }
}
