//! The browser face (wasm32 only). The page is static HTML (`index.html`) with stable
//! `data-testid`s; this module wires it to the core. Everything heavy is async and yields to
//! the event loop often, so the page never freezes.

mod app;
mod backend;
mod dom;
mod files;
mod host;
mod js;
mod overview;
mod results;
mod settings;
mod training_view;

/// Called once by the page's binary.
pub fn start() {
    let _ = console_log::init_with_level(log::Level::Warn);
    std::panic::set_hook(Box::new(|info| {
        let message = info.to_string();
        web_sys::console::error_1(&message.clone().into());
        dom::show_error(&format!("Something went wrong inside Atelier: {message}"));
        dom::set_state("error");
    }));
    wasm_bindgen_futures::spawn_local(app::run());
}
