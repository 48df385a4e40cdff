//! Grid search in the page: the settings to try, a row and a bar per finished trial, and "use
//! best" to copy the winner into the training settings.

use std::cell::RefCell;

use crate::page::chart_canvas::ChartCanvas;
use plotters::prelude::*;

use atelier_core::plot::draw_grid_chart;
use atelier_core::train::{BatchProgress, GridSpec, Trial, best_trial};

use super::{dom, settings};

thread_local! {
    static TRIALS: RefCell<Vec<Trial>> = const { RefCell::new(Vec::new()) };
    /// Trials in this search.
    static TOTAL: RefCell<usize> = const { RefCell::new(0) };
}

const TABLE_HEADER: &str = "<tr><th>learning rate</th><th>batch size</th><th>validation accuracy</th><th>validation loss</th><th>seconds</th></tr>";

fn list<T: std::str::FromStr>(id: &str, what: &str) -> Result<Vec<T>, String> {
    dom::value(id)
        .split([',', ' ', ';'])
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse()
                .map_err(|_| format!("{what}: {s:?} is not a valid number"))
        })
        .collect()
}

/// The grid from the form.
pub fn read() -> Result<GridSpec, String> {
    let grid = GridSpec {
        learning_rates: list("grid-rates", "grid learning rates")?,
        batch_sizes: list("grid-batch-sizes", "grid batch sizes")?,
        subset: dom::value("grid-subset")
            .trim()
            .parse()
            .map_err(|_| "grid training subset: give a number of images".to_string())?,
        epochs: dom::value("grid-epochs")
            .trim()
            .parse()
            .map_err(|_| "grid epochs per trial: give a number".to_string())?,
    };
    if grid.learning_rates.is_empty() {
        return Err("grid learning rates: give at least one, e.g. 0.01, 0.001".into());
    }
    Ok(grid)
}

/// A new search asked for: empty table and chart.
pub fn clear() {
    TRIALS.with(|t| t.borrow_mut().clear());
    TOTAL.with(|t| *t.borrow_mut() = 0);
    dom::set_html("grid-table", TABLE_HEADER);
    dom::set_disabled("use-best", true);
    dom::set_text("grid-status", "starting the grid search…");
    draw();
}

/// The engine starts the search: `total` trials.
pub fn started(total: usize) {
    TOTAL.with(|t| *t.borrow_mut() = total);
    dom::set_text("grid-status", &format!("trial 1 of {total}…"));
}

/// Progress within the trial under way.
pub fn progress(progress: &BatchProgress) {
    let done = TRIALS.with(|t| t.borrow().len());
    let total = TOTAL.with(|t| *t.borrow());
    dom::set_text(
        "grid-status",
        &format!(
            "trial {} of {total}: epoch {}, batch {} of {}, {:.0} images/s",
            done + 1,
            progress.epoch,
            progress.batch,
            progress.batches,
            progress.images_per_second
        ),
    );
}

/// A finished trial (the `number`th): its row and bar.
pub fn trial_done(trial: &Trial, number: usize) {
    let total = TOTAL.with(|t| *t.borrow());
    TRIALS.with(|t| t.borrow_mut().push(trial.clone()));
    let row = format!(
        "<tr data-testid=\"grid-row\" data-learning-rate=\"{}\" data-batch-size=\"{}\" data-val-accuracy=\"{}\" data-val-loss=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.1}</td></tr>",
        trial.learning_rate,
        trial.batch_size,
        trial.val_accuracy,
        trial.val_loss,
        trial.learning_rate,
        trial.batch_size,
        if trial.diverged {
            "diverged".to_string()
        } else {
            format!("{:.2}%", trial.val_accuracy * 100.0)
        },
        if trial.val_loss.is_finite() {
            format!("{:.4}", trial.val_loss)
        } else {
            "-".into()
        },
        trial.seconds
    );
    let _ = dom::element("grid-table").insert_adjacent_html("beforeend", &row);
    if number < total {
        dom::set_text("grid-status", &format!("trial {} of {total}…", number + 1));
    }
    draw();
}

/// The search ended; "use best" is offered when a trial finished.
pub fn finished(stopped: bool) {
    let best = TRIALS.with(|t| best_trial(&t.borrow()).cloned());
    dom::set_text(
        "grid-status",
        &match (&best, stopped) {
            (Some(best), _) => format!(
                "{}best: learning rate {}, batch size {} ({:.2}% validation accuracy).",
                if stopped { "Stopped; " } else { "" },
                best.learning_rate,
                best.batch_size,
                best.val_accuracy * 100.0
            ),
            (None, true) => "Stopped before any trial finished.".into(),
            (None, false) => "No trial finished.".into(),
        },
    );
    dom::set_disabled("use-best", best.is_none());
}

/// Copies the best trial's settings into the training form.
pub fn use_best() {
    if let Some(best) = TRIALS.with(|t| best_trial(&t.borrow()).cloned()) {
        settings::set_value("learning-rate", &best.learning_rate.to_string());
        settings::set_value("batch-size", &best.batch_size.to_string());
    }
}

fn draw() {
    if TRIALS.with(|t| t.borrow().is_empty()) {
        return show_empty();
    }
    if let Some(backend) = ChartCanvas::new(dom::canvas("grid-chart")) {
        TRIALS.with(|t| {
            let _ = draw_grid_chart(
                &backend.into_drawing_area(),
                &t.borrow(),
                dom::chart_theme(),
            );
        });
    }
    let trials: Vec<String> = TRIALS.with(|t| {
        t.borrow()
            .iter()
            .map(|t| {
                format!(
                    "rate {} batch {}: accuracy {:.2}%, loss {:.4}",
                    t.learning_rate,
                    t.batch_size,
                    t.val_accuracy * 100.0,
                    t.val_loss
                )
            })
            .collect()
    });
    dom::describe(
        "grid-chart",
        &format!("Grid search, validation by trial. {}.", trials.join("; ")),
    );
}

/// The grid chart before any search: what will appear on it.
pub fn show_empty() {
    dom::placeholder(
        "grid-chart",
        "Each trial's validation accuracy and loss appear here when a grid search runs.",
    );
}
