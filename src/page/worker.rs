//! The engine's Web Worker as the page sees it: started once, sent requests, heard from. What
//! travels is `atelier_browser`'s protocol, in its envelope.

use std::cell::RefCell;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{MessageEvent, Worker};

use atelier_browser::protocol::envelope;
use atelier_browser::protocol::{Reply, Request};

thread_local! {
    static WORKER: RefCell<Option<Worker>> = const { RefCell::new(None) };
    /// Which start the running engine is: a dead engine's late events are not the new one's.
    static GENERATION: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Which start the running engine is (see [`terminate`]).
pub fn generation() -> u32 {
    GENERATION.with(|g| g.get())
}

/// Stops the engine, if one runs, and frees what it held; its late events are ignored.
pub fn terminate() {
    GENERATION.with(|g| g.set(g.get().wrapping_add(1)));
    if let Some(worker) = WORKER.with(|w| w.borrow_mut().take()) {
        worker.terminate();
    }
}

/// Starts the engine: its replies go to `on_reply` (with the bytes some carry), and its death or
/// a failure to start to `on_failure`. The page's address goes to the worker as it is: the
/// backend is the worker's choice (`www/worker.js`), unless `cpu_only` (after the GPU was
/// lost) adds `backend=cpu` to it.
pub fn start(on_reply: fn(Reply, Option<Vec<u8>>), on_failure: fn(&str), cpu_only: bool) {
    let generation = GENERATION.with(|g| g.get());
    let current = move || GENERATION.with(|g| g.get()) == generation;
    let mut search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    if cpu_only && let Ok(params) = web_sys::UrlSearchParams::new_with_str(&search) {
        params.set("backend", "cpu");
        search = format!("?{}", String::from(params.to_string()));
    }
    let worker = match Worker::new(&format!("./worker.js{search}")) {
        Ok(worker) => worker,
        Err(e) => return on_failure(&format!("The engine could not start: {e:?}")),
    };
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        if !current() {
            return;
        }
        match envelope::open_reply(&event.data()) {
            Ok((reply, bytes)) => on_reply(reply, bytes),
            Err(e) => {
                web_sys::console::error_1(&format!("unreadable reply from the engine: {e}").into())
            }
        }
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
        // An uncaught error in the engine (a trap, an allocation that failed) leaves its
        // WebAssembly in an unknown state: it counts as the engine's death.
        event.prevent_default();
        if !current() {
            return;
        }
        let message = js_sys::Reflect::get(&event, &"message".into())
            .ok()
            .and_then(|m| m.as_string())
            .unwrap_or_else(|| "unknown error".into());
        on_failure(&format!("The engine stopped: {message}"));
    });
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    on_error.forget();
    WORKER.with(|w| *w.borrow_mut() = Some(worker));
}

/// Posts a request to the engine, with file contents: `File`s (cloned as handles, no bytes
/// copied: the engine reads them) or `ArrayBuffer`s (transferred). An error says why it could
/// not be sent.
pub fn send(request: &Request, contents: &[JsValue]) -> Result<(), String> {
    let Some(worker) = WORKER.with(|w| w.borrow().clone()) else {
        return Err("The engine is not running.".into());
    };
    let envelope = envelope::request(request, contents);
    worker
        .post_message_with_transfer(&envelope.message, &envelope.transfer)
        .map_err(|e| format!("Could not reach the engine: {e:?}"))
}
