//! The training loop on the native CPU backend, on real Fashion-MNIST.

use atelier_core::data::{Augmentation, Dataset};
use atelier_core::model::preset;
use atelier_core::saved::Weights;
use atelier_core::train::recipe;
use atelier_core::train::{
    GridSpec, History, LossKind, LrSchedule, OptimizerKind, TrainConfig, TrainControl, TrainError,
    TrainEvent, best_trial,
};
use atelier_engine::{NetworkWeights, evaluate};
use atelier_engine::{Start, TrainHost, Trained, grid_search, prepare, train, train_from};
use atelier_fixtures::*;
use burn::prelude::Device;

/// Collects events; optionally acts on the control when a batch event arrives.
#[derive(Default)]
struct Recorder {
    events: Vec<TrainEvent>,
    sleeps: Vec<u32>,
    on_batch: Option<Box<dyn FnMut(usize)>>,
    batch_events: usize,
}

impl TrainHost for Recorder {
    fn emit(&mut self, event: TrainEvent) {
        if let TrainEvent::Batch(_) = event {
            self.batch_events += 1;
            if let Some(f) = self.on_batch.as_mut() {
                f(self.batch_events);
            }
        }
        self.events.push(event);
    }

    async fn sleep(&mut self, milliseconds: u32) {
        self.sleeps.push(milliseconds);
    }
}

fn config(model: &str) -> TrainConfig {
    TrainConfig::new(preset(model).unwrap())
}

fn run(config: &TrainConfig, data: &Dataset) -> (Result<Trained, TrainError>, Recorder) {
    let mut host = Recorder::default();
    let result = pollster::block_on(train(
        config,
        data,
        &Device::flex(),
        &TrainControl::new(),
        &mut host,
    ));
    (result, host)
}

fn test_accuracy(trained: &Trained, test: &Dataset) -> f32 {
    let all: Vec<usize> = (0..test.len()).collect();
    pollster::block_on(evaluate(
        &trained.model,
        test,
        &all,
        500,
        LossKind::CrossEntropy,
        &Device::flex(),
    ))
    .unwrap()
    .accuracy
}

#[test]
fn baseline_one_epoch_on_10000_images_reaches_80_percent() {
    let _generator = device_generator();
    let data = train_subset(10_000);
    let (result, host) = run(&config("baseline").with_epochs(1), &data);
    let trained = result.unwrap();
    let epoch = &trained.history.epochs[0];
    assert!(epoch.val_accuracy.unwrap() >= 0.80, "{epoch:?}");
    assert!(epoch.val_loss.unwrap() < 0.6, "{epoch:?}");
    assert!(epoch.images_per_second > 0.0);
    assert_eq!(
        (trained.split.train.len(), trained.split.validation.len()),
        (8_000, 2_000)
    );

    // Events: started, batch progress after the first batch (the user sees the run has begun),
    // every 20th and the last (250 batches), the epoch, finished.
    assert!(matches!(
        host.events[0],
        TrainEvent::Started {
            train_images: 8_000,
            validation_images: 2_000,
            batches_per_epoch: 250
        }
    ));
    let batches: Vec<usize> = host
        .events
        .iter()
        .filter_map(|e| match e {
            TrainEvent::Batch(progress) => Some(progress.batch),
            _ => None,
        })
        .collect();
    let expected: Vec<usize> = std::iter::once(1)
        .chain((20..=240).step_by(20))
        .chain([250])
        .collect();
    assert_eq!(batches, expected);
    let batch_events = batches.len();
    assert!(matches!(
        host.events.last(),
        Some(TrainEvent::Finished {
            epochs: 1,
            stopped: false,
            best_epoch: None
        })
    ));
    assert_eq!(trained.history.batch_losses.len(), batch_events);

    // The page builds its history from the same events, with the same result.
    let mut from_events = History::default();
    host.events.iter().for_each(|e| from_events.record(e));
    assert_eq!(from_events, trained.history);

    // The loop's own evaluation of the model it returns: the last epoch's, confusion matrix
    // and predictions included, so that nobody validates it again.
    let validation = trained.validation.as_ref().expect("2,000 images held out");
    assert_eq!(validation.accuracy, epoch.val_accuracy.unwrap());
    assert_eq!(validation.predictions.len(), 2_000);
    assert_eq!(validation.confusion.accuracy(), validation.accuracy);
}

