//! `composer.lock`.

use std::path::Path;

use super::text::{parse_json, ptr_escape, s};
use super::{InventoryError, Package, PackageSource, loc};
use crate::ecosystem::Ecosystem;

pub(crate) fn parse(text: &str, file: &Path) -> Result<Vec<Package>, InventoryError> {
    let doc = parse_json(text, file)?;
    let root = doc
        .value
        .as_object()
        .ok_or_else(|| InventoryError::new(file, Some(1), "composer.lock is not a JSON object"))?;
    let mut out = Vec::new();
    for (key, dev) in [("packages", false), ("packages-dev", true)] {
        let Some(list) = root.get(key).and_then(|v| v.as_array()) else {
            continue;
        };
        for (i, pkg) in list.iter().enumerate() {
            let ptr = format!("/{}/{i}", ptr_escape(key));
            let line = doc.line(&format!("{ptr}/name")).or_else(|| doc.line(&ptr));
            let (Some(name), Some(version)) = (s(pkg.get("name")), s(pkg.get("version"))) else {
                return Err(InventoryError::new(
                    file,
                    line,
                    "package without name or version",
                ));
            };
            let mut p = Package::new(Ecosystem::Packagist, name, version, loc(file, line));
            if dev {
                p.dep_groups.push("dev".into());
            }
            if let Some(src) = pkg.get("source") {
                p.commit = s(src.get("reference"))
                    .filter(|r| !r.is_empty())
                    .map(str::to_owned);
                if s(src.get("type")) == Some("path") {
                    p.source = PackageSource::Local;
                }
            }
            out.push(p);
        }
    }
    Ok(out)
}
