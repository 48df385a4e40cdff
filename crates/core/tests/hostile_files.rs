//! Files built to break the readers: sizes that wrap 32 bits, layer lists that ask for
//! terabytes, gzip bombs, CSVs in the wrong encoding or with endless lines, empty sets, photos of
//! every size. Each is refused with the message that names its problem, or read correctly;
//! none panics, hangs or fills memory.

use atelier_core::data::{
    DataError, LoadedFile, MAX_INFLATED_BYTES, datasets_from_files, load_bytes, parse_csv,
    parse_idx, parse_idx_pair, to_fashion_mnist,
};
use atelier_core::model::{LayerSpec, ModelSpec, preset};
use atelier_core::saved::{NamedTensor, SavedModel, SavedModelError};
use atelier_core::train::TrainConfig;
use atelier_fixtures::hostile::*;
use atelier_fixtures::*;

#[test]
fn idx_counts_that_wrap_32_bits_are_refused_as_they_are() {
    // 5,478,275 images of 784 bytes: 4,294,967,600 bytes, which a 32-bit size wraps to 304.
    let mut file = idx_header(0x803, 5_478_275);
    file.extend(vec![0u8; 304]);
    let error = parse_idx(&file).unwrap_err();
    assert_eq!(
        error,
        DataError::IdxTruncated {
            expected: 4_294_967_616,
            found: 320
        }
    );
    assert_eq!(
        error.located("wrap.idx3"),
        "wrap.idx3: the file is truncated: its header announces 4294967616 bytes, it holds 320"
    );
    let mut labels = idx_header(0x801, u32::MAX);
    labels.extend([1, 2, 3]);
    assert_eq!(
        parse_idx(&labels).unwrap_err(),
        DataError::IdxTruncated {
            expected: 4_294_967_303,
            found: 11
        }
    );
}

#[test]
fn idx_files_of_other_element_types_are_named() {
    for (code, name) in [
        (0x09, "signed bytes"),
        (0x0B, "16-bit integers"),
        (0x0C, "32-bit integers"),
        (0x0D, "32-bit floats"),
        (0x0E, "64-bit floats"),
    ] {
        let mut file = idx_header(0x0000_0003 | code << 8, 2);
        file.truncate(8);
        file.extend(vec![0u8; 64]);
        // Recognised as IDX from its bytes, not read as a CSV.
        let message = load_bytes(&file).unwrap_err().located("floats.idx");
        assert_eq!(
            message,
            format!(
                "floats.idx: an IDX file of {name}: Atelier reads IDX files of unsigned bytes, as Fashion-MNIST ships them"
            )
        );
    }
    let mut matrix = idx_header(0x802, 1);
    matrix.extend(vec![0u8; 16]);
    assert_eq!(
        parse_idx(&matrix).unwrap_err().to_string(),
        "an IDX file of 2 dimensions: expected images (3) or labels (1)"
    );
}

#[test]
fn an_empty_idx_pair_is_refused() {
    let images = idx_header(0x803, 0);
    let labels = idx_header(0x801, 0);
    let error = parse_idx_pair(&images, &labels).unwrap_err();
    assert_eq!(error.to_string(), "the IDX images file holds no images");
    assert_eq!(
        load_bytes(&labels).unwrap_err().to_string(),
        "the IDX labels file holds no labels"
    );
    // Gzipped, the same.
    assert_eq!(
        load_bytes(&gzip([images])).unwrap_err().to_string(),
        "the IDX images file holds no images"
    );
}

