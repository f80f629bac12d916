//! Fuzzes the manifest loader and the posture analysis behind it: any bytes must load
//! without panicking, and whatever objects come out must be analysable.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let loaded = kspect_core::load::parse_bytes("fuzz.yaml", data);
    for object in &loaded.objects {
        let _ = object.location();
    }
    let inventory = kspect_core::Inventory::new(loaded);
    let _ = kspect_posture::check(&inventory, &kspect_core::config::Config::default());
});
