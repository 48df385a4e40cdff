//! The engine's state and what it does for each request.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use atelier_engine::burn::prelude::Device;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::spawn_local;

use atelier_browser::js;
use atelier_browser::protocol::{EvalSummary, ModelSource, Reply, Request, SetInfo};
use atelier_browser::runs_store;
use atelier_core::data::Dataset;
use atelier_core::eval::ConfusionMatrix;
use atelier_core::runs::{RunData, RunEvaluation, RunKind};
use atelier_core::saved::{Weights, is_model_file};
use atelier_core::train::{
    GridSpec, LossKind, NO_TRAINING_SET, TrainConfig, TrainControl, TrainError,
};
use atelier_engine::{
    Network, NetworkWeights, Start, evaluate_in_slices, grid_search, mistakes, predict,
    predict_mirrored, prepare, train_from,
};

use crate::files::{self, NamedBytes};
use crate::host::WorkerHost;
use crate::models::{self, ActiveModel, architecture_name};
use crate::runs::{RunWriter, TrialWriters};
use crate::{backend, reply};

/// A dataset and the file it came from.
type Named = Rc<(String, Dataset)>;

#[derive(Default)]
struct Engine {
    device: Option<Device>,
    train: Option<Named>,
    test: Option<Named>,
    /// The model the drawing pad and the predictions use.
    model: Option<ActiveModel>,
    control: Option<TrainControl>,
    /// The kernel preparation under way (see [`prepare_kernels`]).
    preparing: Option<Preparing>,
    /// Test-set predictions average each image with its mirror.
    mirror_predictions: bool,
    /// Where runs train, as their records say: "WebGPU (adapter)" or "CPU (WebAssembly)".
    place: String,
}

/// A kernel preparation: its control, and whether it has ended.
struct Preparing {
    control: TrainControl,
    ended: Rc<Cell<bool>>,
}

thread_local! {
    static ENGINE: RefCell<Engine> = RefCell::new(Engine::default());
}

fn with_engine<T>(f: impl FnOnce(&mut Engine) -> T) -> T {
    ENGINE.with(|engine| f(&mut engine.borrow_mut()))
}

/// Makes `model` the active one and tells the page.
fn activate(model: ActiveModel, source: ModelSource) {
    models::announce(&model, source);
    with_engine(|e| e.model = Some(model));
}

/// Images evaluated or predicted between two turns of the event loop.
const SLICE_IMAGES: usize = 1024;

/// Sample images per class sent to the page for its grid.
const SAMPLES_PER_CLASS: usize = 3;

/// One request from the page; `contents` are the files of a `Load` (`File`s or `ArrayBuffer`s).
pub fn handle(request: Request, contents: Vec<JsValue>) {
    match request {
        Request::Init => spawn_local(init()),
        Request::Abort => std::process::abort(),
        Request::LoseDevice => js::call_global("atelierLoseDevice"),
        Request::Load { names } => spawn_local(read_and_load(names, contents)),
        Request::Train { config } => spawn_local(train_model(*config)),
        Request::ContinueTraining => spawn_local(continue_training()),
        Request::MirrorPredictions { on } => {
            let idle = with_engine(|e| {
                e.mirror_predictions = on;
                e.control.is_none()
            });
            // During a run, its predictions at the end follow the new choice.
            if idle {
                spawn_local(predict_test_set());
            }
        }
        Request::Pause => {
            with_engine(|e| e.control.as_ref().map(TrainControl::pause)).unwrap_or(())
        }
        Request::Resume => {
            with_engine(|e| e.control.as_ref().map(TrainControl::resume)).unwrap_or(())
        }
        Request::Stop => with_engine(|e| {
            if let Some(control) = &e.control {
                control.resume();
                control.stop();
            }
        }),
        Request::Classify { pixels } => {
            // The drawing pad comes before kernels prepared for later: a preparation under way
            // gives way at its next step (the page asks again when the settings change).
            with_engine(|e| e.preparing.as_ref().map(|p| p.control.stop()));
            let (model, device) = with_engine(|e| (e.model.clone(), e.device.clone()));
            spawn_local(models::classify(model, device, pixels))
        }
        Request::SaveModel => spawn_local(models::save(with_engine(|e| e.model.clone()))),
        Request::GridSearch { config, grid } => spawn_local(run_grid(*config, grid)),
        Request::PrepareKernels { config } => spawn_local(prepare_kernels(*config)),
        Request::RestoreRun { id, name } => spawn_local(restore_run(id, name)),
    }
}

