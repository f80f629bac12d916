//! `Gemfile.lock` (Bundler).
//!
//! Sections start at column 0 (`GEM`, `GIT`, `PATH`, `DEPENDENCIES`, ...);
//! the gems a source provides are its `specs:` at four spaces,
//! `name (version[-platform])`, with their own dependencies at six.

use std::collections::HashSet;
use std::path::Path;

use super::{InventoryError, Package, PackageSource, Relationship, loc};
use crate::ecosystem::Ecosystem;

pub(crate) fn gemfile_lock(text: &str, file: &Path) -> Result<Vec<Package>, InventoryError> {
    let mut out: Vec<Package> = Vec::new();
    let mut section = String::new();
    let mut revision: Option<String> = None;
    let mut direct: HashSet<String> = HashSet::new();
    let mut pending_source: Vec<usize> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let line = raw.trim_end();
        if line.is_empty() {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let body = line.trim_start();
        if indent == 0 {
            // A new source section: earlier GIT specs learn their revision.
            for idx in pending_source.drain(..) {
                if let Some(p) = out.get_mut(idx) {
                    p.commit = revision.clone();
                }
            }
            section = body.to_owned();
            revision = None;
            continue;
        }
        match section.as_str() {
            "GEM" | "GIT" | "PATH" | "PLUGIN SOURCE" => {
                if indent == 2 {
                    if let Some(r) = body.strip_prefix("revision:") {
                        revision = Some(r.trim().to_owned());
                    }
                } else if indent == 4 {
                    let Some((name, rest)) = body.split_once(" (") else {
                        // A spec without a version names nothing installable.
                        continue;
                    };
                    let Some(version) = rest.strip_suffix(')') else {
                        return Err(InventoryError::new(
                            file,
                            Some(n),
                            format!("malformed spec line {body:?}"),
                        ));
                    };
                    // `1.13.3-x86_64-linux`: the platform is not part of the version.
                    let version = version.split('-').next().unwrap_or(version);
                    let mut p =
                        Package::new(Ecosystem::RubyGems, name, version, loc(file, Some(n)));
                    match section.as_str() {
                        "GIT" => {
                            p.source = PackageSource::Git;
                            pending_source.push(out.len());
                        }
                        "PATH" => p.source = PackageSource::Local,
                        _ => {}
                    }
                    out.push(p);
                }
            }
            "DEPENDENCIES" if indent == 2 => {
                let name = body.split([' ', '!']).next().unwrap_or(body);
                direct.insert(name.to_owned());
            }
            _ => {}
        }
    }
    for idx in pending_source {
        if let Some(p) = out.get_mut(idx) {
            p.commit = revision.clone();
        }
    }
    if !direct.is_empty() {
        for p in &mut out {
            p.relationship = if direct.contains(&p.name) {
                Relationship::Direct
            } else {
                Relationship::Indirect
            };
        }
    }
    Ok(out)
}
