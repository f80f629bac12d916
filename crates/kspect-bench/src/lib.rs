//! Node and host benchmarks: the CIS Kubernetes Benchmark (what kube-bench checks) and
//! the CIS Docker Benchmark (what docker-bench-security checks).
//!
//! Where it fits: the `kspect bench` command gathers facts ([`facts`] for Kubernetes
//! nodes, [`docker`] for Docker hosts), runs the checks ([`node::run`],
//! [`docker::run`]) and renders a [`Report`] with [`render`]; failures also convert to
//! [`kspect_core::Finding`]s ([`findings`]) for the shared reporters.
//!
//! Facts come through the [`fs::NodeFs`] trait, so the same checks run on a live node
//! (`/` and `/proc`) and on a copy of a node's filesystem (`--root DIR`).
#![deny(missing_docs)]

pub mod benchmark;
pub mod checks;
pub mod cmdline;
pub mod docker;
pub mod facts;
pub mod findings;
pub mod fs;
pub mod kbtest;
pub mod node;
pub mod policies;
pub mod render;
pub mod result;
pub mod systemd;

pub use benchmark::{Benchmark, Choice};
pub use checks::Target;
pub use facts::{Component, Mode, NodeFacts};
pub use fs::{NodeFs, RootedFs};
pub use node::NodeOptions;
pub use result::{CheckResult, Report, Status, Totals};
