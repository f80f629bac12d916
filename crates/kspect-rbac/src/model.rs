//! `RbacModel`: the RBAC objects of one analysis, read from JSON values,
//! aggregated and indexed for fast lookups.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::Value;

use crate::aggregation::aggregate_all;
use crate::error::LoadIssue;
use crate::objects::{
    AggregationRule, BindingKind, BindingObject, Meta, RoleKind, RoleObject, RoleRef,
    ServiceAccountObject, SourceRef, Subject, Workload,
};
use crate::policy::PolicyRule;

/// Index of a role in [`RbacModel::roles`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RoleId(pub usize);

/// Index of a binding in [`RbacModel::bindings`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BindingId(pub usize);

/// How the model is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelOptions {
    /// Fill ClusterRoles that have an `aggregationRule` as the aggregation
    /// controller would (default `true`; rendered manifests ship `rules: null`).
    pub aggregate: bool,
}

impl Default for ModelOptions {
    fn default() -> Self {
        ModelOptions { aggregate: true }
    }
}

/// Bindings reachable from a subject key, per scope.
#[derive(Debug, Default, Clone)]
pub(crate) struct SubjectIndex {
    /// Effective user name (User subjects and resolved ServiceAccount subjects).
    pub by_user: HashMap<String, Vec<BindingId>>,
    /// Group name.
    pub by_group: HashMap<String, Vec<BindingId>>,
    /// Every binding of the scope, in input order.
    pub all: Vec<BindingId>,
}

/// The RBAC objects of one analysis.
///
/// `S` is the caller's opaque source handle (a file id, an index into the
/// caller's object list, ...); every object keeps it in `source`.
#[derive(Debug, Clone)]
pub struct RbacModel<S = usize> {
    pub(crate) roles: Vec<RoleObject<S>>,
    pub(crate) bindings: Vec<BindingObject<S>>,
    pub(crate) service_accounts: Vec<ServiceAccountObject<S>>,
    pub(crate) workloads: Vec<Workload<S>>,
    pub(crate) issues: Vec<LoadIssue<S>>,
    pub(crate) cluster_role_by_name: HashMap<String, RoleId>,
    pub(crate) role_by_ns_name: HashMap<String, HashMap<String, RoleId>>,
    /// roleRef resolution per binding: the role, or the API server's lookup error.
    pub(crate) binding_role: Vec<Result<RoleId, String>>,
    pub(crate) cluster_scope: SubjectIndex,
    pub(crate) namespace_scope: HashMap<String, SubjectIndex>,
    pub(crate) workloads_by_sa: HashMap<(String, String), Vec<usize>>,
}

/// Collects objects, then builds an [`RbacModel`].
#[derive(Debug, Clone)]
pub struct ModelBuilder<S> {
    roles: Vec<RoleObject<S>>,
    bindings: Vec<BindingObject<S>>,
    service_accounts: Vec<ServiceAccountObject<S>>,
    workloads: Vec<Workload<S>>,
    issues: Vec<LoadIssue<S>>,
}

impl<S> Default for ModelBuilder<S> {
    fn default() -> Self {
        ModelBuilder {
            roles: Vec::new(),
            bindings: Vec::new(),
            service_accounts: Vec::new(),
            workloads: Vec::new(),
            issues: Vec::new(),
        }
    }
}

const RBAC_API_GROUP: &str = "rbac.authorization.k8s.io";

/// Pod-owning kinds whose pod template is at `spec.template.spec`.
const TEMPLATE_KINDS: &[&str] = &[
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
];

fn api_group_of(value: &Value) -> Option<&str> {
    let api_version = value.get("apiVersion")?.as_str()?;
    Some(match api_version.split_once('/') {
        Some((group, _)) => group,
        None => "",
    })
}

impl<S: Clone> ModelBuilder<S> {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one value: an RBAC object, a ServiceAccount, a pod or pod-owning
    /// workload, or a `kind: List` of them. Other kinds are ignored. Problems
    /// are recorded (see [`RbacModel::issues`]) and never abort the load.
    pub fn add(&mut self, handle: S, value: &Value) -> &mut Self {
        self.add_at(handle, value, String::new(), None);
        self
    }

