//! The page's state and its wiring: files and settings go to the engine worker, its replies
//! update the page.

use std::cell::RefCell;

use js_sys::{Array, ArrayBuffer, Object, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::spawn_local;
use web_sys::{DragEvent, File, FileList, HtmlInputElement, MessageEvent, Worker};

use crate::eval::{PredictionsLayout, predictions_csv};

use super::super::protocol::{ModelInfo, ModelSource, Reply, Request};
use super::training_view::TrainingView;
use super::{
    augment_preview, browser, dom, draw_pad, layer_editor, mistakes, overview, results, settings,
    tuning,
};

/// What the page remembers between the engine's replies.
#[derive(Default)]
struct Page {
    worker: Option<Worker>,
    /// Loading or training: one long task at a time.
    busy: bool,
    /// The engine has a backend.
    ready: bool,
    /// Training or a grid search runs.
    running: bool,
    /// A grid search runs (its training events are progress, not the charts').
    grid: bool,
    /// The layer editor's stack can be built.
    layers_valid: bool,
    has_train: bool,
    trained: bool,
    view: Option<TrainingView>,
    predictions: Option<Vec<u8>>,
}

thread_local! {
    static PAGE: RefCell<Page> = RefCell::new(Page::default());
}

fn with_page<T>(f: impl FnOnce(&mut Page) -> T) -> T {
    PAGE.with(|page| f(&mut page.borrow_mut()))
}

pub fn start() {
    wire_events();
    draw_pad::start(classify);
    layer_editor::start(on_layers_validity);
    mistakes::start();
    augment_preview::start();
    dom::set_disabled("save-model", true);
    dom::set_state("idle");
    update_buttons();
    dom::set_text("backend", "…");
    let force_cpu = browser::query_param("backend").as_deref() == Some("cpu");
    // worker.js reads the same choice to load the smaller CPU-only engine.
    let worker_url = if force_cpu {
        "./worker.js?backend=cpu"
    } else {
        "./worker.js"
    };
    match Worker::new(worker_url) {
        Ok(worker) => {
            let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|event: MessageEvent| {
                // A reply is JSON text, or {json, buffer} when bytes come with it.
                let data = event.data();
                let (json, buffer) = match data.as_string() {
                    Some(json) => (Some(json), None),
                    None => (
                        Reflect::get(&data, &"json".into())
                            .ok()
                            .and_then(|j| j.as_string()),
                        Reflect::get(&data, &"buffer".into())
                            .ok()
                            .and_then(|b| b.dyn_into::<ArrayBuffer>().ok()),
                    ),
                };
                match json.map(|json| serde_json::from_str::<Reply>(&json)) {
                    Some(Ok(reply)) => on_reply(reply, buffer),
                    _ => web_sys::console::error_1(&"unreadable reply from the engine".into()),
                }
            });
            worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            on_message.forget();
            let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(|event: web_sys::Event| {
                let message = Reflect::get(&event, &"message".into())
                    .ok()
                    .and_then(|m| m.as_string())
                    .unwrap_or_else(|| "unknown error".into());
                failed(&format!("The engine stopped: {message}"));
            });
            worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
            on_error.forget();
            with_page(|p| p.worker = Some(worker));
            send(&Request::Init { force_cpu }, &[]);
        }
        Err(e) => failed(&format!("The engine could not start: {e:?}")),
    }
}

/// Posts a request to the engine, with file contents: `File`s (cloned as handles, no bytes
/// copied: the engine reads them) or `ArrayBuffer`s (transferred).
fn send(request: &Request, contents: &[JsValue]) {
    let Some(worker) = with_page(|p| p.worker.clone()) else {
        return;
    };
    let message = Object::new();
    let json = serde_json::to_string(request).unwrap_or_default();
    let list = Array::new();
    let transfer = Array::new();
    for content in contents {
        list.push(content);
        if content.is_instance_of::<ArrayBuffer>() {
            transfer.push(content);
        }
    }
    let _ = Reflect::set(&message, &"json".into(), &json.into());
    let _ = Reflect::set(&message, &"contents".into(), &list);
    if let Err(e) = worker.post_message_with_transfer(&message, &transfer) {
        failed(&format!("Could not reach the engine: {e:?}"));
    }
}

