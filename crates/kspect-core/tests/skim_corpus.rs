//! Differential test of skimming (`LoadOptions.metadata_only_kinds`) over the real
//! manifest corpus: loading with CustomResourceDefinition bodies skimmed must give
//! exactly what a full load reduced to identity and metadata gives, with the same
//! positions and the same errors. Only warnings about skipped bodies may differ.

use kspect_core::load::{DiagnosticLevel, LoadOptions, load_paths};
use serde_json::Value;

const SKIMMED: &str = "CustomResourceDefinition";

fn reduced(v: &Value) -> Value {
    let mut out = serde_json::Map::new();
    for key in ["apiVersion", "kind", "metadata"] {
        if let Some(x) = v.get(key) {
            out.insert(key.to_string(), x.clone());
        }
    }
    Value::Object(out)
}

#[test]
fn skimmed_load_of_the_manifest_corpus_equals_the_reduced_full_load() {
    let Some(dir) = kspect_core::corpus::corpus_dir("manifests") else {
        return;
    };
    let full = load_paths(&[&dir], &LoadOptions::default());
    let skim = load_paths(
        &[&dir],
        &LoadOptions {
            metadata_only_kinds: vec![SKIMMED.to_string()],
            ..LoadOptions::default()
        },
    );
    assert_eq!(full.objects.len(), skim.objects.len());
    let mut skimmed = 0;
    for (f, s) in full.objects.iter().zip(&skim.objects) {
        assert_eq!(f.id, s.id);
        let place = |o: &kspect_core::Object, ptr: &str| {
            let l = o.locate(ptr);
            (l.file.to_string(), l.document, l.line, l.column, l.pointer)
        };
        for ptr in [
            "",
            "/metadata",
            "/metadata/name",
            "/metadata/labels",
            "/kind",
        ] {
            assert_eq!(place(f, ptr), place(s, ptr), "{:?} {ptr}", f.id);
        }
        if f.id.kind == SKIMMED {
            skimmed += 1;
            assert_eq!(reduced(&f.value), s.value, "{:?}", f.id);
        } else {
            assert_eq!(f.value, s.value, "{:?}", f.id);
        }
    }
    let errors = |l: &kspect_core::load::Loaded| -> Vec<String> {
        l.diagnostics
            .iter()
            .filter(|d| d.level == DiagnosticLevel::Error)
            .map(|d| d.to_string())
            .collect()
    };
    assert_eq!(errors(&full), errors(&skim));
    println!(
        "{} objects agree, {skimmed} of them CustomResourceDefinitions loaded skimmed",
        full.objects.len()
    );
    assert!(skimmed >= 20, "the corpus should exercise skimming");
}
