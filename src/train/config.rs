use std::fmt;

use burn::config::Config;

use super::{LossKind, LrSchedule, OptimizerKind};
use crate::data::{Augmentation, DataError};
use crate::model::{ModelSpec, SpecError};

/// Everything that decides a training run. Same config, same data, same CPU backend: same
/// numbers.
#[derive(Config, Debug)]
pub struct TrainConfig {
    /// The layers to train.
    pub model: ModelSpec,
    /// How weights follow gradients.
    #[config(default = "OptimizerKind::Adam")]
    pub optimizer: OptimizerKind,
    /// What is minimised.
    #[config(default = "LossKind::CrossEntropy")]
    pub loss: LossKind,
    /// Step size.
    #[config(default = 1e-3)]
    pub learning_rate: f64,
    /// How the rate changes over the run.
    #[config(default = "LrSchedule::Constant")]
    pub schedule: LrSchedule,
    /// SGD's momentum.
    #[config(default = 0.9)]
    pub momentum: f64,
    /// L2 penalty (decoupled for AdamW); 0 for none.
    #[config(default = 0.0)]
    pub weight_decay: f64,
    /// Images per step.
    #[config(default = 32)]
    pub batch_size: usize,
    /// Passes over the training images.
    #[config(default = 5)]
    pub epochs: usize,
    /// Decides the split, the order of images and the initial weights.
    #[config(default = 12345)]
    pub seed: u64,
    /// Share of the images held out for validation.
    #[config(default = 0.2)]
    pub validation_split: f64,
    /// Read the batch loss back every this many batches (each read waits for the GPU).
    #[config(default = 20)]
    pub loss_every: usize,
    /// Random changes to the training images, batch by batch (none when absent).
    pub augmentation: Option<Augmentation>,
    /// Stop when the validation loss has not improved for this many epochs, and keep the
    /// best epoch's model (never when absent).
    pub early_stopping: Option<usize>,
}

impl TrainConfig {
    /// Checks the numbers before any work starts.
    pub fn check(&self) -> Result<(), TrainError> {
        let bad = |message: String| Err(TrainError::Config(message));
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return bad(format!(
                "learning rate {} must be a positive number",
                self.learning_rate
            ));
        }
        if self.batch_size == 0 {
            return bad("batch size must be at least 1".into());
        }
        if self.epochs == 0 {
            return bad("epochs must be at least 1".into());
        }
        if !(0.0..=0.9).contains(&self.validation_split) {
            return bad(format!(
                "validation share {} must be between 0 and 0.9",
                self.validation_split
            ));
        }
        if !(0.0..1.0).contains(&self.momentum) {
            return bad(format!(
                "momentum {} must be at least 0 and below 1",
                self.momentum
            ));
        }
        if !(self.weight_decay.is_finite() && self.weight_decay >= 0.0) {
            return bad(format!(
                "weight decay {} must be 0 or more",
                self.weight_decay
            ));
        }
        if let Some(augmentation) = &self.augmentation {
            augmentation.check().map_err(TrainError::Config)?;
        }
        if self.early_stopping == Some(0) {
            return bad("early-stopping patience must be at least 1 epoch".into());
        }
        if self.early_stopping.is_some() && self.validation_split == 0.0 {
            return bad(
                "early stopping watches the validation loss: hold out a validation share".into(),
            );
        }
        self.model.validate().map_err(TrainError::Model)?;
        Ok(())
    }
}

/// Why training could not start or go on.
#[derive(Debug)]
pub enum TrainError {
    /// A setting out of range.
    Config(String),
    /// The model cannot be built.
    Model(SpecError),
    /// The training data is unusable (no labels, too few images).
    Data(String),
    /// The loss became NaN or infinite.
    Diverged { epoch: usize, batch: usize },
    /// The device failed (GPU lost, out of memory, ...).
    Device(String),
}

impl fmt::Display for TrainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrainError::Config(message) | TrainError::Data(message) => f.write_str(message),
            TrainError::Model(error) => write!(f, "the model cannot be built: {error}"),
            TrainError::Diverged { epoch, batch } => write!(
                f,
                "training diverged (the loss is not a number) in epoch {epoch}, batch {batch}: try a smaller learning rate"
            ),
            TrainError::Device(message) => write!(f, "the device failed: {message}"),
        }
    }
}

impl std::error::Error for TrainError {}

impl From<DataError> for TrainError {
    fn from(error: DataError) -> Self {
        TrainError::Data(error.to_string())
    }
}
