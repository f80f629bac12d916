//! Loading manifests for network analysis.
//!
//! The core loader reads everything; this adds one thing the network inputs need: items
//! of a typed list (`kind: PodList`, `NamespaceList` ...) written without their own
//! `kind`, as `kubectl get -o json` of older versions does. The core loader reports them
//! as objects without identity; here they take the kind the list implies.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use kspect_core::load::{Diagnostic, LoadOptions, Loaded, parse_str};
use kspect_core::object::Source;
use kspect_core::span::DocumentId;
use kspect_core::yaml::parse_document;
use kspect_core::{Inventory, Object};
use serde_json::Value;

/// Loads files and directories (recursively: `.yaml`, `.yml`, `.json`), skipping the
/// given file names, into an inventory.
pub fn load_inventory<P: AsRef<Path>>(paths: &[P], skip: &[String]) -> Inventory {
    let mut files: Vec<PathBuf> = Vec::new();
    let mut out = Loaded::default();
    for p in paths {
        collect(p.as_ref(), skip, true, &mut files);
    }
    if files.is_empty() && paths.iter().all(|p| !p.as_ref().exists()) {
        return Inventory::new(kspect_core::load::load_paths(
            paths,
            &LoadOptions::default(),
        ));
    }
    for f in files {
        let label = f.display().to_string();
        match std::fs::read_to_string(&f) {
            Ok(text) => {
                let mut l = parse_with_typed_lists(&label, &text);
                out.objects.append(&mut l.objects);
                out.diagnostics.append(&mut l.diagnostics);
                out.files += 1;
            }
            Err(e) => out.diagnostics.push(Diagnostic {
                level: kspect_core::load::DiagnosticLevel::Error,
                file: label,
                document: None,
                line: None,
                column: None,
                message: format!("cannot read: {e}"),
            }),
        }
    }
    Inventory::new(out)
}

/// Files under `p`; hidden directories are skipped below the paths the user gave
/// (a path given explicitly is read even when its name starts with a dot).
fn collect(p: &Path, skip: &[String], root: bool, out: &mut Vec<PathBuf>) {
    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if skip.iter().any(|s| p.ends_with(s)) {
        return;
    }
    if p.is_dir() {
        if !root && name.starts_with('.') && name != "." && name != ".." {
            return;
        }
        let Ok(rd) = std::fs::read_dir(p) else { return };
        let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
        entries.sort();
        for e in entries {
            collect(&e, skip, false, out);
        }
    } else {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".yaml") || lower.ends_with(".yml") || lower.ends_with(".json") {
            out.push(p.to_path_buf());
        }
    }
}

/// Parses one file; items of typed lists without a `kind` get the list's item kind.
pub fn parse_with_typed_lists(label: &str, text: &str) -> Loaded {
    let mut loaded = parse_str(label, text);
    let lost = loaded
        .diagnostics
        .iter()
        .any(|d| d.message.contains("no `kind`") || d.message.contains("no `apiVersion`"));
    if !lost || text.lines().filter(|l| l.starts_with("---")).count() > 1 {
        return loaded;
    }
    // Single-document file: parse it whole and rebuild the list items.
    let Ok(Some(doc)) = parse_document(text.strip_prefix('\u{feff}').unwrap_or(text), 0) else {
        return loaded;
    };
    let kind = doc.value.get("kind").and_then(Value::as_str).unwrap_or("");
    let Some(item_kind) = kind.strip_suffix("List").filter(|k| !k.is_empty()) else {
        return loaded;
    };
    let api = doc
        .value
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("v1")
        .to_string();
    let Some(items) = doc.value.get("items").and_then(Value::as_array) else {
        return loaded;
    };
    let spans = Arc::new(kspect_core::span::DocSpans::ready(doc.index.clone()));
    let file: Arc<str> = Arc::from(label);
    let mut objects = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let mut item = item.clone();
        let Some(m) = item.as_object_mut() else {
            continue;
        };
        m.entry("kind")
            .or_insert_with(|| Value::String(item_kind.to_string()));
        m.entry("apiVersion")
            .or_insert_with(|| Value::String(api.clone()));
        let source = Source {
            doc: DocumentId {
                file: file.clone(),
                document: 1,
            },
            prefix: format!("/items/{i}"),
            spans: spans.clone(),
        };
        if let Ok(o) = Object::new(item, source) {
            objects.push(o);
        }
    }
    loaded.objects = objects;
    loaded
        .diagnostics
        .retain(|d| !(d.message.contains("no `kind`") || d.message.contains("no `apiVersion`")));
    loaded
}
