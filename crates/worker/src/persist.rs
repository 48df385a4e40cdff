//! Keeps the latest model in IndexedDB (through www/store.js) and gets it back after a reload.

use js_sys::{Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// The one record kept: the active model's file bytes and how the page names it.
const KEY: &str = "latest-model";

/// Larger models are not kept: IndexedDB would hold them, but copying a few hundred MB after
/// every epoch would stall training.
const MAX_KEPT_BYTES: usize = 64 << 20;

fn store_function(name: &str) -> Option<Function> {
    let store = Reflect::get(&js_sys::global(), &"atelierStore".into()).ok()?;
    let function = Reflect::get(&store, &name.into())
        .ok()?
        .dyn_into::<Function>()
        .ok()?;
    Some(function.bind0(&store))
}

/// Keeps `bytes` (a model file) as the model to restore, named `label`, and tells the page
/// whether it could (a model not kept is lost at the next reload: the user must know).
pub async fn keep(label: &str, bytes: &[u8]) {
    let problem = try_keep(label, bytes).await.err();
    crate::reply(&atelier_browser::protocol::Reply::Kept { problem });
}

async fn try_keep(label: &str, bytes: &[u8]) -> Result<(), String> {
    if bytes.len() > MAX_KEPT_BYTES {
        return Err(format!(
            "it is too large ({} MB) to keep in the browser's storage",
            bytes.len() >> 20
        ));
    }
    let put = store_function("put").ok_or("this browser gives the page no storage")?;
    let record = Object::new();
    let _ = Reflect::set(&record, &"label".into(), &label.into());
    let _ = Reflect::set(&record, &"bytes".into(), &Uint8Array::from(bytes).into());
    let promise = put
        .call2(&JsValue::NULL, &KEY.into(), &record)
        .map_err(|e| format!("{e:?}"))?;
    JsFuture::from(Promise::from(promise))
        .await
        .map(|_| ())
        .map_err(|e| refusal(&e))
}

/// Why the store refused, in words: the runs store's words, and store.js's own for a second tab.
fn refusal(error: &JsValue) -> String {
    let parts = atelier_browser::js::error_parts(error);
    match parts.0.as_str() {
        "AnotherTab" => parts.1,
        _ => atelier_browser::runs_store::refusal(&parts),
    }
}

/// The kept model's label and bytes, if there is one.
pub async fn restore() -> Option<(String, Vec<u8>)> {
    let get = store_function("get")?;
    let promise = get.call1(&JsValue::NULL, &KEY.into()).ok()?;
    let record = JsFuture::from(Promise::from(promise)).await.ok()?;
    if record.is_undefined() || record.is_null() {
        return None;
    }
    let label = Reflect::get(&record, &"label".into()).ok()?.as_string()?;
    let bytes = Reflect::get(&record, &"bytes".into()).ok()?;
    Some((label, Uint8Array::new(&bytes).to_vec()))
}
