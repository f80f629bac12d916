//! Package inventory from lockfiles, manifests and SBOMs.
//!
//! [`detect`] recognises a file by its name, [`parse_file`] / [`parse_str`]
//! read it into [`Package`]s, and [`scan_path`] walks a folder. Every parser
//! returns an [`InventoryError`] naming the file (and line, where the format
//! gives one) on malformed input; none panics.
//!
//! The parsers follow what osv-scalibr and Trivy extract from the same files
//! (their test fixtures are the corpus in `shared/corpus/vuln/inventory/`).
//! Where the two tools differ, the package carries the facts needed to tell
//! (its [`Relationship`], its [`PackageSource`], [`ParseOptions`]).

mod cargo;
mod composer;
pub mod distro;
mod golang;
mod maven;
mod npm;
mod pnpm;
mod python;
mod ruby;
mod sbom;
mod text;
mod yarn;

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;
use thiserror::Error;

use crate::ecosystem::Ecosystem;

pub use distro::Distro;
pub use sbom::Purl;

/// One package found in an inventory source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Package {
    /// Name as the ecosystem spells it (`@babel/core`, `group:artifact`, a Go module path).
    pub name: String,
    /// Version as locked (may be empty when the source pins none).
    pub version: String,
    /// The OSV ecosystem the package belongs to.
    #[serde(serialize_with = "ser_display")]
    pub ecosystem: Ecosystem,
    /// Where the package was declared.
    pub location: Option<Location>,
    /// Dependency groups (`dev`, `optional`, `test`, `bundled`, ...); empty = production.
    pub dep_groups: Vec<String>,
    /// Git commit the package was resolved to, for VCS-sourced packages.
    pub commit: Option<String>,
    /// The version requirement as declared, for manifests that declare a
    /// range rather than lock a version (`>=2.8.1,==2.8.*`).
    pub constraint: Option<String>,
    /// How the package relates to the project.
    pub relationship: Relationship,
    /// Where the package comes from.
    pub source: PackageSource,
}

fn ser_display<S: serde::Serializer>(e: &Ecosystem, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(e)
}

impl Package {
    /// A registry package with no extra facts, declared at `location`.
    pub fn new(
        ecosystem: Ecosystem,
        name: impl Into<String>,
        version: impl Into<String>,
        location: Option<Location>,
    ) -> Self {
        Package {
            name: name.into(),
            version: version.into(),
            ecosystem,
            location,
            dep_groups: Vec::new(),
            commit: None,
            constraint: None,
            relationship: Relationship::Unknown,
            source: PackageSource::Registry,
        }
    }

    /// Is the package only needed for development (tests, tooling)?
    pub fn is_dev(&self) -> bool {
        self.dep_groups.iter().any(|g| g == "dev")
    }

    /// The package URL (purl) for SBOM output.
    pub fn purl(&self) -> String {
        sbom::purl_for(self)
    }
}

/// A file and line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    /// The file that declared the package.
    pub file: PathBuf,
    /// 1-based line, when the format allows finding it.
    pub line: Option<u32>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{l}", self.file.display()),
            None => write!(f, "{}", self.file.display()),
        }
    }
}

/// How a package relates to the project that declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Relationship {
    /// The project itself (go.mod `module`, a workspace root).
    Root,
    /// A workspace member of the project.
    Workspace,
    /// Declared directly by the project.
    Direct,
    /// Pulled in by another dependency.
    Indirect,
    /// The format does not say.
    Unknown,
}

/// Where a package comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PackageSource {
    /// The ecosystem's registry.
    Registry,
    /// A VCS checkout.
    Git,
    /// A local path or file in the project.
    Local,
    /// A tarball URL.
    Url,
    /// Synthesised by the parser (Go's `stdlib` from a `go` directive).
    Implied,
    /// A registry package with local patches applied (yarn `patch:`).
    Patched,
}

