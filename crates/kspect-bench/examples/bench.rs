//! Runs a benchmark and prints the report: how the `kspect bench` command uses this crate.
//!
//! ```text
//! cargo run -p kspect-bench --example bench -- node [ROOT] [text|json|kube-bench-json]
//! cargo run -p kspect-bench --example bench -- docker ROOT INFO.json INSPECT.json [text|json]
//! ```

use std::path::Path;

use kspect_bench::docker::{self, DockerFacts};
use kspect_bench::node::{self, NodeOptions};
use kspect_bench::{NodeFacts, Report, RootedFs, render};

fn print(report: &Report, format: &str) {
    match format {
        "json" => println!(
            "{}",
            serde_json::to_string_pretty(&render::json(report)).unwrap_or_default()
        ),
        "kube-bench-json" => println!(
            "{}",
            serde_json::to_string_pretty(&render::kube_bench_json(report)).unwrap_or_default()
        ),
        _ => print!("{}", render::text(report)),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("node") => {
            let root = args.get(1).map(String::as_str).unwrap_or("/");
            let fs = RootedFs::new(root);
            let facts = if root == "/" {
                NodeFacts::live(&fs, Path::new("/proc"))
            } else {
                NodeFacts::offline(&fs)
            };
            let report = node::run(&facts, &NodeOptions::default());
            print(&report, args.get(2).map(String::as_str).unwrap_or("text"));
        }
        Some("docker") if args.len() >= 4 => {
            let fs = RootedFs::new(&args[1]);
            let info = docker::load_info(Path::new(&args[2])).ok();
            let containers = docker::load_inspect(Path::new(&args[3])).unwrap_or_default();
            let facts = DockerFacts::gather(&fs, None, info, containers);
            print(
                &docker::run(&facts),
                args.get(4).map(String::as_str).unwrap_or("text"),
            );
        }
        _ => {
            eprintln!("usage: bench node [ROOT] [FORMAT] | bench docker ROOT INFO INSPECT [FORMAT]")
        }
    }
}
