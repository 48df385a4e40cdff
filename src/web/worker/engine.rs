//! The engine's state and what it does for each request.

use std::cell::RefCell;
use std::rc::Rc;

use burn::prelude::Device;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::spawn_local;

use crate::data::Dataset;
use crate::data::NUM_CLASSES;
use crate::eval::{Evaluation, evaluate_in_slices, predict, predict_probabilities};
use crate::model::Network;
use crate::saved::is_model_file;
use crate::train::{GridSpec, TrainConfig, TrainControl, grid_search, train};

use super::super::js;
use super::super::protocol::{EvalSummary, Mistake, ModelSource, Reply, Request, SetInfo};
use super::files::{self, NamedBytes};
use super::host::WorkerHost;
use super::models::{self, ActiveModel, architecture_name};
use super::{backend, reply};

/// A dataset and the file it came from.
type Named = Rc<(String, Dataset)>;

#[derive(Default)]
pub struct Engine {
    pub device: Option<Device>,
    train: Option<Named>,
    test: Option<Named>,
    /// The model the drawing pad and the predictions use.
    pub model: Option<ActiveModel>,
    control: Option<TrainControl>,
}

thread_local! {
    static ENGINE: RefCell<Engine> = RefCell::new(Engine::default());
}

pub fn with_engine<T>(f: impl FnOnce(&mut Engine) -> T) -> T {
    ENGINE.with(|engine| f(&mut engine.borrow_mut()))
}

/// Images evaluated or predicted between two turns of the event loop.
const SLICE_IMAGES: usize = 1024;

/// Sample images per class sent to the page for its grid.
const SAMPLES_PER_CLASS: usize = 3;

/// One request from the page; `contents` are the files of a `Load` (`File`s or `ArrayBuffer`s).
pub fn handle(request: Request, contents: Vec<JsValue>) {
    match request {
        Request::Init { force_cpu } => spawn_local(init(force_cpu)),
        Request::Load { names } => spawn_local(read_and_load(names, contents)),
        Request::Train { config } => spawn_local(train_model(*config)),
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
        Request::Classify { pixels } => spawn_local(models::classify(pixels)),
        Request::SaveModel => spawn_local(models::save()),
        Request::GridSearch { config, grid } => spawn_local(run_grid(*config, grid)),
    }
}

