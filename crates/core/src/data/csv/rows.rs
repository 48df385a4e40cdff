//! One row's values: the byte-level fast path, and the lenient reader that accepts what the
//! fast path is not sure of, or says exactly what is wrong.

use super::layout::{Layout, clean_field, count_fields, fields};
use crate::data::{DataError, IMAGE_PIXELS};

/// The row at the start of `rest` when it is digits and commas only, every value in range and
/// no more than three digits: its pixels into `row`, and its label and length with its line end.
/// It reads the bytes once, finding the line end as it goes. `None` means "not sure" (a blank
/// line, spaces, quotes, a bad value): the caller re-reads the line leniently, which accepts
/// it or says what is wrong, so this path never decides an error.
#[inline]
pub(super) fn parse_row_fast(
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
pub(super) fn number_at(text: &[u8], at: usize) -> Option<(u32, usize, u8)> {
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
pub(super) fn parse_row_lenient(
    line: &[u8],
    number: usize,
    layout: Layout,
    pixels: &mut Vec<u8>,
) -> Result<Option<u8>, DataError> {
    let found = count_fields(line);
    if found != layout.columns {
        return Err(DataError::ColumnCount {
            line: number,
            expected: layout.columns,
            found,
        });
    }
    let mut label = None;
    for (index, field) in fields(line).enumerate() {
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
pub(super) fn parse_integer(text: &[u8]) -> Option<u64> {
    if text.is_empty() || !text.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(text.iter().fold(0u64, |acc, &d| {
        acc.saturating_mul(10).saturating_add((d - b'0') as u64)
    }))
}
