//! The error gallery: misclassified validation images with the true and the predicted class and
//! the model's confidence, filtered by a click on a confusion-matrix cell, a page at a time.

use std::cell::RefCell;

use wasm_bindgen::JsCast;

use atelier_core::data::CLASS_NAMES;

use super::dom;
use atelier_browser::protocol::Mistake;

thread_local! {
    static MISTAKES: RefCell<Vec<Mistake>> = const { RefCell::new(Vec::new()) };
    /// The filter shown (true class, predicted class), and the page of it.
    static SHOWN: RefCell<(Option<(u8, u8)>, usize)> = const { RefCell::new((None, 0)) };
}

/// Images on one page of the gallery.
const PER_PAGE: usize = 40;

/// Wires the "show all" button and clicks on the confusion matrix (which is redrawn after each
/// training, so the click is caught on its container).
pub fn start() {
    dom::on("show-all-mistakes", "click", |_| show(None));
    dom::on("mistakes-previous", "click", |_| turn(-1));
    dom::on("mistakes-next", "click", |_| turn(1));
    dom::on("results", "click", |event| {
        let cell = event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .filter(|e| e.has_attribute("data-truth"));
        if let Some(cell) = cell {
            let number = |name: &str| cell.get_attribute(name).and_then(|v| v.parse::<u8>().ok());
            if let (Some(truth), Some(predicted)) = (number("data-truth"), number("data-predicted"))
            {
                show(Some((truth, predicted)));
            }
        }
    });
}

/// New mistakes (after training): the whole gallery.
pub fn set(mistakes: Vec<Mistake>) {
    MISTAKES.with(|m| *m.borrow_mut() = mistakes);
    dom::set_hidden("mistakes", false);
    show(None);
}

/// Hides the gallery (a new training run, another model).
pub fn clear() {
    MISTAKES.with(|m| m.borrow_mut().clear());
    dom::set_hidden("mistakes", true);
    dom::set_html("error-gallery", "");
}

/// Shows the first page of the mistakes that `filter` picks.
fn show(filter: Option<(u8, u8)>) {
    show_page(filter, 0);
}

/// Moves `by` pages.
fn turn(by: isize) {
    let (filter, page) = SHOWN.with(|s| *s.borrow());
    show_page(filter, page.saturating_add_signed(by));
}

fn show_page(filter: Option<(u8, u8)>, page: usize) {
    let picked = MISTAKES.with(|m| {
        m.borrow()
            .iter()
            .filter(|m| filter.is_none_or(|(t, p)| m.truth == t && m.predicted == p))
            .cloned()
            .collect::<Vec<_>>()
    });
    for cell in dom::document()
        .query_selector_all("#results td.picked")
        .map(|l| (0..l.length()).filter_map(|i| l.get(i)).collect::<Vec<_>>())
        .unwrap_or_default()
    {
        if let Ok(cell) = cell.dyn_into::<web_sys::Element>() {
            let _ = cell.class_list().remove_1("picked");
        }
    }
    match filter {
        Some((truth, predicted)) => {
            if let Ok(Some(cell)) = dom::document().query_selector(&format!(
                "#results td[data-truth=\"{truth}\"][data-predicted=\"{predicted}\"]"
            )) {
                let _ = cell.class_list().add_1("picked");
            }
            dom::set_text(
                "mistakes-filter",
                &format!(
                    "({}: {} seen as {})",
                    picked.len(),
                    CLASS_NAMES[truth as usize],
                    CLASS_NAMES[predicted as usize]
                ),
            );
        }
        None => dom::set_text("mistakes-filter", &format!("({})", picked.len())),
    }
    let pages = picked.len().div_ceil(PER_PAGE).max(1);
    let page = page.min(pages - 1);
    SHOWN.with(|s| *s.borrow_mut() = (filter, page));
    dom::set_text("mistakes-page", &format!("page {} of {pages}", page + 1));
    dom::set_disabled("mistakes-previous", page == 0);
    dom::set_disabled("mistakes-next", page + 1 >= pages);
    let on_page =
        &picked[(page * PER_PAGE).min(picked.len())..((page + 1) * PER_PAGE).min(picked.len())];
    let mut html = String::new();
    for (i, m) in on_page.iter().enumerate() {
        html += &format!(
            "<figure data-testid=\"mistake\" data-truth=\"{}\" data-predicted=\"{}\"><canvas id=\"mistake-{i}\" width=\"28\" height=\"28\"></canvas>\
             <figcaption>{} → <strong>{}</strong> {:.0}%</figcaption></figure>",
            m.truth,
            m.predicted,
            dom::escape(CLASS_NAMES[m.truth as usize]),
            dom::escape(CLASS_NAMES[m.predicted as usize]),
            m.confidence * 100.0
        );
    }
    dom::set_html("error-gallery", &html);
    for (i, m) in on_page.iter().enumerate() {
        let canvas = dom::canvas(&format!("mistake-{i}"));
        if let Some(context) = dom::context_2d(&canvas) {
            dom::put_darkness(&context, &m.pixels, 1, 0.0, 0.0);
        }
    }
}