    /// `item_kind` is the kind implied by an enclosing `XList` for items that
    /// do not carry one (raw API list responses omit it).
    fn add_at(&mut self, handle: S, value: &Value, pointer: String, item_kind: Option<&str>) {
        let Some(obj) = value.as_object() else {
            if !value.is_null() {
                self.issue(handle, pointer, "", "", "document is not an object".into());
            }
            return;
        };
        let kind = obj
            .get("kind")
            .and_then(Value::as_str)
            .or(item_kind)
            .unwrap_or("");
        if kind == "List" || (kind.ends_with("List") && obj.get("items").is_some()) {
            let implied = kind.strip_suffix("List").filter(|k| !k.is_empty());
            match obj.get("items") {
                Some(Value::Array(items)) => {
                    for (i, item) in items.iter().enumerate() {
                        let ptr = format!("{pointer}/items/{i}");
                        self.add_at(handle.clone(), item, ptr, implied);
                    }
                }
                Some(Value::Null) | None => {}
                Some(_) => self.issue(handle, pointer, kind, "", "items is not a list".into()),
            }
            return;
        }
        let group = api_group_of(value);
        let rbac = matches!(group, None | Some(RBAC_API_GROUP));
        let source = SourceRef {
            handle,
            pointer: pointer.clone(),
        };
        let meta = match obj.get("metadata") {
            None | Some(Value::Null) => Meta::default(),
            Some(m) => match Meta::deserialize(m) {
                Ok(meta) => meta,
                Err(e) => {
                    self.issues.push(LoadIssue {
                        source,
                        kind: kind.into(),
                        name: String::new(),
                        message: format!("metadata: {e}"),
                    });
                    return;
                }
            },
        };
        match kind {
            "Role" | "ClusterRole" if rbac => self.add_role(kind, meta, value, source),
            "RoleBinding" | "ClusterRoleBinding" if rbac => {
                self.add_binding(kind, meta, value, source)
            }
            "ServiceAccount" if matches!(group, None | Some("")) => {
                let automount_token = value
                    .get("automountServiceAccountToken")
                    .and_then(Value::as_bool);
                self.service_accounts.push(ServiceAccountObject {
                    meta,
                    automount_token,
                    source,
                });
            }
            "Pod" if matches!(group, None | Some("")) => {
                self.add_workload(kind, meta, value.get("spec"), source)
            }
            "CronJob" => {
                let spec = value.pointer("/spec/jobTemplate/spec/template/spec");
                self.add_workload(kind, meta, spec, source)
            }
            k if TEMPLATE_KINDS.contains(&k) => {
                let spec = value.pointer("/spec/template/spec");
                self.add_workload(kind, meta, spec, source)
            }
            _ => {}
        }
    }

    fn issue(&mut self, handle: S, pointer: String, kind: &str, name: &str, message: String) {
        self.issues.push(LoadIssue {
            source: SourceRef { handle, pointer },
            kind: kind.into(),
            name: name.into(),
            message,
        });
    }

