//! Messages between the page (main thread) and the engine (a dedicated Web Worker). They travel
//! as JSON text; file bytes travel beside them, never copied ([`envelope`]).

#[cfg(target_arch = "wasm32")]
pub mod envelope;

use serde::{Deserialize, Serialize};

use atelier_core::data::NUM_CLASSES;
use atelier_core::eval::{ConfusionMatrix, Evaluation};
use atelier_core::train::{GridSpec, History, TrainConfig, TrainEvent, Trial};

/// Page to engine.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Request {
    /// Choose the backend (the worker's choice: see `www/worker.js`) and the first model.
    Init,
    /// Abort at once, as a crash would (an out-of-memory, a trap): for the tests of the page's
    /// recovery, which sends it only when its address asks for test hooks.
    Abort,
    /// Destroy the WebGPU device, as a lost GPU would (test hooks only, as `Abort`).
    LoseDevice,
    /// Read these files (their bytes are the message's buffers, in order).
    Load {
        names: Vec<String>,
    },
    /// Train on the loaded training set.
    Train {
        config: Box<TrainConfig>,
    },
    /// Predict the test set with each image's mirror as well (test-time augmentation), or not;
    /// the loaded test set is predicted again.
    MirrorPredictions {
        on: bool,
    },
    /// Go on with the active model's interrupted run, after its last finished epoch, with its
    /// own settings.
    ContinueTraining,
    Pause,
    Resume,
    Stop,
    /// Class probabilities for one 28x28 darkness image (the drawing pad's, a photo's).
    Classify {
        pixels: Vec<u8>,
    },
    /// The active model as a model file (sent back as [`Reply::ModelFile`]).
    SaveModel,
    /// Train `config`'s model once per grid setting; `Stop` ends the search.
    GridSearch {
        config: Box<TrainConfig>,
        grid: GridSpec,
    },
    /// On WebGPU, compile and tune the kernels a run of `config` starts with, on a few of the
    /// loaded images, so that Train starts at once; a newer request or any run replaces it.
    PrepareKernels {
        config: Box<TrainConfig>,
    },
    /// Make the model kept with the run `id` (named `name`) the active one.
    RestoreRun {
        id: String,
        name: String,
    },
}

pub use atelier_core::eval::Mistake;

/// What the page shows of the active model.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ModelInfo {
    /// Which model, in words: "pre-trained vgg model", "trained here: ...", "file x.atelier".
    pub label: String,
    /// Its settings; `settings.model` is its architecture.
    pub settings: Box<TrainConfig>,
    /// Its loss and accuracy history.
    pub history: History,
    pub test_accuracy: Option<f32>,
    pub source: ModelSource,
}

/// Where the active model came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ModelSource {
    /// The model the page ships.
    Pretrained,
    /// Just trained in this page.
    Trained,
    /// A model file the user dropped or picked.
    File,
    /// Kept in the browser's storage and brought back by a reload.
    Restored,
    /// A kept run's model, restored from the Runs panel.
    Run,
}

impl ModelSource {
    /// The name used in the page's `data-source` attribute.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pretrained => "pretrained",
            Self::Trained => "trained",
            Self::File => "file",
            Self::Restored => "restored",
            Self::Run => "run",
        }
    }
}

/// One image shown in the page's sample grid.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Sample {
    pub label: u8,
    pub pixels: Vec<u8>,
}

/// What the page shows of a loaded dataset.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SetInfo {
    pub name: String,
    pub count: usize,
    pub labelled: bool,
    pub class_counts: [usize; NUM_CLASSES],
    /// A few images of each class, for the sample grid.
    pub samples: Vec<Sample>,
}

impl SetInfo {
    /// Up to `per_class` images of each class (or the first images when unlabelled).
    pub fn describe(name: &str, data: &atelier_core::data::Dataset, per_class: usize) -> Self {
        let mut taken = [0; NUM_CLASSES];
        let mut samples = Vec::new();
        for (index, &label) in data.labels().unwrap_or(&[]).iter().enumerate() {
            if taken.iter().all(|&t| t == per_class) {
                break;
            }
            if taken[label as usize] < per_class {
                taken[label as usize] += 1;
                samples.push(Sample {
                    label,
                    pixels: data.image(index).to_vec(),
                });
            }
        }
        Self {
            name: name.to_string(),
            count: data.len(),
            labelled: data.is_labelled(),
            class_counts: data.class_counts(),
            samples,
        }
    }
}

