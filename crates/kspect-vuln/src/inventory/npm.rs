//! `package-lock.json` / `npm-shrinkwrap.json`, lockfileVersion 1 to 3.
//!
//! v2 and v3 files list every installed folder under `packages` (keyed by
//! its path); v1 files nest `dependencies`. v2 files carry both, and the
//! `packages` map is the complete one, so it wins when present.

use std::collections::HashSet;
use std::path::Path;

use serde_json::{Map, Value};

use super::text::{JsonDoc, parse_json, ptr_escape, s};
use super::{InventoryError, Package, PackageSource, Relationship, loc};
use crate::ecosystem::Ecosystem;

pub(crate) fn parse(text: &str, file: &Path) -> Result<Vec<Package>, InventoryError> {
    let doc = parse_json(text, file)?;
    let root = doc
        .value
        .as_object()
        .ok_or_else(|| InventoryError::new(file, Some(1), "lockfile is not a JSON object"))?;
    let mut out = Vec::new();
    if let Some(pkgs) = root.get("packages").and_then(Value::as_object) {
        v2(&doc, pkgs, file, &mut out);
    } else if let Some(deps) = root.get("dependencies").and_then(Value::as_object) {
        let mut seen = HashSet::new();
        v1(&doc, deps, "/dependencies", file, &mut seen, &mut out);
    }
    Ok(out)
}

/// Name of the package installed at `path` (`node_modules/@a/b` -> `@a/b`,
/// `deps/etag` -> `etag`).
fn name_from_path(path: &str) -> &str {
    if let Some(i) = path.rfind("node_modules/") {
        return &path[i + "node_modules/".len()..];
    }
    path.rsplit('/').next().unwrap_or(path)
}

/// The commit of a git `resolved` / `version` URL (`...#<sha>`).
fn commit_of(url: &str) -> Option<String> {
    let (_, frag) = url.rsplit_once('#')?;
    (frag.len() >= 7 && frag.bytes().all(|b| b.is_ascii_hexdigit())).then(|| frag.to_owned())
}

fn is_git(spec: &str) -> bool {
    spec.starts_with("git")
        || spec.starts_with("github:")
        || spec.starts_with("gitlab:")
        || spec.starts_with("bitbucket:")
}

fn groups(entry: &Value) -> Vec<String> {
    let flag = |k: &str| entry.get(k).and_then(Value::as_bool).unwrap_or(false);
    let mut g = Vec::new();
    if flag("dev") || flag("devOptional") {
        g.push("dev".to_owned());
    }
    if flag("optional") || flag("devOptional") {
        g.push("optional".to_owned());
    }
    g
}

fn v2(doc: &JsonDoc, pkgs: &Map<String, Value>, file: &Path, out: &mut Vec<Package>) {
    // Folders that a `node_modules/x` link points at are workspace members.
    let linked: HashSet<&str> = pkgs
        .values()
        .filter(|e| e.get("link").and_then(Value::as_bool) == Some(true))
        .filter_map(|e| s(e.get("resolved")))
        .collect();
    for (path, entry) in pkgs {
        if path.is_empty() || entry.get("link").and_then(Value::as_bool) == Some(true) {
            continue;
        }
        let ptr = format!("/packages/{}", ptr_escape(path));
        let line = doc.line(&ptr);
        let in_node_modules = path.starts_with("node_modules/") || path.contains("/node_modules/");
        let name = s(entry.get("name")).unwrap_or_else(|| name_from_path(path));
        let raw = s(entry.get("version")).unwrap_or("");
        let mut p = Package::new(Ecosystem::Npm, name, raw, loc(file, line));
        p.dep_groups = groups(entry);
        if let Some(resolved) = s(entry.get("resolved")) {
            if is_git(resolved) {
                p.source = PackageSource::Git;
                p.commit = commit_of(resolved);
            }
        }
        if let Some(rest) = raw.strip_prefix("npm:") {
            // `npm:real-name@1.2.3` aliases
            if let Some((n, v)) = rest.rsplit_once('@').filter(|(n, _)| !n.is_empty()) {
                p.name = n.to_owned();
                p.version = v.to_owned();
            }
        } else if raw.starts_with("file:") || raw.starts_with("link:") {
            p.version.clear();
            p.source = PackageSource::Local;
        } else if is_git(raw) {
            p.commit = commit_of(raw).or(p.commit);
            p.version.clear();
            p.source = PackageSource::Git;
        }
        if !in_node_modules {
            p.source = PackageSource::Local;
            p.relationship = if linked.contains(path.as_str()) {
                Relationship::Workspace
            } else {
                Relationship::Unknown
            };
        }
        // One entry per (name, version, commit): the same package installed in
        // several folders is one package, and it is a production dependency
        // if any copy is (its groups are what all copies share).
        if let Some(prev) = out
            .iter_mut()
            .find(|q| q.name == p.name && q.version == p.version && q.commit == p.commit)
        {
            prev.dep_groups.retain(|g| p.dep_groups.contains(g));
            continue;
        }
        out.push(p);
    }
}

fn v1(
    doc: &JsonDoc,
    deps: &Map<String, Value>,
    base: &str,
    file: &Path,
    seen: &mut HashSet<(String, String, Option<String>)>,
    out: &mut Vec<Package>,
) {
    for (name, entry) in deps {
        let ptr = format!("{base}/{}", ptr_escape(name));
        let line = doc.line(&ptr);
        let raw = s(entry.get("version")).unwrap_or("");
        let mut p = Package::new(Ecosystem::Npm, name.as_str(), raw, loc(file, line));
        p.dep_groups = groups(entry);
        if let Some(rest) = raw.strip_prefix("npm:") {
            if let Some((n, v)) = rest.rsplit_once('@').filter(|(n, _)| !n.is_empty()) {
                p.name = n.to_owned();
                p.version = v.to_owned();
            }
        } else if raw.starts_with("file:") || raw.starts_with("link:") {
            p.version.clear();
            p.source = PackageSource::Local;
        } else if is_git(raw) || raw.contains('#') {
            p.commit = commit_of(raw);
            p.version.clear();
            p.source = PackageSource::Git;
        }
        let key = (p.name.clone(), p.version.clone(), p.commit.clone());
        if seen.insert(key) {
            out.push(p);
        }
        if let Some(nested) = entry.get("dependencies").and_then(Value::as_object) {
            v1(doc, nested, &format!("{ptr}/dependencies"), file, seen, out);
        }
    }
}
