//! Containers on a real Docker daemon for the live tests: a tiny image made locally
//! (`docker import` of `/usr/bin/sleep` and the libraries it needs, so nothing is
//! pulled), one container started with risky options and one hardened.

use std::path::Path;
use std::process::Command;

pub const SOCKET: &str = "/var/run/docker.sock";

/// Why the live test cannot run here, or `None` when a daemon answers on the socket
/// and the `docker` CLI is available.
pub fn unavailable() -> Option<String> {
    if !Path::new(SOCKET).exists() {
        return Some(format!("no Docker daemon socket at {SOCKET}"));
    }
    match Command::new("docker")
        .args(["version", "--format", "{{.Server.Version}}"])
        .output()
    {
        Ok(o) if o.status.success() => None,
        Ok(o) => Some(format!(
            "the Docker daemon does not answer: {}",
            String::from_utf8_lossy(&o.stderr).trim()
        )),
        Err(e) => Some(format!("no docker CLI: {e}")),
    }
}

fn docker(args: &[&str]) -> Result<String, String> {
    let o = Command::new("docker")
        .args(args)
        .output()
        .map_err(|e| e.to_string())?;
    if o.status.success() {
        Ok(String::from_utf8_lossy(&o.stdout).trim().to_string())
    } else {
        Err(format!(
            "docker {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&o.stderr).trim()
        ))
    }
}

/// Removes the containers when the test ends, passed or not.
pub struct Containers {
    pub bad: String,
    pub good: String,
}

impl Drop for Containers {
    fn drop(&mut self) {
        let _ = docker(&["rm", "-f", &self.bad, &self.good]);
    }
}

/// Builds the image (once per name) and starts the two containers.
pub fn start(tag: &str) -> Result<Containers, String> {
    let image = "kspect-test-tiny:1";
    if docker(&["image", "inspect", image]).is_err() {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let root = dir.path().join("rootfs");
        for (src, dst) in [
            ("/usr/bin/sleep", "bin/sleep"),
            (
                "/lib/x86_64-linux-gnu/libc.so.6",
                "lib/x86_64-linux-gnu/libc.so.6",
            ),
            ("/lib64/ld-linux-x86-64.so.2", "lib64/ld-linux-x86-64.so.2"),
        ] {
            let to = root.join(dst);
            std::fs::create_dir_all(to.parent().ok_or("no parent")?).map_err(|e| e.to_string())?;
            std::fs::copy(src, &to).map_err(|e| format!("{src}: {e}"))?;
        }
        let tar = dir.path().join("rootfs.tar");
        let ok = Command::new("tar")
            .arg("-C")
            .arg(&root)
            .arg("-cf")
            .arg(&tar)
            .arg(".")
            .status()
            .map_err(|e| e.to_string())?;
        if !ok.success() {
            return Err("tar failed".into());
        }
        docker(&["import", &tar.to_string_lossy(), image])?;
    }
    let c = Containers {
        bad: format!("kspect-live-bad-{tag}"),
        good: format!("kspect-live-good-{tag}"),
    };
    let _ = docker(&["rm", "-f", &c.bad, &c.good]);
    docker(&[
        "run",
        "-d",
        "--name",
        &c.bad,
        "--pid=host",
        "--network=host",
        "-v",
        "/var/run/docker.sock:/var/run/docker.sock",
        "-v",
        "/etc:/host/etc",
        image,
        "/bin/sleep",
        "600",
    ])?;
    docker(&[
        "run",
        "-d",
        "--name",
        &c.good,
        "--read-only",
        "--user",
        "1000",
        "--memory",
        "64m",
        "--cpu-shares",
        "512",
        "--pids-limit",
        "100",
        "--security-opt",
        "no-new-privileges",
        "--cap-drop",
        "ALL",
        "--restart",
        "on-failure:5",
        "--health-cmd",
        "/bin/sleep 0",
        image,
        "/bin/sleep",
        "600",
    ])?;
    Ok(c)
}
