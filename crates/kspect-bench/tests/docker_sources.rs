//! Docker results say where their evidence was read: the line of the daemon.json key,
//! the checked file. The host tree is written here and the lines counted by hand.

mod common;

use common::Tree;
use kspect_bench::cmdline::Origin;
use kspect_bench::docker::{self, DockerFacts};
use kspect_bench::{RootedFs, Status};

#[test]
fn daemon_settings_and_files_have_sources() {
    let t = Tree::new();
    t.write(
        "/etc/docker/daemon.json",
        0o666,
        "{\n  \"log-level\": \"debug\",\n  \"icc\": true\n}\n",
    ); // log-level on line 2, icc on line 3
    let fs = RootedFs::new(t.root());
    let r = docker::run(&DockerFacts::gather(&fs, None, None, Vec::new()));
    let check = |id: &str| r.get(id).unwrap_or_else(|| panic!("no {id}"));
    // 2.2: icc true lets containers on the default bridge talk.
    assert_eq!(check("2.2").status, Status::Fail);
    assert_eq!(
        check("2.2").source,
        Some(Origin::at("/etc/docker/daemon.json", 3))
    );
    // 2.3: log level debug instead of info.
    assert_eq!(check("2.3").status, Status::Fail);
    assert_eq!(
        check("2.3").source,
        Some(Origin::at("/etc/docker/daemon.json", 2))
    );
    // 3.18: daemon.json 666 is wider than 644.
    assert_eq!(check("3.18").status, Status::Fail);
    assert_eq!(
        check("3.18").source,
        Some(Origin::file("/etc/docker/daemon.json"))
    );
}
