//! How good a model is: loss, accuracy, confusion matrix, per-class accuracy; predictions and
//! the predictions CSV.

mod confusion;
mod evaluate;
mod predictions;

pub use confusion::ConfusionMatrix;
pub use evaluate::{Evaluation, evaluate, evaluate_in_slices, predict, predict_probabilities};
pub use predictions::{PredictionsLayout, predictions_csv};
