//! Any text as a layer list (the layer editor's import, `--model FILE.json`): refused with a
//! reason, or checked and summarised; a list that checks summarises within the limits.
#![no_main]

use atelier_core::model::{MAX_PARAMETERS, ModelSpec};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(json) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(spec) = ModelSpec::parse_json(json) {
        let _ = spec.validate();
        for layer in &spec.layers {
            let _ = layer.describe();
        }
    }
    if let Ok(spec) = ModelSpec::from_json(json) {
        let summary = spec.summary().expect("a checked model summarises");
        assert!(summary.total_parameters() <= MAX_PARAMETERS);
        assert_eq!(ModelSpec::from_json(&spec.to_json()).expect("round trip"), spec);
    }
});
