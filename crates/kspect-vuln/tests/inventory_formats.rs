//! Formats the corpus has no fixtures for (SBOMs, gradle.lockfile), error
//! reporting, and a property test that no parser panics.

use std::path::Path;

use kspect_vuln::Ecosystem;
use kspect_vuln::inventory::{self, Format, Purl};
use proptest::prelude::*;

const F: &str = "input";

fn names(format: Format, text: &str) -> Vec<String> {
    inventory::parse_str(format, text, Path::new(F))
        .expect("parses")
        .iter()
        .map(|p| format!("{} {}@{}", p.ecosystem, p.name, p.version))
        .collect()
}

#[test]
fn cyclonedx_json_components_with_purls() {
    let bom = r#"{
  "bomFormat": "CycloneDX", "specVersion": "1.6",
  "components": [
    {"type": "library", "name": "core", "version": "7.0.0", "purl": "pkg:npm/%40babel/core@7.0.0"},
    {"type": "operating-system", "name": "debian"},
    {"type": "library", "name": "openssl", "purl": "pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12",
     "components": [{"type": "library", "name": "x", "purl": "pkg:golang/github.com/x/y@v1.2.3"}]},
    {"type": "library", "name": "musl", "purl": "pkg:apk/alpine/musl@1.2.4-r2?distro=alpine-3.19.1"}
  ]
}"#;
    assert_eq!(
        names(Format::CycloneDxJson, bom),
        vec![
            "npm @babel/core@7.0.0",
            "Debian:12 openssl@3.0.11-1~deb12u2",
            "Go github.com/x/y@v1.2.3",
            "Alpine:v3.19 musl@1.2.4-r2",
        ]
    );
    let pkgs = inventory::parse_str(Format::CycloneDxJson, bom, Path::new(F)).expect("parses");
    // The component's line in the file.
    assert_eq!(pkgs[0].location.as_ref().and_then(|l| l.line), Some(4));
}

#[test]
fn cyclonedx_xml_and_spdx_json() {
    let xml = r#"<?xml version="1.0"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.6" version="1">
  <components>
    <component type="library">
      <name>log4j-core</name>
      <purl>pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1</purl>
    </component>
    <component type="library"><name>requests</name><purl>pkg:pypi/requests@2.31.0</purl></component>
  </components>
</bom>"#;
    assert_eq!(
        names(Format::CycloneDxXml, xml),
        vec![
            "Maven org.apache.logging.log4j:log4j-core@2.14.1",
            "PyPI requests@2.31.0"
        ]
    );
    let spdx = r#"{"spdxVersion": "SPDX-2.3", "packages": [
      {"name": "serde", "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:cargo/serde@1.0.200"}]},
      {"name": "no-purl"}
    ]}"#;
    assert_eq!(
        names(Format::SpdxJson, spdx),
        vec!["crates.io serde@1.0.200"]
    );
}

#[test]
fn gradle_lockfile() {
    let text = "# This is a Gradle generated file\ncom.google.guava:guava:31.1-jre=compileClasspath,runtimeClasspath\njunit:junit:4.13.2=testCompileClasspath\nempty=annotationProcessor\n";
    let pkgs = inventory::parse_str(Format::GradleLockfile, text, Path::new(F)).expect("parses");
    assert_eq!(pkgs.len(), 2);
    assert_eq!(
        (pkgs[0].name.as_str(), pkgs[0].version.as_str()),
        ("com.google.guava:guava", "31.1-jre")
    );
    assert_eq!(pkgs[1].dep_groups, vec!["test"]);
    assert_eq!(pkgs[1].location.as_ref().and_then(|l| l.line), Some(3));
    let err = inventory::parse_str(
        Format::GradleLockfile,
        "a:b\n",
        Path::new("gradle.lockfile"),
    )
    .expect_err("bad");
    assert_eq!(err.line, Some(1));
}

