//! The runs table: one row per run, newest first or as sorted; a tick to compare, the name and
//! note to edit, restore and delete.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use web_sys::{Element, HtmlInputElement};

use atelier_browser::runs_store;
use atelier_core::plot::run_color;
use atelier_core::runs::{RunKind, RunRecord};

use super::{Sort, delete, redraw, refresh, restore, with_panel};
use crate::page::dom;

pub fn wire() {
    dom::on("runs-body", "change", |event| {
        let Some(input) = event
            .target()
            .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(id) = row_id(&input) else { return };
        match input.get_attribute("data-testid").as_deref() {
            Some("run-select") => {
                with_panel(|p| {
                    p.selected.retain(|s| *s != id);
                    if input.checked() {
                        p.selected.push(id);
                    }
                });
                redraw();
            }
            Some("run-name" | "run-note") => spawn_local(rename(id, input)),
            _ => {}
        }
    });
    dom::on("runs-body", "click", |event| {
        let Some(button) = event
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .and_then(|e| e.closest("button").ok().flatten())
        else {
            return;
        };
        let Some(id) = row_id(&button) else { return };
        match button.get_attribute("data-testid").as_deref() {
            Some("run-restore") => restore(&id),
            Some("run-delete") => spawn_local(delete(id)),
            _ => {}
        }
    });
    // A redraw that waited for the typing to end.
    dom::on("runs-body", "focusout", |_| {
        if with_panel(|p| p.redraw_waiting) {
            dom::later(redraw);
        }
    });
    dom::on("runs-table", "click", |event| {
        let sort = event
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .and_then(|e| e.closest("button[data-sort]").ok().flatten())
            .and_then(|b| b.get_attribute("data-sort"));
        let Some(sort) = Sort::ALL
            .into_iter()
            .find(|s| Some(s.name()) == sort.as_deref())
        else {
            return;
        };
        with_panel(|p| p.sort = sort);
        redraw();
    });
}

impl Sort {
    const ALL: [Sort; 4] = [Sort::Started, Sort::Accuracy, Sort::Loss, Sort::Duration];

    /// Its header button's `data-sort`.
    fn name(self) -> &'static str {
        match self {
            Sort::Started => "started",
            Sort::Accuracy => "accuracy",
            Sort::Loss => "loss",
            Sort::Duration => "duration",
        }
    }
}

/// The run id of the row holding `element`.
fn row_id(element: &Element) -> Option<String> {
    element
        .closest("tr[data-run-id]")
        .ok()
        .flatten()?
        .get_attribute("data-run-id")
}

/// Keeps the row's name and note as the user typed them.
async fn rename(id: String, input: HtmlInputElement) {
    let Some(row) = input.closest("tr").ok().flatten() else {
        return;
    };
    let field = |testid: &str| {
        row.query_selector(&format!("[data-testid={testid}]"))
            .ok()
            .flatten()
            .and_then(|e| e.dyn_into::<HtmlInputElement>().ok())
            .map(|i| i.value())
            .unwrap_or_default()
    };
    let name = field("run-name");
    let name = if name.trim().is_empty() {
        super::record(&id).map(|r| r.name).unwrap_or_default()
    } else {
        name.trim().to_string()
    };
    if let Err(error) = runs_store::rename(&id, &name, field("run-note").trim()).await {
        dom::show_error(&format!("The run's name could not be kept: {error}."));
    }
    refresh().await;
}

/// The rows, in the chosen order.
pub fn draw() {
    let (mut runs, selected, sort) = with_panel(|p| {
        (
            p.runs.iter().map(|r| r.record.clone()).collect::<Vec<_>>(),
            p.selected.clone(),
            p.sort,
        )
    });
    let missing_last = |v: Option<f64>, best_high: bool| match v {
        Some(v) if best_high => -v,
        Some(v) => v,
        None => f64::INFINITY,
    };
    runs.sort_by(|a, b| {
        let key = |r: &RunRecord| match sort {
            Sort::Started => -r.started_at,
            Sort::Accuracy => missing_last(r.val_accuracy().map(f64::from), true),
            Sort::Loss => missing_last(r.val_loss().map(f64::from), false),
            Sort::Duration => r.seconds,
        };
        key(a)
            .total_cmp(&key(b))
            .then(b.started_at.total_cmp(&a.started_at))
    });
    let mut html = String::new();
    for run in &runs {
        let colour = selected.iter().position(|s| *s == run.id).map(run_color);
        html += &row(run, colour);
    }
    if runs.is_empty() {
        html = "<tr><td colspan=\"10\" class=\"muted\">No runs yet: each training run and grid-search trial will be kept here.</td></tr>".into();
    }
    dom::set_html("runs-body", &html);
    let sorted_by = sort.name();
    if let Ok(buttons) = dom::element("runs-table").query_selector_all("button[data-sort]") {
        for index in 0..buttons.length() {
            let Some(button) = buttons
                .item(index)
                .and_then(|n| n.dyn_into::<Element>().ok())
            else {
                continue;
            };
            // The sort is said on the column header, where ARIA allows it.
            let Some(header) = button.closest("th").ok().flatten() else {
                continue;
            };
            let order = match sort {
                Sort::Loss | Sort::Duration => "ascending",
                Sort::Started | Sort::Accuracy => "descending",
            };
            if button.get_attribute("data-sort").as_deref() == Some(sorted_by) {
                let _ = header.set_attribute("aria-sort", order);
            } else {
                let _ = header.remove_attribute("aria-sort");
            }
        }
    }
}