/// Lockfile, manifest and SBOM formats this module reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// `Cargo.lock`
    CargoLock,
    /// `package-lock.json` / `npm-shrinkwrap.json` (lockfileVersion 1-3)
    NpmLock,
    /// `yarn.lock` (v1 and Berry)
    YarnLock,
    /// `pnpm-lock.yaml`
    PnpmLock,
    /// pip `requirements*.txt`
    Requirements,
    /// `poetry.lock`
    PoetryLock,
    /// `Pipfile.lock`
    PipfileLock,
    /// `uv.lock`
    UvLock,
    /// `go.mod`
    GoMod,
    /// `go.sum`
    GoSum,
    /// `Gemfile.lock`
    GemfileLock,
    /// `composer.lock`
    ComposerLock,
    /// `pom.xml`
    PomXml,
    /// `gradle.lockfile`
    GradleLockfile,
    /// CycloneDX JSON (`*.cdx.json`, `bom.json`)
    CycloneDxJson,
    /// CycloneDX XML (`*.cdx.xml`, `bom.xml`)
    CycloneDxXml,
    /// SPDX JSON (`*.spdx.json`)
    SpdxJson,
}

impl Format {
    /// Every format, for help texts and tests.
    pub const ALL: [Format; 17] = [
        Format::CargoLock,
        Format::NpmLock,
        Format::YarnLock,
        Format::PnpmLock,
        Format::Requirements,
        Format::PoetryLock,
        Format::PipfileLock,
        Format::UvLock,
        Format::GoMod,
        Format::GoSum,
        Format::GemfileLock,
        Format::ComposerLock,
        Format::PomXml,
        Format::GradleLockfile,
        Format::CycloneDxJson,
        Format::CycloneDxXml,
        Format::SpdxJson,
    ];

    /// A short label (`Cargo.lock`, `CycloneDX JSON`, ...).
    pub fn label(self) -> &'static str {
        match self {
            Format::CargoLock => "Cargo.lock",
            Format::NpmLock => "package-lock.json",
            Format::YarnLock => "yarn.lock",
            Format::PnpmLock => "pnpm-lock.yaml",
            Format::Requirements => "requirements.txt",
            Format::PoetryLock => "poetry.lock",
            Format::PipfileLock => "Pipfile.lock",
            Format::UvLock => "uv.lock",
            Format::GoMod => "go.mod",
            Format::GoSum => "go.sum",
            Format::GemfileLock => "Gemfile.lock",
            Format::ComposerLock => "composer.lock",
            Format::PomXml => "pom.xml",
            Format::GradleLockfile => "gradle.lockfile",
            Format::CycloneDxJson => "CycloneDX JSON",
            Format::CycloneDxXml => "CycloneDX XML",
            Format::SpdxJson => "SPDX JSON",
        }
    }
}

/// Recognise a lockfile, manifest or SBOM by its file name, as the tools
/// that write them name them. `None` for anything else.
pub fn detect(path: &Path) -> Option<Format> {
    let name = path.file_name()?.to_str()?;
    let lower = name.to_ascii_lowercase();
    Some(match name {
        "Cargo.lock" => Format::CargoLock,
        "package-lock.json" | "npm-shrinkwrap.json" => Format::NpmLock,
        "yarn.lock" => Format::YarnLock,
        "pnpm-lock.yaml" => Format::PnpmLock,
        "poetry.lock" => Format::PoetryLock,
        "Pipfile.lock" => Format::PipfileLock,
        "uv.lock" => Format::UvLock,
        "go.mod" => Format::GoMod,
        "go.sum" => Format::GoSum,
        "Gemfile.lock" | "gems.locked" => Format::GemfileLock,
        "composer.lock" => Format::ComposerLock,
        "pom.xml" => Format::PomXml,
        "gradle.lockfile" => Format::GradleLockfile,
        _ if lower.ends_with(".cdx.json") || lower == "bom.json" => Format::CycloneDxJson,
        _ if lower.ends_with(".cdx.xml") || lower == "bom.xml" => Format::CycloneDxXml,
        _ if lower.ends_with(".spdx.json") => Format::SpdxJson,
        _ if lower.ends_with(".txt") && lower.contains("requirements") => Format::Requirements,
        _ => return None,
    })
}

