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
                let targets = one_hot(labels, n);
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

/// `labels` as one-hot rows `[n, 10]`, by comparing them with the class numbers on the device.
/// Not Burn's `one_hot`: it reads the labels back to check their range, a synchronous read that
/// panics in a browser on WebGPU. The labels are checked when the data is read.
fn one_hot(labels: Tensor<1, Int>, n: usize) -> Tensor<2> {
    let classes = Tensor::<1, Int>::arange(0..NUM_CLASSES as i64, &labels.device())
        .reshape([1, NUM_CLASSES])
        .repeat_dim(0, n);
    labels
        .reshape([n, 1])
        .repeat_dim(1, NUM_CLASSES)
        .equal(classes)
        .float()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_hot_rows_match_burns_own() {
        let device = Device::flex();
        let labels = Tensor::<1, Int>::from_ints([3, 0, 9, 3, 7], &device);
        let ours = one_hot(labels.clone(), 5).into_data();
        let burns = labels.one_hot::<2>(NUM_CLASSES).float().into_data();
        assert_eq!(ours, burns);
    }
}
