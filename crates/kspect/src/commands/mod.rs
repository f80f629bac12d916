//! One module per command.

pub mod audit;
pub mod bench;
pub mod netpol;
mod pss;
pub mod rbac;
mod rules;
pub mod runtime;
mod scan;
pub mod vuln;

use crate::cli::{Cli, Command};

/// Runs the command; the result is the process exit code.
pub fn run(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
        Command::Scan(args) => scan::run(args),
        Command::Pss(args) => pss::run(args),
        Command::Rules(args) => rules::list(args),
        Command::Explain(args) => rules::explain(args),
        Command::Rbac(args) => rbac::run(args),
        Command::Bench(args) => bench::run(args),
        Command::Runtime(args) => runtime::run(args),
        Command::Audit(args) => audit::run(args),
        Command::Vuln(args) => vuln::run(args),
        Command::Db(args) => vuln::run_db(args),
        Command::Sbom(args) => vuln::run_sbom(args),
        Command::Netpol(args) => netpol::run(args),
    }
}

/// Exit code 2 when some input could not be analysed, otherwise the findings' verdict.
pub fn exit_status(findings_failed: bool, input_errors: bool) -> u8 {
    if input_errors {
        2
    } else if findings_failed {
        1
    } else {
        0
    }
}
