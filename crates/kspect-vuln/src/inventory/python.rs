//! PyPI: pip requirements files, `poetry.lock`, `Pipfile.lock`, `uv.lock`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::text::{decode, parse_json, parse_toml, ptr_escape, s, toml_table_lines};
use super::{InventoryError, Package, PackageSource, ParseOptions, Relationship, loc};
use crate::ecosystem::Ecosystem;

// ---------------------------------------------------------------- requirements

/// One requirement line split into name and constraints.
struct Requirement<'a> {
    name: &'a str,
    constraints: &'a str,
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')
}

fn split_requirement(line: &str) -> Option<Requirement<'_>> {
    let end = line.find(|c: char| !is_name_char(c)).unwrap_or(line.len());
    let name = &line[..end];
    if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return None;
    }
    let mut rest = line[end..].trim_start();
    if let Some(r) = rest.strip_prefix('[') {
        // extras: `name[a, b]`
        let close = r.find(']')?;
        rest = r[close + 1..].trim_start();
    }
    Some(Requirement {
        name,
        constraints: rest,
    })
}

const OPERATORS: [&str; 8] = ["===", "==", "~=", ">=", "<=", "!=", ">", "<"];

/// (`op`, `version`) of one constraint clause.
fn clause(c: &str) -> Option<(&'static str, &str)> {
    let c = c.trim();
    let op = OPERATORS.iter().find(|op| c.starts_with(**op))?;
    Some((op, c[op.len()..].trim()))
}

fn valid_version(v: &str) -> bool {
    !v.is_empty()
        && v.starts_with(|c: char| c.is_ascii_alphanumeric())
        && v.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '.' | '*' | '+' | '!' | '-' | '_' | ' ')
        })
}

/// The version a requirement pins, following osv-scalibr: one clause with
/// any operator but `!=` gives its version, a wildcard or several clauses
/// give none. With `min_version` (Trivy's `useMinVersion`), the lower bound
/// of `>=`/`~=` wins, and `==X.*` means `X.0`.
fn pinned_version(constraints: &str, min_version: bool) -> Option<String> {
    let clauses: Vec<(&str, &str)> = constraints
        .split(',')
        .map(clause)
        .collect::<Option<Vec<_>>>()?;
    if clauses.iter().any(|(_, v)| !valid_version(v)) {
        return None;
    }
    if min_version {
        if let Some((_, v)) = clauses.iter().find(|(op, _)| matches!(*op, ">=" | "~=")) {
            return Some((*v).to_owned());
        }
        if let [(op, v)] = clauses.as_slice() {
            if op.starts_with("==") {
                if let Some(head) = v.strip_suffix(".*") {
                    return (!head.contains('*')).then(|| format!("{head}.0"));
                }
                return (!v.contains('*')).then(|| (*v).to_owned());
            }
        }
        return Some(String::new());
    }
    match clauses.as_slice() {
        [(op, v)] if *op != "!=" && !v.contains('*') => Some((*v).to_owned()),
        _ => Some(String::new()),
    }
}

/// Logical lines: `\` continuations joined, with the first line's number.
fn logical_lines(text: &str) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    let mut cur: Option<(u32, String)> = None;
    for (i, raw) in text.lines().enumerate() {
        let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let (start, mut acc) = cur.take().unwrap_or((n, String::new()));
        let (body, cont) = match raw.trim_end().strip_suffix('\\') {
            Some(b) => (b, true),
            None => (raw, false),
        };
        acc.push_str(body);
        if cont {
            acc.push(' ');
            cur = Some((start, acc));
        } else {
            out.push((start, acc));
        }
    }
    if let Some(c) = cur {
        out.push(c);
    }
    out
}

pub(crate) fn requirements(
    text: &str,
    file: &Path,
    options: &ParseOptions,
) -> Result<Vec<Package>, InventoryError> {
    let mut visited = HashSet::new();
    visited.insert(file.to_path_buf());
    let mut out = Vec::new();
    requirements_into(text, file, options, &mut visited, &mut out)?;
    Ok(out)
}

fn requirements_into(
    text: &str,
    file: &Path,
    options: &ParseOptions,
    visited: &mut HashSet<PathBuf>,
    out: &mut Vec<Package>,
) -> Result<(), InventoryError> {
    for (n, line) in logical_lines(text) {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        if let Some(opt) = line.strip_prefix('-') {
            let target = opt
                .strip_prefix("r ")
                .or_else(|| opt.strip_prefix("-requirement "))
                .or_else(|| opt.strip_prefix("-requirement="))
                .map(str::trim);
            if let (Some(target), true) = (target, options.pip_follow_includes) {
                let path = file.parent().unwrap_or(Path::new(".")).join(target);
                if visited.insert(path.clone()) {
                    // A missing include is the include's problem; the rest stands.
                    if let Ok(bytes) = std::fs::read(&path) {
                        if let Ok(t) = decode(&bytes) {
                            requirements_into(&t, &path, options, visited, out)?;
                        }
                    }
                }
            }
            continue;
        }
        // Per-requirement options (`--hash`, `-C`, ...) start after whitespace.
        let line = match line.find(|c: char| c.is_whitespace()).and_then(|_| {
            line.char_indices()
                .zip(line.chars().skip(1))
                .find(|((_, c), next)| c.is_whitespace() && *next == '-')
                .map(|((i, _), _)| i)
        }) {
            Some(i) => line[..i].trim(),
            None => line,
        };
        // Environment markers.
        let line = line.split(';').next().unwrap_or("").trim();
        if line.contains("://") || line.contains(" @ ") || line.contains("${") {
            continue;
        }
        let Some(req) = split_requirement(line) else {
            continue;
        };
        let (version, constraint) = if req.constraints.is_empty() {
            (Some(String::new()), None)
        } else {
            (
                pinned_version(req.constraints, options.pip_min_version),
                Some(
                    req.constraints
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(""),
                ),
            )
        };
        let Some(version) = version else { continue };
        let mut p = Package::new(Ecosystem::PyPI, req.name, version, loc(file, Some(n)));
        p.constraint = constraint;
        p.relationship = Relationship::Direct;
        out.push(p);
    }
    Ok(())
}

