//! Every line of `rbac/aggregation.jsonl`: the controller's rules for the
//! aggregated ClusterRole, exactly and in order, and whether it updates.

mod common;

use kspect_rbac::{ModelOptions, PolicyRule, RbacModel, RoleKind, aggregated_rules};

#[test]
fn aggregation_jsonl_all_agree() {
    let Some(lines) = common::read_jsonl("aggregation.jsonl") else {
        return;
    };
    let mut failures = Vec::new();
    for line in &lines {
        let name = line["name"].as_str().unwrap_or("?");
        let target = line["aggregate"].as_str().expect("aggregate");
        let expected: Vec<PolicyRule> =
            serde_json::from_value(line["expectedRules"].clone()).expect("expectedRules");
        let expect_update = line["expectUpdate"].as_bool().expect("expectUpdate");
        let objects = common::case_objects(line);
        let raw = RbacModel::from_sourced_objects(
            objects.iter().enumerate().map(|(i, v)| (i, *v)),
            ModelOptions { aggregate: false },
        );
        let filled = RbacModel::from_objects(objects.iter().copied());
        let find = |m: &RbacModel| {
            m.cluster_role(target)
                .and_then(|id| m.role(id))
                .map(|r| (r.rules.clone(), r.aggregation_rule.clone()))
        };
        let (Some((before, Some(rule))), Some((after, _))) = (find(&raw), find(&filled)) else {
            failures.push(format!(
                "{name}: target {target} or its aggregationRule not loaded"
            ));
            continue;
        };
        let mut problems = Vec::new();
        if after != expected {
            problems.push(format!(
                "fixed point rules differ:\n  got      {}\n  expected {}",
                serde_json::to_string(&after).unwrap_or_default(),
                serde_json::to_string(&expected).unwrap_or_default()
            ));
        }
        if (before != after) != expect_update {
            problems.push(format!(
                "update={} expected {expect_update}",
                before != after
            ));
        }
        // Where no source role is itself aggregated, one controller sync
        // must already give the answer.
        let chained = raw.roles().iter().any(|r| {
            r.kind == RoleKind::ClusterRole && r.aggregation_rule.is_some() && r.meta.name != target
        });
        if !chained {
            match aggregated_rules(target, &rule, raw.roles()) {
                Ok(one) if one == expected => {}
                Ok(one) => problems.push(format!("single sync gives {} rules", one.len())),
                Err(e) => problems.push(format!("single sync error {e}")),
            }
        }
        if !problems.is_empty() {
            failures.push(format!("{name}: {}", problems.join("; ")));
        }
    }
    common::finish("aggregation.jsonl", lines.len(), &failures);
}
