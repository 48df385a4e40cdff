//! The page (main thread): static HTML from `index.html` with stable `data-testid`s, wired to
//! the engine worker. It only draws and forwards: no parsing or training happens here.

mod app;
mod augment_preview;
mod browser;
mod dom;
mod draw_pad;
mod layer_editor;
mod mistakes;
mod overview;
mod results;
mod settings;
mod training_view;
mod tuning;

/// Called once by the page's binary.
pub fn start() {
    let _ = console_log::init_with_level(log::Level::Warn);
    std::panic::set_hook(Box::new(|info| {
        let message = info.to_string();
        web_sys::console::error_1(&message.clone().into());
        dom::show_error(&format!("Something went wrong in the page: {message}"));
        dom::set_state("error");
    }));
    app::start();
}
