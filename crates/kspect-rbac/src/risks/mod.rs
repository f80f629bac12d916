//! Risky grants (`RISKS.md`): per-role capability profiles and per-subject
//! findings with the binding chain and the workloads that run as the subject.

pub mod catalog;

use serde::Serialize;

use crate::model::{RbacModel, RoleId};
use crate::objects::{BindingKind, BindingObject, RoleKind, SourceRef, Subject, Workload};
use crate::policy::{PolicyRule, rule_allows_resource};
use catalog::{ANY_NAME, PATTERNS, Pattern, Probe};

/// One catalogue pattern that a role's rules grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RiskHit {
    /// `R03` etc. (`RISKS.md`).
    pub risk: &'static str,
    /// Stable kspect rule id (`KSP203`).
    pub rule_id: &'static str,
    /// Short title.
    pub title: &'static str,
    /// The whole dangerous combination is granted (always true for patterns
    /// that have no combination, e.g. R03; false for a piece of R17/R20).
    pub full: bool,
    /// Names the grant is limited to; empty means any object.
    pub resource_names: Vec<String>,
    /// Indices of the role's rules that grant it.
    pub rule_indices: Vec<usize>,
}

/// What one role grants, by how it is bound.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoleRiskProfile {
    /// Held through a ClusterRoleBinding (cluster-wide).
    pub cluster_wide: Vec<RiskHit>,
    /// Held through a RoleBinding (namespaced probes only).
    pub in_namespace: Vec<RiskHit>,
}

impl RoleRiskProfile {
    /// The hit for `risk` at the given scope.
    pub fn hit(&self, risk: &str, cluster_wide: bool) -> Option<&RiskHit> {
        let list = if cluster_wide {
            &self.cluster_wide
        } else {
            &self.in_namespace
        };
        list.iter().find(|h| h.risk == risk)
    }
}

/// Options of [`RbacModel::risks`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RiskOptions {
    /// Also report grants of the default (bootstrap) policy to system
    /// identities. Off by default: they are not user misconfiguration.
    pub include_defaults: bool,
}

/// Kind, name, namespace and source of an object named in a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ObjectRef<S> {
    /// Kind.
    pub kind: String,
    /// Name.
    pub name: String,
    /// Namespace (`""` when cluster-scoped).
    pub namespace: String,
    /// Where it came from.
    pub source: SourceRef<S>,
}

/// A workload that runs as the subject of a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorkloadRef<S> {
    /// Kind (`Pod`, `Deployment`, ...).
    pub kind: String,
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// Its service account.
    pub service_account: String,
    /// Where it came from.
    pub source: SourceRef<S>,
}

/// One risky grant or RBAC hygiene problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RiskFinding<S> {
    /// Stable rule id (`KSP201`..`KSP228`, the number after 2 is the `RISKS.md` entry).
    pub rule_id: String,
    /// `RISKS.md` entry (`R03`).
    pub risk: String,
    /// `critical`, `high`, `medium` or `low`.
    pub severity: String,
    /// Short title.
    pub title: String,
    /// The subject holding the grant, when there is one.
    pub subject: Option<Subject>,
    /// The binding (first link of the chain).
    pub binding: Option<ObjectRef<S>>,
    /// The role (second link).
    pub role: Option<ObjectRef<S>>,
    /// Namespace the grant is limited to; `None` for cluster-wide.
    pub namespace: Option<String>,
    /// Object names the grant is limited to (empty: any).
    pub resource_names: Vec<String>,
    /// Indices of the granting rules in the role.
    pub rule_indices: Vec<usize>,
    /// Workloads that run as the subject.
    pub workloads: Vec<WorkloadRef<S>>,
    /// Part of the default (bootstrap) policy.
    pub default_policy: bool,
    /// Human sentence naming subject, grant and chain.
    pub message: String,
    /// How to fix it.
    pub remediation: String,
}

const LEVELS: &[&str] = &["critical", "high", "medium", "low"];

fn lower(severity: &str) -> &'static str {
    let i = LEVELS
        .iter()
        .position(|l| *l == severity)
        .unwrap_or(LEVELS.len() - 1);
    LEVELS[(i + 1).min(LEVELS.len() - 1)]
}

