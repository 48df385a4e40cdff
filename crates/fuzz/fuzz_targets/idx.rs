//! Any bytes as a dropped file (CSV, IDX or gzip of either, told apart by content), and as an
//! IDX images and labels pair: an answer or an error, never a panic.
#![no_main]

use atelier_core::data::{load_bytes, parse_idx, parse_idx_pair};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = load_bytes(data);
    let _ = parse_idx(data);
    let half = data.len() / 2;
    let _ = parse_idx_pair(&data[..half], &data[half..]);
});
