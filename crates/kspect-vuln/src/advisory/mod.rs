//! Advisories: the OSV record model, Alpine secdb conversion, severity
//! scoring and the SQLite store.

pub mod db;
pub mod osv;
pub mod secdb;
pub mod severity;

pub use db::{AdvisoryDb, DbError, DbInfo, ImportProblem, ImportReport};
pub use osv::OsvRecord;
