//! The page's state and its wiring: loading files, training, results and downloads.

use std::cell::RefCell;
use std::rc::Rc;

use burn::prelude::Device;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use web_sys::{DragEvent, File, FileList, HtmlInputElement};

use crate::data::Dataset;
use crate::eval::{Evaluation, PredictionsLayout, evaluate, predict, predictions_csv};
use crate::model::Network;
use crate::train::{LossKind, TrainControl, train};

use super::files::{self, NamedBytes};
use super::host::PageHost;
use super::training_view::TrainingView;
use super::{backend, dom, js, overview, results, settings};

/// A dataset and the file it came from.
type Named = Rc<(String, Dataset)>;

#[derive(Default)]
struct App {
    device: Option<Device>,
    train: Option<Named>,
    test: Option<Named>,
    busy: bool,
    control: Option<TrainControl>,
    model: Option<Rc<Network>>,
    predictions: Option<Vec<u8>>,
}

thread_local! {
    static APP: RefCell<App> = RefCell::new(App::default());
}

fn with_app<T>(f: impl FnOnce(&mut App) -> T) -> T {
    APP.with(|app| f(&mut app.borrow_mut()))
}

/// Images evaluated or predicted between two yields to the page.
const SLICE_IMAGES: usize = 1024;

pub async fn run() {
    wire_events();
    settings::show_summary();
    dom::set_state("idle");
    dom::set_disabled("train-button", true);
    dom::set_text("backend", "…");

    let chosen = backend::choose().await;
    dom::set_text("backend", chosen.name);
    dom::set_text("adapter", &chosen.adapter);
    if let Some(notice) = &chosen.notice {
        dom::set_text("backend-notice", notice);
        dom::set_hidden("backend-notice", false);
    }
    with_app(|app| app.device = Some(chosen.device));
    dom::set_disabled("train-button", false);
}

fn wire_events() {
    for event in ["dragenter", "dragover"] {
        dom::on("drop-zone", event, |e| {
            e.prevent_default();
            let _ = dom::element("drop-zone").class_list().add_1("over");
        });
    }
    dom::on("drop-zone", "dragleave", |_| {
        let _ = dom::element("drop-zone").class_list().remove_1("over");
    });
    dom::on("drop-zone", "drop", |e| {
        e.prevent_default();
        let _ = dom::element("drop-zone").class_list().remove_1("over");
        let files = e
            .dyn_ref::<DragEvent>()
            .and_then(|d| d.data_transfer())
            .and_then(|t| t.files());
        if let Some(files) = files {
            spawn_local(load_files(file_vec(&files)));
        }
    });
    dom::on("file-input", "change", |_| {
        let input: HtmlInputElement = dom::typed("file-input");
        if let Some(files) = input.files() {
            let files = file_vec(&files);
            input.set_value("");
            spawn_local(load_files(files));
        }
    });
    dom::on("sample-button", "click", |_| spawn_local(load_sample()));
    dom::on("model-preset", "change", |_| settings::show_summary());
    dom::on("train-button", "click", |_| spawn_local(train_now()));
    dom::on("pause-button", "click", |_| toggle_pause());
    dom::on("stop-button", "click", |_| {
        if let Some(control) = with_app(|app| app.control.clone()) {
            control.resume();
            control.stop();
        }
    });
    dom::on("download-predictions", "click", |_| download_predictions());
}

