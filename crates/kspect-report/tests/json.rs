//! JSON output: the documented schema (docs/json-report.md), parsed back.

mod common;

use common::*;
use kspect_core::Severity;
use kspect_report::{Format, RenderOptions};
use serde_json::Value;

fn json(fx: &Fixture, fail_on: Option<Severity>) -> Value {
    let text = render(Format::Json, &fx.report(fail_on), &RenderOptions::default());
    serde_json::from_str(&text).expect("valid JSON")
}

#[test]
fn header_and_summary() {
    let fx = fixture();
    let v = json(&fx, Some(Severity::High));
    assert_eq!(v["schemaVersion"], "1");
    assert_eq!(v["tool"]["name"], "kspect");
    assert_eq!(v["tool"]["version"], "0.1.0");
    assert_eq!(v["command"], "scan");
    let s = &v["summary"];
    assert_eq!(s["objectsScanned"], 3);
    assert_eq!(s["filesScanned"], 3);
    // 7 findings: 2 suppressed, 5 active: critical 1, high 2, medium 1 (unregistered), info 1.
    assert_eq!(s["findings"], 5);
    assert_eq!(s["suppressed"], 2);
    assert_eq!(s["bySeverity"]["critical"], 1);
    assert_eq!(s["bySeverity"]["high"], 2);
    assert_eq!(s["bySeverity"]["medium"], 1);
    assert_eq!(s["bySeverity"]["low"], 0);
    assert_eq!(s["bySeverity"]["info"], 1);
    assert_eq!(s["diagnostics"]["errors"], 1);
    assert_eq!(s["diagnostics"]["warnings"], 1);
    assert_eq!(s["failOn"], "high");
    assert_eq!(s["failed"], true);

    let v = json(&fx, None);
    assert_eq!(v["summary"]["failOn"], Value::Null);
    assert_eq!(v["summary"]["failed"], false);
}

#[test]
fn findings_carry_every_documented_field() {
    let fx = fixture();
    let v = json(&fx, Some(Severity::Low));
    let findings = v["findings"].as_array().unwrap();
    assert_eq!(findings.len(), fx.findings.len());
    let keys = [
        "rule",
        "severity",
        "title",
        "message",
        "category",
        "object",
        "location",
        "remediation",
        "evidence",
        "references",
        "suppressed",
    ];
    for f in findings {
        let obj = f.as_object().unwrap();
        let mut got: Vec<&str> = obj.keys().map(String::as_str).collect();
        got.sort_unstable();
        let mut want = keys.to_vec();
        want.sort_unstable();
        assert_eq!(got, want, "every field always present (null when empty)");
    }

    let p = findings
        .iter()
        .find(|f| f["rule"] == "KSPT01" && f["object"]["name"] == "web")
        .unwrap();
    assert_eq!(p["severity"], "high");
    assert_eq!(p["title"], "Privileged container");
    assert_eq!(p["message"], "container \"app\" runs privileged");
    assert_eq!(p["category"], "workload");
    assert_eq!(p["object"]["apiVersion"], "apps/v1");
    assert_eq!(p["object"]["kind"], "Deployment");
    assert_eq!(p["object"]["namespace"], "shop");
    let loc = &p["location"];
    assert_eq!(loc["file"], fx.deploy_path.to_string_lossy().as_ref());
    assert_eq!(loc["document"], 1);
    assert_eq!(loc["line"], PRIVILEGED_LINE);
    assert_eq!(loc["column"], PRIVILEGED_COL);
    assert_eq!(
        loc["pointer"],
        "/spec/template/spec/containers/0/securityContext/privileged"
    );
    assert_eq!(p["remediation"], "Set securityContext.privileged to false.");
    assert_eq!(p["evidence"], Value::Null);
    assert_eq!(p["suppressed"], Value::Null);
    assert_eq!(p["references"][0]["kind"], "pss");
    assert_eq!(p["references"][0]["id"], "Privileged Containers");
    assert_eq!(p["references"][1]["kind"], "mitre");
    assert_eq!(
        p["references"][1]["url"],
        "https://attack.mitre.org/techniques/T1611/"
    );

    let pod = findings.iter().find(|f| f["rule"] == "KSPT03").unwrap();
    assert_eq!(pod["object"]["namespace"], Value::Null);
    assert_eq!(pod["object"]["name"], "odd<name>&'q");
    assert_eq!(pod["location"]["document"], 2);
    assert_eq!(pod["location"]["line"], HOSTPID_LINE);
    assert_eq!(
        pod["evidence"], "true\u{1b}[2J",
        "JSON carries data verbatim"
    );

    let sup = findings.iter().find(|f| f["rule"] == "KSPT02").unwrap();
    assert_eq!(sup["suppressed"]["kind"], "annotation");
    assert_eq!(
        sup["suppressed"]["reason"],
        "pinned by the release pipeline"
    );
    assert_eq!(sup["suppressed"]["location"]["line"], 7);
    let ext = findings.iter().find(|f| f["rule"] == "KSPT04").unwrap();
    assert_eq!(ext["suppressed"]["kind"], "config");
    assert_eq!(ext["suppressed"]["location"], Value::Null);

    let general = findings.iter().find(|f| f["rule"] == "KSPT05").unwrap();
    assert_eq!(general["object"], Value::Null);
    assert_eq!(general["location"], Value::Null);
}

#[test]
fn findings_are_sorted_by_place() {
    let fx = fixture();
    let v = json(&fx, None);
    let places: Vec<(String, u64, u64)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| !f["location"].is_null())
        .map(|f| {
            let l = &f["location"];
            (
                l["file"].as_str().unwrap().to_string(),
                l["document"].as_u64().unwrap(),
                l["line"].as_u64().unwrap(),
            )
        })
        .collect();
    let mut sorted = places.clone();
    sorted.sort();
    assert_eq!(places, sorted);
}

#[test]
fn diagnostics_are_listed() {
    let fx = fixture();
    let v = json(&fx, None);
    let d = v["diagnostics"].as_array().unwrap();
    assert_eq!(d.len(), 2);
    assert_eq!(d[0]["level"], "error");
    assert_eq!(d[0]["file"], "bad & <odd>.yaml");
    assert_eq!(d[0]["line"], fx.diagnostics[0].line.unwrap());
    assert_eq!(d[0]["message"], fx.diagnostics[0].message.as_str());
    assert_eq!(d[1]["level"], "warning");
    assert_eq!(d[1]["line"], Value::Null);
    assert_eq!(d[1]["document"], Value::Null);
}
