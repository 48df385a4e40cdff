//! The rehearsal of a run: what is run ahead of Train, on a few images, so that the kernels the
//! run starts with are compiled (and on WebGPU tuned) before it is asked for.

use serde::Serialize;

use super::{LrSchedule, TrainConfig};

/// The batch size validation runs at: larger than training's, as nothing is kept for a
/// backward pass.
pub fn validation_batch_size(config: &TrainConfig) -> usize {
    config.batch_size.max(256)
}

/// What rehearses a run of `config`: one training step on a full batch, then one validation
/// batch of the size validation uses (fewer where the validation share's cap holds it back).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Rehearsal {
    /// The training part: one epoch of one batch, nothing held out. Whatever does not change
    /// a kernel is set aside (schedule, rate, seed, augmentation on the CPU, early stopping),
    /// so that two settings that run the same kernels have the same rehearsal.
    pub training: TrainConfig,
    /// Images the training part takes (a batch).
    pub training_images: usize,
    /// Images then validated in one batch (none when the run validates nothing).
    pub validation_images: usize,
    /// The batch size validation runs at.
    pub validation_batch_size: usize,
}

/// The rehearsal of a run of `config`.
pub fn rehearsal(config: &TrainConfig) -> Rehearsal {
    let batch = config.batch_size;
    let validation_images = if config.validation_split > 0.0 {
        // The checks cap the validation share at 0.9: nine validation images per training one.
        validation_batch_size(config).min(9 * batch)
    } else {
        0
    };
    Rehearsal {
        training: TrainConfig {
            epochs: 1,
            validation_split: 0.0,
            early_stopping: None,
            augmentation: None,
            schedule: LrSchedule::Constant,
            learning_rate: 1e-3,
            seed: 0,
            ..config.clone()
        },
        training_images: batch,
        validation_images,
        validation_batch_size: validation_batch_size(config),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::preset;

    #[test]
    fn a_rehearsal_is_one_training_batch_then_one_validation_batch() {
        for (batch, validation) in [(64, 256), (512, 512), (16, 144), (1, 9)] {
            let config = TrainConfig::new(preset("baseline").unwrap()).with_batch_size(batch);
            let rehearsal = rehearsal(&config);
            rehearsal.training.check().unwrap();
            assert_eq!(
                (rehearsal.training_images, rehearsal.validation_images),
                (batch, validation)
            );
            assert_eq!(rehearsal.training.validation_split, 0.0);
        }
        let none = TrainConfig::new(preset("baseline").unwrap()).with_validation_split(0.0);
        assert_eq!(rehearsal(&none).validation_images, 0);
    }

    #[test]
    fn settings_that_run_the_same_kernels_rehearse_alike() {
        let base = TrainConfig::new(preset("baseline").unwrap());
        let other = base
            .clone()
            .with_learning_rate(0.1)
            .with_seed(7)
            .with_epochs(30)
            .with_schedule(LrSchedule::Cosine);
        assert_eq!(rehearsal(&base), rehearsal(&other));
        assert_ne!(
            rehearsal(&base),
            rehearsal(&base.clone().with_batch_size(64))
        );
    }
}
