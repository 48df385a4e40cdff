//! A CSV read while it arrives: the reader set aside and taken up again as more comes.

use super::reader::{CsvReader, CsvState};
use crate::data::DataError;

/// How many of `bytes` make whole lines: up to and including the last `\n`.
pub(super) fn whole_lines_len(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |at| at + 1)
}

/// A CSV read while it arrives, piece by piece: each time more has come, a [`CsvReader`] of the
/// whole lines not read yet, set aside again when they are. Reading what has come while the
/// browser reads the next piece hides most of the reading behind the parsing.
#[derive(Default)]
pub struct ArrivingCsv {
    set_aside: Option<CsvState>,
}

impl ArrivingCsv {
    /// A reader of `arrived`, the file from its start as far as it has come (`complete` once
    /// it all has), taking up where the last reader stopped. It reads whole lines only, until
    /// the file is complete. `None` while not one whole line has come.
    pub fn reader<'a>(
        &mut self,
        arrived: &'a [u8],
        complete: bool,
    ) -> Result<Option<CsvReader<'a>>, DataError> {
        let usable = if complete {
            arrived.len()
        } else {
            whole_lines_len(arrived)
        };
        if usable == 0 && !complete {
            return Ok(None);
        }
        let bytes = &arrived[..usable];
        Ok(Some(match self.set_aside.take() {
            Some(state) => CsvReader::resume(state, bytes),
            None => CsvReader::new(bytes)?,
        }))
    }

    /// Keeps what `reader` has read until more of the file has come.
    pub fn set_aside(&mut self, reader: CsvReader<'_>) {
        self.set_aside = Some(reader.suspend());
    }
}
