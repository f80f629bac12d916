//! The CIS Kubernetes Benchmark checks, as data.
//!
//! Each check mirrors kube-bench's definition (target, scored, test items with `flag`,
//! `path`, `env`, `set`, `compare`, `bin_op`, `use_multiple_values`) so that a corpus test
//! can hold the table against kube-bench's own YAML. What kube-bench does with a shell
//! `audit` is here an [`Audit`]: a typed description of the facts to look at.

mod table;

pub use table::ALL;

use crate::benchmark::Benchmark;
use crate::facts::Component;

/// The kube-bench target (benchmark file) a check belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    /// Control plane node: files, API server, controller manager, scheduler.
    Master,
    /// etcd.
    Etcd,
    /// Control plane configuration (authentication, logging).
    ControlPlane,
    /// Worker node: files, kubelet, kube-proxy.
    Node,
    /// Kubernetes policies (need the cluster API).
    Policies,
}

impl Target {
    /// Every target in kube-bench's order.
    pub const ALL: [Target; 5] = [
        Target::Master,
        Target::Etcd,
        Target::ControlPlane,
        Target::Node,
        Target::Policies,
    ];

    /// The name used on the command line and in kube-bench's `node_type`.
    pub fn name(self) -> &'static str {
        match self {
            Target::Master => "master",
            Target::Etcd => "etcd",
            Target::ControlPlane => "controlplane",
            Target::Node => "node",
            Target::Policies => "policies",
        }
    }

    /// Parses a target name.
    pub fn parse(s: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| t.name() == s.trim())
    }

    /// The section title kube-bench prints for the target (its `text`).
    pub fn title(self) -> &'static str {
        match self {
            Target::Master => "Control Plane Security Configuration",
            Target::Etcd => "Etcd Node Configuration",
            Target::ControlPlane => "Control Plane Configuration",
            Target::Node => "Worker Node Security Configuration",
            Target::Policies => "Kubernetes Policies",
        }
    }

    /// kube-bench's top-level `id` of the target's controls.
    pub fn section_id(self) -> &'static str {
        match self {
            Target::Master => "1",
            Target::Etcd => "2",
            Target::ControlPlane => "3",
            Target::Node => "4",
            Target::Policies => "5",
        }
    }
}

/// A comparison operator of kube-bench.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// Equal (case-insensitive for `true`/`false`).
    Eq,
    /// Not equal.
    NotEq,
    /// Integer `>=`.
    Gte,
    /// Substring present.
    Has,
    /// Substring absent.
    NotHave,
    /// Comma-separated list is a subset of the allowed list.
    ValidElements,
    /// Octal mode has no bit outside the allowed mode.
    Bitmask,
}

impl Op {
    /// kube-bench's spelling.
    pub fn name(self) -> &'static str {
        match self {
            Op::Eq => "eq",
            Op::NotEq => "noteq",
            Op::Gte => "gte",
            Op::Has => "has",
            Op::NotHave => "nothave",
            Op::ValidElements => "valid_elements",
            Op::Bitmask => "bitmask",
        }
    }
}

/// One `test_items` entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Item {
    /// The flag (or output key) searched.
    pub flag: &'static str,
    /// The config-file JSONPath (kube-bench syntax), when the flag may also be set there.
    pub path: Option<&'static str>,
    /// The environment variable, when the flag may also be set there.
    pub env: Option<&'static str>,
    /// `set:` (true: must be found; false: must be absent).
    pub set: bool,
    /// The comparison, when the value matters.
    pub compare: Option<(Op, &'static str)>,
}

impl Item {
    /// `flag` must be present.
    pub const fn present(flag: &'static str) -> Item {
        Item {
            flag,
            path: None,
            env: None,
            set: true,
            compare: None,
        }
    }
    /// `flag` must be absent.
    pub const fn absent(flag: &'static str) -> Item {
        Item {
            set: false,
            ..Item::present(flag)
        }
    }
    /// `flag` must be present and compare.
    pub const fn cmp(flag: &'static str, op: Op, value: &'static str) -> Item {
        Item {
            compare: Some((op, value)),
            ..Item::present(flag)
        }
    }
    /// Also looked up at `path` in the config file.
    pub const fn path(self, path: &'static str) -> Item {
        Item {
            path: Some(path),
            ..self
        }
    }
    /// Also looked up in the environment variable `env`.
    pub const fn env(self, env: &'static str) -> Item {
        Item {
            env: Some(env),
            ..self
        }
    }
}

/// How test items combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BinOp {
    /// All must pass.
    And,
    /// One must pass.
    Or,
}

