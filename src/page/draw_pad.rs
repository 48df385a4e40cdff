//! The drawing pad: pointer strokes (mouse, touch, pen) or a dropped photo become the 28x28
//! image the model sees; the engine's class probabilities come back while drawing.

use std::cell::RefCell;

use crate::page::chart_canvas::ChartCanvas;
use plotters::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{CanvasRenderingContext2d, File, HtmlCanvasElement, PointerEvent};

use atelier_core::data::{
    CLASS_NAMES, IMAGE_HEADER_BYTES, NUM_CLASSES, check_photo_size, darkness_from_rgba,
    photo_darkness, to_fashion_mnist,
};
use atelier_core::plot::{draw_probabilities, most_likely};

use super::dom;
use atelier_browser::js;

/// Photos are scaled down to this many pixels on their longer side before processing: plenty
/// for a 28x28 result, and quick.
const PHOTO_SIDE: f64 = 280.0;

#[derive(Default)]
struct Pad {
    /// A stroke is under way: its last point, in canvas pixels.
    stroke: Option<(f64, f64)>,
    /// The 28x28 image of a dropped photo, while the pad shows that photo.
    photo: Option<Vec<u8>>,
    /// A classification is on its way to the engine and back.
    in_flight: bool,
    /// The pad changed while one was in flight: ask again when it returns.
    dirty: bool,
    /// When the last stroke ended (ms), for the stroke-to-prediction latency.
    stroke_ended_ms: Option<f64>,
}

thread_local! {
    static PAD: RefCell<Pad> = RefCell::new(Pad::default());
}

fn with_pad<T>(f: impl FnOnce(&mut Pad) -> T) -> T {
    PAD.with(|pad| f(&mut pad.borrow_mut()))
}

fn context() -> CanvasRenderingContext2d {
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"willReadFrequently".into(), &true.into());
    dom::canvas("draw-pad")
        .get_context_with_context_options("2d", &options)
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into().ok())
        .expect("a canvas has a 2d context")
}

/// Wires the pad; `classify` sends a 28x28 image to the engine.
pub fn start(classify: fn(Vec<u8>)) {
    // The empty chart after the page's first paint: the first text drawn costs the most.
    dom::later(clear);
    dom::on("draw-pad", "pointerdown", move |event| {
        let Some(event) = event.dyn_ref::<PointerEvent>() else {
            return;
        };
        event.prevent_default();
        let _ = dom::element("draw-pad").set_pointer_capture(event.pointer_id());
        if with_pad(|p| p.photo.take()).is_some() {
            fill_white();
        }
        let point = canvas_point(event);
        // A new stroke: the latency is measured from its end.
        with_pad(|p| {
            p.stroke = Some(point);
            p.stroke_ended_ms = None;
        });
        let _ = dom::element("prediction").remove_attribute("data-latency-ms");
        stroke_to(point, point);
        refresh(classify);
    });
    dom::on("draw-pad", "pointermove", move |event| {
        let Some(event) = event.dyn_ref::<PointerEvent>() else {
            return;
        };
        let Some(last) = with_pad(|p| p.stroke) else {
            return;
        };
        let point = canvas_point(event);
        stroke_to(last, point);
        with_pad(|p| p.stroke = Some(point));
        refresh(classify);
    });
    for end in ["pointerup", "pointercancel"] {
        dom::on("draw-pad", end, move |_| {
            if with_pad(|p| p.stroke.take()).is_some() {
                with_pad(|p| p.stroke_ended_ms = Some(js::now()));
                refresh(classify);
            }
        });
    }
    dom::on("clear-drawing", "click", |_| clear());
}

/// Empties the pad, the preview and the prediction.
pub fn clear() {
    fill_white();
    with_pad(|p| {
        p.photo = None;
        p.stroke = None;
        p.dirty = false;
        p.stroke_ended_ms = None;
    });
    show_preview(None);
    show_probabilities(None);
}

/// After a model change: what is on the pad is classified again by the new model.
pub fn reclassify(classify: fn(Vec<u8>)) {
    refresh(classify);
}

