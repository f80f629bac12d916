//! One module per upstream check: its documentation ([`CheckInfo`]) next to its code.
//!
//! Every check function takes the pod and the requested minor version
//! (`u32::MAX` for `latest`) and picks its own variant, so a version between two
//! variant start points uses the older one, and any version past the last change
//! uses the newest.
//!
//! [`CheckInfo`]: super::CheckInfo

pub(crate) mod allow_privilege_escalation;
pub(crate) mod app_armor_profile;
pub(crate) mod capabilities_baseline;
pub(crate) mod capabilities_restricted;
pub(crate) mod host_namespaces;
pub(crate) mod host_path_volumes;
pub(crate) mod host_ports;
pub(crate) mod host_probes_and_host_lifecycle;
pub(crate) mod privileged;
pub(crate) mod proc_mount;
pub(crate) mod restricted_volumes;
pub(crate) mod run_as_non_root;
pub(crate) mod run_as_user;
pub(crate) mod se_linux_options;
pub(crate) mod seccomp_profile;
pub(crate) mod sysctls;
pub(crate) mod windows_host_process;
