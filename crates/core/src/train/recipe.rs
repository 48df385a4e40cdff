//! How a preset is trained to its measured accuracy: the settings the page fills in when the
//! preset is chosen, and the ones BENCHMARKS.md's "Accuracy of the presets" ran.

use super::{LrSchedule, OptimizerKind, TrainConfig};
use crate::data::Augmentation;

/// The training choices of a preset's recipe; the rest (seed, validation share, loss) stay the
/// user's.
#[derive(Clone, Debug, PartialEq)]
pub struct Recipe {
    pub optimizer: OptimizerKind,
    pub learning_rate: f64,
    pub schedule: LrSchedule,
    pub batch_size: usize,
    pub epochs: usize,
    pub augmentation: Option<Augmentation>,
}

impl Recipe {
    /// `config` with this recipe's training choices; its other settings as they were.
    pub fn apply_to(&self, config: TrainConfig) -> TrainConfig {
        config
            .with_optimizer(self.optimizer)
            .with_learning_rate(self.learning_rate)
            .with_schedule(self.schedule)
            .with_batch_size(self.batch_size)
            .with_epochs(self.epochs)
            .with_augmentation(self.augmentation.clone())
    }
}

/// The recipe of the preset `name`, when it has one of its own (the notebook's presets are
/// trained with whatever the user sets, as in the notebook).
pub fn recipe(name: &str) -> Option<Recipe> {
    match name {
        // 0.94 on the test images within 30 epochs: the mirror and a one-pixel shift keep the
        // wider model from memorising, the cosine schedule ends with fine steps.
        "vgg" => Some(Recipe {
            optimizer: OptimizerKind::Adam,
            learning_rate: 1e-3,
            schedule: LrSchedule::Cosine,
            batch_size: 64,
            epochs: 30,
            augmentation: Some(Augmentation {
                translate: 1,
                flip: true,
                erase: 0.0,
            }),
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{PRESET_NAMES, preset};

    #[test]
    fn every_recipe_is_of_a_preset_and_its_settings_pass_the_checks() {
        for name in PRESET_NAMES {
            let Some(recipe) = recipe(name) else { continue };
            let config = recipe.apply_to(TrainConfig::new(preset(name).unwrap()));
            assert_eq!(config.epochs, recipe.epochs);
            config.check().unwrap();
        }
        assert!(recipe("vgg").is_some());
        assert!(recipe("nonsense").is_none());
    }
}