fn failed(message: &str) {
    dom::show_error(message);
    with_page(|p| {
        p.busy = false;
        p.grid = false;
    });
    set_training_controls(false);
    dom::set_state("error");
}

fn on_reply(reply: Reply, buffer: Option<ArrayBuffer>) {
    match reply {
        Reply::Ready {
            backend,
            adapter,
            notice,
        } => {
            dom::set_text("backend", &backend);
            dom::set_text("adapter", &adapter);
            if let Some(notice) = notice {
                dom::set_text("backend-notice", &notice);
                dom::set_hidden("backend-notice", false);
            }
            with_page(|p| p.ready = true);
            update_buttons();
        }
        Reply::Progress { done, total, text } => {
            dom::set_hidden("load-progress", false);
            dom::set_attr("load-progress", "max", &total.max(1).to_string());
            dom::set_attr("load-progress", "value", &done.to_string());
            dom::set_text(
                "load-status",
                &format!(
                    "{text}: {:.0} of {:.0} MB",
                    done as f64 / 1e6,
                    total as f64 / 1e6
                ),
            );
        }
        Reply::Loaded { train, test } => {
            dom::clear_error();
            loading_done();
            overview::show(train.as_deref(), test.as_deref());
            if let Some(train) = &train {
                augment_preview::set_samples(
                    train.samples.iter().map(|s| s.pixels.clone()).collect(),
                );
            }
            with_page(|p| {
                p.has_train |= train.is_some();
                if test.is_some() {
                    p.predictions = None;
                }
            });
            if test.is_some() {
                dom::set_disabled("download-predictions", true);
                dom::set_text("predictions-status", "");
            }
            let trained = with_page(|p| {
                p.busy = false;
                p.trained
            });
            dom::set_state(if trained { "done" } else { "idle" });
        }
        Reply::LoadFailed { message } => {
            loading_done();
            failed(&message);
        }
        Reply::Training { event } => {
            if let crate::train::TrainEvent::Error { message } = &event {
                failed(&format!("Training stopped: {message}"));
            }
            if with_page(|p| p.grid) {
                if let crate::train::TrainEvent::Batch(progress) = &event {
                    tuning::progress(progress);
                }
                return;
            }
            with_page(|p| {
                if let Some(view) = p.view.as_mut() {
                    view.on_event(&event);
                }
            });
        }
        Reply::Trained { validation } => {
            set_training_controls(false);
            if let Some(validation) = &validation {
                results::show(validation);
            }
            with_page(|p| {
                p.busy = false;
                p.trained = true;
            });
            dom::set_state("done");
        }
        Reply::Predictions {
            test_name,
            predictions,
            accuracy,
        } => {
            dom::set_text(
                "predictions-status",
                &format!(
                    "{} predictions for {test_name} ready{}.",
                    predictions.len(),
                    accuracy.map_or(String::new(), |a| format!(
                        " (its labels say {:.2}% are right)",
                        a * 100.0
                    ))
                ),
            );
            with_page(|p| p.predictions = Some(predictions));
            dom::set_disabled("download-predictions", false);
        }
        Reply::Failed { message } => failed(&message),
        Reply::ModelReady { info } => show_model(&info),
        Reply::Trial {
            trial,
            number,
            total,
        } => tuning::trial_done(&trial, number, total),
        Reply::GridDone { stopped, .. } => {
            let trained = with_page(|p| {
                p.grid = false;
                p.busy = false;
                p.trained
            });
            set_training_controls(false);
            tuning::finished(stopped);
            dom::set_state(if trained { "done" } else { "idle" });
        }
        Reply::Mistakes { mistakes: list } => mistakes::set(list),
        Reply::Classified { probabilities } => draw_pad::on_classified(probabilities, classify),
        Reply::ModelFile { name } => match buffer {
            Some(buffer) => {
                let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
                if let Err(e) = browser::download_bytes(&name, &bytes, "application/octet-stream") {
                    dom::show_error(&format!("The download failed: {e:?}"));
                }
            }
            None => dom::show_error("The engine sent a model file without its bytes."),
        },
    }
}

