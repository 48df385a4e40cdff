//! The `atelier` command line, run as a user would.

mod common;

use atelier_fixtures::*;
use common::atelier;

#[test]
fn summary_prints_the_table_and_the_total() {
    for (model, total) in [("baseline", 433_454), ("alexnet", 61_750_530)] {
        let (code, out, _) = atelier(&["summary", "--model", model]);
        assert_eq!(code, 0);
        assert_eq!(
            out.trim_end().lines().last().unwrap(),
            format!("total parameters: {total}")
        );
        assert!(out.contains("(26, 26, 10)") || model != "baseline");
    }
    let (code, _, err) = atelier(&["summary", "--model", "resnet"]);
    assert_eq!(code, 1);
    assert!(err.contains("unknown model \"resnet\""));
}

#[test]
fn check_describes_each_file() {
    let dir = scratch_dir!("cli_check");
    let train = dir.join("train.csv");
    let test = dir.join("test.csv");
    std::fs::write(&train, kaggle_csv(&train_subset(200))).unwrap();
    std::fs::write(&test, unlabelled_csv(&test_subset(30))).unwrap();
    let idx = format!("{DATA_DIR}/t10k-images-idx3-ubyte.gz");
    let (code, out, err) = atelier(&[
        "check",
        train.to_str().unwrap(),
        test.to_str().unwrap(),
        &idx,
    ]);
    assert_eq!(code, 0, "{err}");
    let counts = train_subset(200).class_counts();
    assert!(
        out.contains("  kind: train\n  images: 200\n  labelled: yes\n"),
        "{out}"
    );
    assert!(out.contains(&format!("  class 0 T-shirt/top: {}\n", counts[0])));
    assert!(out.contains("  kind: test\n  images: 30\n  labelled: no\n"));
    assert!(out.contains("  kind: idx\n  images: 10000\n  labelled: yes\n"));
    assert!(out.contains("  class 9 Ankle boot: 1000\n"));
}

#[test]
fn check_reports_file_line_column_and_fails() {
    let dir = scratch_dir!("cli_check_bad");
    let bad = dir.join("bad.csv");
    let csv = edit_line(&kaggle_csv(&train_subset(5)), 4, |l| {
        set_field(l, 20, "300")
    });
    std::fs::write(&bad, csv).unwrap();
    let empty = dir.join("empty.csv");
    std::fs::write(&empty, "").unwrap();
    let (code, _, err) = atelier(&["check", bad.to_str().unwrap(), empty.to_str().unwrap()]);
    assert_eq!(code, 1);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(
        lines[0],
        format!("{}:4:20: pixel value 300 is outside 0-255", bad.display())
    );
    assert_eq!(lines[1], format!("{}: the file is empty", empty.display()));
}

