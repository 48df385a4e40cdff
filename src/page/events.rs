//! The page's elements wired to what they ask for.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use web_sys::{DragEvent, File, FileList, HtmlInputElement};

use super::{actions, dom, kernels, settings, tuning};

pub fn wire() {
    for event in ["dragenter", "dragover"] {
        dom::on("drop-zone", event, |e| {
            e.prevent_default();
            let _ = dom::element("drop-zone").class_list().add_1("over");
        });
    }
    dom::on("drop-zone", "dragleave", |_| {
        let _ = dom::element("drop-zone").class_list().remove_1("over");
    });
    dom::on("drop-zone", "drop", |e| {
        e.prevent_default();
        let _ = dom::element("drop-zone").class_list().remove_1("over");
        if let Some(files) = dropped_files(&e) {
            spawn_local(actions::load_files(files));
        }
    });
    dom::on("file-input", "change", |_| {
        let input: HtmlInputElement = dom::typed("file-input");
        if let Some(files) = input.files() {
            let files = file_vec(&files);
            input.set_value("");
            spawn_local(actions::load_files(files));
        }
    });
    // The file pickers' labels act as buttons from the keyboard too.
    for (label, input) in [
        ("file-label", "file-input"),
        ("import-label", "import-layers"),
        ("import-runs-label", "import-runs"),
    ] {
        dom::on(label, "keydown", move |e| {
            let activates = e
                .dyn_ref::<web_sys::KeyboardEvent>()
                .is_some_and(|k| k.key() == "Enter" || k.key() == " ");
            if activates {
                e.prevent_default();
                dom::typed::<HtmlInputElement>(input).click();
            }
        });
    }
    dom::on("sample-button", "click", |_| {
        spawn_local(actions::load_sample())
    });
    dom::on("model-preset", "change", |_| {
        settings::choose_preset(&dom::value("model-preset"))
    });
    // Settings that change a run's kernels have them prepared ahead (kernels.rs decides which).
    for event in ["input", "change", "click"] {
        dom::on("step-model", event, |_| kernels::schedule());
    }
    dom::on("train-button", "click", |_| actions::train());
    dom::on("continue-button", "click", |_| actions::continue_training());
    dom::on("grid-button", "click", |_| actions::grid_search());
    dom::on("use-best", "click", |_| tuning::use_best());
    dom::on("pause-button", "click", |_| actions::toggle_pause());
    dom::on("stop-button", "click", |_| actions::stop());
    dom::on("download-predictions", "click", |_| {
        actions::download_predictions()
    });
    dom::on("save-model", "click", |_| actions::save_model());
    dom::on("tta", "change", |_| {
        actions::mirror_predictions(dom::typed::<HtmlInputElement>("tta").checked())
    });
    for event in ["dragenter", "dragover"] {
        dom::on("draw-pad", event, |e| e.prevent_default());
    }
    dom::on("draw-pad", "drop", |e| {
        e.prevent_default();
        if let Some(files) = dropped_files(&e) {
            spawn_local(actions::load_files(files));
        }
    });
}

fn dropped_files(event: &web_sys::Event) -> Option<Vec<File>> {
    let files = event.dyn_ref::<DragEvent>()?.data_transfer()?.files()?;
    Some(file_vec(&files))
}

fn file_vec(list: &FileList) -> Vec<File> {
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}
