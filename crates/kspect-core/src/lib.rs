//! The core of kspect: what every analyzer shares.
//!
//! - [`load`] reads manifests (multi-document YAML, JSON, `*List` kinds) into
//!   [`Object`]s that remember the file, document, line and column of every field;
//!   bad input becomes a [`load::Diagnostic`], never a crash.
//! - [`Inventory`] indexes the objects of one analysis.
//! - [`Finding`], [`Rule`] and [`Registry`] are the vocabulary analyzers report in.
//! - [`config`] reads `.kspect.yaml`: rule selection, severity overrides and exceptions;
//!   [`suppress`] applies them and the `kspect.dev/ignore` annotation to findings.
#![deny(missing_docs)]

pub mod config;
pub mod corpus;
pub mod finding;
pub mod inventory;
pub mod load;
pub mod object;
pub mod rule;
pub mod span;
pub mod suppress;
pub mod yaml;

pub use finding::{Finding, Severity};
pub use inventory::Inventory;
pub use object::{Object, ObjectRef, PodTemplate};
pub use rule::{Reference, Registry, Rule};
pub use span::{Location, Pos};
