//! Training as the faces see it: its settings and their checks, pause and stop, the events a
//! run emits and the history they make, grid-search trials. The loop itself is the engine's.

mod config;
mod control;
mod events;
mod grid;
mod loss;
mod optimizer;
mod recipe;
mod rehearsal;
mod resume;
mod schedule;

pub use config::{MAX_BATCH_SIZE, MAX_EPOCHS, TrainConfig, TrainError};

/// What to say when training or a grid search is asked for before any training set is loaded.
pub const NO_TRAINING_SET: &str =
    "Load a training set first: drop train.csv here, or try the sample.";
pub use control::TrainControl;
pub use events::{BatchProgress, EpochMetrics, History, TrainEvent};
pub use grid::{GridSpec, Trial, best_trial};
pub use loss::LossKind;
pub use optimizer::OptimizerKind;
pub use recipe::{Recipe, recipe};
pub use rehearsal::{Rehearsal, rehearsal, validation_batch_size};
pub use resume::resumes_at;
pub use schedule::LrSchedule;
