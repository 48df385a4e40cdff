//! How good a model is: loss, accuracy, confusion matrix, per-class accuracy; predictions and
//! the predictions CSV.

mod confusion;
#[cfg(feature = "engine")]
mod evaluate;
mod evaluation;
mod predictions;

pub use confusion::ConfusionMatrix;
#[cfg(feature = "engine")]
pub use evaluate::{evaluate, evaluate_in_slices, predict, predict_probabilities};
pub use evaluation::Evaluation;
pub use predictions::{PredictionsLayout, predictions_csv};
