//! Every case of `rbac/cases.jsonl` through the authorizer, the SAR helper
//! and the fast path.

mod common;

use kspect_rbac::{RbacModel, ReviewOptions, review_subject_access};
use serde_json::{Value, json};

fn sar_for(req: &Value) -> Value {
    let mut spec = json!({"user": req["user"], "groups": req["groups"]});
    if req["resourceRequest"].as_bool().unwrap_or(true) {
        spec["resourceAttributes"] = json!({
            "namespace": req["namespace"], "verb": req["verb"], "group": req["apiGroup"],
            "resource": req["resource"], "subresource": req["subresource"], "name": req["name"],
        });
    } else {
        spec["nonResourceAttributes"] = json!({"path": req["path"], "verb": req["verb"]});
    }
    json!({"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview", "spec": spec})
}

#[test]
fn cases_jsonl_all_agree() {
    let Some(cases) = common::read_jsonl("cases.jsonl") else {
        return;
    };
    let mut failures = Vec::new();
    for case in &cases {
        let name = case["name"].as_str().unwrap_or("?");
        let expected = case["allowed"].as_bool().expect("allowed is a bool");
        let model = RbacModel::from_objects(common::case_objects(case));
        let request = common::corpus_request(&case["request"]);
        let decision = model.authorize(&request);
        let fast = model.allows(&request);
        let mut problems = Vec::new();
        if decision.allowed != expected {
            problems.push(format!("authorize={}", decision.allowed));
        }
        if fast != expected {
            problems.push(format!("allows={fast}"));
        }
        if decision.allowed == decision.grants.is_empty() {
            problems.push("grants inconsistent with decision".into());
        }
        // An empty user with no groups is not a valid review; skip that part.
        let user_given = !case["request"]["user"].as_str().unwrap_or("").is_empty()
            || case["request"]["groups"]
                .as_array()
                .is_some_and(|g| !g.is_empty());
        if user_given {
            match review_subject_access(
                &model,
                &sar_for(&case["request"]),
                ReviewOptions::default(),
            ) {
                Ok(out) => {
                    if out["status"]["allowed"] != json!(expected) {
                        problems.push(format!("review status {}", out["status"]));
                    }
                    let reason = out["status"]["reason"].as_str().unwrap_or("");
                    if expected && !reason.starts_with("RBAC: allowed by ") {
                        problems.push(format!("reason {reason:?}"));
                    }
                }
                Err(e) => problems.push(format!("review error {e}")),
            }
        }
        if !problems.is_empty() {
            failures.push(format!(
                "{name}: expected {expected}, {}",
                problems.join("; ")
            ));
        }
    }
    common::finish("cases.jsonl", cases.len(), &failures);
}