/// Validation results, without the per-image predictions.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct EvalSummary {
    pub loss: f32,
    pub accuracy: f32,
    pub confusion: ConfusionMatrix,
}

impl From<&Evaluation> for EvalSummary {
    fn from(e: &Evaluation) -> Self {
        Self {
            loss: e.loss,
            accuracy: e.accuracy,
            confusion: e.confusion.clone(),
        }
    }
}

/// Engine to page.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Reply {
    /// The backend is chosen: `WebGPU` or `CPU`.
    Ready {
        backend: String,
        adapter: String,
        notice: Option<String>,
        /// Kernel choices kept from earlier visits (WebGPU): kernels not tuned again.
        tuning_kept: u64,
        /// Autotune's samples per candidate kernel (WebGPU in a browser; none on the CPU).
        tune_samples: Option<usize>,
        /// Whether autotune tunes new kernel shapes one per batch, running them untuned until
        /// then (WebGPU in a browser; none on the CPU).
        tune_paced: Option<bool>,
        /// Whether autotune measures a new shape's fallback kernels too (WebGPU in a browser,
        /// on by default on a software adapter; none on the CPU).
        tune_fallbacks: Option<bool>,
        /// Whether the engine's own kernels run where they apply (WebGPU in a browser, on by
        /// default on a software adapter; none on the CPU).
        own_kernels: Option<bool>,
    },
    /// Reading files: bytes done of total.
    Progress {
        done: usize,
        total: usize,
        text: String,
    },
    /// Files read; `None` leaves that set as it was.
    Loaded {
        train: Option<Box<SetInfo>>,
        test: Option<Box<SetInfo>>,
    },
    /// A file could not be read; nothing changed.
    LoadFailed { message: String },
    /// Training progress.
    Training { event: TrainEvent },
    /// Training is over; validation results.
    Trained {
        validation: Option<Box<EvalSummary>>,
    },
    /// Predictions for the loaded test set (and its accuracy when it has labels).
    Predictions {
        test_name: String,
        predictions: Vec<u8>,
        accuracy: Option<f32>,
        /// Each image was predicted with its mirror (test-time augmentation).
        #[serde(default)]
        mirrored: bool,
    },
    /// A request beside the running job failed (classifying a drawing, saving or loading a
    /// model, predicting): only this request; the page's phase stays as it is.
    Failed { message: String },
    /// The training or grid search the page started could not start, or stopped on an error.
    JobFailed { message: String },
    /// The engine panicked: whatever it was doing is lost.
    EngineFailed { message: String },
    /// The WebGPU device is lost (sent by `www/gpu.js`): this engine cannot go on.
    DeviceLost { message: String },
    /// A model is active (at start, after training, after loading a model file).
    ModelReady { info: Box<ModelInfo> },
    /// The answer to [`Request::Classify`]; `None` while no model is ready.
    Classified {
        probabilities: Option<[f32; NUM_CLASSES]>,
    },
    /// The answer to [`Request::SaveModel`]: the file's bytes travel beside the message.
    ModelFile { name: String },
    /// A grid search starts: `total` trials (its settings were good).
    GridStarted { total: usize },
    /// A grid-search trial finished (the `number`th).
    Trial { trial: Trial, number: usize },
    /// The grid search is over (all trials, or stopped); the page has had each trial.
    GridDone { stopped: bool },
    /// Whether the browser kept the latest model for the next visit: `None` when it did, else
    /// why not (storage full, another tab keeps its own, ...).
    Kept { problem: Option<String> },
    /// Misclassified validation images of the model just trained.
    Mistakes { mistakes: Vec<Mistake> },
    /// Kernels for the settings of [`Request::PrepareKernels`] are being prepared.
    PreparingKernels,
    /// They are ready, after `seconds`; `None` when the preparation gave way (to newer settings
    /// or a run) or failed.
    KernelsPrepared { seconds: Option<f64> },
    /// A run's last record is written (with its model when `model_kept`): `dropped` names the
    /// older runs whose models made room for it; `problem` says why something was not kept.
    RunKept {
        name: String,
        model_kept: bool,
        dropped: Vec<String>,
        problem: Option<String>,
    },
}
