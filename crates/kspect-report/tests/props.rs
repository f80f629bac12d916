//! Property tests: whatever text a manifest or a rule carries, every format stays
//! well-formed, keeps the data, and never writes raw control characters to a terminal.

mod common;

use common::*;
use kspect_core::Severity;
use kspect_report::{Format, RenderOptions};
use proptest::prelude::*;
use quick_xml::Reader;
use quick_xml::events::Event;

/// Any text, with a bias towards the characters that break formats.
fn nasty() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            any::<char>(),
            prop::sample::select(vec![
                '<', '>', '&', '"', '\'', '\n', '\r', '\t', '\u{0}', '\u{1b}', '\u{7f}', '\u{85}',
                '\u{FFFE}', '\u{FFFF}', '%', '#', ' ', '/', '\\', 'é', '😀',
            ]),
        ],
        0..40,
    )
    .prop_map(|cs| cs.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_format_survives_any_text(
        message in nasty(),
        evidence in nasty(),
        reason in nasty(),
        name in nasty(),
        file in nasty(),
    ) {
        let mut fx = fixture();
        for f in &mut fx.findings {
            f.message = message.clone();
            f.evidence = Some(evidence.clone());
            if let Some(s) = &mut f.suppressed {
                s.reason = reason.clone();
            }
            if let Some(o) = &mut f.object {
                o.name = name.clone();
            }
        }
        fx.diagnostics[0].file = file.clone();
        fx.diagnostics[0].message = message.clone();
        let report = fx.report(Some(Severity::Low));
        let opts = RenderOptions { color: false, base_dir: Some(fx.dir.path().to_path_buf()) };

        // JSON keeps the text exactly.
        let json: serde_json::Value =
            serde_json::from_str(&render(Format::Json, &report, &opts)).unwrap();
        for f in json["findings"].as_array().unwrap() {
            prop_assert_eq!(f["message"].as_str().unwrap(), message.as_str());
            prop_assert_eq!(f["evidence"].as_str().unwrap(), evidence.as_str());
        }
        prop_assert_eq!(json["diagnostics"][0]["file"].as_str().unwrap(), file.as_str());

        // SARIF is JSON, and every URI is made of URI characters only.
        let sarif = render(Format::Sarif, &report, &opts);
        let sarif: serde_json::Value = serde_json::from_str(&sarif).unwrap();
        let mut uris = Vec::new();
        collect_uris(&sarif, &mut uris);
        for u in uris {
            prop_assert!(
                u.chars().all(|c| c.is_ascii_alphanumeric() || "-._~!$&'()*+,;=:@/%".contains(c)),
                "bad URI {:?}", u
            );
        }

        // JUnit parses as XML.
        let junit = render(Format::Junit, &report, &opts);
        let mut reader = Reader::from_str(&junit);
        reader.config_mut().check_end_names = true;
        loop {
            match reader.read_event() {
                Ok(Event::Eof) => break,
                Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                    for a in e.attributes() {
                        prop_assert!(a.unwrap().unescape_value().is_ok());
                    }
                }
                Ok(_) => {}
                Err(e) => prop_assert!(false, "malformed XML: {e}\n{junit}"),
            }
        }
        for c in junit.chars() {
            let xml_char = matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..);
            prop_assert!(xml_char, "character {:?} not allowed in XML", c);
        }

        // The table, without colour, holds no control character but new lines and tabs.
        let table = render(Format::Table, &report, &RenderOptions { color: false, base_dir: None });
        for c in table.chars() {
            prop_assert!(c == '\n' || c == '\t' || !c.is_control(), "control {:?} in table", c);
        }
    }
}

fn collect_uris(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, v) in m {
                if k == "uri" {
                    if let Some(s) = v.as_str() {
                        out.push(s.to_string());
                    }
                }
                collect_uris(v, out);
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|v| collect_uris(v, out)),
        _ => {}
    }
}
