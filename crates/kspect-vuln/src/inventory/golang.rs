//! Go modules: `go.mod` (with `replace`, `toolchain` and, for go <= 1.16
//! modules, the indirect dependencies recorded only in `go.sum`) and `go.sum`.

use std::collections::BTreeMap;
use std::path::Path;

use super::text::decode;
use super::{InventoryError, Package, PackageSource, ParseOptions, Relationship, loc};
use crate::ecosystem::Ecosystem;
use crate::version::Scheme;

struct Require {
    path: String,
    version: String,
    indirect: bool,
    line: u32,
}

struct Replace {
    old_path: String,
    old_version: Option<String>,
    new_path: String,
    new_version: Option<String>,
}

fn strip_comment(line: &str) -> (&str, &str) {
    match line.find("//") {
        Some(i) => (&line[..i], &line[i + 2..]),
        None => (line, ""),
    }
}

fn unquote(s: &str) -> String {
    s.trim_matches('"').trim_matches('`').to_owned()
}

fn is_local(path: &str) -> bool {
    path.starts_with("./")
        || path.starts_with("../")
        || path.starts_with('/')
        || path == "."
        || path == ".."
}

/// Parsed go.mod directives.
struct GoMod {
    module: Option<(String, u32)>,
    go: Option<String>,
    toolchain: Option<String>,
    requires: Vec<Require>,
    replaces: Vec<Replace>,
}

fn parse_directives(text: &str, file: &Path) -> Result<GoMod, InventoryError> {
    let mut m = GoMod {
        module: None,
        go: None,
        toolchain: None,
        requires: Vec::new(),
        replaces: Vec::new(),
    };
    let mut block: Option<String> = None;
    for (i, raw) in text.lines().enumerate() {
        let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let (code, comment) = strip_comment(raw);
        let code = code.trim();
        if code.is_empty() {
            continue;
        }
        let (verb, args) = match &block {
            Some(b) => {
                if code == ")" {
                    block = None;
                    continue;
                }
                (b.clone(), code.to_owned())
            }
            None => {
                let (verb, rest) = code.split_once(char::is_whitespace).unwrap_or((code, ""));
                let rest = rest.trim();
                if rest == "(" {
                    block = Some(verb.to_owned());
                    continue;
                }
                (verb.to_owned(), rest.to_owned())
            }
        };
        let words: Vec<String> = args.split_whitespace().map(unquote).collect();
        let bad =
            |what: &str| InventoryError::new(file, Some(n), format!("malformed {what} directive"));
        match verb.as_str() {
            "module" => m.module = Some((words.first().ok_or_else(|| bad("module"))?.clone(), n)),
            "go" => m.go = Some(words.first().ok_or_else(|| bad("go"))?.clone()),
            "toolchain" => {
                m.toolchain = Some(words.first().ok_or_else(|| bad("toolchain"))?.clone())
            }
            "require" => {
                let [path, version] = words.as_slice() else {
                    return Err(bad("require"));
                };
                m.requires.push(Require {
                    path: path.clone(),
                    version: version.clone(),
                    indirect: comment.trim().starts_with("indirect"),
                    line: n,
                });
            }
            "replace" => {
                let arrow = words
                    .iter()
                    .position(|w| w == "=>")
                    .ok_or_else(|| bad("replace"))?;
                let (old, new) = words.split_at(arrow);
                let new = &new[1..];
                let (Some(old_path), Some(new_path)) = (old.first(), new.first()) else {
                    return Err(bad("replace"));
                };
                m.replaces.push(Replace {
                    old_path: old_path.clone(),
                    old_version: old.get(1).cloned(),
                    new_path: new_path.clone(),
                    new_version: new.get(1).cloned(),
                });
            }
            "exclude" | "retract" | "godebug" | "tool" | "ignore" => {}
            other => {
                return Err(InventoryError::new(
                    file,
                    Some(n),
                    format!("unknown go.mod directive {other:?}"),
                ));
            }
        }
    }
    Ok(m)
}

/// `go1.23.6-xyz` / `1.23.6` -> `1.23.6`
fn go_release(v: &str) -> String {
    let v = v.strip_prefix("go").unwrap_or(v);
    v.split(['-', '+']).next().unwrap_or(v).to_owned()
}

/// Go releases before 1.17 list only direct requirements in go.mod.
fn before_1_17(go: &str) -> bool {
    let mut it = go.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let (major, minor) = (it.next().unwrap_or(0), it.next().unwrap_or(0));
    major < 1 || (major == 1 && minor < 17)
}

