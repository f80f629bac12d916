//! `kspect`: container and Kubernetes security analysis in one binary.
//!
//! The binary is thin on purpose: it parses the command line, loads the input, calls
//! the analyzer crates and hands their findings to a renderer. Errors become exit code
//! 2 with a message on stderr; findings at or above `--fail-on` become exit code 1.

mod cli;
mod commands;
mod context;
mod registry;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

/// jemalloc rather than glibc's malloc: `runtime replay` parses records on one thread
/// and frees them on another, where glibc's arenas contend (end-to-end replay measured
/// about twice as fast with jemalloc). mimalloc was as fast but kept 60% more memory
/// on `scan` of the manifest corpus (160 MB against 99 MB).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            // A closed pipe (`kspect scan . | head`) is not an error worth reporting.
            if err
                .downcast_ref::<std::io::Error>()
                .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            {
                return ExitCode::SUCCESS;
            }
            let _ = writeln!(std::io::stderr(), "kspect: error: {err:#}");
            ExitCode::from(2)
        }
    }
}
