//! Every line of `rbac/whocan.jsonl`: the reverse lookup's subjects in
//! emission order.

mod common;

use kspect_rbac::{RbacModel, Subject};

#[test]
fn whocan_jsonl_all_agree() {
    let Some(lines) = common::read_jsonl("whocan.jsonl") else {
        return;
    };
    let mut failures = Vec::new();
    for line in &lines {
        let name = line["name"].as_str().unwrap_or("?");
        let model = RbacModel::from_objects(common::case_objects(line));
        let request = common::corpus_request(&line["request"]);
        let super_user = line["superUser"].as_str().filter(|s| !s.is_empty());
        let expected: Vec<Subject> =
            serde_json::from_value(line["subjects"].clone()).expect("subjects");
        let got = model.who_can(&request.attributes, super_user);
        let got: Vec<Subject> = got.entries.into_iter().map(|e| e.subject).collect();
        if got != expected {
            failures.push(format!(
                "{name}:\n  got      {got:?}\n  expected {expected:?}"
            ));
        }
    }
    common::finish("whocan.jsonl", lines.len(), &failures);
}
