//! Distribution packages and their release: where kspect takes it from (purl
//! `distro` qualifier, the SBOM's operating-system component, os-release,
//! `--distro`) and what it does when none says (match every release and say
//! so). Expectations come from ALPINE-CVE-2025-26519 in the corpus, whose
//! per-release `fixed` versions for musl are:
//!
//! | release | fixed       |   | release | fixed      |
//! |---------|-------------|---|---------|------------|
//! | v3.16   | 1.2.3-r4    |   | v3.20   | 1.2.5-r1   |
//! | v3.17   | 1.2.3-r6    |   | v3.21   | 1.2.5-r9   |
//! | v3.18   | 1.2.4-r3    |   | v3.22   | 1.2.5-r10  |
//! | v3.19   | 1.2.4_git20230717-r5 | | v3.23, v3.24 | 1.2.5-r10 |
//!
//! all introduced in 0.9.13. So musl 1.2.5-r1 is fixed on v3.16 to v3.20
//! (1.2.5 is above every older fix; on v3.20 it is the fix) and affected on
//! v3.21 to v3.24 (revision r1 < r9 < r10). The Alpine secdb files of the
//! corpus (v3.3 to v3.11) fix musl in 1.1.x releases, below 1.2.5.

use std::path::{Path, PathBuf};

use kspect_vuln::inventory::{self, Package, ParseOptions};
use kspect_vuln::{AdvisoryDb, Ecosystem, MatchOptions, MatchReport, match_packages};

fn corpus() -> Option<PathBuf> {
    kspect_core::corpus::corpus_dir("vuln")
}

fn alpine_db(root: &Path) -> (tempfile::TempDir, AdvisoryDb) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut db = AdvisoryDb::open(&dir.path().join("db.sqlite")).expect("db");
    let adv = root.join("advisories");
    let rep = db
        .import(&[
            adv.join("alpine/ALPINE-CVE-2025-26519.json"),
            adv.join("alpine-secdb"),
        ])
        .expect("import");
    assert!(rep.problems.is_empty(), "{:?}", rep.problems);
    (dir, db)
}

fn musl(eco: Ecosystem) -> Vec<Package> {
    vec![Package::new(eco, "musl", "1.2.5-r1", None)]
}

fn matched(db: &AdvisoryDb, packages: &[Package]) -> MatchReport {
    match_packages(db, packages, &MatchOptions::default()).expect("match")
}

#[test]
fn the_release_decides_and_an_unknown_one_is_said() {
    let Some(root) = corpus() else { return };
    let (_d, db) = alpine_db(&root);

    // v3.20: 1.2.5-r1 is the fix.
    let r = matched(&db, &musl(Ecosystem::Alpine(Some("v3.20".into()))));
    assert!(r.findings.is_empty(), "{:?}", r.findings);
    assert!(r.unknown_release.is_empty());

    // v3.21: affected, fixed in 1.2.5-r9.
    let r = matched(&db, &musl(Ecosystem::Alpine(Some("v3.21".into()))));
    assert_eq!(r.findings.len(), 1);
    let f = &r.findings[0];
    assert_eq!(f.id, "CVE-2025-26519");
    assert_eq!(f.fixed.as_deref(), Some("1.2.5-r9"));
    assert!(!f.release_unknown && f.releases.is_empty());

    // No release: every release's entry is tried; the finding says which
    // releases matched, and the report lists the package.
    let r = matched(&db, &musl(Ecosystem::Alpine(None)));
    assert_eq!(r.findings.len(), 1, "{:?}", r.findings);
    let f = &r.findings[0];
    assert!(f.release_unknown);
    assert_eq!(f.releases, ["v3.21", "v3.22", "v3.23", "v3.24"]);
    assert_eq!(f.fixed.as_deref(), Some("1.2.5-r9"), "the lowest fix above");
    assert_eq!(r.unknown_release.len(), 1);
    assert_eq!(r.unknown_release[0].package, "musl");
    assert!(r.unknown_release[0].reason.contains("every release"));

    // Wolfi is one rolling distribution: no release to miss.
    let r = matched(&db, &musl(Ecosystem::Wolfi));
    assert!(r.unknown_release.is_empty());
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(&p, text).expect("write");
    p
}

fn scan(target: &Path) -> Vec<Package> {
    let (p, e) = inventory::scan_target(&target.display().to_string(), &ParseOptions::default());
    assert!(e.is_empty(), "{e:?}");
    p
}

const CDX_NO_OS: &str = r#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
  "components": [{"type": "library", "name": "musl", "version": "1.2.5-r1",
                  "purl": "pkg:apk/alpine/musl@1.2.5-r1?arch=x86_64"}]}"#;

