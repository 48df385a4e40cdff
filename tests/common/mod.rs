//! Fixtures built from the real Fashion-MNIST files that Debian's `dataset-fashion-mnist`
//! installs. Nothing here is invented: every CSV a test reads is written from those images.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use atelier::data::{ArrivingCsv, CsvOptions, DataError, Dataset, parse_idx_pair, to_csv};

/// Where `apt-get install dataset-fashion-mnist` puts the IDX files.
pub const DATA_DIR: &str = "/usr/share/datasets/fashion-mnist";

/// The bytes of one of the four IDX files, e.g. `train-images-idx3-ubyte.gz`.
pub fn idx_bytes(name: &str) -> Vec<u8> {
    let path = Path::new(DATA_DIR).join(name);
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}. Install the real data: apt-get install dataset-fashion-mnist",
            path.display()
        )
    })
}

/// The 60,000 training images with labels.
pub fn train_set() -> &'static Dataset {
    static SET: OnceLock<Dataset> = OnceLock::new();
    SET.get_or_init(|| {
        parse_idx_pair(
            &idx_bytes("train-images-idx3-ubyte.gz"),
            &idx_bytes("train-labels-idx1-ubyte.gz"),
        )
        .expect("the Debian training files parse")
    })
}

/// The 10,000 test images with labels.
pub fn test_set() -> &'static Dataset {
    static SET: OnceLock<Dataset> = OnceLock::new();
    SET.get_or_init(|| {
        parse_idx_pair(
            &idx_bytes("t10k-images-idx3-ubyte.gz"),
            &idx_bytes("t10k-labels-idx1-ubyte.gz"),
        )
        .expect("the Debian test files parse")
    })
}

/// The first `n` training images.
pub fn train_subset(n: usize) -> Dataset {
    train_set().clone().truncated(n)
}

/// The first `n` test images.
pub fn test_subset(n: usize) -> Dataset {
    test_set().clone().truncated(n)
}

/// Kaggle's `train.csv` layout (header, label first) for `data`.
pub fn kaggle_csv(data: &Dataset) -> String {
    to_csv(data, CsvOptions::default())
}

/// The notebook's `test.csv` layout (header, no label) for `data`.
pub fn unlabelled_csv(data: &Dataset) -> String {
    to_csv(
        data,
        CsvOptions {
            header: true,
            labels: false,
        },
    )
}

/// A fresh directory for one test's files.
pub fn scratch_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Replaces line `line` (1-based) of `csv` with `f(old line)`.
pub fn edit_line(csv: &str, line: usize, f: impl FnOnce(&str) -> String) -> String {
    let mut lines: Vec<String> = csv.lines().map(str::to_string).collect();
    lines[line - 1] = f(&lines[line - 1]);
    lines.join("\n") + "\n"
}

/// Replaces field `column` (1-based) of a CSV line.
pub fn set_field(line: &str, column: usize, value: &str) -> String {
    let mut fields: Vec<&str> = line.split(',').collect();
    fields[column - 1] = value;
    fields.join(",")
}

/// Runs the `atelier` command line as a user would: (exit status, stdout, stderr).
pub fn atelier(args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_atelier"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Burn's CPU backend has one random generator per process, and a test binary's tests run in
/// parallel: a test that seeds it and checks that a run repeats sees another test's draws (or
/// its `device.seed(..)`) land in the middle of its own. Every test of a binary that seeds or
/// draws holds this guard; one that checks what a seed reproduces holds it alone
/// ([`device_generator_alone`]). The kernel unit tests have their own
/// (`src/model/cpu_kernels/flex_tensors.rs`): a separate process.
pub fn device_generator() -> std::sync::RwLockReadGuard<'static, ()> {
    DEVICE_GENERATOR
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// [`device_generator`], held by no other test meanwhile.
pub fn device_generator_alone() -> std::sync::RwLockWriteGuard<'static, ()> {
    DEVICE_GENERATOR
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

static DEVICE_GENERATOR: std::sync::RwLock<()> = std::sync::RwLock::new(());

/// Reads `bytes` as the browser's engine does while a file arrives: `piece` bytes more each
/// time, the whole lines that have come read 5,000 bytes at a time.
pub fn read_as_it_arrives(bytes: &[u8], piece: usize) -> Result<Dataset, DataError> {
    let mut arriving = ArrivingCsv::default();
    let mut arrived = 0;
    loop {
        arrived = (arrived + piece).min(bytes.len());
        let complete = arrived == bytes.len();
        let Some(mut reader) = arriving.reader(&bytes[..arrived], complete)? else {
            continue;
        };
        while !reader.read(5_000)? {}
        if complete {
            return reader.finish();
        }
        arriving.set_aside(reader);
    }
}
