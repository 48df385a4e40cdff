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
    /// That backend is WebGPU.
    pub on_gpu: bool,
    /// The layer editor's stack can be built.
    pub layers_valid: bool,
    /// A training set is loaded.
    pub has_train: bool,
    /// Its images (the kernels prepared ahead depend on how they fall into batches).
    pub train_images: usize,
    /// A model was trained in this page (the phase rests at done, not idle).
    pub trained: bool,
    /// The charts of the run under way, or of the active model.
    pub view: Option<TrainingView>,
    /// The latest predictions for the loaded test set.
    pub predictions: Option<Vec<u8>>,
    /// What the engine is reading now, and what it has read into the sets it holds: the
    /// `File` handles stay the page's, so a new engine can read them again.
    pub pending_load: Option<LoadSource>,
    pub loads: Vec<LoadSource>,
    /// Loads still to give a new engine after the last one died.
    pub replay: Vec<LoadSource>,
    /// Engines started since one last reported a backend: a second death in a row is not
    /// retried.
    pub starts_without_ready: u32,
    /// The GPU was lost: engines from now on run on the CPU.
    pub cpu_only: bool,
    /// The active model's run, when it was interrupted and can go on (Continue).
    pub resumable: Option<Resumable>,
}

/// An interrupted run the engine's active model can go on with.
#[derive(Clone)]
pub struct Resumable {
    /// Its finished epochs, for the charts.
    pub history: atelier_core::train::History,
    /// The epoch it goes on at, and the epochs it planned.
    pub next_epoch: usize,
    pub planned_epochs: usize,
    pub batch_size: usize,
}

/// Where loaded sets came from.
#[derive(Clone)]
pub enum LoadSource {
    /// Files the user dropped or picked (their handles).
    Files(Vec<web_sys::File>),
    /// The sample the page ships.
    Sample,
}

thread_local! {
    static PAGE: RefCell<Page> = RefCell::new(Page::default());
}

pub fn with_page<T>(f: impl FnOnce(&mut Page) -> T) -> T {
    PAGE.with(|page| f(&mut page.borrow_mut()))
}

/// What the page does with each reply of the engine (and the bytes some carry).
pub type OnReply = fn(Reply, Option<Vec<u8>>);

thread_local! {
    static ON_REPLY: std::cell::Cell<Option<OnReply>> = const { std::cell::Cell::new(None) };
}

/// Starts the engine, its replies going to `on_reply`.
pub fn start(on_reply: OnReply) {
    ON_REPLY.with(|r| r.set(Some(on_reply)));
    set_phase(Phase::Idle);
    start_engine();
    expose_test_hooks();
}

fn start_engine() {
    let Some(on_reply) = ON_REPLY.with(|r| r.get()) else {
        return;
    };
    dom::set_text("backend", "…");
    let cpu_only = with_page(|p| {
        p.starts_without_ready += 1;
        p.cpu_only
    });
    worker::start(on_reply, engine_died, cpu_only);
    send(&Request::Init, &[]);
}

/// The GPU device was lost: the page moves to the CPU engine the way it replaces a dead one
/// ([`engine_died`]), and says so.
pub fn gpu_lost(message: &str) {
    with_page(|p| p.cpu_only = true);
    replace_engine(&format!(
        "The GPU was lost ({message}). Training moved to the CPU engine: the last kept model comes back, and the loaded files are read again."
    ));
}

/// The engine died (a panic, a trap, memory it could not get): the page says so, frees it,
/// and starts a new one, which brings back the last kept model; the files it had read are
/// read again once it is ready. The work under way is lost. A new engine that dies before it
/// is ready is not replaced again.
///
/// A lost GPU often makes the engine panic (a buffer it waited for fails) just before the
/// device's `lost` news arrives: the engine is replaced after a moment's grace, unless that
/// news came meanwhile and [`gpu_lost`] replaced it already.
pub fn engine_died(message: &str) {
    let dying = worker::generation();
    let notice = format!(
        "The engine stopped ({message}). A new one has started: the last kept model comes back, and the loaded files are read again."
    );
    wasm_bindgen_futures::spawn_local(async move {
        atelier_browser::js::sleep(LOST_GPU_GRACE_MS).await;
        if worker::generation() == dying {
            replace_engine(&notice);
        }
    });
}

/// How long a dead engine's page waits for news that its GPU was lost.
const LOST_GPU_GRACE_MS: u32 = 500;

fn replace_engine(notice: &str) {
    worker::terminate();
    let cut_off = with_page(|p| p.view.as_ref().is_some_and(TrainingView::is_cut_off));
    let notice = if cut_off {
        format!("{notice} Continue goes on with the run from its last kept epoch.")
    } else {
        notice.to_string()
    };
    let retry = with_page(|p| {
        p.ready = false;
        p.has_train = false;
        p.pending_load = None;
        p.replay = std::mem::take(&mut p.loads);
        p.starts_without_ready < 2
    });
    dom::set_hidden("load-progress", true);
    set_phase(Phase::Error);
    if !retry {
        return failed(&format!(
            "{notice} It stopped again before it was ready: reload the page to start over."
        ));
    }
    dom::set_text("engine-notice", &notice);
    dom::set_hidden("engine-notice", false);
    start_engine();
}

/// With `test-hooks` in the page's address, `window.atelierAbortEngine()` makes the engine
/// abort as a crash would, and `window.atelierLoseDevice()` destroys its GPU device, for the
/// tests of the recovery above.
fn expose_test_hooks() {
    let Some(window) = web_sys::window() else {
        return;
    };
    if !window
        .location()
        .search()
        .is_ok_and(|s| s.contains("test-hooks"))
    {
        return;
    }
    for (name, request) in [
        ("atelierAbortEngine", Request::Abort),
        ("atelierLoseDevice", Request::LoseDevice),
    ] {
        let hook = wasm_bindgen::closure::Closure::<dyn Fn()>::new(move || send(&request, &[]));
        let _ = js_sys::Reflect::set(&window, &name.into(), hook.as_ref());
        hook.forget();
    }
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

/// Train and grid search need a backend, a buildable stack, and nothing else running;
/// Continue needs a backend, a training set, an interrupted run and nothing else running.
pub fn update_buttons() {
    let (disabled, resumable) = with_page(|p| {
        let busy = !p.ready || p.phase.job().is_some();
        let resumable = p.resumable.clone().filter(|_| !busy && p.has_train);
        (busy || !p.layers_valid, resumable)
    });
    dom::set_disabled("train-button", disabled);
    dom::set_disabled("grid-button", disabled);
    dom::set_disabled("continue-button", resumable.is_none());
    dom::set_text(
        "continue-button",
        &resumable.map_or("Continue".into(), |r| {
            format!("Continue (epoch {} of {})", r.next_epoch, r.planned_epochs)
        }),
    );
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
