//! Kernels ready before Train: on WebGPU, the first batches of a run compile its kernels and
//! tune the matrix products for its shapes (BENCHMARKS.md, "Autotune"). Run ahead of time on a
//! few images, the same work leaves them in the device's caches, and the run that follows
//! starts with them compiled and tuned.

use atelier_core::data::Dataset;
use atelier_core::train::{TrainConfig, TrainControl, TrainError, rehearsal};

use crate::autotune;
use crate::evaluate::evaluate;
use crate::host::TrainHost;
use crate::training::train_tuning_on;

/// Compiles and tunes the kernels a run of `config` on `dataset` begins with: its [`rehearsal`]
/// on the first images of `dataset` (its training batch shapes, then its validation batch
/// shapes), whose model and figures are dropped. Tuning is paced, a kernel shape per batch
/// ([`autotune`]), so the rehearsal runs again while shapes it met wait for their tuning, as
/// long as each time tunes some. Stops between batches when `control` says so (the user changed
/// the settings, or pressed Train): what is tuned by then stays tuned.
pub async fn prepare(
    config: &TrainConfig,
    dataset: &Dataset,
    device: &burn::prelude::Device,
    control: &TrainControl,
    host: &mut impl TrainHost,
) -> Result<(), TrainError> {
    let mut waiting = None;
    loop {
        rehearse(config, dataset, device, control, host).await?;
        let left = autotune::deferred();
        let progress = waiting.is_none_or(|before| left < before);
        if control.is_stopped() || left == 0 || !progress {
            return Ok(());
        }
        waiting = Some(left);
    }
}

/// One run of the rehearsal of `config`.
async fn rehearse(
    config: &TrainConfig,
    dataset: &Dataset,
    device: &burn::prelude::Device,
    control: &TrainControl,
    host: &mut impl TrainHost,
) -> Result<(), TrainError> {
    let rehearsal = rehearsal(config, dataset.len());
    let images = (rehearsal.training_images + rehearsal.validation_images).min(dataset.len());
    let subset = dataset.select(&(0..images).collect::<Vec<_>>());
    let training = subset.clone().truncated(rehearsal.training_images);
    let trained = train_tuning_on(&rehearsal.training, &training, device, control, host).await?;
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
