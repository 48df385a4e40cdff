//! What the user's clicks and drops ask for: loading files or the sample, training, a grid
//! search, pause and stop, the predictions download, a drawing to classify.

use wasm_bindgen::JsValue;
use web_sys::File;

use atelier_browser::protocol::Request;
use atelier_core::eval::{PredictionsLayout, predictions_csv};
use atelier_core::runs::RUNS_EXTENSION;
use atelier_core::train::NO_TRAINING_SET;

use super::app::{LoadSource, claim, failed, send, set_phase, with_page};
use super::phase::{Job, Phase};
use super::training_view::TrainingView;
use super::{browser, dom, draw_pad, mistakes, runs, settings, tuning};

/// Sends a 28x28 image from the drawing pad to the engine.
pub fn classify(pixels: Vec<u8>) {
    send(&Request::Classify { pixels }, &[]);
}

/// Files from a drop or the picker: photos go to the drawing pad, runs files to the Runs
/// panel, the rest to the engine.
pub async fn load_files(files: Vec<File>) {
    let (runs_files, files): (Vec<File>, Vec<File>) = files
        .into_iter()
        .partition(|f| f.name().ends_with(&format!(".{RUNS_EXTENSION}")));
    for file in runs_files {
        runs::import(file).await;
    }
    let (photos, files): (Vec<File>, Vec<File>) = files
        .into_iter()
        .partition(|f| f.type_().starts_with("image/"));
    for photo in photos {
        match draw_pad::show_photo(photo, classify).await {
            Ok(()) => dom::clear_error(),
            Err(message) => dom::show_error(&message),
        }
    }
    if files.is_empty() || !claim("loading", Phase::Loading) {
        return;
    }
    send_files(files);
}

/// The engine reads the files itself, a slice at a time: a 133 MB CSV is never held whole in
/// the page as well. The page keeps the handles, for a new engine to read them again.
fn send_files(files: Vec<File>) {
    with_page(|p| p.pending_load = Some(LoadSource::Files(files.clone())));
    let names = files.iter().map(File::name).collect();
    let contents: Vec<JsValue> = files.into_iter().map(JsValue::from).collect();
    send(&Request::Load { names }, &contents);
}

/// Gives a new engine the next of the loads the dead one had read, if any is left.
pub async fn reload_next() {
    let Some(source) = with_page(|p| (!p.replay.is_empty()).then(|| p.replay.remove(0))) else {
        return;
    };
    match source {
        LoadSource::Files(files) => {
            if claim("reading the files again", Phase::Loading) {
                send_files(files);
            }
        }
        LoadSource::Sample => load_sample().await,
    }
}

/// The sample the page ships (real Fashion-MNIST images, as IDX files).
pub async fn load_sample() {
    if !claim("loading the sample", Phase::Loading) {
        return;
    }
    with_page(|p| p.pending_load = Some(LoadSource::Sample));
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

pub fn train() {
    let config = match settings::read() {
        Ok(config) => config,
        Err(message) => return dom::show_error(&message),
    };
    if !begin_run("training", Job::Train) {
        return;
    }
    show_run(TrainingView::new(
        config.epochs,
        config.batch_size,
        with_page(|p| p.on_gpu),
    ));
    send(
        &Request::Train {
            config: Box::new(config),
        },
        &[],
    );
}

/// Goes on with the active model's interrupted run, with its own settings.
pub fn continue_training() {
    let Some(run) = with_page(|p| p.resumable.clone()) else {
        return dom::show_error("There is no interrupted run to continue: Train starts a new one.");
    };
    if !begin_run("training", Job::Train) {
        return;
    }
    show_run(TrainingView::resumed(
        &run.history,
        run.planned_epochs,
        run.batch_size,
        with_page(|p| p.on_gpu),
    ));
    send(&Request::ContinueTraining, &[]);
}

/// The charts follow a new run; what the last model found is cleared.
fn show_run(view: TrainingView) {
    mistakes::clear();
    // Until the first batch comes, the wait is counted on the page.
    let started = view.started_ms();
    wasm_bindgen_futures::spawn_local(async move {
        loop {
            atelier_browser::js::sleep(1000).await;
            let waiting = with_page(|p| p.view.as_ref().is_some_and(|v| v.tick_waiting(started)));
            if !waiting {
                break;
            }
        }
    });
    with_page(|p| {
        p.view = Some(view);
        p.trained = false;
        p.predictions = None;
    });
    dom::set_disabled("download-predictions", true);
}

pub fn grid_search() {
    let (config, grid) = match settings::read().and_then(|c| Ok((c, tuning::read()?))) {
        Ok(both) => both,
        Err(message) => return dom::show_error(&message),
    };
    if !begin_run("the grid search", Job::Grid) {
        return;
    }
    tuning::clear();
    send(
        &Request::GridSearch {
            config: Box::new(config),
            grid,
        },
        &[],
    );
}

/// Claims the page for a training run or a grid search: false, with the reason shown, when
/// there is no training set or other work runs.
fn begin_run(what: &str, job: Job) -> bool {
    if !with_page(|p| p.has_train) {
        dom::show_error(NO_TRAINING_SET);
        return false;
    }
    if !claim(what, Phase::Running { job, paused: false }) {
        return false;
    }
    dom::clear_error();
    true
}

pub fn toggle_pause() {
    let Phase::Running { job, paused } = with_page(|p| p.phase) else {
        return;
    };
    send(
        if paused {
            &Request::Resume
        } else {
            &Request::Pause
        },
        &[],
    );
    set_phase(Phase::Running {
        job,
        paused: !paused,
    });
}

pub fn stop() {
    send(&Request::Stop, &[]);
}

/// Test-time augmentation on or off: the engine predicts the test set again.
pub fn mirror_predictions(on: bool) {
    send(&Request::MirrorPredictions { on }, &[]);
}

pub fn save_model() {
    send(&Request::SaveModel, &[]);
}

pub fn download_predictions() {
    let Some(predictions) = with_page(|p| p.predictions.clone()) else {
        return dom::show_error("Train a model and load a test set (test.csv) to get predictions.");
    };
    let name = format!("fashion_mnist_pred_team{}.csv", settings::team());
    let csv = predictions_csv(&predictions, PredictionsLayout::Label);
    if let Err(e) = browser::download(&name, &csv, "text/csv") {
        dom::show_error(&format!("The download failed: {e:?}"));
    }
}
