//! Hardening rules beyond the Pod Security Standards (`KSP3xx`).
//!
//! PSS is a floor that admission can enforce; these rules cover what the best peers
//! (Checkov, Polaris, kube-score, KubeLinter, Kubescape) also check and an analyst
//! would miss if absent: resource limits, image provenance, service-account tokens,
//! credentials in manifests, network exposure, namespaces without admission, static pods.
//!
//! Each rule lives in the module of its family with its documentation; [`CHECKS`]
//! is the one table that ties a rule to its check, and [`rules`] and [`check`] read it.
//! Rules overlap the PSS rules (`KSP1xx`) on purpose: users select one family or the
//! other through the configuration, and the messages here name the exact field.

use kspect_core::config::Config;
use kspect_core::{Finding, Inventory, Object, Rule};
use rayon::prelude::*;

mod capabilities;
mod credentials;
mod exposure;
mod host;
mod host_path;
mod image;
mod kernel;
mod placement;
mod pod;
mod privilege;
mod refs;
mod resources;
mod service_account;
mod user;

/// What a check sees besides the object: the whole inventory and the configuration.
pub(crate) struct Ctx<'a> {
    /// Every object of the analysis (for ServiceAccounts, LimitRanges ...).
    pub inventory: &'a Inventory,
    /// The configuration (registry allowlist).
    pub config: &'a Config,
}

/// A check: appends the findings of one rule about one object.
type CheckFn = fn(&Ctx<'_>, &Object, &mut Vec<Finding>);

/// A rule and the function that checks it.
type Check = (&'static Rule, CheckFn);

/// The registry of hardening rules: each rule with its check, in ID order.
const CHECKS: &[Check] = &[
    (&resources::MISSING_RESOURCE_LIMITS, resources::check_limits),
    (
        &resources::MISSING_RESOURCE_REQUESTS,
        resources::check_requests,
    ),
    (
        &privilege::PRIVILEGED_CONTAINER,
        privilege::check_privileged,
    ),
    (
        &privilege::PRIVILEGE_ESCALATION_ALLOWED,
        privilege::check_escalation,
    ),
    (
        &privilege::WRITABLE_ROOT_FILESYSTEM,
        privilege::check_read_only_root,
    ),
    (&user::RUN_AS_ROOT, user::check_root_uid),
    (&user::RUN_AS_NON_ROOT_NOT_SET, user::check_run_as_non_root),
    (
        &capabilities::DANGEROUS_CAPABILITY,
        capabilities::check_added,
    ),
    (
        &capabilities::CAPABILITIES_NOT_DROPPED,
        capabilities::check_drop_all,
    ),
    (&host::HOST_PID, host::check_host_pid),
    (&host::HOST_IPC, host::check_host_ipc),
    (&host::HOST_NETWORK, host::check_host_network),
    (&host::HOST_PORT, host::check_host_port),
    (&host::SHARE_PROCESS_NAMESPACE, host::check_share_process),
    (&host_path::SENSITIVE_HOST_PATH, host_path::check_sensitive),
    (&host_path::RUNTIME_SOCKET, host_path::check_runtime_socket),
    (&host_path::WRITABLE_HOST_PATH, host_path::check_writable),
    (&kernel::UNSAFE_SYSCTL, kernel::check_sysctls),
    (&kernel::SECCOMP_NOT_ENFORCED, kernel::check_seccomp),
    (&kernel::APPARMOR_UNCONFINED, kernel::check_apparmor),
    (&kernel::PROC_MOUNT_UNMASKED, kernel::check_proc_mount),
    (&image::IMAGE_MUTABLE_TAG, image::check_mutable_tag),
    (&image::IMAGE_NOT_PINNED, image::check_digest),
    (&image::IMAGE_PULL_POLICY, image::check_pull_policy),
    (&image::IMAGE_REGISTRY_NOT_ALLOWED, image::check_registry),
    (
        &service_account::TOKEN_AUTOMOUNT,
        service_account::check_automount,
    ),
    (
        &service_account::DEFAULT_SERVICE_ACCOUNT,
        service_account::check_default,
    ),
    (
        &credentials::CREDENTIAL_IN_ENV,
        credentials::check_env_literal,
    ),
    (&credentials::SECRET_IN_ENV, credentials::check_secret_env),
    (
        &credentials::SECRET_DATA_IN_MANIFEST,
        credentials::check_secret,
    ),
    (
        &credentials::CREDENTIAL_IN_CONFIGMAP,
        credentials::check_configmap,
    ),
    (&exposure::SERVICE_EXPOSED, exposure::check_service_type),
    (&exposure::LOAD_BALANCER_OPEN, exposure::check_source_ranges),
    (
        &exposure::SERVICE_EXTERNAL_IPS,
        exposure::check_external_ips,
    ),
    (&exposure::INGRESS_WITHOUT_TLS, exposure::check_ingress_tls),
    (
        &exposure::INGRESS_NGINX_SNIPPET,
        exposure::check_nginx_snippet,
    ),
    (
        &placement::DEFAULT_NAMESPACE,
        placement::check_default_namespace,
    ),
    (
        &placement::NAMESPACE_WITHOUT_PSA,
        placement::check_namespace_psa,
    ),
    (&placement::STATIC_POD, placement::check_static_pod),
];

/// Every hardening rule, in ID order.
pub fn rules() -> Vec<&'static Rule> {
    CHECKS.iter().map(|(rule, _)| *rule).collect()
}

/// Runs every hardening rule over every object of the inventory.
///
/// Objects are independent, so they are checked in parallel; the result keeps the
/// input order of objects, and within an object the order of the rule table.
pub fn check(inventory: &Inventory, config: &Config) -> Vec<Finding> {
    check_selected(inventory, config, &|_| true)
}

/// Like [`check`], running only the rules for which `enabled` is true: a rule that is
/// switched off costs nothing, instead of producing findings that are thrown away.
pub fn check_selected(
    inventory: &Inventory,
    config: &Config,
    enabled: &(dyn Fn(&Rule) -> bool + Sync),
) -> Vec<Finding> {
    let ctx = Ctx { inventory, config };
    let checks: Vec<&Check> = CHECKS.iter().filter(|(rule, _)| enabled(rule)).collect();
    inventory
        .objects()
        .par_iter()
        .flat_map_iter(|object| check_object(&ctx, &checks, object))
        .collect()
}

/// Findings of every selected hardening rule that applies to this object's kind.
fn check_object(ctx: &Ctx<'_>, checks: &[&Check], object: &Object) -> Vec<Finding> {
    let mut out = Vec::new();
    for (rule, run) in checks {
        if rule.kinds.contains(&object.kind()) {
            run(ctx, object, &mut out);
        }
    }
    out
}
