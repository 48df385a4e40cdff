#[cfg(feature = "engine")]
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

#[cfg(feature = "engine")]
use super::{History, TrainEvent};
#[cfg(feature = "engine")]
use crate::model::Network;

const RUNNING: u8 = 0;
const PAUSED: u8 = 1;
const STOPPED: u8 = 2;

/// Pause, resume and stop, shared between the loop and whoever drives it. The loop looks at it
/// between batches.
#[derive(Clone, Debug, Default)]
pub struct TrainControl(Arc<AtomicU8>);

impl TrainControl {
    /// A control in the running state.
    pub fn new() -> Self {
        Self::default()
    }

    /// Holds the loop before its next batch.
    pub fn pause(&self) {
        let _ = self
            .0
            .compare_exchange(RUNNING, PAUSED, Ordering::SeqCst, Ordering::SeqCst);
    }

    /// Lets a paused loop go on.
    pub fn resume(&self) {
        let _ = self
            .0
            .compare_exchange(PAUSED, RUNNING, Ordering::SeqCst, Ordering::SeqCst);
    }

    /// Ends the loop before its next batch; the model trained so far is kept.
    pub fn stop(&self) {
        self.0.store(STOPPED, Ordering::SeqCst);
    }

    /// True while paused.
    pub fn is_paused(&self) -> bool {
        self.0.load(Ordering::SeqCst) == PAUSED
    }

    /// True once stopped.
    pub fn is_stopped(&self) -> bool {
        self.0.load(Ordering::SeqCst) == STOPPED
    }
}

#[cfg(feature = "engine")]
/// What the loop needs from where it runs: somewhere to send events, and a way to wait that
/// does not block (a browser must get its event loop back).
pub trait TrainHost {
    /// Receives progress.
    fn emit(&mut self, event: TrainEvent);

    /// Waits about `milliseconds` (0: just yield). Awaited between batches and while paused.
    fn sleep(&mut self, milliseconds: u32) -> impl Future<Output = ()>;

    /// After each epoch's validation, before its [`TrainEvent::Epoch`], with the model so far
    /// (validation mode) and the history: a chance to keep a checkpoint. Does nothing unless a
    /// host wants it.
    fn epoch_finished(&mut self, _model: &Network, _history: &History) -> impl Future<Output = ()> {
        async {}
    }
}
