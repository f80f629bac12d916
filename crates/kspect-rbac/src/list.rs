//! `kubectl auth can-i --list`: the rules that apply to a user in a
//! namespace (RBAC's `RulesFor`, `SEMANTICS.md` §7) and kubectl's table.

use serde::Serialize;

use crate::covers::breakdown_rule;
use crate::model::{BindingId, RbacModel, RoleId};
use crate::policy::PolicyRule;
use crate::request::UserInfo;

/// One rule that applies, with where it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AppliedRule {
    /// The binding that applies to the user.
    pub binding: BindingId,
    /// The role it references.
    pub role: RoleId,
    /// Index of the rule in the role.
    pub rule_index: usize,
}

/// What a SelfSubjectRulesReview answers from RBAC.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RulesReview {
    /// Raw rules of every applicable binding, in visiting order (not merged).
    pub rules: Vec<AppliedRule>,
    /// roleRef lookup errors of applicable bindings (the list is still returned).
    pub errors: Vec<String>,
}

impl<S> RbacModel<S> {
    /// `RulesFor(user, namespace)`: the rules of every ClusterRoleBinding that
    /// applies to `user`, plus those of the RoleBindings in `namespace` when
    /// it is not empty.
    pub fn rules_for(&self, user: &UserInfo, namespace: &str) -> RulesReview {
        let mut review = RulesReview::default();
        for a in self.applicable_bindings(user, namespace) {
            match self.binding_role(a.binding) {
                Ok(role) => {
                    let n = self.role(role).map_or(0, |r| r.rules.len());
                    review.rules.extend((0..n).map(|rule_index| AppliedRule {
                        binding: a.binding,
                        role,
                        rule_index,
                    }));
                }
                Err(e) => review.errors.push(e),
            }
        }
        review
    }

    /// The policy rules of a review, in order.
    pub fn review_rules(&self, review: &RulesReview) -> Vec<PolicyRule> {
        review
            .rules
            .iter()
            .filter_map(|r| self.role(r.role)?.rules.get(r.rule_index).cloned())
            .collect()
    }
}

/// One line of the `kubectl auth can-i --list` table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListRow {
    /// `resource[.group][/subresource]`, empty for URL rows.
    pub resources: String,
    /// Non-resource URLs.
    #[serde(rename = "nonResourceURLs")]
    pub non_resource_urls: Vec<String>,
    /// Resource names.
    pub resource_names: Vec<String>,
    /// Verbs.
    pub verbs: Vec<String>,
}

/// Go's `%v` of a string slice: `[a b c]`.
fn go_list(items: &[String]) -> String {
    format!("[{}]", items.join(" "))
}

/// The protobuf `String()` of a PolicyRule, which kubectl sorts rows by.
fn go_rule_string(r: &PolicyRule) -> String {
    format!(
        "&PolicyRule{{Verbs:{},APIGroups:{},Resources:{},ResourceNames:{},NonResourceURLs:{},}}",
        go_list(&r.verbs),
        go_list(&r.api_groups),
        go_list(&r.resources),
        go_list(&r.resource_names),
        go_list(&r.non_resource_urls)
    )
}

/// kubectl's `CombineResourceGroup`: `resource.group/subresource`.
fn combine_resource_group(resources: &[String], groups: &[String]) -> String {
    let Some(first) = resources.first() else {
        return String::new();
    };
    let (resource, sub) = match first.split_once('/') {
        Some((r, s)) => (r, Some(s)),
        None => (first.as_str(), None),
    };
    let mut out = resource.to_string();
    if let Some(g) = groups.first().filter(|g| !g.is_empty()) {
        out.push('.');
        out.push_str(g);
    }
    if let Some(s) = sub {
        out.push('/');
        out.push_str(s);
    }
    out
}

