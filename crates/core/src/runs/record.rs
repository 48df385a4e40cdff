use serde::{Deserialize, Serialize};

use crate::eval::{ConfusionMatrix, Evaluation};
use crate::train::{History, TrainConfig, TrainEvent};

/// A record keeps at most this many batch losses: a long run's are thinned to every other one,
/// as often as needed, so that a record stays small whatever the run's length.
pub const MAX_BATCH_LOSSES: usize = 1000;

/// How a run ended, or that it is still going.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RunState {
    /// Under way (a record left in this state by a closed or crashed tab is settled as failed).
    #[default]
    Running,
    /// All its epochs, or early stopping's choice.
    Done,
    /// Stopped by the user: its last finished epoch is kept.
    Stopped,
    /// Ended by an error, a crash or a closed tab.
    Failed,
}

impl RunState {
    /// The name the page's `data-state` uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Done => "done",
            Self::Stopped => "stopped",
            Self::Failed => "failed",
        }
    }
}

/// A run of its own, or one trial of a grid search.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum RunKind {
    #[default]
    Training,
    /// The `number`th (1-based) of `of` trials.
    Trial { number: usize, of: usize },
}

/// What a run was trained on.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RunData {
    /// The training file's name.
    pub train_file: String,
    /// Images the run trained on and validated on (after the split; a grid-search trial uses a
    /// subset). Zero until the run has started.
    #[serde(default)]
    pub training_images: usize,
    #[serde(default)]
    pub validation_images: usize,
    /// The test file predicted at the end, if one was loaded.
    #[serde(default)]
    pub test_file: Option<String>,
}

/// The final validation: loss, accuracy and the confusion matrix.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunEvaluation {
    pub loss: f32,
    pub accuracy: f32,
    pub confusion: ConfusionMatrix,
}

impl From<&Evaluation> for RunEvaluation {
    fn from(e: &Evaluation) -> Self {
        Self {
            loss: e.loss,
            accuracy: e.accuracy,
            confusion: e.confusion.clone(),
        }
    }
}

/// Everything known about one run, written as it goes: a stopped or crashed run keeps what it
/// had reached.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// Unique across browsers and machines ([`run_id`]).
    pub id: String,
    /// The user's name for it (a default describes it).
    pub name: String,
    /// The user's note.
    #[serde(default)]
    pub note: String,
    #[serde(flatten)]
    pub kind: RunKind,
    pub state: RunState,
    /// Why it failed.
    #[serde(default)]
    pub failure: Option<String>,
    /// When it started, in milliseconds since 1970-01-01 UTC.
    pub started_at: f64,
    /// Seconds from its start to its last event.
    #[serde(default)]
    pub seconds: f64,
    /// Where it ran: "WebGPU (adapter)", "CPU (WebAssembly)", "command line, cpu", ...
    pub place: String,
    pub data: RunData,
    pub settings: TrainConfig,
    /// Per-epoch metrics, and batch losses (at most [`MAX_BATCH_LOSSES`]).
    pub history: History,
    /// With early stopping, the epoch whose model was kept.
    #[serde(default)]
    pub best_epoch: Option<usize>,
    #[serde(default)]
    pub validation: Option<RunEvaluation>,
    #[serde(default)]
    pub test_accuracy: Option<f32>,
    /// The size of its model file, kept beside the record; 0 when there is none.
    #[serde(default)]
    pub model_bytes: u64,
    /// Its model was dropped to make room in the browser's storage (the record stays).
    #[serde(default)]
    pub model_dropped: bool,
}

/// A run's id: when it started and a random number, in base 36 (`now_ms` and `random` come from
/// the face: the page's clock and `Math.random`, the command line's).
pub fn run_id(now_ms: f64, random: f64) -> String {
    let base36 = |mut n: u64| {
        let mut digits = Vec::new();
        loop {
            digits.push(char::from_digit((n % 36) as u32, 36).expect("a base-36 digit"));
            n /= 36;
            if n == 0 {
                break;
            }
        }
        digits.iter().rev().collect::<String>()
    };
    let time = now_ms.max(0.0) as u64;
    let random = (random.clamp(0.0, 1.0) * 36f64.powi(8)) as u64;
    format!("{}-{:0>8}", base36(time), base36(random))
}

impl RunRecord {
    /// A run about to start.
    pub fn new(
        id: String,
        started_at: f64,
        place: String,
        data: RunData,
        settings: TrainConfig,
        kind: RunKind,
    ) -> Self {
        let name = default_name(&settings, &kind);
        Self {
            id,
            name,
            note: String::new(),
            kind,
            state: RunState::Running,
            failure: None,
            started_at,
            seconds: 0.0,
            place,
            data,
            settings,
            history: History::default(),
            best_epoch: None,
            validation: None,
            test_accuracy: None,
            model_bytes: 0,
            model_dropped: false,
        }
    }

    /// Adds what `event` tells, at `now_ms`: the counts of images, a batch loss, a finished
    /// epoch, the end (done or stopped) or an error.
    pub fn record(&mut self, event: &TrainEvent, now_ms: f64) {
        self.history.record(event);
        thin(&mut self.history.batch_losses);
        self.seconds = ((now_ms - self.started_at) / 1000.0).max(0.0);
        match event {
            TrainEvent::Started {
                train_images,
                validation_images,
                ..
            } => {
                self.data.training_images = *train_images;
                self.data.validation_images = *validation_images;
            }
            TrainEvent::Finished {
                stopped,
                best_epoch,
                ..
            } => {
                self.state = if *stopped {
                    RunState::Stopped
                } else {
                    RunState::Done
                };
                self.best_epoch = *best_epoch;
            }
            TrainEvent::Error { message } => self.fail(message),
            TrainEvent::Batch(_) | TrainEvent::Epoch(_) => {}
        }
    }