#[test]
fn gzip_bombs_stop_at_the_inflation_cap() {
    let past_the_cap = (MAX_INFLATED_BYTES >> 20) as usize + 8;
    // A consistent IDX header for 5,480,000 images (4.3 GB) and zeros for as far as it goes.
    let idx_bomb = idx_gzip_bomb(5_480_000, past_the_cap);
    assert!(idx_bomb.len() < 5 << 20, "{} bytes", idx_bomb.len());
    let message = load_bytes(&idx_bomb).unwrap_err().located("bomb.idx3.gz");
    assert_eq!(
        message,
        "bomb.idx3.gz: the file inflates to more than 256 MB, the most Atelier reads from a gzipped file"
    );
    assert_eq!(
        parse_idx(&idx_bomb).unwrap_err(),
        DataError::InflatesTooMuch {
            limit: MAX_INFLATED_BYTES
        }
    );
    // A CSV of valid rows (a blank image), over the cap.
    let row = format!("1{}\n", ",0".repeat(784)).into_bytes();
    let rows = (MAX_INFLATED_BYTES as usize / row.len()) + 2;
    let csv_bomb = gzip((0..rows).map(|_| row.clone()));
    assert!(csv_bomb.len() < 5 << 20, "{} bytes", csv_bomb.len());
    assert!(matches!(
        load_bytes(&csv_bomb),
        Err(DataError::InflatesTooMuch { .. })
    ));
}

#[test]
fn utf16_csvs_are_named_with_what_to_do() {
    let csv = kaggle_csv(&train_subset(3));
    for (little_endian, bom) in [(true, true), (true, false), (false, true), (false, false)] {
        let bytes = utf16(&csv, little_endian, bom);
        let message = load_bytes(&bytes).unwrap_err().located("train.csv");
        assert_eq!(
            message,
            "train.csv: the file is UTF-16 text: save it as UTF-8 CSV (in Excel: \"CSV UTF-8\")",
            "little endian {little_endian}, BOM {bom}"
        );
        // As it arrives, the same.
        assert_eq!(
            read_as_it_arrives(&bytes, 4096).unwrap_err(),
            DataError::Utf16
        );
    }
}

#[test]
fn carriage_return_line_ends_are_named() {
    let csv = kaggle_csv(&train_subset(3));
    let classic_mac = csv.replace('\n', "\r");
    assert_eq!(
        parse_csv(classic_mac.as_bytes()).unwrap_err(),
        DataError::CrLineEnds
    );
    assert_eq!(
        read_as_it_arrives(classic_mac.as_bytes(), 1000).unwrap_err(),
        DataError::CrLineEnds
    );
    // Doubled carriage returns before a line feed are still line ends.
    let doubled = csv.replace('\n', "\r\r\n");
    assert_eq!(parse_csv(doubled.as_bytes()).unwrap(), train_subset(3));
}

#[test]
fn a_header_naming_label_with_too_few_pixel_columns_says_so() {
    let csv = kaggle_csv(&train_subset(2));
    let short = edit_line(&csv, 1, |header| {
        header.rsplit_once(',').unwrap().0.to_string()
    });
    let error = parse_csv(short.as_bytes()).unwrap_err();
    assert_eq!(
        error.located("train.csv"),
        "train.csv:1: the header names a label column and 783 pixel columns; Fashion-MNIST images have 784"
    );
}

#[test]
fn a_line_of_millions_of_fields_is_counted_not_collected() {
    let csv = kaggle_csv(&train_subset(2));
    let endless = vec!["0"; 2_000_000].join(",");
    let long_row = edit_line(&csv, 2, |_| endless.clone());
    assert_eq!(
        parse_csv(long_row.as_bytes()).unwrap_err(),
        DataError::ColumnCount {
            line: 2,
            expected: 785,
            found: 2_000_000
        }
    );
    assert_eq!(
        parse_csv(endless.as_bytes()).unwrap_err(),
        DataError::UnknownLayout {
            line: 1,
            found: 2_000_000
        }
    );
}

