//! Shared helpers for the corpus tests.
#![allow(dead_code)]

use std::path::PathBuf;

use kspect_rbac::{Attributes, NonResourceAttributes, Request, ResourceAttributes, UserInfo};
use serde_json::Value;

/// `../shared/corpus/rbac` relative to the repo root, or `None` (with a
/// visible message) when absent; absent under `CI=true` is a failure.
pub fn corpus_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/rbac");
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("corpus not found at {} (CI=true)", dir.display());
    }
    eprintln!("skipping: corpus not found at {}", dir.display());
    println!("skipping: corpus not found at {}", dir.display());
    None
}

/// Every line of a `.jsonl` corpus file.
pub fn read_jsonl(name: &str) -> Option<Vec<Value>> {
    let dir = corpus_dir()?;
    let path = dir.join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    Some(
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .enumerate()
            .map(|(i, l)| {
                serde_json::from_str(l).unwrap_or_else(|e| panic!("{name}:{}: {e}", i + 1))
            })
            .collect(),
    )
}

/// The corpus `request` object as a library request (groups taken literally).
pub fn corpus_request(req: &Value) -> Request {
    let s = |k: &str| req[k].as_str().unwrap_or("").to_string();
    let groups: Vec<String> = req["groups"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|g| g.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    let user = UserInfo {
        name: s("user"),
        groups,
    };
    let attributes = if req["resourceRequest"].as_bool().unwrap_or(true) {
        Attributes::Resource(ResourceAttributes {
            namespace: s("namespace"),
            verb: s("verb"),
            group: s("apiGroup"),
            resource: s("resource"),
            subresource: s("subresource"),
            name: s("name"),
        })
    } else {
        Attributes::NonResource(NonResourceAttributes {
            path: s("path"),
            verb: s("verb"),
        })
    };
    Request { user, attributes }
}

/// `roles` + `bindings` arrays of a corpus line, in that order.
pub fn case_objects(case: &Value) -> Vec<&Value> {
    let mut out = Vec::new();
    for key in ["roles", "bindings", "clusterRoles"] {
        if let Some(items) = case[key].as_array() {
            out.extend(items.iter());
        }
    }
    out
}

/// Prints "N of M passed" and fails listing the first disagreements.
pub fn finish(file: &str, total: usize, failures: &[String]) {
    let passed = total - failures.len();
    println!("{file}: {passed} of {total} passed");
    if !failures.is_empty() {
        let shown: Vec<&String> = failures.iter().take(15).collect();
        panic!(
            "{file}: {} of {total} disagree; first ones:\n{}",
            failures.len(),
            shown
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    assert!(total > 0, "{file}: no vectors read");
}