/// The engine's answer for the last image sent.
pub fn on_classified(probabilities: Option<[f32; NUM_CLASSES]>, classify: fn(Vec<u8>)) {
    let (dirty, ended) = with_pad(|p| {
        p.in_flight = false;
        (std::mem::take(&mut p.dirty), p.stroke_ended_ms)
    });
    if dirty {
        return refresh(classify);
    }
    // A cleared pad may still get the answer for its last image: ignore it.
    if current_image().is_none() {
        return;
    }
    show_probabilities(probabilities.as_ref());
    if let Some(ended) = ended {
        dom::set_attr(
            "prediction",
            "data-latency-ms",
            &format!("{:.1}", js::now() - ended),
        );
        with_pad(|p| p.stroke_ended_ms = None);
    }
}

/// Shows a photo on the pad and classifies it.
pub async fn show_photo(file: File, classify: fn(Vec<u8>)) -> Result<(), String> {
    let window = web_sys::window().ok_or("no window")?;
    // Its size from its header first: a huge photo is refused before the browser decodes it.
    let head = file
        .slice_with_f64_and_f64(0.0, IMAGE_HEADER_BYTES as f64)
        .map_err(|e| format!("{}: {e:?}", file.name()))?;
    let head = JsFuture::from(head.array_buffer())
        .await
        .map_err(|_| format!("{}: could not be read", file.name()))?;
    check_photo_size(&file.name(), &js_sys::Uint8Array::new(&head).to_vec())?;
    let promise = window
        .create_image_bitmap_with_blob(&file)
        .map_err(|e| format!("{}: {e:?}", file.name()))?;
    let bitmap: web_sys::ImageBitmap = JsFuture::from(promise)
        .await
        .map_err(|_| format!("{}: not an image this browser can read", file.name()))?
        .dyn_into()
        .map_err(|_| format!("{}: not an image", file.name()))?;
    let (width, height) = (bitmap.width() as f64, bitmap.height() as f64);
    if width < 1.0 || height < 1.0 {
        return Err(format!("{}: the image is empty", file.name()));
    }
    let scale = (PHOTO_SIDE / width.max(height)).min(1.0);
    let (w, h) = (
        (width * scale).round().max(1.0),
        (height * scale).round().max(1.0),
    );

    // The photo at working size, on its own canvas, for its pixels.
    let work: HtmlCanvasElement = dom::document()
        .create_element("canvas")
        .map_err(|e| format!("{e:?}"))?
        .dyn_into()
        .map_err(|_| "no canvas".to_string())?;
    work.set_width(w as u32);
    work.set_height(h as u32);
    let work_context = dom::context_2d(&work).ok_or("no 2d context")?;
    work_context
        .draw_image_with_image_bitmap_and_dw_and_dh(&bitmap, 0.0, 0.0, w, h)
        .map_err(|e| format!("{e:?}"))?;
    let rgba = work_context
        .get_image_data(0.0, 0.0, w, h)
        .map_err(|e| format!("{e:?}"))?
        .data()
        .0;
    let darkness = photo_darkness(w as usize, h as usize, &rgba);
    let image = to_fashion_mnist(w as usize, h as usize, &darkness)
        .ok_or_else(|| format!("{}: no garment stands out from the background", file.name()))?;

    // The photo on the pad, fitted and centred.
    fill_white();
    let pad = dom::canvas("draw-pad");
    let side = pad.width() as f64;
    let fit = side / w.max(h);
    let _ = context().draw_image_with_html_canvas_element_and_dw_and_dh(
        &work,
        (side - w * fit) / 2.0,
        (side - h * fit) / 2.0,
        w * fit,
        h * fit,
    );
    with_pad(|p| {
        p.photo = Some(image);
        p.stroke_ended_ms = Some(js::now());
    });
    refresh(classify);
    Ok(())
}

/// The 28x28 image of what the pad shows, or `None` when it is blank.
fn current_image() -> Option<Vec<u8>> {
    if let Some(photo) = with_pad(|p| p.photo.clone()) {
        return Some(photo);
    }
    let pad = dom::canvas("draw-pad");
    let (width, height) = (pad.width() as usize, pad.height() as usize);
    let rgba = context()
        .get_image_data(0.0, 0.0, width as f64, height as f64)
        .ok()?
        .data()
        .0;
    to_fashion_mnist(width, height, &darkness_from_rgba(&rgba))
}

