//! Small DOM helpers: find elements by id, read inputs, set text and attributes.

use atelier_core::plot::Theme;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{
    Document, Element, HtmlCanvasElement, HtmlElement, HtmlInputElement, HtmlSelectElement,
};

pub fn document() -> Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("a page has a document")
}

/// The element with `id`; index.html has every id this module asks for.
pub fn element(id: &str) -> Element {
    document()
        .get_element_by_id(id)
        .unwrap_or_else(|| panic!("index.html lacks #{id}"))
}

pub fn typed<T: JsCast>(id: &str) -> T {
    element(id)
        .dyn_into::<T>()
        .unwrap_or_else(|_| panic!("#{id} has the wrong element type"))
}

pub fn canvas(id: &str) -> HtmlCanvasElement {
    typed(id)
}

pub fn set_text(id: &str, text: &str) {
    element(id).set_text_content(Some(text));
}

pub fn set_html(id: &str, html: &str) {
    element(id).set_inner_html(html);
}

pub fn set_attr(id: &str, name: &str, value: &str) {
    let _ = element(id).set_attribute(name, value);
}

pub fn set_hidden(id: &str, hidden: bool) {
    typed::<HtmlElement>(id).set_hidden(hidden);
}

pub fn set_disabled(id: &str, disabled: bool) {
    let _ = if disabled {
        element(id).set_attribute("disabled", "")
    } else {
        element(id).remove_attribute("disabled")
    };
}

/// The value of an `<input>` or `<select>`.
pub fn value(id: &str) -> String {
    let el = element(id);
    if let Some(input) = el.dyn_ref::<HtmlInputElement>() {
        input.value()
    } else if let Some(select) = el.dyn_ref::<HtmlSelectElement>() {
        select.value()
    } else {
        String::new()
    }
}

pub fn show_error(message: &str) {
    set_text("error", message);
}

pub fn clear_error() {
    set_text("error", "");
}

/// `idle`, `loading`, `training`, `paused`, `done` or `error`.
pub fn set_state(state: &str) {
    set_attr("status", "data-state", state);
    set_text("status", state);
}

/// Runs `handler` on each `event` at `id`, for the life of the page.
pub fn on(id: &str, event: &str, handler: impl FnMut(web_sys::Event) + 'static) {
    let closure = Closure::<dyn FnMut(web_sys::Event)>::new(handler);
    let _ = element(id).add_event_listener_with_callback(event, closure.as_ref().unchecked_ref());
    closure.forget();
}

/// Escapes text for HTML.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Draws a 28x28 darkness image as ink on paper, each pixel `scale` x `scale`, at (`x`, `y`).
pub fn put_darkness(
    context: &web_sys::CanvasRenderingContext2d,
    image: &[u8],
    scale: usize,
    x: f64,
    y: f64,
) {
    use atelier_core::data::IMAGE_SIDE;
    let side = IMAGE_SIDE * scale;
    let mut rgba = Vec::with_capacity(side * side * 4);
    for row in 0..side {
        for column in 0..side {
            let ink = 255 - image[(row / scale) * IMAGE_SIDE + column / scale];
            rgba.extend_from_slice(&[ink, ink, ink, 255]);
        }
    }
    if let Ok(pixels) = web_sys::ImageData::new_with_u8_clamped_array_and_sh(
        wasm_bindgen::Clamped(&rgba),
        side as u32,
        side as u32,
    ) {
        let _ = context.put_image_data(&pixels, x, y);
    }
}

/// Runs `f` in a task of its own, after the browser has had a turn: long drawing split this
/// way never holds the page for the sum of its parts.
pub fn later(f: impl FnOnce() + 'static) {
    wasm_bindgen_futures::spawn_local(async move {
        atelier_browser::js::sleep(0).await;
        f();
    });
}

/// The 2d drawing context of `canvas` (`None` only if the browser refuses one).
pub fn context_2d(canvas: &HtmlCanvasElement) -> Option<web_sys::CanvasRenderingContext2d> {
    canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into().ok())
}

/// The charts' colours: the dark theme where the user's system asks for dark pages.
pub fn chart_theme() -> Theme {
    let dark = web_sys::window()
        .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
        .is_some_and(|query| query.matches());
    if dark { Theme::DARK } else { Theme::LIGHT }
}

/// A chart's text alternative: what a screen reader says for the canvas `id`.
pub fn describe(id: &str, text: &str) {
    set_attr(id, "aria-label", text);
}

/// An empty canvas that says what will appear on it, to the eye and to a screen reader.
pub fn placeholder(id: &str, text: &str) {
    describe(id, text);
    let canvas = canvas(id);
    let Some(context) = context_2d(&canvas) else {
        return;
    };
    let theme = chart_theme();
    let css = |c: plotters::style::RGBColor| format!("rgb({},{},{})", c.0, c.1, c.2);
    let (width, height) = (canvas.width() as f64, canvas.height() as f64);
    context.set_fill_style_str(&css(theme.paper));
    context.fill_rect(0.0, 0.0, width, height);
    context.set_fill_style_str(&css(theme.ink));
    context.set_font("14px sans-serif");
    context.set_text_align("center");
    context.set_text_baseline("middle");
    let _ = context.fill_text_with_max_width(text, width / 2.0, height / 2.0, width - 16.0);
    context.set_text_align("start");
    context.set_text_baseline("alphabetic");
}
