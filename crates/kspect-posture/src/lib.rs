//! Workload posture: the Pod Security Standards, exactly as the Pod Security Admission
//! library evaluates them ([`pss`]), and hardening rules beyond them.
#![deny(missing_docs)]

pub mod pss;
pub mod pss_rules;

use kspect_core::config::Config;
use kspect_core::{Finding, Inventory, Rule};

/// Every posture rule: one per PSS check, then the hardening rules.
pub fn rules() -> Vec<&'static Rule> {
    pss_rules::rules().collect()
}

/// All posture findings for an inventory.
pub fn check(inventory: &Inventory, config: &Config) -> Vec<Finding> {
    let _ = config;
    pss_rules::check(inventory)
}