/// Updates the preview and asks the engine, unless an answer is still on its way.
fn refresh(classify: fn(Vec<u8>)) {
    let image = current_image();
    show_preview(image.as_deref());
    let Some(image) = image else {
        with_pad(|p| p.dirty = false);
        return show_probabilities(None);
    };
    let send = with_pad(|p| {
        if p.in_flight {
            p.dirty = true;
            false
        } else {
            p.in_flight = true;
            true
        }
    });
    if send {
        classify(image);
    }
}

fn canvas_point(event: &PointerEvent) -> (f64, f64) {
    let pad = dom::canvas("draw-pad");
    let rect = pad.get_bounding_client_rect();
    let sx = pad.width() as f64 / rect.width().max(1.0);
    let sy = pad.height() as f64 / rect.height().max(1.0);
    (
        (event.client_x() as f64 - rect.left()) * sx,
        (event.client_y() as f64 - rect.top()) * sy,
    )
}

fn stroke_to(from: (f64, f64), to: (f64, f64)) {
    let context = context();
    let brush: f64 = dom::value("brush-size").parse().unwrap_or(18.0);
    let erasing = dom::typed::<web_sys::HtmlInputElement>("eraser").checked();
    context.set_stroke_style_str(if erasing { "#ffffff" } else { "#000000" });
    context.set_line_width(brush);
    context.set_line_cap("round");
    context.set_line_join("round");
    context.begin_path();
    context.move_to(from.0, from.1);
    context.line_to(to.0, to.1);
    context.stroke();
}

fn fill_white() {
    let pad = dom::canvas("draw-pad");
    let context = context();
    context.set_fill_style_str("#ffffff");
    context.fill_rect(0.0, 0.0, pad.width() as f64, pad.height() as f64);
}

/// The 28x28 image exactly as the model gets it, drawn ink on paper like the sample grid.
fn show_preview(image: Option<&[u8]>) {
    let canvas = dom::canvas("draw-preview");
    let Some(context) = dom::context_2d(&canvas) else {
        return;
    };
    let blank = [0u8; atelier_core::data::IMAGE_PIXELS];
    dom::put_darkness(&context, image.unwrap_or(&blank), 1, 0.0, 0.0);
    dom::set_attr(
        "draw-preview",
        "data-ink",
        &image
            .map_or(0, |i| i.iter().filter(|&&d| d > 0).count())
            .to_string(),
    );
}

/// The prediction line and the probability bars.
fn show_probabilities(probabilities: Option<&[f32; NUM_CLASSES]>) {
    let element = dom::element("prediction");
    match probabilities {
        Some(p) => {
            let class = most_likely(p);
            let _ = element.set_attribute("data-class", &class.to_string());
            let json = serde_json::to_string(&p.to_vec()).unwrap_or_default();
            let _ = element.set_attribute("data-probs", &json);
            element.set_text_content(Some(CLASS_NAMES[class]));
            dom::set_text(
                "prediction-confidence",
                &format!("{:.1}% sure", p[class] * 100.0),
            );
        }
        None => {
            let _ = element.remove_attribute("data-class");
            let _ = element.remove_attribute("data-probs");
            let _ = element.remove_attribute("data-latency-ms");
            element.set_text_content(Some(""));
            dom::set_text("prediction-confidence", "");
        }
    }
    if let Some(backend) = ChartCanvas::new(dom::canvas("probability-chart")) {
        let _ = draw_probabilities(
            &backend.into_drawing_area(),
            probabilities,
            dom::chart_theme(),
        );
    }
    dom::describe(
        "probability-chart",
        &match probabilities {
            Some(p) => {
                let classes: Vec<String> = CLASS_NAMES
                    .iter()
                    .zip(p)
                    .map(|(name, p)| format!("{name} {:.1}%", p * 100.0))
                    .collect();
                format!("Class probabilities: {}.", classes.join(", "))
            }
            None => "Class probabilities: they appear when something is drawn.".into(),
        },
    );
}
