//! Syscall events for kspect's runtime rules.
//!
//! The JSON-lines event schema ([`schema`], documented in `docs/runtime-events.md`)
//! is what kspect replays and what its live sensor will emit. [`state::State`] keeps
//! the process tree and the containers seen so far, so events that carry only a thread
//! id still know their command line, parents, container and pod. [`event::SyscallEvent`]
//! implements [`kspect_rules::Event`]: every field of the syscall registry is mapped
//! once to an extractor ([`fields::slot`]), so rules compiled by `kspect-rules` run on
//! these events with no field-name lookups. [`replay`] streams files line by line.
//!
//! ```
//! use kspect_rules::{Engine, RuleMatching};
//! use kspect_runtime::{schema::EventRecord, state::State};
//! let mut engine = Engine::new();
//! let res = engine.load_rules(
//!     "- rule: shadow\n  desc: d\n  condition: evt.type = openat and fd.name = /etc/shadow\n  output: '%proc.cmdline read %fd.name in %container.name'\n  priority: WARNING\n",
//!     "r.yaml",
//! );
//! assert!(res.successful());
//! let mut state = State::new();
//! let rec: EventRecord = serde_json::from_str(r#"{"type":"openat","proc":{"pid":7,"exepath":"/bin/cat","args":["/etc/shadow"]},
//!   "fd":{"num":3,"type":"file","name":"/etc/shadow"},"container":{"id":"0123456789ab","name":"web"}}"#).unwrap();
//! let ev = state.ingest(rec);
//! let rs = engine.ruleset("syscall").unwrap();
//! let hits = rs.matches(&ev, RuleMatching::First);
//! assert_eq!(hits[0].alert(&ev, "h").message, "cat /etc/shadow read /etc/shadow in web");
//! ```
#![deny(missing_docs)]

pub mod errno;
pub mod event;
pub mod fields;
pub mod replay;
pub mod schema;
pub mod state;

pub use event::SyscallEvent;
pub use schema::EventRecord;
pub use state::State;
