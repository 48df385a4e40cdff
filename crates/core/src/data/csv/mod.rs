//! The training and test CSV layouts: Kaggle's `label,pixel1..pixel784` with a header, the same
//! without a header, 784 unlabelled columns, the `label` column anywhere, CRLF, a UTF-8 BOM.
//!
//! Rows go through a byte-level fast path (digits and commas only); any row it does not accept is
//! re-read by a lenient field-by-field reader that either accepts it (spaces, quotes) or says
//! exactly what is wrong with it.

mod arriving;
mod layout;
mod lines;
mod reader;
mod rows;

pub use arriving::ArrivingCsv;
pub use reader::CsvReader;

use super::{DataError, Dataset};

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

#[cfg(test)]
mod tests {
    use super::layout::Layout;
    use super::rows::{parse_row_fast, parse_row_lenient};
    use super::*;
    use crate::data::IMAGE_PIXELS;

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
