//! Exit status: 1 exactly when an active finding is at or above `--fail-on`.

mod common;

use common::*;
use kspect_core::Severity;
use kspect_report::exit_code;

#[test]
fn threshold_comparison() {
    let fx = fixture();
    // Active: critical, high x2, medium (unregistered rule), info. Suppressed: low, medium.
    for (fail_on, want) in [
        (Some(Severity::Critical), 1),
        (Some(Severity::High), 1),
        (Some(Severity::Medium), 1),
        (Some(Severity::Low), 1),
        (Some(Severity::Info), 1),
        (None, 0),
    ] {
        assert_eq!(exit_code(&fx.report(fail_on)), want, "{fail_on:?}");
    }
}

#[test]
fn suppressed_findings_never_count() {
    let mut fx = fixture();
    // Keep only the low and medium suppressed ones and the info one.
    fx.findings
        .retain(|f| f.suppressed.is_some() || f.severity == Severity::Info);
    assert_eq!(fx.findings.len(), 3);
    assert_eq!(exit_code(&fx.report(Some(Severity::Low))), 0);
    assert_eq!(exit_code(&fx.report(Some(Severity::Medium))), 0);
    assert_eq!(exit_code(&fx.report(Some(Severity::Info))), 1);
    // Un-suppressing one makes it count.
    for f in &mut fx.findings {
        f.suppressed = None;
    }
    assert_eq!(exit_code(&fx.report(Some(Severity::Medium))), 1);
    assert_eq!(exit_code(&fx.report(Some(Severity::High))), 0);
}

#[test]
fn diagnostics_do_not_decide_the_exit_code() {
    let mut fx = fixture();
    fx.findings.clear();
    assert!(!fx.diagnostics.is_empty());
    assert_eq!(exit_code(&fx.report(Some(Severity::Info))), 0);
    assert_eq!(fx.report(Some(Severity::Info)).summary().errors, 1);
}
