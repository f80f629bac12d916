//! Results of a benchmark run.

use serde::Serialize;

use crate::cmdline::Origin;

/// The state of one check, as kube-bench names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Status {
    /// The recommendation is met.
    #[serde(rename = "PASS")]
    Pass,
    /// An automated (scored) recommendation is not met.
    #[serde(rename = "FAIL")]
    Fail,
    /// A manual recommendation is not met or needs a person to decide.
    #[serde(rename = "WARN")]
    Warn,
    /// Informational.
    #[serde(rename = "INFO")]
    Info,
}

impl Status {
    /// `PASS`, `FAIL`, `WARN` or `INFO`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::Warn => "WARN",
            Status::Info => "INFO",
        }
    }

    /// The state of a test that passed or not.
    pub fn of(passed: bool, scored: bool) -> Status {
        match (passed, scored) {
            (true, _) => Status::Pass,
            (false, true) => Status::Fail,
            (false, false) => Status::Warn,
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// The result of one check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckResult {
    /// The recommendation number (`1.2.5`).
    pub id: String,
    /// The group (`1.2`).
    pub group: String,
    /// Title.
    pub title: String,
    /// Target (`master`, `node` ..., or `docker` sections for the Docker benchmark).
    pub target: String,
    /// Automated (scored).
    pub scored: bool,
    /// kspect's verdict.
    pub status: Status,
    /// What was seen and where.
    pub evidence: String,
    /// How to fix it.
    pub remediation: String,
    /// What kube-bench reports for the same input, when it differs from `status`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kube_bench_status: Option<Status>,
    /// Why kspect's verdict differs from kube-bench's, or other caveats.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The test, in kube-bench's words (`'--profiling' is equal to 'false'`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub expected: String,
    /// What was audited, in words.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub audit: String,
    /// The values seen, one per line, as kube-bench's `actual_value`.
    #[serde(skip)]
    pub actual: String,
    /// `manual` for checks nothing can decide, empty otherwise.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub kind: String,
    /// Where the deciding evidence was read: the manifest, unit, environment or config
    /// file and line of the flag or key, the checked file, `/proc/PID/cmdline` live, or
    /// the object of a `--manifests` input; `null` when nothing was read (manual checks).
    pub source: Option<Origin>,
    /// Every place the evidence came from, deciding one first (only when more than one).
    #[serde(skip_serializing_if = "sources_is_trivial")]
    pub sources: Vec<Origin>,
}

fn sources_is_trivial(s: &[Origin]) -> bool {
    s.len() <= 1
}

impl CheckResult {
    /// Records where the evidence came from: `sources` in order, the first being the
    /// deciding one (duplicates dropped).
    pub fn set_sources(&mut self, sources: impl IntoIterator<Item = Origin>) {
        let mut all: Vec<Origin> = Vec::new();
        for o in sources {
            if !all.contains(&o) {
                all.push(o);
            }
        }
        self.source = all.first().cloned();
        self.sources = all;
    }
}

/// A whole run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// `cis-1.12`, or `cis-docker-1.6.0`.
    pub benchmark: String,
    /// Why this benchmark (`--benchmark`, or the version seen and where).
    pub benchmark_source: String,
    /// The targets run, in order.
    pub targets: Vec<String>,
    /// Results in document order.
    pub checks: Vec<CheckResult>,
    /// Problems met while gathering facts.
    pub notes: Vec<String>,
}

/// PASS/FAIL/WARN/INFO counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// PASS.
    pub pass: usize,
    /// FAIL.
    pub fail: usize,
    /// WARN.
    pub warn: usize,
    /// INFO.
    pub info: usize,
}

impl Totals {
    /// Counts the statuses of `results`.
    pub fn of<'a>(results: impl IntoIterator<Item = &'a CheckResult>) -> Totals {
        let mut t = Totals::default();
        for r in results {
            match r.status {
                Status::Pass => t.pass += 1,
                Status::Fail => t.fail += 1,
                Status::Warn => t.warn += 1,
                Status::Info => t.info += 1,
            }
        }
        t
    }
}

impl Report {
    /// The result of check `id`.
    pub fn get(&self, id: &str) -> Option<&CheckResult> {
        self.checks.iter().find(|c| c.id == id)
    }

    /// Counts over all results.
    pub fn totals(&self) -> Totals {
        Totals::of(&self.checks)
    }
}
