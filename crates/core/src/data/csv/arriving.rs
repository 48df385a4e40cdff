//! A CSV read while it arrives: the reader set aside and taken up again as more comes.

use super::layout::text_of;
use super::reader::{CsvReader, CsvState};
use crate::data::DataError;

/// A CSV read while it arrives, piece by piece: each time more has come, a [`CsvReader`] of the
/// whole lines not read yet, set aside again when they are. Reading what has come while the
/// browser reads the next piece hides most of the reading behind the parsing.
///
/// Every byte is looked at once however the file arrives: where the whole lines end and where
/// the first non-blank line starts are remembered between pieces, so that a long line or a run
/// of blank lines split over many pieces is not scanned again for each.
#[derive(Default)]
pub struct ArrivingCsv {
    set_aside: Option<CsvState>,
    /// Bytes already searched for a line end.
    scanned: usize,
    /// Bytes up to and including the last line end found.
    whole_lines: usize,
    /// Bytes of text (after any byte order mark) known to be blank lines before the first row
    /// or header.
    blank: usize,
}

impl ArrivingCsv {
    /// A reader of `arrived`, the file from its start as far as it has come (`complete` once
    /// it all has), taking up where the last reader stopped. It reads whole lines only, until
    /// the file is complete. `None` while not one whole non-blank line has come.
    pub fn reader<'a>(
        &mut self,
        arrived: &'a [u8],
        complete: bool,
    ) -> Result<Option<CsvReader<'a>>, DataError> {
        let from = self.scanned.min(arrived.len());
        if let Some(at) = arrived[from..].iter().rposition(|&b| b == b'\n') {
            self.whole_lines = from + at + 1;
        }
        self.scanned = arrived.len();
        let usable = if complete {
            arrived.len()
        } else {
            self.whole_lines.min(arrived.len())
        };
        let bytes = &arrived[..usable];
        if let Some(state) = self.set_aside.take() {
            return Ok(Some(CsvReader::resume(state, bytes)));
        }
        if !complete {
            // Blank as the reader sees it: after a UTF-8 byte order mark.
            let text = text_of(bytes);
            let from = self.blank.min(text.len());
            if text[from..].iter().all(u8::is_ascii_whitespace) {
                self.blank = text.len();
                return Ok(None);
            }
        }
        CsvReader::new(bytes).map(Some)
    }

    /// Keeps what `reader` has read until more of the file has come.
    pub fn set_aside(&mut self, reader: CsvReader<'_>) {
        self.set_aside = Some(reader.suspend());
    }
}