#[test]
fn sboms_and_root_file_systems_name_the_release() {
    let Some(root) = corpus() else { return };
    let (_d, db) = alpine_db(&root);
    let dir = tempfile::tempdir().expect("temp dir");
    let p = dir.path();

    // The purl's distro qualifier, as Syft (`alpine-3.21.2`) and Trivy (`3.20.3`) write it.
    let purl_eco = |purl: &str| {
        inventory::Purl::parse(purl)
            .and_then(|p| p.to_ecosystem())
            .map(|(e, _)| e.to_string())
    };
    assert_eq!(
        purl_eco("pkg:apk/alpine/musl@1.2.5-r1?arch=x86_64&distro=alpine-3.21.2").as_deref(),
        Some("Alpine:v3.21")
    );
    assert_eq!(
        purl_eco("pkg:apk/alpine/musl@1.2.5-r1?distro=3.20.3").as_deref(),
        Some("Alpine:v3.20")
    );
    assert_eq!(
        purl_eco("pkg:deb/debian/libc6@2.36-9?arch=amd64&distro=debian-12.4").as_deref(),
        Some("Debian:12")
    );
    assert_eq!(
        purl_eco("pkg:deb/ubuntu/bash@5.1-6ubuntu1?distro=ubuntu-22.04").as_deref(),
        Some("Ubuntu:22.04")
    );

    // CycloneDX JSON with the OS as Trivy writes it (metadata.component).
    let cdx = write(
        p,
        "os/bom.json",
        r#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
  "metadata": {"component": {"type": "operating-system", "name": "alpine", "version": "3.21.2"}},
  "components": [{"type": "library", "name": "musl", "version": "1.2.5-r1",
                  "purl": "pkg:apk/alpine/musl@1.2.5-r1?arch=x86_64"}]}"#,
    );
    let pkgs = scan(&cdx);
    assert_eq!(pkgs[0].ecosystem.to_string(), "Alpine:v3.21");
    let r = matched(&db, &pkgs);
    assert_eq!(r.findings.len(), 1);
    assert_eq!(r.findings[0].fixed.as_deref(), Some("1.2.5-r9"));
    assert!(!r.findings[0].release_unknown);

    // SPDX: the OS package's purpose is OPERATING-SYSTEM; v3.20 has the fix.
    let spdx = write(
        p,
        "spdx/x.spdx.json",
        r#"{"spdxVersion": "SPDX-2.3", "SPDXID": "SPDXRef-DOCUMENT", "name": "x",
  "packages": [
    {"SPDXID": "SPDXRef-os", "name": "alpine", "versionInfo": "3.20.3",
     "primaryPackagePurpose": "OPERATING-SYSTEM", "downloadLocation": "NONE"},
    {"SPDXID": "SPDXRef-musl", "name": "musl", "versionInfo": "1.2.5-r1", "downloadLocation": "NONE",
     "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
                       "referenceLocator": "pkg:apk/alpine/musl@1.2.5-r1"}]}]}"#,
    );
    let pkgs = scan(&spdx);
    assert_eq!(pkgs.len(), 1, "the OS itself is not a package");
    assert_eq!(pkgs[0].ecosystem.to_string(), "Alpine:v3.20");
    assert!(matched(&db, &pkgs).findings.is_empty());

    // CycloneDX XML, OS among the components.
    let xml = write(
        p,
        "xml/bom.xml",
        r#"<?xml version="1.0"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.6" version="1">
  <components>
    <component type="operating-system"><name>alpine</name><version>3.22.0</version></component>
    <component type="library"><name>musl</name><version>1.2.5-r1</version>
      <purl>pkg:apk/alpine/musl@1.2.5-r1</purl></component>
  </components>
</bom>"#,
    );
    let pkgs = scan(&xml);
    assert_eq!(pkgs[0].ecosystem.to_string(), "Alpine:v3.22");
    assert_eq!(
        matched(&db, &pkgs).findings[0].fixed.as_deref(),
        Some("1.2.5-r10")
    );

    // A root file system: its os-release names the release of the SBOM's packages.
    write(p, "rootfs/bom.json", CDX_NO_OS);
    write(
        p,
        "rootfs/etc/os-release",
        "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.20.3\n",
    );
    let pkgs = scan(&p.join("rootfs"));
    assert_eq!(pkgs[0].ecosystem.to_string(), "Alpine:v3.20");

    // Nothing says: no release, and the matcher says so.
    let bare = write(p, "bare/bom.json", CDX_NO_OS);
    let pkgs = scan(&bare);
    assert_eq!(pkgs[0].ecosystem, Ecosystem::Alpine(None));
    let r = matched(&db, &pkgs);
    assert!(r.findings[0].release_unknown);
    assert_eq!(r.unknown_release.len(), 1);
    assert_eq!(
        r.unknown_release[0].source.as_ref().map(|l| l.file.clone()),
        Some(bare)
    );
}
