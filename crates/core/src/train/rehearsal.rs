//! The rehearsal of a run: what is run ahead of Train, on a few images, so that the kernels the
//! run starts with are compiled (and on WebGPU tuned) before it is asked for.

use super::{LrSchedule, TrainConfig};

/// The batch size validation runs at: larger than training's, as nothing is kept for a
/// backward pass.
pub fn validation_batch_size(config: &TrainConfig) -> usize {
    config.batch_size.max(256)
}

/// The run that rehearses `config`, and the images it takes: one full training batch and one
/// validation batch of the size validation uses (fewer where the validation share's cap holds
/// it back), for one epoch. Whatever does not change a kernel is set aside (schedule, rate,
/// seed, augmentation on the CPU, early stopping), so that two settings that run the same
/// kernels have the same rehearsal.
pub fn rehearsal(config: &TrainConfig) -> (TrainConfig, usize) {
    let batch = config.batch_size;
    let validation = if config.validation_split > 0.0 {
        // The checks cap the validation share at 0.9: nine validation images per training one.
        validation_batch_size(config).min(9 * batch)
    } else {
        0
    };
    let images = batch + validation;
    let rehearsal = TrainConfig {
        epochs: 1,
        validation_split: validation as f64 / images as f64,
        early_stopping: None,
        augmentation: None,
        schedule: LrSchedule::Constant,
        learning_rate: 1e-3,
        seed: 0,
        ..config.clone()
    };
    (rehearsal, images)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::split_indices;
    use crate::model::preset;

    #[test]
    fn a_rehearsal_splits_into_one_training_batch_and_one_validation_batch() {
        for (batch, validation) in [(64, 256), (512, 512), (16, 144), (1, 9)] {
            let config = TrainConfig::new(preset("baseline").unwrap()).with_batch_size(batch);
            let (rehearsal, images) = rehearsal(&config);
            rehearsal.check().unwrap();
            let split = split_indices(images, rehearsal.validation_split, rehearsal.seed);
            assert_eq!(
                (split.train.len(), split.validation.len()),
                (batch, validation)
            );
        }
        let none = TrainConfig::new(preset("baseline").unwrap()).with_validation_split(0.0);
        let (rehearsal, images) = rehearsal(&none);
        assert_eq!((rehearsal.validation_split, images), (0.0, 32));
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
