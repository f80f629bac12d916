//! SARIF output: valid against the OASIS SARIF 2.1.0 schema, and shaped the way GitHub
//! code scanning reads it.

mod common;

use std::collections::HashSet;

use common::*;
use kspect_core::Finding;
use kspect_report::{Format, RenderOptions};
use serde_json::Value;

fn sarif(fx: &Fixture, base: bool) -> (String, Value) {
    let opts = RenderOptions {
        color: false,
        base_dir: base.then(|| fx.dir.path().to_path_buf()),
    };
    let text = render(
        Format::Sarif,
        &fx.report(Some(kspect_core::Severity::Low)),
        &opts,
    );
    let v: Value = serde_json::from_str(&text).expect("SARIF is JSON");
    (text, v)
}

fn schema_errors(schema: &Value, log: &Value) -> Vec<String> {
    let validator = jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(schema)
        .expect("the SARIF schema compiles offline");
    validator
        .iter_errors(log)
        .map(|e| format!("{}: {}", e.instance_path(), e))
        .collect()
}

#[test]
fn validates_against_the_sarif_2_1_0_schema() {
    let Some(dir) = shared("schemas") else { return };
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("sarif-schema-2.1.0.json")).expect("read schema"),
    )
    .expect("schema is JSON");

    // The validator must be able to say no: a log with a bad level is rejected.
    let broken = serde_json::json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}},
        "results": [{"level": "bogus", "message": {"text": "m"}}]}]});
    assert!(!schema_errors(&schema, &broken).is_empty());

    let mut fx = fixture();
    // A finding at column 1 too: its region is the whole line, so no context region.
    fx.findings.push(Finding::at(
        &NO_LIMITS,
        &fx.objects[1],
        "/spec",
        "a finding at the start of a line",
    ));
    let (_, log) = sarif(&fx, true);
    let at_col1 = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["message"]["text"] == "a finding at the start of a line.")
        .unwrap();
    let phys = &at_col1["locations"][0]["physicalLocation"];
    assert_eq!(phys["region"]["startColumn"], 1);
    assert_eq!(phys["region"]["snippet"]["text"], "spec:");
    assert!(phys.get("contextRegion").is_none());

    for base in [false, true] {
        let (text, log) = sarif(&fx, base);
        let errors = schema_errors(&schema, &log);
        assert!(errors.is_empty(), "base={base}: {errors:#?}\n{text}");
    }
    // An empty report is valid too.
    let empty = Fixture {
        findings: vec![],
        diagnostics: vec![],
        ..fixture()
    };
    let (_, log) = sarif(&empty, false);
    assert!(schema_errors(&schema, &log).is_empty());

    // Leave samples for `tests/sarif_multitool.sh` (CI runs the Multitool on them).
    for (base, name) in [
        (true, "kspect-report-sample.sarif"),
        (false, "kspect-report-sample-nobase.sarif"),
    ] {
        let (text, _) = sarif(&fx, base);
        let out = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
        std::fs::write(&out, text).expect("write sample");
        println!("sample SARIF written to {}", out.display());
    }
}

