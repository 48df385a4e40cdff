use burn::optim::GradientsParams;
use burn::prelude::*;
use web_time::Instant;

use atelier_core::data::{Dataset, SeededRng, Split, split_indices};
use atelier_core::eval::Evaluation;
use atelier_core::saved::Weights;
use atelier_core::train::{
    BatchProgress, EpochMetrics, History, TrainConfig, TrainControl, TrainError, TrainEvent,
    resumes_at, validation_batch_size,
};

use crate::autotune;
use crate::batch::{augmented_batch, batch_images};
use crate::evaluate::evaluate_in_slices;
use crate::host::TrainHost;
use crate::loss::Loss;
use crate::network::Network;
use crate::optimizer::BuildOptimizer;
use crate::subnormals::FlushClock;
use crate::weights::NetworkWeights;

/// The result of a run: the model (validation mode, on the plain device), its history, and the
/// split it was validated on.
#[derive(Debug)]
pub struct Trained {
    /// The trained model, ready for inference.
    pub model: Network,
    /// Per-epoch metrics and batch losses.
    pub history: History,
    /// Which images trained and which validated.
    pub split: Split,
    /// True when stopped before the last epoch ended.
    pub stopped: bool,
    /// With early stopping: the epoch with the lowest validation loss, whose model this is.
    pub best_epoch: Option<usize>,
    /// This model's evaluation on the validation images (none when nothing is held out): the
    /// loop's own, so that nobody validates the same model twice.
    pub validation: Option<Evaluation>,
}

/// `model` on the held-out images (none when nothing is held out), at the batch size that
/// validation uses.
async fn validate(
    model: &Network,
    dataset: &Dataset,
    split: &Split,
    config: &TrainConfig,
    device: &Device,
    host: &mut impl TrainHost,
) -> Result<Option<Evaluation>, TrainError> {
    evaluate_in_slices(
        model,
        dataset,
        &split.validation,
        validation_batch_size(config),
        config.loss,
        device,
        host,
    )
    .await
}

fn device_error(error: impl std::fmt::Debug) -> TrainError {
    TrainError::Device(format!("{error:?}"))
}

/// Trains `config.model` on the labelled `dataset`, holding out `config.validation_split` of it.
/// Emits [`TrainEvent`]s to `host` (including `Error` before returning an error) and obeys
/// `control` between batches.
pub async fn train(
    config: &TrainConfig,
    dataset: &Dataset,
    device: &Device,
    control: &TrainControl,
    host: &mut impl TrainHost,
) -> Result<Trained, TrainError> {
    train_from(Start::Fresh, config, dataset, device, control, host).await
}

/// Where a run's weights and epochs start.
#[derive(Clone, Copy, Debug)]
pub enum Start<'a> {
    /// Weights initialised from the seed, epoch 1.
    Fresh,
    /// A saved model of `config.model`'s architecture trained further: a new run from epoch 1,
    /// its own schedule and history.
    From(&'a Weights),
    /// An interrupted run of `config` goes on after the last epoch of `history`, from the weights
    /// it had then: the same split, the same image order and the schedule where it was, and its
    /// history goes on. What a model file does not keep starts again: the optimizer's running
    /// averages, and the random draws of augmentation and dropout. With early stopping, the
    /// resumed model counts as the best so far.
    Resume {
        weights: &'a Weights,
        history: &'a History,
    },
}

/// As [`train`], starting where `start` says.
pub async fn train_from(
    start: Start<'_>,
    config: &TrainConfig,
    dataset: &Dataset,
    device: &Device,
    control: &TrainControl,
    host: &mut impl TrainHost,
) -> Result<Trained, TrainError> {
    autotune::withhold();
    let result = run(start, config, dataset, device, control, host).await;
    match &result {
        Ok(trained) => host.emit(TrainEvent::Finished {
            epochs: trained.history.epochs.len(),
            stopped: trained.stopped,
            best_epoch: trained.best_epoch,
        }),
        Err(error) => host.emit(TrainEvent::Error {
            message: error.to_string(),
        }),
    }
    result
}