#[test]
fn errors_name_file_and_line() {
    let cases: &[(Format, &str, u32)] = &[
        (
            Format::CargoLock,
            "[[package]]\nname = \"a\"\nversion = \n",
            3,
        ),
        (Format::NpmLock, "{\n  \"packages\": {\n    \"x\": [}\n}", 3),
        (
            Format::YarnLock,
            "# yarn lockfile v1\n\nfoo@^1.0.0\n  version \"1.0.0\"\n",
            3,
        ),
        (
            Format::PnpmLock,
            "lockfileVersion: 5.4\npackages:\n  /a/1.0.0: [\n",
            4,
        ),
        (
            Format::GoMod,
            "module x\n\nrequire (\n\tgithub.com/a/b\n)\n",
            4,
        ),
        (
            Format::PomXml,
            "<project>\n  <dependencies>\n    <dependency>\n  </dependencies>\n</project>\n",
            4,
        ),
        (Format::GemfileLock, "GEM\n  specs:\n    rack (2.2.3\n", 3),
        (Format::PoetryLock, "[[package]]\nname = \"x\"\n", 1),
    ];
    for (format, text, line) in cases {
        let err = inventory::parse_str(*format, text, Path::new("some/lockfile"))
            .expect_err(format.label());
        assert_eq!(err.file, Path::new("some/lockfile"), "{err}");
        assert_eq!(err.line, Some(*line), "{}: {err}", format.label());
        assert!(err.to_string().starts_with("some/lockfile:"), "{err}");
    }
}

#[test]
fn detect_by_name() {
    for (name, f) in [
        ("Cargo.lock", Format::CargoLock),
        ("npm-shrinkwrap.json", Format::NpmLock),
        ("requirements-dev.txt", Format::Requirements),
        ("app.cdx.json", Format::CycloneDxJson),
        ("bom.xml", Format::CycloneDxXml),
        ("image.spdx.json", Format::SpdxJson),
        ("gradle.lockfile", Format::GradleLockfile),
    ] {
        assert_eq!(inventory::detect(Path::new(name)), Some(f), "{name}");
    }
    assert_eq!(inventory::detect(Path::new("notes.txt")), None);
}

#[test]
fn purl_round_trip() {
    let p = Purl::parse("pkg:maven/org.apache.commons/commons-text@1.9?type=jar").expect("purl");
    assert_eq!(
        p.to_ecosystem(),
        Some((
            Ecosystem::Maven(None),
            "org.apache.commons:commons-text".to_owned()
        ))
    );
    let pkg = inventory::Package::new(Ecosystem::PyPI, "Zope_Interface", "5.0", None);
    assert_eq!(pkg.purl(), "pkg:pypi/zope-interface@5.0");
    assert!(Purl::parse("pkg:").is_none());
    assert!(Purl::parse("not a purl").is_none());
}

fn any_format() -> impl Strategy<Value = Format> {
    proptest::sample::select(Format::ALL.to_vec())
}

/// Text that looks like lockfiles: fragments of their syntax in any order.
fn lockish() -> impl Strategy<Value = String> {
    let atoms = proptest::sample::select(vec![
        "[[package]]\n",
        "name = \"a\"\n",
        "version = \"1\"\n",
        "{",
        "}",
        "[",
        "]",
        "\"",
        ":",
        ",",
        "\n",
        "  ",
        "    ",
        "packages:\n",
        "  /a/1.0.0:\n",
        "require (\n",
        ")\n",
        "replace a => ./b\n",
        "<project>",
        "</project>",
        "<dependency>",
        "</dependency>",
        "<bom>",
        "GEM\n",
        "  specs:\n",
        "    a (1)\n",
        "a@^1:\n",
        "  version \"1\"\n",
        "\"packages\": {",
        "\"node_modules/a\": {\"version\": \"1\"}",
        "-r x.txt\n",
        "a==1 --hash=x\n",
        "é",
        "%",
        "${x}",
        "pkg:npm/%4",
        "\\\n",
        "\t",
        "#",
        "lockfileVersion: 9.0\n",
        "__metadata:\n",
        "=",
        "@",
        "/",
    ]);
    proptest::collection::vec(atoms, 0..40).prop_map(|v| v.concat())
}

proptest! {
    #[test]
    fn parsers_never_panic_on_lockfile_fragments(format in any_format(), text in lockish()) {
        let _ = inventory::parse_str(format, &text, Path::new("fuzz"));
    }

    #[test]
    fn parsers_never_panic_on_arbitrary_text(format in any_format(), text in "\\PC*") {
        let _ = inventory::parse_str(format, &text, Path::new("fuzz"));
    }

    #[test]
    fn purl_parse_never_panics(text in "pkg:[a-z%@/?=&#.0-9A-F\u{e9}-]{0,40}") {
        let _ = Purl::parse(&text).map(|p| p.to_ecosystem());
    }
}