/// The rows kubectl prints for these rules: the review's resource rules and
/// then its URL rules are broken into single atoms, atoms that differ only by
/// verb are merged, and the result is sorted as kubectl sorts it.
pub fn can_i_list_rows(rules: &[PolicyRule]) -> Vec<ListRow> {
    // The review splits each rule into a resource part and a URL part.
    let mut status: Vec<PolicyRule> = rules
        .iter()
        .filter(|r| !r.resources.is_empty())
        .map(|r| PolicyRule {
            verbs: r.verbs.clone(),
            api_groups: r.api_groups.clone(),
            resources: r.resources.clone(),
            resource_names: r.resource_names.clone(),
            non_resource_urls: Vec::new(),
        })
        .collect();
    status.extend(
        rules
            .iter()
            .filter(|r| !r.non_resource_urls.is_empty())
            .map(|r| PolicyRule {
                verbs: r.verbs.clone(),
                non_resource_urls: r.non_resource_urls.clone(),
                ..Default::default()
            }),
    );
    let atoms: Vec<PolicyRule> = status.iter().flat_map(breakdown_rule).collect();

    // Merge atoms with one group, one resource, at most one name.
    let mut compact: Vec<PolicyRule> = Vec::new();
    let mut simple: Vec<PolicyRule> = Vec::new();
    for atom in atoms {
        let is_simple = atom.non_resource_urls.is_empty()
            && atom.api_groups.len() == 1
            && atom.resources.len() == 1
            && atom.resource_names.len() <= 1;
        if !is_simple {
            compact.push(atom);
            continue;
        }
        match simple.iter_mut().find(|s| {
            s.api_groups == atom.api_groups
                && s.resources == atom.resources
                && s.resource_names == atom.resource_names
        }) {
            Some(existing) => {
                for v in atom.verbs {
                    if !existing.verbs.contains(&v) {
                        existing.verbs.push(v);
                    }
                }
            }
            None => simple.push(atom),
        }
    }
    compact.extend(simple);
    let mut keyed: Vec<(String, PolicyRule)> = compact
        .into_iter()
        .map(|r| (go_rule_string(&r), r))
        .collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    keyed
        .into_iter()
        .map(|(_, r)| ListRow {
            resources: combine_resource_group(&r.resources, &r.api_groups),
            non_resource_urls: r.non_resource_urls,
            resource_names: r.resource_names,
            verbs: r.verbs,
        })
        .collect()
}

/// Renders rows as kubectl does (Go tabwriter: min width 6, padding 3).
pub fn render_can_i_list(rows: &[ListRow], headers: bool) -> String {
    let mut lines: Vec<[String; 4]> = Vec::new();
    if headers {
        lines.push([
            "Resources".into(),
            "Non-Resource URLs".into(),
            "Resource Names".into(),
            "Verbs".into(),
        ]);
    }
    for r in rows {
        lines.push([
            r.resources.clone(),
            go_list(&r.non_resource_urls),
            go_list(&r.resource_names),
            go_list(&r.verbs),
        ]);
    }
    let mut widths = [6usize; 3];
    for line in &lines {
        for (w, cell) in widths.iter_mut().zip(line.iter()) {
            *w = (*w).max(cell.chars().count() + 3);
        }
    }
    let mut out = String::new();
    for line in &lines {
        for (w, cell) in widths.iter().zip(line.iter()) {
            out.push_str(cell);
            out.extend(std::iter::repeat_n(' ', w - cell.chars().count()));
        }
        out.push_str(&line[3]);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(json: serde_json::Value) -> PolicyRule {
        serde_json::from_value(json).unwrap_or_default()
    }

    #[test]
    fn rows_like_kubectl() {
        let rules = vec![
            rule(
                serde_json::json!({"verbs":["get","list"],"apiGroups":["","apps"],"resources":["pods","deployments/scale"]}),
            ),
            rule(serde_json::json!({"verbs":["watch"],"apiGroups":[""],"resources":["pods"]})),
            rule(serde_json::json!({"verbs":["get"],"nonResourceURLs":["/healthz","/api/*"]})),
        ];
        let rows = can_i_list_rows(&rules);
        let text = render_can_i_list(&rows, true);
        let expected = "\
Resources                Non-Resource URLs   Resource Names   Verbs
pods                     []                  []               [get list watch]
deployments/scale        []                  []               [get list]
deployments.apps/scale   []                  []               [get list]
pods.apps                []                  []               [get list]
                         [/api/*]            []               [get]
                         [/healthz]          []               [get]
";
        assert_eq!(text, expected);
    }
}
