//! `--explain`: for every pair, the policies and rules that allow or deny it.
//!
//! Not implemented yet: [`crate::list`] answers `--explain` with
//! [`crate::NetpolError::Unsupported`] rather than printing a partial report.
