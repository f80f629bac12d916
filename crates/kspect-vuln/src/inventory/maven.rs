//! Maven `pom.xml` (declared dependencies, with property interpolation,
//! `dependencyManagement`, default-active profiles and local parent POMs)
//! and Gradle `gradle.lockfile`.
//!
//! A POM alone does not give the resolved dependency tree (that needs the
//! Maven resolver and a repository); what it gives, offline, is what the
//! project declares, which is what osv-scalibr's offline extractor reports.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use quick_xml::Reader;
use quick_xml::events::Event;

use super::text::{decode, line_at};
use super::{InventoryError, Package, ParseOptions, Relationship, loc};
use crate::ecosystem::Ecosystem;

#[derive(Debug, Default, Clone)]
struct Dep {
    group: String,
    artifact: String,
    version: String,
    scope: String,
    line: u32,
}

#[derive(Debug, Default)]
struct Pom {
    group: String,
    artifact: String,
    version: String,
    parent: Option<(String, String, String, Option<String>)>,
    properties: HashMap<String, String>,
    deps: Vec<Dep>,
    managed: Vec<Dep>,
}

fn read_pom(text: &str, file: &Path) -> Result<Pom, InventoryError> {
    let mut reader = Reader::from_str(text);
    let mut pom = Pom::default();
    let mut path: Vec<String> = Vec::new();
    let mut dep: Option<Dep> = None;
    let mut parent = (String::new(), String::new(), String::new(), None::<String>);
    let mut has_parent = false;
    // Profiles: their dependencies count when the profile is active by default.
    let mut profile_deps: Vec<Dep> = Vec::new();
    let mut profile_active = false;
    let mut saw_project = false;
    loop {
        let pos = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let ev = reader.read_event().map_err(|e| {
            let at = usize::try_from(reader.error_position()).unwrap_or(pos);
            InventoryError::new(file, Some(line_at(text, at)), format!("invalid XML: {e}"))
        })?;
        match ev {
            Event::Start(e) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                if !is_xml_name(&String::from_utf8_lossy(e.name().as_ref())) {
                    return Err(InventoryError::new(
                        file,
                        Some(line_at(text, pos)),
                        format!("invalid element name <{name}>"),
                    ));
                }
                if path.is_empty() {
                    if name != "project" {
                        return Err(InventoryError::new(
                            file,
                            Some(line_at(text, pos)),
                            "root element is not <project>",
                        ));
                    }
                    saw_project = true;
                }
                path.push(name);
                let p: Vec<&str> = path.iter().map(String::as_str).collect();
                if p.last() == Some(&"dependency") {
                    dep = Some(Dep {
                        line: line_at(text, pos),
                        ..Dep::default()
                    });
                }
                if p == ["project", "parent"] {
                    has_parent = true;
                }
                if p == ["project", "profiles", "profile"] {
                    profile_deps.clear();
                    profile_active = false;
                }
            }
            Event::End(_) => {
                let p: Vec<&str> = path.iter().map(String::as_str).collect();
                if let Some(d) = dep.take_if(|_| p.last() == Some(&"dependency")) {
                    match p.as_slice() {
                        ["project", "dependencies", "dependency"] => pom.deps.push(d),
                        [
                            "project",
                            "dependencyManagement",
                            "dependencies",
                            "dependency",
                        ] => pom.managed.push(d),
                        [
                            "project",
                            "profiles",
                            "profile",
                            "dependencies",
                            "dependency",
                        ] => profile_deps.push(d),
                        // Plugin dependencies are build tooling, not the product.
                        _ => {}
                    }
                }
                if p == ["project", "profiles", "profile"] && profile_active {
                    pom.deps.append(&mut profile_deps);
                }
                path.pop();
            }
            Event::Text(t) => {
                let value = t.decode().map(|c| c.trim().to_owned()).unwrap_or_default();
                let value = quick_xml::escape::unescape(&value)
                    .map(|c| c.into_owned())
                    .unwrap_or(value);
                let p: Vec<&str> = path.iter().map(String::as_str).collect();
                if let Some(d) = dep.as_mut() {
                    match p.last().copied() {
                        Some("groupId") => d.group = value.clone(),
                        Some("artifactId") => d.artifact = value.clone(),
                        Some("version") => d.version = value.clone(),
                        Some("scope") => d.scope = value.clone(),
                        _ => {}
                    }
                }
                match p.as_slice() {
                    ["project", "groupId"] => pom.group = value,
                    ["project", "artifactId"] => pom.artifact = value,
                    ["project", "version"] => pom.version = value,
                    ["project", "parent", "groupId"] => parent.0 = value,
                    ["project", "parent", "artifactId"] => parent.1 = value,
                    ["project", "parent", "version"] => parent.2 = value,
                    ["project", "parent", "relativePath"] => parent.3 = Some(value),
                    ["project", "properties", key] => {
                        pom.properties.insert((*key).to_owned(), value);
                    }
                    [
                        "project",
                        "profiles",
                        "profile",
                        "activation",
                        "activeByDefault",
                    ] => {
                        profile_active = value == "true";
                    }
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !saw_project {
        return Err(InventoryError::new(file, None, "no <project> element"));
    }
    if !path.is_empty() {
        return Err(InventoryError::new(
            file,
            Some(line_at(text, text.len())),
            "unclosed element at end of file",
        ));
    }
    if has_parent {
        pom.parent = Some(parent);
    }
    Ok(pom)
}

/// XML 1.0 `Name` (ASCII subset plus any non-ASCII letter): quick-xml
/// does not check names, and a POM with `<${x}>` is not XML.
pub(crate) fn is_xml_name(n: &str) -> bool {
    let mut chars = n.chars();
    chars
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | ':' | '-' | '.'))
}

/// Resolve `${name}` references, a few rounds deep (properties may refer to
/// properties). Unknown references stay as written.
fn interpolate(s: &str, props: &HashMap<String, String>) -> String {
    let mut cur = s.to_owned();
    for _ in 0..10 {
        let Some(start) = cur.find("${") else { break };
        let Some(len) = cur[start..].find('}') else {
            break;
        };
        let key = &cur[start + 2..start + len];
        let Some(v) = props.get(key) else { break };
        cur = format!("{}{}{}", &cur[..start], v, &cur[start + len + 1..]);
    }
    cur
}

/// A version range's lower bound (`[1.2,2)` -> `1.2`); soft versions as is.
fn range_floor(v: &str) -> String {
    if let Some(inner) = v.strip_prefix(['[', '(']) {
        let lo = inner.split(',').next().unwrap_or("");
        return lo.trim().trim_end_matches([']', ')']).to_owned();
    }
    v.to_owned()
}

pub(crate) fn pom(
    text: &str,
    file: &Path,
    _options: &ParseOptions,
) -> Result<Vec<Package>, InventoryError> {
    let mut pom = read_pom(text, file)?;
    // Local parents (by relativePath, default ../pom.xml) contribute
    // properties, managed versions and dependencies.
    let mut chain_dir = file.parent().map(Path::to_path_buf);
    let mut parent = pom.parent.clone();
    let mut seen = HashSet::new();
    let mut parent_deps: Vec<(Dep, std::path::PathBuf)> = Vec::new();
    while let (Some((pg, pa, pv, rel)), Some(dir)) = (parent.take(), chain_dir.clone()) {
        pom.properties
            .entry("project.parent.version".into())
            .or_insert(pv.clone());
        pom.properties
            .entry("project.parent.groupId".into())
            .or_insert(pg.clone());
        let rel = rel.unwrap_or_else(|| "../pom.xml".into());
        let mut ppath = dir.join(&rel);
        if ppath.is_dir() {
            ppath = ppath.join("pom.xml");
        }
        if !seen.insert(ppath.clone()) || seen.len() > 16 {
            break;
        }
        let Ok(bytes) = std::fs::read(&ppath) else {
            break;
        };
        let Ok(ptext) = decode(&bytes) else { break };
        let Ok(p) = read_pom(&ptext, &ppath) else {
            break;
        };
        if p.artifact != pa {
            break;
        }
        for (k, v) in p.properties {
            pom.properties.entry(k).or_insert(v);
        }
        pom.managed.extend(p.managed);
        parent_deps.extend(p.deps.into_iter().map(|d| (d, ppath.clone())));
        chain_dir = ppath.parent().map(Path::to_path_buf);
        parent = p.parent;
    }
    let version = if pom.version.is_empty() {
        pom.parent.as_ref().map(|p| p.2.clone()).unwrap_or_default()
    } else {
        pom.version.clone()
    };
    let group = if pom.group.is_empty() {
        pom.parent.as_ref().map(|p| p.0.clone()).unwrap_or_default()
    } else {
        pom.group.clone()
    };
    for (k, v) in [
        ("project.version", &version),
        ("pom.version", &version),
        ("version", &version),
        ("project.groupId", &group),
        ("project.artifactId", &pom.artifact),
    ] {
        pom.properties.entry(k.into()).or_insert(v.clone());
    }
    let props = &pom.properties;
    let all = pom
        .deps
        .iter()
        .map(|d| (d.clone(), file.to_path_buf()))
        .chain(parent_deps);
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (d, from) in all {
        let g = interpolate(&d.group, props);
        let a = interpolate(&d.artifact, props);
        if g.is_empty() || a.is_empty() {
            continue;
        }
        let mut v = interpolate(&d.version, props);
        if v.is_empty() {
            if let Some(m) = pom
                .managed
                .iter()
                .find(|m| interpolate(&m.group, props) == g && interpolate(&m.artifact, props) == a)
            {
                v = interpolate(&m.version, props);
            }
        }
        // One package per group:artifact (types and classifiers of one
        // artifact share its version and advisories).
        if !seen.insert((g.clone(), a.clone())) {
            continue;
        }
        let mut p = Package::new(
            Ecosystem::Maven(None),
            format!("{g}:{a}"),
            range_floor(&v),
            loc(&from, Some(d.line)),
        );
        p.relationship = Relationship::Direct;
        if !d.scope.is_empty() && d.scope != "compile" && d.scope != "runtime" {
            p.dep_groups.push(d.scope.clone());
        }
        out.push(p);
    }
    Ok(out)
}

/// `gradle.lockfile`: `group:artifact:version=configuration,...` lines.
pub(crate) fn gradle_lockfile(text: &str, file: &Path) -> Result<Vec<Package>, InventoryError> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with("empty=") {
            continue;
        }
        let (coords, configs) = line.split_once('=').unwrap_or((line, ""));
        let parts: Vec<&str> = coords.split(':').collect();
        let [g, a, v] = parts.as_slice() else {
            return Err(InventoryError::new(
                file,
                Some(n),
                format!("expected group:artifact:version, got {coords:?}"),
            ));
        };
        let mut p = Package::new(
            Ecosystem::Maven(None),
            format!("{g}:{a}"),
            *v,
            loc(file, Some(n)),
        );
        let configs: Vec<&str> = configs.split(',').filter(|c| !c.is_empty()).collect();
        if !configs.is_empty()
            && configs
                .iter()
                .all(|c| c.to_ascii_lowercase().contains("test"))
        {
            p.dep_groups.push("test".into());
        }
        out.push(p);
    }
    Ok(out)
}
