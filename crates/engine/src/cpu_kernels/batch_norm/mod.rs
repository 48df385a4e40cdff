//! Batch normalisation on the CPU backend: while training, forward and backward, in one pass
//! or two over the activations; in inference, one pass with the running statistics.
//!
//! Burn differentiates `batch_norm_train` as one operation, but flex runs Burn's generic
//! version of it: about ten tensor operations forward and fifteen backward, two of each a
//! transposing copy (channels first) to take per-channel means. In `default`'s first block
//! that made batch-norm cost more than the convolution before it. Here the statistics are one
//! pass per channel, the output one, the gradients two. In inference flex ran Burn's generic
//! `batch_norm`, four broadcast passes on the calling thread (a sixth of `default`'s
//! prediction time); here it is one, spread over the threads.
//!
//! Like [`conv`](super::conv) it is a Burn backend extension: the kernels for flex in
//! `flex.rs`, the autodiff operation in `autodiff.rs`. Every other backend runs Burn's own
//! `batch_norm_train` through the trait's default methods.

mod autodiff;
mod flex;

use burn::backend::tensor::FloatTensor;
use burn::backend::{Backend, Dispatch, backend_extension};
use burn::nn::BatchNorm;
use burn::prelude::*;
use burn::tensor::DType;

/// Batch-norm's training pass as a backend operation. Both methods default to Burn's own.
#[backend_extension(Flex, Autodiff)]
pub trait BatchNormKernels: Backend {
    /// `(output, mean, variance)`: `x [N, C, ...]` normalised with its own per-channel mean
    /// and biased variance (both `[C]`), scaled by `gamma` and shifted by `beta`.
    fn batch_norm_train_fused(
        x: FloatTensor<Self>,
        gamma: FloatTensor<Self>,
        beta: FloatTensor<Self>,
        epsilon: f64,
    ) -> (FloatTensor<Self>, FloatTensor<Self>, FloatTensor<Self>) {
        let result = Self::batch_norm_train(x, gamma, beta, epsilon);
        (result.output, result.mean, result.variance)
    }

    /// `(x_grad, gamma_grad, beta_grad)` of
    /// [`batch_norm_train_fused`](Self::batch_norm_train_fused), given the statistics it
    /// returned and its output's gradient.
    fn batch_norm_train_fused_backward(
        x: FloatTensor<Self>,
        gamma: FloatTensor<Self>,
        mean: FloatTensor<Self>,
        variance: FloatTensor<Self>,
        epsilon: f64,
        output_grad: FloatTensor<Self>,
    ) -> (FloatTensor<Self>, FloatTensor<Self>, FloatTensor<Self>) {
        let grads = Self::batch_norm_train_backward(x, gamma, mean, variance, epsilon, output_grad);
        (grads.x_grad, grads.gamma_grad, grads.beta_grad)
    }

    /// `x [N, C, ...]` normalised with the given per-channel `mean` and `variance` (the running
    /// statistics, in inference), scaled by `gamma` and shifted by `beta`.
    fn batch_norm_inference(
        x: FloatTensor<Self>,
        gamma: FloatTensor<Self>,
        beta: FloatTensor<Self>,
        mean: FloatTensor<Self>,
        variance: FloatTensor<Self>,
        epsilon: f64,
    ) -> FloatTensor<Self> {
        Self::batch_norm(x, gamma, beta, mean, variance, epsilon)
    }
}

/// Whether [`forward`] computes `norm.forward(input)`: a layer in training, on the CPU backend,
/// `f32` activations.
pub fn applies<const D: usize>(norm: &BatchNorm, input: &Tensor<D>) -> bool {
    input.device().is_autodiff()
        && norm.training.is_enabled()
        && input.dtype() == DType::F32
        && input.device() == Device::flex()
}

/// Whether [`forward`] computes `norm.forward(input)` in inference: on the plain CPU device
/// (where Burn's `BatchNorm` uses the running statistics), `f32` activations.
pub fn applies_in_inference<const D: usize>(input: &Tensor<D>) -> bool {
    !input.device().is_autodiff() && input.dtype() == DType::F32 && input.device() == Device::flex()
}

