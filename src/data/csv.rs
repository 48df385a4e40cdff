//! The training and test CSV layouts: Kaggle's `label,pixel1..pixel784` with a header, the same
//! without a header, 784 unlabelled columns, the `label` column anywhere, CRLF, a UTF-8 BOM.
//!
//! Rows go through a byte-level fast path (digits and commas only); any row it does not accept is
//! re-read by a lenient field-by-field reader that either accepts it (spaces, quotes) or says
//! exactly what is wrong with it.

use rayon::prelude::*;

use super::{DataError, Dataset, IMAGE_PIXELS};

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Where the label sits in each row, and how many columns a row has.
#[derive(Clone, Copy, Debug)]
struct Layout {
    columns: usize,
    label_column: Option<usize>,
}

/// Parses a training or test CSV into a dataset. A large file's rows are read in pieces on
/// rayon's threads; if any piece has a problem, the rows are read again on this thread, so
/// that errors (and their line numbers) are exactly those of [`CsvReader`].
pub fn parse_csv(bytes: &[u8]) -> Result<Dataset, DataError> {
    let reader = CsvReader::new(bytes)?;
    if rayon::current_num_threads() > 1
        && let Some(dataset) = reader.read_in_pieces(PIECE_BYTES)
    {
        return Ok(dataset);
    }
    reader.read_to_end()
}

/// Rows per piece, in bytes: the full `train.csv` (133 MB) makes 15 pieces, enough to keep every
/// thread busy to the end; a file under two pieces is read in one.
const PIECE_BYTES: usize = 8 << 20;

/// `text` cut into `pieces` runs of whole lines (the last may lack its line end).
fn pieces_at_line_ends(text: &[u8], pieces: usize) -> Vec<&[u8]> {
    let mut cuts = vec![0];
    for piece in 1..pieces {
        let from = (text.len() * piece / pieces).max(cuts[cuts.len() - 1]);
        let cut =
            (text[from..].iter().position(|&b| b == b'\n')).map_or(text.len(), |at| from + at + 1);
        cuts.push(cut);
    }
    cuts.push(text.len());
    cuts.windows(2).map(|at| &text[at[0]..at[1]]).collect()
}

/// A CSV read a slice at a time, so that a page can show progress and breathe between slices.
pub struct CsvReader<'a> {
    lines: Lines<'a>,
    layout: Layout,
    header_line: usize,
    pixels: Vec<u8>,
    labels: Option<Vec<u8>>,
}

