use std::io::Write;

use atelier_core::data::{Augmentation, Dataset};
use atelier_core::eval::{ConfusionMatrix, Evaluation, PredictionsLayout, predictions_csv};
use atelier_core::runs::{KeptRun, RunData, RunEvaluation, RunKind, RunRecord, run_id, runs_file};
use atelier_core::saved::SavedModel;
use atelier_core::train::{
    LossKind, LrSchedule, OptimizerKind, TrainConfig, TrainControl, TrainEvent,
};
use atelier_engine::SavedNetwork;
use atelier_engine::burn::prelude::Device;
use atelier_engine::{Start, TrainHost, train_from};
use atelier_engine::{evaluate, predict, predict_mirrored};

use crate::args::Args;
use crate::files;
use crate::threads;

const OPTIONS: &[&str] = &[
    "train",
    "test",
    "model",
    "epochs",
    "batch-size",
    "learning-rate",
    "optimizer",
    "loss",
    "momentum",
    "schedule",
    "weight-decay",
    "seed",
    "val-split",
    "limit",
    "predictions",
    "device",
    "model-file",
    "save-model",
    "translate",
    "erase",
    "early-stopping",
    "run-record",
];

/// Prints progress: a line per epoch, or JSON objects on stdout with `--json`; with
/// `--run-record`, keeps the run's record up to date in its file.
struct ConsoleHost {
    json: bool,
    epochs: usize,
    record: Option<RunRecordFile>,
}

impl TrainHost for ConsoleHost {
    fn emit(&mut self, event: TrainEvent) {
        if let Some(record) = &mut self.record {
            record.record(&event);
        }
        match event {
            TrainEvent::Started {
                train_images,
                validation_images,
                batches_per_epoch,
            } => eprintln!(
                "training on {train_images} images, validating on {validation_images}, {batches_per_epoch} batches per epoch"
            ),
            TrainEvent::Epoch(m) if self.json => {
                let line = serde_json::json!({
                    "epoch": m.epoch,
                    "train_loss": m.train_loss,
                    "val_loss": m.val_loss,
                    "val_accuracy": m.val_accuracy,
                    "images_per_second": m.images_per_second,
                    "seconds": m.seconds,
                });
                println!("{line}");
                let _ = std::io::stdout().flush();
            }
            TrainEvent::Epoch(m) => println!(
                "epoch {}/{}: train loss {:.4}, val loss {}, val accuracy {}, {:.0} images/s, {:.1} s",
                m.epoch,
                self.epochs,
                m.train_loss,
                m.val_loss.map_or("-".into(), |v| format!("{v:.4}")),
                m.val_accuracy.map_or("-".into(), |v| format!("{v:.4}")),
                m.images_per_second,
                m.seconds
            ),
            TrainEvent::Finished { stopped: true, .. } => eprintln!("stopped"),
            _ => {}
        }
    }

    async fn sleep(&mut self, milliseconds: u32) {
        if milliseconds > 0 {
            std::thread::sleep(std::time::Duration::from_millis(milliseconds.into()));
        }
    }
}

pub fn device(name: &str) -> Result<Device, String> {
    match name {
        "cpu" => Ok(Device::flex()),
        #[cfg(feature = "gpu")]
        "wgpu" => {
            let device = Device::wgpu_options()
                .init()
                .map_err(|e| format!("no wgpu device: {e:?}"))?;
            eprintln!("wgpu adapter: {}", wgpu_adapter());
            Ok(device)
        }
        #[cfg(not(feature = "gpu"))]
        "wgpu" => Err("this build has no wgpu backend: rebuild with --features gpu".into()),
        other => Err(format!("unknown device {other:?}: choose cpu or wgpu")),
    }
}

/// The adapter Burn's default wgpu device asks for (the high-performance one), named in the
/// log so that a run on a software renderer (llvmpipe, lavapipe) is not mistaken for a GPU's.
#[cfg(feature = "gpu")]
fn wgpu_adapter() -> String {
    use atelier_engine::burn::tensor::wgpu::wgpu;
    let instance = wgpu::Instance::default();
    let request = instance.request_adapter(&wgpu::RequestAdapterOptions {
        power_preference: wgpu::PowerPreference::HighPerformance,
        ..Default::default()
    });
    match pollster::block_on(request) {
        Ok(adapter) => {
            let info = adapter.get_info();
            format!("{} ({:?}, {:?})", info.name, info.backend, info.device_type)
        }
        Err(e) => format!("unknown ({e})"),
    }
}

