//! Any bytes as a runs file (an export, or `atelier train --run-record`): refused with a
//! reason, or read; runs read are written and read again to the same runs.
#![no_main]

use atelier_core::runs::{read_runs_file, runs_file};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(runs) = read_runs_file(data) {
        let written = runs_file(&runs);
        let again = read_runs_file(&written).expect("written runs read");
        assert!(runs_file(&again) == written);
    }
});
