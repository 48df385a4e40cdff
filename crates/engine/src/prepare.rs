//! Kernels ready before Train: on WebGPU, the first batch of a run compiles its kernels
//! (BENCHMARKS.md, "The first minute on WebGPU"). Run ahead of time on a few images, the same
//! work leaves them in the device's caches, and the run that follows starts with them compiled.

use atelier_core::data::Dataset;
use atelier_core::train::{TrainConfig, TrainControl, TrainError, rehearsal};

use crate::autotune;
use crate::evaluate::evaluate;
use crate::host::TrainHost;
use crate::training::train;

/// Compiles the kernels a run of `config` on `dataset` begins with: its [`rehearsal`] on the
/// first images of `dataset` (its training batch shapes, then its validation batch shapes),
/// whose model and figures are dropped. Where tuning is paced ([`autotune`]) it tunes nothing:
/// the run tunes its shapes between its batches, and the winners kept from an earlier visit are
/// compiled here. Unpaced, it tunes every shape it meets. Stops between batches when `control`
/// says so (the user changed the settings, or pressed Train).
pub async fn prepare(
    config: &TrainConfig,
    dataset: &Dataset,
    device: &burn::prelude::Device,
    control: &TrainControl,
    host: &mut impl TrainHost,
) -> Result<(), TrainError> {
    let _untuned = autotune::rehearsing();
    let rehearsal = rehearsal(config, dataset.len());
    let images = (rehearsal.training_images + rehearsal.validation_images).min(dataset.len());
    let subset = dataset.select(&(0..images).collect::<Vec<_>>());
    let training = subset.clone().truncated(rehearsal.training_images);
    let trained = train(&rehearsal.training, &training, device, control, host).await?;
    let held_out: Vec<usize> = (rehearsal.training_images.min(images)..images).collect();
    if control.is_stopped() || held_out.is_empty() {
        return Ok(());
    }
    evaluate(
        &trained.model,
        &subset,
        &held_out,
        rehearsal.validation_batch_size,
        config.loss,
        device,
    )
    .await
    .map(|_| ())
}
