//! Every input layout users bring, read from real Fashion-MNIST images.

use std::io::Read;

use atelier_core::data::{
    CsvOptions, FileKind, IMAGE_PIXELS, IdxFile, LoadedFile, idx_labels_path_for, load_bytes,
    parse_csv, parse_idx, parse_idx_pair, to_csv,
};
use atelier_fixtures::*;

#[test]
fn debian_idx_files_hold_the_real_fashion_mnist() {
    let train = train_set();
    assert_eq!(train.len(), 60_000);
    assert_eq!(train.class_counts(), [6_000; 10]);
    // The first training image is an ankle boot, the second a T-shirt/top.
    assert_eq!(&train.labels().unwrap()[..2], &[9, 0]);
    let test = test_set();
    assert_eq!(test.len(), 10_000);
    assert_eq!(test.class_counts(), [1_000; 10]);
    assert_eq!(test.labels().unwrap()[0], 9);
}

#[test]
fn raw_idx_reads_like_gzipped_idx() {
    let gunzip = |bytes: Vec<u8>| {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_end(&mut out)
            .unwrap();
        out
    };
    let images = gunzip(idx_bytes("t10k-images-idx3-ubyte.gz"));
    let labels = gunzip(idx_bytes("t10k-labels-idx1-ubyte.gz"));
    assert_eq!(images.len(), 16 + 10_000 * IMAGE_PIXELS);
    let raw = parse_idx_pair(&images, &labels).unwrap();
    assert_eq!(&raw, test_set());
    assert!(matches!(parse_idx(&labels).unwrap(), IdxFile::Labels(l) if l.len() == 10_000));
}

#[test]
fn kaggle_train_csv_round_trips() {
    let data = train_subset(300);
    let csv = kaggle_csv(&data);
    assert!(csv.starts_with("label,pixel1,pixel2,"));
    assert_eq!(parse_csv(csv.as_bytes()).unwrap(), data);
}

#[test]
fn headerless_785_columns_is_labelled_and_784_is_not() {
    let data = train_subset(50);
    let labelled = to_csv(
        &data,
        CsvOptions {
            header: false,
            labels: true,
        },
    );
    assert_eq!(parse_csv(labelled.as_bytes()).unwrap(), data);

    let unlabelled = to_csv(
        &data,
        CsvOptions {
            header: false,
            labels: false,
        },
    );
    let parsed = parse_csv(unlabelled.as_bytes()).unwrap();
    assert!(!parsed.is_labelled());
    assert_eq!(parsed.pixels(), data.pixels());
}

#[test]
fn notebook_test_csv_with_header_is_unlabelled() {
    let data = test_subset(40);
    let csv = unlabelled_csv(&data);
    assert!(csv.starts_with("pixel1,pixel2,"));
    let parsed = parse_csv(csv.as_bytes()).unwrap();
    assert_eq!(parsed.len(), 40);
    assert!(!parsed.is_labelled());
    assert_eq!(parsed.pixels(), data.pixels());
}

#[test]
fn kaggle_test_csv_with_labels_is_labelled() {
    let data = test_subset(40);
    let parsed = parse_csv(kaggle_csv(&data).as_bytes()).unwrap();
    assert_eq!(parsed, data);
}

#[test]
fn crlf_line_ends_and_utf8_bom_are_accepted() {
    let data = train_subset(30);
    let crlf = kaggle_csv(&data).replace('\n', "\r\n");
    assert_eq!(parse_csv(crlf.as_bytes()).unwrap(), data);
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(crlf.as_bytes());
    assert_eq!(parse_csv(&bom).unwrap(), data);
}

