//! SBOM input (CycloneDX JSON and XML, SPDX JSON) and package URLs.
//!
//! Components are identified by their purl, which carries the ecosystem,
//! name and version; components without one are skipped (a file or an
//! operating system names no package an advisory could cover).

use std::path::Path;

use quick_xml::Reader;
use quick_xml::events::Event;
use serde_json::Value;

use super::distro::{self, Distro};
use super::text::{line_at, parse_json, s};
use super::{InventoryError, Package, loc};
use crate::ecosystem::Ecosystem;

/// A parsed package URL (`pkg:type/namespace/name@version?qualifiers`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purl {
    /// `npm`, `pypi`, `deb`, ...
    pub kind: String,
    /// Namespace (npm scope, Maven group, distribution), decoded.
    pub namespace: Option<String>,
    /// Name, decoded.
    pub name: String,
    /// Version, decoded.
    pub version: Option<String>,
    /// Qualifiers (`distro=debian-12`, `arch=amd64`), decoded.
    pub qualifiers: Vec<(String, String)>,
}

fn pct_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push(u8::try_from(h * 16 + l).unwrap_or(b'?'));
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn pct_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '~' | '+') {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

impl Purl {
    /// Parse a purl; `None` when it is not one.
    pub fn parse(s: &str) -> Option<Purl> {
        let rest = s.strip_prefix("pkg:")?;
        let rest = rest.split('#').next().unwrap_or(rest);
        let (rest, quals) = match rest.split_once('?') {
            Some((r, q)) => (r, q),
            None => (rest, ""),
        };
        let (kind, path) = rest.split_once('/')?;
        let path = path.trim_matches('/');
        let (path, version) = match path.rsplit_once('@') {
            Some((p, v)) if !p.is_empty() => (p, Some(pct_decode(v))),
            _ => (path, None),
        };
        let (namespace, name) = match path.rsplit_once('/') {
            Some((ns, n)) => (
                Some(ns.split('/').map(pct_decode).collect::<Vec<_>>().join("/")),
                pct_decode(n),
            ),
            None => (None, pct_decode(path)),
        };
        if name.is_empty() || kind.is_empty() {
            return None;
        }
        let qualifiers = quals
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_ascii_lowercase(), pct_decode(v)))
            .collect();
        Some(Purl {
            kind: kind.to_ascii_lowercase(),
            namespace,
            name,
            version,
            qualifiers,
        })
    }

    fn qualifier(&self, key: &str) -> Option<&str> {
        self.qualifiers
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The OSV ecosystem and package name this purl denotes, when kspect
    /// can match it.
    pub fn to_ecosystem(&self) -> Option<(Ecosystem, String)> {
        let ns = self.namespace.as_deref();
        let joined = |sep: &str| match ns {
            Some(n) => format!("{n}{sep}{}", self.name),
            None => self.name.clone(),
        };
        // `distro=debian-12.4`, `bookworm`, `alpine-3.19.1`, Trivy's bare
        // `3.19.1`: the release suffix, as OSV spells it.
        let release = |base: &str| {
            self.qualifier("distro")
                .and_then(|d| distro::release_from_qualifier(base, d))
        };
        Some(match self.kind.as_str() {
            "cargo" => (Ecosystem::CratesIo, self.name.clone()),
            "npm" => (Ecosystem::Npm, joined("/")),
            "pypi" => (Ecosystem::PyPI, self.name.clone()),
            "golang" => (Ecosystem::Go, joined("/")),
            "gem" => (Ecosystem::RubyGems, self.name.clone()),
            "composer" => (Ecosystem::Packagist, joined("/")),
            "maven" => (Ecosystem::Maven(None), joined(":")),
            "nuget" => (Ecosystem::NuGet, self.name.clone()),
            "hex" => (Ecosystem::Hex, self.name.clone()),
            "pub" => (Ecosystem::Pub, self.name.clone()),
            "deb" => match ns {
                Some("ubuntu") => (Ecosystem::Ubuntu(release("Ubuntu")), self.name.clone()),
                _ => (Ecosystem::Debian(release("Debian")), self.name.clone()),
            },
            "apk" => match ns {
                Some("wolfi") => (Ecosystem::Wolfi, self.name.clone()),
                Some("chainguard") => (Ecosystem::Chainguard, self.name.clone()),
                _ => (Ecosystem::Alpine(release("Alpine")), self.name.clone()),
            },
            "rpm" => {
                let eco = match ns {
                    Some("rocky" | "rocky-linux") => Ecosystem::RockyLinux(None),
                    Some("almalinux") => Ecosystem::AlmaLinux(None),
                    Some("suse" | "sles") => Ecosystem::Suse(None),
                    Some("opensuse") => Ecosystem::OpenSuse(None),
                    Some("mariner") => Ecosystem::Mariner(None),
                    Some("azurelinux") => Ecosystem::AzureLinux(None),
                    Some("fedora") => Ecosystem::Fedora(None),
                    _ => Ecosystem::RedHat(None),
                };
                let eco = match release(eco.base_name()) {
                    Some(r) => eco.with_release(r),
                    None => eco,
                };
                (eco, self.name.clone())
            }
            _ => return None,
        })
    }
}

