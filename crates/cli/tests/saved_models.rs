//! Model files: written by the command line, read by the core, predicting identically; damaged
//! and foreign files refused with a clear reason.

mod common;

use atelier_core::eval::{PredictionsLayout, predictions_csv};
use atelier_engine::SavedNetwork;

use atelier_core::saved::{SavedModel, SavedModelError};
use atelier_engine::burn::prelude::Device;
use atelier_engine::{predict, predict_mirrored, predict_probabilities};
use atelier_fixtures::*;
use common::atelier;

const TRAIN_IMAGES: &str = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz";
const TEST_IMAGES: &str = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";

/// The command line trains baseline on 3,000 real images, writes its predictions for the first
/// 1,000 test images and saves the model; returns (model file, predictions CSV).
fn trained_by_the_command_line(dir: &std::path::Path) -> (Vec<u8>, String) {
    let test_csv = dir.join("test.csv");
    let (code, _, err) = atelier(&[
        "export-csv",
        "--input",
        TEST_IMAGES,
        "--out",
        test_csv.to_str().unwrap(),
        "--limit",
        "1000",
        "--no-labels",
    ]);
    assert_eq!(code, 0, "{err}");
    let model = dir.join("model.atelier");
    let predictions = dir.join("predictions.csv");
    let (code, _, err) = atelier(&[
        "train",
        "--train",
        TRAIN_IMAGES,
        "--limit",
        "3000",
        "--model",
        "baseline",
        "--epochs",
        "2",
        "--test",
        test_csv.to_str().unwrap(),
        "--predictions",
        predictions.to_str().unwrap(),
        "--save-model",
        model.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    (
        std::fs::read(model).unwrap(),
        std::fs::read_to_string(predictions).unwrap(),
    )
}

#[test]
fn a_model_saved_by_the_command_line_predicts_identically_in_the_core_and_again_on_the_command_line()
 {
    let dir = scratch_dir!("saved_cli");
    let (bytes, cli_predictions) = trained_by_the_command_line(&dir);

    let saved = SavedModel::from_bytes(&bytes).unwrap();
    assert_eq!(saved.origin, "trained by the atelier command line");
    assert_eq!(saved.settings.epochs, 2);
    assert_eq!(saved.history.epochs.len(), 2);
    assert_eq!(saved.weights.value_count(), 433_454);

    let device = Device::flex();
    let network = saved.network(&device).unwrap();
    let test = test_subset(1000);
    let predictions = pollster::block_on(predict(&network, &test, 256, &device)).unwrap();
    assert_eq!(
        predictions_csv(&predictions, PredictionsLayout::Label),
        cli_predictions
    );

    // Saved again from the loaded network: the same bytes.
    let again = pollster::block_on(SavedModel::capture(
        &network,
        &saved.origin,
        &saved.settings,
        &saved.history,
        saved.test_accuracy,
    ))
    .unwrap();
    assert!(
        again.to_bytes() == bytes,
        "a load-save round trip changes nothing"
    );

    // `atelier predict` with the file: its CSV (`extra` flags added).
    let (model_file, test_csv) = (dir.join("model.atelier"), dir.join("test.csv"));
    let predicted_again = |name: &str, extra: &[&str]| {
        let out = dir.join(name);
        let mut args = vec![
            "predict",
            "--model-file",
            model_file.to_str().unwrap(),
            "--test",
            test_csv.to_str().unwrap(),
            "--predictions",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let (code, _, err) = atelier(&args);
        assert_eq!(code, 0, "{err}");
        std::fs::read_to_string(&out).unwrap()
    };
    // It writes the same CSV.
    assert_eq!(predicted_again("again.csv", &[]), cli_predictions);
    // With `--tta`, each image with its mirror: the core's mirrored predictions, not the plain.
    let mirrored = pollster::block_on(predict_mirrored(&network, &test, 256, &device)).unwrap();
    assert_eq!(
        predicted_again("mirrored.csv", &["--tta"]),
        predictions_csv(&mirrored, PredictionsLayout::Label)
    );
    assert_ne!(mirrored, predictions);

    // Training on from the file keeps the history and the architecture.
    let more = dir.join("more.atelier");
    let (code, _, err) = atelier(&[
        "train",
        "--train",
        TRAIN_IMAGES,
        "--limit",
        "3000",
        "--model-file",
        dir.join("model.atelier").to_str().unwrap(),
        "--epochs",
        "1",
        "--save-model",
        more.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let more = SavedModel::from_bytes(&std::fs::read(more).unwrap()).unwrap();
    assert_eq!(more.settings.model, saved.settings.model);
    let epochs: Vec<usize> = more.history.epochs.iter().map(|e| e.epoch).collect();
    assert_eq!(epochs, [1, 2, 3]);
    // Starting from trained weights, its first new epoch beats the fresh model's first.
    assert!(
        more.history.epochs[2].val_accuracy.unwrap()
            > saved.history.epochs[0].val_accuracy.unwrap()
    );
}

#[test]
fn damaged_and_foreign_files_are_refused_with_the_reason() {
    let dir = scratch_dir!("saved_damaged");
    let (bytes, _) = trained_by_the_command_line(&dir);

    for cut in [10, 20, 300, bytes.len() / 2, bytes.len() - 1] {
        let error = SavedModel::from_bytes(&bytes[..cut]).unwrap_err();
        match &error {
            SavedModelError::Truncated { found, expected } => {
                assert_eq!(*found, cut as u64);
                assert!(*expected > cut as u64);
            }
            SavedModelError::NotAModelFile if cut < 14 => {}
            other => panic!("cut at {cut}: {other:?}"),
        }
    }
    let message = SavedModel::from_bytes(&bytes[..bytes.len() / 2])
        .unwrap_err()
        .to_string();
    assert!(
        message.starts_with("the model file is truncated: it has "),
        "{message}"
    );

    let mut flipped = bytes.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x40;
    assert_eq!(
        SavedModel::from_bytes(&flipped).unwrap_err(),
        SavedModelError::Corrupt("its checksum does not match its contents".into())
    );

    let csv = kaggle_csv(&train_subset(3));
    assert_eq!(
        SavedModel::from_bytes(csv.as_bytes()).unwrap_err(),
        SavedModelError::NotAModelFile
    );

    // The command line says which file and why, and fails.
    let truncated = dir.join("truncated.atelier");
    std::fs::write(&truncated, &bytes[..bytes.len() - 100]).unwrap();
    let (code, _, err) = atelier(&[
        "predict",
        "--model-file",
        truncated.to_str().unwrap(),
        "--test",
        dir.join("test.csv").to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(
        err.starts_with(&format!(
            "{}: the model file is truncated",
            truncated.display()
        )),
        "{err}"
    );
    // A model file where images belong is named for what it is.
    let (code, _, err) = atelier(&["check", dir.join("model.atelier").to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("this is an Atelier model file"), "{err}");
}

#[test]
fn loaded_weights_give_bitwise_equal_probabilities() {
    let dir = scratch_dir!("saved_probabilities");
    let (bytes, _) = trained_by_the_command_line(&dir);
    let device = Device::flex();
    let first = SavedModel::from_bytes(&bytes)
        .unwrap()
        .network(&device)
        .unwrap();
    let second = SavedModel::from_bytes(&bytes)
        .unwrap()
        .network(&device)
        .unwrap();
    let images = test_subset(64);
    let a = pollster::block_on(predict_probabilities(&first, images.pixels(), &device)).unwrap();
    let b = pollster::block_on(predict_probabilities(&second, images.pixels(), &device)).unwrap();
    let bits =
        |rows: &[[f32; 10]]| -> Vec<u32> { rows.iter().flatten().map(|p| p.to_bits()).collect() };
    assert_eq!(bits(&a), bits(&b));
}
