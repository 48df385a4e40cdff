//! The engine's state and what it does for each request.

use std::cell::RefCell;
use std::rc::Rc;

use burn::prelude::Device;
use wasm_bindgen_futures::spawn_local;

use crate::data::Dataset;
use crate::eval::{evaluate_in_slices, predict};
use crate::model::Network;
use crate::saved::is_model_file;
use crate::train::{TrainConfig, TrainControl, train};

use super::super::js;
use super::super::protocol::{EvalSummary, ModelSource, Reply, Request, SetInfo};
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

pub fn handle(request: Request, buffers: Vec<js_sys::ArrayBuffer>) {
    match request {
        Request::Init { force_cpu } => spawn_local(init(force_cpu)),
        Request::Load { names } => {
            let files = names
                .into_iter()
                .zip(buffers)
                .map(|(name, buffer)| NamedBytes {
                    name,
                    bytes: js_sys::Uint8Array::new(&buffer).to_vec(),
                })
                .collect();
            spawn_local(load(files));
        }
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

    let network = Rc::new(trained.model);
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
    let mut model = ActiveModel {
        network,
        label,
        settings: config,
        history: trained.history,
        test_accuracy: None,
    };
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