    /// Reads a list field element by element so that one bad entry does not
    /// drop the others.
    fn read_list<T: for<'de> Deserialize<'de>>(
        &mut self,
        value: &Value,
        field: &str,
        meta: &Meta,
        kind: &str,
        source: &SourceRef<S>,
    ) -> Vec<T> {
        match value.get(field) {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    match T::deserialize(item) {
                        Ok(t) => out.push(t),
                        Err(e) => self.issue(
                            source.handle.clone(),
                            format!("{}/{field}/{i}", source.pointer),
                            kind,
                            &meta.name,
                            format!("{field}[{i}] ignored: {e}"),
                        ),
                    }
                }
                out
            }
            Some(_) => {
                self.issue(
                    source.handle.clone(),
                    format!("{}/{field}", source.pointer),
                    kind,
                    &meta.name,
                    format!("{field} is not a list; ignored"),
                );
                Vec::new()
            }
        }
    }

    fn add_role(&mut self, kind: &str, mut meta: Meta, value: &Value, source: SourceRef<S>) {
        let role_kind = if kind == "Role" {
            RoleKind::Role
        } else {
            RoleKind::ClusterRole
        };
        if role_kind == RoleKind::ClusterRole {
            meta.namespace.clear();
        }
        let rules: Vec<PolicyRule> = self.read_list(value, "rules", &meta, kind, &source);
        let aggregation_rule = match (role_kind, value.get("aggregationRule")) {
            (RoleKind::ClusterRole, Some(v)) if !v.is_null() => {
                match AggregationRule::deserialize(v) {
                    Ok(a) => Some(a),
                    Err(e) => {
                        self.issue(
                            source.handle.clone(),
                            format!("{}/aggregationRule", source.pointer),
                            kind,
                            &meta.name,
                            format!("aggregationRule ignored: {e}"),
                        );
                        None
                    }
                }
            }
            _ => None,
        };
        self.roles.push(RoleObject {
            kind: role_kind,
            meta,
            rules,
            aggregation_rule,
            source,
        });
    }

    fn add_binding(&mut self, kind: &str, mut meta: Meta, value: &Value, source: SourceRef<S>) {
        let binding_kind = if kind == "RoleBinding" {
            BindingKind::RoleBinding
        } else {
            BindingKind::ClusterRoleBinding
        };
        if binding_kind == BindingKind::ClusterRoleBinding {
            meta.namespace.clear();
        }
        let role_ref = match value.get("roleRef").map(RoleRef::deserialize) {
            Some(Ok(r)) => r,
            Some(Err(e)) => {
                self.issue(
                    source.handle.clone(),
                    format!("{}/roleRef", source.pointer),
                    kind,
                    &meta.name,
                    format!("roleRef unreadable, binding grants nothing: {e}"),
                );
                RoleRef::default()
            }
            None => {
                self.issue(
                    source.handle.clone(),
                    source.pointer.clone(),
                    kind,
                    &meta.name,
                    "binding has no roleRef and grants nothing".into(),
                );
                RoleRef::default()
            }
        };
        let subjects: Vec<Subject> = self.read_list(value, "subjects", &meta, kind, &source);
        self.bindings.push(BindingObject {
            kind: binding_kind,
            meta,
            role_ref,
            subjects,
            source,
        });
    }

    fn add_workload(&mut self, kind: &str, meta: Meta, spec: Option<&Value>, source: SourceRef<S>) {
        let sa = spec
            .and_then(|s| {
                s.get("serviceAccountName")
                    .or_else(|| s.get("serviceAccount"))
            })
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .unwrap_or("default");
        let automount_token = spec
            .and_then(|s| s.get("automountServiceAccountToken"))
            .and_then(Value::as_bool);
        self.workloads.push(Workload {
            kind: kind.into(),
            name: meta.name,
            namespace: meta.namespace,
            service_account: sa.into(),
            automount_token,
            source,
        });
    }

    /// Builds the model: drops earlier duplicates (a later object with the same
    /// kind, namespace and name replaces it, as applying both would),
    /// aggregates ClusterRoles and indexes everything.
    pub fn build(self, options: ModelOptions) -> RbacModel<S> {
        let ModelBuilder {
            roles,
            bindings,
            service_accounts,
            workloads,
            mut issues,
        } = self;
        let mut roles = dedup_last(
            roles,
            &mut issues,
            |r| (r.kind as u8, r.meta.namespace.clone(), r.meta.name.clone()),
            |r| (r.kind.as_str(), &r.meta, &r.source),
        );
        let bindings = dedup_last(
            bindings,
            &mut issues,
            |b| (b.kind as u8, b.meta.namespace.clone(), b.meta.name.clone()),
            |b| (b.kind.as_str(), &b.meta, &b.source),
        );
        if options.aggregate {
            let report = aggregate_all(&mut roles);
            for (name, problem) in report.problems {
                let source = roles
                    .iter()
                    .find(|r| r.kind == RoleKind::ClusterRole && r.meta.name == name)
                    .or_else(|| roles.first())
                    .map(|r| r.source.clone());
                if let Some(source) = source {
                    issues.push(LoadIssue {
                        source,
                        kind: "ClusterRole".into(),
                        name,
                        message: format!("aggregation: {problem}"),
                    });
                }
            }
        }
        RbacModel::index(roles, bindings, service_accounts, workloads, issues)
    }
}

