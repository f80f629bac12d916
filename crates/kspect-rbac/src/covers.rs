//! Rule coverage (`Covers` in the API server's escalation check) and the
//! write-time checks built on it (`SEMANTICS.md` §8).

use crate::authorizer::Grant;
use crate::model::RbacModel;
use crate::objects::{BindingKind, RoleKind, RoleRef};
use crate::policy::{PolicyRule, STAR, non_resource_url_matches};
use crate::request::{Request, ResourceAttributes, SYSTEM_MASTERS, UserInfo};

fn has(list: &[String], value: &str) -> bool {
    list.iter().any(|v| v == value)
}

/// Splits a rule into single-verb atoms: one group x resource x verb
/// (x name), or one URL x verb. A resource rule without groups, resources or
/// verbs yields no atom, as upstream.
pub fn breakdown_rule(rule: &PolicyRule) -> Vec<PolicyRule> {
    let mut out = Vec::new();
    for group in &rule.api_groups {
        for resource in &rule.resources {
            for verb in &rule.verbs {
                let atom = |names: Vec<String>| PolicyRule {
                    verbs: vec![verb.clone()],
                    api_groups: vec![group.clone()],
                    resources: vec![resource.clone()],
                    resource_names: names,
                    non_resource_urls: Vec::new(),
                };
                if rule.resource_names.is_empty() {
                    out.push(atom(Vec::new()));
                } else {
                    for name in &rule.resource_names {
                        out.push(atom(vec![name.clone()]));
                    }
                }
            }
        }
    }
    for url in &rule.non_resource_urls {
        for verb in &rule.verbs {
            out.push(PolicyRule {
                verbs: vec![verb.clone()],
                non_resource_urls: vec![url.clone()],
                ..Default::default()
            });
        }
    }
    out
}

/// Whether one owner rule covers one atom (every list of the atom has at
/// most one entry). A servant `*` is covered only by an owner `*`.
fn rule_covers_atom(owner: &PolicyRule, atom: &PolicyRule) -> bool {
    let verbs = has(&owner.verbs, STAR) || atom.verbs.iter().all(|v| has(&owner.verbs, v));
    let groups =
        has(&owner.api_groups, STAR) || atom.api_groups.iter().all(|g| has(&owner.api_groups, g));
    let resources = has(&owner.resources, STAR)
        || atom.resources.iter().all(|r| {
            has(&owner.resources, r)
                || r.split_once('/')
                    .is_some_and(|(_, sub)| has(&owner.resources, &format!("*/{sub}")))
        });
    // Owner URLs cover with the same predicate the authorizer matches with.
    let urls = atom.non_resource_urls.iter().all(|path| {
        owner
            .non_resource_urls
            .iter()
            .any(|o| non_resource_url_matches(o, path))
    });
    let names = if atom.resource_names.is_empty() {
        owner.resource_names.is_empty()
    } else {
        owner.resource_names.is_empty()
            || atom
                .resource_names
                .iter()
                .all(|n| has(&owner.resource_names, n))
    };
    verbs && groups && resources && urls && names
}

/// Whether `owner` rules cover every rule of `servant`, and the atoms that no
/// single owner rule covers (in servant order).
pub fn covers(owner: &[PolicyRule], servant: &[PolicyRule]) -> (bool, Vec<PolicyRule>) {
    let uncovered: Vec<PolicyRule> = servant
        .iter()
        .flat_map(breakdown_rule)
        .filter(|atom| !owner.iter().any(|o| rule_covers_atom(o, atom)))
        .collect();
    (uncovered.is_empty(), uncovered)
}

/// Which condition lets a write of an RBAC object through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteAllowedBy {
    /// The writer is in `system:masters`.
    SystemMasters,
    /// The writer holds `escalate` (roles) or `bind` (bindings) for the role.
    Verb(Grant),
    /// The writer's own rules cover every rule of the role.
    Coverage,
}

/// Result of a write-time escalation check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EscalationOutcome {
    /// The write passes the escalation check (write access to the object
    /// itself, e.g. `create rolebindings`, is a separate question).
    pub allowed: bool,
    /// What lets it through, when allowed.
    pub allowed_by: Option<WriteAllowedBy>,
    /// Atoms of the new rules that the writer does not hold.
    pub uncovered: Vec<PolicyRule>,
    /// Lookup errors (for a binding: the referenced role is missing, which
    /// makes the coverage path fail).
    pub errors: Vec<String>,
}

