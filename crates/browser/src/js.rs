//! Browser services that work on the page and in the worker alike (both have a global scope
//! with `setTimeout`, `performance`, `navigator`, `fetch`).

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

fn global() -> JsValue {
    js_sys::global().into()
}

fn global_function(name: &str) -> Option<Function> {
    Reflect::get(&global(), &name.into())
        .ok()?
        .dyn_into::<Function>()
        .ok()
}

/// A JavaScript error's `name` and `message` (a `DOMException`'s too); empty when absent.
pub fn error_parts(error: &JsValue) -> (String, String) {
    let field = |name: &str| {
        Reflect::get(error, &name.into())
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default()
    };
    (field("name"), field("message"))
}

/// Waits `milliseconds`.
pub async fn sleep(milliseconds: u32) {
    let promise = Promise::new(&mut |resolve, _| {
        if let Some(set_timeout) = global_function("setTimeout") {
            let _ = set_timeout.call2(&JsValue::NULL, &resolve, &milliseconds.into());
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// Gives the event loop a turn (`atelierYield` from gpu.js: not clamped like `setTimeout(0)`).
pub async fn yield_now() {
    match global_function("atelierYield").and_then(|f| f.call0(&JsValue::NULL).ok()) {
        Some(promise) => {
            let _ = JsFuture::from(Promise::from(promise)).await;
        }
        None => sleep(0).await,
    }
}

/// True when the global `name` (set by the worker's or page's JavaScript) is `true`.
pub fn global_flag(name: &str) -> bool {
    Reflect::get(&global(), &name.into()).is_ok_and(|v| v.as_bool() == Some(true))
}

/// The global `name` (set by the worker's or page's JavaScript) when it is a string.
pub fn global_string(name: &str) -> Option<String> {
    Reflect::get(&global(), &name.into()).ok()?.as_string()
}

/// Milliseconds since the page (or worker) started.
pub fn now() -> f64 {
    Reflect::get(&global(), &"performance".into())
        .ok()
        .and_then(|p| p.dyn_into::<web_sys::Performance>().ok())
        .map_or(0.0, |p| p.now())
}

/// True when `navigator.gpu` exists.
pub fn has_webgpu() -> bool {
    Reflect::get(&global(), &"navigator".into())
        .and_then(|n| Reflect::get(&n, &"gpu".into()))
        .is_ok_and(|gpu| !gpu.is_undefined())
}

/// Calls a function that the worker's or page's JavaScript put on the global scope, if it is
/// there; its result is not needed.
pub fn call_global(name: &str) {
    if let Some(function) = global_function(name) {
        let _ = function.call0(&JsValue::NULL);
    }
}

/// Calls an async function that gpu.js put on the global scope; its string result.
pub async fn call_global_string(name: &str) -> Option<String> {
    let promise = Promise::from(global_function(name)?.call0(&JsValue::NULL).ok()?);
    JsFuture::from(promise).await.ok()?.as_string()
}

/// The bytes at `url`, fetched with the global `fetch` (page or worker).
pub async fn fetch_bytes(url: &str) -> Result<Vec<u8>, String> {
    let fetch = global_function("fetch").ok_or("this browser has no fetch")?;
    let response = fetch
        .call1(&JsValue::NULL, &url.into())
        .map_err(|e| format!("{url}: {e:?}"))?;
    let response: web_sys::Response = JsFuture::from(Promise::from(response))
        .await
        .map_err(|e| format!("{url}: {e:?}"))?
        .dyn_into()
        .map_err(|_| format!("{url}: no response"))?;
    if !response.ok() {
        return Err(format!("{url}: HTTP {}", response.status()));
    }
    let buffer = JsFuture::from(response.array_buffer().map_err(|e| format!("{e:?}"))?)
        .await
        .map_err(|e| format!("{url}: {e:?}"))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}