fn as_static(severity: &str) -> &'static str {
    LEVELS
        .iter()
        .find(|l| **l == severity)
        .copied()
        .unwrap_or("low")
}

/// Result of probing: rule indices and, when limited, the names.
struct ProbeHit {
    rules: Vec<usize>,
    names: Vec<String>,
}

fn probe_rules(rules: &[PolicyRule], probe: &Probe, in_namespace: bool) -> Option<ProbeHit> {
    if in_namespace && probe.cluster {
        return None;
    }
    let allows = |rule: &PolicyRule, name: &str| {
        rule_allows_resource(
            rule,
            probe.verb,
            probe.group,
            probe.resource,
            probe.sub,
            name,
        )
    };
    let any_name = if probe.named { ANY_NAME } else { "" };
    let open: Vec<usize> = (0..rules.len())
        .filter(|&i| allows(&rules[i], any_name))
        .collect();
    if !open.is_empty() {
        return Some(ProbeHit {
            rules: open,
            names: Vec::new(),
        });
    }
    if !probe.named {
        return None;
    }
    let mut hit = ProbeHit {
        rules: Vec::new(),
        names: Vec::new(),
    };
    for (i, rule) in rules.iter().enumerate() {
        for name in &rule.resource_names {
            if allows(rule, name) {
                if !hit.rules.contains(&i) {
                    hit.rules.push(i);
                }
                if !hit.names.contains(name) {
                    hit.names.push(name.clone());
                }
            }
        }
    }
    (!hit.rules.is_empty()).then_some(hit)
}

/// Every probe of a conjunction must hold; the names of limited probes add up.
fn conjunction(rules: &[PolicyRule], probes: &[Probe], in_namespace: bool) -> Option<ProbeHit> {
    let mut out = ProbeHit {
        rules: Vec::new(),
        names: Vec::new(),
    };
    for probe in probes {
        let hit = probe_rules(rules, probe, in_namespace)?;
        for r in hit.rules {
            if !out.rules.contains(&r) {
                out.rules.push(r);
            }
        }
        for n in hit.names {
            if !out.names.contains(&n) {
                out.names.push(n);
            }
        }
    }
    Some(out)
}

/// The best way `rules` satisfy one of `alternatives`: an unlimited one if
/// any, else the union of the limited ones.
fn best(rules: &[PolicyRule], alternatives: &[&[Probe]], in_namespace: bool) -> Option<ProbeHit> {
    let hits: Vec<ProbeHit> = alternatives
        .iter()
        .filter_map(|alt| conjunction(rules, alt, in_namespace))
        .collect();
    if hits.is_empty() {
        return None;
    }
    let unlimited: Vec<&ProbeHit> = hits.iter().filter(|h| h.names.is_empty()).collect();
    let chosen: Vec<&ProbeHit> = if unlimited.is_empty() {
        hits.iter().collect()
    } else {
        unlimited
    };
    let mut out = ProbeHit {
        rules: Vec::new(),
        names: Vec::new(),
    };
    for h in chosen {
        for r in &h.rules {
            if !out.rules.contains(r) {
                out.rules.push(*r);
            }
        }
        for n in &h.names {
            if !out.names.contains(n) {
                out.names.push(n.clone());
            }
        }
    }
    out.rules.sort_unstable();
    Some(out)
}

fn pattern_hit(rules: &[PolicyRule], pattern: &Pattern, in_namespace: bool) -> Option<RiskHit> {
    let partial = best(rules, pattern.any_of, in_namespace)?;
    // When the pattern has a dangerous combination and it is granted, the
    // combination (with its name limits) is what the finding is about.
    let (full, hit) = if pattern.full.is_empty() {
        (true, partial)
    } else {
        match best(rules, pattern.full, in_namespace) {
            Some(combined) => (true, combined),
            None => (false, partial),
        }
    };
    Some(RiskHit {
        risk: pattern.risk,
        rule_id: pattern.rule_id,
        title: pattern.title,
        full,
        resource_names: hit.names,
        rule_indices: hit.rules,
    })
}

