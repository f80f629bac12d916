//! The table of checks: static documentation, first versions, overrides, and
//! which checks run for a policy.

use super::checks::*;
use super::pod::Pod;
use super::violation::Failure;
use super::{Level, Policy};

/// Static facts about one check, for the rule registry and `kspect explain`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckInfo {
    /// The library's check ID, e.g. `seccompProfile_restricted`.
    pub id: &'static str,
    /// The level the check belongs to (`Baseline` or `Restricted`).
    pub level: Level,
    /// One line saying what the check requires.
    pub title: &'static str,
    /// The Pod Security Standards control it implements, e.g. "Privileged Containers".
    pub control: &'static str,
    /// Why it matters, what an attacker does, how to fix it, with a before/after YAML snippet.
    pub doc: &'static str,
    /// Versions at which the check has a variant (`"v1.0"`, `"v1.19"`...); the first
    /// is when the check starts being evaluated.
    pub since: &'static [&'static str],
}

/// Every check, in the order violations are reported: baseline checks, then
/// restricted ones, each group sorted by ID byte-wise (the library's order).
pub const CHECKS: &[CheckInfo] = &[
    app_armor_profile::INFO,
    capabilities_baseline::INFO,
    host_namespaces::INFO,
    host_path_volumes::INFO,
    host_ports::INFO,
    host_probes_and_host_lifecycle::INFO,
    privileged::INFO,
    proc_mount::INFO,
    se_linux_options::INFO,
    seccomp_profile::BASELINE_INFO,
    sysctls::INFO,
    windows_host_process::INFO,
    allow_privilege_escalation::INFO,
    capabilities_restricted::INFO,
    proc_mount::RESTRICTED_INFO,
    restricted_volumes::INFO,
    run_as_non_root::INFO,
    run_as_user::INFO,
    seccomp_profile::RESTRICTED_INFO,
];

type CheckFn = fn(&Pod, u32) -> Option<Failure>;

/// How a check is run; kept beside [`CHECKS`] in the same order (a test holds them together).
pub(crate) struct CheckDef {
    pub id: &'static str,
    pub level: Level,
    /// The minor version of the first variant.
    pub first: u32,
    /// The baseline check this restricted check replaces while it is active.
    pub overrides: Option<&'static str>,
    pub run: CheckFn,
}

const fn def(id: &'static str, level: Level, first: u32, run: CheckFn) -> CheckDef {
    CheckDef {
        id,
        level,
        first,
        overrides: None,
        run,
    }
}

const fn replacing(
    id: &'static str,
    first: u32,
    overrides: &'static str,
    run: CheckFn,
) -> CheckDef {
    CheckDef {
        id,
        level: Level::Restricted,
        first,
        overrides: Some(overrides),
        run,
    }
}

pub(crate) const DEFS: &[CheckDef] = &[
    def(
        "appArmorProfile",
        Level::Baseline,
        0,
        app_armor_profile::check,
    ),
    def(
        "capabilities_baseline",
        Level::Baseline,
        0,
        capabilities_baseline::check,
    ),
    def("hostNamespaces", Level::Baseline, 0, host_namespaces::check),
    def(
        "hostPathVolumes",
        Level::Baseline,
        0,
        host_path_volumes::check,
    ),
    def("hostPorts", Level::Baseline, 0, host_ports::check),
    def(
        "hostProbesAndHostLifecycle",
        Level::Baseline,
        34,
        host_probes_and_host_lifecycle::check,
    ),
    def("privileged", Level::Baseline, 0, privileged::check),
    def("procMount", Level::Baseline, 0, proc_mount::check),
    def(
        "seLinuxOptions",
        Level::Baseline,
        0,
        se_linux_options::check,
    ),
    def(
        "seccompProfile_baseline",
        Level::Baseline,
        0,
        seccomp_profile::check_baseline,
    ),
    def("sysctls", Level::Baseline, 0, sysctls::check),
    def(
        "windowsHostProcess",
        Level::Baseline,
        0,
        windows_host_process::check,
    ),
    def(
        "allowPrivilegeEscalation",
        Level::Restricted,
        8,
        allow_privilege_escalation::check,
    ),
    replacing(
        "capabilities_restricted",
        22,
        "capabilities_baseline",
        capabilities_restricted::check,
    ),
    replacing(
        "procMount_restricted",
        35,
        "procMount",
        proc_mount::check_restricted,
    ),
    replacing(
        "restrictedVolumes",
        0,
        "hostPathVolumes",
        restricted_volumes::check,
    ),
    def("runAsNonRoot", Level::Restricted, 0, run_as_non_root::check),
    def("runAsUser", Level::Restricted, 23, run_as_user::check),
    replacing(
        "seccompProfile_restricted",
        19,
        "seccompProfile_baseline",
        seccomp_profile::check_restricted,
    ),
];

/// The definitions that run for `policy`, in reporting order.
pub(crate) fn active(policy: &Policy) -> impl Iterator<Item = &'static CheckDef> + '_ {
    let minor = policy.version.minor();
    let applies = move |d: &CheckDef| d.level <= policy.level && d.first <= minor;
    DEFS.iter().filter(move |d| {
        applies(d)
            && !DEFS
                .iter()
                .any(|other| other.overrides == Some(d.id) && applies(other))
    })
}

/// The IDs of the checks that run for `policy`, in reporting order. Empty for `privileged`.
pub fn checks_for(policy: &Policy) -> Vec<&'static str> {
    active(policy).map(|d| d.id).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_table_matches_catalog() {
        assert_eq!(DEFS.len(), CHECKS.len());
        for (d, info) in DEFS.iter().zip(CHECKS) {
            assert_eq!(d.id, info.id);
            assert_eq!(d.level, info.level, "{}", d.id);
            assert_eq!(
                info.since.first().copied(),
                Some(format!("v1.{}", d.first).as_str()),
                "{}",
                d.id
            );
            if let Some(base) = d.overrides {
                let replaced = DEFS.iter().find(|b| b.id == base).map(|b| b.level);
                assert_eq!(replaced, Some(Level::Baseline), "{} overrides {base}", d.id);
            }
        }
        // Reporting order: baseline, then restricted, each by ID byte order.
        let keys: Vec<(Level, &str)> = DEFS.iter().map(|d| (d.level, d.id)).collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted);
    }
}