/// Keeps the last object of each identity, reporting the replaced ones.
fn dedup_last<T, K: std::hash::Hash + Eq, S: Clone>(
    items: Vec<T>,
    issues: &mut Vec<LoadIssue<S>>,
    key: impl Fn(&T) -> K,
    describe: impl Fn(&T) -> (&str, &Meta, &SourceRef<S>),
) -> Vec<T> {
    let mut last: HashMap<K, usize> = HashMap::new();
    for (i, item) in items.iter().enumerate() {
        last.insert(key(item), i);
    }
    if last.len() == items.len() {
        return items;
    }
    let mut out = Vec::with_capacity(last.len());
    for (i, item) in items.into_iter().enumerate() {
        if last.get(&key(&item)) == Some(&i) {
            out.push(item);
        } else {
            let (kind, meta, source) = describe(&item);
            issues.push(LoadIssue {
                source: source.clone(),
                kind: kind.into(),
                name: meta.name.clone(),
                message: "duplicate object; a later definition replaces this one".into(),
            });
        }
    }
    out
}

impl RbacModel<usize> {
    /// Reads RBAC objects, service accounts and workloads from JSON values;
    /// each object's source handle is its position in `objects`. ClusterRoles
    /// are aggregated. Problems are collected in [`RbacModel::issues`].
    pub fn from_objects<'a>(objects: impl IntoIterator<Item = &'a Value>) -> Self {
        let mut builder = ModelBuilder::new();
        for (i, v) in objects.into_iter().enumerate() {
            builder.add(i, v);
        }
        builder.build(ModelOptions::default())
    }
}

impl<S: Clone> RbacModel<S> {
    /// Like [`RbacModel::from_objects`] with caller-chosen source handles and options.
    pub fn from_sourced_objects<'a>(
        objects: impl IntoIterator<Item = (S, &'a Value)>,
        options: ModelOptions,
    ) -> Self {
        let mut builder = ModelBuilder::new();
        for (handle, v) in objects {
            builder.add(handle, v);
        }
        builder.build(options)
    }

    fn index(
        roles: Vec<RoleObject<S>>,
        bindings: Vec<BindingObject<S>>,
        service_accounts: Vec<ServiceAccountObject<S>>,
        workloads: Vec<Workload<S>>,
        issues: Vec<LoadIssue<S>>,
    ) -> Self {
        let mut cluster_role_by_name = HashMap::new();
        let mut role_by_ns_name: HashMap<String, HashMap<String, RoleId>> = HashMap::new();
        for (i, r) in roles.iter().enumerate() {
            match r.kind {
                RoleKind::ClusterRole => {
                    cluster_role_by_name.insert(r.meta.name.clone(), RoleId(i));
                }
                RoleKind::Role => {
                    role_by_ns_name
                        .entry(r.meta.namespace.clone())
                        .or_default()
                        .insert(r.meta.name.clone(), RoleId(i));
                }
            }
        }
        let mut model = RbacModel {
            roles,
            bindings: Vec::new(),
            service_accounts,
            workloads,
            issues,
            cluster_role_by_name,
            role_by_ns_name,
            binding_role: Vec::new(),
            cluster_scope: SubjectIndex::default(),
            namespace_scope: HashMap::new(),
            workloads_by_sa: HashMap::new(),
        };
        for (i, b) in bindings.iter().enumerate() {
            let id = BindingId(i);
            model
                .binding_role
                .push(model.lookup_role(&b.role_ref, &b.meta.namespace));
            let scope = match b.kind {
                BindingKind::ClusterRoleBinding => &mut model.cluster_scope,
                BindingKind::RoleBinding => model
                    .namespace_scope
                    .entry(b.meta.namespace.clone())
                    .or_default(),
            };
            scope.all.push(id);
            for s in &b.subjects {
                let bucket = if s.kind == "Group" {
                    scope.by_group.entry(s.name.clone()).or_default()
                } else if let Some(user) = s.effective_user(&b.meta.namespace) {
                    scope.by_user.entry(user).or_default()
                } else {
                    continue;
                };
                // A binding naming the same key twice is indexed once.
                if bucket.last() != Some(&id) {
                    bucket.push(id);
                }
            }
        }
        model.bindings = bindings;
        for (i, w) in model.workloads.iter().enumerate() {
            model
                .workloads_by_sa
                .entry((w.namespace.clone(), w.service_account.clone()))
                .or_default()
                .push(i);
        }
        model
    }
}

