//! The engine, in a dedicated Web Worker: it owns the data, the device and the model, so that
//! parsing, GPU kernel compilation, autotuning and training never block the page.

mod backend;
mod engine;
mod files;
mod host;
mod models;
mod persist;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use super::protocol::{Reply, Request};

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// Sends a reply to the page.
pub(crate) fn reply(reply: &Reply) {
    match serde_json::to_string(reply) {
        Ok(json) => {
            let _ = scope().post_message(&json.into());
        }
        Err(e) => web_sys::console::error_1(&format!("unsendable reply: {e}").into()),
    }
}

/// Sends a reply with bytes beside it (transferred, not copied).
pub(crate) fn reply_with_bytes(reply: &Reply, bytes: &[u8]) {
    let Ok(json) = serde_json::to_string(reply) else {
        return;
    };
    let buffer = js_sys::Uint8Array::from(bytes).buffer();
    let message = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&message, &"json".into(), &json.into());
    let _ = js_sys::Reflect::set(&message, &"buffer".into(), &buffer);
    let _ = scope().post_message_with_transfer(&message, &js_sys::Array::of1(&buffer));
}

/// Called once by the worker's binary.
pub fn start() {
    let _ = console_log::init_with_level(log::Level::Warn);
    std::panic::set_hook(Box::new(|info| {
        let message = info.to_string();
        web_sys::console::error_1(&message.clone().into());
        reply(&Reply::Failed {
            message: format!("Something went wrong inside the engine: {message}"),
        });
    }));
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|event: MessageEvent| {
        let data = event.data();
        let json = js_sys::Reflect::get(&data, &"json".into())
            .ok()
            .and_then(|j| j.as_string())
            .unwrap_or_default();
        let contents: Vec<JsValue> = js_sys::Reflect::get(&data, &"contents".into())
            .ok()
            .and_then(|c| c.dyn_into::<js_sys::Array>().ok())
            .map(|array| array.iter().collect())
            .unwrap_or_default();
        match serde_json::from_str::<Request>(&json) {
            Ok(request) => engine::handle(request, contents),
            Err(e) => reply(&Reply::Failed {
                message: format!("the engine got a message it does not understand: {e}"),
            }),
        }
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
}