#[test]
fn driver_and_rules() {
    let fx = fixture();
    let (_, log) = sarif(&fx, true);
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(log["runs"].as_array().unwrap().len(), 1);
    let run = &log["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "kspect");
    assert_eq!(driver["version"], "0.1.0");
    assert!(
        driver["informationUri"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );

    let rules = driver["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    // Every registered rule, then the unregistered one a finding names.
    assert_eq!(
        ids,
        ["KSPT01", "KSPT02", "KSPT03", "KSPT04", "KSPT05", "XTRA99"]
    );

    // A rule the registry lacks has no friendly name: it would only repeat the ID.
    assert!(rules[5].get("name").is_none());
    assert_eq!(
        rules[5]["shortDescription"]["text"],
        "Rule missing from the registry."
    );

    let privileged = &rules[0];
    assert_eq!(privileged["name"], "PrivilegedContainer");
    assert_eq!(
        privileged["shortDescription"]["text"],
        "Privileged container."
    );
    assert_eq!(
        privileged["fullDescription"]["text"],
        "Finds containers that run `privileged: true`."
    );
    assert_eq!(privileged["help"]["markdown"], PRIVILEGED.doc);
    assert_eq!(privileged["defaultConfiguration"]["level"], "error");
    assert_eq!(privileged["properties"]["security-severity"], "8.0");
    let tags: Vec<&str> = privileged["properties"]["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert!(tags.contains(&"security") && tags.contains(&"workload"));
    assert_eq!(
        rules[1]["helpUri"],
        "https://kubernetes.io/docs/concepts/containers/images/"
    );
    // Critical and info scores as GitHub bands them.
    assert_eq!(rules[2]["properties"]["security-severity"], "9.5");
    assert_eq!(rules[4]["properties"]["security-severity"], "1.0");
    assert_eq!(rules[4]["defaultConfiguration"]["level"], "note");
    assert_eq!(rules[3]["defaultConfiguration"]["level"], "warning");
}

#[test]
fn results_locations_fingerprints_and_suppressions() {
    let fx = fixture();
    let (_, log) = sarif(&fx, true);
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), fx.findings.len());

    for r in results {
        let idx = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(
            rules[idx]["id"], r["ruleId"],
            "ruleIndex points at its rule"
        );
        assert!(r["message"]["text"].as_str().unwrap().ends_with('.'));
    }

    let by_rule =
        |id: &str| -> Vec<&Value> { results.iter().filter(|r| r["ruleId"] == id).collect() };

    // The privileged finding in the file: relative URI under %SRCROOT%, line and column.
    let priv_file: Vec<&Value> = by_rule("KSPT01")
        .into_iter()
        .filter(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] != "stdin")
        .collect();
    assert_eq!(priv_file.len(), 1);
    let r = priv_file[0];
    assert_eq!(r["level"], "error");
    let phys = &r["locations"][0]["physicalLocation"];
    assert_eq!(phys["artifactLocation"]["uri"], "k8s/deploy.yaml");
    assert_eq!(phys["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    assert_eq!(phys["region"]["startLine"], PRIVILEGED_LINE);
    assert_eq!(phys["region"]["startColumn"], PRIVILEGED_COL);
    assert_eq!(
        phys["contextRegion"]["snippet"]["text"],
        "            privileged: true"
    );
    assert_eq!(phys["region"]["snippet"]["text"], "privileged: true");
    let logical = &r["locations"][0]["logicalLocations"][0];
    assert_eq!(logical["name"], "web");
    assert_eq!(logical["fullyQualifiedName"], "shop/Deployment/web");
    let base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap();
    assert!(base.starts_with("file:///") && base.ends_with('/'));

    // GitHub rejects the whole upload when any result lacks a physical location with
    // an artifact URI, so every result has one.
    for r in results {
        let uri = &r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
        assert!(uri.is_string(), "result without artifact URI: {r}");
    }

    // The stdin finding: anchored at `stdin`, the object still names it.
    let stdin: Vec<&Value> = by_rule("KSPT01")
        .into_iter()
        .filter(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "stdin")
        .collect();
    assert_eq!(stdin.len(), 1);
    assert_eq!(
        stdin[0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        6
    );
    assert_eq!(
        stdin[0]["locations"][0]["logicalLocations"][0]["name"],
        "from-stdin"
    );
    assert_eq!(stdin[0]["properties"]["file"], "<stdin>");

    // A finding with neither object nor location is anchored at the configuration file.
    let general = &by_rule("KSPT05")[0];
    let phys = &general["locations"][0]["physicalLocation"];
    assert_eq!(phys["artifactLocation"]["uri"], ".kspect.yaml");
    assert_eq!(phys["region"]["startLine"], 1);
    assert!(general["locations"][0].get("logicalLocations").is_none());
    assert_eq!(general["level"], "note");

    // Suppressions: annotation -> inSource, config -> external, with justification.
    let s = &by_rule("KSPT02")[0]["suppressions"][0];
    assert_eq!(s["kind"], "inSource");
    assert_eq!(s["justification"], "pinned by the release pipeline");
    assert_eq!(s["location"]["physicalLocation"]["region"]["startLine"], 7);
    let s = &by_rule("KSPT04")[0]["suppressions"][0];
    assert_eq!(s["kind"], "external");
    assert!(by_rule("KSPT03")[0].get("suppressions").is_none());

    // Fingerprints: present, distinct per finding.
    let fps: HashSet<&str> = results
        .iter()
        .map(|r| {
            r["partialFingerprints"]["kspectFingerprint/v1"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(fps.len(), results.len());
}

#[test]
fn fingerprints_survive_moved_lines_and_renamed_files() {
    let fx = fixture();
    let fp = |fx: &Fixture| -> Vec<String> {
        let (_, log) = sarif(fx, false);
        log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["ruleId"] == "KSPT03")
            .map(|r| {
                r["partialFingerprints"]["kspectFingerprint/v1"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    let before = fp(&fx);
    let mut moved = fixture();
    for f in &mut moved.findings {
        if let Some(l) = &mut f.location {
            l.line += 40;
            l.file = "renamed.yaml".into();
        }
    }
    assert_eq!(before, fp(&moved));
    let mut other = fixture();
    for f in &mut other.findings {
        if let Some(o) = &mut f.object {
            o.name.push('x');
        }
    }
    assert_ne!(before, fp(&other));
}

#[test]
fn diagnostics_are_tool_execution_notifications() {
    let fx = fixture();
    let (_, log) = sarif(&fx, false);
    let inv = &log["runs"][0]["invocations"][0];
    assert_eq!(inv["executionSuccessful"], true);
    let notes = inv["toolExecutionNotifications"].as_array().unwrap();
    assert_eq!(notes.len(), fx.diagnostics.len());
    assert_eq!(notes[0]["level"], "error");
    let uri = notes[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        .as_str()
        .unwrap();
    // The file name `bad & <odd>.yaml` is percent-encoded where a URI needs it.
    assert_eq!(uri, "bad%20&%20%3Codd%3E.yaml");
    assert_eq!(
        notes[0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        fx.diagnostics[0].line.unwrap()
    );
    assert_eq!(notes[1]["level"], "warning");
}

#[test]
fn output_is_deterministic_whatever_the_finding_order() {
    let mut fx = fixture();
    let (a, _) = sarif(&fx, true);
    fx.findings.reverse();
    let (b, _) = sarif(&fx, true);
    assert_eq!(a, b);
}