/// `atelier train ...`.
pub fn run(raw: &[String]) -> Result<(), String> {
    let args = Args::parse(raw, OPTIONS, &["json", "with-ids", "flip", "tta"])?;
    let train_path = args
        .get("train")
        .ok_or("atelier train needs --train FILE")?;
    let mut data = files::dataset(train_path)?;
    if let Some(limit) = args.get("limit") {
        let limit: usize = limit
            .parse()
            .map_err(|_| format!("--limit: {limit:?} is not a number"))?;
        data = data.truncated(limit);
    }
    let test = args.get("test").map(files::dataset).transpose()?;
    let start = args.get("model-file").map(files::saved_model).transpose()?;
    let architecture = match (&start, args.get("model")) {
        (Some(_), Some(_)) => {
            return Err(
                "give --model or --model-file, not both: a model file brings its own layers".into(),
            );
        }
        (Some(saved), None) => saved.settings.model.clone(),
        (None, name) => files::model_spec(name.unwrap_or("default"))?,
    };

    let config = TrainConfig::new(architecture)
        .with_epochs(args.parsed("epochs", 5)?)
        .with_batch_size(args.parsed("batch-size", 32)?)
        .with_learning_rate(args.parsed("learning-rate", 1e-3)?)
        .with_optimizer(args.parsed::<OptimizerKind>("optimizer", OptimizerKind::Adam)?)
        .with_loss(args.parsed::<LossKind>("loss", LossKind::CrossEntropy)?)
        .with_schedule(args.parsed::<LrSchedule>("schedule", LrSchedule::Constant)?)
        .with_momentum(args.parsed("momentum", 0.9)?)
        .with_weight_decay(args.parsed("weight-decay", 0.0)?)
        .with_seed(args.parsed("seed", 12345)?)
        .with_validation_split(args.parsed("val-split", 0.2)?)
        .with_augmentation(augmentation(&args)?)
        .with_early_stopping(
            args.get("early-stopping")
                .map(str::parse)
                .transpose()
                .map_err(|_| "--early-stopping: give the patience in epochs, e.g. 3".to_string())?,
        );
    let device = device(args.get("device").unwrap_or("cpu"))?;
    if device == Device::flex() {
        let threads = threads::choose_for(&config.model, config.batch_size);
        let s = if threads == 1 { "" } else { "s" };
        eprintln!("CPU backend: {threads} thread{s}");
    }
    let json = args.switch("json");
    let record = args
        .get("run-record")
        .map(|path| RunRecordFile::start(path, &config, train_path, args.get("test"), &device));
    let mut host = ConsoleHost {
        json,
        epochs: config.epochs,
        record,
    };
    let trained = threads::block_on(train_from(
        start
            .as_ref()
            .map_or(Start::Fresh, |saved| Start::From(&saved.weights)),
        &config,
        &data,
        &device,
        &TrainControl::new(),
        &mut host,
    ));
    let mut record = host.record;
    let trained = match trained {
        Ok(trained) => trained,
        Err(error) => {
            // The loop's error event has marked the record failed; it keeps its last epoch.
            if let Some(record) = &mut record {
                record.fail(&error.to_string());
                record.write(None)?;
            }
            return Err(error.to_string());
        }
    };

    let test_accuracy = match &test {
        Some(test) => write_predictions(&args, &trained.model, test, &device, json)?,
        None => None,
    };
    let wanted = args.get("save-model").is_some() || record.is_some();
    let model_file = if wanted {
        let mut history = start.map(|saved| saved.history).unwrap_or_default();
        history.continue_with(&trained.history);
        let saved = threads::block_on(SavedModel::capture(
            &trained.model,
            ORIGIN,
            &config,
            &history,
            test_accuracy,
        ))
        .map_err(|e| e.to_string())?;
        Some(saved.to_bytes())
    } else {
        None
    };
    if let (Some(path), Some(bytes)) = (args.get("save-model"), &model_file) {
        std::fs::write(path, bytes).map_err(|e| format!("{path}: {e}"))?;
        eprintln!("saved the model to {path} ({} bytes)", bytes.len());
    }
    if let Some(mut record) = record {
        record.finish(trained.validation.as_ref(), test_accuracy);
        record.write(model_file)?;
    }
    Ok(())
}

/// The run's record (`--run-record FILE`), written as a runs file of one run: after each epoch
/// (so that an interrupted run keeps its last one), and at the end with the model.
struct RunRecordFile {
    path: String,
    record: RunRecord,
}

