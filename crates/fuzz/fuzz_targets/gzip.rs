//! Gzip streams (the input after a gzip header): inflated within the cap or refused.
#![no_main]

use atelier_core::data::{MAX_INFLATED_BYTES, inflate_if_gzip, load_bytes};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut stream = vec![0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0xff];
    stream.extend_from_slice(data);
    if let Ok(inflated) = inflate_if_gzip(&stream) {
        assert!(inflated.len() as u64 <= MAX_INFLATED_BYTES);
    }
    let _ = load_bytes(&stream);
});