#[test]
fn train_prints_json_epochs_and_writes_predictions() {
    let dir = scratch_dir!("cli_train");
    let train = dir.join("train.csv");
    let test = dir.join("test.csv");
    let predictions = dir.join("pred.csv");
    std::fs::write(&train, kaggle_csv(&train_subset(5_000))).unwrap();
    std::fs::write(&test, kaggle_csv(&test_subset(300))).unwrap();
    let (code, out, err) = atelier(&[
        "train",
        "--train",
        train.to_str().unwrap(),
        "--test",
        test.to_str().unwrap(),
        "--model",
        "baseline",
        "--epochs",
        "2",
        "--batch-size",
        "32",
        "--learning-rate",
        "0.001",
        "--optimizer",
        "adam",
        "--loss",
        "cross-entropy",
        "--seed",
        "3",
        "--val-split",
        "0.25",
        "--limit",
        "4000",
        "--predictions",
        predictions.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let objects: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert_eq!(objects.len(), 3, "{out}");
    for (i, epoch) in objects[..2].iter().enumerate() {
        assert_eq!(epoch["epoch"], i + 1);
        for key in [
            "train_loss",
            "val_loss",
            "val_accuracy",
            "images_per_second",
            "seconds",
        ] {
            assert!(epoch[key].as_f64().unwrap() > 0.0, "{key}: {epoch}");
        }
    }
    assert!(objects[1]["val_accuracy"].as_f64().unwrap() >= 0.75);
    assert!(
        err.contains("training on 3000 images, validating on 1000"),
        "{err}"
    );
    assert!(objects[2]["test_accuracy"].as_f64().unwrap() >= 0.75);
    let csv = std::fs::read_to_string(&predictions).unwrap();
    assert!(csv.starts_with("Label\n"));
    assert_eq!(csv.lines().count(), 301);
}

#[test]
fn train_takes_idx_files_and_prints_epoch_lines() {
    let dir = scratch_dir!("cli_train_idx");
    let predictions = dir.join("p.csv");
    let (code, out, err) = atelier(&[
        "train",
        "--train",
        &format!("{DATA_DIR}/train-images-idx3-ubyte.gz"),
        "--test",
        &format!("{DATA_DIR}/t10k-images-idx3-ubyte.gz"),
        "--model",
        "baseline",
        "--epochs",
        "1",
        "--limit",
        "2000",
        "--predictions",
        predictions.to_str().unwrap(),
        "--with-ids",
    ]);
    assert_eq!(code, 0, "{err}");
    // The baseline at batch 32 is too little work per operation to share out (threads.rs).
    assert!(err.contains("CPU backend: 1 thread\n"), "{err}");
    assert!(out.starts_with("epoch 1/1: train loss "), "{out}");
    assert!(out.contains("test accuracy: "), "{out}");
    let csv = std::fs::read_to_string(&predictions).unwrap();
    assert!(csv.starts_with("ImageId,Label\n1,"));
    assert_eq!(csv.lines().count(), 10_001);
}

#[test]
fn train_errors_are_clear() {
    let (code, _, err) = atelier(&["train"]);
    assert_eq!((code, err.trim()), (1, "atelier train needs --train FILE"));
    let (code, _, err) = atelier(&["train", "--train", "/nonexistent.csv"]);
    assert_eq!(code, 1);
    assert!(err.starts_with("/nonexistent.csv: "), "{err}");
    let dir = scratch_dir!("cli_train_err");
    let train = dir.join("t.csv");
    std::fs::write(&train, kaggle_csv(&train_subset(50))).unwrap();
    let (code, _, err) = atelier(&[
        "train",
        "--train",
        train.to_str().unwrap(),
        "--optimizer",
        "lbfgs",
    ]);
    assert_eq!(code, 1);
    assert!(
        err.contains("--optimizer: \"lbfgs\" is not a valid value"),
        "{err}"
    );
}

/// `--run-record` writes a runs file the core reads back: the run's settings, its history
/// equal to the `--json` epochs, its validation and its model (which predicts as the run's).
#[test]
fn train_writes_a_run_record_the_core_reads() {
    use atelier_core::runs::{RunState, read_runs_file};
    use atelier_core::saved::SavedModel;

    let dir = scratch_dir!("cli_run_record");
    let train = dir.join("train.csv");
    let record = dir.join("run.atelier-runs");
    std::fs::write(&train, kaggle_csv(&train_subset(600))).unwrap();
    let (code, out, err) = atelier(&[
        "train",
        "--train",
        train.to_str().unwrap(),
        "--model",
        "baseline",
        "--epochs",
        "2",
        "--learning-rate",
        "0.002",
        "--seed",
        "7",
        "--json",
        "--run-record",
        record.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let printed: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let runs = read_runs_file(&std::fs::read(&record).unwrap()).unwrap();
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    assert_eq!(run.record.state, RunState::Done);
    assert_eq!(run.record.settings.learning_rate, 0.002);
    assert_eq!(run.record.settings.seed, 7);
    assert_eq!(run.record.data.train_file, "train.csv");
    assert_eq!(
        (
            run.record.data.training_images,
            run.record.data.validation_images
        ),
        (480, 120)
    );
    assert!(run.record.place.starts_with("command line"));
    assert_eq!(run.record.history.epochs.len(), printed.len());
    for (kept, printed) in run.record.history.epochs.iter().zip(&printed) {
        assert_eq!(printed["epoch"], kept.epoch);
        assert_eq!(
            printed["train_loss"].as_f64().unwrap() as f32,
            kept.train_loss
        );
        assert_eq!(
            printed["val_loss"].as_f64().map(|v| v as f32),
            kept.val_loss
        );
        assert_eq!(
            printed["val_accuracy"].as_f64().map(|v| v as f32),
            kept.val_accuracy
        );
    }
    let validation = run.record.validation.as_ref().unwrap();
    assert_eq!(validation.confusion.total(), 120);
    assert_eq!(
        Some(validation.accuracy),
        run.record.history.epochs[1].val_accuracy
    );
    let model = run.model.as_ref().expect("the record carries its model");
    assert_eq!(run.record.model_bytes, model.len() as u64);
    let saved = SavedModel::from_bytes(model).unwrap();
    assert_eq!(saved.settings, run.record.settings);
    assert!(!dir.join("run.atelier-runs.partial").exists());
}
