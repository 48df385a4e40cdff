//! Every malformed input gets a typed error naming the problem, its line and its column, and
//! nothing panics.

use atelier_core::data::{DataError, SeededRng, load_bytes, parse_csv, parse_idx, parse_idx_pair};
use atelier_fixtures::*;

fn csv_error(text: &str) -> DataError {
    parse_csv(text.as_bytes()).expect_err("the CSV should be rejected")
}

fn small_csv() -> String {
    kaggle_csv(&train_subset(6))
}

#[test]
fn empty_file() {
    for text in ["", "\n\n", "  \r\n"] {
        let err = csv_error(text);
        assert_eq!(err, DataError::Empty);
        assert_eq!(err.to_string(), "the file is empty");
        assert_eq!(err.located("train.csv"), "train.csv: the file is empty");
    }
}

#[test]
fn header_without_rows() {
    let header = small_csv().lines().next().unwrap().to_string();
    for text in [
        header.clone(),
        format!("{header}\n"),
        format!("{header}\r\n\r\n"),
    ] {
        let err = csv_error(&text);
        assert_eq!(err, DataError::NoRows { header_line: 1 });
        assert_eq!(
            err.located("t.csv"),
            "t.csv:1: the file has a header but no image rows"
        );
    }
}

#[test]
fn row_with_a_missing_value() {
    let csv = edit_line(&small_csv(), 4, |line| {
        line.rsplit_once(',').unwrap().0.to_string()
    });
    let err = csv_error(&csv);
    assert_eq!(
        err,
        DataError::ColumnCount {
            line: 4,
            expected: 785,
            found: 784
        }
    );
    assert_eq!(
        err.located("train.csv"),
        "train.csv:4: expected 785 columns, found 784"
    );
}

#[test]
fn row_with_an_extra_value() {
    let csv = edit_line(&small_csv(), 7, |line| format!("{line},0"));
    assert_eq!(
        csv_error(&csv),
        DataError::ColumnCount {
            line: 7,
            expected: 785,
            found: 786
        }
    );
}

#[test]
fn value_that_is_not_an_integer() {
    for (bad, shown) in [
        ("abc", "\"abc\""),
        ("3.5", "\"3.5\""),
        ("-1", "\"-1\""),
        ("", "an empty value"),
    ] {
        let csv = edit_line(&small_csv(), 3, |line| set_field(line, 10, bad));
        let err = csv_error(&csv);
        assert_eq!((err.line(), err.column()), (Some(3), Some(10)), "{bad:?}");
        assert!(
            matches!(err, DataError::NotAnInteger { .. }),
            "{bad:?}: {err:?}"
        );
        assert_eq!(
            err.located("train.csv"),
            format!("train.csv:3:10: {shown} is not an integer 0-255")
        );
    }
}

#[test]
fn pixel_above_255() {
    let csv = edit_line(&small_csv(), 2, |line| set_field(line, 785, "256"));
    let err = csv_error(&csv);
    assert_eq!(
        err,
        DataError::PixelOutOfRange {
            line: 2,
            column: 785,
            value: "256".into()
        }
    );
    assert_eq!(
        err.located("x.csv"),
        "x.csv:2:785: pixel value 256 is outside 0-255"
    );
}

#[test]
fn label_outside_0_to_9() {
    for bad in ["10", "x", "255"] {
        let csv = edit_line(&small_csv(), 5, |line| set_field(line, 1, bad));
        let err = csv_error(&csv);
        assert_eq!(
            err,
            DataError::LabelOutOfRange {
                line: 5,
                column: 1,
                value: bad.into()
            }
        );
        assert_eq!(
            err.located("train.csv"),
            format!("train.csv:5:1: label {bad:?} is not a class 0-9")
        );
    }
}

#[test]
fn label_error_is_reported_in_the_label_column_wherever_it_is() {
    // Label moved to the last column by name.
    let csv: String = small_csv()
        .lines()
        .map(|l| {
            let (first, rest) = l.split_once(',').unwrap();
            format!("{rest},{first}\n")
        })
        .collect();
    let csv = edit_line(&csv, 3, |line| set_field(line, 785, "12"));
    let err = csv_error(&csv);
    assert_eq!((err.line(), err.column()), (Some(3), Some(785)));
    assert!(matches!(err, DataError::LabelOutOfRange { .. }));
}

#[test]
fn errors_keep_their_line_with_crlf_and_bom() {
    let csv = edit_line(&small_csv(), 6, |line| set_field(line, 300, "999")).replace('\n', "\r\n");
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(csv.as_bytes());
    let err = parse_csv(&bytes).unwrap_err();
    assert_eq!((err.line(), err.column()), (Some(6), Some(300)));
}

#[test]
fn first_row_of_an_unknown_width() {
    let text = "1,2,3\n4,5,6\n";
    let err = csv_error(text);
    assert_eq!(err, DataError::UnknownLayout { line: 1, found: 3 });
    assert_eq!(
        err.located("f.csv"),
        "f.csv:1: expected 784 pixel columns, or 785 with the label first, but found 3 columns"
    );
}

#[test]
fn header_of_785_columns_without_a_label_column() {
    let csv = small_csv().replacen("label,", "kind,", 1);
    let err = csv_error(&csv);
    assert_eq!(err, DataError::HeaderWithoutLabel { line: 1 });
    let twice = small_csv().replacen("pixel9,", "label,", 1);
    assert_eq!(
        csv_error(&twice),
        DataError::DuplicateLabelColumn {
            line: 1,
            column: 10
        }
    );
}