impl<S> RbacModel<S> {
    /// The role a `roleRef` names, resolved as `GetRoleReferenceRules` does:
    /// a Role in the binding's namespace, or a ClusterRole. The error text is
    /// the API server's.
    pub fn lookup_role(
        &self,
        role_ref: &RoleRef,
        binding_namespace: &str,
    ) -> Result<RoleId, String> {
        match role_ref.kind.as_str() {
            "Role" => self
                .role_by_ns_name
                .get(binding_namespace)
                .and_then(|m| m.get(&role_ref.name))
                .copied()
                .ok_or_else(|| {
                    format!(
                        "role.rbac.authorization.k8s.io {} not found",
                        crate::objects::go_quote(&role_ref.name)
                    )
                }),
            "ClusterRole" => self
                .cluster_role_by_name
                .get(&role_ref.name)
                .copied()
                .ok_or_else(|| {
                    format!(
                        "clusterrole.rbac.authorization.k8s.io {} not found",
                        crate::objects::go_quote(&role_ref.name)
                    )
                }),
            other => Err(format!(
                "unsupported role reference kind: {}",
                crate::objects::go_quote(other)
            )),
        }
    }

    /// Every Role and ClusterRole, in input order (duplicates removed).
    pub fn roles(&self) -> &[RoleObject<S>] {
        &self.roles
    }

    /// One role.
    pub fn role(&self, id: RoleId) -> Option<&RoleObject<S>> {
        self.roles.get(id.0)
    }

    /// Every RoleBinding and ClusterRoleBinding, in input order.
    pub fn bindings(&self) -> &[BindingObject<S>] {
        &self.bindings
    }

    /// One binding.
    pub fn binding(&self, id: BindingId) -> Option<&BindingObject<S>> {
        self.bindings.get(id.0)
    }

    /// The role a binding resolves to, or the API server's lookup error.
    pub fn binding_role(&self, id: BindingId) -> Result<RoleId, String> {
        self.binding_role
            .get(id.0)
            .cloned()
            .unwrap_or_else(|| Err("no such binding".into()))
    }

    /// The rules a binding contributes (empty when its role is missing).
    pub fn binding_rules(&self, id: BindingId) -> &[PolicyRule] {
        match self.binding_role(id) {
            Ok(role) => self.roles.get(role.0).map_or(&[], |r| r.rules.as_slice()),
            Err(_) => &[],
        }
    }

    /// ClusterRole by name.
    pub fn cluster_role(&self, name: &str) -> Option<RoleId> {
        self.cluster_role_by_name.get(name).copied()
    }

    /// Role by namespace and name.
    pub fn namespaced_role(&self, namespace: &str, name: &str) -> Option<RoleId> {
        self.role_by_ns_name.get(namespace)?.get(name).copied()
    }

    /// ServiceAccount objects.
    pub fn service_accounts(&self) -> &[ServiceAccountObject<S>] {
        &self.service_accounts
    }

    /// Pods and pod-owning workloads with their service account.
    pub fn workloads(&self) -> &[Workload<S>] {
        &self.workloads
    }

    /// Workloads whose pods run as service account `namespace/name`.
    pub fn workloads_for_service_account(&self, namespace: &str, name: &str) -> Vec<&Workload<S>> {
        self.workloads_by_sa
            .get(&(namespace.to_string(), name.to_string()))
            .map(|ids| ids.iter().filter_map(|i| self.workloads.get(*i)).collect())
            .unwrap_or_default()
    }

    /// Problems met while loading (bad shapes, duplicates, aggregation errors).
    pub fn issues(&self) -> &[LoadIssue<S>] {
        &self.issues
    }

    /// Namespaces that hold at least one RoleBinding.
    pub fn binding_namespaces(&self) -> impl Iterator<Item = &str> {
        self.namespace_scope.keys().map(String::as_str)
    }

    /// ClusterRoleBindings in input order.
    pub fn cluster_role_bindings(&self) -> &[BindingId] {
        &self.cluster_scope.all
    }

    /// RoleBindings stored in `namespace`, in input order.
    pub fn role_bindings_in(&self, namespace: &str) -> &[BindingId] {
        self.namespace_scope
            .get(namespace)
            .map_or(&[], |s| s.all.as_slice())
    }
}
