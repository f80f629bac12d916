//! kspect-rbac: Kubernetes RBAC analysis that decides exactly as the API
//! server's RBAC authorizer.
//!
//! The crate sits under the `kspect rbac ...` commands and the RBAC part of
//! `kspect scan`. It reads plain `serde_json::Value` objects (the core crate
//! turns YAML manifests, lists and cluster dumps into those), so it has no
//! opinion on files or spans: every object keeps an opaque source handle
//! chosen by the caller, and every answer points back to it.
//!
//! | command | library call |
//! | --- | --- |
//! | `can-i VERB TYPE[/NAME]` | [`parse_resource_arg`] → [`Request`] → [`RbacModel::authorize`] / [`RbacModel::explain`] |
//! | `review SAR.json` | [`review_subject_access`] |
//! | `list --as U -n NS` | [`RbacModel::rules_for`] → [`can_i_list_rows`] → [`render_can_i_list`] |
//! | `who-can VERB TYPE` | [`RbacModel::who_can`] |
//! | `risks` | [`RbacModel::risks`] (and [`RbacModel::role_risks`] per role) |
//! | `paths [--from S]` | [`RbacModel::escalation_paths`] / [`RbacModel::escalation_paths_from`] → [`render_dot`] |
//! | escalation check | [`covers`], [`RbacModel::check_role_write`], [`RbacModel::check_binding_write`] |
//!
//! The evaluation rules, with their upstream sources, are restated in the
//! corpus file `rbac/SEMANTICS.md`; the risk catalogue in `rbac/RISKS.md`.
#![deny(missing_docs)]

pub mod aggregation;
pub mod authorizer;
pub mod covers;
pub mod error;
pub mod list;
pub mod model;
pub mod objects;
pub mod paths;
pub mod policy;
pub mod request;
pub mod resource_arg;
pub mod review;
pub mod risks;
pub mod selector;
pub mod whocan;

pub use aggregation::{AggregationReport, aggregate_all, aggregated_rules};
pub use authorizer::{Decision, DecisionView, Grant, GrantView, applies_to, subject_matches};
pub use covers::{EscalationOutcome, WriteAllowedBy, covers};
pub use error::{LoadIssue, RbacError};
pub use list::{ListRow, RulesReview, can_i_list_rows, render_can_i_list};
pub use model::{BindingId, ModelBuilder, ModelOptions, RbacModel, RoleId};
pub use objects::{
    AggregationRule, BindingKind, BindingObject, Meta, RoleKind, RoleObject, RoleRef,
    ServiceAccountObject, SourceRef, Subject, Workload,
};
pub use paths::{EscalationPath, PathOptions, Principal, Step, Target, render_dot};
pub use policy::PolicyRule;
pub use request::{
    Attributes, NonResourceAttributes, Request, ResourceAttributes, UserInfo, service_account_user,
    split_service_account_user,
};
pub use resource_arg::{ResourceArg, ResourceTarget, known_resource, parse_resource_arg};
pub use review::{ReviewOptions, review_subject_access};
pub use risks::{
    ObjectRef, RiskFinding, RiskHit, RiskOptions, RoleRiskProfile, WorkloadRef, rules_risk_profile,
};
pub use selector::{LabelSelector, LabelSelectorRequirement};
pub use whocan::{WhoCanEntry, WhoCanVia};

/// The RBAC API group.
pub const RBAC_GROUP: &str = "rbac.authorization.k8s.io";
