//! The Docker checks on the samples of `cis/docker-samples/`, against the results
//! docker-bench-security 1.6.0 gives (its README), and the unix-socket client against a
//! fake Engine API serving the same samples.

mod common;

use std::io::{Read, Write};
use std::os::unix::net::UnixListener;
use std::path::Path;

use kspect_bench::docker::{self, DockerFacts, client::DockerClient};
use kspect_bench::{Report, RootedFs, Status};
use serde_json::Value;

fn report(samples: &Path, daemon: &str, containers: Vec<Value>, info: Option<Value>) -> Report {
    let t = common::Tree::new();
    t.write(
        "/etc/docker/daemon.json",
        0o644,
        &std::fs::read_to_string(samples.join(daemon)).unwrap(),
    );
    let fs = RootedFs::new(t.root());
    let facts = DockerFacts::gather(&fs, None, info, containers);
    docker::run(&facts)
}

/// docker-bench's WARN on a scored check is kspect's FAIL.
fn kspect_status(docker_bench: &str, scored: bool) -> &'static str {
    match (docker_bench, scored) {
        ("PASS", _) => "PASS",
        ("WARN", true) => "FAIL",
        ("WARN", false) => "WARN",
        _ => "INFO",
    }
}

#[test]
fn daemon_settings_match_docker_bench() {
    let Some(dir) = kspect_core::corpus::corpus_dir("cis/docker-samples") else {
        return;
    };
    let info = docker::load_info(&dir.join("docker-info.json")).unwrap();
    let containers = docker::load_inspect(&dir.join("inspect-containers.json")).unwrap();
    // README "Daemon (section 2)": (check, hardened, insecure) as docker-bench reports.
    let table: &[(&str, &str, &str)] = &[
        ("2.2", "PASS", "WARN"),
        ("2.3", "PASS", "WARN"),
        ("2.4", "PASS", "WARN"),
        ("2.5", "PASS", "WARN"),
        ("2.8", "PASS", "INFO"),
        ("2.9", "PASS", "WARN"),
        ("2.11", "PASS", "WARN"),
        ("2.12", "PASS", "WARN"),
        ("2.14", "PASS", "WARN"),
        ("2.16", "PASS", "WARN"),
        // From docker info.
        ("2.6", "PASS", "PASS"),
        ("2.13", "WARN", "WARN"),
        ("2.15", "PASS", "WARN"),
    ];
    let hard = report(
        &dir,
        "daemon-hardened.json",
        containers.clone(),
        Some(info.clone()),
    );
    let insecure = report(&dir, "daemon-insecure.json", containers, Some(info));
    let mut bad = Vec::new();
    let mut n = 0;
    for (id, h, i) in table {
        for (r, want) in [(&hard, h), (&insecure, i)] {
            n += 1;
            let got = r.get(id).unwrap();
            let want = kspect_status(want, got.scored);
            if got.status.as_str() != want {
                bad.push(format!(
                    "{id}: expected {want}, got {} ({})",
                    got.status, got.evidence
                ));
            }
        }
    }
    // Where kspect is deliberately right and says why: tlsverify in daemon.json (jq bug),
    // and the `profile=builtin` name of the default seccomp profile.
    let tls = hard.get("2.7").unwrap();
    assert_eq!(tls.status, Status::Pass);
    assert!(tls.note.as_deref().unwrap_or("").contains("jq"));
    assert_eq!(insecure.get("2.7").unwrap().status, Status::Fail);
    assert!(
        insecure
            .get("2.7")
            .unwrap()
            .evidence
            .contains("tcp://0.0.0.0:2375")
    );
    let sec = hard.get("2.17").unwrap();
    assert_eq!(sec.status, Status::Pass);
    assert!(
        sec.note
            .as_deref()
            .unwrap_or("")
            .contains("profile=default")
    );
    println!("{} of {} passed", n - bad.len(), n);
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// README "Containers": which of the three containers each check flags.
const FLAGGED: &[(&str, &[&str])] = &[
    ("4.1", &["nginx-default", "legacy-agent"]),
    ("5.2", &["legacy-agent"]),
    ("5.3", &["nginx-default"]),
    ("5.4", &["legacy-agent"]),
    ("5.5", &["legacy-agent"]),
    ("5.6", &["legacy-agent"]),
    ("5.8", &["nginx-default"]),
    ("5.9", &["web-hardened", "nginx-default"]),
    ("5.10", &["legacy-agent"]),
    ("5.11", &["nginx-default", "legacy-agent"]),
    ("5.12", &["nginx-default", "legacy-agent"]),
    ("5.13", &["nginx-default", "legacy-agent"]),
    ("5.14", &["nginx-default"]),
    ("5.15", &[]),
    ("5.16", &["legacy-agent"]),
    ("5.17", &["legacy-agent"]),
    ("5.18", &["legacy-agent"]),
    ("5.19", &["nginx-default", "legacy-agent"]),
    ("5.20", &["legacy-agent"]),
    ("5.21", &["legacy-agent"]),
    ("5.22", &["legacy-agent"]),
    ("5.25", &["legacy-agent"]),
    ("5.26", &["nginx-default", "legacy-agent"]),
    ("5.27", &["nginx-default", "legacy-agent"]),
    ("5.29", &["nginx-default", "legacy-agent"]),
    ("5.31", &[]),
    ("5.32", &["legacy-agent"]),
];

fn check_containers(r: &Report, nnp_daemon_wide: bool) -> Vec<String> {
    let mut bad = Vec::new();
    for (id, flagged) in FLAGGED {
        let flagged: &[&str] = if *id == "5.26" && nnp_daemon_wide {
            &[]
        } else {
            flagged
        };
        let got = r.get(id).unwrap();
        for name in ["web-hardened", "nginx-default", "legacy-agent"] {
            let is = got.evidence.contains(&format!("{name}:"));
            if is != flagged.contains(&name) {
                bad.push(format!(
                    "{id} {name}: expected flagged={}, evidence {}",
                    flagged.contains(&name),
                    got.evidence
                ));
            }
        }
        let want = match (*id, flagged.is_empty()) {
            (_, true) => Status::Pass,
            ("5.9", false) => Status::Warn,
            ("5.18" | "5.19", false) => Status::Info,
            _ => Status::Fail,
        };
        if got.status != want {
            bad.push(format!("{id}: expected {want}, got {}", got.status));
        }
    }
    bad
}

#[test]
fn container_checks_match_docker_bench() {
    let Some(dir) = kspect_core::corpus::corpus_dir("cis/docker-samples") else {
        return;
    };
    let info = docker::load_info(&dir.join("docker-info.json")).unwrap();
    let containers = docker::load_inspect(&dir.join("inspect-containers.json")).unwrap();
    let insecure = report(
        &dir,
        "daemon-insecure.json",
        containers.clone(),
        Some(info.clone()),
    );
    let hard = report(&dir, "daemon-hardened.json", containers, Some(info));
    let mut bad = check_containers(&insecure, false);
    bad.extend(check_containers(&hard, true));
    println!(
        "{} of {} passed",
        FLAGGED.len() * 2 - bad.len().min(FLAGGED.len() * 2),
        FLAGGED.len() * 2
    );
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    // Swarm is inactive: section 7 passes with its reason.
    assert_eq!(insecure.get("7.1").unwrap().status, Status::Pass);
    assert_eq!(insecure.get("5.1").unwrap().status, Status::Pass);
}

/// A fake Engine API on a unix socket, answering from the samples (one answer chunked).
fn serve(sock: &Path, info: String, containers: Vec<Value>) -> std::thread::JoinHandle<()> {
    let listener = UnixListener::bind(sock).unwrap();
    let requests = 2 + containers.len();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(requests) {
            let mut s = stream.unwrap();
            let mut buf = [0u8; 4096];
            let n = s.read(&mut buf).unwrap();
            let req = String::from_utf8_lossy(&buf[..n]).to_string();
            let path = req.split_whitespace().nth(1).unwrap_or("").to_string();
            let body = if path == "/info" {
                info.clone()
            } else if path == "/containers/json" {
                let list: Vec<Value> = containers
                    .iter()
                    .map(|c| serde_json::json!({"Id": c["Id"]}))
                    .collect();
                serde_json::to_string(&list).unwrap()
            } else {
                let id = path
                    .trim_start_matches("/containers/")
                    .trim_end_matches("/json");
                serde_json::to_string(containers.iter().find(|c| c["Id"] == id).unwrap()).unwrap()
            };
            if path == "/containers/json" {
                let mid = body.len() / 2;
                let resp = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{}\r\n{:x}\r\n{}\r\n0\r\n\r\n",
                    mid,
                    &body[..mid],
                    body.len() - mid,
                    &body[mid..]
                );
                s.write_all(resp.as_bytes()).unwrap();
            } else {
                let resp = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len()
                );
                s.write_all(resp.as_bytes()).unwrap();
            }
        }
    })
}

