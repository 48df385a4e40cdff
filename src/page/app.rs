//! What the page remembers between the engine's replies, and the few moves everything else
//! makes through it: the phase, claiming the page for work, failing, talking to the engine.

use std::cell::RefCell;

use wasm_bindgen::JsValue;

use atelier_browser::protocol::{Reply, Request};

use super::phase::Phase;
use super::training_view::TrainingView;
use super::{dom, worker};

/// The page's state. The phase says what runs; the rest are facts the page has learned.
#[derive(Default)]
pub struct Page {
    pub phase: Phase,
    /// The engine has a backend.
    pub ready: bool,
    /// The layer editor's stack can be built.
    pub layers_valid: bool,
    /// A training set is loaded.
    pub has_train: bool,
    /// A model was trained in this page (the phase rests at done, not idle).
    pub trained: bool,
    /// The charts of the run under way, or of the active model.
    pub view: Option<TrainingView>,
    /// The latest predictions for the loaded test set.
    pub predictions: Option<Vec<u8>>,
}

thread_local! {
    static PAGE: RefCell<Page> = RefCell::new(Page::default());
}

pub fn with_page<T>(f: impl FnOnce(&mut Page) -> T) -> T {
    PAGE.with(|page| f(&mut page.borrow_mut()))
}

/// Starts the engine, its replies going to `on_reply`.
pub fn start(on_reply: fn(Reply, Option<Vec<u8>>)) {
    set_phase(Phase::Idle);
    dom::set_text("backend", "…");
    worker::start(on_reply, failed);
    send(&Request::Init, &[]);
}

/// Moves the page to `phase`: `data-state`, and the buttons that depend on it.
pub fn set_phase(phase: Phase) {
    with_page(|p| p.phase = phase);
    dom::set_state(phase.name());
    let paused = matches!(phase, Phase::Running { paused: true, .. });
    dom::set_disabled("pause-button", phase.job().is_none());
    dom::set_disabled("stop-button", phase.job().is_none());
    dom::set_text("pause-button", if paused { "Resume" } else { "Pause" });
    update_buttons();
}

/// The phase when nothing runs: done once a model was trained here, else idle.
pub fn resting_phase() -> Phase {
    if with_page(|p| p.trained) {
        Phase::Done
    } else {
        Phase::Idle
    }
}

/// Train and grid search need a backend, a buildable stack, and nothing else running.
pub fn update_buttons() {
    let disabled = with_page(|p| !p.ready || p.phase.job().is_some() || !p.layers_valid);
    dom::set_disabled("train-button", disabled);
    dom::set_disabled("grid-button", disabled);
}

/// Claims the page for `what`, moving it to `phase`; false (with a message) when other work
/// holds it.
pub fn claim(what: &str, phase: Phase) -> bool {
    if with_page(|p| p.phase.is_busy()) {
        dom::show_error(&format!(
            "Please wait: {what} can start once the current work ends."
        ));
        return false;
    }
    set_phase(phase);
    true
}

/// Work failed: its message on the page, the page free again.
pub fn failed(message: &str) {
    dom::show_error(message);
    set_phase(Phase::Error);
}

/// Posts a request to the engine (see [`worker::send`]); a failure to reach it fails the page.
pub fn send(request: &Request, contents: &[JsValue]) {
    if let Err(message) = worker::send(request, contents) {
        failed(&message);
    }
}
