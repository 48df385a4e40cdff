//! The engine, in a dedicated Web Worker: it owns the data, the device and the model, so that
//! parsing, GPU kernel compilation, autotuning and training never block the page. WebAssembly
//! only; natively this crate is empty.
#![cfg(target_arch = "wasm32")]

mod backend;
mod engine;
mod files;
mod host;
mod models;
mod persist;
mod runs;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use atelier_browser::protocol::Reply;
use atelier_browser::protocol::envelope::{self, Envelope};

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// Sends a reply to the page.
pub(crate) fn reply(reply: &Reply) {
    post(envelope::reply(reply, None));
}

/// Sends a reply with bytes beside it (transferred, not copied again).
pub(crate) fn reply_with_bytes(reply: &Reply, bytes: &[u8]) {
    post(envelope::reply(reply, Some(bytes)));
}

fn post(envelope: Envelope) {
    if let Err(e) = scope().post_message_with_transfer(&envelope.message, &envelope.transfer) {
        web_sys::console::error_1(&format!("unsendable reply: {e:?}").into());
    }
}

/// Called once by the worker's binary.
pub fn start() {
    let _ = console_log::init_with_level(log::Level::Warn);
    std::panic::set_hook(Box::new(|info| {
        let message = info.to_string();
        web_sys::console::error_1(&message.clone().into());
        reply(&Reply::EngineFailed {
            message: format!("Something went wrong inside the engine: {message}"),
        });
    }));
    let on_message =
        Closure::<dyn FnMut(MessageEvent)>::new(
            |event: MessageEvent| match envelope::open_request(&event.data()) {
                Ok((request, contents)) => engine::handle(request, contents),
                Err(e) => reply(&Reply::Failed {
                    message: format!("the engine got a message it does not understand: {e}"),
                }),
            },
        );
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
}
