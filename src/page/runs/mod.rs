//! The Runs panel: every kept run in a table (sortable; a name and a note to edit), the ticked
//! runs compared ([`compare`]), restore and delete, export and import ([`transfer`]), and what
//! the runs take of the browser's storage. The runs are read from the browser's storage
//! (`www/runs.js`), which every tab's engine writes; any write anywhere redraws the panel.

mod compare;
mod table;
mod transfer;

pub use transfer::import;

use std::cell::RefCell;

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use web_sys::HtmlInputElement;

use atelier_browser::protocol::{EvalSummary, Request};
use atelier_browser::runs_store::{self, StoredRun};
use atelier_core::runs::{RunRecord, RunState, runs_quota};

use super::app::{send, with_page};
use super::training_view::TrainingView;
use super::{dom, results, settings};

/// The order of the table's rows.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
enum Sort {
    /// Newest first.
    #[default]
    Started,
    /// Best validation accuracy first.
    Accuracy,
    /// Lowest validation loss first.
    Loss,
    /// Shortest first.
    Duration,
}

#[derive(Default)]
struct Panel {
    runs: Vec<StoredRun>,
    /// Ticked runs, in the order they were ticked (which gives their colours).
    selected: Vec<String>,
    sort: Sort,
    /// A redraw waits while the user types a name or a note.
    redraw_waiting: bool,
    /// Refreshes begun: only the latest one's reading is shown.
    refreshes: u64,
}

thread_local! {
    static PANEL: RefCell<Panel> = RefCell::new(Panel::default());
}

fn with_panel<T>(f: impl FnOnce(&mut Panel) -> T) -> T {
    PANEL.with(|p| f(&mut p.borrow_mut()))
}

/// Wires the panel and reads the kept runs.
pub fn start() {
    table::wire();
    compare::wire();
    transfer::wire();
    runs_store::on_change(|| spawn_local(refresh()));
    spawn_local(refresh());
}

/// Reads the kept runs again and redraws the panel. A record still marked as running whose run
/// no tab holds was left by a closed or crashed tab: it is settled as failed, with its last
/// epoch, and the runs read again (a page does not hear its own writes).
pub async fn refresh() {
    let ticket = with_panel(|p| {
        p.refreshes += 1;
        p.refreshes
    });
    let mut settled = false;
    let runs = loop {
        let runs = match runs_store::records().await {
            Ok(runs) => runs,
            Err(error) => {
                dom::set_text("storage-meter", &format!("Runs are not kept: {error}."));
                return;
            }
        };
        // The locks are asked for after the records are read: a run's lock is asked for before
        // its first record and let go after its last, so a record read as running whose lock is
        // gone now was either left behind or has ended since (and `settle` leaves its end alone).
        let live = runs_store::live().await;
        let stale: Vec<RunRecord> = runs
            .iter()
            .filter(|r| r.record.state == RunState::Running && !live.contains(&r.record.id))
            .map(|r| r.record.clone())
            .collect();
        if settled || stale.is_empty() {
            break runs;
        }
        for mut record in stale {
            record.fail("the tab was closed or its engine stopped during the run");
            let _ = runs_store::settle(&record).await;
        }
        settled = true;
    };
    // Refreshes overlap (every tab's writes start one): one begun later has read newer records.
    if with_panel(|p| p.refreshes) != ticket {
        return;
    }
    with_panel(|p| {
        p.selected
            .retain(|id| runs.iter().any(|r| &r.record.id == id));
        p.runs = runs;
    });
    show_meter().await;
    redraw();
}

/// Redraws the table and the comparison, unless the user is typing in the table (then at the
/// end of the typing).
fn redraw() {
    let typing = dom::document()
        .active_element()
        .and_then(|e| e.dyn_into::<HtmlInputElement>().ok())
        .is_some_and(|input| {
            input.type_() == "text" && input.closest("#runs-body").ok().flatten().is_some()
        });
    if typing {
        with_panel(|p| p.redraw_waiting = true);
        return;
    }
    with_panel(|p| p.redraw_waiting = false);
    table::draw();
    compare::draw();
}

