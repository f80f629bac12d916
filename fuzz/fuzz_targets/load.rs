//! Fuzzes the manifest loader and the posture analysis behind it: any bytes must load
//! without panicking, and whatever objects come out must be analysable. The same bytes
//! are also loaded with CustomResourceDefinition bodies skimmed (as `scan` loads them);
//! when both loads are free of errors, the skimmed objects must be the full ones reduced
//! to `apiVersion`, `kind` and `metadata`.
#![no_main]

use kspect_core::load::{LoadOptions, parse_bytes, parse_bytes_with};
use libfuzzer_sys::fuzz_target;

const SKIMMED: &str = "CustomResourceDefinition";

fuzz_target!(|data: &[u8]| {
    let loaded = parse_bytes("fuzz.yaml", data);
    let skim_options = LoadOptions {
        metadata_only_kinds: vec![SKIMMED.to_string()],
        ..LoadOptions::default()
    };
    let skimmed = parse_bytes_with("fuzz.yaml", data, &skim_options);
    if !loaded.has_errors() && !skimmed.has_errors() {
        assert_eq!(loaded.objects.len(), skimmed.objects.len());
        for (full, skim) in loaded.objects.iter().zip(&skimmed.objects) {
            assert_eq!(full.id, skim.id);
            if full.id.kind == SKIMMED {
                for key in ["apiVersion", "kind", "metadata"] {
                    assert_eq!(full.value.get(key), skim.value.get(key));
                }
            } else {
                assert_eq!(full.value, skim.value);
            }
        }
    }
    for object in &loaded.objects {
        let _ = object.location();
    }
    let inventory = kspect_core::Inventory::new(loaded);
    let _ = kspect_posture::check(&inventory, &kspect_core::config::Config::default());
});
