//! Grid search: the same model trained once per combination of learning rate and batch size,
//! on a subset, each scored on its validation split; the notebook's learning-rate tuning.

use serde::{Deserialize, Serialize};

use super::{TrainConfig, TrainError};

/// What to try.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GridSpec {
    /// Learning rates to try.
    pub learning_rates: Vec<f64>,
    /// Batch sizes to try (empty: the base settings' only).
    pub batch_sizes: Vec<usize>,
    /// Train on the first this many images (the validation share is held out of them).
    pub subset: usize,
    /// Epochs per trial.
    pub epochs: usize,
}

/// One finished trial.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Trial {
    pub learning_rate: f64,
    pub batch_size: usize,
    pub val_loss: f32,
    pub val_accuracy: f32,
    pub seconds: f64,
    /// The loss became NaN: the rate is too high (scored as accuracy 0).
    pub diverged: bool,
}

impl GridSpec {
    /// The settings of each trial, in order: every rate for the first batch size, and so on.
    pub fn trials(&self, base: &TrainConfig) -> Result<Vec<TrainConfig>, TrainError> {
        if self.learning_rates.is_empty() {
            return Err(TrainError::Config(
                "give at least one learning rate to try".into(),
            ));
        }
        if self.subset < 10 {
            return Err(TrainError::Config(format!(
                "a subset of {} images is too small to compare settings on",
                self.subset
            )));
        }
        if base.validation_split <= 0.0 {
            return Err(TrainError::Config(
                "grid search compares validation scores: hold out a validation share".into(),
            ));
        }
        let sizes = if self.batch_sizes.is_empty() {
            vec![base.batch_size]
        } else {
            self.batch_sizes.clone()
        };
        let mut configs = Vec::new();
        for &batch_size in &sizes {
            for &rate in &self.learning_rates {
                let config = base
                    .clone()
                    .with_learning_rate(rate)
                    .with_batch_size(batch_size)
                    .with_epochs(self.epochs)
                    .with_early_stopping(None);
                config.check()?;
                configs.push(config);
            }
        }
        Ok(configs)
    }
}

/// The trial with the best validation accuracy (the lower loss breaks a tie).
pub fn best_trial(trials: &[Trial]) -> Option<&Trial> {
    trials.iter().max_by(|a, b| {
        a.val_accuracy
            .total_cmp(&b.val_accuracy)
            .then(b.val_loss.total_cmp(&a.val_loss))
    })
}