impl<'a> CsvReader<'a> {
    /// Reads the first line (header or first row) and decides the layout.
    pub fn new(bytes: &'a [u8]) -> Result<Self, DataError> {
        let text = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
        let mut lines = Lines::new(text);
        let (first_number, first) = lines.next_non_blank().ok_or(DataError::Empty)?;
        let first_fields = split_fields(first);
        let has_header = looks_like_header(&first_fields);
        let layout = if has_header {
            header_layout(&first_fields, first_number)?
        } else {
            numeric_layout(first_fields.len(), first_number)?
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
    fn read_to_end(mut self) -> Result<Dataset, DataError> {
        while !self.read(usize::MAX)? {}
        self.finish()
    }

    /// Every row after the header, read in pieces of about `piece_bytes` cut at line ends, on
    /// rayon's threads; this reader is left as it was. `None` when the rows are too few to
    /// split or any piece has a problem.
    fn read_in_pieces(&self, piece_bytes: usize) -> Option<Dataset> {
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
    fn for_rows(&self, rows: &'a [u8]) -> Self {
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
    fn suspend(self) -> CsvState {
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
    fn resume(state: CsvState, bytes: &'a [u8]) -> Self {
        let text = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
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
struct CsvState {
    layout: Layout,
    header_line: usize,
    position: usize,
    number: usize,
    pixels: Vec<u8>,
    labels: Option<Vec<u8>>,
}

/// How many of `bytes` make whole lines: up to and including the last `\n`.
fn whole_lines_len(bytes: &[u8]) -> usize {
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

/// Lines without their `\n` or `\r\n`, numbered from 1.
struct Lines<'a> {
    text: &'a [u8],
    position: usize,
    number: usize,
}

impl<'a> Lines<'a> {
    fn new(text: &'a [u8]) -> Self {
        Self {
            text,
            position: 0,
            number: 0,
        }
    }

    fn next_line(&mut self) -> Option<(usize, &'a [u8])> {
        if self.position >= self.text.len() {
            return None;
        }
        let rest = &self.text[self.position..];
        let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
        self.position += (end + 1).min(rest.len());
        self.number += 1;
        let line = &rest[..end];
        Some((self.number, line.strip_suffix(b"\r").unwrap_or(line)))
    }

    fn next_non_blank(&mut self) -> Option<(usize, &'a [u8])> {
        loop {
            let (number, line) = self.next_line()?;
            if !line.iter().all(u8::is_ascii_whitespace) {
                return Some((number, line));
            }
        }
    }

    /// Where `line` (a slice of the text) starts.
    fn offset_of(&self, line: &[u8]) -> usize {
        line.as_ptr() as usize - self.text.as_ptr() as usize
    }

    /// Moves past one line of `bytes` bytes, its line end included.
    fn skip(&mut self, bytes: usize) {
        self.position += bytes;
        self.number += 1;
    }

    /// Makes `line_number`, starting at byte `position`, the next line returned.
    fn rewind_to(&mut self, line_number: usize, position: usize) {
        self.position = position;
        self.number = line_number - 1;
    }
}

fn split_fields(line: &[u8]) -> Vec<&[u8]> {
    line.split(|&b| b == b',').collect()
}

/// Trims spaces and one pair of surrounding double quotes.
fn clean_field(field: &[u8]) -> &[u8] {
    let field = field.trim_ascii();
    field
        .strip_prefix(b"\"")
        .and_then(|f| f.strip_suffix(b"\""))
        .map(<[u8]>::trim_ascii)
        .unwrap_or(field)
}

fn is_integer(field: &[u8]) -> bool {
    let field = clean_field(field);
    !field.is_empty() && field.iter().all(u8::is_ascii_digit)
}

/// A header is a first line whose fields are mostly not numbers, so that a data row with one
/// bad value is still read as data (and its bad value reported).
fn looks_like_header(fields: &[&[u8]]) -> bool {
    let numeric = fields.iter().filter(|f| is_integer(f)).count();
    numeric * 2 < fields.len()
}

fn header_layout(fields: &[&[u8]], line: usize) -> Result<Layout, DataError> {
    let mut label_column = None;
    for (index, field) in fields.iter().enumerate() {
        if clean_field(field).eq_ignore_ascii_case(b"label") {
            if label_column.is_some() {
                return Err(DataError::DuplicateLabelColumn {
                    line,
                    column: index + 1,
                });
            }
            label_column = Some(index);
        }
    }
    match (fields.len(), label_column) {
        (n, Some(_)) if n == IMAGE_PIXELS + 1 => Ok(Layout {
            columns: n,
            label_column,
        }),
        (n, None) if n == IMAGE_PIXELS => Ok(Layout {
            columns: n,
            label_column,
        }),
        (n, None) if n == IMAGE_PIXELS + 1 => Err(DataError::HeaderWithoutLabel { line }),
        (found, _) => Err(DataError::UnknownLayout { line, found }),
    }
}

fn numeric_layout(columns: usize, line: usize) -> Result<Layout, DataError> {
    match columns {
        n if n == IMAGE_PIXELS => Ok(Layout {
            columns: n,
            label_column: None,
        }),
        n if n == IMAGE_PIXELS + 1 => Ok(Layout {
            columns: n,
            label_column: Some(0),
        }),
        found => Err(DataError::UnknownLayout { line, found }),
    }
}

/// The row at the start of `rest` when it is digits and commas only, every value in range and
/// no more than three digits: its pixels into `row`, and its label and length with its line end.
/// It reads the bytes once, finding the line end as it goes. `None` means "not sure" (a blank
/// line, spaces, quotes, a bad value): the caller re-reads the line leniently, which accepts
/// it or says what is wrong, so this path never decides an error.
#[inline]
fn parse_row_fast(
    rest: &[u8],
    layout: Layout,
    row: &mut [u8; IMAGE_PIXELS],
) -> Option<(Option<u8>, usize)> {
    let label_column = layout.label_column.unwrap_or(usize::MAX);
    let mut label = None;
    let mut filled = 0;
    let mut at = 0;
    for column in 0..layout.columns {
        let (value, digits, after) = number_at(rest, at)?;
        at += digits;
        if column == label_column {
            if value > 9 {
                return None;
            }
            label = Some(value as u8);
        } else {
            *row.get_mut(filled)? = u8::try_from(value).ok()?;
            filled += 1;
        }
        if column + 1 < layout.columns {
            if after != b',' {
                return None;
            }
            at += 1;
        }
    }
    // The line ends here: `\n`, `\r\n`, or the end of the text, with or without a `\r`.
    let line_end = match &rest[at..] {
        [] => 0,
        [b'\n', ..] => 1,
        [b'\r'] => 1,
        [b'\r', b'\n', ..] => 2,
        _ => return None,
    };
    (filled == IMAGE_PIXELS).then_some((label, at + line_end))
}

/// The one to three digits at `at` as a number, how many digits, and the byte after them (a
/// `\n` past the end of the text); `None` if no digit is there. A value and its separator fit
/// in the next four bytes, read with one bounds check; the text's last few bytes are padded
/// with line ends.
#[inline(always)]
fn number_at(text: &[u8], at: usize) -> Option<(u32, usize, u8)> {
    let digit = |byte: u8| {
        Some(byte.wrapping_sub(b'0'))
            .filter(|&d| d < 10)
            .map(u32::from)
    };
    let [first, second, third, fourth] = match text.get(at..at + 4) {
        Some(&[first, second, third, fourth]) => [first, second, third, fourth],
        _ => {
            let rest = text.get(at..).unwrap_or_default();
            let mut padded = [b'\n'; 4];
            padded[..rest.len()].copy_from_slice(rest);
            padded
        }
    };
    let a = digit(first)?;
    let Some(b) = digit(second) else {
        return Some((a, 1, second));
    };
    let Some(c) = digit(third) else {
        return Some((a * 10 + b, 2, third));
    };
    Some((a * 100 + b * 10 + c, 3, fourth))
}

/// Accepts spaces and quotes around values; otherwise says what is wrong and where.
fn parse_row_lenient(
    line: &[u8],
    number: usize,
    layout: Layout,
    pixels: &mut Vec<u8>,
) -> Result<Option<u8>, DataError> {
    let fields = split_fields(line);
    if fields.len() != layout.columns {
        return Err(DataError::ColumnCount {
            line: number,
            expected: layout.columns,
            found: fields.len(),
        });
    }
    let mut label = None;
    for (index, field) in fields.iter().enumerate() {
        let text = clean_field(field);
        let shown = || String::from_utf8_lossy(&text[..text.len().min(40)]).into_owned();
        let is_label = layout.label_column == Some(index);
        let value = parse_integer(text);
        match (is_label, value) {
            (true, Some(v)) if v <= 9 => label = Some(v as u8),
            (true, _) => {
                return Err(DataError::LabelOutOfRange {
                    line: number,
                    column: index + 1,
                    value: shown(),
                });
            }
            (false, Some(v)) if v <= 255 => pixels.push(v as u8),
            (false, Some(_)) => {
                return Err(DataError::PixelOutOfRange {
                    line: number,
                    column: index + 1,
                    value: shown(),
                });
            }
            (false, None) => {
                return Err(DataError::NotAnInteger {
                    line: number,
                    column: index + 1,
                    value: shown(),
                });
            }
        }
    }
    Ok(label)
}

/// A run of ASCII digits as a number (saturating), or `None`.
fn parse_integer(text: &[u8]) -> Option<u64> {
    if text.is_empty() || !text.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(text.iter().fold(0u64, |acc, &d| {
        acc.saturating_mul(10).saturating_add((d - b'0') as u64)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(label: Option<u8>, value: u8) -> String {
        let mut fields: Vec<String> = label.iter().map(|l| l.to_string()).collect();
        fields.extend((0..IMAGE_PIXELS).map(|_| value.to_string()));
        fields.join(",")
    }

    #[test]
    fn fast_and_lenient_readers_agree_on_clean_rows() {
        let line = row(Some(3), 200);
        let layout = Layout {
            columns: 785,
            label_column: Some(0),
        };
        let (mut fast, mut lenient) = ([0; IMAGE_PIXELS], Vec::new());
        let text = format!("{line}\nnext");
        let a = parse_row_fast(text.as_bytes(), layout, &mut fast);
        let b = parse_row_lenient(line.as_bytes(), 1, layout, &mut lenient).unwrap();
        assert_eq!(a, Some((b, line.len() + 1)));
        assert_eq!(fast.to_vec(), lenient);
        assert_eq!(lenient, vec![200; IMAGE_PIXELS]);
    }

    /// A header naming `label` at `column` among `pixel1..pixel784`, without its line end.
    fn header_with_label_at(column: usize) -> String {
        let mut names: Vec<String> = (1..=IMAGE_PIXELS).map(|i| format!("pixel{i}")).collect();
        names.insert(column, "label".into());
        names.join(",")
    }

    /// Every row through the lenient reader alone: what the fast path must agree with.
    fn read_leniently(text: &[u8]) -> Result<Dataset, DataError> {
        let mut reader = CsvReader::new(text)?;
        while let Some((number, line)) = reader.lines.next_non_blank() {
            let label = parse_row_lenient(line, number, reader.layout, &mut reader.pixels)?;
            if let (Some(labels), Some(label)) = (reader.labels.as_mut(), label) {
                labels.push(label);
            }
        }
        reader.finish()
    }

    /// Files with one odd row (a value, a line end, a column too many or too few) between two
    /// clean ones, in each layout: the fast path takes only rows the lenient reader reads the
    /// same way, so every file gives the same images or the same error either way.
    #[test]
    fn the_fast_path_reads_every_row_as_the_lenient_reader_does() {
        let values = [
            "7", "07", "007", "0007", "255", "256", "999", "1000", " 7", "7 ", "\"7\"", "", "-1",
            "+7", "7.0", "1e2", "x",
        ];
        let labels = ["0", "9", "09", "10", " 3", "\"3\"", ""];
        let ends = [
            "\n", "\r\n", "\r\r\n", "\r", ",\n", "\n\n", "\n \n", "\n\r\n",
        ];
        let layouts = [
            (None, Some(0)),
            (Some(header_with_label_at(0)), Some(0)),
            (Some(header_with_label_at(5)), Some(5)),
            (None, None),
        ];
        let checked = |text: String| {
            let fast = CsvReader::new(text.as_bytes()).and_then(CsvReader::read_to_end);
            assert_eq!(fast, read_leniently(text.as_bytes()), "{text:?}");
        };
        for (header, label_column) in layouts {
            let fields = |label: &str, value: &str, at: usize| {
                let mut fields = vec!["12".to_string(); IMAGE_PIXELS];
                fields[at] = value.to_string();
                if let Some(column) = label_column {
                    fields.insert(column, label.to_string());
                }
                fields
            };
            let clean = fields("1", "12", 0).join(",");
            let header = header.map_or(String::new(), |h| h + "\n");
            for at in [0, 400, IMAGE_PIXELS - 1] {
                for value in values {
                    checked(format!(
                        "{header}{clean}\n{}\n{clean}\n",
                        fields("2", value, at).join(",")
                    ));
                }
            }
            if label_column.is_some() {
                for label in labels {
                    checked(format!(
                        "{header}{clean}\n{}\n{clean}",
                        fields(label, "3", 0).join(",")
                    ));
                }
            }
            // A bad row after the odd line end: its error's line number counts the lines.
            let bad = fields("5", "256", 7).join(",");
            for end in ends {
                checked(format!("{header}{clean}{end}{clean}{end}"));
                checked(format!("{header}{clean}\n{clean}{end}{clean}"));
                checked(format!("{header}{clean}{end}{clean}{end}{bad}\n"));
            }
            let mut short = fields("4", "5", 0);
            short.pop();
            let mut long = fields("4", "5", 0);
            long.push("5".into());
            for odd in [short, long] {
                checked(format!("{header}{clean}\n{}\n{clean}\n", odd.join(",")));
            }
        }
    }

    #[test]
    fn spaces_and_quotes_are_accepted() {
        let text = format!("{}\n", row(Some(1), 7).replace(",7,", ", \"7\" ,"));
        let data = parse_csv(text.as_bytes()).unwrap();
        assert_eq!(data.labels(), Some(&[1u8][..]));
        assert!(data.pixels().iter().all(|&p| p == 7));
    }

    /// `text` read in pieces of about 3,000 bytes (two rows), so that cuts fall everywhere.
    fn in_pieces(text: &str) -> Option<Dataset> {
        CsvReader::new(text.as_bytes())
            .unwrap()
            .read_in_pieces(3_000)
    }

    #[test]
    fn pieces_are_whole_lines_that_add_up_to_the_text() {
        let text = b"a,1\nbb,2\r\n\nccc,3\nd";
        for pieces in 1..=12 {
            let cut = pieces_at_line_ends(text, pieces);
            assert_eq!(cut.len(), pieces);
            assert_eq!(cut.concat(), text, "{pieces} pieces");
            // Each cut is just after a line end, or at the end of the text.
            for (at, piece) in cut.iter().enumerate() {
                let rest_empty = cut[at + 1..].iter().all(|p| p.is_empty());
                assert!(piece.ends_with(b"\n") || piece.is_empty() || rest_empty);
            }
        }
    }

    #[test]
    fn reading_in_pieces_gives_what_one_reading_gives() {
        let lenient = row(Some(5), 9).replacen(",9,", ", \"9\" ,", 3);
        let mut lines: Vec<String> = (0..40u8).map(|i| row(Some(i % 10), i * 6)).collect();
        lines[17] = lenient;
        lines[30] = String::new();
        let header = header_with_label_at(0);
        let kaggle = format!("{header}\n{}", lines.join("\n"));
        let crlf = format!("{}\r\n", lines.join("\r\n"));
        let unlabelled: String = (0..25u8).map(|i| row(None, i) + "\n").collect();
        for text in [kaggle, crlf, unlabelled] {
            let whole = CsvReader::new(text.as_bytes()).unwrap().read_to_end();
            assert_eq!(in_pieces(&text).expect("clean rows"), whole.unwrap());
        }
    }

    #[test]
    fn a_problem_in_any_piece_leaves_it_to_one_reading() {
        let mut lines: Vec<String> = (0..40).map(|_| row(Some(1), 0)).collect();
        lines[33] = row(Some(1), 0).replacen(",0", ",256", 1);
        let text = lines.join("\n");
        assert_eq!(in_pieces(&text), None);
        let err = parse_csv(text.as_bytes()).unwrap_err();
        assert_eq!(err.line(), Some(34));
        assert_eq!(err.column(), Some(2));
        // Too small to split.
        assert_eq!(in_pieces(&lines[0]), None);
    }

    #[test]
    fn leading_blank_lines_keep_line_numbers() {
        let text = format!("\n\n{}\n{}", row(Some(1), 0), row(Some(12), 0));
        let err = parse_csv(text.as_bytes()).unwrap_err();
        assert_eq!(err.line(), Some(4));
        assert_eq!(err.column(), Some(1));
    }
}
