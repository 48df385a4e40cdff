//! The training loop's host in the worker: events go to the page, waits yield to the worker's
//! event loop so that pause and stop messages get through.

use atelier_core::saved::SavedModel;
use atelier_core::train::{History, TrainConfig, TrainEvent};
use atelier_engine::Network;
use atelier_engine::TrainHost;

use crate::models::architecture_name;
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
}

/// Longest stretch of work between two turns of the worker's event loop, in milliseconds.
const SLICE_MS: f64 = 30.0;

impl WorkerHost {
    pub fn new() -> Self {
        Self {
            last_yield: js::now(),
            training: None,
            tells_page: true,
        }
    }

    /// For a rehearsal that prepares kernels: its events are kept from the page.
    pub fn silent() -> Self {
        Self {
            tells_page: false,
            ..Self::new()
        }
    }

    /// For a training run with `settings`: each epoch's model is kept in the browser's storage,
    /// so that a reload in the middle of training loses at most the epoch under way.
    pub fn training(settings: &TrainConfig) -> Self {
        Self {
            training: Some(settings.clone()),
            ..Self::new()
        }
    }
}

impl TrainHost for WorkerHost {
    fn emit(&mut self, event: TrainEvent) {
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