/// A line of 16 MB without a line end, arriving 512 bytes at a time: 32,768 pieces. Searching
/// the whole unfinished line again for each piece would look at 275 GB; looking at each byte
/// once is 16 MB.
#[test]
fn a_long_line_arriving_in_small_pieces_is_read_once() {
    let csv = kaggle_csv(&train_subset(2));
    let long = format!("{csv}{}\n", "7".repeat(16 << 20));
    let whole = parse_csv(long.as_bytes()).unwrap_err();
    assert_eq!(read_as_it_arrives(long.as_bytes(), 512).unwrap_err(), whole);
    assert!(
        matches!(whole, DataError::ColumnCount { line: 4, .. }),
        "{whole:?}"
    );
}

#[test]
fn blank_lines_over_many_pieces_are_not_an_empty_file() {
    let csv = kaggle_csv(&train_subset(5));
    let padded = format!("{}{csv}", "\n \r\n".repeat(50_000));
    let whole = parse_csv(padded.as_bytes()).unwrap();
    assert_eq!(whole, train_subset(5));
    assert_eq!(read_as_it_arrives(padded.as_bytes(), 1000).unwrap(), whole);
    let blank = "\n".repeat(100_000);
    assert_eq!(
        read_as_it_arrives(blank.as_bytes(), 1000).unwrap_err(),
        DataError::Empty
    );
    assert_eq!(parse_csv(blank.as_bytes()).unwrap_err(), DataError::Empty);
}

/// Found by fuzzing (`csv`): a byte order mark, then blank lines (form feeds are blank) over
/// more than one piece, then a line with a stray byte: read as it arrives, the first pieces were
/// taken for an empty file, while read whole the file has a first line to judge.
#[test]
fn a_byte_order_mark_before_blank_pieces_is_not_an_empty_file() {
    let text = b"\xEF\xBB\xBF\x0C\x0C\n\n\x0C\x0C\n\n\x0C\x8E\n";
    let whole = parse_csv(text).unwrap_err();
    assert_ne!(whole, DataError::Empty);
    for piece in 1..=text.len() {
        assert_eq!(
            read_as_it_arrives(text, piece).unwrap_err(),
            whole,
            "pieces of {piece}"
        );
    }
    let csv = format!("\u{FEFF}\n\n{}", kaggle_csv(&train_subset(2)));
    assert_eq!(
        read_as_it_arrives(csv.as_bytes(), 1).unwrap(),
        train_subset(2)
    );
}

#[test]
fn an_empty_or_header_only_csv_never_makes_a_set() {
    let header = kaggle_csv(&train_subset(1))
        .lines()
        .next()
        .unwrap()
        .to_string();
    for (bytes, message) in [
        (Vec::new(), "empty.csv: the file is empty"),
        (
            format!("{header}\n").into_bytes(),
            "empty.csv:1: the file has a header but no image rows",
        ),
    ] {
        let error = load_bytes(&bytes).unwrap_err();
        assert_eq!(error.located("empty.csv"), message);
    }
    // An IDX labels file alone makes no set either: it says which images it lacks.
    let mut labels = idx_header(0x801, 2);
    labels.extend([1, 2]);
    let loaded = load_bytes(&labels).unwrap();
    assert!(matches!(loaded, LoadedFile::IdxLabels(_)));
    assert!(datasets_from_files(vec![("l.idx1".into(), loaded)]).is_err());
}

fn baseline() -> TrainConfig {
    TrainConfig::new(preset("baseline").unwrap())
}

fn invalid(bytes: &[u8]) -> String {
    match SavedModel::from_bytes(bytes).unwrap_err() {
        SavedModelError::Invalid(why) => why,
        other => panic!("not refused as invalid: {other:?}"),
    }
}

#[test]
fn a_crafted_model_file_of_the_right_shapes_reads() {
    let settings = baseline();
    let bytes = model_file(settings.clone(), zero_tensors(&settings.model, true));
    let model = SavedModel::from_bytes(&bytes).unwrap();
    assert_eq!(model.weights.value_count(), 433_454);
}

