//! The dataset at a glance: counts, the class histogram and a grid of sample images.

use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, ImageData};

use crate::data::{CLASS_NAMES, Dataset, IMAGE_PIXELS, IMAGE_SIDE, NUM_CLASSES};
use crate::plot::draw_class_histogram;

use super::dom;

/// Updates the summary element's counts and text, and redraws both canvases.
pub fn show(train: Option<&(String, Dataset)>, test: Option<&(String, Dataset)>) {
    let count = |d: Option<&(String, Dataset)>| d.map_or(0, |(_, d)| d.len());
    dom::set_attr(
        "dataset-summary",
        "data-train-count",
        &count(train).to_string(),
    );
    dom::set_attr(
        "dataset-summary",
        "data-test-count",
        &count(test).to_string(),
    );
    let describe = |role: &str, entry: Option<&(String, Dataset)>| match entry {
        Some((name, d)) => format!(
            "{role}: {} images from {} ({})",
            d.len(),
            name,
            if d.is_labelled() {
                "labelled"
            } else {
                "unlabelled"
            }
        ),
        None => format!("{role}: none"),
    };
    dom::set_text(
        "dataset-text",
        &format!(
            "{}. {}.",
            describe("Training set", train),
            describe("Test set", test)
        ),
    );
    if let Some((_, data)) = train {
        if let Some(backend) = CanvasBackend::with_canvas_object(dom::canvas("class-histogram")) {
            let _ = draw_class_histogram(&backend.into_drawing_area(), &data.class_counts());
        }
        draw_sample_grid(data);
    }
}

/// Three images per class, one class per column, darkness shown as ink on paper.
fn draw_sample_grid(data: &Dataset) {
    let canvas = dom::canvas("sample-grid");
    let Some(context) = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
    else {
        return;
    };
    const ROWS: usize = 3;
    const SCALE: usize = 2;
    let cell = IMAGE_SIDE * SCALE + 8;
    let (width, height) = (NUM_CLASSES * cell, ROWS * cell + 40);
    canvas.set_width(width as u32 + 16);
    canvas.set_height(height as u32);
    context.set_fill_style_str("#ffffff");
    context.fill_rect(0.0, 0.0, canvas.width() as f64, height as f64);
    let labels = data.labels().unwrap_or(&[]);
    for (class, class_name) in CLASS_NAMES.iter().enumerate() {
        let examples = (0..data.len())
            .filter(|&i| labels.get(i) == Some(&(class as u8)))
            .take(ROWS);
        for (row, index) in examples.enumerate() {
            let mut rgba = Vec::with_capacity(IMAGE_PIXELS * SCALE * SCALE * 4);
            let image = data.image(index);
            for y in 0..IMAGE_SIDE * SCALE {
                for x in 0..IMAGE_SIDE * SCALE {
                    let ink = 255 - image[(y / SCALE) * IMAGE_SIDE + x / SCALE];
                    rgba.extend_from_slice(&[ink, ink, ink, 255]);
                }
            }
            let side = (IMAGE_SIDE * SCALE) as u32;
            if let Ok(pixels) =
                ImageData::new_with_u8_clamped_array_and_sh(Clamped(&rgba), side, side)
            {
                let _ =
                    context.put_image_data(&pixels, (8 + class * cell) as f64, (row * cell) as f64);
            }
        }
        context.set_fill_style_str("#374151");
        context.set_font("11px sans-serif");
        let name = class_name.split('/').next().unwrap_or("");
        let _ = context.fill_text(name, (8 + class * cell) as f64, (ROWS * cell + 14) as f64);
    }
}