/// The reference run: the notebook's model and settings on all 60,000 images; Keras gets
/// 0.890 test accuracy on this machine.
#[test]
fn baseline_five_epochs_on_the_full_data_beats_0_885_on_the_test_images() {
    let _generator = device_generator();
    let (result, _) = run(
        &config("baseline").with_epochs(5).with_batch_size(32),
        train_set(),
    );
    let trained = result.unwrap();
    let accuracy = test_accuracy(&trained, test_set());
    eprintln!("baseline, 5 epochs, full data: test accuracy {accuracy:.4}");
    assert!(accuracy >= 0.885, "test accuracy {accuracy}");
    let losses: Vec<f32> = trained
        .history
        .epochs
        .iter()
        .map(|e| e.train_loss)
        .collect();
    assert!(
        losses.windows(2).all(|w| w[1] < w[0]),
        "training loss falls every epoch: {losses:?}"
    );
}

#[test]
fn same_seed_same_numbers() {
    let _generator = device_generator_alone();
    let data = train_subset(1_500);
    let cfg = config("default").with_epochs(1).with_batch_size(64);
    let (a, _) = run(&cfg, &data);
    let (b, _) = run(&cfg, &data);
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(
        a.history.epochs[0].train_loss,
        b.history.epochs[0].train_loss
    );
    assert_eq!(a.history.epochs[0].val_loss, b.history.epochs[0].val_loss);
    assert_eq!(a.history.batch_losses, b.history.batch_losses);
    let (c, _) = run(&cfg.clone().with_seed(7), &data);
    assert_ne!(
        c.unwrap().history.epochs[0].train_loss,
        a.history.epochs[0].train_loss
    );
}

#[test]
fn every_optimizer_and_both_losses_learn() {
    let _generator = device_generator();
    let data = train_subset(3_000);
    let cases = [
        (OptimizerKind::Sgd, LossKind::CrossEntropy, 0.05),
        (OptimizerKind::Adam, LossKind::CrossEntropy, 1e-3),
        (OptimizerKind::Adamw, LossKind::CrossEntropy, 1e-3),
        (OptimizerKind::Rmsprop, LossKind::CrossEntropy, 1e-3),
        (OptimizerKind::Adam, LossKind::Mse, 1e-3),
    ];
    for (optimizer, loss, learning_rate) in cases {
        let cfg = config("baseline")
            .with_epochs(1)
            .with_optimizer(optimizer)
            .with_loss(loss)
            .with_learning_rate(learning_rate);
        let (result, _) = run(&cfg, &data);
        let accuracy = result.unwrap().history.epochs[0].val_accuracy.unwrap();
        assert!(accuracy >= 0.65, "{optimizer} {loss}: {accuracy}");
    }
}

#[test]
fn stop_keeps_the_model_trained_so_far() {
    let _generator = device_generator();
    let data = train_subset(2_000);
    let control = TrainControl::new();
    let stopper = control.clone();
    let mut host = Recorder {
        on_batch: Some(Box::new(move |n| {
            if n == 2 {
                stopper.stop()
            }
        })),
        ..Default::default()
    };
    let cfg = config("baseline").with_epochs(3).with_loss_every(5);
    let trained =
        pollster::block_on(train(&cfg, &data, &Device::flex(), &control, &mut host)).unwrap();
    assert!(trained.stopped);
    assert!(trained.history.epochs.is_empty());
    assert_eq!(trained.history.batch_losses.len(), 2);
    // Stopped within an epoch, the model was validated as it is.
    let again = pollster::block_on(evaluate(
        &trained.model,
        &data,
        &trained.split.validation,
        256,
        LossKind::CrossEntropy,
        &Device::flex(),
    ))
    .unwrap();
    let validation = trained.validation.as_ref().unwrap();
    assert_eq!(validation.predictions, again.predictions);
    assert!(matches!(
        host.events.last(),
        Some(TrainEvent::Finished {
            epochs: 0,
            stopped: true,
            best_epoch: None
        })
    ));
}

