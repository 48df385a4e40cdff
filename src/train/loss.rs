use std::fmt;
use std::str::FromStr;

#[cfg(feature = "engine")]
use burn::prelude::*;
#[cfg(feature = "engine")]
use burn::tensor::activation::{log_softmax, softmax};
use serde::{Deserialize, Serialize};

#[cfg(feature = "engine")]
use crate::data::NUM_CLASSES;

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

#[cfg(feature = "engine")]
impl LossKind {
    /// One loss value per image, `[n]`.
    pub fn per_image(self, logits: Tensor<2>, labels: Tensor<1, Int>) -> Tensor<1> {
        let [n, _] = logits.dims();
        match self {
            LossKind::CrossEntropy => log_softmax(logits, 1)
                .gather(1, labels.reshape([n, 1]))
                .reshape([n])
                .neg(),
            LossKind::Mse => {
                let targets = labels.one_hot::<2>(NUM_CLASSES).float();
                (softmax(logits, 1) - targets)
                    .powi_scalar(2)
                    .mean_dim(1)
                    .reshape([n])
            }
        }
    }

    /// The batch's mean loss, `[1]`.
    pub fn mean(self, logits: Tensor<2>, labels: Tensor<1, Int>) -> Tensor<1> {
        self.per_image(logits, labels).mean()
    }
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
