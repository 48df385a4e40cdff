//! The engine's state and what it does for each request.

use std::cell::RefCell;
use std::rc::Rc;

use burn::prelude::Device;
use wasm_bindgen_futures::spawn_local;

use crate::data::Dataset;
use crate::eval::{evaluate_in_slices, predict};
use crate::model::Network;
use crate::train::{TrainConfig, TrainControl, train};

use super::super::js;
use super::super::protocol::{EvalSummary, Reply, Request, SetInfo};
use super::files::{self, NamedBytes};
use super::host::WorkerHost;
use super::{backend, reply};

/// A dataset and the file it came from.
type Named = Rc<(String, Dataset)>;

#[derive(Default)]
struct Engine {
    device: Option<Device>,
    train: Option<Named>,
    test: Option<Named>,
    model: Option<Rc<Network>>,
    control: Option<TrainControl>,
}

thread_local! {
    static ENGINE: RefCell<Engine> = RefCell::new(Engine::default());
}

fn with_engine<T>(f: impl FnOnce(&mut Engine) -> T) -> T {
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
    }
}

async fn init(force_cpu: bool) {
    let chosen = backend::choose(force_cpu).await;
    with_engine(|e| e.device = Some(chosen.device));
    reply(&Reply::Ready {
        backend: chosen.name.to_string(),
        adapter: chosen.adapter,
        notice: chosen.notice,
    });
}

async fn load(files: Vec<NamedBytes>) {
    match files::load(files).await {
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
        &mut WorkerHost::new(),
    )
    .await;
    with_engine(|e| e.control = None);
    // The loop has already sent an error event when it failed.
    let Ok(trained) = result else { return };

    let model = Rc::new(trained.model);
    with_engine(|e| e.model = Some(model.clone()));
    let validation = match evaluate_in_slices(
        &model,
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
    // Predictions first, so that the page can offer them as soon as it says "done".
    predict_test_set().await;
    reply(&Reply::Trained {
        validation: validation.as_ref().map(|v| Box::new(EvalSummary::from(v))),
    });
}

/// Predicts the loaded test set with the current model, when both exist.
async fn predict_test_set() {
    let (model, test, device) =
        with_engine(|e| (e.model.clone(), e.test.clone(), e.device.clone()));
    let (Some(model), Some(test), Some(device)) = (model, test, device) else {
        return;
    };
    let mut predictions = Vec::with_capacity(test.1.len());
    let indices: Vec<usize> = (0..test.1.len()).collect();
    for chunk in indices.chunks(SLICE_IMAGES) {
        match predict(&model, &test.1.select(chunk), 256, &device).await {
            Ok(part) => predictions.extend(part),
            Err(error) => {
                return reply(&Reply::Failed {
                    message: format!("Predicting {} failed: {error}", test.0),
                });
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
}