fn row(run: &RunRecord, colour: Option<plotters::style::RGBColor>) -> String {
    let e = dom::escape;
    let accuracy = run.val_accuracy();
    let model = match (run.model_bytes > 0, run.model_dropped) {
        (true, false) => "kept",
        (_, true) => "dropped",
        (false, false) => "none",
    };
    let (kind_name, kind) = match run.kind {
        RunKind::Training => ("training", String::new()),
        RunKind::Trial { number, of } => {
            ("trial", format!(" · grid-search trial {number} of {of}"))
        }
    };
    let swatch = colour.map_or(String::new(), |c| {
        format!(
            "<span class=\"swatch\" style=\"background: rgb({},{},{})\"></span>",
            c.0, c.1, c.2
        )
    });
    let state = run.state.as_str();
    let state_text = match &run.failure {
        Some(why) => format!("<span title=\"{}\">{state}</span>", e(why)),
        None => state.to_string(),
    };
    let percent = |v: Option<f32>| v.map_or("–".into(), |v| format!("{:.2}%", v * 100.0));
    format!(
        "<tr data-testid=\"run-row\" data-run-id=\"{id}\" data-val-accuracy=\"{acc}\" data-state=\"{state}\" data-model=\"{model}\" data-kind=\"{kind_name}\">\
<td><input type=\"checkbox\" data-testid=\"run-select\" aria-label=\"compare {name}\"{checked} />{swatch}</td>\
<td><input type=\"text\" data-testid=\"run-name\" value=\"{name}\" aria-label=\"name of the run\" />\
<input type=\"text\" data-testid=\"run-note\" class=\"note\" value=\"{note}\" placeholder=\"a note\" aria-label=\"note on {name}\" />\
<span class=\"muted small\">{started}{kind} · {done} of {planned} epochs</span></td>\
<td class=\"state\">{state_text}</td><td>{accuracy}</td><td>{loss}</td><td>{test}</td><td>{duration}</td><td>{speed}</td><td>{place}</td>\
<td><button type=\"button\" data-testid=\"run-restore\">Restore</button> <button type=\"button\" data-testid=\"run-delete\">Delete</button></td></tr>",
        id = e(&run.id),
        acc = accuracy.map_or(String::new(), |a| a.to_string()),
        name = e(&run.name),
        note = e(&run.note),
        checked = if colour.is_some() { " checked" } else { "" },
        started = e(&started(run.started_at)),
        done = run.history.epochs.len(),
        planned = run.settings.epochs,
        accuracy = percent(accuracy),
        loss = run.val_loss().map_or("–".into(), |l| format!("{l:.4}")),
        test = percent(run.test_accuracy),
        duration = duration(run.seconds),
        speed = run
            .images_per_second()
            .map_or("–".into(), |s| format!("{s:.0}")),
        place = e(&run.place),
    )
}

/// When a run started, in the user's local time, as `2026-12-07 23:15`: from the date's own
/// fields, not `toLocaleString`, whose first call loads the browser's locale data, a long task
/// in the middle of the first run (BENCHMARKS.md, "The page's main thread").
fn started(ms: f64) -> String {
    let date = js_sys::Date::new(&ms.into());
    format!(
        "{}-{:02}-{:02} {:02}:{:02}",
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date(),
        date.get_hours(),
        date.get_minutes()
    )
}

fn duration(seconds: f64) -> String {
    if seconds < 60.0 {
        format!("{seconds:.1} s")
    } else if seconds < 3600.0 {
        format!("{} min {:02.0} s", (seconds / 60.0).floor(), seconds % 60.0)
    } else {
        format!(
            "{} h {:02.0} min",
            (seconds / 3600.0).floor(),
            (seconds % 3600.0) / 60.0
        )
    }
}