/// A set of files a file check looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Files {
    /// The component's config (`$apiserverconf` ...): its static pod manifest.
    Conf(Component),
    /// Files named `*etcd*` at `$etcdconf` (1.1.7/1.1.8).
    EtcdConf,
    /// CNI configuration and IPAM state files (1.1.9/1.1.10).
    Cni,
    /// The etcd data directory (1.1.11/1.1.12).
    EtcdDataDir,
    /// `admin.conf` and `super-admin.conf` (1.1.13/1.1.14).
    AdminConfs,
    /// A component's kubeconfig (`$schedulerkubeconfig` ...).
    Kubeconfig(Component),
    /// Everything below `/etc/kubernetes/pki/` (1.1.19).
    Pki,
    /// `*.crt` below `/etc/kubernetes/pki/` (1.1.20).
    PkiCerts,
    /// `*.key` below `/etc/kubernetes/pki/` (1.1.21).
    PkiKeys,
    /// The kubelet's systemd unit files (4.1.1/4.1.2).
    KubeletService,
    /// kube-proxy's kubeconfig (4.1.3/4.1.4).
    ProxyKubeconfig,
    /// The kubelet's client CA file (4.1.7/4.1.8).
    KubeletClientCa,
    /// The kubelet's config file (4.1.9/4.1.10).
    KubeletConfig,
}

/// What a check audits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audit {
    /// `type: manual`: nothing is run; always WARN.
    Manual,
    /// The component's command line (then its config file and environment, per item).
    Flags(Component),
    /// Permission bits of files (`permissions=%a`).
    Mode(Files),
    /// Ownership of files (`%U:%G`).
    Owner(Files),
    /// The encryption providers of the file named by `--encryption-provider-config`.
    EncryptionProviders,
    /// Needs the cluster API (`kubectl`): not decidable from a node.
    Cluster,
}

/// One check of the benchmark.
#[derive(Debug, Clone, Copy)]
pub struct CheckDef {
    /// The CIS recommendation number, e.g. `1.2.5`.
    pub id: &'static str,
    /// The group (`1.2`), kube-bench's `section`.
    pub group: &'static str,
    /// A one-line title.
    pub title: &'static str,
    /// The target.
    pub target: Target,
    /// Automated (scored: failure is FAIL) or Manual (failure is WARN).
    pub scored: bool,
    /// What is audited.
    pub audit: Audit,
    /// How the items combine.
    pub bin_op: BinOp,
    /// The test items.
    pub items: &'static [Item],
    /// Every line (file) must pass (`use_multiple_values`).
    pub multiple: bool,
    /// How to fix a failure.
    pub remediation: &'static str,
    /// When set, the check exists only in that benchmark version.
    pub only: Option<Benchmark>,
}

impl CheckDef {
    /// True when the check is part of `benchmark`.
    pub fn in_benchmark(&self, benchmark: Benchmark) -> bool {
        self.only.is_none_or(|b| b == benchmark)
    }
}

/// The checks of a benchmark, in document order.
pub fn checks(benchmark: Benchmark) -> impl Iterator<Item = &'static CheckDef> {
    ALL.iter().filter(move |c| c.in_benchmark(benchmark))
}

/// The title of a check group (kube-bench's group `text`).
pub fn group_title(group: &str) -> &'static str {
    match group {
        "1.1" => "Control Plane Node Configuration Files",
        "1.2" => "API Server",
        "1.3" => "Controller Manager",
        "1.4" => "Scheduler",
        "2" => "Etcd Node Configuration",
        "3.1" => "Authentication and Authorization",
        "3.2" => "Logging",
        "4.1" => "Worker Node Configuration Files",
        "4.2" => "Kubelet",
        "4.3" => "kube-proxy",
        "5.1" => "RBAC and Service Accounts",
        "5.2" => "Pod Security Standards",
        "5.3" => "Network Policies and CNI",
        "5.4" => "Secrets Management",
        "5.5" => "Extensible Admission Control",
        "5.6" => "General Policies",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_per_benchmark_match_checks_md() {
        // CHECKS.md "Number of checks": 133 in cis-1.11, 131 in cis-1.12, 65 scored.
        assert_eq!(checks(Benchmark::Cis111).count(), 133);
        assert_eq!(checks(Benchmark::Cis112).count(), 131);
        assert_eq!(checks(Benchmark::Cis112).filter(|c| c.scored).count(), 65);
        assert_eq!(
            checks(Benchmark::Cis112)
                .filter(|c| c.audit == Audit::Manual)
                .count(),
            28
        );
    }

    #[test]
    fn ids_are_unique_per_benchmark() {
        for b in [Benchmark::Cis111, Benchmark::Cis112] {
            let mut ids: Vec<&str> = checks(b).map(|c| c.id).collect();
            let n = ids.len();
            ids.sort();
            ids.dedup();
            assert_eq!(ids.len(), n, "{b:?}");
        }
    }
}