#[test]
fn pause_waits_between_batches_until_resumed() {
    let _generator = device_generator();
    let data = train_subset(600);
    let control = TrainControl::new();
    let pauser = control.clone();
    let mut host = Recorder {
        on_batch: Some(Box::new(move |n| {
            if n == 1 {
                pauser.pause()
            }
        })),
        ..Default::default()
    };
    // Resume from the host's sleep after a few waits.
    struct Resuming<'a> {
        inner: &'a mut Recorder,
        control: TrainControl,
    }
    impl TrainHost for Resuming<'_> {
        fn emit(&mut self, event: TrainEvent) {
            self.inner.emit(event)
        }
        async fn sleep(&mut self, ms: u32) {
            self.inner.sleeps.push(ms);
            if self.control.is_paused()
                && self.inner.sleeps.iter().filter(|&&s| s == 50).count() == 3
            {
                self.control.resume();
            }
        }
    }
    let cfg = config("baseline").with_epochs(1).with_loss_every(2);
    let mut resuming = Resuming {
        inner: &mut host,
        control: control.clone(),
    };
    let trained =
        pollster::block_on(train(&cfg, &data, &Device::flex(), &control, &mut resuming)).unwrap();
    assert!(!trained.stopped);
    assert_eq!(trained.history.epochs.len(), 1);
    assert_eq!(host.sleeps.iter().filter(|&&s| s == 50).count(), 3);
}

#[test]
fn bad_settings_and_data_are_refused_with_reasons() {
    let _generator = device_generator();
    let data = train_subset(100);
    let err = run(&config("baseline").with_learning_rate(0.0), &data)
        .0
        .unwrap_err();
    assert_eq!(err.to_string(), "learning rate 0 must be a positive number");
    let err = run(&config("baseline").with_batch_size(0), &data)
        .0
        .unwrap_err();
    assert_eq!(err.to_string(), "batch size 0 must be from 1 to 4096");
    let unlabelled = atelier_core::data::parse_csv(unlabelled_csv(&data).as_bytes()).unwrap();
    let (err, host) = run(&config("baseline"), &unlabelled);
    assert!(
        err.unwrap_err()
            .to_string()
            .starts_with("the training images have no labels")
    );
    assert!(matches!(host.events.last(), Some(TrainEvent::Error { .. })));
}

#[test]
fn a_diverging_run_is_stopped_with_advice() {
    let _generator = device_generator();
    let data = train_subset(500);
    let cfg = config("baseline")
        .with_optimizer(OptimizerKind::Sgd)
        .with_learning_rate(1e12)
        .with_loss_every(1);
    let err = run(&cfg, &data).0.unwrap_err();
    assert!(
        matches!(err, TrainError::Diverged { epoch: 1, .. }),
        "{err}"
    );
    assert!(err.to_string().ends_with("try a smaller learning rate"));
}

/// The notebook's quadratic cost works, just slower: MSE on the softmax, baseline, 5 epochs.
#[test]
fn mse_loss_trains_baseline_past_0_85_in_five_epochs() {
    let _generator = device_generator();
    let (result, _) = run(
        &config("baseline")
            .with_loss(LossKind::Mse)
            .with_epochs(5)
            .with_batch_size(32),
        train_set(),
    );
    let accuracy = test_accuracy(&result.unwrap(), test_set());
    eprintln!("baseline with MSE, 5 epochs, full data: test accuracy {accuracy:.4}");
    assert!(accuracy >= 0.85, "test accuracy {accuracy}");
}

#[test]
fn early_stopping_keeps_the_best_epoch_and_stops_after_the_patience() {
    let _generator = device_generator();
    let data = train_subset(2_000);
    // A high rate on few images: the validation loss soon stops improving.
    let cfg = config("baseline")
        .with_epochs(30)
        .with_learning_rate(3e-3)
        .with_early_stopping(Some(2));
    let (result, recorder) = run(&cfg, &data);
    let trained = result.unwrap();
    let losses: Vec<f32> = trained
        .history
        .epochs
        .iter()
        .map(|e| e.val_loss.unwrap())
        .collect();
    let best = trained
        .best_epoch
        .expect("early stopping names its best epoch");
    assert!(losses.len() < 30, "stopped early: {losses:?}");
    assert_eq!(
        losses.len(),
        best + 2,
        "two epochs without improvement, then stop"
    );
    let lowest = losses.iter().copied().fold(f32::INFINITY, f32::min);
    assert_eq!(losses[best - 1], lowest);
    // The model returned is the best epoch's: its validation loss is that epoch's.
    let validation = pollster::block_on(evaluate(
        &trained.model,
        &data,
        &trained.split.validation,
        500,
        LossKind::CrossEntropy,
        &Device::flex(),
    ))
    .unwrap();
    assert!(
        (validation.loss - lowest).abs() < 1e-4,
        "{} vs {lowest}",
        validation.loss
    );
    // ... and the evaluation the loop returns with it is that model's.
    let returned = trained.validation.as_ref().unwrap();
    assert_eq!(returned.predictions, validation.predictions);
    assert_eq!(returned.accuracy, losses_accuracy(&trained, best));
    assert!(matches!(
        recorder.events.last(),
        Some(TrainEvent::Finished { best_epoch: Some(b), .. }) if *b == best
    ));
}

