//! The model panel: the preset's layer table, and the settings read into a [`TrainConfig`].

use crate::model::{preset, preset_name};
use crate::train::{LossKind, LrSchedule, OptimizerKind, TrainConfig};

use wasm_bindgen::JsCast;

use super::dom;

/// Renders the chosen preset's layer table.
pub fn show_summary() {
    let name = dom::value("model-preset");
    let Some(Ok(summary)) = preset(&name).map(|s| s.summary()) else {
        dom::set_text("model-summary", "unknown model");
        return;
    };
    let mut rows = String::new();
    for (i, layer) in summary.layers.iter().enumerate() {
        rows += &format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            i + 1,
            dom::escape(&layer.description),
            layer.output,
            layer.parameters
        );
    }
    dom::set_html(
        "model-summary",
        &format!(
            "<table data-testid=\"model-summary\"><tr><th>#</th><th>layer</th><th>output shape</th><th>parameters</th></tr>{rows}\
             <tr><td></td><td><strong>total</strong></td><td></td><td data-testid=\"total-parameters\"><strong>{}</strong></td></tr></table>",
            summary.total_parameters()
        ),
    );
}

fn number<T: std::str::FromStr>(id: &str, what: &str) -> Result<T, String> {
    let text = dom::value(id);
    text.trim()
        .parse()
        .map_err(|_| format!("{what}: {text:?} is not a valid number"))
}

/// The training settings from the form, or what is wrong with them.
pub fn read() -> Result<TrainConfig, String> {
    let name = dom::value("model-preset");
    let model = preset(&name).ok_or_else(|| format!("unknown model {name:?}"))?;
    let config = TrainConfig::new(model)
        .with_optimizer(dom::value("optimizer").parse::<OptimizerKind>()?)
        .with_loss(dom::value("loss").parse::<LossKind>()?)
        .with_schedule(dom::value("schedule").parse::<LrSchedule>()?)
        .with_learning_rate(number("learning-rate", "learning rate")?)
        .with_batch_size(number("batch-size", "batch size")?)
        .with_epochs(number("epochs", "epochs")?)
        .with_validation_split(number("val-split", "validation share")?)
        .with_seed(number("seed", "seed")?)
        .with_loss_every(10);
    config.check().map_err(|e| e.to_string())?;
    Ok(config)
}

/// The team name for the predictions file: letters, digits, `-` and `_` only.
pub fn team() -> String {
    let team: String = dom::value("team")
        .trim()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    if team.is_empty() { "X".into() } else { team }
}

/// Puts a model's training settings into the form (after a reload or loading a model file), so
/// that "Train" repeats them.
pub fn apply(config: &TrainConfig) {
    if let Some(name) = preset_name(&config.model) {
        set_value("model-preset", name);
        show_summary();
    }
    set_value("optimizer", &config.optimizer.to_string());
    set_value("loss", &config.loss.to_string());
    set_value("schedule", &config.schedule.to_string());
    set_value("learning-rate", &config.learning_rate.to_string());
    set_value("batch-size", &config.batch_size.to_string());
    set_value("epochs", &config.epochs.to_string());
    set_value("val-split", &config.validation_split.to_string());
    set_value("seed", &config.seed.to_string());
}

fn set_value(id: &str, value: &str) {
    let element = dom::element(id);
    if let Some(input) = element.dyn_ref::<web_sys::HtmlInputElement>() {
        input.set_value(value);
    } else if let Some(select) = element.dyn_ref::<web_sys::HtmlSelectElement>() {
        select.set_value(value);
    }
}