impl<S> RbacModel<S> {
    /// The writer's own rules where the write happens: ClusterRoleBindings
    /// plus RoleBindings of `namespace` (`""` = cluster-wide only).
    fn owner_rules(&self, user: &UserInfo, namespace: &str) -> (Vec<PolicyRule>, Vec<String>) {
        let review = self.rules_for(user, namespace);
        let rules = review
            .rules
            .iter()
            .filter_map(|r| self.role(r.role)?.rules.get(r.rule_index).cloned())
            .collect();
        (rules, review.errors)
    }

    fn verb_grant(
        &self,
        user: &UserInfo,
        verb: &str,
        group: &str,
        resource: &str,
        namespace: &str,
        name: &str,
    ) -> Option<Grant> {
        let request = Request::resource(
            user.clone(),
            ResourceAttributes {
                namespace: namespace.into(),
                verb: verb.into(),
                group: group.into(),
                resource: resource.into(),
                subresource: String::new(),
                name: name.into(),
            },
        );
        self.authorize(&request).grants.first().copied()
    }

    /// Would creating or updating a `kind` role named `name` in `namespace`
    /// with `rules` pass the escalation check for `user`? (`system:masters`,
    /// `escalate` on the role resource, or coverage by the writer's rules.)
    pub fn check_role_write(
        &self,
        user: &UserInfo,
        kind: RoleKind,
        namespace: &str,
        name: &str,
        rules: &[PolicyRule],
    ) -> EscalationOutcome {
        let namespace = if kind == RoleKind::ClusterRole {
            ""
        } else {
            namespace
        };
        if user.groups.iter().any(|g| g == SYSTEM_MASTERS) {
            return allowed(WriteAllowedBy::SystemMasters);
        }
        let resource = match kind {
            RoleKind::Role => "roles",
            RoleKind::ClusterRole => "clusterroles",
        };
        if let Some(g) = self.verb_grant(
            user,
            "escalate",
            crate::RBAC_GROUP,
            resource,
            namespace,
            name,
        ) {
            return allowed(WriteAllowedBy::Verb(g));
        }
        let (owner, errors) = self.owner_rules(user, namespace);
        let (ok, uncovered) = covers(&owner, rules);
        EscalationOutcome {
            allowed: ok,
            allowed_by: ok.then_some(WriteAllowedBy::Coverage),
            uncovered,
            errors,
        }
    }

    /// Would creating a `kind` binding in `namespace` with `role_ref` pass the
    /// escalation check for `user`? (`system:masters`, `bind` on the role
    /// with its name, or coverage of the role's rules by the writer's rules.)
    pub fn check_binding_write(
        &self,
        user: &UserInfo,
        kind: BindingKind,
        namespace: &str,
        role_ref: &RoleRef,
    ) -> EscalationOutcome {
        let namespace = if kind == BindingKind::ClusterRoleBinding {
            ""
        } else {
            namespace
        };
        if user.groups.iter().any(|g| g == SYSTEM_MASTERS) {
            return allowed(WriteAllowedBy::SystemMasters);
        }
        let resource = match role_ref.kind.as_str() {
            "Role" => "roles",
            "ClusterRole" => "clusterroles",
            _ => "",
        };
        if !resource.is_empty()
            && let Some(g) = self.verb_grant(
                user,
                "bind",
                &role_ref.api_group,
                resource,
                namespace,
                &role_ref.name,
            )
        {
            return allowed(WriteAllowedBy::Verb(g));
        }
        let role_rules = match self.lookup_role(role_ref, namespace) {
            Ok(id) => self.role(id).map(|r| r.rules.clone()).unwrap_or_default(),
            Err(e) => {
                return EscalationOutcome {
                    allowed: false,
                    allowed_by: None,
                    uncovered: Vec::new(),
                    errors: vec![e],
                };
            }
        };
        let (owner, errors) = self.owner_rules(user, namespace);
        let (ok, uncovered) = covers(&owner, &role_rules);
        EscalationOutcome {
            allowed: ok,
            allowed_by: ok.then_some(WriteAllowedBy::Coverage),
            uncovered,
            errors,
        }
    }
}

fn allowed(by: WriteAllowedBy) -> EscalationOutcome {
    EscalationOutcome {
        allowed: true,
        allowed_by: Some(by),
        uncovered: Vec::new(),
        errors: Vec::new(),
    }
}