/// What the runs take, of what the browser allows.
async fn show_meter() {
    let (count, models, used) = with_panel(|p| {
        let models = p
            .runs
            .iter()
            .filter(|r| r.record.kept_model_bytes() > 0)
            .count();
        let used: u64 = p.runs.iter().map(StoredRun::bytes).sum();
        (p.runs.len(), models, used)
    });
    let estimate = runs_store::estimate().await;
    let cap = estimate.capped.then_some(estimate.quota as u64);
    let quota = runs_quota(estimate.usage, estimate.quota, used, cap);
    let s = if count == 1 { "" } else { "s" };
    dom::set_text(
        "storage-meter",
        &format!(
            "{count} run{s} ({models} with their model) take {} of the {} the browser gives them.",
            megabytes(used),
            megabytes(quota)
        ),
    );
    dom::set_attr("storage-meter", "data-used-bytes", &used.to_string());
    dom::set_attr("storage-meter", "data-quota-bytes", &quota.to_string());
    dom::set_attr("storage-meter", "data-runs", &count.to_string());
}

fn megabytes(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 30 => format!("{:.1} GB", b as f64 / (1u64 << 30) as f64),
        b => format!("{:.1} MB", b as f64 / (1u64 << 20) as f64),
    }
}

/// A run's record, by id.
fn record(id: &str) -> Option<RunRecord> {
    with_panel(|p| {
        p.runs
            .iter()
            .find(|r| r.record.id == id)
            .map(|r| r.record.clone())
    })
}

/// Restores a run: its settings into the form and the layer editor, its charts and results,
/// and its model as the active one (when it is kept).
fn restore(id: &str) {
    let Some(record) = record(id) else { return };
    if with_page(|p| p.phase.is_busy()) {
        return dom::show_error("Stop the run under way before restoring another.");
    }
    settings::apply(&record.settings);
    let view = TrainingView::from_history(&record.history, record.settings.epochs);
    with_page(|p| p.view = Some(view));
    if let Some(validation) = &record.validation {
        results::show(&EvalSummary {
            loss: validation.loss,
            accuracy: validation.accuracy,
            confusion: validation.confusion.clone(),
        });
    }
    if record.kept_model_bytes() > 0 {
        send(
            &Request::RestoreRun {
                id: record.id.clone(),
                name: record.name.clone(),
            },
            &[],
        );
        notice(&format!(
            "Restored {}: its settings, curves and model.",
            record.name
        ));
    } else {
        notice(&format!(
            "Restored {}'s settings and curves; its model is not kept (it was dropped to make room, or the run ended without one), so the active model stays.",
            record.name
        ));
    }
}

/// Deletes a run (not one under way).
async fn delete(id: String) {
    let Some(record) = record(&id) else { return };
    if runs_store::live().await.contains(&id) {
        return dom::show_error(&format!("{} is still running: stop it first.", record.name));
    }
    match runs_store::remove(std::slice::from_ref(&id)).await {
        Ok(()) => notice(&format!("Deleted {}.", record.name)),
        Err(error) => dom::show_error(&format!("{} could not be deleted: {error}.", record.name)),
    }
    refresh().await;
}

/// What the engine kept of a run that has just ended: said when the storage rule dropped
/// older models or this run's model was not kept.
pub fn kept(name: &str, model_kept: bool, dropped: &[String], problem: Option<&str>) {
    let mut text = String::new();
    if !dropped.is_empty() {
        text += &format!(
            "Storage is short: to keep {name}'s model, the models of {} older run{} were dropped ({}); their records stay. ",
            dropped.len(),
            if dropped.len() == 1 { "" } else { "s" },
            dropped.join(", ")
        );
    }
    if let Some(problem) = problem {
        text += &format!(
            "{name}: {}{problem}.",
            if model_kept {
                ""
            } else {
                "its model is not kept: "
            }
        );
    }
    if !text.is_empty() {
        notice(text.trim_end());
        dom::set_attr("runs-notice", "data-dropped", &dropped.len().to_string());
    }
    spawn_local(refresh());
}

/// Says something in the panel's notice line.
fn notice(text: &str) {
    dom::set_text("runs-notice", text);
    dom::set_hidden("runs-notice", false);
}
