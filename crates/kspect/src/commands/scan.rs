//! `kspect scan`: every analyzer over the input.

use kspect_core::finding::sort_findings;
use kspect_core::suppress;
use kspect_report::{Format, RenderOptions, Report};

use crate::cli::ScanArgs;
use crate::context;
use crate::registry::all_rules;

pub fn run(args: ScanArgs) -> anyhow::Result<u8> {
    let format: Format = args.out.format.parse()?;
    let registry = all_rules();
    let config = context::load_config(&args.out, &registry)?;
    let inventory = context::load_inventory(&args.paths, &args.out);
    let mut findings = kspect_posture::check(&inventory, &config);
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
    Ok(super::exit_status(failed, input_errors))
}
