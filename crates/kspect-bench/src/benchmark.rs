//! Benchmark versions and how `--benchmark auto` picks one.

use serde::Serialize;

/// A CIS Kubernetes Benchmark version kspect implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Benchmark {
    /// cis-1.11 (Kubernetes 1.29–1.31).
    #[serde(rename = "cis-1.11")]
    Cis111,
    /// cis-1.12 (Kubernetes 1.32–1.34).
    #[serde(rename = "cis-1.12")]
    Cis112,
}

impl Benchmark {
    /// The name as kube-bench spells it.
    pub fn name(self) -> &'static str {
        match self {
            Benchmark::Cis111 => "cis-1.11",
            Benchmark::Cis112 => "cis-1.12",
        }
    }

    /// The version kube-bench writes in its JSON report (`"version"`).
    pub fn version(self) -> &'static str {
        match self {
            Benchmark::Cis111 => "cis-1.11",
            Benchmark::Cis112 => "cis-1.12",
        }
    }
}

impl std::fmt::Display for Benchmark {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What the user asked for with `--benchmark`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// Pick from the Kubernetes version found on the node.
    Auto,
    /// This one.
    Fixed(Benchmark),
}

/// An unknown `--benchmark` value, or a version no implemented benchmark covers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BenchmarkError {
    /// Not `cis-1.11`, `cis-1.12` or `auto`.
    #[error("unknown benchmark {0:?} (expected cis-1.11, cis-1.12 or auto)")]
    Unknown(String),
    /// kube-bench maps this version to a benchmark kspect does not implement.
    #[error(
        "Kubernetes {version} maps to {benchmark}, which kspect does not implement (cis-1.11 and cis-1.12 only); pass --benchmark to choose one"
    )]
    Unsupported {
        /// The Kubernetes version.
        version: String,
        /// kube-bench's benchmark for it.
        benchmark: String,
    },
}

impl std::str::FromStr for Choice {
    type Err = BenchmarkError;
    fn from_str(s: &str) -> Result<Choice, BenchmarkError> {
        match s.trim() {
            "auto" => Ok(Choice::Auto),
            "cis-1.11" => Ok(Choice::Fixed(Benchmark::Cis111)),
            "cis-1.12" => Ok(Choice::Fixed(Benchmark::Cis112)),
            other => Err(BenchmarkError::Unknown(other.to_string())),
        }
    }
}

/// kube-bench's `version_mapping` for the generic benchmarks (Kubernetes minor of 1.x).
const VERSION_MAPPING: &[(u32, &str)] = &[
    (15, "cis-1.5"),
    (16, "cis-1.6"),
    (17, "cis-1.6"),
    (18, "cis-1.6"),
    (19, "cis-1.20"),
    (20, "cis-1.20"),
    (21, "cis-1.20"),
    (22, "cis-1.23"),
    (23, "cis-1.23"),
    (24, "cis-1.24"),
    (25, "cis-1.7"),
    (26, "cis-1.8"),
    (27, "cis-1.9"),
    (28, "cis-1.10"),
    (29, "cis-1.11"),
    (30, "cis-1.11"),
    (31, "cis-1.11"),
    (32, "cis-1.12"),
    (33, "cis-1.12"),
    (34, "cis-1.12"),
];

/// kube-bench's fallback when the version cannot be mapped (its built-in default 1.18).
const FALLBACK_MINOR: u32 = 18;

/// The benchmark name kube-bench maps Kubernetes `1.minor` to: the exact minor, else the
/// nearest lower one in the map, stopping at 1.18's benchmark.
pub fn kube_bench_mapping(major: u32, minor: u32) -> &'static str {
    let mut m = if major > 1 { u32::MAX } else { minor };
    loop {
        if let Some((_, b)) = VERSION_MAPPING.iter().rev().find(|(k, _)| *k == m) {
            return b;
        }
        if m <= FALLBACK_MINOR {
            return "cis-1.6";
        }
        // Newer than the map's newest entry: decrementing reaches it.
        m = if m == u32::MAX {
            VERSION_MAPPING[VERSION_MAPPING.len() - 1].0
        } else {
            m - 1
        };
    }
}

/// The implemented benchmark for Kubernetes `major.minor`.
pub fn for_version(major: u32, minor: u32) -> Result<Benchmark, BenchmarkError> {
    match kube_bench_mapping(major, minor) {
        "cis-1.11" => Ok(Benchmark::Cis111),
        "cis-1.12" => Ok(Benchmark::Cis112),
        other => Err(BenchmarkError::Unsupported {
            version: format!("{major}.{minor}"),
            benchmark: other.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapping_follows_config_yaml() {
        assert_eq!(kube_bench_mapping(1, 29), "cis-1.11");
        assert_eq!(kube_bench_mapping(1, 31), "cis-1.11");
        assert_eq!(kube_bench_mapping(1, 32), "cis-1.12");
        assert_eq!(kube_bench_mapping(1, 34), "cis-1.12");
        // Newer minors decrement to the newest mapped one.
        assert_eq!(kube_bench_mapping(1, 40), "cis-1.12");
        assert_eq!(kube_bench_mapping(1, 28), "cis-1.10");
        assert_eq!(kube_bench_mapping(1, 10), "cis-1.6");
        assert_eq!(for_version(1, 30), Ok(Benchmark::Cis111));
        assert!(matches!(
            for_version(1, 27),
            Err(BenchmarkError::Unsupported { .. })
        ));
        assert_eq!(
            "cis-1.12".parse::<Choice>(),
            Ok(Choice::Fixed(Benchmark::Cis112))
        );
        assert!("cis-1.9".parse::<Choice>().is_err());
    }
}