/// The purl of an inventory package.
pub(crate) fn purl_for(p: &Package) -> String {
    let (kind, ns, name): (&str, Option<String>, String) = match &p.ecosystem {
        Ecosystem::CratesIo => ("cargo", None, p.name.clone()),
        Ecosystem::Npm => match p.name.split_once('/') {
            Some((scope, n)) if scope.starts_with('@') => {
                ("npm", Some(scope.to_owned()), n.to_owned())
            }
            _ => ("npm", None, p.name.clone()),
        },
        // purl-spec: PyPI names are lower-cased with `_` as `-`.
        Ecosystem::PyPI => ("pypi", None, p.name.to_ascii_lowercase().replace('_', "-")),
        Ecosystem::Go => match p.name.rsplit_once('/') {
            Some((ns, n)) => ("golang", Some(ns.to_owned()), n.to_owned()),
            None => ("golang", None, p.name.clone()),
        },
        Ecosystem::RubyGems => ("gem", None, p.name.clone()),
        Ecosystem::Packagist => match p.name.split_once('/') {
            Some((ns, n)) => ("composer", Some(ns.to_owned()), n.to_owned()),
            None => ("composer", None, p.name.clone()),
        },
        Ecosystem::Maven(_) => match p.name.split_once(':') {
            Some((g, a)) => ("maven", Some(g.to_owned()), a.to_owned()),
            None => ("maven", None, p.name.clone()),
        },
        Ecosystem::NuGet => ("nuget", None, p.name.clone()),
        Ecosystem::Hex => ("hex", None, p.name.clone()),
        Ecosystem::Pub => ("pub", None, p.name.clone()),
        Ecosystem::Debian(_) => ("deb", Some("debian".into()), p.name.clone()),
        Ecosystem::Ubuntu(_) => ("deb", Some("ubuntu".into()), p.name.clone()),
        Ecosystem::Alpine(_) => ("apk", Some("alpine".into()), p.name.clone()),
        Ecosystem::Wolfi => ("apk", Some("wolfi".into()), p.name.clone()),
        Ecosystem::Chainguard => ("apk", Some("chainguard".into()), p.name.clone()),
        Ecosystem::RedHat(_) => ("rpm", Some("redhat".into()), p.name.clone()),
        Ecosystem::RockyLinux(_) => ("rpm", Some("rocky-linux".into()), p.name.clone()),
        Ecosystem::AlmaLinux(_) => ("rpm", Some("almalinux".into()), p.name.clone()),
        Ecosystem::Suse(_) => ("rpm", Some("suse".into()), p.name.clone()),
        Ecosystem::OpenSuse(_) => ("rpm", Some("opensuse".into()), p.name.clone()),
        Ecosystem::Mariner(_) => ("rpm", Some("mariner".into()), p.name.clone()),
        Ecosystem::AzureLinux(_) => ("rpm", Some("azurelinux".into()), p.name.clone()),
        Ecosystem::Fedora(_) => ("rpm", Some("fedora".into()), p.name.clone()),
        Ecosystem::Hackage => ("hackage", None, p.name.clone()),
        Ecosystem::Cran => ("cran", None, p.name.clone()),
    };
    let mut out = format!("pkg:{kind}/");
    if let Some(ns) = ns {
        let enc: Vec<String> = ns.split('/').map(pct_encode).collect();
        out.push_str(&enc.join("/"));
        out.push('/');
    }
    out.push_str(&pct_encode(&name));
    if !p.version.is_empty() {
        out.push('@');
        out.push_str(&pct_encode(&p.version));
    }
    let distro = match &p.ecosystem {
        Ecosystem::Debian(Some(r)) => Some(format!("debian-{r}")),
        Ecosystem::Ubuntu(Some(r)) => Some(format!("ubuntu-{}", r.split(':').next().unwrap_or(r))),
        Ecosystem::Alpine(Some(r)) => Some(format!("alpine-{}", r.trim_start_matches('v'))),
        _ => None,
    };
    if let Some(d) = distro {
        out.push_str("?distro=");
        out.push_str(&pct_encode(&d));
    }
    out
}