/// `norm.forward(input)` through [`BatchNormKernels`] where [`applies`] or
/// [`applies_in_inference`] holds, Burn's own elsewhere. While training, updates the running
/// statistics exactly as Burn's `BatchNorm` does.
pub fn forward<const D: usize>(norm: &BatchNorm, input: Tensor<D>) -> Tensor<D> {
    if applies_in_inference(&input) {
        let device = input.device();
        return Tensor::from_dispatch(<Dispatch as BatchNormKernels>::batch_norm_inference(
            input.into_dispatch(),
            norm.gamma.val().into_dispatch(),
            norm.beta.val().into_dispatch(),
            norm.running_mean.value().to_device(&device).into_dispatch(),
            norm.running_var.value().to_device(&device).into_dispatch(),
            norm.epsilon,
        ));
    }
    if !applies(norm, &input) {
        return norm.forward(input);
    }
    let (output, mean, variance) = <Dispatch as BatchNormKernels>::batch_norm_train_fused(
        input.into_dispatch(),
        norm.gamma.val().into_dispatch(),
        norm.beta.val().into_dispatch(),
        norm.epsilon,
    );
    let (mean, variance) = (
        Tensor::<1>::from_dispatch(mean),
        Tensor::<1>::from_dispatch(variance),
    );
    let device = mean.device();
    let blend = |running: Tensor<1>, batch: Tensor<1>| {
        running
            .to_device(&device)
            .mul_scalar(1.0 - norm.momentum)
            .add(batch.detach().mul_scalar(norm.momentum))
            .detach()
    };
    // sync read: CPU backend only (`applies` holds for the flex device alone), where the
    // lazily initialised statistics are there to take.
    norm.running_mean
        .update(blend(norm.running_mean.value_sync(), mean));
    // sync read: CPU backend only, as above.
    norm.running_var
        .update(blend(norm.running_var.value_sync(), variance));
    Tensor::from_dispatch(output)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpu_kernels::flex_tensors::{assert_matches_burn, device_generator};
    use burn::module::{Param, RunningState};
    use burn::nn::BatchNormConfig;
    use burn::tensor::{Distribution, Tolerance};

    /// Output, running statistics and gradients (input, gamma, beta) of a fresh batch-norm
    /// with `gamma` and `beta` on `input`, through [`forward`] or Burn's own; `weights` make
    /// the loss's gradient differ everywhere.
    fn run<const D: usize>(
        [gamma, beta]: &[Tensor<1>; 2],
        input: &Tensor<D>,
        weights: &Tensor<D>,
        ours: bool,
    ) -> Vec<TensorData> {
        let norm = BatchNorm {
            gamma: Param::from_tensor(gamma.clone()),
            beta: Param::from_tensor(beta.clone()),
            ..BatchNormConfig::new(gamma.dims()[0]).init(&input.device())
        };
        assert!(applies(&norm, input));
        let output = if ours {
            forward(&norm, input.clone())
        } else {
            norm.forward(input.clone())
        };
        let grads = (output.clone() * output.clone() * weights.clone())
            .sum()
            .backward();
        vec![
            output.into_data(),
            norm.running_mean.value_sync().into_data(),
            norm.running_var.value_sync().into_data(),
            input.grad(&grads).unwrap().into_data(),
            norm.gamma.grad(&grads).unwrap().into_data(),
            norm.beta.grad(&grads).unwrap().into_data(),
        ]
    }

    fn same_as_burn<const D: usize>(shape: [usize; D]) {
        let device = Device::flex().autodiff();
        device.seed(5);
        let channels = shape[1];
        // Trained-looking parameters, so gamma and beta matter.
        let parameters = [
            Tensor::random([channels], Distribution::Uniform(0.5, 2.0), &device),
            Tensor::random([channels], Distribution::Default, &device),
        ];
        let input = (Tensor::<D>::random(shape, Distribution::Default, &device) * 3.0 + 1.0)
            .detach()
            .require_grad();
        let weights = Tensor::<D>::random(shape, Distribution::Default, &device);
        let ours = run(&parameters, &input, &weights, true);
        let burns = run(&parameters, &input, &weights, false);
        let names = [
            "output",
            "running mean",
            "running variance",
            "input grad",
            "gamma grad",
            "beta grad",
        ];
        assert_matches_burn(&names, &ours, &burns, 1e-4);
    }

    #[test]
    fn matches_burns_batch_norm_on_images() {
        let _generator = device_generator();
        same_as_burn([4, 3, 5, 7]);
    }

    #[test]
    fn matches_burns_batch_norm_on_features() {
        let _generator = device_generator();
        same_as_burn([6, 5]);
    }

    /// A layer with trained-looking parameters and running statistics, in inference on the
    /// plain CPU device: through [`forward`] and through Burn's own.
    fn infers_as_burn<const D: usize>(shape: [usize; D]) {
        let device = Device::flex();
        device.seed(6);
        let channels = shape[1];
        let per_channel =
            |low, high| Tensor::<1>::random([channels], Distribution::Uniform(low, high), &device);
        let norm = BatchNorm {
            gamma: Param::from_tensor(per_channel(0.5, 2.0)),
            beta: Param::from_tensor(per_channel(-1.0, 1.0)),
            running_mean: RunningState::new(per_channel(-1.0, 1.0)),
            running_var: RunningState::new(per_channel(0.2, 3.0)),
            ..BatchNormConfig::new(channels).init(&device)
        };
        let input = Tensor::<D>::random(shape, Distribution::Default, &device) * 3.0 + 1.0;
        assert!(applies_in_inference(&input));
        forward(&norm, input.clone())
            .into_data()
            .assert_approx_eq::<f32>(
                &norm.forward(input).into_data(),
                Tolerance::rel_abs(1e-5, 1e-5),
            );
    }

    #[test]
    fn infers_with_the_running_statistics_as_burn_does() {
        let _generator = device_generator();
        infers_as_burn([4, 3, 5, 7]);
        infers_as_burn([6, 5]);
    }

    #[test]
    fn leaves_a_frozen_layer_on_the_training_device_to_burn() {
        let _generator = device_generator();
        let device = Device::flex().autodiff();
        let norm = BatchNormConfig::new(2).init(&device);
        let image = Tensor::<4>::ones([1, 2, 3, 3], &device);
        assert!(applies(&norm, &image) && !applies_in_inference(&image));
        assert!(applies_in_inference(&image.clone().inner()));
    }
}