fn file_vec(list: &FileList) -> Vec<File> {
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

/// Claims the page for a long task; false (with a message) when another one runs.
fn claim(what: &str) -> bool {
    with_app(|app| {
        if app.busy {
            dom::show_error(&format!(
                "Please wait: {what} can start once the current work ends."
            ));
            false
        } else {
            app.busy = true;
            true
        }
    })
}

fn release(state: &str) {
    with_app(|app| app.busy = false);
    dom::set_state(state);
}

async fn load_files(files: Vec<File>) {
    if files.is_empty() || !claim("loading") {
        return;
    }
    dom::set_state("loading");
    let mut named = Vec::with_capacity(files.len());
    for file in files {
        match js::blob_bytes(&file).await {
            Ok(bytes) => named.push(NamedBytes {
                name: file.name(),
                bytes,
            }),
            Err(e) => {
                dom::show_error(&format!("{}: could not be read ({e:?})", file.name()));
                release("error");
                return;
            }
        }
    }
    finish_loading(named).await;
}

async fn load_sample() {
    if !claim("loading the sample") {
        return;
    }
    dom::set_state("loading");
    let mut named = Vec::new();
    for name in [
        "train-images-idx3-ubyte.gz",
        "train-labels-idx1-ubyte.gz",
        "t10k-images-idx3-ubyte.gz",
        "t10k-labels-idx1-ubyte.gz",
    ] {
        match js::fetch_bytes(&format!("sample/{name}")).await {
            Ok(bytes) => named.push(NamedBytes {
                name: format!("sample {name}"),
                bytes,
            }),
            Err(e) => {
                dom::show_error(&format!("The sample could not be loaded: {e}"));
                release("error");
                return;
            }
        }
    }
    finish_loading(named).await;
}

async fn finish_loading(named: Vec<NamedBytes>) {
    match files::load(named).await {
        Ok(loaded) => {
            dom::clear_error();
            let new_test = loaded.test.is_some();
            with_app(|app| {
                if let Some(train) = loaded.train {
                    app.train = Some(Rc::new(train));
                }
                if let Some(test) = loaded.test {
                    app.test = Some(Rc::new(test));
                    app.predictions = None;
                }
                overview::show(app.train.as_deref(), app.test.as_deref());
            });
            if new_test {
                predict_test_set().await;
            }
            release(if with_app(|app| app.model.is_some()) {
                "done"
            } else {
                "idle"
            });
        }
        Err(message) => {
            dom::show_error(&message);
            dom::set_hidden("load-progress", true);
            release("error");
        }
    }
}

fn toggle_pause() {
    let Some(control) = with_app(|app| app.control.clone()) else {
        return;
    };
    if control.is_paused() {
        control.resume();
        dom::set_text("pause-button", "Pause");
        dom::set_state("training");
    } else {
        control.pause();
        dom::set_text("pause-button", "Resume");
        dom::set_state("paused");
    }
}

async fn train_now() {
    let config = match settings::read() {
        Ok(config) => config,
        Err(message) => {
            dom::show_error(&message);
            return;
        }
    };
    let Some(train_set) = with_app(|app| app.train.clone()) else {
        dom::show_error("Load a training set first: drop train.csv here, or try the sample.");
        return;
    };
    let Some(device) = with_app(|app| app.device.clone()) else {
        dom::show_error("The backend is still starting; try again in a moment.");
        return;
    };
    if !claim("training") {
        return;
    }
    dom::clear_error();
    dom::set_state("training");
    let control = TrainControl::new();
    with_app(|app| app.control = Some(control.clone()));
    set_training_controls(true);

    let mut view = TrainingView::new(config.epochs, config.batch_size);
    let result = {
        let mut host = PageHost::new(|event| view.on_event(&event));
        train(&config, &train_set.1, &device, &control, &mut host).await
    };
    with_app(|app| app.control = None);
    set_training_controls(false);

    match result {
        Ok(trained) => {
            let model = Rc::new(trained.model);
            with_app(|app| {
                app.model = Some(model.clone());
                app.predictions = None;
            });
            match evaluate_in_slices(
                &model,
                &train_set.1,
                &trained.split.validation,
                config.loss,
                &device,
            )
            .await
            {
                Ok(Some(validation)) => {
                    let test_accuracy = predict_test_set().await;
                    results::show(&validation, test_accuracy);
                }
                Ok(None) => {
                    predict_test_set().await;
                }
                Err(message) => dom::show_error(&message),
            }
            release("done");
        }
        Err(error) => {
            dom::show_error(&format!("Training stopped: {error}"));
            release("error");
        }
    }
}

fn set_training_controls(training: bool) {
    dom::set_disabled("train-button", training);
    dom::set_disabled("pause-button", !training);
    dom::set_disabled("stop-button", !training);
    dom::set_text("pause-button", "Pause");
}

/// Validation results, a slice of images at a time so the page stays responsive.
async fn evaluate_in_slices(
    model: &Network,
    data: &Dataset,
    indices: &[usize],
    loss: LossKind,
    device: &Device,
) -> Result<Option<Evaluation>, String> {
    let mut total: Option<Evaluation> = None;
    for chunk in indices.chunks(SLICE_IMAGES) {
        let part = evaluate(model, data, chunk, 256, loss, device)
            .await
            .map_err(|e| e.to_string())?;
        total = Some(match total {
            Some(sum) => sum.merge(part),
            None => part,
        });
        js::yield_now().await;
    }
    Ok(total)
}

/// Predicts the loaded test set with the current model (if both exist); returns the test
/// accuracy when the test set has labels.
async fn predict_test_set() -> Option<f32> {
    let (model, test, device) =
        with_app(|app| (app.model.clone(), app.test.clone(), app.device.clone()));
    let (model, test, device) = (model?, test?, device?);
    dom::set_text("predictions-status", "predicting the test set…");
    let mut predictions = Vec::with_capacity(test.1.len());
    let indices: Vec<usize> = (0..test.1.len()).collect();
    for chunk in indices.chunks(SLICE_IMAGES) {
        match predict(&model, &test.1.select(chunk), 256, &device).await {
            Ok(part) => predictions.extend(part),
            Err(error) => {
                dom::show_error(&format!("Predicting {} failed: {error}", test.0));
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
    dom::set_text(
        "predictions-status",
        &format!("{} predictions for {} ready.", predictions.len(), test.0),
    );
    with_app(|app| app.predictions = Some(predictions));
    dom::set_disabled("download-predictions", false);
    accuracy
}

fn download_predictions() {
    let Some(predictions) = with_app(|app| app.predictions.clone()) else {
        dom::show_error("Train a model and load a test set (test.csv) to get predictions.");
        return;
    };
    let name = format!("fashion_mnist_pred_team{}.csv", settings::team());
    let csv = predictions_csv(&predictions, PredictionsLayout::Label);
    if let Err(e) = js::download(&name, &csv, "text/csv") {
        dom::show_error(&format!("The download failed: {e:?}"));
    }
}
