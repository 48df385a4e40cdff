//! The training loop, one for native and browser: `async`, so every GPU read can be awaited
//! in a browser, and driven natively with `pollster`.

mod config;
mod control;
mod events;
mod grid;
#[cfg(feature = "engine")]
mod grid_search;
#[cfg(feature = "engine")]
mod loop_;
mod loss;
mod optimizer;
mod schedule;
#[cfg(feature = "engine")]
pub mod subnormals;

pub use config::{TrainConfig, TrainError};
pub use control::TrainControl;
#[cfg(feature = "engine")]
pub use control::TrainHost;
pub use events::{BatchProgress, EpochMetrics, History, TrainEvent};
pub use grid::{GridSpec, Trial, best_trial};
#[cfg(feature = "engine")]
pub use grid_search::grid_search;
#[cfg(feature = "engine")]
pub use loop_::{Trained, train, train_from};
pub use loss::LossKind;
pub use optimizer::OptimizerKind;
pub use schedule::LrSchedule;
