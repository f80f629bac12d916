//! The distribution release of OS packages.
//!
//! Distribution advisories are per release (`Debian:12`, `Alpine:v3.19`): the
//! same package version can be fixed in one release and vulnerable in
//! another. A package that names no release can only be matched against the
//! advisories of every release, which reports vulnerabilities that do not
//! apply (osv-scanner's behaviour, google/osv-scanner#1556) — or be skipped,
//! which hides real ones (Trivy's "no OS is detected" warning). kspect takes
//! the release from, in order:
//!
//! 1. the package's purl `distro` qualifier (`distro=debian-12.4`,
//!    `distro=bookworm`, Trivy's bare `distro=3.19.1` for Alpine);
//! 2. the SBOM's operating-system component (CycloneDX `operating-system`,
//!    SPDX `primaryPackagePurpose: OPERATING-SYSTEM`), as Trivy does;
//! 3. an `etc/os-release` (or `usr/lib/os-release`) in a scanned folder;
//! 4. `kspect vuln --distro FAMILY/VERSION`.
//!
//! When none applies, the matcher still matches against every release but
//! says so in each finding and in the summary, so that nothing is silently
//! dropped and nothing is silently guessed.

use std::fmt;
use std::path::Path;

use super::Package;
use crate::ecosystem::Ecosystem;

/// A distribution and its version, as os-release spells them
/// (`ID=debian`, `VERSION_ID=12`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Distro {
    /// os-release `ID` (lower case): `debian`, `ubuntu`, `alpine`, `rocky`, ...
    pub family: String,
    /// os-release `VERSION_ID` or a codename: `12`, `22.04`, `3.19.1`, `bookworm`.
    pub version: String,
}

impl fmt::Display for Distro {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.family, self.version)
    }
}

impl Distro {
    /// Parse `FAMILY/VERSION` (also `FAMILY-VERSION`, `FAMILY:VERSION`), as
    /// given to `--distro`: `debian/12`, `alpine/3.19`, `ubuntu/22.04`.
    pub fn parse(s: &str) -> Option<Distro> {
        let s = s.trim();
        let (family, version) = s
            .split_once('/')
            .or_else(|| s.split_once(':'))
            .or_else(|| s.split_once('-'))?;
        let family = family.trim().to_ascii_lowercase();
        let version = version.trim();
        if family.is_empty() || version.is_empty() {
            return None;
        }
        Some(Distro {
            family,
            version: version.to_owned(),
        })
    }

    /// The release suffix this distro gives packages of `eco`'s family, or
    /// `None` when `eco` is another family or kspect cannot name the release
    /// as OSV spells it.
    pub fn release_for(&self, eco: &Ecosystem) -> Option<String> {
        let base = family_base(&self.family)?;
        (base == eco.base_name())
            .then(|| normalize_release(base, &self.version))
            .flatten()
    }
}

/// The OSV base ecosystem of an os-release `ID` (or a purl namespace, or an
/// SBOM operating-system component's name).
pub fn family_base(family: &str) -> Option<&'static str> {
    Some(match family.to_ascii_lowercase().as_str() {
        "debian" => "Debian",
        "ubuntu" => "Ubuntu",
        "alpine" => "Alpine",
        "rocky" | "rocky-linux" | "rockylinux" => "Rocky Linux",
        "almalinux" | "alma" => "AlmaLinux",
        "mariner" | "cbl-mariner" => "Mariner",
        "azurelinux" | "azure-linux" => "Azure Linux",
        "fedora" => "Fedora",
        "rhel" | "redhat" | "red hat" => "Red Hat",
        "sles" | "suse" | "sled" => "SUSE",
        "opensuse" | "opensuse-leap" | "opensuse-tumbleweed" => "openSUSE",
        _ => return None,
    })
}

/// Debian codenames (Debian's own list; `sid` is not a release).
const DEBIAN_CODENAMES: &[(&str, &str)] = &[
    ("squeeze", "6"),
    ("wheezy", "7"),
    ("jessie", "8"),
    ("stretch", "9"),
    ("buster", "10"),
    ("bullseye", "11"),
    ("bookworm", "12"),
    ("trixie", "13"),
    ("forky", "14"),
];

