use std::fmt;

use serde::{Deserialize, Serialize};

use super::{LossKind, LrSchedule, OptimizerKind};
use crate::data::{Augmentation, DataError};
use crate::model::{ModelSpec, SpecError};

/// At most this many images per step: more is no longer a batch, and one batch's activations
/// must fit in memory.
pub const MAX_BATCH_SIZE: usize = 4096;

/// At most this many passes over the training images.
pub const MAX_EPOCHS: usize = 1000;

/// Everything that decides a training run. Same config, same data, same CPU backend: same
/// numbers.
///
/// Built like a Burn `Config` (`new` with the required fields, `with_*` for the rest, the same
/// JSON), but written out: the page builds settings without linking Burn, which keeps its
/// WebAssembly small.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainConfig {
    /// The layers to train.
    pub model: ModelSpec,
    /// How weights follow gradients.
    pub optimizer: OptimizerKind,
    /// What is minimised.
    pub loss: LossKind,
    /// Step size.
    pub learning_rate: f64,
    /// How the rate changes over the run.
    pub schedule: LrSchedule,
    /// SGD's momentum.
    pub momentum: f64,
    /// L2 penalty (decoupled for AdamW); 0 for none.
    pub weight_decay: f64,
    /// Images per step.
    pub batch_size: usize,
    /// Passes over the training images.
    pub epochs: usize,
    /// Decides the split, the order of images and the initial weights.
    pub seed: u64,
    /// Share of the images held out for validation.
    pub validation_split: f64,
    /// Read the batch loss back every this many batches, and after each epoch's first (each
    /// read waits for the GPU; the first one tells the user the run has started).
    pub loss_every: usize,
    /// Random changes to the training images, batch by batch (none when absent).
    pub augmentation: Option<Augmentation>,
    /// Stop when the validation loss has not improved for this many epochs, and keep the
    /// best epoch's model (never when absent).
    pub early_stopping: Option<usize>,
}

impl TrainConfig {
    /// The layers to train, with every other setting at its default.
    pub fn new(model: ModelSpec) -> Self {
        Self {
            model,
            optimizer: OptimizerKind::Adam,
            loss: LossKind::CrossEntropy,
            learning_rate: 1e-3,
            schedule: LrSchedule::Constant,
            momentum: 0.9,
            weight_decay: 0.0,
            batch_size: 32,
            epochs: 5,
            seed: 12345,
            validation_split: 0.2,
            loss_every: 20,
            augmentation: None,
            early_stopping: None,
        }
    }

    /// Sets `optimizer`.
    pub fn with_optimizer(mut self, optimizer: OptimizerKind) -> Self {
        self.optimizer = optimizer;
        self
    }

    /// Sets `loss`.
    pub fn with_loss(mut self, loss: LossKind) -> Self {
        self.loss = loss;
        self
    }

    /// Sets `learning_rate`.
    pub fn with_learning_rate(mut self, learning_rate: f64) -> Self {
        self.learning_rate = learning_rate;
        self
    }

    /// Sets `schedule`.
    pub fn with_schedule(mut self, schedule: LrSchedule) -> Self {
        self.schedule = schedule;
        self
    }

    /// Sets `momentum`.
    pub fn with_momentum(mut self, momentum: f64) -> Self {
        self.momentum = momentum;
        self
    }

    /// Sets `weight_decay`.
    pub fn with_weight_decay(mut self, weight_decay: f64) -> Self {
        self.weight_decay = weight_decay;
        self
    }

    /// Sets `batch_size`.
    pub fn with_batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size;
        self
    }

    /// Sets `epochs`.
    pub fn with_epochs(mut self, epochs: usize) -> Self {
        self.epochs = epochs;
        self
    }

    /// Sets `seed`.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Sets `validation_split`.
    pub fn with_validation_split(mut self, validation_split: f64) -> Self {
        self.validation_split = validation_split;
        self
    }

    /// Sets `loss_every`.
    pub fn with_loss_every(mut self, loss_every: usize) -> Self {
        self.loss_every = loss_every;
        self
    }

    /// Sets `augmentation`.
    pub fn with_augmentation(mut self, augmentation: Option<Augmentation>) -> Self {
        self.augmentation = augmentation;
        self
    }

    /// Sets `early_stopping`.
    pub fn with_early_stopping(mut self, early_stopping: Option<usize>) -> Self {
        self.early_stopping = early_stopping;
        self
    }
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
        if !(1..=MAX_BATCH_SIZE).contains(&self.batch_size) {
            return bad(format!(
                "batch size {} must be from 1 to {MAX_BATCH_SIZE}",
                self.batch_size
            ));
        }
        if !(1..=MAX_EPOCHS).contains(&self.epochs) {
            return bad(format!(
                "epochs {} must be from 1 to {MAX_EPOCHS}",
                self.epochs
            ));
        }
        if self.loss_every == 0 {
            return bad("the loss must be read every 1 or more batches".into());
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
        if let Some(patience) = self.early_stopping
            && !(1..=MAX_EPOCHS).contains(&patience)
        {
            return bad(format!(
                "early-stopping patience {patience} must be from 1 to {MAX_EPOCHS} epochs"
            ));
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
