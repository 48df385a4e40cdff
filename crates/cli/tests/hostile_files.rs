//! Every class of hostile file, each under 5 MB, given to the command line as a user would:
//! exit status 1 and `FILE[:LINE[:COLUMN]]: message`, never a panic (101) or an abort, peak
//! memory under 1 GB and under 10 seconds. The limits are the acceptance's, not benchmarks.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use atelier_core::model::{ModelSpec, preset};
use atelier_core::train::TrainConfig;
use atelier_fixtures::hostile::*;
use atelier_fixtures::*;

const MAX_PEAK_BYTES: u64 = 1 << 30;
const MAX_TIME: Duration = Duration::from_secs(10);

/// Runs the command line; (exit status, stderr, peak resident bytes, time).
// The child is waited for by `wait4`, which also gives its peak memory; `Child::wait` cannot.
#[allow(clippy::zombie_processes)]
fn run_measured(args: &[&str]) -> (i32, String, u64, Duration) {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_atelier"))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let mut status = 0;
    // SAFETY: `usage` is plain data that wait4 fills; the pid is our own unwaited child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(waited, child.id() as i32);
    let elapsed = started.elapsed();
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -libc::WTERMSIG(status)
    };
    // Linux reports the peak in kilobytes.
    (code, stderr, usage.ru_maxrss as u64 * 1024, elapsed)
}

/// A hostile file and the command that reads it, with what it must say.
struct Case {
    file: String,
    bytes: Vec<u8>,
    /// The command's arguments, `{}` standing for the file's path.
    args: &'static [&'static str],
    message: String,
}

fn case(file: &str, bytes: Vec<u8>, args: &'static [&'static str], message: &str) -> Case {
    Case {
        file: file.to_string(),
        bytes,
        args,
        message: message.to_string(),
    }
}

const CHECK: &[&str] = &["check", "{}"];
const TRAIN: &[&str] = &["train", "--train", "{}", "--epochs", "1"];
const SUMMARY: &[&str] = &["summary", "--model", "{}"];

fn model_cases(train_csv: &Path, test_csv: &Path) -> Vec<Case> {
    let leak = |path: &Path| -> &'static str {
        Box::leak(path.to_str().unwrap().to_string().into_boxed_str())
    };
    let predict: &'static [&'static str] = Box::leak(Box::new([
        "predict",
        "--model-file",
        "{}",
        "--test",
        leak(test_csv),
    ]));
    let train_with_layers: &'static [&'static str] = Box::leak(Box::new([
        "train",
        "--train",
        leak(train_csv),
        "--model",
        "{}",
    ]));
    let baseline = TrainConfig::new(preset("baseline").unwrap());
    let mut overflowing = zero_tensors(&baseline.model, false);
    overflowing[0].shape = vec![65_536, 65_537];
    let mut long_header = model_file(baseline.clone(), zero_tensors(&baseline.model, true));
    long_header[18..22].copy_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
    let layers = |json: &str| TrainConfig::new(ModelSpec::new(serde_json::from_str(json).unwrap()));
    let flat = r#"{"type":"flatten"}"#;
    let out = r#"{"type":"dense","units":10}"#;
    let terabytes = format!(
        r#"[{flat},{{"type":"dense","units":4000000}},{{"type":"dense","units":4000000}},{out}]"#
    );
    let deep = format!(
        "[{flat},{}{out}]",
        r#"{"type":"batch-norm"},"#.repeat(199_998)
    );
    let unusable = "the model file does not describe a usable model";
    vec![
        case(
            "overflow.atelier",
            model_file(baseline.clone(), overflowing),
            predict,
            &format!(
                "{unusable}: tensor 1 (tensor0) has shape [65536, 65537], its layers need [10, 1, 3, 3]"
            ),
        ),
        case(
            "long-header.atelier",
            long_header,
            predict,
            "the model file is truncated",
        ),
        case(
            "terabytes.atelier",
            model_file(layers(&terabytes), Vec::new()),
            predict,
            &format!("{unusable}: the model cannot be built: layer 2: the model reaches"),
        ),
        case(
            "deep.atelier",
            model_file(layers(&deep), Vec::new()),
            predict,
            &format!("{unusable}: the model cannot be built: the model has 200000 layers"),
        ),
        case(
            "batch.atelier",
            model_file(baseline.clone().with_batch_size(1 << 20), Vec::new()),
            predict,
            &format!("{unusable}: batch size 1048576 must be from 1 to 4096"),
        ),
        case(
            "terabytes.json",
            terabytes.into_bytes(),
            SUMMARY,
            "layer 2: the model reaches",
        ),
        case(
            "deep.json",
            deep.into_bytes(),
            train_with_layers,
            "the model has 200000 layers",
        ),
    ]
}

