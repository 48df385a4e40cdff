//! Waiting without blocking, downloads, and other browser services.

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

fn window() -> web_sys::Window {
    web_sys::window().expect("a page has a window")
}

/// Gives the event loop a turn (boot.js's `atelierYield`: not clamped like `setTimeout(0)`).
pub async fn yield_now() {
    let yielder = Reflect::get(&window(), &"atelierYield".into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok());
    match yielder.and_then(|f| f.call0(&JsValue::NULL).ok()) {
        Some(promise) => {
            let _ = JsFuture::from(Promise::from(promise)).await;
        }
        None => sleep(0).await,
    }
}

/// Waits `milliseconds`.
pub async fn sleep(milliseconds: u32) {
    let promise = Promise::new(&mut |resolve, _| {
        let _ = window()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, milliseconds as i32);
    });
    let _ = JsFuture::from(promise).await;
}

/// Milliseconds since the page opened.
pub fn now() -> f64 {
    window().performance().map_or(0.0, |p| p.now())
}

/// Offers `text` as a file download named `name`.
pub fn download(name: &str, text: &str, mime: &str) -> Result<(), JsValue> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let anchor: web_sys::HtmlAnchorElement =
        super::dom::document().create_element("a")?.dyn_into()?;
    anchor.set_href(&url);
    anchor.set_download(name);
    anchor.click();
    // Revoke later: the download has to start reading the URL first.
    let revoke = Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    let _ = window()
        .set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 60_000);
    Ok(())
}

/// The query parameter `name` of the page's URL.
pub fn query_param(name: &str) -> Option<String> {
    let search = window().location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search)
        .ok()?
        .get(name)
}

/// Calls an async function that boot.js put on `window` and returns its string result.
pub async fn call_boot_string(name: &str) -> Option<String> {
    let function = Reflect::get(&window(), &name.into())
        .ok()?
        .dyn_into::<Function>()
        .ok()?;
    let promise = Promise::from(function.call0(&JsValue::NULL).ok()?);
    JsFuture::from(promise).await.ok()?.as_string()
}

/// True when `navigator.gpu` exists.
pub fn has_webgpu() -> bool {
    Reflect::get(&window().navigator(), &"gpu".into()).is_ok_and(|gpu| !gpu.is_undefined())
}

/// The bytes of a `File` (or any `Blob`).
pub async fn blob_bytes(blob: &web_sys::Blob) -> Result<Vec<u8>, JsValue> {
    let buffer = JsFuture::from(blob.array_buffer()).await?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// The bytes at a URL of this site.
pub async fn fetch_bytes(url: &str) -> Result<Vec<u8>, String> {
    let response = JsFuture::from(window().fetch_with_str(url))
        .await
        .map_err(|e| format!("{url}: {e:?}"))?;
    let response: web_sys::Response = response
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