/// Settings that change what a parser reports; the defaults are what
/// vulnerability matching wants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseOptions {
    /// go.mod: apply `replace` directives (default true).
    pub go_replace: bool,
    /// requirements.txt: take the lower bound of `>=`, `~=` and `>=,<`
    /// ranges as the version (Trivy's `useMinVersion`); otherwise only `==`
    /// (and `===`, `<=`, single-operator pins) give a version.
    pub pip_min_version: bool,
    /// Follow `-r other.txt` includes in requirements files (default true).
    pub pip_follow_includes: bool,
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions {
            go_replace: true,
            pip_min_version: false,
            pip_follow_includes: true,
        }
    }
}

/// A file that could not be read as the format it claims to be.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{file}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct InventoryError {
    /// The file.
    pub file: PathBuf,
    /// 1-based line of the problem, when known.
    pub line: Option<u32>,
    /// What is wrong.
    pub message: String,
}

impl InventoryError {
    pub(crate) fn new(file: &Path, line: Option<u32>, message: impl Into<String>) -> Self {
        InventoryError {
            file: file.to_path_buf(),
            line,
            message: message.into(),
        }
    }
}

/// Read `path` as `format` (or as what [`detect`] says when `format` is `None`).
pub fn parse_file(
    path: &Path,
    format: Option<Format>,
    options: &ParseOptions,
) -> Result<Vec<Package>, InventoryError> {
    let format = match format.or_else(|| detect(path)) {
        Some(f) => f,
        None => {
            return Err(InventoryError::new(
                path,
                None,
                "not a known lockfile, manifest or SBOM",
            ));
        }
    };
    // npm ignores package-lock.json when npm-shrinkwrap.json sits next to it.
    if format == Format::NpmLock
        && path.file_name().is_some_and(|n| n == "package-lock.json")
        && path.with_file_name("npm-shrinkwrap.json").is_file()
    {
        return Ok(Vec::new());
    }
    let bytes = std::fs::read(path).map_err(|e| InventoryError::new(path, None, e.to_string()))?;
    let text = text::decode(&bytes).map_err(|m| InventoryError::new(path, None, m))?;
    parse_str_in(format, &text, path, options)
}

/// Parse `text` as `format`; `file` names it in locations and errors.
/// Files a format refers to (requirements `-r`, a parent POM, go.sum next
/// to go.mod) are not followed: use [`parse_file`] for that.
pub fn parse_str(format: Format, text: &str, file: &Path) -> Result<Vec<Package>, InventoryError> {
    let options = ParseOptions {
        pip_follow_includes: false,
        ..ParseOptions::default()
    };
    parse_str_in(format, text, file, &options)
}

fn parse_str_in(
    format: Format,
    text: &str,
    file: &Path,
    options: &ParseOptions,
) -> Result<Vec<Package>, InventoryError> {
    match format {
        Format::CargoLock => cargo::parse(text, file),
        Format::NpmLock => npm::parse(text, file),
        Format::YarnLock => yarn::parse(text, file),
        Format::PnpmLock => pnpm::parse(text, file),
        Format::Requirements => python::requirements(text, file, options),
        Format::PoetryLock => python::poetry(text, file),
        Format::PipfileLock => python::pipfile(text, file),
        Format::UvLock => python::uv(text, file),
        Format::GoMod => golang::gomod(text, file, options),
        Format::GoSum => golang::gosum(text, file),
        Format::GemfileLock => ruby::gemfile_lock(text, file),
        Format::ComposerLock => composer::parse(text, file),
        Format::PomXml => maven::pom(text, file, options),
        Format::GradleLockfile => maven::gradle_lockfile(text, file),
        Format::CycloneDxJson => sbom::cyclonedx_json(text, file),
        Format::CycloneDxXml => sbom::cyclonedx_xml(text, file),
        Format::SpdxJson => sbom::spdx_json(text, file),
    }
}