#[test]
fn augmentation_changes_training_and_repeats_with_the_seed() {
    let _generator = device_generator_alone();
    let data = train_subset(2_000);
    let plain = config("baseline").with_epochs(1);
    let augmented = plain.clone().with_augmentation(Some(Augmentation {
        translate: 2,
        flip: true,
        erase: 0.5,
    }));
    let loss = |cfg: &TrainConfig| run(cfg, &data).0.unwrap().history.epochs[0].train_loss;
    let (a, b, c) = (loss(&plain), loss(&augmented), loss(&augmented));
    assert_eq!(b, c, "same seed, same augmented run");
    assert!(b > a, "harder images, higher training loss: {b} vs {a}");
}

#[test]
fn grid_search_tries_every_rate_and_names_the_best() {
    let _generator = device_generator();
    let grid = GridSpec {
        learning_rates: vec![1e-1, 1e-3, 1e-6],
        batch_sizes: vec![],
        subset: 1_500,
        epochs: 1,
    };
    let mut heard = Vec::new();
    let trials = pollster::block_on(grid_search(
        &config("baseline"),
        &grid,
        train_set(),
        &Device::flex(),
        &TrainControl::new(),
        &mut Recorder::default(),
        |t| heard.push(t.learning_rate),
    ))
    .unwrap();
    assert_eq!(heard, [1e-1, 1e-3, 1e-6]);
    assert_eq!(trials.len(), 3);
    assert!(trials.iter().all(|t| t.batch_size == 32));
    // 1e-3 learns; 1e-6 barely moves; 1e-1 overshoots.
    assert_eq!(best_trial(&trials).unwrap().learning_rate, 1e-3);
    assert!(trials[1].val_accuracy > 0.6, "{trials:?}");
}

/// The validation accuracy the history recorded for `epoch` (1-based).
fn losses_accuracy(trained: &Trained, epoch: usize) -> f32 {
    trained.history.epochs[epoch - 1].val_accuracy.unwrap()
}

/// Stops a run once `after` epochs are finished, keeping that epoch's weights and history as
/// the page keeps its checkpoint.
struct Interrupter {
    after: usize,
    control: TrainControl,
    kept: Option<(Weights, History)>,
}

impl TrainHost for Interrupter {
    fn emit(&mut self, _event: TrainEvent) {}

    async fn sleep(&mut self, _milliseconds: u32) {}

    async fn epoch_finished(&mut self, model: &atelier_engine::Network, history: &History) {
        if history.epochs.len() == self.after {
            let weights = Weights::read(model).await.unwrap();
            self.kept = Some((weights, history.clone()));
            self.control.stop();
        }
    }
}

