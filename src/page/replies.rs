//! What the page does with each reply of the engine.

use atelier_browser::protocol::{ModelInfo, ModelSource, Reply};
use atelier_core::train::{TrainEvent, resumes_at};

use super::actions::{classify, mirror_predictions, reload_next};
use super::app::{
    Resumable, engine_died, failed, gpu_lost, resting_phase, set_phase, update_buttons, with_page,
};
use super::phase::{Job, Phase};
use super::training_view::TrainingView;
use super::{
    augment_preview, browser, dom, draw_pad, kernels, mistakes, overview, results, runs, tuning,
};

pub fn on_reply(reply: Reply, bytes: Option<Vec<u8>>) {
    match reply {
        Reply::Ready {
            backend,
            adapter,
            notice,
            tuning_kept,
            tune_samples,
            tune_paced,
            tune_fallbacks,
            own_kernels,
        } => {
            dom::set_text("backend", &backend);
            dom::set_text("adapter", &adapter);
            dom::set_text(
                "backend-where",
                &if adapter.is_empty() {
                    format!("the {backend}")
                } else {
                    format!("{backend} ({adapter})")
                },
            );
            if let Some(notice) = notice {
                dom::set_text("backend-notice", &notice);
                dom::set_hidden("backend-notice", false);
            }
            kernels::engine_started(
                tuning_kept,
                tune_samples,
                tune_paced,
                tune_fallbacks,
                own_kernels,
            );
            with_page(|p| {
                p.ready = true;
                p.on_gpu = backend == "WebGPU";
                p.starts_without_ready = 0;
            });
            update_buttons();
            // A new engine (or a reloaded page whose browser kept the box ticked) learns the
            // form's choice.
            if dom::typed::<web_sys::HtmlInputElement>("tta").checked() {
                mirror_predictions(true);
            }
            wasm_bindgen_futures::spawn_local(reload_next());
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
            with_page(|p| {
                if let Some(source) = p.pending_load.take() {
                    if train.is_some() && test.is_some() {
                        p.loads.clear();
                    }
                    p.loads.push(source);
                }
            });
            overview::show(train.as_deref(), test.as_deref());
            if let Some(train) = &train {
                augment_preview::set_samples(
                    train.samples.iter().map(|s| s.pixels.clone()).collect(),
                );
            }
            with_page(|p| {
                p.has_train |= train.is_some();
                if let Some(train) = &train {
                    p.train_images = train.count;
                }
                if test.is_some() {
                    p.predictions = None;
                }
            });
            if test.is_some() {
                dom::set_disabled("download-predictions", true);
                dom::set_text("predictions-status", "");
            }
            set_phase(resting_phase());
            if train.is_some() {
                kernels::forget();
            }
            wasm_bindgen_futures::spawn_local(reload_next());
        }
        Reply::LoadFailed { message } => {
            loading_done();
            with_page(|p| p.pending_load = None);
            failed(&message);
            wasm_bindgen_futures::spawn_local(reload_next());
        }
        Reply::Training { event } => {
            if let TrainEvent::Error { message } = &event {
                failed(&format!("Training stopped: {message}"));
            }
            if with_page(|p| p.phase.job()) == Some(Job::Grid) {
                if let TrainEvent::Batch(progress) = &event {
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
            if let Some(validation) = &validation {
                results::show(validation);
            }
            with_page(|p| p.trained = true);
            set_phase(Phase::Done);
        }
        Reply::Predictions {
            test_name,
            predictions,
            accuracy,
            mirrored,
        } => {
            dom::set_attr("predictions-status", "data-mirrored", &mirrored.to_string());
            dom::set_attr(
                "predictions-status",
                "data-accuracy",
                &accuracy.map_or(String::new(), |a| a.to_string()),
            );
            dom::set_text(
                "predictions-status",
                &format!(
                    "{} predictions for {test_name}{} ready{}.",
                    predictions.len(),
                    if mirrored {
                        ", each with its mirror,"
                    } else {
                        ""
                    },
                    accuracy.map_or(String::new(), |a| format!(
                        " (its labels say {:.2}% are right)",
                        a * 100.0
                    ))
                ),
            );
            with_page(|p| p.predictions = Some(predictions));
            dom::set_disabled("download-predictions", false);
        }
        // A side request failed: said, and nothing else changes (a failed classification
        // during training leaves the training running and its controls as they are).
        Reply::Failed { message } => dom::show_error(&message),
        Reply::JobFailed { message } => failed(&message),
        Reply::EngineFailed { message } => engine_died(&message),
        Reply::DeviceLost { message } => gpu_lost(&message),
        Reply::ModelReady { info } => show_model(&info),
        Reply::GridStarted { total } => tuning::started(total),
        Reply::Trial { trial, number } => tuning::trial_done(&trial, number),
        Reply::GridDone { stopped } => {
            tuning::finished(stopped);
            set_phase(resting_phase());
        }
        Reply::Mistakes { mistakes: list } => mistakes::set(list),
        Reply::PreparingKernels => kernels::preparing(),
        Reply::KernelsPrepared { seconds } => kernels::prepared(seconds),
        Reply::Kept { problem } => {
            let text =
                problem.map(|why| format!("This model is not kept for your next visit: {why}."));
            dom::set_text("storage-notice", text.as_deref().unwrap_or(""));
            dom::set_hidden("storage-notice", text.is_none());
        }
        Reply::RunKept {
            name,
            model_kept,
            dropped,
            problem,
        } => runs::kept(&name, model_kept, &dropped, problem.as_deref()),
        Reply::Classified { probabilities } => draw_pad::on_classified(probabilities, classify),
        Reply::ModelFile { name } => match bytes {
            Some(bytes) => {
                if let Err(e) = browser::download_bytes(&name, &bytes, "application/octet-stream") {
                    dom::show_error(&format!("The download failed: {e:?}"));
                }
            }
            None => dom::show_error("The engine sent a model file without its bytes."),
        },
    }
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
    let resumable = resumes_at(&info.settings, &info.history)
        .ok()
        .map(|next_epoch| Resumable {
            history: info.history.clone(),
            next_epoch,
            planned_epochs: info.settings.epochs,
            batch_size: info.settings.batch_size,
        });
    with_page(|p| p.resumable = resumable);
    update_buttons();
    dom::set_attr("active-model", "data-source", info.source.as_str());
    dom::set_disabled("save-model", false);
    // The user's own model brings its settings back into the form; the shipped one leaves the
    // form as the user set it. A model trained here already has its charts on screen.
    if matches!(
        info.source,
        ModelSource::File | ModelSource::Restored | ModelSource::Run
    ) {
        super::settings::apply(&info.settings);
    }
    // Predictions of an earlier model are stale; the engine sends the new model's next.
    if info.source != ModelSource::Trained {
        with_page(|p| p.predictions = None);
        dom::set_disabled("download-predictions", true);
    }
    let running = with_page(|p| p.phase.job().is_some());
    if info.source != ModelSource::Trained && !running {
        let (history, epochs) = (info.history.clone(), info.settings.epochs);
        // Charts in a task of their own; a run started meanwhile keeps its own view.
        dom::later(move || {
            if with_page(|p| p.phase.job().is_some()) {
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