#[test]
fn live_api_over_unix_socket_gives_the_same_results() {
    let Some(dir) = kspect_core::corpus::corpus_dir("cis/docker-samples") else {
        return;
    };
    let info_text = std::fs::read_to_string(dir.join("docker-info.json")).unwrap();
    let containers = docker::load_inspect(&dir.join("inspect-containers.json")).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let sock = tmp.path().join("docker.sock");
    let server = serve(&sock, info_text, containers.clone());
    let client = DockerClient::new(&format!("unix://{}", sock.display())).unwrap();
    let info = client.info().unwrap();
    let live = client.running_containers().unwrap();
    server.join().unwrap();
    assert_eq!(live, containers);
    let from_api = report(&dir, "daemon-insecure.json", live, Some(info.clone()));
    let from_files = report(&dir, "daemon-insecure.json", containers, Some(info));
    assert_eq!(from_api.checks, from_files.checks);
}

#[test]
fn file_modes_use_a_bitmask_and_say_where_docker_bench_differs() {
    let t = common::Tree::new();
    t.write("/usr/lib/systemd/system/docker.service", 0o622, "[Service]\nExecStart=/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock --icc=false\n");
    t.write("/etc/docker/daemon.json", 0o1644, "{}");
    let fs = RootedFs::new(t.root());
    let facts = DockerFacts::gather(&fs, None, None, vec![]);
    let r = docker::run(&facts);
    // 622 lets group and others write: FAIL, although 622 <= 644 as decimal numbers.
    let s = r.get("3.2").unwrap();
    assert_eq!(s.status, Status::Fail, "{}", s.evidence);
    assert!(s.note.as_deref().unwrap_or("").contains("decimal"));
    // 1644: the sticky bit is outside 644 for both.
    assert_eq!(r.get("3.18").unwrap().status, Status::Fail);
    // The dockerd flag from the unit decides 2.2.
    assert_eq!(r.get("2.2").unwrap().status, Status::Pass);
    assert_eq!(r.get("3.1").unwrap().status, Status::Pass);
}