#[test]
fn tensor_shapes_that_overflow_are_refused_before_any_size_is_used() {
    let settings = baseline();
    // The right list but no values: only the header is read before the refusal.
    let mut tensors = zero_tensors(&settings.model, false);
    // Products that wrap 64 bits, or 32 (65,536 x 65,537 and u32::MAX squared), of numbers
    // that 32 bits hold: refused as a list that is not the layers'.
    for shape in [
        vec![65_536, 65_537],
        vec![4_294_967_295, 4_294_967_295, 4_294_967_295],
    ] {
        tensors[0] = NamedTensor {
            name: "layers.0.conv.weight".into(),
            shape: shape.clone(),
            values: Vec::new(),
        };
        let bytes = model_file(settings.clone(), tensors.clone());
        assert!(bytes.len() < 5_000, "{} bytes", bytes.len());
        assert_eq!(
            invalid(&bytes),
            format!(
                "tensor 1 (layers.0.conv.weight) has shape {shape:?}, its layers need [10, 1, 3, 3]"
            )
        );
    }
    // A dimension that 32 bits cannot hold: refused as such, in the page as natively.
    tensors[0].shape = vec![1 << 32, 2];
    assert_eq!(
        invalid(&model_file(settings.clone(), tensors.clone())),
        "the number 4294967296 is larger than any size Atelier reads (4294967295)"
    );
    // A list longer than the layers hold.
    let mut more = zero_tensors(&settings.model, true);
    more.push(NamedTensor {
        name: "extra".into(),
        shape: vec![1 << 20],
        values: Vec::new(),
    });
    assert_eq!(
        invalid(&model_file(settings, more)),
        "it holds 7 tensors, its layers have 6"
    );
}

#[test]
fn a_header_length_past_the_end_is_truncation_at_any_width() {
    let settings = baseline();
    let mut bytes = model_file(settings.clone(), zero_tensors(&settings.model, true));
    bytes[18..22].copy_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
    let found = bytes.len() as u64;
    assert_eq!(
        SavedModel::from_bytes(&bytes).unwrap_err(),
        SavedModelError::Truncated {
            expected: 22 + 0xFFFF_FFF0,
            found
        }
    );
}

fn layers(json: &str) -> ModelSpec {
    ModelSpec::new(serde_json::from_str::<Vec<LayerSpec>>(json).unwrap())
}

