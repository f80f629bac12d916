//! `pnpm-lock.yaml`, lockfile versions 5.x, 6.x and 9.x.
//!
//! Package keys ("dependency paths") changed spelling across versions:
//! `/name/1.0.0_peer@2` (5.x), `/name@1.0.0(peer@2)` (6.x), `name@1.0.0`
//! (9.x), with a registry host in front for non-default registries. An
//! entry's own `name`/`version` fields, when present, override the path.

use std::collections::HashSet;
use std::path::Path;

use serde_json::Value;

use super::text::ptr_escape;
use super::{InventoryError, Package, PackageSource, loc};
use crate::ecosystem::Ecosystem;

fn scalar(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Name and version from a dependency path; `None` when it names no
/// registry version (`github.com/user/repo`, `/foo/bar`).
fn from_path(key: &str, v5: bool) -> Option<(String, String)> {
    let key = key.strip_prefix('/').unwrap_or(key);
    // Peer-dependency suffixes.
    let key = key.split('(').next().unwrap_or(key);
    if !v5 {
        let from = usize::from(key.starts_with('@'));
        if let Some(i) = key[from..].find('@') {
            let (name, version) = (&key[..from + i], &key[from + i + 1..]);
            // A host-prefixed 6.x key: `registry.example/name@1.0.0`.
            let name = strip_host(name);
            // `name@<url>`: the version is in the entry's own fields.
            return (!name.is_empty() && starts_with_digit(version))
                .then(|| (name.to_owned(), version.to_owned()));
        }
        if !key.contains('/') {
            return None;
        }
    }
    let key = if v5 {
        // `_` starts the peer suffix in 5.x, after the version.
        match key.rsplit_once('/') {
            Some((head, last)) => &key[..head.len() + 1 + last.find('_').unwrap_or(last.len())],
            None => key,
        }
    } else {
        key
    };
    let segs: Vec<&str> = key.split('/').collect();
    if segs.len() < 2 {
        return None;
    }
    let version = segs[segs.len() - 1];
    if !starts_with_digit(version) {
        return None;
    }
    let mut name = segs[segs.len() - 2].to_owned();
    if segs.len() >= 3 && segs[segs.len() - 3].starts_with('@') {
        name = format!("{}/{}", segs[segs.len() - 3], name);
    }
    Some((name, version.to_owned()))
}

fn strip_host(name: &str) -> &str {
    // `host.tld/name` or `host.tld/@scope/name`
    match name.split_once('/') {
        Some((host, rest)) if host.contains('.') && !host.starts_with('@') => rest,
        _ => name,
    }
}

fn starts_with_digit(v: &str) -> bool {
    v.bytes().next().is_some_and(|b| b.is_ascii_digit())
}

fn commit_of(entry: &Value, key: &str) -> Option<String> {
    let res = entry.get("resolution");
    if let Some(c) = res.and_then(|r| r.get("commit")).and_then(Value::as_str) {
        return Some(c.to_owned());
    }
    let tarball = res
        .and_then(|r| r.get("tarball"))
        .and_then(Value::as_str)
        .unwrap_or(key);
    if tarball.contains("codeload.github.com") || key.contains("codeload.github.com") {
        let last = tarball.rsplit('/').next().unwrap_or("");
        if last.len() == 40 && last.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Some(last.to_owned());
        }
    }
    None
}

pub(crate) fn parse(text: &str, file: &Path) -> Result<Vec<Package>, InventoryError> {
    let doc = kspect_core::yaml::parse_document(text, 0).map_err(|e| {
        InventoryError::new(
            file,
            Some(e.pos.line),
            format!("invalid YAML: {}", e.message),
        )
    })?;
    let Some(doc) = doc else {
        return Ok(Vec::new());
    };
    let root = match &doc.value {
        Value::Object(m) => m,
        Value::Null => return Ok(Vec::new()),
        _ => {
            return Err(InventoryError::new(
                file,
                Some(doc.root.line),
                "pnpm lockfile is not a mapping",
            ));
        }
    };
    let version = scalar(root.get("lockfileVersion")).unwrap_or_default();
    let major: u32 = version
        .trim_matches('\'')
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(5);
    let v5 = major < 6;
    let Some(packages) = root.get("packages").and_then(Value::as_object) else {
        return Ok(Vec::new());
    };
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (key, entry) in packages {
        let line = doc
            .index
            .get(&format!("/packages/{}", ptr_escape(key)))
            .map(|p| p.line);
        let named = scalar(entry.get("name"));
        let (name, version) = match (named, scalar(entry.get("version"))) {
            (Some(n), Some(v)) => (n, v),
            (named, field_version) => {
                if key.starts_with("file:") && named.is_none() {
                    // A local package must name itself; a nameless one is unusable.
                    continue;
                }
                match from_path(key, v5) {
                    Some((n, v)) => (named.unwrap_or(n), field_version.unwrap_or(v)),
                    None => {
                        let v9_key = (!v5)
                            .then(|| {
                                let from = usize::from(key.starts_with('@'));
                                key[from..].find('@').map(|i| key[..from + i].to_owned())
                            })
                            .flatten();
                        match (v9_key, field_version) {
                            (Some(n), Some(v)) => (n, v),
                            _ if !key.contains('/') && !key.contains('@') => {
                                return Err(InventoryError::new(
                                    file,
                                    line,
                                    format!("invalid dependency path {key:?}"),
                                ));
                            }
                            _ => continue,
                        }
                    }
                }
            }
        };
        if !seen.insert((name.clone(), version.clone())) {
            continue;
        }
        let mut p = Package::new(Ecosystem::Npm, name, version, loc(file, line));
        if entry.get("dev").and_then(Value::as_bool) == Some(true) {
            p.dep_groups.push("dev".into());
        }
        if entry.get("optional").and_then(Value::as_bool) == Some(true) {
            p.dep_groups.push("optional".into());
        }
        p.commit = commit_of(entry, key);
        if p.commit.is_some() {
            p.source = PackageSource::Git;
        } else if key.starts_with("file:") || key.starts_with("link:") {
            p.source = PackageSource::Local;
        }
        out.push(p);
    }
    Ok(out)
}