fn from_purl(purl: &str, file: &Path, line: Option<u32>) -> Option<Package> {
    let p = Purl::parse(purl)?;
    let (eco, name) = p.to_ecosystem()?;
    Some(Package::new(
        eco,
        name,
        p.version.clone().unwrap_or_default(),
        loc(file, line),
    ))
}

pub(crate) fn cyclonedx_json(text: &str, file: &Path) -> Result<Vec<Package>, InventoryError> {
    let doc = parse_json(text, file)?;
    if s(doc.value.get("bomFormat")) != Some("CycloneDX") {
        return Err(InventoryError::new(
            file,
            Some(1),
            "not a CycloneDX document (bomFormat is not \"CycloneDX\")",
        ));
    }
    let mut out = Vec::new();
    // Components nest (`components[].components[]`); walk them all.
    let mut stack: Vec<(String, &Value)> = Vec::new();
    if let Some(list) = doc.value.get("components").and_then(Value::as_array) {
        stack.extend(
            list.iter()
                .enumerate()
                .map(|(i, c)| (format!("/components/{i}"), c))
                .rev(),
        );
    }
    let mut oses = Vec::new();
    if let Some(meta) = doc.value.get("metadata").and_then(|m| m.get("component")) {
        oses.extend(cdx_os(meta));
    }
    while let Some((ptr, c)) = stack.pop() {
        oses.extend(cdx_os(c));
        if let Some(purl) = s(c.get("purl")) {
            if let Some(p) = from_purl(purl, file, doc.line(&ptr)) {
                out.push(p);
            }
        }
        if let Some(list) = c.get("components").and_then(Value::as_array) {
            stack.extend(
                list.iter()
                    .enumerate()
                    .map(|(i, c)| (format!("{ptr}/components/{i}"), c))
                    .rev(),
            );
        }
    }
    distro::apply_os_components(&mut out, &oses);
    Ok(out)
}

/// A CycloneDX `operating-system` component as a distro (Trivy writes the
/// scanned image's OS so: `{"type": "operating-system", "name": "debian",
/// "version": "12.4"}`).
fn cdx_os(c: &Value) -> Option<Distro> {
    if s(c.get("type")) != Some("operating-system") {
        return None;
    }
    Some(Distro {
        family: s(c.get("name"))?.to_ascii_lowercase(),
        version: s(c.get("version"))?.to_owned(),
    })
}

