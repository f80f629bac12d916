//! The RBAC authorizer: the same decision as the API server's
//! (`VisitRulesFor` + `RuleAllows`, `SEMANTICS.md` §1–§5), with every
//! binding/role/rule that grants the request.

use serde::Serialize;

use crate::model::{BindingId, RbacModel, RoleId, SubjectIndex};
use crate::objects::{BindingObject, SourceRef, Subject};
use crate::policy::PolicyRule;
use crate::request::{Request, SERVICE_ACCOUNT_PREFIX, UserInfo};

/// One binding rule that allows a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Grant {
    /// The binding.
    pub binding: BindingId,
    /// Index of the first binding subject that matches the requester.
    pub subject_index: usize,
    /// The role the binding points at.
    pub role: RoleId,
    /// Index of the rule in the role's `.rules`.
    pub rule_index: usize,
}

/// The authorizer's answer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decision {
    /// RBAC says Allow (otherwise NoOpinion: RBAC never denies).
    pub allowed: bool,
    /// Every granting rule, ClusterRoleBindings first, each in input order.
    pub grants: Vec<Grant>,
    /// roleRef lookup errors of bindings that apply to the requester.
    pub errors: Vec<String>,
}

/// Whether `subject` names the requester; `namespace` is the one used to
/// default ServiceAccount subjects (`""` for ClusterRoleBindings).
pub fn subject_matches(subject: &Subject, user: &UserInfo, namespace: &str) -> bool {
    match subject.kind.as_str() {
        "User" => subject.name == user.name,
        "Group" => user.groups.contains(&subject.name),
        "ServiceAccount" => {
            let ns = if subject.namespace.is_empty() {
                namespace
            } else {
                &subject.namespace
            };
            // An SA subject without namespace in a ClusterRoleBinding never matches.
            !ns.is_empty()
                && user
                    .name
                    .strip_prefix(SERVICE_ACCOUNT_PREFIX)
                    .and_then(|rest| rest.strip_prefix(ns))
                    .and_then(|rest| rest.strip_prefix(':'))
                    == Some(subject.name.as_str())
        }
        _ => false,
    }
}

/// Index of the first subject that names the requester (`appliesTo`).
pub fn applies_to(subjects: &[Subject], user: &UserInfo, namespace: &str) -> Option<usize> {
    subjects
        .iter()
        .position(|s| subject_matches(s, user, namespace))
}