#[test]
fn a_resumed_run_goes_on_as_the_uninterrupted_one() {
    let _generator = device_generator_alone();
    let data = train_subset(1_500);
    // Plain SGD keeps no running averages and baseline has no dropout: nothing the resume
    // starts afresh, so the numbers must be the same. Cosine makes the schedule's place count.
    let cfg = config("baseline")
        .with_epochs(3)
        .with_batch_size(64)
        .with_optimizer(OptimizerKind::Sgd)
        .with_momentum(0.0)
        .with_learning_rate(0.05)
        .with_schedule(LrSchedule::Cosine);
    let whole = run(&cfg, &data).0.unwrap();

    let control = TrainControl::new();
    let mut interrupter = Interrupter {
        after: 1,
        control: control.clone(),
        kept: None,
    };
    let interrupted = pollster::block_on(train(
        &cfg,
        &data,
        &Device::flex(),
        &control,
        &mut interrupter,
    ))
    .unwrap();
    assert!(interrupted.stopped);
    let (weights, history) = interrupter.kept.unwrap();

    let mut recorder = Recorder::default();
    let resumed = pollster::block_on(train_from(
        Start::Resume {
            weights: &weights,
            history: &history,
        },
        &cfg,
        &data,
        &Device::flex(),
        &TrainControl::new(),
        &mut recorder,
    ))
    .unwrap();
    let epochs: Vec<usize> = resumed.history.epochs.iter().map(|e| e.epoch).collect();
    assert_eq!(epochs, [1, 2, 3]);
    for (a, b) in resumed.history.epochs.iter().zip(&whole.history.epochs) {
        let close = |x: f32, y: f32| (x - y).abs() < 1e-5;
        assert!(
            close(a.train_loss, b.train_loss)
                && close(a.val_loss.unwrap(), b.val_loss.unwrap())
                && a.val_accuracy == b.val_accuracy,
            "resumed {a:?}\nwhole {b:?}"
        );
    }
    // Only the epochs still to do were trained and reported.
    let reported: Vec<usize> = recorder
        .events
        .iter()
        .filter_map(|e| match e {
            TrainEvent::Epoch(m) => Some(m.epoch),
            _ => None,
        })
        .collect();
    assert_eq!(reported, [2, 3]);
    assert_eq!(
        resumed.split.validation, whole.split.validation,
        "the same images validate"
    );

    // A finished run has nothing to resume.
    let refused = pollster::block_on(train_from(
        Start::Resume {
            weights: &weights,
            history: &whole.history,
        },
        &cfg,
        &data,
        &Device::flex(),
        &TrainControl::new(),
        &mut Recorder::default(),
    ))
    .unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("finished its 3 planned epochs"),
        "{refused}"
    );
}

/// What `vgg` validates at after two epochs on 10,000 images with its recipe.
const VGG_TWO_EPOCHS: f32 = 0.78;

#[test]
fn vgg_with_its_recipe_learns_fast_on_10000_images() {
    let _generator = device_generator();
    let data = train_subset(10_000);
    // The recipe's settings, over 2 epochs instead of 30 (BENCHMARKS.md, "Accuracy of the
    // presets", has the full run).
    let cfg = recipe("vgg")
        .unwrap()
        .apply_to(config("vgg"))
        .with_epochs(2);
    let trained = run(&cfg, &data).0.unwrap();
    let accuracy = trained.history.epochs[1].val_accuracy.unwrap();
    assert!(accuracy >= VGG_TWO_EPOCHS, "{:?}", trained.history.epochs);
}

#[test]
fn a_rehearsal_runs_each_batch_shape_once_and_changes_nothing_after_it() {
    let _generator = device_generator_alone();
    let data = train_subset(1_000);
    let cfg = config("baseline").with_epochs(1).with_batch_size(64);
    let (alone, _) = run(&cfg, &data);

    // 1,000 images at 0.2 train 800: 12 batches of 64 and one of 32. The rehearsal trains one
    // of each (nothing held out), and tells its host so.
    let mut host = Recorder::default();
    pollster::block_on(prepare(
        &cfg,
        &data,
        &Device::flex(),
        &TrainControl::new(),
        &mut host,
    ))
    .unwrap();
    let started = host.events.iter().find_map(|e| match e {
        TrainEvent::Started {
            train_images,
            validation_images,
            batches_per_epoch,
        } => Some((*train_images, *validation_images, *batches_per_epoch)),
        _ => None,
    });
    assert_eq!(started, Some((64 + 32, 0, 2)));

    // The run after it gives the numbers it gives alone.
    let (after, _) = run(&cfg, &data);
    let figures = |trained: Trained| {
        let h = trained.history;
        let epochs: Vec<_> = h
            .epochs
            .iter()
            .map(|m| (m.train_loss, m.val_loss, m.val_accuracy))
            .collect();
        (epochs, h.batch_losses)
    };
    assert_eq!(figures(after.unwrap()), figures(alone.unwrap()));

    // Told to stop (Train pressed, settings changed), it ends without a batch.
    let stopped = TrainControl::new();
    stopped.stop();
    let mut host = Recorder::default();
    pollster::block_on(prepare(&cfg, &data, &Device::flex(), &stopped, &mut host)).unwrap();
    assert_eq!(host.batch_events, 0);
}
