//! Running a grid search: each trial trained on the subset, one after another.

use burn::prelude::Device;

use atelier_core::data::Dataset;
use atelier_core::train::{GridSpec, TrainConfig, TrainControl, TrainError, Trial};

use crate::host::TrainHost;
use crate::training::train;

/// Runs the trials one after another; `on_trial` hears each as it finishes. A stop through
/// `control` ends the search after the trial under way (which is not counted).
pub async fn grid_search(
    base: &TrainConfig,
    grid: &GridSpec,
    dataset: &Dataset,
    device: &Device,
    control: &TrainControl,
    host: &mut impl TrainHost,
    mut on_trial: impl FnMut(&Trial),
) -> Result<Vec<Trial>, TrainError> {
    let configs = grid.trials(base)?;
    let subset = dataset.clone().truncated(grid.subset);
    let mut done = Vec::new();
    for config in configs {
        let started = web_time::Instant::now();
        let (val_loss, val_accuracy, diverged) =
            match train(&config, &subset, device, control, host).await {
                Ok(trained) if trained.stopped => break,
                Ok(trained) => {
                    let last = trained.history.epochs.last();
                    (
                        last.and_then(|e| e.val_loss).unwrap_or(f32::NAN),
                        last.and_then(|e| e.val_accuracy).unwrap_or(0.0),
                        false,
                    )
                }
                // A rate too high is a result, not a failure of the search.
                Err(TrainError::Diverged { .. }) => (f32::NAN, 0.0, true),
                Err(error) => return Err(error),
            };
        let trial = Trial {
            learning_rate: config.learning_rate,
            batch_size: config.batch_size,
            val_loss,
            val_accuracy,
            seconds: started.elapsed().as_secs_f64(),
            diverged,
        };
        on_trial(&trial);
        done.push(trial);
    }
    Ok(done)
}
