//! The ticked runs compared: their curves overlaid on one chart (downloadable as PNG and SVG)
//! and the settings that differ between them.

use crate::page::chart_canvas::ChartCanvas;
use plotters::prelude::*;
use wasm_bindgen::JsCast;

use atelier_core::plot::{Theme, draw_runs_chart, run_color, runs_chart_svg};
use atelier_core::runs::{RunRecord, differences};

use super::with_panel;
use crate::page::{browser, dom};

/// The pictures' size in pixels: a report page's width.
const PICTURE: (u32, u32) = (1200, 400);

pub fn wire() {
    dom::on("download-runs-chart-png", "click", |_| download_png());
    dom::on("download-runs-chart-svg", "click", |_| download_svg());
}

/// The ticked runs, in the order they were ticked.
fn selected() -> Vec<RunRecord> {
    with_panel(|p| {
        p.selected
            .iter()
            .filter_map(|id| p.runs.iter().find(|r| &r.record.id == id))
            .map(|r| r.record.clone())
            .collect()
    })
}

fn series(runs: &[RunRecord]) -> Vec<(&str, &atelier_core::train::History)> {
    runs.iter().map(|r| (r.name.as_str(), &r.history)).collect()
}

pub fn draw() {
    let runs = selected();
    dom::set_attr("runs-chart", "data-series", &runs.len().to_string());
    for id in ["download-runs-chart-png", "download-runs-chart-svg"] {
        dom::set_disabled(id, runs.is_empty());
    }
    if runs.is_empty() {
        dom::placeholder(
            "runs-chart",
            "Tick runs in the table to overlay their loss and accuracy curves here.",
        );
    } else if let Some(backend) = ChartCanvas::new(dom::canvas("runs-chart")) {
        let _ = draw_runs_chart(
            &backend.into_drawing_area(),
            &series(&runs),
            dom::chart_theme(),
        );
        dom::describe("runs-chart", &describe(&runs));
    }
    draw_differences(&runs);
}

/// The chart in words: each run's colour and its validation figures per epoch.
fn describe(runs: &[RunRecord]) -> String {
    let mut text = String::from("Runs compared: ");
    for (index, run) in runs.iter().enumerate() {
        let RGBColor(r, g, b) = run_color(index);
        let epochs: Vec<String> = run
            .history
            .epochs
            .iter()
            .map(|m| {
                format!(
                    "epoch {}: training loss {:.3}, validation loss {}, accuracy {}",
                    m.epoch,
                    m.train_loss,
                    m.val_loss.map_or("-".into(), |v| format!("{v:.3}")),
                    m.val_accuracy
                        .map_or("-".into(), |v| format!("{:.1}%", v * 100.0))
                )
            })
            .collect();
        text += &format!(
            "{} (colour #{r:02x}{g:02x}{b:02x}): {}. ",
            run.name,
            epochs.join("; ")
        );
    }
    text
}

/// The settings that differ, one row each, a column per ticked run.
fn draw_differences(runs: &[RunRecord]) {
    let e = dom::escape;
    let html = if runs.len() < 2 {
        "<caption>Tick two or more runs to see which settings differ between them.</caption>"
            .to_string()
    } else {
        let refs: Vec<&RunRecord> = runs.iter().collect();
        let diff = differences(&refs);
        let mut html = String::from(
            "<caption>Settings that differ between the ticked runs</caption><tr><th scope=\"col\">setting</th>",
        );
        for (index, run) in runs.iter().enumerate() {
            let RGBColor(r, g, b) = run_color(index);
            html += &format!(
                "<th scope=\"col\"><span class=\"swatch\" style=\"background: rgb({r},{g},{b})\"></span> {}</th>",
                e(&run.name)
            );
        }
        html += "</tr>";
        if diff.is_empty() {
            html += &format!(
                "<tr><td colspan=\"{}\" class=\"muted\">The ticked runs have the same settings.</td></tr>",
                runs.len() + 1
            );
        }
        for difference in diff {
            html += &format!(
                "<tr data-testid=\"runs-diff-row\" data-setting=\"{}\"><th scope=\"row\">{}</th>",
                e(difference.setting),
                e(difference.setting)
            );
            for value in &difference.values {
                html += &format!("<td>{}</td>", e(value));
            }
            html += "</tr>";
        }
        html
    };
    dom::set_html("runs-diff", &html);
}

/// The chart on white, at the pictures' size, as a PNG download.
fn download_png() {
    let runs = selected();
    let Ok(canvas) = dom::document()
        .create_element("canvas")
        .map(|c| c.unchecked_into::<web_sys::HtmlCanvasElement>())
    else {
        return;
    };
    canvas.set_width(PICTURE.0);
    canvas.set_height(PICTURE.1);
    let drawn = ChartCanvas::new(canvas.clone())
        .ok_or_else(|| "no canvas".to_string())
        .and_then(|backend| {
            draw_runs_chart(&backend.into_drawing_area(), &series(&runs), Theme::LIGHT)
        });
    let url = drawn.and_then(|()| {
        canvas
            .to_data_url_with_type("image/png")
            .map_err(|e| format!("{e:?}"))
    });
    match url {
        Ok(url) => browser::download_url("atelier-runs.png", &url),
        Err(error) => dom::show_error(&format!("The chart could not be saved: {error}")),
    }
}

fn download_svg() {
    let runs = selected();
    let saved = runs_chart_svg(&series(&runs), PICTURE.0, PICTURE.1).and_then(|svg| {
        browser::download("atelier-runs.svg", &svg, "image/svg+xml").map_err(|e| format!("{e:?}"))
    });
    if let Err(error) = saved {
        dom::show_error(&format!("The chart could not be saved: {error}"));
    }
}
