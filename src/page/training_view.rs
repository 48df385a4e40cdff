//! Live feedback while training: progress bar, speed and ETA, the loss and accuracy charts,
//! and the `metrics` element's attributes.

use crate::page::chart_canvas::ChartCanvas;
use plotters::prelude::*;

use atelier_core::plot::{draw_accuracy_chart, draw_loss_chart};
use atelier_core::train::{EpochMetrics, History, TrainEvent};

use super::dom;
use atelier_browser::js;

/// What the view remembers of the run it shows.
#[derive(Default)]
pub struct TrainingView {
    pub history: History,
    planned_epochs: usize,
    batches_per_epoch: usize,
    train_images: usize,
    batch_size: usize,
    started_ms: f64,
    /// From the click to the first batch's loss, once it came.
    first_batch_ms: Option<f64>,
    /// The run trains on WebGPU (its first batches compile and tune kernels).
    on_gpu: bool,
    last_chart_ms: f64,
    /// It follows a run as it goes (not a finished run's history).
    live: bool,
    /// Its run reported its end.
    finished: bool,
}

/// Redraw the loss chart at most this often while batches stream in.
const CHART_EVERY_MS: f64 = 250.0;

impl TrainingView {
    pub fn new(planned_epochs: usize, batch_size: usize, on_gpu: bool) -> Self {
        dom::set_attr("progress", "value", "0");
        dom::set_attr("progress", "max", "1");
        for name in [
            "data-first-batch-ms",
            "data-epoch",
            "data-train-loss",
            "data-val-loss",
            "data-val-accuracy",
        ] {
            dom::set_attr("metrics", name, "");
        }
        dom::set_text("metrics", "");
        let mut view = Self {
            planned_epochs,
            batch_size,
            started_ms: js::now(),
            on_gpu,
            live: true,
            ..Self::default()
        };
        view.show_waiting();
        view.draw_charts();
        view
    }

    /// When the run started (the click), which names it.
    pub fn started_ms(&self) -> f64 {
        self.started_ms
    }

    /// While the run `started_ms` waits for its first batch, says so with the seconds waited;
    /// false once it is not waiting (or another run is shown).
    pub fn tick_waiting(&self, started_ms: f64) -> bool {
        let waiting = self.started_ms == started_ms
            && self.live
            && !self.finished
            && self.first_batch_ms.is_none();
        if waiting {
            self.show_waiting();
        }
        waiting
    }

    fn show_waiting(&self) {
        let seconds = ((js::now() - self.started_ms) / 1000.0).floor();
        dom::set_text(
            "speed",
            &if self.on_gpu {
                format!(
                    "preparing GPU kernels: the first batch compiles them, the next ones tune them… {seconds:.0} s"
                )
            } else {
                format!("starting… {seconds:.0} s")
            },
        );
    }

    pub fn on_event(&mut self, event: &TrainEvent) {
        self.history.record(event);
        match event {
            TrainEvent::Started {
                train_images,
                batches_per_epoch,
                ..
            } => {
                self.batches_per_epoch = *batches_per_epoch;
                self.train_images = *train_images;
                dom::set_attr(
                    "progress",
                    "max",
                    &(self.planned_epochs * batches_per_epoch).to_string(),
                );
            }
            TrainEvent::Batch(progress) => {
                if self.first_batch_ms.is_none() {
                    let waited = js::now() - self.started_ms;
                    self.first_batch_ms = Some(waited);
                    dom::set_attr("metrics", "data-first-batch-ms", &format!("{waited:.0}"));
                }
                let done = (progress.epoch - 1) * self.batches_per_epoch + progress.batch;
                dom::set_attr("progress", "value", &done.to_string());
                let remaining_batches = self.planned_epochs * self.batches_per_epoch - done;
                let seconds_left = remaining_batches as f64 * self.batch_size as f64
                    / progress.images_per_second.max(1e-9);
                // While kernels wait for their tuning, batches run slower than they will.
                let tuning = match progress.kernels_to_tune {
                    0 => String::new(),
                    n => format!(", tuning GPU kernels ({n} to go)"),
                };
                dom::set_text(
                    "speed",
                    &format!(
                        "epoch {}/{}, batch {}/{}: {:.0} images/s, about {} left{tuning}",
                        progress.epoch,
                        self.planned_epochs,
                        progress.batch,
                        progress.batches,
                        progress.images_per_second,
                        duration(seconds_left)
                    ),
                );
                if js::now() - self.last_chart_ms >= CHART_EVERY_MS {
                    self.draw_charts();
                }
            }
            TrainEvent::Epoch(metrics) => {
                show_epoch(metrics);
                self.draw_charts();
            }
            TrainEvent::Finished {
                stopped,
                epochs,
                best_epoch,
            } => {
                self.finished = true;
                self.draw_charts();
                let seconds = (js::now() - self.started_ms) / 1000.0;
                let how = match best_epoch {
                    Some(best) if *epochs < self.planned_epochs && !*stopped => format!(
                        "Stopped early (no better validation loss for a while) after {epochs} epochs, keeping epoch {best}'s model,"
                    ),
                    Some(best) => {
                        format!("Finished, keeping epoch {best}'s model (lowest validation loss),")
                    }
                    None if *stopped => "Stopped".into(),
                    None => "Finished".into(),
                };
                dom::set_text("speed", &format!("{how} after {}.", duration(seconds)));
            }
            TrainEvent::Error { .. } => {}
        }
    }