async fn run(
    start: Start<'_>,
    config: &TrainConfig,
    dataset: &Dataset,
    device: &Device,
    control: &TrainControl,
    host: &mut impl TrainHost,
) -> Result<Trained, TrainError> {
    config.check()?;
    if !dataset.is_labelled() {
        return Err(TrainError::Data(
            "the training images have no labels: load a training CSV with a label column".into(),
        ));
    }
    if dataset.len() < 2 {
        return Err(TrainError::Data(format!(
            "{} image is too few to train on",
            dataset.len()
        )));
    }
    let first_epoch = match start {
        Start::Resume { history, .. } => resumes_at(config, history)?,
        Start::Fresh | Start::From(_) => 1,
    };
    let split = split_indices(dataset.len(), config.validation_split, config.seed);
    let batches = split.train.len().div_ceil(config.batch_size);
    host.emit(TrainEvent::Started {
        train_images: split.train.len(),
        validation_images: split.validation.len(),
        batches_per_epoch: batches,
    });

    // A resumed run's dropout draws differ from the ones it would have made (see `Start`), but
    // they are its own: the same resume gives the same numbers.
    device.seed(config.seed.wrapping_add(first_epoch as u64 - 1));
    let training_device = device.clone().autodiff();
    let mut model = Network::new(&config.model, &training_device).map_err(TrainError::Model)?;
    if let Start::From(weights) | Start::Resume { weights, .. } = start {
        model = weights
            .load_into(model)
            .map_err(|e| TrainError::Data(e.to_string()))?;
    }
    // Only the CPU backend computes slowly with subnormals (see `subnormals`).
    let flush = (*device == Device::flex()).then(FlushClock::default);
    let mut optimizer = config
        .optimizer
        .init(config.momentum, config.weight_decay, flush.as_ref());
    let mut history = match start {
        Start::Resume { history, .. } => history.clone(),
        Start::Fresh | Start::From(_) => History::default(),
    };
    let mut rng = SeededRng::new(config.seed);
    let mut order = split.train.clone();
    // The epochs already trained shuffled the order this many times.
    for _ in 1..first_epoch {
        rng.shuffle(&mut order);
    }
    let mut stopped = false;
    // Its own stream, so that switching augmentation on leaves the shuffling as it was.
    let mut augment_rng = SeededRng::new(config.seed ^ 0xA5A5_5A5A_A5A5_5A5A);
    let augmentation = config.augmentation.as_ref().filter(|a| !a.is_off());
    let mut best: Option<(f32, usize, Network, Option<Evaluation>)> = None;
    if let (Some(_), Some(last)) = (config.early_stopping, history.epochs.last())
        && let Some(loss) = last.val_loss
    {
        best = Some((loss, last.epoch, model.valid(), None));
    }
    let mut last_validation = None;

    'epochs: for epoch in first_epoch..=config.epochs {
        let epoch_start = Instant::now();
        rng.shuffle(&mut order);
        // The epoch's loss stays on the device and is read once at the end: each read is a sync.
        let mut loss_sum = Tensor::<1>::zeros([1], &training_device);
        let mut images_done = 0;
        for (index, chunk) in order.chunks(config.batch_size).enumerate() {
            host.sleep(0).await;
            while control.is_paused() {
                host.sleep(50).await;
            }
            if control.is_stopped() {
                stopped = true;
                break 'epochs;
            }
            let batch = match augmentation {
                Some(augmentation) => augmented_batch(
                    dataset,
                    chunk,
                    augmentation,
                    &mut augment_rng,
                    &training_device,
                ),
                None => batch_images(dataset, chunk, &training_device),
            };
            let labels = batch.labels.expect("checked labelled");
            let loss = config.loss.mean(model.forward(batch.images), labels);
            loss_sum = loss_sum + loss.clone().detach();
            let gradients = GradientsParams::from_grads(loss.backward(), &model);
            let step = (epoch - 1) * batches + index;
            let rate = config
                .schedule
                .rate(config.learning_rate, step, config.epochs * batches);
            model = optimizer.step(rate, model, gradients);
            // The batch is launched: the next kernel shape waiting for its tuning may have it.
            autotune::allow_one();
            if let Some(clock) = &flush {
                clock.tick();
            }
            images_done += chunk.len();

            let batch_number = index + 1;
            if batch_number % config.loss_every.max(1) == 0
                || batch_number == 1
                || batch_number == batches
            {
                let value = loss
                    .into_scalar_async::<f32>()
                    .await
                    .map_err(device_error)?;
                if !value.is_finite() {
                    return Err(TrainError::Diverged {
                        epoch,
                        batch: batch_number,
                    });
                }
                let event = TrainEvent::Batch(BatchProgress {
                    epoch,
                    batch: batch_number,
                    batches,
                    loss: Some(value),
                    images_per_second: images_done as f64
                        / epoch_start.elapsed().as_secs_f64().max(1e-9),
                    kernels_to_tune: autotune::deferred(),
                });
                history.record(&event);
                host.emit(event);
            }
        }
        let train_loss = loss_sum
            .into_scalar_async::<f32>()
            .await
            .map_err(device_error)?
            / batches as f32;
        let train_seconds = epoch_start.elapsed().as_secs_f64();

        let validation = validate(&model.valid(), dataset, &split, config, device, host).await?;
        let (val_loss, val_accuracy) = validation
            .as_ref()
            .map_or((None, None), |v| (Some(v.loss), Some(v.accuracy)));
        let metrics = EpochMetrics {
            epoch,
            train_loss,
            val_loss,
            val_accuracy,
            images_per_second: images_done as f64 / train_seconds.max(1e-9),
            seconds: epoch_start.elapsed().as_secs_f64(),
        };
        let event = TrainEvent::Epoch(metrics);
        history.record(&event);
        // The checkpoint first: once the epoch is announced, it is kept.
        host.epoch_finished(&model.valid(), &history).await;
        host.emit(event);

        if let (Some(patience), Some(loss)) = (config.early_stopping, val_loss) {
            if best
                .as_ref()
                .is_none_or(|(best_loss, ..)| loss < *best_loss)
            {
                best = Some((loss, epoch, model.valid(), validation.clone()));
            } else if epoch - best.as_ref().map_or(0, |b| b.1) >= patience {
                break;
            }
        }
        last_validation = validation;
    }

    let (model, best_epoch, validation) = match best {
        Some((_, epoch, model, Some(validation))) => (model, Some(epoch), Some(validation)),
        // The resumed model stayed the best: validated once more, as it was not this run's.
        Some((_, epoch, model, None)) => {
            let validation = validate(&model, dataset, &split, config, device, host).await?;
            (model, Some(epoch), validation)
        }
        // Stopped within an epoch, the model has trained past its last validation.
        None if stopped => {
            let model = model.valid();
            let validation = validate(&model, dataset, &split, config, device, host).await?;
            (model, None, validation)
        }
        None => (model.valid(), None, last_validation),
    };
    Ok(Trained {
        model,
        history,
        split,
        stopped,
        best_epoch,
        validation,
    })
}
