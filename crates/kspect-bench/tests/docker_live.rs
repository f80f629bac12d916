//! `bench docker` live against a real daemon: runs only where a Docker daemon answers
//! on /var/run/docker.sock (it says so and returns otherwise). The expectations follow
//! from the options the test starts its two containers with.

#[path = "common/docker.rs"]
mod live;

use std::path::Path;

use kspect_bench::docker::{self, DockerFacts, client::DockerClient};
use kspect_bench::{Report, RootedFs, Status};

fn evidence<'r>(r: &'r Report, id: &str) -> (&'r str, Status) {
    let c = r.get(id).unwrap_or_else(|| panic!("no check {id}"));
    (c.evidence.as_str(), c.status)
}

#[test]
fn live_daemon_and_containers() {
    if let Some(why) = live::unavailable() {
        println!("skipping: {why}");
        return;
    }
    let tag = std::process::id().to_string();
    let c = live::start(&tag).expect("start test containers");
    let client = DockerClient::new(&format!("unix://{}", live::SOCKET)).unwrap();
    let info = client.info().expect("docker info over the API");
    let containers = client
        .running_containers()
        .expect("containers over the API");
    let names: Vec<String> = containers
        .iter()
        .filter_map(|x| {
            x["Name"]
                .as_str()
                .map(|n| n.trim_start_matches('/').to_string())
        })
        .collect();
    assert!(
        names.contains(&c.bad) && names.contains(&c.good),
        "{names:?}"
    );
    let fs = RootedFs::live();
    let facts = DockerFacts::gather(&fs, Some(Path::new("/proc")), Some(info), containers);
    assert!(
        facts.dockerd_source.starts_with("/proc/"),
        "the running dockerd's command line: {}",
        facts.dockerd_source
    );
    let r = docker::run(&facts);
    let mut bad = Vec::new();
    // (check, listed: the bad container must be named, the good one must not)
    for id in [
        "4.1",  // root user: bad runs as root, good as 1000
        "4.6",  // health check: only good has one
        "5.10", // --network=host
        "5.11", // memory limit: only good
        "5.13", // read-only root filesystem: only good
        "5.16", // --pid=host
        "5.26", // no-new-privileges: only good
        "5.29", // pids limit: only good
        "5.32", // docker.sock mounted
    ] {
        let (ev, status) = evidence(&r, id);
        if status != Status::Fail || !ev.contains(&c.bad) || ev.contains(&c.good) {
            bad.push(format!("{id}: {status} {ev}"));
        }
    }
    // Mount of /etc: a sensitive host directory, read-write.
    let (ev, _) = evidence(&r, "5.6");
    if !ev.contains(&c.bad) || ev.contains(&c.good) {
        bad.push(format!("5.6: {ev}"));
    }
    for id in ["5.10", "5.11", "2.1"] {
        println!("{id}: {:?}", evidence(&r, id));
    }
    println!("{} of 10 passed", 10 - bad.len());
    assert!(bad.is_empty(), "disagreements:\n{}", bad.join("\n"));
}
