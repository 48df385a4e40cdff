//! GPU kernels prepared while the user is still choosing: with a training set loaded, after
//! each change of the settings that change a run's kernels (the preset, the layers, the batch
//! size, the optimizer, the loss, validation on or off), the engine rehearses the run on a few
//! images (see `atelier_core::train::rehearsal`), so that Train starts on compiled kernels. Not
//! on loading the data alone: a rehearsal holds the engine while it compiles (and, with tuning
//! unpaced, while it tunes: minutes for `default` on a software adapter), and the drawing pad
//! would wait behind it (BENCHMARKS.md, "The first minute on WebGPU"). The `kernels` element
//! says where that stands (`data-state`: none, preparing, ready), and how many kernel choices
//! the engine kept from an earlier visit (`data-tuning-kept`): cubecl keeps its tuning in the
//! browser, so a second visit compiles those kernels without tuning them.

use std::cell::{Cell, RefCell};

use atelier_browser::protocol::Request;
use atelier_core::train::rehearsal;

use super::app::{send, with_page};
use super::{dom, settings};

thread_local! {
    /// Bumped on every change: a scheduled preparation goes ahead only if it is the latest.
    static GENERATION: Cell<u64> = const { Cell::new(0) };
    /// The rehearsal last asked for, as JSON: the same one is not prepared twice.
    static PREPARED: RefCell<Option<String>> = const { RefCell::new(None) };
    /// What the engine said at its start: kernel choices kept from an earlier visit.
    static TUNING_KEPT: Cell<u64> = const { Cell::new(0) };
}

/// Settings changes come in bursts (typing a number): wait this long for the last one.
const SETTLE_MS: u32 = 700;

/// Asks for the kernels of the form's settings, once they have settled; nothing on the CPU
/// backend, without a training set, while work runs, or for settings that do not build.
pub fn schedule() {
    let generation = GENERATION.with(|g| {
        g.set(g.get() + 1);
        g.get()
    });
    wasm_bindgen_futures::spawn_local(async move {
        atelier_browser::js::sleep(SETTLE_MS).await;
        if GENERATION.with(Cell::get) != generation {
            return;
        }
        if !with_page(|p| p.on_gpu && p.ready && p.has_train && !p.phase.is_busy()) {
            return;
        }
        let Ok(config) = settings::read() else {
            return;
        };
        let images = with_page(|p| p.train_images);
        let key = serde_json::to_string(&rehearsal(&config, images)).unwrap_or_default();
        if PREPARED.with(|p| p.borrow().as_deref() == Some(key.as_str())) {
            return;
        }
        PREPARED.with(|p| *p.borrow_mut() = Some(key));
        send(
            &Request::PrepareKernels {
                config: Box::new(config),
            },
            &[],
        );
    });
}

/// A new engine has prepared none of them, but may have kept the tuning of `tuning_kept`
/// kernels from an earlier visit (cubecl's tuning cache): those are only compiled, not tuned.
/// The others it tunes with `tune_samples` samples of each candidate, one new shape per batch
/// when `tune_paced`, the fallback kernels of lower priority measured too when `tune_fallbacks`.
/// The engine's own kernels replace cubecl's where they apply when `own_kernels`.
pub fn engine_started(
    tuning_kept: u64,
    tune_samples: Option<usize>,
    tune_paced: Option<bool>,
    tune_fallbacks: Option<bool>,
    own_kernels: Option<bool>,
) {
    dom::set_attr("kernels", "data-tuning-kept", &tuning_kept.to_string());
    let samples = tune_samples.map(|n| n.to_string()).unwrap_or_default();
    dom::set_attr("kernels", "data-tune-samples", &samples);
    let paced = tune_paced.map(|p| p.to_string()).unwrap_or_default();
    dom::set_attr("kernels", "data-tune-paced", &paced);
    let fallbacks = tune_fallbacks.map(|f| f.to_string()).unwrap_or_default();
    dom::set_attr("kernels", "data-tune-fallbacks", &fallbacks);
    let own = own_kernels.map(|o| o.to_string()).unwrap_or_default();
    dom::set_attr("kernels", "data-own-kernels", &own);
    TUNING_KEPT.with(|k| k.set(tuning_kept));
    forget();
}

/// A new training set has none of them prepared.
pub fn forget() {
    PREPARED.with(|p| *p.borrow_mut() = None);
    let kept = TUNING_KEPT.with(Cell::get);
    let text = if kept > 0 {
        format!(
            "{kept} GPU kernel choices kept from an earlier visit: the first batch comes sooner."
        )
    } else {
        String::new()
    };
    show("none", &text);
}

/// The engine is preparing them.
pub fn preparing() {
    show(
        "preparing",
        "Preparing GPU kernels for these settings, so that Train starts at once…",
    );
}

/// They are ready after `seconds`, or the preparation gave way (`None`).
pub fn prepared(seconds: Option<f64>) {
    match seconds {
        Some(seconds) => show(
            "ready",
            &format!("GPU kernels ready for these settings (prepared in {seconds:.1} s)."),
        ),
        // Not done: asked again, the same settings prepare again.
        None => forget(),
    }
}

fn show(state: &str, text: &str) {
    dom::set_attr("kernels", "data-state", state);
    dom::set_text("kernels", text);
}
