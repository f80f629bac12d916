//! `Cargo.lock` (format versions 1 to 4).

use std::collections::HashSet;
use std::path::Path;

use super::text::{parse_toml, toml_table_lines};
use super::{InventoryError, Package, PackageSource, loc};
use crate::ecosystem::Ecosystem;

pub(crate) fn parse(text: &str, file: &Path) -> Result<Vec<Package>, InventoryError> {
    let doc = parse_toml(text, file)?;
    let lines = toml_table_lines(text, "package");
    let Some(list) = doc.get("package") else {
        return Ok(Vec::new());
    };
    let list = list
        .as_array()
        .ok_or_else(|| InventoryError::new(file, None, "`package` is not an array of tables"))?;
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (i, t) in list.iter().enumerate() {
        let line = lines.get(i).copied();
        let (Some(name), Some(version)) = (
            t.get("name").and_then(|v| v.as_str()),
            t.get("version").and_then(|v| v.as_str()),
        ) else {
            return Err(InventoryError::new(
                file,
                line,
                "package without name or version",
            ));
        };
        // Old lockfiles can list one package twice (once per `[metadata]` style).
        if !seen.insert((name.to_owned(), version.to_owned())) {
            continue;
        }
        let mut p = Package::new(Ecosystem::CratesIo, name, version, loc(file, line));
        match t.get("source").and_then(|v| v.as_str()) {
            Some(src) if src.starts_with("git+") => {
                p.source = PackageSource::Git;
                p.commit = src.rsplit_once('#').map(|(_, c)| c.to_owned());
            }
            Some(_) => {}
            // No source: a workspace member or a path dependency.
            None => p.source = PackageSource::Local,
        }
        out.push(p);
    }
    Ok(out)
}