#[test]
fn binary_garbage_is_an_error_not_a_panic() {
    // Starts like UTF-16 text (a little-endian byte order mark), and is named so.
    let err = load_bytes(&[0xff, 0xfe, 0x00, 0x41, 0x42]).unwrap_err();
    assert_eq!(err, DataError::Utf16);
    let err = load_bytes(&[0x00, 0x00, 0x07, 0x41, 0x42]).unwrap_err();
    assert!(matches!(err, DataError::IdxBadMagic { .. }), "{err:?}");
}

#[test]
fn truncated_idx_images() {
    let images = idx_bytes("t10k-images-idx3-ubyte.gz");
    let mut raw = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&images[..]), &mut raw).unwrap();
    raw.truncate(raw.len() - 100);
    let err = parse_idx(&raw).unwrap_err();
    assert_eq!(
        err,
        DataError::IdxTruncated {
            expected: 7_840_016,
            found: 7_839_916
        }
    );
    assert_eq!(
        err.located("t10k-images-idx3-ubyte"),
        "t10k-images-idx3-ubyte: the file is truncated: its header announces 7840016 bytes, it holds 7839916"
    );
}

#[test]
fn truncated_gzip() {
    let images = idx_bytes("t10k-labels-idx1-ubyte.gz");
    let err = parse_idx(&images[..images.len() / 2]).unwrap_err();
    assert!(matches!(err, DataError::Gzip { .. }), "{err:?}");
    assert!(err.to_string().starts_with("the gzip data is corrupt"));
}

#[test]
fn mismatched_idx_pair() {
    let err = parse_idx_pair(
        &idx_bytes("t10k-images-idx3-ubyte.gz"),
        &idx_bytes("train-labels-idx1-ubyte.gz"),
    )
    .unwrap_err();
    assert_eq!(
        err,
        DataError::IdxCountMismatch {
            images: 10_000,
            labels: 60_000
        }
    );
    assert_eq!(
        err.to_string(),
        "the images file holds 10000 images but the labels file holds 60000 labels"
    );
}

#[test]
fn idx_pair_given_the_wrong_way_round() {
    let err = parse_idx_pair(
        &idx_bytes("t10k-labels-idx1-ubyte.gz"),
        &idx_bytes("t10k-images-idx3-ubyte.gz"),
    )
    .unwrap_err();
    assert_eq!(
        err,
        DataError::IdxWrongKind {
            expected: "images",
            found: "labels"
        }
    );
}

#[test]
fn idx_with_a_bad_magic_number_or_a_label_above_9() {
    let mut raw = vec![0, 0, 8, 1, 0, 0, 0, 3, 1, 2, 3];
    assert!(parse_idx(&raw).is_ok());
    raw[2] = 9; // element type 0x09 is signed bytes
    assert_eq!(
        parse_idx(&raw).unwrap_err(),
        DataError::IdxElementType {
            name: "signed bytes"
        }
    );
    raw[2] = 8;
    raw[10] = 42;
    assert_eq!(
        parse_idx(&raw).unwrap_err(),
        DataError::IdxLabelOutOfRange { item: 2, value: 42 }
    );
    raw.push(0);
    assert!(matches!(
        parse_idx(&raw).unwrap_err(),
        DataError::IdxTrailingBytes { .. }
    ));
}

/// Random damage to a real CSV never panics: it parses or it says what is wrong.
#[test]
fn damaged_csv_never_panics() {
    let clean = kaggle_csv(&train_subset(3)).into_bytes();
    let mut rng = SeededRng::new(7);
    let alphabet = b"0123456789,\n\r -.a\"\xEF\xBB\xBF";
    for _ in 0..3_000 {
        let mut bytes = clean.clone();
        for _ in 0..=rng.below(4) {
            let at = rng.below(bytes.len());
            match rng.below(3) {
                0 => bytes[at] = alphabet[rng.below(alphabet.len())],
                1 => {
                    bytes.remove(at);
                }
                _ => bytes.truncate(at),
            }
        }
        if let Err(err) = load_bytes(&bytes) {
            assert!(!err.message().is_empty());
        }
    }
}

#[test]
fn a_problem_deep_in_a_large_file_is_found_on_its_line() {
    // About 22 MB: large enough to be read in pieces on several threads.
    let csv = kaggle_csv(&train_subset(10_000));
    for line in [2, 5_001, 9_998, 10_001] {
        let bad = edit_line(&csv, line, |l| set_field(l, 300, "3x"));
        let err = csv_error(&bad);
        assert_eq!(err.line(), Some(line), "{}", err);
        assert_eq!(err.column(), Some(300), "{}", err);
    }
    assert_eq!(parse_csv(csv.as_bytes()).unwrap(), train_subset(10_000));
}

/// A problem is reported with the same line and column when the file is read as it arrives
/// (the browser's way) as when it is read whole.
#[test]
fn errors_read_as_the_file_arrives_name_the_same_line() {
    let csv = edit_line(&small_csv(), 7, |line| set_field(line, 300, "x9"));
    let whole = csv_error(&csv);
    for piece in [100, 3_001, 1 << 20] {
        let error =
            read_as_it_arrives(csv.as_bytes(), piece).expect_err("the CSV should be rejected");
        assert_eq!(error.to_string(), whole.to_string(), "{piece}");
    }
}