    /// True when the run it follows started and never reported its end (the engine died, or its
    /// device failed, under it).
    pub fn is_cut_off(&self) -> bool {
        self.live && !self.finished
    }

    /// An interrupted run going on after the epochs of `history`: their points stay on the
    /// charts, the new ones follow.
    pub fn resumed(
        history: &History,
        planned_epochs: usize,
        batch_size: usize,
        on_gpu: bool,
    ) -> Self {
        let mut view = Self::new(planned_epochs, batch_size, on_gpu);
        view.history = history.clone();
        if let Some(last) = history.epochs.last() {
            show_epoch(last);
        }
        view.draw_charts();
        view
    }

    /// A finished run's charts and last metrics: the active model's history (after a reload,
    /// or a model file loaded).
    pub fn from_history(history: &History, planned_epochs: usize) -> Self {
        let mut view = Self {
            history: history.clone(),
            planned_epochs: planned_epochs.max(history.epochs.len()),
            ..Self::default()
        };
        if let Some(last) = history.epochs.last() {
            show_epoch(last);
        }
        view.draw_charts();
        view
    }

    pub fn draw_charts(&mut self) {
        self.last_chart_ms = js::now();
        dom::set_attr(
            "loss-chart",
            "data-epochs",
            &self.history.epochs.len().to_string(),
        );
        let theme = dom::chart_theme();
        if let Some(backend) = ChartCanvas::new(dom::canvas("loss-chart")) {
            let _ = draw_loss_chart(
                &backend.into_drawing_area(),
                &self.history,
                self.planned_epochs,
                theme,
            );
        }
        if let Some(backend) = ChartCanvas::new(dom::canvas("accuracy-chart")) {
            let _ = draw_accuracy_chart(
                &backend.into_drawing_area(),
                &self.history,
                self.planned_epochs,
                theme,
            );
        }
        dom::describe("loss-chart", &describe_losses(&self.history));
        dom::describe("accuracy-chart", &describe_accuracies(&self.history));
    }
}

/// The charts before any run: what will appear on them.
pub fn show_empty() {
    dom::placeholder(
        "loss-chart",
        "Training and validation loss appear here when training starts.",
    );
    dom::placeholder(
        "accuracy-chart",
        "Validation accuracy appears here after each epoch.",
    );
}

/// The loss chart in words: each epoch's training and validation loss.
fn describe_losses(history: &History) -> String {
    if history.epochs.is_empty() {
        return match history.batch_losses.last() {
            Some((at, loss)) => format!(
                "Loss chart: training loss {loss:.4} at {at:.2} epochs; the first epoch is not finished."
            ),
            None => "Loss chart: training and validation loss appear here as training goes.".into(),
        };
    }
    let validated = history.epochs.iter().any(|m| m.val_loss.is_some());
    let epochs: Vec<String> = history
        .epochs
        .iter()
        .map(|m| match (validated, m.val_loss) {
            (true, Some(v)) => format!(
                "epoch {}: training {:.4}, validation {v:.4}",
                m.epoch, m.train_loss
            ),
            _ => format!("epoch {}: training {:.4}", m.epoch, m.train_loss),
        })
        .collect();
    let what = if validated {
        "Training and validation loss"
    } else {
        "Training loss (no validation set)"
    };
    format!("{what} by epoch. {}.", epochs.join("; "))
}

/// The accuracy chart in words: each epoch's validation accuracy.
fn describe_accuracies(history: &History) -> String {
    let epochs: Vec<String> = history
        .epochs
        .iter()
        .filter_map(|m| {
            m.val_accuracy
                .map(|a| format!("epoch {}: {:.2}%", m.epoch, a * 100.0))
        })
        .collect();
    if epochs.is_empty() {
        "Validation accuracy chart: each epoch's validation accuracy appears here.".into()
    } else {
        format!("Validation accuracy by epoch. {}.", epochs.join("; "))
    }
}

/// The `metrics` element: attributes for tests and scripts, a sentence for people.
fn show_epoch(metrics: &EpochMetrics) {
    let plain = |v: Option<f32>| v.map_or(String::new(), |v| v.to_string());
    dom::set_attr("metrics", "data-epoch", &metrics.epoch.to_string());
    dom::set_attr(
        "metrics",
        "data-train-loss",
        &metrics.train_loss.to_string(),
    );
    dom::set_attr("metrics", "data-val-loss", &plain(metrics.val_loss));
    dom::set_attr("metrics", "data-val-accuracy", &plain(metrics.val_accuracy));
    dom::set_text(
        "metrics",
        &format!(
            "After epoch {}: training loss {:.4}, validation loss {}, validation accuracy {}, {:.0} images/s.",
            metrics.epoch,
            metrics.train_loss,
            metrics.val_loss.map_or("-".into(), |v| format!("{v:.4}")),
            metrics
                .val_accuracy
                .map_or("-".into(), |v| format!("{:.2}%", v * 100.0)),
            metrics.images_per_second
        ),
    );
}

fn duration(seconds: f64) -> String {
    let seconds = seconds.max(0.0).round() as u64;
    if seconds >= 60 {
        format!("{}m {:02}s", seconds / 60, seconds % 60)
    } else {
        format!("{seconds}s")
    }
}