/// Inventory of a file or folder. Folders are walked (skipping `.git`,
/// `node_modules`, `vendor` and `target`, whose contents are not the
/// project's declared dependencies); every recognised file is parsed. A file
/// that fails is reported in the second list and the walk goes on. A folder
/// with an `etc/os-release` gives its release to the distribution packages
/// found in it that name none (see [`distro`]).
pub fn scan_path(path: &Path, options: &ParseOptions) -> (Vec<Package>, Vec<InventoryError>) {
    let mut packages = Vec::new();
    let mut errors = Vec::new();
    let mut files = Vec::new();
    if path.is_dir() {
        walk(path, &mut files, &mut errors);
    } else {
        files.push(path.to_path_buf());
    }
    files.sort();
    for f in files {
        // go.sum only supplements go.mod; alone it lists far more than is built.
        if detect(&f) == Some(Format::GoSum) && f.with_file_name("go.mod").exists() {
            continue;
        }
        match parse_file(&f, None, options) {
            Ok(p) => packages.extend(p),
            Err(e) => errors.push(e),
        }
    }
    // A root file system's os-release names the release of the OS packages
    // found in it (an SBOM's own distro data, already applied, wins).
    if path.is_dir()
        && let Some(d) = distro::os_release_in(path)
    {
        distro::apply_distro(&mut packages, &d);
    }
    (packages, errors)
}

/// Inventory of one `kspect vuln` / `kspect sbom` target: `dir:PATH`,
/// `sbom:FILE` (CycloneDX JSON/XML or SPDX JSON, told apart by content, so
/// any file name works), or a plain file or folder path.
pub fn scan_target(target: &str, options: &ParseOptions) -> (Vec<Package>, Vec<InventoryError>) {
    if let Some(file) = target.strip_prefix("sbom:") {
        let path = Path::new(file);
        let sniffed = std::fs::read(path)
            .ok()
            .and_then(|b| text::decode(&b).ok())
            .map(|t| sniff_sbom(&t));
        return match sniffed {
            Some(Some(format)) => match parse_file(path, Some(format), options) {
                Ok(p) => (p, Vec::new()),
                Err(e) => (Vec::new(), vec![e]),
            },
            Some(None) => (
                Vec::new(),
                vec![InventoryError::new(
                    path,
                    None,
                    "not a CycloneDX or SPDX document",
                )],
            ),
            None => (
                Vec::new(),
                vec![InventoryError::new(path, None, "cannot read the file")],
            ),
        };
    }
    let path = target.strip_prefix("dir:").unwrap_or(target);
    scan_path(Path::new(path), options)
}

/// Which SBOM format `text` is, by its content.
pub fn sniff_sbom(text: &str) -> Option<Format> {
    let t = text.trim_start();
    if t.starts_with('<') {
        return t
            .contains("cyclonedx.org/schema/bom")
            .then_some(Format::CycloneDxXml);
    }
    let v: serde_json::Value = serde_json::from_str(t).ok()?;
    if v.get("bomFormat").and_then(|b| b.as_str()) == Some("CycloneDX") {
        Some(Format::CycloneDxJson)
    } else if v.get("spdxVersion").is_some() {
        Some(Format::SpdxJson)
    } else {
        None
    }
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>, errors: &mut Vec<InventoryError>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            errors.push(InventoryError::new(dir, None, e.to_string()));
            return;
        }
    };
    for entry in entries.flatten() {
        let p = entry.path();
        let Ok(ft) = entry.file_type() else { continue };
        if ft.is_dir() {
            let name = entry.file_name();
            if matches!(
                name.to_str(),
                Some(".git" | "node_modules" | "vendor" | "target")
            ) {
                continue;
            }
            walk(&p, files, errors);
        } else if ft.is_file() && detect(&p).is_some() {
            files.push(p);
        }
    }
}

/// Shorthand used by the parsers.
pub(crate) fn loc(file: &Path, line: Option<u32>) -> Option<Location> {
    Some(Location {
        file: file.to_path_buf(),
        line,
    })
}