fn data_cases() -> Vec<Case> {
    let csv = kaggle_csv(&train_subset(3));
    let mut wrapping = idx_header(0x803, 5_478_275);
    wrapping.extend(vec![0u8; 304]);
    let mut floats = idx_header(0x0D03, 2);
    floats.extend(vec![0u8; 64]);
    let blank_row = format!("1{}\n", ",0".repeat(784)).into_bytes();
    let rows = (300 << 20) / blank_row.len();
    let endless = vec!["0"; 2_000_000].join(",");
    let short_header = edit_line(&csv, 1, |h| h.rsplit_once(',').unwrap().0.to_string());
    vec![
        case(
            "wrap-images-idx3-ubyte",
            wrapping,
            CHECK,
            "the file is truncated: its header announces 4294967616 bytes, it holds 320",
        ),
        case(
            "bomb-images-idx3-ubyte.gz",
            idx_gzip_bomb(5_480_000, 300),
            CHECK,
            "the file inflates to more than 256 MB",
        ),
        case(
            "bomb.csv.gz",
            gzip((0..rows).map(|_| blank_row.clone())),
            TRAIN,
            "the file inflates to more than 256 MB",
        ),
        case(
            "floats-images-idx3-ubyte",
            floats,
            CHECK,
            "an IDX file of 32-bit floats",
        ),
        case(
            "empty-images-idx3-ubyte",
            idx_header(0x803, 0),
            TRAIN,
            "the IDX images file holds no images",
        ),
        case(
            "utf16.csv",
            utf16(&csv, true, true),
            CHECK,
            "the file is UTF-16 text: save it as UTF-8 CSV",
        ),
        case(
            "mac.csv",
            csv.replace('\n', "\r").into_bytes(),
            TRAIN,
            "the lines end with a carriage return alone",
        ),
        case(
            "short-header.csv",
            short_header.into_bytes(),
            CHECK,
            "1: the header names a label column and 783 pixel columns",
        ),
        case(
            "endless-row.csv",
            edit_line(&csv, 3, |_| endless.clone()).into_bytes(),
            TRAIN,
            "3: expected 785 columns, found 2000000",
        ),
        case(
            "endless-first-line.csv",
            endless.into_bytes(),
            CHECK,
            "1: expected 784 pixel columns, or 785 with the label first, but found 2000000 columns",
        ),
        case("empty.csv", Vec::new(), TRAIN, "the file is empty"),
    ]
}

#[test]
fn every_hostile_file_is_refused_by_name_within_the_limits() {
    let dir = scratch_dir!("hostile_files");
    let (train_csv, test_csv) = (dir.join("train.csv"), dir.join("test.csv"));
    std::fs::write(&train_csv, kaggle_csv(&train_subset(20))).unwrap();
    std::fs::write(&test_csv, unlabelled_csv(&test_subset(5))).unwrap();
    for case in data_cases()
        .into_iter()
        .chain(model_cases(&train_csv, &test_csv))
    {
        assert!(
            case.bytes.len() < 5 << 20,
            "{}: {} bytes",
            case.file,
            case.bytes.len()
        );
        let path = dir.join(&case.file);
        std::fs::write(&path, &case.bytes).unwrap();
        let path = path.to_str().unwrap();
        let args: Vec<&str> = case
            .args
            .iter()
            .map(|&a| if a == "{}" { path } else { a })
            .collect();
        let (code, stderr, peak, time) = run_measured(&args);
        let stderr = stderr.trim_end();
        eprintln!(
            "{}: exit {code}, peak {} MB, {time:?}",
            case.file,
            peak >> 20
        );
        assert_eq!(code, 1, "{}: exit {code}: {stderr}", case.file);
        let said = stderr
            .strip_prefix(path)
            .unwrap_or_else(|| panic!("{}: not located: {stderr}", case.file));
        assert!(
            said.starts_with(&format!(": {}", case.message))
                || said.starts_with(&format!(":{}", case.message)),
            "{}: {stderr}",
            case.file
        );
        assert!(!stderr.contains('\n'), "{}: one line: {stderr}", case.file);
        assert!(peak < MAX_PEAK_BYTES, "{}: peak {peak} bytes", case.file);
        assert!(time < MAX_TIME, "{}: {time:?}", case.file);
    }
}