// ---------------------------------------------------------------- TOML locks

fn toml_packages<'a>(doc: &'a toml::Table, text: &str) -> (Vec<&'a toml::Table>, Vec<u32>) {
    let list = doc
        .get("package")
        .and_then(|v| v.as_array())
        .map(|a| a.iter().filter_map(|v| v.as_table()).collect())
        .unwrap_or_default();
    (list, toml_table_lines(text, "package"))
}

fn str_of<'a>(t: &'a toml::Table, k: &str) -> Option<&'a str> {
    t.get(k).and_then(|v| v.as_str())
}

pub(crate) fn poetry(text: &str, file: &Path) -> Result<Vec<Package>, InventoryError> {
    let doc = parse_toml(text, file)?;
    let (list, lines) = toml_packages(&doc, text);
    let mut out = Vec::new();
    for (i, t) in list.into_iter().enumerate() {
        let line = lines.get(i).copied();
        let (Some(name), Some(version)) = (str_of(t, "name"), str_of(t, "version")) else {
            return Err(InventoryError::new(
                file,
                line,
                "package without name or version",
            ));
        };
        let mut p = Package::new(Ecosystem::PyPI, name, version, loc(file, line));
        if str_of(t, "category") == Some("dev") {
            p.dep_groups.push("dev".into());
        }
        if let Some(groups) = t.get("groups").and_then(|g| g.as_array()) {
            for g in groups.iter().filter_map(|g| g.as_str()) {
                if g != "main" && !p.dep_groups.iter().any(|x| x == g) {
                    p.dep_groups.push(g.to_owned());
                }
            }
        }
        if t.get("optional").and_then(|o| o.as_bool()) == Some(true) {
            p.dep_groups.push("optional".into());
        }
        if let Some(src) = t.get("source").and_then(|s| s.as_table()) {
            match str_of(src, "type") {
                Some("git") => {
                    p.source = PackageSource::Git;
                    p.commit = str_of(src, "resolved_reference").map(str::to_owned);
                }
                Some("directory" | "file") => p.source = PackageSource::Local,
                Some("url") => p.source = PackageSource::Url,
                _ => {}
            }
        }
        out.push(p);
    }
    Ok(out)
}

pub(crate) fn uv(text: &str, file: &Path) -> Result<Vec<Package>, InventoryError> {
    let doc = parse_toml(text, file)?;
    let (list, lines) = toml_packages(&doc, text);
    let mut out = Vec::new();
    for (i, t) in list.into_iter().enumerate() {
        let line = lines.get(i).copied();
        let Some(name) = str_of(t, "name") else {
            return Err(InventoryError::new(file, line, "package without a name"));
        };
        let version = str_of(t, "version").unwrap_or("");
        let src = t.get("source").and_then(|s| s.as_table());
        // The project itself (and its workspace members) are `virtual` or
        // `editable` sources, not dependencies.
        if src.is_some_and(|s| s.contains_key("virtual") || s.contains_key("editable")) {
            continue;
        }
        let mut p = Package::new(Ecosystem::PyPI, name, version, loc(file, line));
        if let Some(git) = src.and_then(|s| str_of(s, "git")) {
            p.source = PackageSource::Git;
            p.commit = git.rsplit_once('#').map(|(_, c)| c.to_owned());
        } else if src.is_some_and(|s| s.contains_key("path") || s.contains_key("directory")) {
            p.source = PackageSource::Local;
        }
        out.push(p);
    }
    Ok(out)
}

// ---------------------------------------------------------------- Pipfile.lock

pub(crate) fn pipfile(text: &str, file: &Path) -> Result<Vec<Package>, InventoryError> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let doc = parse_json(text, file)?;
    let root = doc
        .value
        .as_object()
        .ok_or_else(|| InventoryError::new(file, Some(1), "Pipfile.lock is not a JSON object"))?;
    let mut out = Vec::new();
    for (section, dev) in [("default", false), ("develop", true)] {
        let Some(map) = root.get(section).and_then(|v| v.as_object()) else {
            continue;
        };
        for (name, entry) in map {
            let ptr = format!("/{section}/{}", ptr_escape(name));
            let line = doc.line(&ptr);
            // Git and path entries pin no version; nothing to match.
            let Some(version) = s(entry.get("version")) else {
                continue;
            };
            let version = version.trim_start_matches("===").trim_start_matches("==");
            if out
                .iter()
                .any(|q: &Package| q.name == *name && q.version == version)
            {
                // Listed for production already.
                continue;
            }
            let mut p = Package::new(Ecosystem::PyPI, name.as_str(), version, loc(file, line));
            if dev {
                p.dep_groups.push("dev".into());
            }
            out.push(p);
        }
    }
    Ok(out)
}
