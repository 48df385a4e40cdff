//! The dataset at a glance: counts, the class histogram and a grid of sample images.

use crate::page::chart_canvas::ChartCanvas;
use plotters::prelude::*;

use atelier_core::data::{CLASS_NAMES, IMAGE_SIDE, NUM_CLASSES};
use atelier_core::plot::draw_class_histogram;

use super::dom;
use atelier_browser::protocol::{Sample, SetInfo};

/// Shows newly loaded sets; a `None` leaves what the page shows for that set.
pub fn show(train: Option<&SetInfo>, test: Option<&SetInfo>) {
    for (info, attribute, text_id) in [
        (train, "data-train-count", "train-text"),
        (test, "data-test-count", "test-text"),
    ] {
        if let Some(info) = info {
            dom::set_attr("dataset-summary", attribute, &info.count.to_string());
            dom::set_text(
                text_id,
                &format!(
                    "{} images from {} ({}).",
                    info.count,
                    info.name,
                    if info.labelled {
                        "labelled"
                    } else {
                        "unlabelled"
                    }
                ),
            );
        }
    }
    if let Some(info) = train {
        if let Some(backend) = ChartCanvas::new(dom::canvas("class-histogram")) {
            let _ = draw_class_histogram(
                &backend.into_drawing_area(),
                &info.class_counts,
                dom::chart_theme(),
            );
        }
        let counts: Vec<String> = CLASS_NAMES
            .iter()
            .zip(&info.class_counts)
            .map(|(name, count)| format!("{name} {count}"))
            .collect();
        dom::describe(
            "class-histogram",
            &format!("Images per class: {}.", counts.join(", ")),
        );
        let samples = info.samples.clone();
        dom::later(move || draw_sample_grid(&samples));
    }
}

/// What the page's data canvases say before a training set is loaded.
pub fn show_empty() {
    dom::placeholder(
        "class-histogram",
        "The class histogram appears when data is loaded.",
    );
    dom::placeholder(
        "sample-grid",
        "Example images of each class appear when data is loaded.",
    );
}

/// Example images per class in the sample grid.
const ROWS: usize = 3;

/// A few images per class, one class per column, darkness shown as ink on paper.
fn draw_sample_grid(samples: &[Sample]) {
    dom::describe(
        "sample-grid",
        &format!(
            "Up to {ROWS} example images of each of the {NUM_CLASSES} classes, with their names."
        ),
    );
    let canvas = dom::canvas("sample-grid");
    let Some(context) = dom::context_2d(&canvas) else {
        return;
    };
    const SCALE: usize = 2;
    let cell = IMAGE_SIDE * SCALE + 8;
    let (width, height) = (NUM_CLASSES * cell, ROWS * cell + 40);
    canvas.set_width(width as u32 + 16);
    canvas.set_height(height as u32);
    context.set_fill_style_str("#ffffff");
    context.fill_rect(0.0, 0.0, canvas.width() as f64, height as f64);
    for (class, class_name) in CLASS_NAMES.iter().enumerate() {
        let examples = samples
            .iter()
            .filter(|s| s.label as usize == class)
            .take(ROWS);
        for (row, sample) in examples.enumerate() {
            dom::put_darkness(
                &context,
                &sample.pixels,
                SCALE,
                (8 + class * cell) as f64,
                (row * cell) as f64,
            );
        }
        context.set_fill_style_str("#374151");
        context.set_font("11px sans-serif");
        let name = class_name.split('/').next().unwrap_or("");
        let _ = context.fill_text(name, (8 + class * cell) as f64, (ROWS * cell + 14) as f64);
    }
}