/// Sends a 28x28 image from the drawing pad to the engine.
fn classify(pixels: Vec<u8>) {
    send(&Request::Classify { pixels }, &[]);
}

/// The active model: its name and accuracy, its settings in the form, its history in the charts.
fn show_model(info: &ModelInfo) {
    let accuracy = match (info.test_accuracy, info.history.epochs.last()) {
        (Some(test), _) => format!(" (test accuracy {:.2}%)", test * 100.0),
        (None, Some(last)) => last.val_accuracy.map_or(String::new(), |v| {
            format!(" (validation accuracy {:.2}%)", v * 100.0)
        }),
        (None, None) => String::new(),
    };
    dom::set_text("active-model", &format!("{}{accuracy}", info.label));
    dom::set_attr("active-model", "data-source", info.source.as_str());
    dom::set_disabled("save-model", false);
    // The user's own model brings its settings back into the form; the shipped one leaves the
    // form as the user set it. A model trained here already has its charts on screen.
    if matches!(info.source, ModelSource::File | ModelSource::Restored) {
        settings::apply(&info.settings);
    }
    // Predictions of an earlier model are stale; the engine sends the new model's next.
    if info.source != ModelSource::Trained {
        with_page(|p| p.predictions = None);
        dom::set_disabled("download-predictions", true);
    }
    let state = dom::element("status").get_attribute("data-state");
    let training = matches!(state.as_deref(), Some("training" | "paused"));
    if info.source != ModelSource::Trained && !training {
        let (history, epochs) = (info.history.clone(), info.settings.epochs);
        // Charts in a task of their own; a run started meanwhile keeps its own view.
        dom::later(move || {
            if with_page(|p| p.running) {
                return;
            }
            let view = TrainingView::from_history(&history, epochs);
            with_page(|p| p.view = Some(view));
        });
    }
    draw_pad::reclassify(classify);
}

fn loading_done() {
    dom::set_hidden("load-progress", true);
    dom::set_text("load-status", "");
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
    dom::on("train-button", "click", |_| train_now());
    dom::on("grid-button", "click", |_| grid_now());
    dom::on("use-best", "click", |_| tuning::use_best());
    dom::on("pause-button", "click", |_| toggle_pause());
    dom::on("stop-button", "click", |_| send(&Request::Stop, &[]));
    dom::on("download-predictions", "click", |_| download_predictions());
    dom::on("save-model", "click", |_| send(&Request::SaveModel, &[]));
    for event in ["dragenter", "dragover"] {
        dom::on("draw-pad", event, |e| e.prevent_default());
    }
    dom::on("draw-pad", "drop", |e| {
        e.prevent_default();
        let files = e
            .dyn_ref::<DragEvent>()
            .and_then(|d| d.data_transfer())
            .and_then(|t| t.files());
        if let Some(files) = files {
            spawn_local(load_files(file_vec(&files)));
        }
    });
}

