//! The rehearsal of a run: what is run ahead of Train, on a few images, so that the kernels the
//! run starts with are compiled (and on WebGPU tuned) before it is asked for.

use serde::Serialize;

use super::{LrSchedule, TrainConfig};
use crate::data::held_out_count;

/// The batch size validation runs at: larger than training's, as nothing is kept for a
/// backward pass.
pub fn validation_batch_size(config: &TrainConfig) -> usize {
    config.batch_size.max(256)
}

/// What rehearses a run of `config` on a training set: every batch shape the run's first epoch
/// meets, once each. A full training batch and the epoch's last, partial one (the images left
/// over after whole batches), then a full validation batch and the last, partial one: each
/// shape compiles (and on WebGPU tunes) kernels of its own.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Rehearsal {
    /// The training part: one epoch of one batch, nothing held out. Whatever does not change
    /// a kernel is set aside (schedule, rate, seed, augmentation on the CPU, early stopping),
    /// so that two settings that run the same kernels have the same rehearsal.
    pub training: TrainConfig,
    /// Images the training part takes: a full batch and the run's remainder, or the whole
    /// training share when it is less than a batch.
    pub training_images: usize,
    /// Images then validated, the same way at the validation batch size (none when the run
    /// validates nothing).
    pub validation_images: usize,
    /// The batch size validation runs at.
    pub validation_batch_size: usize,
}

/// The rehearsal of a run of `config` on a training set of `images` images.
pub fn rehearsal(config: &TrainConfig, images: usize) -> Rehearsal {
    let held_out = held_out_count(images, config.validation_split);
    // One full batch of `batch` and the remainder, or all when there is less than a batch.
    let shapes = |count: usize, batch: usize| {
        if count >= batch {
            batch + count % batch
        } else {
            count
        }
    };
    let batch = config.batch_size;
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
        training_images: shapes(images - held_out, batch),
        validation_images: shapes(held_out, validation_batch_size(config)),
        validation_batch_size: validation_batch_size(config),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::preset;

    /// The run's shapes: 1,000 images at 0.2 train 800 (12 batches of 64 and one of 32) and
    /// validate 200 (one batch); 10,000 validate 2,000 (7 of 256 and one of 208).
    #[test]
    fn a_rehearsal_meets_each_batch_shape_of_the_run_once() {
        for (images, batch, training, validation) in [
            (1_000, 64, 64 + 32, 200),
            (1_000, 32, 32, 200),
            (10_000, 64, 64, 256 + 208),
            (300, 512, 240, 60),
            (60_000, 32, 32, 256 + 224),
        ] {
            let config = TrainConfig::new(preset("baseline").unwrap()).with_batch_size(batch);
            let rehearsal = rehearsal(&config, images);
            rehearsal.training.check().unwrap();
            assert_eq!(
                (rehearsal.training_images, rehearsal.validation_images),
                (training, validation),
                "{images} images, batch {batch}"
            );
            assert_eq!(rehearsal.training.validation_split, 0.0);
        }
        let none = TrainConfig::new(preset("baseline").unwrap()).with_validation_split(0.0);
        assert_eq!(rehearsal(&none, 1_000).validation_images, 0);
        assert_eq!(rehearsal(&none, 1_000).training_images, 32 + 8);
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
        assert_eq!(rehearsal(&base, 1_000), rehearsal(&other, 1_000));
        assert_ne!(
            rehearsal(&base, 1_000),
            rehearsal(&base.clone().with_batch_size(64), 1_000)
        );
    }
}
