//! The training loop's host in the worker: events go to the page and to the run's record,
//! waits yield to the worker's event loop so that pause and stop messages get through.

use atelier_core::saved::SavedModel;
use atelier_core::train::{History, TrainConfig, TrainEvent};
use atelier_engine::Network;
use atelier_engine::TrainHost;

use crate::models::architecture_name;
use crate::runs::{RunWriter, TrialWriters};
use crate::{persist, reply};
use atelier_browser::js;
use atelier_browser::protocol::Reply;
use atelier_engine::SavedNetwork;

/// Forwards events; yields at most every `SLICE_MS` of work; keeps each finished epoch's model
/// when it knows the training settings.
pub struct WorkerHost {
    last_yield: f64,
    training: Option<TrainConfig>,
    /// Events go to the page (not for a rehearsal whose figures nobody reads).
    tells_page: bool,
    /// The records the events go into.
    records: Records,
}

/// Which runs' records the events make.
enum Records {
    None,
    Run(RunWriter),
    Trials(TrialWriters),
}

/// Longest stretch of work between two turns of the worker's event loop, in milliseconds.
const SLICE_MS: f64 = 30.0;

impl WorkerHost {
    pub fn new() -> Self {
        Self {
            last_yield: js::now(),
            training: None,
            tells_page: true,
            records: Records::None,
        }
    }

    /// For a rehearsal that prepares kernels: its events are kept from the page.
    pub fn silent() -> Self {
        Self {
            tells_page: false,
            ..Self::new()
        }
    }

    /// For a training run with `settings`, recorded by `run`: each epoch's model is kept in
    /// the browser's storage, so that a reload in the middle of training loses at most the
    /// epoch under way.
    pub fn training(settings: &TrainConfig, run: RunWriter) -> Self {
        Self {
            training: Some(settings.clone()),
            records: Records::Run(run),
            ..Self::new()
        }
    }

    /// For a grid search, each trial recorded by `trials`.
    pub fn grid(trials: TrialWriters) -> Self {
        Self {
            records: Records::Trials(trials),
            ..Self::new()
        }
    }

    /// The run's record, to finish once the run's results are in.
    pub fn into_run(self) -> Option<RunWriter> {
        match self.records {
            Records::Run(run) => Some(run),
            Records::None | Records::Trials(_) => None,
        }
    }
}

impl TrainHost for WorkerHost {
    fn emit(&mut self, event: TrainEvent) {
        match &mut self.records {
            Records::None => {}
            Records::Run(run) => run.on_event(&event),
            Records::Trials(trials) => trials.on_event(&event),
        }
        if self.tells_page {
            reply(&Reply::Training { event });
        }
    }

    async fn sleep(&mut self, milliseconds: u32) {
        if milliseconds > 0 {
            js::sleep(milliseconds).await;
            self.last_yield = js::now();
        } else if js::now() - self.last_yield >= SLICE_MS {
            js::yield_now().await;
            self.last_yield = js::now();
        }
    }

    async fn epoch_finished(&mut self, model: &Network, history: &History) {
        // A trial's model is kept with its record once its last epoch is done.
        if let Records::Trials(trials) = &mut self.records
            && let Some(trial) = trials.current()
            && history.epochs.len() == trial.settings().epochs
        {
            match SavedModel::capture(
                model,
                &trial_origin(trial.settings()),
                trial.settings(),
                history,
                None,
            )
            .await
            {
                Ok(saved) => trial.set_model(saved.to_bytes()),
                Err(error) => web_sys::console::warn_1(
                    &format!("a trial's model was not kept: {error}").into(),
                ),
            }
            self.last_yield = js::now();
        }
        let Some(settings) = &self.training else {
            return;
        };
        let label = format!(
            "trained here: {}, {} of {} epochs (training was interrupted)",
            architecture_name(settings),
            history.epochs.len(),
            settings.epochs
        );
        match SavedModel::capture(model, &label, settings, history, None).await {
            Ok(saved) => persist::keep(&label, &saved.to_bytes()).await,
            Err(error) => reply(&Reply::Kept {
                problem: Some(format!("its weights could not be read ({error})")),
            }),
        }
        self.last_yield = js::now();
    }
}

/// What a trial's model file says about where it came from.
fn trial_origin(settings: &TrainConfig) -> String {
    format!(
        "grid-search trial: {}, learning rate {}, batch size {}",
        architecture_name(settings),
        settings.learning_rate,
        settings.batch_size
    )
}