/// Ubuntu codenames of the releases OSV has advisories for.
const UBUNTU_CODENAMES: &[(&str, &str)] = &[
    ("trusty", "14.04"),
    ("xenial", "16.04"),
    ("bionic", "18.04"),
    ("focal", "20.04"),
    ("jammy", "22.04"),
    ("kinetic", "22.10"),
    ("lunar", "23.04"),
    ("mantic", "23.10"),
    ("noble", "24.04"),
    ("oracular", "24.10"),
    ("plucky", "25.04"),
    ("questing", "25.10"),
];

fn leading_numbers(v: &str, count: usize) -> Option<String> {
    let parts: Vec<&str> = v.split('.').take(count).collect();
    let ok = parts.len() == count
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    ok.then(|| parts.join("."))
}

/// The release as OSV's ecosystem suffix spells it, from what os-release,
/// a purl or an SBOM says: Debian `12.4` and `bookworm` -> `12`; Ubuntu
/// `22.04` and `jammy` -> `22.04`; Alpine `3.19.1` -> `v3.19`; Rocky and
/// AlmaLinux `9.3` -> `9`; Mariner and Azure Linux `2.0.20240123` -> `2.0`;
/// Fedora `39`. Red Hat and SUSE name products (`enterprise_linux:9::appstream`,
/// `Linux Enterprise Server 15 SP5`) that a version number does not
/// determine: `None`, as for anything unrecognised.
pub fn normalize_release(base: &str, raw: &str) -> Option<String> {
    let v = raw.trim().trim_matches('"').to_ascii_lowercase();
    let table = |t: &[(&str, &str)]| {
        t.iter()
            .find(|(name, _)| *name == v)
            .map(|(_, r)| (*r).to_owned())
    };
    match base {
        "Debian" => table(DEBIAN_CODENAMES).or_else(|| leading_numbers(&v, 1)),
        "Ubuntu" => table(UBUNTU_CODENAMES).or_else(|| leading_numbers(&v, 2)),
        "Alpine" => {
            if v == "edge" {
                return Some("edge".into());
            }
            leading_numbers(v.trim_start_matches('v'), 2).map(|mm| format!("v{mm}"))
        }
        "Rocky Linux" | "AlmaLinux" | "Fedora" => leading_numbers(&v, 1),
        "Mariner" | "Azure Linux" => leading_numbers(&v, 2),
        _ => None,
    }
}

/// The release a purl `distro` qualifier names for packages of `base`:
/// `debian-12.4`, `ubuntu-22.04`, `alpine-3.19.1`, `bookworm`, or a bare
/// version (`3.19.1`, as Trivy writes it for Alpine).
pub fn release_from_qualifier(base: &str, qualifier: &str) -> Option<String> {
    let q = qualifier.trim();
    // `family-version`: drop the family when a version follows it.
    let rest = match q.split_once('-') {
        Some((family, v))
            if family.bytes().all(|b| b.is_ascii_alphabetic())
                && v.starts_with(|c: char| c.is_ascii_digit() || c == 'v') =>
        {
            if family_base(family).is_some_and(|b| b != base) {
                return None;
            }
            v
        }
        _ => q,
    };
    normalize_release(base, rest)
}

/// Read an os-release file (`KEY=value` lines, values optionally quoted).
pub fn parse_os_release(text: &str) -> Option<Distro> {
    let mut id = None;
    let mut version = None;
    let mut codename = None;
    for line in text.lines() {
        let Some((k, v)) = line.trim().split_once('=') else {
            continue;
        };
        let v = v.trim().trim_matches(|c| c == '"' || c == '\'').to_owned();
        match k.trim() {
            "ID" => id = Some(v.to_ascii_lowercase()),
            "VERSION_ID" => version = Some(v),
            "VERSION_CODENAME" => codename = Some(v),
            _ => {}
        }
    }
    Some(Distro {
        family: id?,
        version: version.or(codename).filter(|v| !v.is_empty())?,
    })
}

/// The os-release of a root file system folder, when it has one.
pub fn os_release_in(dir: &Path) -> Option<Distro> {
    ["etc/os-release", "usr/lib/os-release"]
        .iter()
        .find_map(|rel| std::fs::read_to_string(dir.join(rel)).ok())
        .and_then(|t| parse_os_release(&t))
}

/// Give every package of `distro`'s family that names no release the
/// release `distro` names. Packages that already carry one keep it.
pub fn apply_distro(packages: &mut [Package], distro: &Distro) {
    for p in packages {
        if p.ecosystem.is_release_scoped()
            && p.ecosystem.suffix().is_none()
            && let Some(r) = distro.release_for(&p.ecosystem)
        {
            p.ecosystem = p.ecosystem.with_release(r);
        }
    }
}