/// The catalogue patterns granted by `rules`, cluster-wide and within a namespace.
pub fn rules_risk_profile(rules: &[PolicyRule]) -> RoleRiskProfile {
    RoleRiskProfile {
        cluster_wide: PATTERNS
            .iter()
            .filter_map(|p| pattern_hit(rules, p, false))
            .collect(),
        in_namespace: PATTERNS
            .iter()
            .filter_map(|p| pattern_hit(rules, p, true))
            .collect(),
    }
}

/// A binding of the default policy: labelled or annotated as the API server
/// creates them, and named as the bootstrap objects are.
pub fn is_default_binding<S>(b: &BindingObject<S>) -> bool {
    let labelled = b
        .meta
        .labels
        .get("kubernetes.io/bootstrapping")
        .map(String::as_str)
        == Some("rbac-defaults")
        || b.meta
            .annotations
            .get("rbac.authorization.kubernetes.io/autoupdate")
            .map(String::as_str)
            == Some("true");
    labelled && (b.meta.name == "cluster-admin" || b.meta.name.starts_with("system:"))
}

/// A system identity: `system:` users and groups, and kube-system service accounts.
pub fn is_system_subject(s: &Subject, binding_namespace: &str) -> bool {
    match s.kind.as_str() {
        "User" | "Group" => s.name.starts_with("system:"),
        "ServiceAccount" => {
            let ns = if s.namespace.is_empty() {
                binding_namespace
            } else {
                &s.namespace
            };
            ns == "kube-system"
        }
        _ => false,
    }
}

/// Groups that stand for everyone, or every workload (`RISKS.md` R25).
fn broad_group(s: &Subject) -> Option<&'static str> {
    if s.kind == "User" && s.name == crate::request::ANONYMOUS {
        return Some("high");
    }
    if s.kind != "Group" {
        return None;
    }
    match s.name.as_str() {
        crate::request::ALL_UNAUTHENTICATED => Some("high"),
        crate::request::ALL_AUTHENTICATED | crate::request::ALL_SERVICE_ACCOUNTS => Some("medium"),
        _ => None,
    }
}

/// Cloud IAM annotations on service accounts (`RISKS.md` R28).
const IAM_ANNOTATIONS: &[&str] = &[
    "eks.amazonaws.com/role-arn",
    "iam.gke.io/gcp-service-account",
    "azure.workload.identity/client-id",
];

const AGGREGATE_LABELS: &[&str] = &[
    "rbac.authorization.k8s.io/aggregate-to-admin",
    "rbac.authorization.k8s.io/aggregate-to-edit",
    "rbac.authorization.k8s.io/aggregate-to-view",
];

impl<S: Clone> RbacModel<S> {
    /// The catalogue patterns one role grants.
    pub fn role_risks(&self, role: RoleId) -> RoleRiskProfile {
        rules_risk_profile(self.role(role).map_or(&[][..], |r| &r.rules[..]))
    }

    fn object_ref_binding(b: &BindingObject<S>) -> ObjectRef<S> {
        ObjectRef {
            kind: b.kind.as_str().into(),
            name: b.meta.name.clone(),
            namespace: b.meta.namespace.clone(),
            source: b.source.clone(),
        }
    }

    fn object_ref_role(&self, role: RoleId) -> Option<ObjectRef<S>> {
        let r = self.role(role)?;
        Some(ObjectRef {
            kind: r.kind.as_str().into(),
            name: r.meta.name.clone(),
            namespace: r.meta.namespace.clone(),
            source: r.source.clone(),
        })
    }

    /// Workloads that run as `subject`: the service account's pods, or every
    /// workload (of a namespace) for the `system:serviceaccounts[:NS]` groups.
    pub fn subject_workloads(
        &self,
        subject: &Subject,
        binding_namespace: &str,
    ) -> Vec<WorkloadRef<S>> {
        let refs = |ws: Vec<&Workload<S>>| {
            ws.into_iter()
                .map(|w| WorkloadRef {
                    kind: w.kind.clone(),
                    namespace: w.namespace.clone(),
                    name: w.name.clone(),
                    service_account: w.service_account.clone(),
                    source: w.source.clone(),
                })
                .collect()
        };
        if subject.kind == "Group" {
            let all = crate::request::ALL_SERVICE_ACCOUNTS;
            if subject.name == all {
                return refs(self.workloads.iter().collect());
            }
            if let Some(ns) = subject
                .name
                .strip_prefix(all)
                .and_then(|r| r.strip_prefix(':'))
            {
                return refs(
                    self.workloads
                        .iter()
                        .filter(|w| w.namespace == ns)
                        .collect(),
                );
            }
            return Vec::new();
        }
        refs(self.workloads_of_subject(subject, binding_namespace))
    }

