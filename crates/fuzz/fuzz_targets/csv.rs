//! A CSV read whole and read as it arrives in pieces (the page's way): neither panics, and
//! both give the same images or the same error.
#![no_main]

use atelier_core::data::{ArrivingCsv, DataError, Dataset, parse_csv};
use libfuzzer_sys::fuzz_target;

fn read_as_it_arrives(bytes: &[u8], piece: usize) -> Result<Dataset, DataError> {
    let mut arriving = ArrivingCsv::default();
    let mut arrived = 0;
    loop {
        arrived = (arrived + piece).min(bytes.len());
        let complete = arrived == bytes.len();
        let Some(mut reader) = arriving.reader(&bytes[..arrived], complete)? else {
            continue;
        };
        while !reader.read(997)? {}
        if complete {
            return reader.finish();
        }
        arriving.set_aside(reader);
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&piece, text)) = data.split_first() else {
        return;
    };
    let whole = parse_csv(text);
    let arriving = read_as_it_arrives(text, usize::from(piece) + 1);
    assert_eq!(whole, arriving);
});
