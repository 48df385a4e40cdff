//! The training loop's host in the page: events go to a callback, waits yield to the browser.

use crate::train::{TrainEvent, TrainHost};

use super::js;

/// Forwards events to `on_event`; yields to the event loop at most every `yield_every_ms`.
pub struct PageHost<F: FnMut(TrainEvent)> {
    pub on_event: F,
    last_yield: f64,
}

impl<F: FnMut(TrainEvent)> PageHost<F> {
    pub fn new(on_event: F) -> Self {
        Self {
            on_event,
            last_yield: js::now(),
        }
    }
}

/// Longest stretch of work between two yields, in milliseconds.
const SLICE_MS: f64 = 25.0;

impl<F: FnMut(TrainEvent)> TrainHost for PageHost<F> {
    fn emit(&mut self, event: TrainEvent) {
        (self.on_event)(event);
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
