//! Shared helpers for the corpus tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// `../shared/corpus/falco` relative to the repository root, or `None` (with a visible
/// message) when it is absent; under `CI=true` its absence is a failure.
pub fn corpus() -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/falco");
    if p.is_dir() {
        return Some(p);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("corpus not found at {}", p.display());
    }
    println!("skipping: corpus not found at {}", p.display());
    None
}

/// Reads a JSON-lines file.
pub fn jsonl(path: &std::path::Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
        .collect()
}

/// Prints the tally and fails with the first disagreements.
pub fn report(name: &str, total: usize, failures: &[String]) {
    println!("{name}: {} of {total} passed", total - failures.len());
    if !failures.is_empty() {
        let shown: Vec<_> = failures.iter().take(25).cloned().collect();
        panic!(
            "{name}: {} of {total} disagree; first ones:\n{}",
            failures.len(),
            shown.join("\n")
        );
    }
}
