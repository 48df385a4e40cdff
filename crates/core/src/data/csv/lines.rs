//! The text's lines, numbered, as the reader walks them.

/// Lines without their `\n` or `\r\n`, numbered from 1.
pub(super) struct Lines<'a> {
    pub(super) text: &'a [u8],
    pub(super) position: usize,
    pub(super) number: usize,
}

impl<'a> Lines<'a> {
    pub(super) fn new(text: &'a [u8]) -> Self {
        Self {
            text,
            position: 0,
            number: 0,
        }
    }

    pub(super) fn next_line(&mut self) -> Option<(usize, &'a [u8])> {
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

    pub(super) fn next_non_blank(&mut self) -> Option<(usize, &'a [u8])> {
        loop {
            let (number, line) = self.next_line()?;
            if !line.iter().all(u8::is_ascii_whitespace) {
                return Some((number, line));
            }
        }
    }

    /// Where `line` (a slice of the text) starts.
    pub(super) fn offset_of(&self, line: &[u8]) -> usize {
        line.as_ptr() as usize - self.text.as_ptr() as usize
    }

    /// Moves past one line of `bytes` bytes, its line end included.
    pub(super) fn skip(&mut self, bytes: usize) {
        self.position += bytes;
        self.number += 1;
    }

    /// Makes `line_number`, starting at byte `position`, the next line returned.
    pub(super) fn rewind_to(&mut self, line_number: usize, position: usize) {
        self.position = position;
        self.number = line_number - 1;
    }
}