    /// Ends the run as failed, saying why (a run already over keeps its state).
    pub fn fail(&mut self, why: &str) {
        if self.state == RunState::Running {
            self.state = RunState::Failed;
            self.failure = Some(why.to_string());
        }
    }

    /// The validation accuracy the table shows: the final evaluation's, else the last
    /// epoch's.
    pub fn val_accuracy(&self) -> Option<f32> {
        self.validation.as_ref().map(|v| v.accuracy).or_else(|| {
            self.history
                .epochs
                .iter()
                .rev()
                .find_map(|e| e.val_accuracy)
        })
    }

    /// The validation loss, found the same way.
    pub fn val_loss(&self) -> Option<f32> {
        self.validation
            .as_ref()
            .map(|v| v.loss)
            .or_else(|| self.history.epochs.iter().rev().find_map(|e| e.val_loss))
    }

    /// The size of its model where it is kept with the record (0 when dropped or never kept).
    pub fn kept_model_bytes(&self) -> u64 {
        if self.model_dropped {
            0
        } else {
            self.model_bytes
        }
    }

    /// Training images per second over the finished epochs (validation not counted).
    pub fn images_per_second(&self) -> Option<f64> {
        let epochs = &self.history.epochs;
        (!epochs.is_empty())
            .then(|| epochs.iter().map(|e| e.images_per_second).sum::<f64>() / epochs.len() as f64)
    }
}

/// "baseline, adam lr 0.001, 5 epochs", or a trial's "trial 2/6: ...".
fn default_name(settings: &TrainConfig, kind: &RunKind) -> String {
    let model = crate::model::preset_name(&settings.model).unwrap_or("custom");
    let text = format!(
        "{model}, {} lr {}, {} epochs",
        settings.optimizer, settings.learning_rate, settings.epochs
    );
    match kind {
        RunKind::Training => text,
        RunKind::Trial { number, of } => format!("trial {number}/{of}: {text}"),
    }
}

/// Keeps every other batch loss once there are more than [`MAX_BATCH_LOSSES`].
fn thin(losses: &mut Vec<(f64, f32)>) {
    if losses.len() > MAX_BATCH_LOSSES {
        let mut index = 0;
        losses.retain(|_| {
            index += 1;
            index % 2 == 1
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::preset;
    use crate::train::{BatchProgress, EpochMetrics};

    fn record() -> RunRecord {
        RunRecord::new(
            run_id(1_700_000_000_000.0, 0.5),
            1_700_000_000_000.0,
            "CPU".into(),
            RunData {
                train_file: "train.csv".into(),
                ..RunData::default()
            },
            TrainConfig::new(preset("baseline").unwrap()),
            RunKind::Training,
        )
    }

    fn epoch(epoch: usize) -> TrainEvent {
        TrainEvent::Epoch(EpochMetrics {
            epoch,
            train_loss: 1.0,
            val_loss: Some(0.5),
            val_accuracy: Some(0.8),
            images_per_second: 100.0,
            seconds: 1.0,
        })
    }

    #[test]
    fn a_record_follows_the_events_and_ends_in_the_state_they_say() {
        let mut run = record();
        assert_eq!(run.name, "baseline, adam lr 0.001, 5 epochs");
        assert_eq!(run.state, RunState::Running);
        let t0 = run.started_at;
        run.record(
            &TrainEvent::Started {
                train_images: 80,
                validation_images: 20,
                batches_per_epoch: 3,
            },
            t0,
        );
        run.record(&epoch(1), t0 + 1500.0);
        assert_eq!(
            (run.data.training_images, run.data.validation_images),
            (80, 20)
        );
        assert_eq!(run.history.epochs.len(), 1);
        assert_eq!(run.seconds, 1.5);
        assert_eq!(run.val_accuracy(), Some(0.8));
        run.record(
            &TrainEvent::Finished {
                epochs: 1,
                stopped: true,
                best_epoch: None,
            },
            t0 + 2000.0,
        );
        assert_eq!(run.state, RunState::Stopped);
        // An error after the end changes nothing; before it, the run fails with its message.
        run.fail("late");
        assert_eq!(run.state, RunState::Stopped);
        let mut failing = record();
        failing.record(
            &TrainEvent::Error {
                message: "lost the GPU".into(),
            },
            t0,
        );
        assert_eq!(failing.state, RunState::Failed);
        assert_eq!(failing.failure.as_deref(), Some("lost the GPU"));
    }

    #[test]
    fn batch_losses_are_thinned_to_the_cap() {
        let mut run = record();
        for batch in 1..=10_000 {
            run.record(
                &TrainEvent::Batch(BatchProgress {
                    epoch: 1,
                    batch,
                    batches: 10_000,
                    loss: Some(1.0),
                    images_per_second: 1.0,
                    kernels_to_tune: 0,
                }),
                run.started_at,
            );
        }
        let losses = &run.history.batch_losses;
        assert!(losses.len() <= MAX_BATCH_LOSSES && losses.len() > MAX_BATCH_LOSSES / 2);
        assert!(losses.windows(2).all(|w| w[0].0 < w[1].0));
        // Thinning keeps the run's whole span, not only its start.
        assert!(losses.last().unwrap().0 > 0.99);
    }

    #[test]
    fn ids_are_distinct_for_distinct_times_and_draws() {
        let a = run_id(1_700_000_000_000.0, 0.25);
        assert_ne!(a, run_id(1_700_000_000_000.0, 0.75));
        assert_ne!(a, run_id(1_700_000_000_001.0, 0.25));
        assert_eq!(a, run_id(1_700_000_000_000.0, 0.25));
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    }
}