async fn init(force_cpu: bool) {
    let chosen = backend::choose(force_cpu).await;
    let device = chosen.device.clone();
    with_engine(|e| e.device = Some(chosen.device));
    reply(&Reply::Ready {
        backend: chosen.name.to_string(),
        adapter: chosen.adapter,
        notice: chosen.notice,
    });
    models::start(&device).await;
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
        if let Err(message) = models::load_file(&file.name, &file.bytes).await {
            return reply(&Reply::LoadFailed { message });
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
    let (train_set, device) = with_engine(|e| (e.train.clone(), e.device.clone()));
    let Some(train_set) = train_set else {
        return reply(&Reply::Failed {
            message: "Load a training set first: drop train.csv here, or try the sample.".into(),
        });
    };
    let Some(device) = device else {
        return reply(&Reply::Failed {
            message: "The backend is still starting; try again in a moment.".into(),
        });
    };
    let control = TrainControl::new();
    with_engine(|e| e.control = Some(control.clone()));
    let result = train(
        &config,
        &train_set.1,
        &device,
        &control,
        &mut WorkerHost::training(&config),
    )
    .await;
    with_engine(|e| e.control = None);
    // The loop has already sent an error event when it failed.
    let Ok(trained) = result else { return };

    let network = trained.model;
    let validation = match evaluate_in_slices(
        &network,
        &train_set.1,
        &trained.split.validation,
        256,
        config.loss,
        &device,
        &mut WorkerHost::new(),
    )
    .await
    {
        Ok(validation) => validation,
        Err(error) => {
            return reply(&Reply::Failed {
                message: error.to_string(),
            });
        }
    };
    if let Some(validation) = &validation {
        let mistakes = mistakes(
            &network,
            &train_set.1,
            &trained.split.validation,
            validation,
            &device,
        )
        .await;
        reply(&Reply::Mistakes { mistakes });
    }
    let done = trained.history.epochs.len();
    let label = if trained.stopped {
        format!(
            "trained here: {}, stopped after {done} of {} epochs",
            architecture_name(&config),
            config.epochs
        )
    } else {
        format!(
            "trained here: {}, {done} epochs",
            architecture_name(&config)
        )
    };
    let mut model = ActiveModel::new(network, label, config, trained.history, None);
    // Predictions first, so that the page can offer them as soon as it says "done".
    model.test_accuracy = predict_test_set_with(&model.network).await;
    match model.to_file().await {
        Ok(bytes) => models::keep(&model, &bytes).await,
        Err(error) => web_sys::console::warn_1(&format!("the model was not kept: {error}").into()),
    }
    models::activate(model, ModelSource::Trained);
    reply(&Reply::Trained {
        validation: validation.as_ref().map(|v| Box::new(EvalSummary::from(v))),
    });
}

/// Most misclassified images shown per confusion-matrix cell, and in all.
const MISTAKES_PER_CELL: usize = 12;
const MISTAKES_IN_ALL: usize = 300;

/// Misclassified validation images with the model's confidence in its wrong answer.
async fn mistakes(
    model: &Network,
    data: &Dataset,
    validation: &[usize],
    evaluation: &Evaluation,
    device: &Device,
) -> Vec<Mistake> {
    let Some(labels) = data.labels() else {
        return Vec::new();
    };
    let mut per_cell = [[0usize; NUM_CLASSES]; NUM_CLASSES];
    let mut chosen = Vec::new();
    for (&index, &predicted) in validation.iter().zip(&evaluation.predictions) {
        let truth = labels[index];
        let cell = &mut per_cell[truth as usize][predicted as usize];
        if truth != predicted && *cell < MISTAKES_PER_CELL && chosen.len() < MISTAKES_IN_ALL {
            *cell += 1;
            chosen.push((index, truth, predicted));
        }
    }
    let mut mistakes = Vec::with_capacity(chosen.len());
    for slice in chosen.chunks(64) {
        let pixels: Vec<u8> = slice
            .iter()
            .flat_map(|&(index, _, _)| data.image(index).iter().copied())
            .collect();
        let Ok(probabilities) = predict_probabilities(model, &pixels, device).await else {
            return mistakes;
        };
        for (&(index, truth, predicted), p) in slice.iter().zip(probabilities) {
            mistakes.push(Mistake {
                pixels: data.image(index).to_vec(),
                truth,
                predicted,
                confidence: p[predicted as usize],
            });
        }
        js::yield_now().await;
    }
    mistakes
}

async fn run_grid(config: TrainConfig, grid: GridSpec) {
    let (train_set, device) = with_engine(|e| (e.train.clone(), e.device.clone()));
    let (Some(train_set), Some(device)) = (train_set, device) else {
        return reply(&Reply::Failed {
            message: "Load a training set first: drop train.csv here, or try the sample.".into(),
        });
    };
    let total = match grid.trials(&config) {
        Ok(trials) => trials.len(),
        Err(error) => {
            return reply(&Reply::Failed {
                message: format!("Grid search: {error}"),
            });
        }
    };
    let control = TrainControl::new();
    with_engine(|e| e.control = Some(control.clone()));
    let mut number = 0;
    let result = grid_search(
        &config,
        &grid,
        &train_set.1,
        &device,
        &control,
        &mut WorkerHost::new(),
        |trial| {
            number += 1;
            reply(&Reply::Trial {
                trial: trial.clone(),
                number,
                total,
            });
        },
    )
    .await;
    with_engine(|e| e.control = None);
    match result {
        Ok(trials) => reply(&Reply::GridDone {
            stopped: trials.len() < total,
            trials,
        }),
        Err(error) => reply(&Reply::Failed {
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

/// Predicts the loaded test set with `model` and sends the predictions; the accuracy when the
/// test set has labels.
async fn predict_test_set_with(model: &Network) -> Option<f32> {
    let (test, device) = with_engine(|e| (e.test.clone(), e.device.clone()));
    let (Some(test), Some(device)) = (test, device) else {
        return None;
    };
    let mut predictions = Vec::with_capacity(test.1.len());
    let indices: Vec<usize> = (0..test.1.len()).collect();
    for chunk in indices.chunks(SLICE_IMAGES) {
        match predict(model, &test.1.select(chunk), 256, &device).await {
            Ok(part) => predictions.extend(part),
            Err(error) => {
                reply(&Reply::Failed {
                    message: format!("Predicting {} failed: {error}", test.0),
                });
                return None;
            }
        }
        js::yield_now().await;
    }
    let accuracy = test.1.labels().map(|labels| {
        let right = labels
            .iter()
            .zip(&predictions)
            .filter(|(a, b)| a == b)
            .count();
        right as f32 / labels.len().max(1) as f32
    });
    reply(&Reply::Predictions {
        test_name: test.0.clone(),
        predictions,
        accuracy,
    });
    accuracy
}
