//! Runs to a file and back: the ticked runs (or all) with their models as one runs file, and a
//! runs file (from another browser, or `atelier train --run-record`) into this browser's runs.

use wasm_bindgen_futures::{JsFuture, spawn_local};
use web_sys::{File, HtmlInputElement};

use atelier_browser::runs_store;
use atelier_core::runs::{
    KeptRun, RUNS_EXTENSION, check_runs_file_size, read_runs_file, runs_file,
};

use super::{notice, refresh, with_panel};
use crate::page::{browser, dom};

pub fn wire() {
    dom::on("export-runs", "click", |_| spawn_local(export()));
    dom::on("import-runs", "change", |_| {
        let input: HtmlInputElement = dom::typed("import-runs");
        let file = input.files().and_then(|files| files.get(0));
        input.set_value("");
        if let Some(file) = file {
            spawn_local(import(file));
        }
    });
}

/// The ticked runs, or every run when none is ticked, with their models, as one file.
async fn export() {
    let runs: Vec<_> = with_panel(|p| {
        p.runs
            .iter()
            .filter(|r| p.selected.is_empty() || p.selected.contains(&r.record.id))
            .map(|r| r.record.clone())
            .collect()
    });
    if runs.is_empty() {
        return dom::show_error("There are no runs to export yet.");
    }
    let mut kept = Vec::with_capacity(runs.len());
    for record in runs {
        let model = if record.kept_model_bytes() > 0 {
            match runs_store::model(&record.id).await {
                Ok(model) => model,
                Err(error) => {
                    return dom::show_error(&format!(
                        "{}'s model could not be read: {error}.",
                        record.name
                    ));
                }
            }
        } else {
            None
        };
        kept.push(KeptRun { record, model });
    }
    let count = kept.len();
    let name = format!("atelier-runs.{RUNS_EXTENSION}");
    match browser::download_bytes(&name, &runs_file(&kept), "application/octet-stream") {
        Ok(()) => notice(&format!(
            "Exported {count} run{} to {name}.",
            if count == 1 { "" } else { "s" }
        )),
        Err(error) => dom::show_error(&format!("The export failed: {error:?}")),
    }
}

/// Reads a runs file and keeps its runs (all of them, or none when any is bad).
pub async fn import(file: File) {
    let name = file.name();
    let read = async {
        check_runs_file_size(file.size() as u64).map_err(|e| format!("{name}: {e}"))?;
        let buffer = JsFuture::from(file.array_buffer())
            .await
            .map_err(|e| format!("{name}: {e:?}"))?;
        let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
        read_runs_file(&bytes).map_err(|e| format!("{name}: {e}"))
    };
    let runs = match read.await {
        Ok(runs) => runs,
        Err(error) => return dom::show_error(&error),
    };
    let count = runs.len();
    let runs: Vec<_> = runs.into_iter().map(|r| (r.record, r.model)).collect();
    match runs_store::import_runs(&runs).await {
        Ok(()) => {
            dom::clear_error();
            notice(&format!(
                "Imported {count} run{} from {name}.",
                if count == 1 { "" } else { "s" }
            ));
        }
        Err(error) => dom::show_error(&format!("{name}: its runs could not be kept: {error}.")),
    }
    refresh().await;
}
