//! The losses on Burn tensors: what [`LossKind`] names, computed.

use atelier_core::data::NUM_CLASSES;
use atelier_core::train::LossKind;
use burn::prelude::*;
use burn::tensor::activation::{log_softmax, softmax};

/// A loss, computed on a batch's logits and labels.
pub trait Loss {
    /// One loss value per image, `[n]`.
    fn per_image(self, logits: Tensor<2>, labels: Tensor<1, Int>) -> Tensor<1>;

    /// The batch's mean loss, `[1]`.
    fn mean(self, logits: Tensor<2>, labels: Tensor<1, Int>) -> Tensor<1>;
}

impl Loss for LossKind {
    fn per_image(self, logits: Tensor<2>, labels: Tensor<1, Int>) -> Tensor<1> {
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

    fn mean(self, logits: Tensor<2>, labels: Tensor<1, Int>) -> Tensor<1> {
        self.per_image(logits, labels).mean()
    }
}
