use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// What training minimises.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LossKind {
    /// Softmax cross-entropy on the logits.
    #[default]
    CrossEntropy,
    /// Mean squared error between softmax probabilities and one-hot targets: the notebook's
    /// quadratic cost (Keras's `mean_squared_error` after a softmax output).
    Mse,
}

impl fmt::Display for LossKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LossKind::CrossEntropy => "cross-entropy",
            LossKind::Mse => "mse",
        })
    }
}

impl FromStr for LossKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "cross-entropy" | "crossentropy" | "categorical_crossentropy" => Ok(Self::CrossEntropy),
            "mse" | "mean_squared_error" => Ok(Self::Mse),
            other => Err(format!(
                "unknown loss {other:?}: choose cross-entropy or mse"
            )),
        }
    }
}