/// Real lockfiles cut short at many points, read as every format: truncated
/// downloads and half-written files are what a scanner meets in practice.
#[test]
fn truncated_corpus_files_never_panic() {
    let Some(root) = kspect_core::corpus::corpus_dir("vuln/inventory") else {
        return;
    };
    let mut files = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            let rel = p
                .strip_prefix(&root)
                .unwrap_or(&p)
                .to_string_lossy()
                .into_owned();
            if p.is_dir() {
                stack.push(p);
            } else if !rel.ends_with(".golden.json")
                && !["dpkg", "apk", "rpm"].iter().any(|o| rel.starts_with(o))
            {
                files.push(p);
            }
        }
    }
    let mut parsed = 0usize;
    for f in files {
        let Ok(text) = std::fs::read_to_string(&f) else {
            continue;
        };
        let step = (text.len() / 12).max(1);
        for cut in (0..text.len()).step_by(step) {
            let Some(prefix) = text.get(..cut) else {
                continue;
            };
            for format in Format::ALL {
                let _ = inventory::parse_str(format, prefix, &f);
                parsed += 1;
            }
        }
    }
    assert!(parsed > 1000, "only {parsed} parses: corpus not read?");
}

#[test]
fn targets_dirs_and_sboms() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    std::fs::write(
        root.join("Cargo.lock"),
        "[[package]]\nname = \"a\"\nversion = \"1.0.0\"\n",
    )
    .expect("w");
    std::fs::create_dir_all(root.join("web/node_modules/x")).expect("mkdir");
    std::fs::write(root.join("web/yarn.lock"), "not a lockfile\n").expect("w");
    // Dependencies' own lockfiles under node_modules are not the project's.
    std::fs::write(
        root.join("web/node_modules/x/Cargo.lock"),
        "[[package]]\nname = \"b\"\nversion = \"1\"\n",
    )
    .expect("w");
    let (pkgs, errors) =
        inventory::scan_target(&format!("dir:{}", root.display()), &Default::default());
    assert_eq!(
        pkgs.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
        vec!["a"]
    );
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].file.ends_with("web/yarn.lock") && errors[0].line == Some(1),
        "{}",
        errors[0]
    );

    let sbom = root.join("whatever.json");
    std::fs::write(&sbom, r#"{"spdxVersion": "SPDX-2.3", "packages": [{"name": "x", "externalRefs": [{"referenceType": "purl", "referenceLocator": "pkg:gem/rack@2.2.3"}]}]}"#).expect("w");
    let (pkgs, errors) =
        inventory::scan_target(&format!("sbom:{}", sbom.display()), &Default::default());
    assert!(errors.is_empty());
    assert_eq!(pkgs[0].ecosystem, Ecosystem::RubyGems);
    let (_, errors) = inventory::scan_target(
        &format!("sbom:{}", root.join("Cargo.lock").display()),
        &Default::default(),
    );
    assert_eq!(errors.len(), 1);
}

#[test]
fn locations_point_at_the_entry() {
    let lock = "{\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"\": {},\n    \"node_modules/@a/b\": {\n      \"version\": \"1.0.0\"\n    }\n  }\n}\n";
    let p = inventory::parse_str(Format::NpmLock, lock, Path::new("package-lock.json"))
        .expect("parses");
    assert_eq!(
        (
            p[0].name.as_str(),
            p[0].location.as_ref().and_then(|l| l.line)
        ),
        ("@a/b", Some(5))
    );
    let cargo = "version = 3\n\n[[package]]\nname = \"a\"\nversion = \"1.0.0\"\n\n[[package]]\nname = \"b\"\nversion = \"2.0.0\"\n";
    let p =
        inventory::parse_str(Format::CargoLock, cargo, Path::new("Cargo.lock")).expect("parses");
    let lines: Vec<Option<u32>> = p
        .iter()
        .map(|p| p.location.as_ref().and_then(|l| l.line))
        .collect();
    assert_eq!(lines, vec![Some(3), Some(7)]);
    let pnpm =
        "lockfileVersion: '9.0'\npackages:\n  acorn@8.11.3:\n    resolution: {integrity: x}\n";
    let p =
        inventory::parse_str(Format::PnpmLock, pnpm, Path::new("pnpm-lock.yaml")).expect("parses");
    assert_eq!(
        (
            p[0].version.as_str(),
            p[0].location.as_ref().and_then(|l| l.line)
        ),
        ("8.11.3", Some(3))
    );
}
