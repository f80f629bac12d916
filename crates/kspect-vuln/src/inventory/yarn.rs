//! `yarn.lock`, both the v1 format and Berry's (v2+) YAML.
//!
//! Both share one shape (an unindented header listing the specs that
//! resolved to an entry, then indented `key value` / `key: value` fields),
//! so one line reader handles both and knows each entry's line. Berry files
//! are recognised by their `__metadata` entry.

use std::path::Path;

use super::{InventoryError, Package, PackageSource, Relationship, loc};
use crate::ecosystem::Ecosystem;

struct Entry {
    line: u32,
    specs: Vec<String>,
    version: Option<String>,
    resolved: Option<String>,
    resolution: Option<String>,
}

fn unquote(s: &str) -> &str {
    let s = s.trim();
    s.strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .unwrap_or(s)
}

/// Split a header (`a@^1, "b@npm:2":`) into its specs.
fn header_specs(line: &str) -> Vec<String> {
    let body = line.trim_end().strip_suffix(':').unwrap_or(line);
    body.split(", ")
        .flat_map(|part| part.split(','))
        .map(|p| unquote(p).to_owned())
        .filter(|p| !p.is_empty())
        .collect()
}

/// `name@range` -> (`name`, `range`); the name may start with `@`.
fn split_spec(spec: &str) -> (&str, &str) {
    let from = usize::from(spec.starts_with('@'));
    match spec[from..].find('@') {
        Some(i) => (&spec[..from + i], &spec[from + i + 1..]),
        None => (spec, ""),
    }
}

fn field(line: &str) -> Option<(&str, &str)> {
    let t = line.trim();
    // Berry: `key: value`; v1: `key "value"` or `"key" "value"`.
    let (k, v) = if let Some(rest) = t.strip_prefix('"') {
        let end = rest.find('"')?;
        (&rest[..end], rest[end + 1..].trim_start_matches(':'))
    } else {
        let i = t.find([' ', ':'])?;
        (&t[..i], t[i..].trim_start_matches(':'))
    };
    Some((k, unquote(v)))
}

pub(crate) fn parse(text: &str, file: &Path) -> Result<Vec<Package>, InventoryError> {
    let mut entries: Vec<Entry> = Vec::new();
    let mut berry = false;
    for (i, raw) in text.lines().enumerate() {
        let line_no = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let line = raw.trim_end();
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        if indent == 0 {
            if !line.ends_with(':') {
                return Err(InventoryError::new(
                    file,
                    Some(line_no),
                    "expected an entry header ending in `:`",
                ));
            }
            if line == "__metadata:" {
                berry = true;
            }
            entries.push(Entry {
                line: line_no,
                specs: header_specs(line),
                version: None,
                resolved: None,
                resolution: None,
            });
        } else if indent == 2 {
            let Some(e) = entries.last_mut() else {
                return Err(InventoryError::new(
                    file,
                    Some(line_no),
                    "field outside an entry",
                ));
            };
            if let Some((k, v)) = field(line) {
                match k {
                    "version" => e.version = Some(v.to_owned()),
                    "resolved" => e.resolved = Some(v.to_owned()),
                    "resolution" => e.resolution = Some(v.to_owned()),
                    _ => {}
                }
            }
        }
    }
    let mut out = Vec::new();
    for e in entries {
        if e.specs.first().map(String::as_str) == Some("__metadata") {
            continue;
        }
        let Some(first) = e.specs.first() else {
            continue;
        };
        let Some(version) = e.version.clone() else {
            return Err(InventoryError::new(
                file,
                Some(e.line),
                "entry without a version",
            ));
        };
        let (spec_name, range) = split_spec(first);
        let mut name = spec_name.to_owned();
        let mut source = PackageSource::Registry;
        let mut relationship = Relationship::Unknown;
        // The resolution (Berry) names what was really installed.
        let resolution = e.resolution.as_deref().unwrap_or(first);
        let (res_name, res_ref) = split_spec(resolution);
        if berry && !res_name.is_empty() {
            name = res_name.to_owned();
        }
        let proto_ref = if berry { res_ref } else { range };
        if let Some(real) = range.strip_prefix("npm:").filter(|r| r.contains('@')) {
            // An alias: `alias@npm:real@range`.
            name = split_spec(real).0.to_owned();
        }
        if let Some((proto, rest)) = proto_ref.split_once(':') {
            match proto {
                "npm" => {}
                "workspace" => {
                    if rest == "." {
                        // The project itself.
                        continue;
                    }
                    source = PackageSource::Local;
                    relationship = Relationship::Workspace;
                }
                "file" | "link" | "portal" => source = PackageSource::Local,
                "patch" => source = PackageSource::Patched,
                p if p.starts_with("git")
                    || p == "github"
                    || p == "ssh"
                    || p == "https"
                    || p == "http" =>
                {
                    source = PackageSource::Git;
                }
                _ => source = PackageSource::Url,
            }
        } else if range.contains('/') && !range.starts_with('@') {
            // `user/repo#ref`: a GitHub shorthand.
            source = PackageSource::Git;
        }
        let commit = commit_of(
            e.resolved
                .as_deref()
                .or(e.resolution.as_deref())
                .unwrap_or(""),
        );
        if commit.is_some()
            && source == PackageSource::Registry
            && !is_registry_tarball(e.resolved.as_deref())
        {
            source = PackageSource::Git;
        }
        let mut p = Package::new(Ecosystem::Npm, name, version, loc(file, Some(e.line)));
        p.source = source;
        p.relationship = relationship;
        if p.source == PackageSource::Git {
            p.commit = commit;
        }
        out.push(p);
    }
    Ok(out)
}

fn is_registry_tarball(resolved: Option<&str>) -> bool {
    resolved.is_some_and(|r| r.contains(".tgz#") || r.contains("/-/"))
}

/// A 40-hex commit at the end of a git URL (`#sha`, `commit=sha`, or a
/// codeload `tar.gz/sha` path).
fn commit_of(url: &str) -> Option<String> {
    let is_sha = |s: &str| s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit());
    if let Some((_, frag)) = url.rsplit_once('#') {
        let frag = frag.rsplit_once("commit=").map_or(frag, |(_, c)| c);
        let frag = frag.split('&').next().unwrap_or(frag);
        if is_sha(frag) {
            return Some(frag.to_owned());
        }
    }
    let last = url.rsplit('/').next().unwrap_or("");
    is_sha(last).then(|| last.to_owned())
}
