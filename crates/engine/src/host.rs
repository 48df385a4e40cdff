//! Where the training loop runs: the command line, a test, the browser's worker.

use std::future::Future;

use atelier_core::train::{History, TrainEvent};

use crate::network::Network;

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