fn file_vec(list: &FileList) -> Vec<File> {
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

/// Claims the page for a long task; false (with a message) when another one runs.
fn claim(what: &str) -> bool {
    with_page(|p| {
        if p.busy {
            dom::show_error(&format!(
                "Please wait: {what} can start once the current work ends."
            ));
            false
        } else {
            p.busy = true;
            true
        }
    })
}

async fn load_files(files: Vec<File>) {
    // Photos go to the drawing pad; everything else to the engine.
    let (photos, files): (Vec<File>, Vec<File>) = files
        .into_iter()
        .partition(|f| f.type_().starts_with("image/"));
    for photo in photos {
        match draw_pad::show_photo(photo, classify).await {
            Ok(()) => dom::clear_error(),
            Err(message) => dom::show_error(&message),
        }
    }
    if files.is_empty() || !claim("loading") {
        return;
    }
    dom::set_state("loading");
    // The engine reads the files itself, a slice at a time: a 133 MB CSV is never held whole
    // in the page as well.
    let names = files.iter().map(File::name).collect();
    let contents: Vec<JsValue> = files.into_iter().map(JsValue::from).collect();
    send(&Request::Load { names }, &contents);
}

async fn load_sample() {
    if !claim("loading the sample") {
        return;
    }
    dom::set_state("loading");
    let mut names = Vec::new();
    let mut buffers: Vec<JsValue> = Vec::new();
    for name in [
        "train-images-idx3-ubyte.gz",
        "train-labels-idx1-ubyte.gz",
        "t10k-images-idx3-ubyte.gz",
        "t10k-labels-idx1-ubyte.gz",
    ] {
        match browser::fetch_buffer(&format!("sample/{name}")).await {
            Ok(buffer) => {
                names.push(format!("sample {name}"));
                buffers.push(buffer.into());
            }
            Err(message) => return failed(&format!("The sample could not be loaded: {message}")),
        }
    }
    send(&Request::Load { names }, &buffers);
}

fn train_now() {
    let config = match settings::read() {
        Ok(config) => config,
        Err(message) => return dom::show_error(&message),
    };
    if !begin_run("training") {
        return;
    }
    mistakes::clear();
    let view = TrainingView::new(config.epochs, config.batch_size);
    with_page(|p| {
        p.view = Some(view);
        p.trained = false;
        p.predictions = None;
    });
    dom::set_disabled("download-predictions", true);
    send(
        &Request::Train {
            config: Box::new(config),
        },
        &[],
    );
}

/// Claims the page for a training run or a grid search: false, with the reason shown, when
/// there is no training set or other work runs.
fn begin_run(what: &str) -> bool {
    if !with_page(|p| p.has_train) {
        dom::show_error("Load a training set first: drop train.csv here, or try the sample.");
        return false;
    }
    if !claim(what) {
        return false;
    }
    dom::clear_error();
    dom::set_state("training");
    set_training_controls(true);
    true
}

/// The layer editor's verdict after each edit.
fn on_layers_validity(valid: bool) {
    with_page(|p| p.layers_valid = valid);
    update_buttons();
}

/// Train and grid search need a backend, a buildable stack, and nothing else running.
fn update_buttons() {
    let disabled = with_page(|p| !p.ready || p.running || !p.layers_valid);
    dom::set_disabled("train-button", disabled);
    dom::set_disabled("grid-button", disabled);
}

fn grid_now() {
    let (config, grid) = match settings::read().and_then(|c| Ok((c, tuning::read()?))) {
        Ok(both) => both,
        Err(message) => return dom::show_error(&message),
    };
    let total = match grid.trials(&config) {
        Ok(trials) => trials.len(),
        Err(error) => return dom::show_error(&format!("Grid search: {error}")),
    };
    if !begin_run("the grid search") {
        return;
    }
    with_page(|p| p.grid = true);
    tuning::started(total);
    send(
        &Request::GridSearch {
            config: Box::new(config),
            grid,
        },
        &[],
    );
}

fn set_training_controls(training: bool) {
    with_page(|p| p.running = training);
    update_buttons();
    dom::set_disabled("pause-button", !training);
    dom::set_disabled("stop-button", !training);
    dom::set_text("pause-button", "Pause");
}

fn toggle_pause() {
    if dom::element("status")
        .get_attribute("data-state")
        .as_deref()
        == Some("paused")
    {
        send(&Request::Resume, &[]);
        dom::set_text("pause-button", "Pause");
        dom::set_state("training");
    } else {
        send(&Request::Pause, &[]);
        dom::set_text("pause-button", "Resume");
        dom::set_state("paused");
    }
}

fn download_predictions() {
    let Some(predictions) = with_page(|p| p.predictions.clone()) else {
        return dom::show_error("Train a model and load a test set (test.csv) to get predictions.");
    };
    let name = format!("fashion_mnist_pred_team{}.csv", settings::team());
    let csv = predictions_csv(&predictions, PredictionsLayout::Label);
    if let Err(e) = browser::download(&name, &csv, "text/csv") {
        dom::show_error(&format!("The download failed: {e:?}"));
    }
}
