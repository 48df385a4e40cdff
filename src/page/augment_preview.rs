//! A row of training images as augmentation changes them: what the model will see.

use std::cell::RefCell;

use atelier_core::data::{IMAGE_SIDE, SeededRng};

use super::{dom, settings};

thread_local! {
    static SAMPLES: RefCell<Vec<Vec<u8>>> = const { RefCell::new(Vec::new()) };
}

/// Images shown, each drawn at 2x.
const SHOWN: usize = 8;
const SCALE: usize = 2;

/// Redraws on every change of the augmentation controls.
pub fn start() {
    for id in [
        "augment-translate-on",
        "augment-translate",
        "augment-flip",
        "augment-erase-on",
        "augment-erase",
    ] {
        dom::on(id, "input", |_| draw());
        dom::on(id, "change", |_| draw());
    }
    dom::later(draw);
}

/// New training samples to show (after a training set is loaded).
pub fn set_samples(samples: Vec<Vec<u8>>) {
    SAMPLES.with(|s| *s.borrow_mut() = samples);
    draw();
}

fn draw() {
    if SAMPLES.with(|s| s.borrow().is_empty()) {
        return dom::placeholder(
            "augment-preview",
            "Training images, changed as the augmentation above would, appear when data is loaded.",
        );
    }
    dom::describe(
        "augment-preview",
        "Training images as the augmentation above changes them (a new draw at each change).",
    );
    let canvas = dom::canvas("augment-preview");
    let Some(context) = dom::context_2d(&canvas) else {
        return;
    };
    context.set_fill_style_str("#ffffff");
    context.fill_rect(0.0, 0.0, canvas.width() as f64, canvas.height() as f64);
    let augmentation = match settings::augmentation() {
        Ok(augmentation) => augmentation.unwrap_or_default(),
        Err(message) => {
            return dom::placeholder("augment-preview", &message);
        }
    };
    // A new draw each time: the preview shows the variety, not one fixed outcome.
    let mut rng = SeededRng::new(atelier_browser::js::now() as u64);
    let cell = (IMAGE_SIDE * SCALE + 8) as f64;
    SAMPLES.with(|samples| {
        for (i, image) in samples.borrow().iter().take(SHOWN).enumerate() {
            let changed = augmentation.apply(image, &mut rng);
            dom::put_darkness(&context, &changed, SCALE, 4.0 + i as f64 * cell, 6.0);
        }
    });
}
