//! Every line of `rbac/covers.jsonl`: coverage and the uncovered atoms (as a set).

mod common;

use kspect_rbac::{PolicyRule, covers};

fn key(r: &PolicyRule) -> String {
    serde_json::to_string(r).unwrap_or_default()
}

#[test]
fn covers_jsonl_all_agree() {
    let Some(lines) = common::read_jsonl("covers.jsonl") else {
        return;
    };
    let mut failures = Vec::new();
    for line in &lines {
        let name = line["name"].as_str().unwrap_or("?");
        let owner: Vec<PolicyRule> =
            serde_json::from_value(line["ownerRules"].clone()).expect("owner");
        let servant: Vec<PolicyRule> =
            serde_json::from_value(line["servantRules"].clone()).expect("servant");
        let expected_uncovered: Vec<PolicyRule> =
            serde_json::from_value(line["uncoveredRules"].clone()).expect("uncovered");
        let expected = line["covered"].as_bool().expect("covered");
        let (got, uncovered) = covers(&owner, &servant);
        let mut a: Vec<String> = uncovered.iter().map(key).collect();
        let mut b: Vec<String> = expected_uncovered.iter().map(key).collect();
        a.sort();
        a.dedup();
        b.sort();
        b.dedup();
        if got != expected || a != b {
            failures.push(format!(
                "{name}: covered={got} (expected {expected}), uncovered {a:?} expected {b:?}"
            ));
        }
    }
    common::finish("covers.jsonl", lines.len(), &failures);
}
