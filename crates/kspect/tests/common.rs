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
