//! Locating the shared upstream test corpus from tests.
//!
//! Tests read `../shared/corpus` relative to the repository root. On a user's fresh
//! clone it is absent and corpus tests skip with a visible message; under `CI=true`
//! its absence is a failure, so that CI can never pass by skipping.

use std::path::PathBuf;

/// The corpus folder `sub` (e.g. `pss`), or `None` after printing why the caller skips.
///
/// `KSPECT_CORPUS` overrides the location of the corpus root.
///
/// # Panics
/// When the folder is missing and the environment variable `CI` is `true`.
pub fn corpus_dir(sub: &str) -> Option<PathBuf> {
    let root = std::env::var_os("KSPECT_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus")
        });
    let dir = root.join(sub);
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("corpus folder {} is missing and CI=true", dir.display());
    }
    eprintln!("skipping: corpus not found at {}", dir.display());
    None
}