impl RunRecordFile {
    fn start(
        path: &str,
        config: &TrainConfig,
        train: &str,
        test: Option<&str>,
        device: &Device,
    ) -> Self {
        let now = now_ms();
        // Distinct for runs started in the same millisecond: the clock's nanoseconds and the
        // process id stand in for a random draw.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let draw = f64::from((nanos ^ std::process::id().rotate_left(16)) % 1_000_000) / 1e6;
        let place = if *device == Device::flex() {
            "command line, CPU".to_string()
        } else {
            "command line, wgpu".to_string()
        };
        let file_name = |path: &str| {
            std::path::Path::new(path)
                .file_name()
                .map_or(path.to_string(), |n| n.to_string_lossy().into_owned())
        };
        let data = RunData {
            train_file: file_name(train),
            test_file: test.map(file_name),
            ..RunData::default()
        };
        Self {
            path: path.to_string(),
            record: RunRecord::new(
                run_id(now, draw),
                now,
                place,
                data,
                config.clone(),
                RunKind::Training,
            ),
        }
    }

    fn record(&mut self, event: &TrainEvent) {
        self.record.record(event, now_ms());
        if matches!(event, TrainEvent::Epoch(_))
            && let Err(error) = self.write(None)
        {
            eprintln!("{error}");
        }
    }

    fn fail(&mut self, why: &str) {
        self.record.fail(why);
    }

    fn finish(&mut self, validation: Option<&Evaluation>, test_accuracy: Option<f32>) {
        self.record.validation = validation.map(RunEvaluation::from);
        self.record.test_accuracy = test_accuracy;
    }

    /// Writes the file whole, beside it first then renamed: a reader never sees half of it.
    fn write(&mut self, model: Option<Vec<u8>>) -> Result<(), String> {
        self.record.model_bytes = model.as_ref().map_or(0, |m| m.len() as u64);
        let bytes = runs_file(&[KeptRun {
            record: self.record.clone(),
            model,
        }]);
        let partial = format!("{}.partial", self.path);
        std::fs::write(&partial, bytes)
            .and_then(|()| std::fs::rename(&partial, &self.path))
            .map_err(|e| format!("{}: {e}", self.path))
    }
}

/// Milliseconds since 1970-01-01 UTC.
fn now_ms() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

/// `--translate N`, `--flip`, `--erase P`: none of them, no augmentation.
fn augmentation(args: &Args) -> Result<Option<Augmentation>, String> {
    let augmentation = Augmentation {
        translate: args.parsed("translate", 0)?,
        flip: args.switch("flip"),
        erase: args.parsed("erase", 0.0)?,
    };
    Ok((!augmentation.is_off()).then_some(augmentation))
}

/// What a model file trained here says about where it came from.
const ORIGIN: &str = "trained by the atelier command line";

pub fn write_predictions(
    args: &Args,
    model: &atelier_engine::Network,
    test: &Dataset,
    device: &Device,
    json: bool,
) -> Result<Option<f32>, String> {
    let path = args.get("predictions").unwrap_or("predictions.csv");
    let layout = if args.switch("with-ids") {
        PredictionsLayout::ImageIdLabel
    } else {
        PredictionsLayout::Label
    };
    // A labelled test set is evaluated, which predicts it too: one pass, not two.
    let evaluation = if test.is_labelled() {
        let all: Vec<usize> = (0..test.len()).collect();
        Some(
            threads::block_on(evaluate(model, test, &all, 256, Default::default(), device))
                .map_err(|e| e.to_string())?,
        )
    } else {
        None
    };
    // Test-time augmentation predicts again, each image with its mirror.
    let mirrored = args.switch("tta");
    let predictions = match &evaluation {
        _ if mirrored => threads::block_on(predict_mirrored(model, test, 256, device))
            .map_err(|e| e.to_string())?,
        Some(evaluation) => evaluation.predictions.clone(),
        None => threads::block_on(predict(model, test, 256, device)).map_err(|e| e.to_string())?,
    };
    std::fs::write(path, predictions_csv(&predictions, layout))
        .map_err(|e| format!("{path}: {e}"))?;
    eprintln!("wrote {} predictions to {path}", predictions.len());
    if let (Some(evaluation), Some(labels)) = (evaluation, test.labels()) {
        let accuracy = ConfusionMatrix::from_pairs(labels, &predictions).accuracy();
        if json {
            println!(
                "{}",
                serde_json::json!({"test_accuracy": accuracy, "test_loss": evaluation.loss, "test_images": test.len(), "tta": mirrored})
            );
        } else {
            println!(
                "test accuracy: {accuracy:.4} ({} images{})",
                test.len(),
                if mirrored {
                    ", each with its mirror"
                } else {
                    ""
                }
            );
        }
        return Ok(Some(accuracy));
    }
    Ok(None)
}
