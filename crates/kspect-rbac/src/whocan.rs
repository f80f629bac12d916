//! Reverse lookup: every subject that may make a request
//! (`SubjectAccessEvaluator.AllowedSubjects`, `SEMANTICS.md` §7).

use crate::model::{BindingId, RbacModel, RoleId};
use crate::objects::{Subject, Workload};
use crate::request::{Attributes, SYSTEM_MASTERS};

/// How a subject gets the permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhoCanVia {
    /// Group `system:masters`, allowed everything before RBAC is asked.
    PrivilegedGroup,
    /// The configured super-user name.
    SuperUser,
    /// A binding whose role has a rule that allows the request.
    Binding {
        /// The binding.
        binding: BindingId,
        /// Its role.
        role: RoleId,
        /// The first rule of the role that allows the request.
        rule_index: usize,
    },
}

/// One subject of the answer, as written in its binding (groups are not
/// expanded; ServiceAccount subjects without namespace are not filled in).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WhoCanEntry {
    /// The subject.
    pub subject: Subject,
    /// Why.
    pub via: WhoCanVia,
}

/// The answer of [`RbacModel::who_can`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WhoCan {
    /// Entries in the order the API server emits them (duplicates kept).
    pub entries: Vec<WhoCanEntry>,
    /// roleRef lookup errors met on the way.
    pub errors: Vec<String>,
}

impl WhoCan {
    /// The subjects once each, in first-seen order.
    pub fn unique_subjects(&self) -> Vec<&Subject> {
        let mut out: Vec<&Subject> = Vec::new();
        for e in &self.entries {
            if !out.contains(&&e.subject) {
                out.push(&e.subject);
            }
        }
        out
    }
}

impl<S> RbacModel<S> {
    /// Every subject that may make a request with `attributes`: group
    /// `system:masters` first, then `super_user` if given, then the subjects
    /// of each ClusterRoleBinding whose role allows it, then those of the
    /// allowing RoleBindings stored in the request namespace (none when the
    /// namespace is `""`). `*` in the request is a literal, not a wildcard.
    pub fn who_can(&self, attributes: &Attributes, super_user: Option<&str>) -> WhoCan {
        let mut out = WhoCan::default();
        out.entries.push(WhoCanEntry {
            subject: Subject::group(SYSTEM_MASTERS),
            via: WhoCanVia::PrivilegedGroup,
        });
        if let Some(name) = super_user.filter(|n| !n.is_empty()) {
            out.entries.push(WhoCanEntry {
                subject: Subject::user(name),
                via: WhoCanVia::SuperUser,
            });
        }
        // Many bindings share a role: decide each role once.
        let mut first_rule: Vec<Option<Option<usize>>> = vec![None; self.roles.len()];
        let mut visit = |ids: &[BindingId], out: &mut WhoCan| {
            for &id in ids {
                let role = match self.binding_role(id) {
                    Ok(role) => role,
                    Err(e) => {
                        out.errors.push(e);
                        continue;
                    }
                };
                let Some(slot) = first_rule.get_mut(role.0) else {
                    continue;
                };
                let hit = *slot.get_or_insert_with(|| {
                    self.roles[role.0]
                        .rules
                        .iter()
                        .position(|r| attributes.allowed_by(r))
                });
                if let (Some(rule_index), Some(b)) = (hit, self.binding(id)) {
                    out.entries.extend(b.subjects.iter().map(|s| WhoCanEntry {
                        subject: s.clone(),
                        via: WhoCanVia::Binding {
                            binding: id,
                            role,
                            rule_index,
                        },
                    }));
                }
            }
        };
        visit(&self.cluster_scope.all, &mut out);
        let ns = attributes.namespace();
        if !ns.is_empty() {
            visit(self.role_bindings_in(ns), &mut out);
        }
        out
    }

    /// Workloads that run as a subject: for a ServiceAccount subject (its
    /// namespace defaulted from `binding_namespace`), the pods and
    /// controllers whose pod spec names it.
    pub fn workloads_of_subject(
        &self,
        subject: &Subject,
        binding_namespace: &str,
    ) -> Vec<&Workload<S>> {
        if subject.kind != "ServiceAccount" {
            return Vec::new();
        }
        let ns = if subject.namespace.is_empty() {
            binding_namespace
        } else {
            &subject.namespace
        };
        self.workloads_for_service_account(ns, &subject.name)
    }
}