pub(crate) fn spdx_json(text: &str, file: &Path) -> Result<Vec<Package>, InventoryError> {
    let doc = parse_json(text, file)?;
    if s(doc.value.get("spdxVersion")).is_none() {
        return Err(InventoryError::new(
            file,
            Some(1),
            "not an SPDX document (no spdxVersion)",
        ));
    }
    let mut out = Vec::new();
    let mut oses = Vec::new();
    for (i, pkg) in doc
        .value
        .get("packages")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        // Trivy and Syft mark the image's OS with this purpose.
        if s(pkg.get("primaryPackagePurpose")) == Some("OPERATING-SYSTEM")
            && let (Some(name), Some(version)) = (s(pkg.get("name")), s(pkg.get("versionInfo")))
        {
            oses.push(Distro {
                family: name.to_ascii_lowercase(),
                version: version.to_owned(),
            });
        }
        let refs = pkg.get("externalRefs").and_then(Value::as_array);
        let purl = refs.into_iter().flatten().find_map(|r| {
            (s(r.get("referenceType")) == Some("purl"))
                .then(|| s(r.get("referenceLocator")))
                .flatten()
        });
        if let Some(purl) = purl {
            if let Some(p) = from_purl(purl, file, doc.line(&format!("/packages/{i}"))) {
                out.push(p);
            }
        }
    }
    distro::apply_os_components(&mut out, &oses);
    Ok(out)
}

/// An open `<component>` of a CycloneDX XML document.
struct XmlComponent {
    line: u32,
    os: bool,
    name: Option<String>,
    version: Option<String>,
}

pub(crate) fn cyclonedx_xml(text: &str, file: &Path) -> Result<Vec<Package>, InventoryError> {
    let mut reader = Reader::from_str(text);
    let mut out = Vec::new();
    let mut path: Vec<String> = Vec::new();
    let mut open: Vec<XmlComponent> = Vec::new();
    let mut oses = Vec::new();
    let mut saw_bom = false;
    loop {
        let pos = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let ev = reader.read_event().map_err(|e| {
            let at = usize::try_from(reader.error_position()).unwrap_or(pos);
            InventoryError::new(file, Some(line_at(text, at)), format!("invalid XML: {e}"))
        })?;
        match ev {
            Event::Start(e) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                if path.is_empty() {
                    if name != "bom" {
                        return Err(InventoryError::new(
                            file,
                            Some(line_at(text, pos)),
                            "root element is not <bom>",
                        ));
                    }
                    saw_bom = true;
                }
                if name == "component" {
                    let os = e.attributes().flatten().any(|a| {
                        a.key.local_name().as_ref() == b"type"
                            && a.value.as_ref() == b"operating-system"
                    });
                    open.push(XmlComponent {
                        line: line_at(text, pos),
                        os,
                        name: None,
                        version: None,
                    });
                }
                path.push(name);
            }
            // The guard pops on every end tag; only a component's closes one.
            Event::End(_) if path.pop().as_deref() == Some("component") => {
                if let Some(XmlComponent {
                    os: true,
                    name: Some(family),
                    version: Some(version),
                    ..
                }) = open.pop()
                {
                    oses.push(Distro {
                        family: family.to_ascii_lowercase(),
                        version,
                    });
                }
            }
            Event::Text(t) if path.len() >= 2 && path[path.len() - 2] == "component" => {
                let raw = t.decode().map(|c| c.trim().to_owned()).unwrap_or_default();
                let value = quick_xml::escape::unescape(&raw)
                    .map(|c| c.into_owned())
                    .unwrap_or(raw);
                match path.last().map(String::as_str) {
                    Some("purl") => {
                        let line = open.last().map(|c| c.line);
                        if let Some(p) = from_purl(&value, file, line) {
                            out.push(p);
                        }
                    }
                    Some("name") => {
                        if let Some(c) = open.last_mut() {
                            c.name = Some(value);
                        }
                    }
                    Some("version") => {
                        if let Some(c) = open.last_mut() {
                            c.version = Some(value);
                        }
                    }
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !saw_bom {
        return Err(InventoryError::new(file, None, "no <bom> element"));
    }
    distro::apply_os_components(&mut out, &oses);
    Ok(out)
}