fn candidates(scope: &SubjectIndex, user: &UserInfo) -> Vec<BindingId> {
    let mut out: Vec<BindingId> = Vec::new();
    if let Some(ids) = scope.by_user.get(&user.name) {
        out.extend_from_slice(ids);
    }
    for g in &user.groups {
        if let Some(ids) = scope.by_group.get(g) {
            out.extend_from_slice(ids);
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// A binding that applies to a user, as visited by the authorizer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Applicable {
    pub binding: BindingId,
    pub subject_index: usize,
}

impl<S> RbacModel<S> {
    /// The bindings that apply to `user` for a request in `namespace`, in the
    /// authorizer's visiting order: ClusterRoleBindings, then (only when
    /// `namespace` is not empty) the RoleBindings stored in `namespace`.
    pub(crate) fn applicable_bindings(&self, user: &UserInfo, namespace: &str) -> Vec<Applicable> {
        let mut out = Vec::new();
        for id in candidates(&self.cluster_scope, user) {
            if let Some(b) = self.bindings.get(id.0)
                && let Some(i) = applies_to(&b.subjects, user, "")
            {
                out.push(Applicable {
                    binding: id,
                    subject_index: i,
                });
            }
        }
        if !namespace.is_empty()
            && let Some(scope) = self.namespace_scope.get(namespace)
        {
            for id in candidates(scope, user) {
                if let Some(b) = self.bindings.get(id.0)
                    && let Some(i) = applies_to(&b.subjects, user, namespace)
                {
                    out.push(Applicable {
                        binding: id,
                        subject_index: i,
                    });
                }
            }
        }
        out
    }

    /// Decides `request` as the API server's RBAC authorizer does and lists
    /// every rule that grants it (the "why").
    pub fn authorize(&self, request: &Request) -> Decision {
        self.evaluate(request, false)
    }

    /// The same decision as [`RbacModel::authorize`], stopping at the first
    /// granting rule.
    pub fn allows(&self, request: &Request) -> bool {
        self.evaluate(request, true).allowed
    }

    fn evaluate(&self, request: &Request, first_only: bool) -> Decision {
        let mut decision = Decision::default();
        for applicable in self.applicable_bindings(&request.user, request.namespace()) {
            let role = match self.binding_role.get(applicable.binding.0) {
                Some(Ok(role)) => *role,
                Some(Err(e)) => {
                    decision.errors.push(e.clone());
                    continue;
                }
                None => continue,
            };
            let rules = self.roles.get(role.0).map_or(&[][..], |r| &r.rules[..]);
            for (rule_index, rule) in rules.iter().enumerate() {
                if request.attributes.allowed_by(rule) {
                    decision.allowed = true;
                    decision.grants.push(Grant {
                        binding: applicable.binding,
                        subject_index: applicable.subject_index,
                        role,
                        rule_index,
                    });
                    if first_only {
                        return decision;
                    }
                }
            }
        }
        decision
    }

    /// The `reason` text the API server would give: `RBAC: allowed by ...` for
    /// the first grant, the aggregated lookup errors when not allowed, or `""`.
    pub fn reason(&self, decision: &Decision) -> String {
        if let Some(g) = decision.grants.first() {
            return format!("RBAC: allowed by {}", self.describe_grant(g));
        }
        let mut seen: Vec<&str> = Vec::new();
        for e in &decision.errors {
            if !seen.contains(&e.as_str()) {
                seen.push(e);
            }
        }
        match seen.len() {
            0 => String::new(),
            1 => format!("RBAC: {}", seen[0]),
            _ => format!("RBAC: [{}]", seen.join(", ")),
        }
    }

    /// `ClusterRoleBinding "x" of ClusterRole "y" to User "z"` (the API
    /// server's wording for a binding source).
    pub fn describe_grant(&self, grant: &Grant) -> String {
        let Some(b) = self.bindings.get(grant.binding.0) else {
            return String::new();
        };
        describe_binding(b, grant.subject_index)
    }

    /// A serializable view of a decision for `--format json`.
    pub fn explain(&self, decision: &Decision) -> DecisionView<'_, S> {
        DecisionView {
            allowed: decision.allowed,
            reason: self.reason(decision),
            reasons: decision
                .grants
                .iter()
                .filter_map(|g| self.grant_view(g))
                .collect(),
            errors: decision.errors.clone(),
        }
    }

    /// A serializable view of one grant.
    pub fn grant_view(&self, grant: &Grant) -> Option<GrantView<'_, S>> {
        let b = self.bindings.get(grant.binding.0)?;
        let r = self.roles.get(grant.role.0)?;
        Some(GrantView {
            text: describe_binding(b, grant.subject_index),
            binding: ObjectName {
                kind: b.kind.as_str(),
                name: &b.meta.name,
                namespace: &b.meta.namespace,
                source: &b.source,
            },
            role: ObjectName {
                kind: r.kind.as_str(),
                name: &r.meta.name,
                namespace: &r.meta.namespace,
                source: &r.source,
            },
            subject: b.subjects.get(grant.subject_index)?,
            rule_index: grant.rule_index,
            rule: r.rules.get(grant.rule_index)?,
        })
    }
}

pub(crate) fn describe_binding<S>(b: &BindingObject<S>, subject_index: usize) -> String {
    let subject = b
        .subjects
        .get(subject_index)
        .map(|s| s.describe(&b.meta.namespace))
        .unwrap_or_default();
    format!(
        "{} {} of {} {} to {}",
        b.kind.as_str(),
        crate::objects::go_quote(&b.display_name()),
        b.role_ref.kind,
        crate::objects::go_quote(&b.role_ref.name),
        subject
    )
}

/// Kind, name and namespace of an object, with its source.
#[derive(Debug, Clone, Serialize)]
pub struct ObjectName<'a, S> {
    /// Kind.
    pub kind: &'a str,
    /// Name.
    pub name: &'a str,
    /// Namespace (`""` when cluster-scoped).
    #[serde(skip_serializing_if = "str::is_empty")]
    pub namespace: &'a str,
    /// Where the object came from.
    #[serde(skip)]
    pub source: &'a SourceRef<S>,
}

/// Why a request is allowed: one binding, role and rule.
#[derive(Debug, Clone, Serialize)]
pub struct GrantView<'a, S> {
    /// The API server's wording (`ClusterRoleBinding "x" of ClusterRole "y" to User "z"`).
    pub text: String,
    /// The binding.
    pub binding: ObjectName<'a, S>,
    /// The role it references.
    pub role: ObjectName<'a, S>,
    /// The subject of the binding that matched.
    pub subject: &'a Subject,
    /// Index of the rule in the role's `.rules`.
    pub rule_index: usize,
    /// The rule.
    pub rule: &'a PolicyRule,
}

/// `{"allowed": bool, "reason": ..., "reasons": [...], "errors": [...]}`.
#[derive(Debug, Clone, Serialize)]
pub struct DecisionView<'a, S> {
    /// RBAC allows the request.
    pub allowed: bool,
    /// The API server's reason text.
    pub reason: String,
    /// Every granting rule.
    pub reasons: Vec<GrantView<'a, S>>,
    /// roleRef lookup errors of applicable bindings.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
}