    /// Findings for the risky grants of `RISKS.md`, one per binding subject
    /// and pattern (a wildcard grant, R01, stands for all the others), plus
    /// dangling bindings (R27), bindings to everyone (R25), ClusterRoles
    /// that push rules into admin/edit/view (R16) and cloud-linked service
    /// accounts (R28). The default policy is skipped unless asked for.
    pub fn risks(&self, options: RiskOptions) -> Vec<RiskFinding<S>> {
        let mut out = Vec::new();
        let mut profiles: Vec<Option<RoleRiskProfile>> = vec![None; self.roles.len()];
        for (i, b) in self.bindings.iter().enumerate() {
            let id = crate::model::BindingId(i);
            let default_binding = is_default_binding(b);
            let role = match self.binding_role(id) {
                Ok(role) => role,
                Err(e) => {
                    out.push(self.dangling_finding(b, &e));
                    continue;
                }
            };
            let cluster = b.kind == BindingKind::ClusterRoleBinding;
            let profile = profiles[role.0].get_or_insert_with(|| self.role_risks(role));
            let mut hits: Vec<RiskHit> = if cluster {
                profile.cluster_wide.clone()
            } else {
                profile.in_namespace.clone()
            };
            if let Some(all) = hits
                .iter()
                .find(|h| h.risk == "R01" && h.resource_names.is_empty())
            {
                hits = vec![all.clone()];
            }
            for subject in &b.subjects {
                let default = default_binding && is_system_subject(subject, &b.meta.namespace);
                if default && !options.include_defaults {
                    continue;
                }
                let workloads = self.subject_workloads(subject, &b.meta.namespace);
                let broad = broad_group(subject);
                if let Some(level) = broad
                    && !default
                {
                    let severity = if hits.is_empty() { level } else { "critical" };
                    out.push(self.everyone_finding(
                        b,
                        role,
                        subject,
                        severity,
                        &hits,
                        workloads.clone(),
                    ));
                }
                for hit in &hits {
                    let Some(pattern) = catalog::pattern(hit.risk) else {
                        continue;
                    };
                    out.push(self.grant_finding(
                        b,
                        role,
                        subject,
                        hit,
                        pattern,
                        broad.is_some(),
                        default,
                        workloads.clone(),
                    ));
                }
                if !default {
                    self.stale_subject(b, subject, &mut out);
                }
            }
        }
        self.aggregation_label_findings(&mut out);
        self.iam_findings(&mut out);
        out
    }

    #[allow(clippy::too_many_arguments)]
    fn grant_finding(
        &self,
        b: &BindingObject<S>,
        role: RoleId,
        subject: &Subject,
        hit: &RiskHit,
        pattern: &Pattern,
        broad: bool,
        default: bool,
        workloads: Vec<WorkloadRef<S>>,
    ) -> RiskFinding<S> {
        let cluster = b.kind == BindingKind::ClusterRoleBinding;
        let wide = cluster || b.meta.namespace == "kube-system";
        let mut severity = if wide {
            pattern.severity.wide
        } else {
            pattern.severity.namespaced
        };
        if !hit.full {
            severity = lower(lower(severity));
        }
        if !hit.resource_names.is_empty() {
            severity = lower(severity);
        }
        if broad {
            severity = "critical";
        }
        let scope = if cluster {
            "cluster-wide".to_string()
        } else {
            format!("in namespace {}", b.meta.namespace)
        };
        let role_name = self.role(role).map_or(String::new(), |r| {
            format!("{} {}", r.kind.as_str(), r.meta.name)
        });
        let mut message = format!(
            "{} can {} {} through {} {} -> {} (rules {:?})",
            subject.describe(&b.meta.namespace),
            pattern.can,
            scope,
            b.kind.as_str(),
            b.display_name(),
            role_name,
            hit.rule_indices
        );
        if !hit.full {
            message.push_str("; only part of the dangerous combination is granted");
        }
        if !hit.resource_names.is_empty() {
            message.push_str(&format!("; limited to names {:?}", hit.resource_names));
        }
        append_workloads(&mut message, &workloads);
        RiskFinding {
            rule_id: hit.rule_id.into(),
            risk: hit.risk.into(),
            severity: as_static(severity).into(),
            title: hit.title.into(),
            subject: Some(subject.clone()),
            binding: Some(Self::object_ref_binding(b)),
            role: self.object_ref_role(role),
            namespace: (!cluster).then(|| b.meta.namespace.clone()),
            resource_names: hit.resource_names.clone(),
            rule_indices: hit.rule_indices.clone(),
            workloads,
            default_policy: default,
            message,
            remediation: pattern.remediation.into(),
        }
    }

