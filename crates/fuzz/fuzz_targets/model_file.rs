//! Any bytes as a model file: refused with a reason, or read; a model read is written and
//! read again to the same model (compared as written bytes: weights may be NaN).
#![no_main]

use atelier_core::saved::SavedModel;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(model) = SavedModel::from_bytes(data) {
        let written = model.to_bytes();
        let again = SavedModel::from_bytes(&written).expect("a written model reads");
        assert!(again.to_bytes() == written);
    }
});
