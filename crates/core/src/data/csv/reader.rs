//! The reader itself: a CSV read a slice at a time, each row through the fast path or, when
//! that is not sure, the lenient reader that decides.

use rayon::prelude::*;

use super::layout::{
    Layout, count_fields, header_layout, looks_like_header, numeric_layout, text_encoding_problem,
    text_of,
};
use super::lines::Lines;
use super::pieces_at_line_ends;
use super::rows::{parse_row_fast, parse_row_lenient};
use crate::data::{DataError, Dataset, IMAGE_PIXELS};

/// A CSV read a slice at a time, so that a page can show progress and breathe between slices.
pub struct CsvReader<'a> {
    pub(super) lines: Lines<'a>,
    pub(super) layout: Layout,
    header_line: usize,
    pub(super) pixels: Vec<u8>,
    pub(super) labels: Option<Vec<u8>>,
}

impl<'a> CsvReader<'a> {
    /// Reads the first line (header or first row) and decides the layout.
    pub fn new(bytes: &'a [u8]) -> Result<Self, DataError> {
        let text = text_of(bytes);
        let mut lines = Lines::new(text);
        let (first_number, first) = lines.next_non_blank().ok_or(DataError::Empty)?;
        if let Some(problem) = text_encoding_problem(bytes, first) {
            return Err(problem);
        }
        let has_header = looks_like_header(first);
        let layout = if has_header {
            header_layout(first, first_number)?
        } else {
            numeric_layout(count_fields(first), first_number)?
        };
        if !has_header {
            // The first line is data: read it again with the others.
            lines.rewind_to(first_number, lines.offset_of(first));
        }
        let estimated_rows = text.len() / first.len().max(1) + 1;
        Ok(Self {
            lines,
            layout,
            header_line: first_number,
            pixels: Vec::with_capacity(estimated_rows * IMAGE_PIXELS),
            labels: layout
                .label_column
                .map(|_| Vec::with_capacity(estimated_rows)),
        })
    }

    /// Every row after the header, read on the calling thread.
    pub(super) fn read_to_end(mut self) -> Result<Dataset, DataError> {
        while !self.read(usize::MAX)? {}
        self.finish()
    }

    /// Every row after the header, read in pieces of about `piece_bytes` cut at line ends, on
    /// rayon's threads; this reader is left as it was. `None` when the rows are too few to
    /// split or any piece has a problem.
    pub(super) fn read_in_pieces(&self, piece_bytes: usize) -> Option<Dataset> {
        let rows = &self.lines.text[self.lines.position..];
        let pieces = rows.len() / piece_bytes.max(1);
        if pieces < 2 {
            return None;
        }
        let read: Vec<CsvReader> = pieces_at_line_ends(rows, pieces)
            .into_par_iter()
            .map(|piece| {
                let mut reader = self.for_rows(piece);
                reader.read(usize::MAX).ok()?;
                Some(reader)
            })
            .collect::<Option<_>>()?;
        let mut pixels = Vec::with_capacity(read.iter().map(|r| r.pixels.len()).sum());
        let mut labels = self.labels.as_ref().map(|_| Vec::new());
        for reader in read {
            pixels.extend_from_slice(&reader.pixels);
            if let (Some(labels), Some(piece_labels)) = (labels.as_mut(), reader.labels) {
                labels.extend_from_slice(&piece_labels);
            }
        }
        (!pixels.is_empty()).then(|| Dataset::new(pixels, labels))
    }

    /// A reader of `rows` (a run of whole lines of the same file) with this header's layout.
    /// Its line numbers count from the run's start, which is why [`parse_csv`] reports problems
    /// from one reading of all the rows instead.
    pub(super) fn for_rows(&self, rows: &'a [u8]) -> Self {
        Self {
            lines: Lines::new(rows),
            layout: self.layout,
            header_line: self.header_line,
            // At least two bytes ("0,") per pixel.
            pixels: Vec::with_capacity(rows.len() / 2),
            labels: self.labels.as_ref().map(|_| Vec::new()),
        }
    }

    /// Bytes read so far and in all.
    pub fn progress(&self) -> (usize, usize) {
        (self.lines.position, self.lines.text.len())
    }

    /// Reads rows until about `max_bytes` more are read; true once the whole file is.
    pub fn read(&mut self, max_bytes: usize) -> Result<bool, DataError> {
        let stop_at = self.lines.position.saturating_add(max_bytes);
        let mut row = [0u8; IMAGE_PIXELS];
        while self.lines.position < stop_at {
            let rest = &self.lines.text[self.lines.position..];
            let label = match parse_row_fast(rest, self.layout, &mut row) {
                Some((label, consumed)) => {
                    self.lines.skip(consumed);
                    self.pixels.extend_from_slice(&row);
                    label
                }
                None => {
                    let Some((number, line)) = self.lines.next_non_blank() else {
                        return Ok(true);
                    };
                    parse_row_lenient(line, number, self.layout, &mut self.pixels)?
                }
            };
            if let (Some(labels), Some(label)) = (self.labels.as_mut(), label) {
                labels.push(label);
            }
        }
        Ok(self.lines.position >= self.lines.text.len())
    }

    /// What this reader has read and where it stands, without the bytes: to go on with
    /// [`resume`](Self::resume) once more of the file has arrived.
    pub(super) fn suspend(self) -> CsvState {
        CsvState {
            layout: self.layout,
            header_line: self.header_line,
            position: self.lines.position,
            number: self.lines.number,
            pixels: self.pixels,
            labels: self.labels,
        }
    }

    /// Goes on reading where `state` stopped, over `bytes`: the same file from its start, with
    /// more of it than before. [`read`](Self::read) then says true once it has read all of
    /// `bytes`, which is the whole file only when `bytes` is.
    pub(super) fn resume(state: CsvState, bytes: &'a [u8]) -> Self {
        let text = text_of(bytes);
        let mut lines = Lines::new(text);
        lines.position = state.position;
        lines.number = state.number;
        Self {
            lines,
            layout: state.layout,
            header_line: state.header_line,
            pixels: state.pixels,
            labels: state.labels,
        }
    }

    /// The images read, once [`read`](Self::read) said the file is done.
    pub fn finish(self) -> Result<Dataset, DataError> {
        if self.pixels.is_empty() {
            return Err(DataError::NoRows {
                header_line: self.header_line,
            });
        }
        Ok(Dataset::new(self.pixels, self.labels))
    }
}

/// A [`CsvReader`] set aside while more of its file arrives ([`CsvReader::suspend`]).
pub(super) struct CsvState {
    pub(super) layout: Layout,
    pub(super) header_line: usize,
    pub(super) position: usize,
    pub(super) number: usize,
    pub(super) pixels: Vec<u8>,
    pub(super) labels: Option<Vec<u8>>,
}
