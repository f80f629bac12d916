//! `kspect scan`: every analyzer over the input.

use kspect_core::finding::sort_findings;
use kspect_core::suppress;
use kspect_report::{Format, RenderOptions, Report};

use crate::cli::ScanArgs;
use crate::context;
use crate::registry::all_rules;

/// Kinds whose bodies no analyzer of `scan` reads: their objects are still counted,
/// located and suppressible, but a CRD's OpenAPI schema is not kept in memory.
pub const BODIES_NOT_READ: &[&str] = &["CustomResourceDefinition"];

pub fn run(args: ScanArgs) -> anyhow::Result<u8> {
    let format: Format = args.out.format.parse()?;
    let registry = all_rules();
    let config = context::load_config(&args.out, &registry)?;
    let mut inventory = context::load_inventory_skimming(&args.paths, &args.out, BODIES_NOT_READ);
    let enabled = |rule: &kspect_core::Rule| registry.is_enabled(&config, rule);
    let mut findings = kspect_posture::check_selected(&inventory, &config, &enabled);
    findings.extend(network_findings(&mut inventory));
    findings.extend(super::rbac::findings(&inventory));
    findings = suppress::apply(findings, &inventory, &config, &registry, context::today());
    sort_findings(&mut findings);
    if format != Format::Table {
        // The table shows input problems itself; other formats carry them in the document,
        // and a person running the command still deserves to see them.
        context::report_input_problems(&inventory, args.out.quiet);
    }
    let report = Report {
        tool_version: env!("CARGO_PKG_VERSION"),
        command: "scan",
        findings: &findings,
        diagnostics: &inventory.diagnostics,
        registry: &registry,
        objects_scanned: inventory.len(),
        files_scanned: inventory.files,
        fail_on: Some(args.out.fail_on),
    };
    let options = RenderOptions {
        color: context::use_color(&args.out),
        base_dir: std::env::current_dir().ok(),
    };
    let mut out = context::open_output(&args.out)?;
    kspect_report::render(format, &report, &options, &mut out)?;
    out.flush()?;
    let failed = kspect_report::exit_code(&report) != 0;
    let input_errors = inventory
        .diagnostics
        .iter()
        .any(|d| d.level == kspect_core::load::DiagnosticLevel::Error);
    // The process ends right after this: freeing every object and finding one by one
    // took a tenth of the run on the manifest corpus, for memory the OS takes back anyway.
    std::mem::forget(findings);
    std::mem::forget(inventory);
    Ok(super::exit_status(failed, input_errors))
}

/// NetworkPolicy findings. Input the network model cannot accept (a named port with an
/// ipBlock peer, a bad CIDR ...) is reported as a diagnostic instead of being skipped
/// in silence; `kspect netpol list` gives the full error. A Namespace or NetworkPolicy
/// defined twice keeps its first definition (with a warning when the two differ):
/// scanning several applications at once should not cost every network finding.
fn network_findings(inventory: &mut kspect_core::Inventory) -> Vec<kspect_core::Finding> {
    use kspect_core::load::{Diagnostic, DiagnosticLevel};
    let options = kspect_netpol::BuildOptions {
        lenient: true,
        ..Default::default()
    };
    let cluster = match kspect_netpol::build(inventory, options) {
        Ok(cluster) => cluster,
        Err(e) => {
            inventory.diagnostics.push(Diagnostic {
                level: DiagnosticLevel::Warning,
                file: "<network policies>".to_string(),
                document: None,
                line: None,
                column: None,
                message: format!("NetworkPolicy analysis skipped: {e}"),
            });
            return Vec::new();
        }
    };
    let findings = kspect_netpol::checks::check_cluster(inventory, &cluster);
    for d in cluster.skipped {
        inventory.diagnostics.push(Diagnostic {
            level: DiagnosticLevel::Warning,
            file: d.location.file.to_string(),
            document: Some(d.location.document),
            line: Some(d.location.line),
            column: Some(d.location.column),
            message: format!("{}: {}", d.object, d.message),
        });
    }
    findings
}

#[cfg(test)]
mod tests {
    /// A rule that names a kind among its subjects reads that kind's body: scan must
    /// then keep it.
    #[test]
    fn no_rule_reads_a_kind_whose_body_scan_drops() {
        for rule in crate::registry::all_rules().rules() {
            for kind in super::BODIES_NOT_READ {
                assert!(
                    !rule.kinds.contains(kind),
                    "{} reads {kind}, whose body `scan` drops",
                    rule.id
                );
            }
        }
    }
}
