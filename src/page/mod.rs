//! The page (main thread): static HTML from `index.html` with stable `data-testid`s, wired to
//! the engine worker. It only draws and forwards: no parsing or training happens here.

mod actions;
mod app;
mod augment_preview;
mod browser;
mod chart_canvas;
mod dom;
mod draw_pad;
mod events;
mod kernels;
mod layer_editor;
mod mistakes;
mod overview;
mod phase;
mod replies;
mod results;
mod runs;
mod settings;
mod training_view;
mod tuning;
mod worker;

/// Called once by the page's binary.
pub fn start() {
    let _ = console_log::init_with_level(log::Level::Warn);
    std::panic::set_hook(Box::new(|info| {
        let message = info.to_string();
        web_sys::console::error_1(&message.clone().into());
        dom::show_error(&format!("Something went wrong in the page: {message}"));
        // Straight to the DOM, not through the phase: the panic may have happened while the
        // page's state was borrowed.
        dom::set_state("error");
    }));
    events::wire();
    draw_pad::start(actions::classify);
    layer_editor::start(|valid| {
        app::with_page(|p| p.layers_valid = valid);
        app::update_buttons();
    });
    mistakes::start();
    runs::start();
    augment_preview::start();
    // Empty states say what will appear, each in a task of its own (text is slow to draw first).
    dom::later(overview::show_empty);
    dom::later(|| {
        // A model restored meanwhile has drawn its own curves.
        if app::with_page(|p| p.view.is_none()) {
            training_view::show_empty();
        }
    });
    dom::later(tuning::show_empty);
    dom::set_disabled("save-model", true);
    app::start(replies::on_reply);
}
