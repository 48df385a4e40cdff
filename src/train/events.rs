use serde::{Deserialize, Serialize};

/// Progress within an epoch.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BatchProgress {
    /// 1-based epoch.
    pub epoch: usize,
    /// 1-based batch within the epoch.
    pub batch: usize,
    /// Batches per epoch.
    pub batches: usize,
    /// This batch's mean loss, when it was read back (every `loss_every` batches).
    pub loss: Option<f32>,
    /// Training images per second so far in this epoch.
    pub images_per_second: f64,
}

/// One finished epoch.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EpochMetrics {
    /// 1-based epoch.
    pub epoch: usize,
    /// Mean loss over the epoch's training batches.
    pub train_loss: f32,
    /// Mean loss on the validation images (none when nothing is held out).
    pub val_loss: Option<f32>,
    /// Share of validation images classified right.
    pub val_accuracy: Option<f32>,
    /// Training images per second (the validation pass not counted).
    pub images_per_second: f64,
    /// Seconds the epoch took, validation included.
    pub seconds: f64,
}

/// Everything plotted: per-epoch metrics and the batch losses read along the way.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    /// Finished epochs.
    pub epochs: Vec<EpochMetrics>,
    /// (epochs done as a fraction, e.g. 1.25, loss) for each batch loss read.
    pub batch_losses: Vec<(f64, f32)>,
}

/// What the loop reports as it goes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum TrainEvent {
    /// Before the first batch.
    Started {
        train_images: usize,
        validation_images: usize,
        batches_per_epoch: usize,
    },
    /// Every few batches.
    Batch(BatchProgress),
    /// After each epoch's validation.
    Epoch(EpochMetrics),
    /// The loop ended, by itself or stopped. With early stopping, `best_epoch` is the epoch
    /// whose model was kept.
    Finished {
        epochs: usize,
        stopped: bool,
        #[serde(default)]
        best_epoch: Option<usize>,
    },
    /// The loop could not go on.
    Error { message: String },
}