/// Layer lists of a few hundred bytes that ask for terabytes: refused by the model file reader
/// and by the layer editor's import (`ModelSpec::from_json`) with the same message, before
/// anything is built.
#[test]
fn layer_lists_beyond_the_limits_are_refused_with_the_limit() {
    let flat = r#"{"type":"flatten"}"#;
    let out = r#"{"type":"dense","units":10}"#;
    let cases = [
        (
            format!(r#"[{flat},{{"type":"dense","units":1000000000}},{out}]"#),
            "layer 2: 1000000000 units are more than the 4194304 values a layer may produce per image",
        ),
        (
            format!(r#"[{{"type":"conv2d","filters":1000000000,"kernel":3}},{flat},{out}]"#),
            "layer 1: conv2d 1000000000 3x3 makes 1000000000x26x26 values per image, more than the 4194304 a layer may produce",
        ),
        (
            format!(
                r#"[{{"type":"conv2d","filters":8,"kernel":29,"padding":"same"}},{flat},{out}]"#
            ),
            "layer 1: kernel 29 is larger than the 28x28 input it sees",
        ),
        (
            format!(r#"[{{"type":"max-pool","size":2,"stride":4000000000}},{flat},{out}]"#),
            "layer 1: stride 4000000000 is larger than the 28x28 input it sees",
        ),
        (
            format!(
                r#"[{{"type":"conv2d","filters":256,"kernel":3,"padding":"same"}},{flat},{{"type":"dense","units":4096}},{out}]"#
            ),
            "layer 3: the model reaches 822090240 parameters here, more than the 100000000 allowed",
        ),
        (
            format!(
                "[{flat},{}{out}]",
                r#"{"type":"batch-norm"},"#.repeat(199_998)
            ),
            "the model has 200000 layers; at most 100 are allowed",
        ),
    ];
    for (json, message) in cases {
        assert_eq!(
            ModelSpec::from_json(&json).unwrap_err().to_string(),
            message
        );
        let settings = TrainConfig::new(layers(&json));
        let bytes = model_file(settings, Vec::new());
        assert!(bytes.len() < 5 << 20);
        assert_eq!(
            invalid(&bytes),
            format!("the model cannot be built: {message}")
        );
    }
    // A number a 32-bit size cannot hold is refused as such, in the page as natively.
    let wide = format!(r#"[{flat},{{"type":"dense","units":1000000000000}},{out}]"#);
    assert_eq!(
        ModelSpec::from_json(&wide).unwrap_err().to_string(),
        "not a valid layer list: the number 1000000000000 is larger than any size Atelier reads (4294967295)"
    );
    assert_eq!(
        invalid(&model_file(TrainConfig::new(layers(&wide)), Vec::new())),
        "the number 1000000000000 is larger than any size Atelier reads (4294967295)"
    );
    // AlexNet, the largest preset, is within every limit.
    assert_eq!(
        preset("alexnet")
            .unwrap()
            .summary()
            .unwrap()
            .total_parameters(),
        61_750_530
    );
}

#[test]
fn settings_beyond_their_bounds_are_refused() {
    let cases = [
        (
            baseline().with_batch_size(1 << 20),
            "batch size 1048576 must be from 1 to 4096",
        ),
        (
            baseline().with_epochs(4_000_000_000),
            "epochs 4000000000 must be from 1 to 1000",
        ),
        (
            baseline().with_loss_every(0),
            "the loss must be read every 1 or more batches",
        ),
        (
            baseline().with_early_stopping(Some(100_000)),
            "early-stopping patience 100000 must be from 1 to 1000 epochs",
        ),
        (
            baseline().with_batch_size(1 << 40),
            "the number 1099511627776 is larger than any size Atelier reads (4294967295)",
        ),
    ];
    for (settings, message) in cases {
        let bytes = model_file(settings.clone(), zero_tensors(&settings.model, true));
        assert_eq!(invalid(&bytes), message);
    }
    // A seed is a 64-bit number, in the page too.
    let seeded = baseline().with_seed(u64::MAX);
    let bytes = model_file(seeded.clone(), zero_tensors(&seeded.model, true));
    assert_eq!(
        SavedModel::from_bytes(&bytes).unwrap().settings.seed,
        u64::MAX
    );
}

/// A garment that fills its picture, every width from 1 to 600 against heights where the
/// rounding differs (and the other way round): the picture comes out whole, every pixel of the
/// garment inked. That no size reads outside the picture is checked for every width and
/// height from 1 to 600 by the resampling's own unit test, on its spans.
#[test]
fn pictures_of_any_size_resample_whole() {
    use rayon::prelude::*;
    let ink = vec![200u8; 600 * 600];
    let others = [1, 2, 3, 27, 28, 29, 55, 56, 57, 299, 300, 301, 599, 600];
    (1..=600usize).into_par_iter().for_each(|side| {
        for other in others {
            for (width, height) in [(side, other), (other, side)] {
                let image = to_fashion_mnist(width, height, &ink[..width * height])
                    .unwrap_or_else(|| panic!("{width}x{height}: nothing found"));
                // The longer side spans the 28 pixels, and the garment has no hole.
                let inked = image.iter().filter(|&&d| d == 200).count();
                assert!(inked >= 28, "{width}x{height}: {inked} inked pixels");
                assert!(
                    image.iter().all(|&d| d == 0 || d == 200),
                    "{width}x{height}"
                );
            }
        }
    });
    // A size that does not match the values is nothing, not a panic.
    assert_eq!(to_fashion_mnist(600, 600, &ink[..10]), None);
    assert_eq!(to_fashion_mnist(usize::MAX, 2, &ink), None);
}
