//! ClusterRole aggregation as the `clusterrole-aggregation` controller does it
//! (`SEMANTICS.md` §6).

use crate::error::RbacError;
use crate::objects::{AggregationRule, RoleKind, RoleObject};
use crate::policy::PolicyRule;

/// The rules the controller writes into the ClusterRole named `target` with
/// `rule`, given every ClusterRole in `cluster_roles` (Roles are ignored).
///
/// For each selector in order, the matching ClusterRoles are taken in name
/// order, the target itself is skipped, and each rule is appended unless an
/// equal rule is already there. The result replaces `.rules` completely.
pub fn aggregated_rules<S>(
    target: &str,
    rule: &AggregationRule,
    cluster_roles: &[RoleObject<S>],
) -> Result<Vec<PolicyRule>, RbacError> {
    let mut out: Vec<PolicyRule> = Vec::new();
    for selector in &rule.cluster_role_selectors {
        let mut selected: Vec<&RoleObject<S>> = Vec::new();
        for role in cluster_roles {
            if role.kind == RoleKind::ClusterRole && selector.matches(&role.meta.labels)? {
                selected.push(role);
            }
        }
        selected.sort_by(|a, b| a.meta.name.cmp(&b.meta.name));
        for role in selected {
            if role.meta.name == target {
                continue;
            }
            for r in &role.rules {
                if !out.contains(r) {
                    out.push(r.clone());
                }
            }
        }
    }
    Ok(out)
}

/// Outcome of running the controller to its fixed point.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AggregationReport {
    /// Names of ClusterRoles whose rules were changed.
    pub updated: Vec<String>,
    /// Problems (bad selectors, no fixed point).
    pub problems: Vec<(String, String)>,
}

/// Upper bound on controller passes; a chain longer than this is a cycle that
/// keeps changing, which real clusters do not have.
const MAX_PASSES: usize = 64;

/// Fills every ClusterRole that has an `aggregationRule`, repeating the
/// controller's sync until nothing changes (chains such as view -> edit ->
/// admin need several passes).
pub fn aggregate_all<S>(roles: &mut [RoleObject<S>]) -> AggregationReport {
    let mut report = AggregationReport::default();
    let mut targets: Vec<usize> = roles
        .iter()
        .enumerate()
        .filter(|(_, r)| r.kind == RoleKind::ClusterRole && r.aggregation_rule.is_some())
        .map(|(i, _)| i)
        .collect();
    targets.sort_by(|a, b| roles[*a].meta.name.cmp(&roles[*b].meta.name));
    if targets.is_empty() {
        return report;
    }
    for _ in 0..MAX_PASSES {
        let mut changed = false;
        for &i in &targets {
            let Some(rule) = roles[i].aggregation_rule.clone() else {
                continue;
            };
            let name = roles[i].meta.name.clone();
            match aggregated_rules(&name, &rule, roles) {
                Ok(rules) if rules != roles[i].rules => {
                    roles[i].rules = rules;
                    changed = true;
                    if !report.updated.contains(&name) {
                        report.updated.push(name);
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    let entry = (name, e.to_string());
                    if !report.problems.contains(&entry) {
                        report.problems.push(entry);
                    }
                }
            }
        }
        if !changed {
            return report;
        }
    }
    report.problems.push((
        String::new(),
        format!("aggregation did not reach a fixed point in {MAX_PASSES} passes"),
    ));
    report
}