pub(crate) fn gomod(
    text: &str,
    file: &Path,
    options: &ParseOptions,
) -> Result<Vec<Package>, InventoryError> {
    let m = parse_directives(text, file)?;
    let mut out = Vec::new();
    if let Some((module, line)) = &m.module {
        let mut p = Package::new(Ecosystem::Go, module.as_str(), "", loc(file, Some(*line)));
        p.relationship = Relationship::Root;
        p.source = PackageSource::Local;
        out.push(p);
    }
    for r in &m.requires {
        let mut p = Package::new(
            Ecosystem::Go,
            r.path.as_str(),
            r.version.as_str(),
            loc(file, Some(r.line)),
        );
        p.relationship = if r.indirect {
            Relationship::Indirect
        } else {
            Relationship::Direct
        };
        if options.go_replace {
            let hit = m.replaces.iter().rev().find(|x| {
                x.old_path == r.path && x.old_version.as_ref().is_none_or(|v| *v == r.version)
            });
            if let Some(x) = hit {
                p.name = x.new_path.clone();
                if is_local(&x.new_path) {
                    p.version.clear();
                    p.source = PackageSource::Local;
                } else if let Some(v) = &x.new_version {
                    p.version = v.clone();
                }
            }
        }
        if out
            .iter()
            .any(|q: &Package| q.name == p.name && q.version == p.version)
        {
            // Two requirements replaced by the same module version.
            continue;
        }
        out.push(p);
    }
    // The standard library is a dependency too: the toolchain line pins it,
    // else the `go` line states the minimum.
    if let Some(tc) = &m.toolchain {
        let mut p = Package::new(
            Ecosystem::Go,
            "stdlib",
            format!("v{}", go_release(tc)),
            loc(file, None),
        );
        p.relationship = Relationship::Direct;
        p.source = PackageSource::Implied;
        out.push(p);
    } else if let Some(go) = &m.go {
        let mut p = Package::new(
            Ecosystem::Go,
            "stdlib",
            format!("v{}", go_release(go)),
            loc(file, None),
        );
        p.source = PackageSource::Implied;
        out.push(p);
    }
    if m.go.as_deref().is_some_and(before_1_17) {
        out.extend(sum_indirects(file, &m)?);
    }
    Ok(out)
}

/// For go <= 1.16 modules the indirect dependencies live only in go.sum:
/// every module with a content hash (not just a `/go.mod` hash) that go.mod
/// does not require. The sum file is `go.sum` next to go.mod, or
/// `<stem>.sum` when the go.mod is not named `go.mod` (test fixtures).
fn sum_indirects(file: &Path, m: &GoMod) -> Result<Vec<Package>, InventoryError> {
    let candidates = [file.with_file_name("go.sum"), file.with_extension("sum")];
    let Some(sum) = candidates
        .iter()
        .find(|p| p.is_file() && p.as_path() != file)
    else {
        return Ok(Vec::new());
    };
    let Ok(bytes) = std::fs::read(sum) else {
        return Ok(Vec::new());
    };
    let text = decode(&bytes).map_err(|e| InventoryError::new(sum, None, e))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let mut w = line.split_whitespace();
        let (Some(path), Some(version)) = (w.next(), w.next()) else {
            continue;
        };
        if version.ends_with("/go.mod") || m.requires.iter().any(|r| r.path == path) {
            continue;
        }
        if out
            .iter()
            .any(|p: &Package| p.name == path && p.version == version)
        {
            continue;
        }
        let line = u32::try_from(i + 1).ok();
        let mut p = Package::new(Ecosystem::Go, path, version, loc(sum, line));
        p.relationship = Relationship::Indirect;
        out.push(p);
    }
    Ok(out)
}

/// go.sum alone: each module once, at the highest version it lists.
pub(crate) fn gosum(text: &str, file: &Path) -> Result<Vec<Package>, InventoryError> {
    let mut best: BTreeMap<&str, (&str, u32)> = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let t = line.trim();
        if t.is_empty() {
            continue;
        }
        let mut w = t.split_whitespace();
        let (Some(path), Some(version), Some(_hash)) = (w.next(), w.next(), w.next()) else {
            return Err(InventoryError::new(
                file,
                Some(n),
                "expected `module version hash`",
            ));
        };
        let version = version.strip_suffix("/go.mod").unwrap_or(version);
        let newer = match best.get(path) {
            None => true,
            Some((v, _)) => Scheme::Go.compare(version, v).is_ok_and(|o| o.is_gt()),
        };
        if newer {
            best.insert(path, (version, n));
        }
    }
    Ok(best
        .into_iter()
        .map(|(path, (version, n))| Package::new(Ecosystem::Go, path, version, loc(file, Some(n))))
        .collect())
}