/// On WebGPU, runs the kernels of a run of `config` once, on a few loaded images, so that a
/// Train that follows finds them compiled (see `atelier_engine::prepare`). The CPU backend has
/// nothing to prepare.
async fn prepare_kernels(config: TrainConfig) {
    end_preparing().await;
    let (train_set, device, busy) =
        with_engine(|e| (e.train.clone(), e.device.clone(), e.control.is_some()));
    let (Some(train_set), Some(device)) = (train_set, device) else {
        return;
    };
    if busy || device == Device::flex() {
        return;
    }
    let control = TrainControl::new();
    let ended = Rc::new(Cell::new(false));
    with_engine(|e| {
        e.preparing = Some(Preparing {
            control: control.clone(),
            ended: ended.clone(),
        })
    });
    reply(&Reply::PreparingKernels);
    let started = js::now();
    let result = prepare(
        &config,
        &train_set.1,
        &device,
        &control,
        &mut WorkerHost::silent(),
    )
    .await;
    ended.set(true);
    let gave_way = control.is_stopped();
    if let Err(error) = &result {
        web_sys::console::warn_1(&format!("kernels not prepared: {error}").into());
    }
    reply(&Reply::KernelsPrepared {
        seconds: (result.is_ok() && !gave_way).then(|| (js::now() - started) / 1000.0),
    });
}

/// Stops the kernel preparation under way, if any, and waits until it has: a run must not
/// share the device's random stream with it.
async fn end_preparing() {
    let Some(preparing) = with_engine(|e| e.preparing.take()) else {
        return;
    };
    preparing.control.stop();
    while !preparing.ended.get() {
        js::sleep(5).await;
    }
}

async fn init() {
    let chosen = backend::choose().await;
    let device = chosen.device.clone();
    let place = if chosen.adapter.is_empty() {
        format!("{} (WebAssembly)", chosen.name)
    } else {
        format!("{} ({})", chosen.name, chosen.adapter)
    };
    with_engine(|e| {
        e.device = Some(chosen.device);
        e.place = place;
    });
    reply(&Reply::Ready {
        backend: chosen.name.to_string(),
        adapter: chosen.adapter,
        notice: chosen.notice,
        tuning_kept: atelier_engine::tuning_cache::kept(),
        tune_samples: chosen.tuning.map(|t| t.samples),
        tune_paced: chosen.tuning.map(|t| t.paced),
        tune_fallbacks: chosen.tuning.map(|t| t.fallbacks),
        own_kernels: chosen.own_kernels,
    });
    match models::first_model(&device).await {
        Ok((model, source)) => activate(model, source),
        Err(error) => reply(&Reply::Failed {
            message: format!(
                "The pre-trained model could not be loaded ({error}); train one here."
            ),
        }),
    }
    predict_test_set().await;
}

/// Reads the files into the engine's memory, then loads them.
async fn read_and_load(names: Vec<String>, contents: Vec<JsValue>) {
    let mut files = Vec::new();
    for (name, content) in names.into_iter().zip(contents) {
        match files::read(&name, &content).await {
            Ok(file) => files.push(file),
            Err(message) => return reply(&Reply::LoadFailed { message }),
        }
    }
    load(files).await;
}

async fn load(files: Vec<NamedBytes>) {
    // Model files replace the model; the rest are data.
    let (model_files, data_files): (Vec<_>, Vec<_>) =
        files.into_iter().partition(|f| is_model_file(&f.bytes));
    for file in &model_files {
        let Some(device) = with_engine(|e| e.device.clone()) else {
            return reply(&Reply::LoadFailed {
                message: "the backend is still starting; try again in a moment".into(),
            });
        };
        match models::load_file(&file.name, &file.bytes, &device).await {
            Ok(model) => activate(model, ModelSource::File),
            Err(message) => return reply(&Reply::LoadFailed { message }),
        }
    }
    if data_files.is_empty() {
        reply(&Reply::Loaded {
            train: None,
            test: None,
        });
        return predict_test_set().await;
    }
    match files::load(data_files).await {
        Ok(loaded) => {
            let train = loaded.train.map(|(name, data)| {
                let info = Box::new(SetInfo::describe(&name, &data, SAMPLES_PER_CLASS));
                with_engine(|e| e.train = Some(Rc::new((name, data))));
                info
            });
            let test = loaded.test.map(|(name, data)| {
                let info = Box::new(SetInfo::describe(&name, &data, 0));
                with_engine(|e| e.test = Some(Rc::new((name, data))));
                info
            });
            let new_test = test.is_some();
            reply(&Reply::Loaded { train, test });
            if new_test {
                predict_test_set().await;
            }
        }
        Err(message) => reply(&Reply::LoadFailed { message }),
    }
}

