//! The training form: read into a [`TrainConfig`], and filled back from a model's settings.

use wasm_bindgen::JsCast;

use atelier_core::data::Augmentation;
use atelier_core::model::preset;
use atelier_core::train::{LossKind, LrSchedule, OptimizerKind, Recipe, TrainConfig, recipe};

use super::{dom, layer_editor};

fn number<T: std::str::FromStr>(id: &str, what: &str) -> Result<T, String> {
    let text = dom::value(id);
    text.trim()
        .parse()
        .map_err(|_| format!("{what}: {text:?} is not a valid number"))
}

fn checked(id: &str) -> bool {
    dom::typed::<web_sys::HtmlInputElement>(id).checked()
}

/// The augmentation switches and strengths; `None` when all are off.
pub fn augmentation() -> Result<Option<Augmentation>, String> {
    let augmentation = Augmentation {
        translate: if checked("augment-translate-on") {
            number("augment-translate", "translation")?
        } else {
            0
        },
        flip: checked("augment-flip"),
        erase: if checked("augment-erase-on") {
            number("augment-erase", "erasing share")?
        } else {
            0.0
        },
    };
    augmentation.check()?;
    Ok((!augmentation.is_off()).then_some(augmentation))
}

/// The form's settings, checked.
pub fn read() -> Result<TrainConfig, String> {
    let model = layer_editor::spec();
    model.validate().map_err(|e| e.to_string())?;
    let patience: usize = if checked("early-stopping-on") {
        number("early-stopping", "early-stopping patience")?
    } else {
        0
    };
    let config = TrainConfig::new(model)
        .with_optimizer(dom::value("optimizer").parse::<OptimizerKind>()?)
        .with_loss(dom::value("loss").parse::<LossKind>()?)
        .with_schedule(dom::value("schedule").parse::<LrSchedule>()?)
        .with_learning_rate(number("learning-rate", "learning rate")?)
        .with_momentum(number("momentum", "momentum")?)
        .with_weight_decay(number("weight-decay", "weight decay")?)
        .with_batch_size(number("batch-size", "batch size")?)
        .with_epochs(number("epochs", "epochs")?)
        .with_validation_split(number("val-split", "validation share")?)
        .with_seed(number("seed", "seed")?)
        .with_augmentation(augmentation()?)
        .with_early_stopping((patience > 0).then_some(patience))
        .with_loss_every(loss_every());
    config.check().map_err(|e| e.to_string())?;
    Ok(config)
}

/// How often the chart's batch loss is read back: every 10 batches, or as the page's address
/// asks with `?loss-every=N` (the like-for-like benchmark reads it after every batch, as its
/// peers do).
fn loss_every() -> usize {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .and_then(|search| web_sys::UrlSearchParams::new_with_str(&search).ok())
        .and_then(|params| params.get("loss-every"))
        .and_then(|n| n.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(10)
}

/// The preset menu's choice: its layers into the editor, and its recipe into the form when it
/// has one (the seed, the validation share and the loss stay the user's).
pub fn choose_preset(name: &str) {
    let Some(spec) = preset(name) else {
        return;
    };
    layer_editor::set(&spec);
    if let Some(recipe) = recipe(name) {
        apply_recipe(&recipe);
    }
}

fn apply_recipe(recipe: &Recipe) {
    set_value("optimizer", &recipe.optimizer.to_string());
    set_value("learning-rate", &recipe.learning_rate.to_string());
    set_value("schedule", &recipe.schedule.to_string());
    set_value("batch-size", &recipe.batch_size.to_string());
    set_value("epochs", &recipe.epochs.to_string());
    apply_augmentation(recipe.augmentation.as_ref());
}

/// Puts a model's training settings into the form (after a reload or loading a model file), so
/// that "Train" repeats them.
pub fn apply(config: &TrainConfig) {
    layer_editor::set(&config.model);
    set_value("optimizer", &config.optimizer.to_string());
    set_value("loss", &config.loss.to_string());
    set_value("schedule", &config.schedule.to_string());
    set_value("learning-rate", &config.learning_rate.to_string());
    set_value("momentum", &config.momentum.to_string());
    set_value("weight-decay", &config.weight_decay.to_string());
    set_value("batch-size", &config.batch_size.to_string());
    set_value("epochs", &config.epochs.to_string());
    set_value("val-split", &config.validation_split.to_string());
    set_value("seed", &config.seed.to_string());
    set_checked("early-stopping-on", config.early_stopping.is_some());
    if let Some(patience) = config.early_stopping {
        set_value("early-stopping", &patience.to_string());
    }
    apply_augmentation(config.augmentation.as_ref());
}

/// The augmentation switches and strengths (all off for `None`).
fn apply_augmentation(augmentation: Option<&Augmentation>) {
    let augmentation = augmentation.cloned().unwrap_or_default();
    set_checked("augment-translate-on", augmentation.translate > 0);
    if augmentation.translate > 0 {
        set_value("augment-translate", &augmentation.translate.to_string());
    }
    set_checked("augment-flip", augmentation.flip);
    set_checked("augment-erase-on", augmentation.erase > 0.0);
    if augmentation.erase > 0.0 {
        set_value("augment-erase", &augmentation.erase.to_string());
    }
}

/// Sets an `<input>` or `<select>`'s value.
pub fn set_value(id: &str, value: &str) {
    let element = dom::element(id);
    if let Some(input) = element.dyn_ref::<web_sys::HtmlInputElement>() {
        input.set_value(value);
    } else if let Some(select) = element.dyn_ref::<web_sys::HtmlSelectElement>() {
        select.set_value(value);
    }
}

fn set_checked(id: &str, on: bool) {
    dom::typed::<web_sys::HtmlInputElement>(id).set_checked(on);
}

pub fn team() -> String {
    let team: String = dom::value("team")
        .trim()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    if team.is_empty() { "X".into() } else { team }
}
