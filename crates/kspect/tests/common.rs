//! Helpers shared by the CLI tests: run the real binary, write temporary inputs.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub fn kspect() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kspect"));
    c.env_remove("NO_COLOR").env("KSPECT_TODAY", "2026-06-01");
    c
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(args: &[&str], cwd: &Path) -> Run {
    let out = kspect()
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run kspect");
    to_run(out)
}

pub fn run_stdin(args: &[&str], cwd: &Path, input: &str) -> Run {
    let mut child = kspect()
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn kspect");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    to_run(child.wait_with_output().unwrap())
}

fn to_run(out: Output) -> Run {
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&p, text).unwrap();
    p
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `../shared/<what>` next to the repository, or `None` with a visible notice (a panic
/// under `CI=true`, where the shared folder must be present).
pub fn shared(what: &str) -> Option<PathBuf> {
    let p = repo_root().join("../shared").join(what);
    if p.exists() {
        return Some(p);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{} not found", p.display());
    }
    println!("skipping schema validation: {} not found", p.display());
    None
}

/// Errors of `log` against the OASIS SARIF 2.1.0 schema (`../shared/schemas`), one line
/// each; empty when it validates, `None` when the schema is not there.
pub fn sarif_schema_errors(log: &serde_json::Value) -> Option<Vec<String>> {
    let path = shared("schemas/sarif-schema-2.1.0.json")?;
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("read the SARIF schema"))
            .expect("the SARIF schema is JSON");
    let validator = jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles offline");
    Some(
        validator
            .iter_errors(log)
            .map(|e| format!("{}: {}", e.instance_path(), e))
            .collect(),
    )
}

/// Panics with the schema errors of a SARIF log written by the binary.
pub fn assert_valid_sarif(log: &serde_json::Value) {
    if let Some(errors) = sarif_schema_errors(log) {
        assert!(errors.is_empty(), "SARIF schema errors: {errors:#?}");
    }
}
