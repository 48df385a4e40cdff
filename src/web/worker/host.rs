//! The training loop's host in the worker: events go to the page, waits yield to the worker's
//! event loop so that pause and stop messages get through.

use crate::train::{TrainEvent, TrainHost};

use super::super::js;
use super::super::protocol::Reply;
use super::reply;

/// Forwards events; yields at most every `SLICE_MS` of work.
pub struct WorkerHost {
    last_yield: f64,
}

/// Longest stretch of work between two turns of the worker's event loop, in milliseconds.
const SLICE_MS: f64 = 30.0;

impl WorkerHost {
    pub fn new() -> Self {
        Self {
            last_yield: js::now(),
        }
    }
}

impl TrainHost for WorkerHost {
    fn emit(&mut self, event: TrainEvent) {
        reply(&Reply::Training { event });
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
}
