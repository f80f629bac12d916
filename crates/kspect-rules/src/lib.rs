//! Falco-compatible rule language for kspect.
//!
//! Loads Falco rule files unchanged (lists, macros, rules, append/override,
//! exceptions), parses conditions with libsinsp's grammar, compiles each rule once
//! against a typed field registry, and evaluates compiled rules over any event source
//! that implements [`Event`]. The Kubernetes audit field source (`ka.*`, `jevt.*`) is
//! part of this crate ([`fields::k8saudit::AuditEvent`]); syscall events are supplied
//! by `kspect-runtime` through the same trait.
//!
//! ```
//! use kspect_rules::{Engine, fields::k8saudit::AuditEvent};
//! let mut engine = Engine::new();
//! let res = engine.load_rules(
//!     "- rule: exec\n  desc: d\n  condition: ka.target.subresource = exec\n  output: exec by %ka.user.name\n  priority: NOTICE\n  source: k8s_audit\n",
//!     "rules.yaml",
//! );
//! assert!(res.successful());
//! let ev = AuditEvent::new(serde_json::json!({"auditID": "1", "user": {"username": "bob"},
//!     "objectRef": {"subresource": "exec"}}));
//! let rule = engine.ruleset("k8s_audit").unwrap().first_match(&ev).unwrap();
//! assert_eq!(rule.alert(&ev, "host").message, "exec by bob");
//! ```
#![deny(missing_docs)]

pub mod ast;
pub mod engine;
pub mod event;
pub mod fields;
pub mod filter;
pub mod loader;
pub mod matchers;
pub mod output;
pub mod parser;
pub mod plugins;
pub mod program;
pub mod schema;
pub mod yaml;

pub use engine::{CompiledRule, Engine, LoadResult, RuleMatching, Ruleset};
pub use event::{Event, Value, Values};
pub use output::{Alert, Priority};
