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
    /// Kernel shapes the engine met and runs untuned until it has tuned them, one per batch
    /// (WebGPU in a browser; always 0 elsewhere).
    #[serde(default)]
    pub kernels_to_tune: usize,
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

impl History {
    /// Adds what `event` tells to the history: a batch's loss, when it was read, and each
    /// finished epoch. The loop and the page both build their history this way, so that the
    /// charts during training and after a reload are the same.
    pub fn record(&mut self, event: &TrainEvent) {
        match event {
            TrainEvent::Batch(BatchProgress {
                epoch,
                batch,
                batches,
                loss: Some(loss),
                ..
            }) => self.batch_losses.push((
                *epoch as f64 - 1.0 + *batch as f64 / (*batches).max(1) as f64,
                *loss,
            )),
            TrainEvent::Epoch(metrics) => self.epochs.push(metrics.clone()),
            _ => {}
        }
    }

    /// A model trained further from a saved one keeps its earlier epochs: `later` (numbered
    /// from 1 again) goes on after this history's last epoch.
    pub fn continue_with(&mut self, later: &History) {
        let offset = self.epochs.len();
        self.epochs
            .extend(later.epochs.iter().cloned().map(|mut m| {
                m.epoch += offset;
                m
            }));
        self.batch_losses.extend(
            later
                .batch_losses
                .iter()
                .map(|&(x, loss)| (x + offset as f64, loss)),
        );
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn epoch(epoch: usize) -> EpochMetrics {
        EpochMetrics {
            epoch,
            train_loss: 1.0 / epoch as f32,
            val_loss: None,
            val_accuracy: None,
            images_per_second: 100.0,
            seconds: 1.0,
        }
    }

    fn batch(epoch: usize, batch: usize, loss: Option<f32>) -> TrainEvent {
        TrainEvent::Batch(BatchProgress {
            epoch,
            batch,
            batches: 4,
            loss,
            images_per_second: 100.0,
            kernels_to_tune: 0,
        })
    }

    #[test]
    fn record_keeps_read_batch_losses_and_finished_epochs() {
        let mut history = History::default();
        for event in [
            TrainEvent::Started {
                train_images: 8,
                validation_images: 2,
                batches_per_epoch: 4,
            },
            batch(1, 2, Some(0.5)),
            batch(1, 3, None),
            TrainEvent::Epoch(epoch(1)),
            batch(2, 4, Some(0.25)),
            TrainEvent::Finished {
                epochs: 1,
                stopped: true,
                best_epoch: None,
            },
        ] {
            history.record(&event);
        }
        assert_eq!(history.batch_losses, vec![(0.5, 0.5), (2.0, 0.25)]);
        assert_eq!(history.epochs, vec![epoch(1)]);
    }

    #[test]
    fn a_continued_history_goes_on_after_the_earlier_epochs() {
        let mut earlier = History {
            epochs: vec![epoch(1), epoch(2)],
            batch_losses: vec![(0.5, 2.0), (1.5, 1.0)],
        };
        let later = History {
            epochs: vec![epoch(1)],
            batch_losses: vec![(0.5, 0.5)],
        };
        earlier.continue_with(&later);
        assert_eq!(
            earlier.epochs.iter().map(|e| e.epoch).collect::<Vec<_>>(),
            vec![1, 2, 3]
        );
        assert_eq!(earlier.epochs[2].train_loss, 1.0);
        assert_eq!(earlier.batch_losses.last(), Some(&(2.5, 0.5)));
    }
}