    fn everyone_finding(
        &self,
        b: &BindingObject<S>,
        role: RoleId,
        subject: &Subject,
        severity: &str,
        hits: &[RiskHit],
        workloads: Vec<WorkloadRef<S>>,
    ) -> RiskFinding<S> {
        let risky: Vec<&str> = hits.iter().map(|h| h.rule_id).collect();
        let mut message = format!(
            "{} {} grants {} to {}, which includes every caller{}",
            b.kind.as_str(),
            b.display_name(),
            self.role(role).map_or(String::new(), |r| format!(
                "{} {}",
                r.kind.as_str(),
                r.meta.name
            )),
            subject.describe(&b.meta.namespace),
            if subject.name == crate::request::ALL_SERVICE_ACCOUNTS {
                " running as a service account"
            } else {
                ""
            }
        );
        if !risky.is_empty() {
            message.push_str(&format!("; the role is risky: {}", risky.join(", ")));
        }
        append_workloads(&mut message, &workloads);
        RiskFinding {
            rule_id: "KSP225".into(),
            risk: "R25".into(),
            severity: as_static(severity).into(),
            title: "Grant to everyone".into(),
            subject: Some(subject.clone()),
            binding: Some(Self::object_ref_binding(b)),
            role: self.object_ref_role(role),
            namespace: (b.kind == BindingKind::RoleBinding).then(|| b.meta.namespace.clone()),
            resource_names: Vec::new(),
            rule_indices: Vec::new(),
            workloads,
            default_policy: false,
            message,
            remediation:
                "Bind the role to the specific users, groups or service accounts that need it."
                    .into(),
        }
    }

    fn dangling_finding(&self, b: &BindingObject<S>, error: &str) -> RiskFinding<S> {
        RiskFinding {
            rule_id: "KSP227".into(),
            risk: "R27".into(),
            severity: "medium".into(),
            title: "Dangling binding".into(),
            subject: None,
            binding: Some(Self::object_ref_binding(b)),
            role: None,
            namespace: (b.kind == BindingKind::RoleBinding).then(|| b.meta.namespace.clone()),
            resource_names: Vec::new(),
            rule_indices: Vec::new(),
            workloads: Vec::new(),
            default_policy: false,
            message: format!(
                "{} {} refers to a missing role ({error}); it grants nothing now and comes alive as soon as a {} named {:?} is created",
                b.kind.as_str(),
                b.display_name(),
                b.role_ref.kind,
                b.role_ref.name
            ),
            remediation: "Delete the binding, or create the role it is meant to reference.".into(),
        }
    }

    /// A ServiceAccount subject whose account is absent while the input holds
    /// other service accounts of that namespace (so the absence is telling).
    fn stale_subject(
        &self,
        b: &BindingObject<S>,
        subject: &Subject,
        out: &mut Vec<RiskFinding<S>>,
    ) {
        if subject.kind != "ServiceAccount" || subject.name == "default" {
            return;
        }
        let ns = if subject.namespace.is_empty() {
            &b.meta.namespace
        } else {
            &subject.namespace
        };
        let mut in_ns = self
            .service_accounts
            .iter()
            .filter(|s| &s.meta.namespace == ns)
            .peekable();
        if in_ns.peek().is_none() || in_ns.any(|s| s.meta.name == subject.name) {
            return;
        }
        out.push(RiskFinding {
            rule_id: "KSP227".into(),
            risk: "R27".into(),
            severity: "low".into(),
            title: "Binding to a missing service account".into(),
            subject: Some(subject.clone()),
            binding: Some(Self::object_ref_binding(b)),
            role: None,
            namespace: (b.kind == BindingKind::RoleBinding).then(|| b.meta.namespace.clone()),
            resource_names: Vec::new(),
            rule_indices: Vec::new(),
            workloads: Vec::new(),
            default_policy: false,
            message: format!(
                "{} {} names {}, which is not among the service accounts of namespace {ns}; an account created later with that name inherits the grant",
                b.kind.as_str(),
                b.display_name(),
                subject.describe(&b.meta.namespace)
            ),
            remediation: "Remove the stale subject from the binding.".into(),
        });
    }