async fn train_model(config: TrainConfig) {
    run_training(Start::Fresh, config).await;
}

/// Goes on with the active model's interrupted run (see [`Start::Resume`]).
async fn continue_training() {
    let Some(model) = with_engine(|e| e.model.clone()) else {
        return reply(&Reply::JobFailed {
            message: "There is no model to continue yet.".into(),
        });
    };
    let weights = match Weights::read(&model.network).await {
        Ok(weights) => weights,
        Err(error) => {
            return reply(&Reply::JobFailed {
                message: format!("The model's weights could not be read: {error}"),
            });
        }
    };
    let start = Start::Resume {
        weights: &weights,
        history: &model.history,
    };
    run_training(start, model.settings.clone()).await;
}

async fn run_training(start: Start<'_>, config: TrainConfig) {
    end_preparing().await;
    let (train_set, device) = with_engine(|e| (e.train.clone(), e.device.clone()));
    let Some(train_set) = train_set else {
        return reply(&Reply::JobFailed {
            message: NO_TRAINING_SET.into(),
        });
    };
    let Some(device) = device else {
        return reply(&Reply::JobFailed {
            message: "The backend is still starting; try again in a moment.".into(),
        });
    };
    let control = TrainControl::new();
    with_engine(|e| e.control = Some(control.clone()));
    let run = RunWriter::start(&config, RunKind::Training, run_data(&train_set), &place());
    let mut host = WorkerHost::training(&config, run);
    let result = train_from(start, &config, &train_set.1, &device, &control, &mut host).await;
    with_engine(|e| e.control = None);
    let run = host.into_run();
    // The loop has already sent an error event when it failed (and the record says so).
    let Ok(trained) = result else {
        if let Some(run) = run {
            run.abandon().await;
        }
        return;
    };

    let network = trained.model;
    if let Some(validation) = &trained.validation {
        let gallery = mistakes(
            &network,
            &train_set.1,
            &trained.split.validation,
            validation,
            &device,
            &mut WorkerHost::new(),
        )
        .await;
        match gallery {
            Ok(mistakes) => reply(&Reply::Mistakes { mistakes }),
            Err(error) => web_sys::console::warn_1(&format!("no error gallery: {error}").into()),
        }
    }
    let done = trained.history.epochs.len();
    let resumed = match start {
        Start::Resume { history, .. } => format!(", resumed after epoch {}", history.epochs.len()),
        Start::Fresh | Start::From(_) => String::new(),
    };
    let label = if trained.stopped {
        format!(
            "trained here: {}, stopped after {done} of {} epochs{resumed}",
            architecture_name(&config),
            config.epochs
        )
    } else {
        format!(
            "trained here: {}, {done} epochs{resumed}",
            architecture_name(&config)
        )
    };
    let validation = trained.validation;
    let mut model = ActiveModel::new(network, label, config, trained.history, None);
    // Predictions first, so that the page can offer them as soon as it says "done".
    model.test_accuracy = predict_test_set_with(&model.network).await;
    let file = match model.to_file().await {
        Ok(bytes) => {
            models::keep(&model, &bytes).await;
            Some(bytes)
        }
        Err(error) => {
            web_sys::console::warn_1(&format!("the model was not kept: {error}").into());
            None
        }
    };
    let test_accuracy = model.test_accuracy;
    activate(model, ModelSource::Trained);
    reply(&Reply::Trained {
        validation: validation.as_ref().map(|v| Box::new(EvalSummary::from(v))),
    });
    if let Some(run) = run {
        run.finish(
            validation.as_ref().map(RunEvaluation::from),
            test_accuracy,
            file,
        )
        .await;
    }
}

/// What a run's record says of its data: the training file's name, and the test file's.
fn run_data(train_set: &Named) -> RunData {
    RunData {
        train_file: train_set.0.clone(),
        test_file: with_engine(|e| e.test.as_ref().map(|t| t.0.clone())),
        ..RunData::default()
    }
}

fn place() -> String {
    with_engine(|e| e.place.clone())
}

/// Makes a kept run's model the active one.
async fn restore_run(id: String, name: String) {
    let Some(device) = with_engine(|e| e.device.clone()) else {
        return reply(&Reply::Failed {
            message: "The backend is still starting; try again in a moment.".into(),
        });
    };
    let bytes = match runs_store::model(&id).await {
        Ok(Some(bytes)) => bytes,
        Ok(None) => {
            return reply(&Reply::Failed {
                message: format!("The run {name} has no model kept (it was dropped to make room)."),
            });
        }
        Err(error) => {
            return reply(&Reply::Failed {
                message: format!("The run {name}'s model could not be read: {error}."),
            });
        }
    };
    match models::load_run(&name, &bytes, &device).await {
        Ok(model) => {
            activate(model, ModelSource::Run);
            predict_test_set().await;
        }
        Err(message) => reply(&Reply::Failed { message }),
    }
}

