//! Every rule of every analyzer, in one registry.

use kspect_core::Registry;

/// The registry of all rules kspect can report.
pub fn all_rules() -> Registry {
    let mut rules: Vec<&'static kspect_core::Rule> = Vec::new();
    rules.extend(kspect_core::suppress::META_RULES.iter().copied());
    rules.extend(kspect_posture::rules());
    rules.extend(kspect_netpol::checks::rules());
    rules.extend(crate::commands::rbac::rules());
    rules.extend(kspect_bench::findings::rules());
    rules.extend(crate::commands::vuln::rules());
    rules.extend(kspect_audit::findings::rules());
    Registry::new(rules).default_off(kspect_posture::RESTATES_PSS)
}
