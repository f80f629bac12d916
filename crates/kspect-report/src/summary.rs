//! Counts every format prints, and the one finding order they all share.

use kspect_core::load::DiagnosticLevel;
use kspect_core::{Finding, Severity};

use crate::Report;

/// The counts of one report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Summary {
    /// Active (not suppressed) findings per severity, indexed like [`Severity::ALL`]
    /// (critical first).
    pub by_severity: [usize; 5],
    /// Active findings in all.
    pub active: usize,
    /// Suppressed findings.
    pub suppressed: usize,
    /// Input diagnostics of level error.
    pub errors: usize,
    /// Input diagnostics of level warning.
    pub warnings: usize,
    /// The exit status [`crate::exit_code`] gives.
    pub exit_code: i32,
}

impl Summary {
    /// Counts `report`.
    pub fn of(report: &Report) -> Summary {
        let mut s = Summary {
            exit_code: crate::exit_code(report),
            ..Summary::default()
        };
        for f in report.findings {
            if f.is_active() {
                s.active += 1;
                s.by_severity[severity_index(f.severity)] += 1;
            } else {
                s.suppressed += 1;
            }
        }
        for d in report.diagnostics {
            match d.level {
                DiagnosticLevel::Error => s.errors += 1,
                DiagnosticLevel::Warning => s.warnings += 1,
            }
        }
        s
    }

    /// Active findings of one severity.
    pub fn count(&self, severity: Severity) -> usize {
        self.by_severity[severity_index(severity)]
    }
}

/// The position of `severity` in [`Severity::ALL`].
fn severity_index(severity: Severity) -> usize {
    match severity {
        Severity::Critical => 0,
        Severity::High => 1,
        Severity::Medium => 2,
        Severity::Low => 3,
        Severity::Info => 4,
    }
}

/// The findings in report order: by file, document, line, column, object, rule and
/// message, the order of `kspect_core::finding::sort_findings`. Analyzers run in
/// parallel, so every format sorts to keep its output byte-identical between runs.
pub(crate) fn sorted(findings: &[Finding]) -> Vec<&Finding> {
    let mut v: Vec<&Finding> = findings.iter().collect();
    v.sort_by(|a, b| {
        fn place(f: &Finding) -> Option<(&str, u32, u32, u32)> {
            f.location
                .as_ref()
                .map(|l| (&*l.file, l.document, l.line, l.column))
        }
        place(a)
            .cmp(&place(b))
            .then_with(|| a.object.cmp(&b.object))
            .then_with(|| a.rule.cmp(&b.rule))
            .then_with(|| a.message.cmp(&b.message))
    });
    v
}