/// Apply the operating systems an SBOM describes: each to the packages of
/// its family, unless the SBOM names two different releases of one family
/// (then it cannot say which package is which, and none is assumed).
pub(crate) fn apply_os_components(packages: &mut [Package], oses: &[Distro]) {
    for os in oses {
        let Some(base) = family_base(&os.family) else {
            continue;
        };
        let conflicting = oses.iter().any(|o| {
            family_base(&o.family) == Some(base)
                && normalize_release(base, &o.version) != normalize_release(base, &os.version)
        });
        if !conflicting {
            apply_distro(packages, os);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn releases_are_spelled_as_osv_does() {
        let n = normalize_release;
        assert_eq!(n("Debian", "12.4").as_deref(), Some("12"));
        assert_eq!(n("Debian", "bookworm").as_deref(), Some("12"));
        assert_eq!(n("Debian", "sid"), None);
        assert_eq!(n("Ubuntu", "22.04").as_deref(), Some("22.04"));
        assert_eq!(n("Ubuntu", "jammy").as_deref(), Some("22.04"));
        assert_eq!(n("Alpine", "3.19.1").as_deref(), Some("v3.19"));
        assert_eq!(n("Alpine", "v3.20").as_deref(), Some("v3.20"));
        assert_eq!(n("Alpine", "3"), None);
        assert_eq!(n("Rocky Linux", "9.3").as_deref(), Some("9"));
        assert_eq!(n("Mariner", "2.0.20240123").as_deref(), Some("2.0"));
        assert_eq!(n("Red Hat", "9.3"), None);
    }

    #[test]
    fn purl_distro_qualifiers() {
        let q = release_from_qualifier;
        assert_eq!(q("Debian", "debian-12.4").as_deref(), Some("12"));
        assert_eq!(q("Debian", "bookworm").as_deref(), Some("12"));
        assert_eq!(q("Ubuntu", "ubuntu-22.04").as_deref(), Some("22.04"));
        assert_eq!(q("Alpine", "alpine-3.19.1").as_deref(), Some("v3.19"));
        assert_eq!(q("Alpine", "3.18.4").as_deref(), Some("v3.18"));
        // A qualifier naming another distribution says nothing about this one.
        assert_eq!(q("Debian", "ubuntu-22.04"), None);
    }

    #[test]
    fn os_release_files() {
        let d = parse_os_release(
            "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\nID=debian\n",
        );
        assert_eq!(
            d,
            Some(Distro {
                family: "debian".into(),
                version: "12".into()
            })
        );
        // Debian testing has no VERSION_ID; its codename still names it.
        let d = parse_os_release("ID=debian\nVERSION_CODENAME=trixie\n").expect("distro");
        assert_eq!(
            d.release_for(&Ecosystem::Debian(None)).as_deref(),
            Some("13")
        );
        assert_eq!(parse_os_release("NAME=x\n"), None);
    }

    #[test]
    fn distro_flag_and_application() {
        let d = Distro::parse("alpine/3.19").expect("distro");
        assert_eq!(
            d.release_for(&Ecosystem::Alpine(None)).as_deref(),
            Some("v3.19")
        );
        assert_eq!(d.release_for(&Ecosystem::Debian(None)), None);
        assert_eq!(Distro::parse("debian"), None);
        let mut pkgs = vec![
            Package::new(Ecosystem::Alpine(None), "musl", "1.2.4-r2", None),
            Package::new(
                Ecosystem::Alpine(Some("v3.18".into())),
                "zlib",
                "1.3-r0",
                None,
            ),
            Package::new(Ecosystem::Npm, "lodash", "4.17.21", None),
        ];
        apply_distro(&mut pkgs, &d);
        assert_eq!(pkgs[0].ecosystem.to_string(), "Alpine:v3.19");
        assert_eq!(pkgs[1].ecosystem.to_string(), "Alpine:v3.18", "kept");
        assert_eq!(pkgs[2].ecosystem, Ecosystem::Npm);
        // Two releases of one family: neither is assumed.
        let mut pkgs = vec![Package::new(
            Ecosystem::Debian(None),
            "bash",
            "5.2.15-2",
            None,
        )];
        let oses = [
            Distro::parse("debian/11").expect("d"),
            Distro::parse("debian/12").expect("d"),
        ];
        apply_os_components(&mut pkgs, &oses);
        assert_eq!(pkgs[0].ecosystem, Ecosystem::Debian(None));
    }
}