async fn run_grid(config: TrainConfig, grid: GridSpec) {
    end_preparing().await;
    let (train_set, device) = with_engine(|e| (e.train.clone(), e.device.clone()));
    let (Some(train_set), Some(device)) = (train_set, device) else {
        return reply(&Reply::JobFailed {
            message: NO_TRAINING_SET.into(),
        });
    };
    let trials = match grid.trials(&config) {
        Ok(trials) => trials,
        Err(error) => {
            return reply(&Reply::JobFailed {
                message: format!("Grid search: {error}"),
            });
        }
    };
    let total = trials.len();
    reply(&Reply::GridStarted { total });
    let records = TrialWriters::new(trials, run_data(&train_set), &place());
    let control = TrainControl::new();
    with_engine(|e| e.control = Some(control.clone()));
    let mut number = 0;
    let result = grid_search(
        &config,
        &grid,
        &train_set.1,
        &device,
        &control,
        &mut WorkerHost::grid(records),
        |trial| {
            number += 1;
            reply(&Reply::Trial {
                trial: trial.clone(),
                number,
            });
        },
    )
    .await;
    with_engine(|e| e.control = None);
    match result {
        Ok(trials) => reply(&Reply::GridDone {
            stopped: trials.len() < total,
        }),
        Err(error) => reply(&Reply::JobFailed {
            message: format!("Grid search stopped: {error}"),
        }),
    }
}

/// Predicts the loaded test set with the active model, when both exist.
async fn predict_test_set() {
    if let Some(model) = with_engine(|e| e.model.clone()) {
        predict_test_set_with(&model.network).await;
    }
}

/// The predicted class of every image of `data` (with its mirror when `mirrored`), a slice at
/// a time with a turn of the event loop in between.
async fn predict_in_slices(
    model: &Network,
    data: &Dataset,
    device: &Device,
    mirrored: bool,
) -> Result<Vec<u8>, TrainError> {
    let mut predictions = Vec::with_capacity(data.len());
    let indices: Vec<usize> = (0..data.len()).collect();
    for chunk in indices.chunks(SLICE_IMAGES) {
        let slice = data.select(chunk);
        predictions.extend(if mirrored {
            predict_mirrored(model, &slice, 256, device).await?
        } else {
            predict(model, &slice, 256, device).await?
        });
        js::yield_now().await;
    }
    Ok(predictions)
}

/// Predicts the loaded test set with `model` and sends the predictions; the accuracy when the
/// test set has labels.
async fn predict_test_set_with(model: &Network) -> Option<f32> {
    let (test, device, mirrored) =
        with_engine(|e| (e.test.clone(), e.device.clone(), e.mirror_predictions));
    let (Some(test), Some(device)) = (test, device) else {
        return None;
    };
    // A labelled test set is evaluated, which predicts it too: one pass, not two. With the
    // mirror, the accuracy is the mirrored predictions'.
    let scored = if mirrored {
        predict_in_slices(model, &test.1, &device, true)
            .await
            .map(|p| {
                let accuracy = test
                    .1
                    .labels()
                    .map(|labels| ConfusionMatrix::from_pairs(labels, &p).accuracy());
                Some((p, accuracy))
            })
    } else if test.1.is_labelled() {
        let all: Vec<usize> = (0..test.1.len()).collect();
        let evaluation = evaluate_in_slices(
            model,
            &test.1,
            &all,
            256,
            LossKind::default(),
            &device,
            &mut WorkerHost::new(),
        )
        .await;
        evaluation.map(|e| e.map(|e| (e.predictions, Some(e.accuracy))))
    } else {
        predict_in_slices(model, &test.1, &device, false)
            .await
            .map(|p| Some((p, None)))
    };
    let (predictions, accuracy) = match scored {
        Ok(Some(scored)) => scored,
        Ok(None) => (Vec::new(), None),
        Err(error) => {
            reply(&Reply::Failed {
                message: format!("Predicting {} failed: {error}", test.0),
            });
            return None;
        }
    };
    reply(&Reply::Predictions {
        test_name: test.0.clone(),
        predictions,
        accuracy,
        mirrored,
    });
    accuracy
}
