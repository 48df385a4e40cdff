//! Which layout a file has: a header found by its names (`label` anywhere), or a count of
//! numeric columns; and the field rules both readers share.

use crate::data::{DataError, IMAGE_PIXELS};

/// A UTF-8 byte order mark, which Excel writes at the start of a CSV.
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// A file's text: its bytes without the UTF-8 byte order mark, if it has one.
pub(super) fn text_of(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes)
}

/// Where the label sits in each row, and how many columns a row has.
#[derive(Clone, Copy, Debug)]
pub(super) struct Layout {
    pub(super) columns: usize,
    pub(super) label_column: Option<usize>,
}

/// The line's fields, one at a time: a line of millions of fields is never held as a list.
pub(super) fn fields(line: &[u8]) -> impl Iterator<Item = &[u8]> {
    line.split(|&b| b == b',')
}

/// How many fields the line has, counted without splitting it.
pub(super) fn count_fields(line: &[u8]) -> usize {
    line.iter().filter(|&&b| b == b',').count() + 1
}

/// Why `bytes` (a file's start) cannot be read as UTF-8 or ASCII text lines: UTF-16 (a byte
/// order mark, or a zero byte among the first two), or line ends that are a carriage return
/// alone, seen in `first_line` (trailing carriage returns aside, which CRLF files can double).
pub(super) fn text_encoding_problem(bytes: &[u8], first_line: &[u8]) -> Option<DataError> {
    let utf16 = bytes.starts_with(b"\xFF\xFE")
        || bytes.starts_with(b"\xFE\xFF")
        || bytes.iter().take(2).any(|&b| b == 0);
    if utf16 {
        return Some(DataError::Utf16);
    }
    first_line
        .trim_ascii_end()
        .contains(&b'\r')
        .then_some(DataError::CrLineEnds)
}

/// Trims spaces and one pair of surrounding double quotes.
pub(super) fn clean_field(field: &[u8]) -> &[u8] {
    let field = field.trim_ascii();
    field
        .strip_prefix(b"\"")
        .and_then(|f| f.strip_suffix(b"\""))
        .map(<[u8]>::trim_ascii)
        .unwrap_or(field)
}

pub(super) fn is_integer(field: &[u8]) -> bool {
    let field = clean_field(field);
    !field.is_empty() && field.iter().all(u8::is_ascii_digit)
}

/// A header is a first line whose fields are mostly not numbers, so that a data row with one
/// bad value is still read as data (and its bad value reported).
pub(super) fn looks_like_header(line: &[u8]) -> bool {
    let numeric = fields(line).filter(|f| is_integer(f)).count();
    numeric * 2 < count_fields(line)
}

pub(super) fn header_layout(line_text: &[u8], line: usize) -> Result<Layout, DataError> {
    let mut label_column = None;
    for (index, field) in fields(line_text).enumerate() {
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
    match (count_fields(line_text), label_column) {
        (n, Some(_)) if n == IMAGE_PIXELS + 1 => Ok(Layout {
            columns: n,
            label_column,
        }),
        (n, None) if n == IMAGE_PIXELS => Ok(Layout {
            columns: n,
            label_column,
        }),
        (n, None) if n == IMAGE_PIXELS + 1 => Err(DataError::HeaderWithoutLabel { line }),
        (n, Some(_)) => Err(DataError::HeaderPixelColumns {
            line,
            pixels: n - 1,
        }),
        (found, None) => Err(DataError::UnknownLayout { line, found }),
    }
}

pub(super) fn numeric_layout(columns: usize, line: usize) -> Result<Layout, DataError> {
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
