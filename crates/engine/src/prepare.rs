//! Kernels ready before Train: on WebGPU, the first batches of a run compile its kernels and
//! tune the matrix products for its shapes (BENCHMARKS.md, "Autotune"). Run ahead of time on a
//! few images, the same work leaves them in the device's caches, and the run that follows
//! starts at once.

use atelier_core::data::Dataset;
use atelier_core::train::{TrainConfig, TrainControl, TrainError, rehearsal};

use crate::host::TrainHost;
use crate::training::train;

/// Compiles (and tunes) the kernels a run of `config` on `dataset` begins with: its
/// [`rehearsal`] on the first images of `dataset`, whose model and figures are dropped. Stops
/// between batches when `control` says so (the user changed the settings, or pressed Train).
pub async fn prepare(
    config: &TrainConfig,
    dataset: &Dataset,
    device: &burn::prelude::Device,
    control: &TrainControl,
    host: &mut impl TrainHost,
) -> Result<(), TrainError> {
    let (rehearsal, images) = rehearsal(config);
    let subset = dataset.select(&(0..images.min(dataset.len())).collect::<Vec<_>>());
    train(&rehearsal, &subset, device, control, host)
        .await
        .map(|_| ())
}