    fn aggregation_label_findings(&self, out: &mut Vec<RiskFinding<S>>) {
        for (i, r) in self.roles.iter().enumerate() {
            if r.kind != RoleKind::ClusterRole
                || r.meta
                    .labels
                    .get("kubernetes.io/bootstrapping")
                    .map(String::as_str)
                    == Some("rbac-defaults")
            {
                continue;
            }
            let labels: Vec<&str> = AGGREGATE_LABELS
                .iter()
                .copied()
                .filter(|l| r.meta.labels.get(*l).map(String::as_str) == Some("true"))
                .collect();
            if labels.is_empty() {
                continue;
            }
            let hits = rules_risk_profile(&r.rules).in_namespace;
            let risky: Vec<&str> = hits.iter().map(|h| h.rule_id).collect();
            out.push(RiskFinding {
                rule_id: "KSP216".into(),
                risk: "R16".into(),
                severity: if risky.is_empty() { "low" } else { "high" }.into(),
                title: "ClusterRole aggregated into default roles".into(),
                subject: None,
                binding: None,
                role: self.object_ref_role(RoleId(i)),
                namespace: None,
                resource_names: Vec::new(),
                rule_indices: hits.iter().flat_map(|h| h.rule_indices.iter().copied()).collect(),
                workloads: Vec::new(),
                default_policy: false,
                message: format!(
                    "ClusterRole {} carries {} and so adds its rules to every holder of the default roles{}",
                    r.meta.name,
                    labels.join(", "),
                    if risky.is_empty() { String::new() } else { format!("; its rules are risky: {}", risky.join(", ")) }
                ),
                remediation: "Remove the aggregate-to-* label unless every admin/edit/view holder should get these rules.".into(),
            });
        }
    }

    fn iam_findings(&self, out: &mut Vec<RiskFinding<S>>) {
        for sa in &self.service_accounts {
            let Some(key) = IAM_ANNOTATIONS
                .iter()
                .find(|k| sa.meta.annotations.contains_key(**k))
            else {
                continue;
            };
            let subject = Subject::service_account(&sa.meta.namespace, &sa.meta.name);
            let workloads = self.subject_workloads(&subject, &sa.meta.namespace);
            let mut message = format!(
                "ServiceAccount {}/{} is linked to a cloud identity ({key}); any path to its token reaches the cloud account",
                sa.meta.namespace, sa.meta.name
            );
            append_workloads(&mut message, &workloads);
            out.push(RiskFinding {
                rule_id: "KSP228".into(),
                risk: "R28".into(),
                severity: "low".into(),
                title: "Service account linked to cloud IAM".into(),
                subject: Some(subject),
                binding: None,
                role: None,
                namespace: Some(sa.meta.namespace.clone()),
                resource_names: Vec::new(),
                rule_indices: Vec::new(),
                workloads,
                default_policy: false,
                message,
                remediation: "Grant the cloud role least privilege and keep token-minting, pod-creation and secret-reading rights in that namespace tight.".into(),
            });
        }
    }
}

fn append_workloads<S>(message: &mut String, workloads: &[WorkloadRef<S>]) {
    if workloads.is_empty() {
        return;
    }
    let names: Vec<String> = workloads
        .iter()
        .take(5)
        .map(|w| format!("{} {}/{}", w.kind, w.namespace, w.name))
        .collect();
    message.push_str(&format!("; runs as it: {}", names.join(", ")));
    if workloads.len() > 5 {
        message.push_str(&format!(" and {} more", workloads.len() - 5));
    }
}
