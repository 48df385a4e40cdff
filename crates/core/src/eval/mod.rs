//! How good a model is, as records: loss, accuracy, confusion matrix, per-class accuracy; and
//! the predictions CSV. Computing them on a network is the engine's (`atelier_engine::evaluate`).

mod confusion;
mod evaluation;
mod mistakes;
mod predictions;

pub use confusion::ConfusionMatrix;
pub use evaluation::Evaluation;
pub use mistakes::{MISTAKES_IN_ALL, MISTAKES_PER_CELL, Mistake, choose_mistakes};
pub use predictions::{PredictionsLayout, predictions_csv};
