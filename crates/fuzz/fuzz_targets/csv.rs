//! A CSV read whole and read as it arrives in pieces (the page's way): neither panics, and
//! both give the same images or the same error.
#![no_main]

use atelier_core::data::parse_csv;
use atelier_fixtures::read_as_it_arrives;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&piece, text)) = data.split_first() else {
        return;
    };
    let whole = parse_csv(text);
    let arriving = read_as_it_arrives(text, usize::from(piece) + 1);
    assert_eq!(whole, arriving);
});
