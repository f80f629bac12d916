//! Workload posture: the Pod Security Standards, exactly as the Pod Security Admission
//! library evaluates them ([`pss`]), and hardening rules beyond them.
#![deny(missing_docs)]

pub mod hardening;
pub mod pss;
pub mod pss_rules;

use kspect_core::config::Config;
use kspect_core::{Finding, Inventory, Rule};

/// Every posture rule: one per PSS check, then the hardening rules.
pub fn rules() -> Vec<&'static Rule> {
    let mut rules: Vec<&'static Rule> = pss_rules::rules().collect();
    rules.extend(hardening::rules());
    rules
}

/// Hardening rules that state the same fact as a Pod Security Standards rule in other
/// words (privileged, host namespaces, capabilities ...). They run only when selected
/// explicitly, so that `kspect scan` reports each weakness once by default; the PSS rule
/// is the one kept, because its semantics are the admission controller's.
pub const RESTATES_PSS: &[&str] = &[
    "KSP303", "KSP304", "KSP306", "KSP307", "KSP308", "KSP309", "KSP310", "KSP311", "KSP312",
    "KSP313", "KSP318", "KSP319", "KSP320", "KSP321",
];

/// All posture findings for an inventory.
pub fn check(inventory: &Inventory, config: &Config) -> Vec<Finding> {
    check_selected(inventory, config, &|_| true)
}

/// Posture findings of the rules for which `enabled` is true (rules switched off by
/// configuration are not run at all).
pub fn check_selected(
    inventory: &Inventory,
    config: &Config,
    enabled: &(dyn Fn(&Rule) -> bool + Sync),
) -> Vec<Finding> {
    let mut findings = if pss_rules::rules().any(enabled) {
        pss_rules::check(inventory)
    } else {
        Vec::new()
    };
    findings.extend(hardening::check_selected(inventory, config, enabled));
    findings
}
