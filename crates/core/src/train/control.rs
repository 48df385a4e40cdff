use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

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