/// Moves the first column of every line to position `to` (0-based).
fn move_first_column(csv: &str, to: usize) -> String {
    csv.lines()
        .map(|line| {
            let mut fields: Vec<&str> = line.split(',').collect();
            let first = fields.remove(0);
            fields.insert(to, first);
            fields.join(",")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn label_column_is_found_by_name_anywhere() {
    let data = train_subset(25);
    let csv = kaggle_csv(&data);
    for position in [1, 400, 784] {
        let moved = move_first_column(&csv, position);
        assert_eq!(
            parse_csv(moved.as_bytes()).unwrap(),
            data,
            "label at {position}"
        );
    }
    let upper = csv.replacen("label", "Label", 1);
    assert_eq!(parse_csv(upper.as_bytes()).unwrap(), data);
}

#[test]
fn blank_lines_and_no_final_newline_are_fine() {
    let data = train_subset(10);
    let csv = kaggle_csv(&data);
    let trimmed = csv.trim_end();
    assert_eq!(parse_csv(trimmed.as_bytes()).unwrap(), data);
    let blank = format!("{}\n\n\n", csv.replacen('\n', "\n\n", 3));
    assert_eq!(parse_csv(blank.as_bytes()).unwrap(), data);
}

#[test]
fn files_are_recognised_by_content() {
    let data = train_subset(20);
    let kind = |bytes: &[u8]| load_bytes(bytes).unwrap().kind();
    assert_eq!(kind(kaggle_csv(&data).as_bytes()), FileKind::Train);
    assert_eq!(kind(unlabelled_csv(&data).as_bytes()), FileKind::Test);
    assert_eq!(
        kind(&idx_bytes("t10k-images-idx3-ubyte.gz")),
        FileKind::IdxImages
    );
    assert_eq!(
        kind(&idx_bytes("t10k-labels-idx1-ubyte.gz")),
        FileKind::IdxLabels
    );

    // A gzipped CSV is a CSV.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, kaggle_csv(&data).as_bytes()).unwrap();
    match load_bytes(&gz.finish().unwrap()).unwrap() {
        LoadedFile::Csv(parsed) => assert_eq!(parsed, data),
        other => panic!("expected a CSV, got {:?}", other.kind()),
    }
}

#[test]
fn idx_images_find_their_labels_by_name() {
    assert_eq!(
        idx_labels_path_for("/data/train-images-idx3-ubyte.gz").as_deref(),
        Some("/data/train-labels-idx1-ubyte.gz")
    );
    assert_eq!(
        idx_labels_path_for("t10k-images.idx3-ubyte").as_deref(),
        Some("t10k-labels.idx1-ubyte")
    );
    assert_eq!(idx_labels_path_for("train.csv"), None);
}

#[test]
fn full_train_csv_parses_to_the_same_images() {
    let csv = kaggle_csv(train_set());
    // The challenge's train.csv is this size when written from the Debian files.
    assert_eq!(csv.len(), 133_015_827);
    let parsed = parse_csv(csv.as_bytes()).unwrap();
    assert_eq!(&parsed, train_set());
}

#[test]
fn reading_a_slice_at_a_time_gives_the_same_images() {
    let data = train_subset(120);
    let csv = kaggle_csv(&data).replace('\n', "\r\n");
    let mut reader = atelier_core::data::CsvReader::new(csv.as_bytes()).unwrap();
    let mut steps = 0;
    let mut last = 0;
    while !reader.read(10_000).unwrap() {
        let (done, total) = reader.progress();
        assert!(done > last && done < total);
        last = done;
        steps += 1;
    }
    assert!(steps >= 20, "{steps} slices");
    assert_eq!(reader.progress().0, csv.len());
    assert_eq!(reader.finish().unwrap(), data);
}

#[test]
fn reading_while_the_file_arrives_gives_the_same_images() {
    let data = train_subset(200);
    let kaggle = kaggle_csv(&data);
    let windows = format!("\u{feff}{}", kaggle.replace('\n', "\r\n"));
    let unfinished = kaggle.trim_end().to_string();
    let unlabelled = unlabelled_csv(&data);
    for csv in [&kaggle, &windows, &unfinished, &unlabelled] {
        let whole = parse_csv(csv.as_bytes()).unwrap();
        // Pieces smaller than a line, of odd sizes, and larger than the file.
        for piece in [1_000, 7_919, 65_536, 1 << 30] {
            assert_eq!(
                read_as_it_arrives(csv.as_bytes(), piece).unwrap(),
                whole,
                "{piece}"
            );
        }
    }
}
