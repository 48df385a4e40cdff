//! A layer's bias and ReLU as one operation over the activations, for training and inference
//! on the CPU backend: `relu(x + bias)`, the bias one value per channel.
//!
//! Flex runs the bias add, the ReLU and their gradients (the ReLU's mask and the bias's
//! per-channel sum) as four separate passes over the activations, each on the calling thread
//! while rayon's threads wait: in `default` about a twentieth of a training step. Here it is
//! one pass forward and two backward, spread over the threads.
//!
//! Like [`conv`](super::conv) it is a Burn backend extension: the kernels for flex in
//! `flex.rs`, the autodiff operation in `autodiff.rs`. Every other backend, and every other
//! dtype, runs Burn's own bias add and ReLU.

mod autodiff;
mod flex;

use burn::backend::tensor::FloatTensor;
use burn::backend::{Backend, Dispatch, TensorMetadata, backend_extension};
use burn::prelude::*;
use burn::tensor::DType;
use burn::tensor::activation::relu;

/// The bias add and ReLU as backend operations. Both default to Burn's own.
#[backend_extension(Flex, Autodiff)]
pub trait BiasReluKernels: Backend {
    /// `relu(x + bias)`: `x [N, C, ...]`, `bias [C]` added to every value of channel `c`.
    fn bias_relu(x: FloatTensor<Self>, bias: FloatTensor<Self>) -> FloatTensor<Self> {
        let [channels] = bias.shape().dims();
        let mut dims = vec![1; x.shape().num_dims()];
        dims[1] = channels;
        let bias = Self::float_reshape(bias, dims.into());
        Self::relu(Self::float_add(x, bias))
    }

    /// `(x_grad, bias_grad)` of [`bias_relu`](Self::bias_relu), given its output and its
    /// output's gradient.
    fn bias_relu_backward(
        output: FloatTensor<Self>,
        output_grad: FloatTensor<Self>,
    ) -> (FloatTensor<Self>, FloatTensor<Self>) {
        let x_grad = Self::relu_backward(output, output_grad);
        let shape = x_grad.shape();
        // Sum over every axis but the channels', keeping them, then drop the ones.
        let bias_grad = (0..shape.num_dims())
            .filter(|&axis| axis != 1)
            .fold(x_grad.clone(), |sum, axis| Self::float_sum_dim(sum, axis));
        let bias_grad = Self::float_reshape(bias_grad, [shape[1]].into());
        (x_grad, bias_grad)
    }
}

/// Whether [`forward`] runs on the kernels here: the CPU backend, training or not, `f32`.
pub fn applies<const D: usize>(input: &Tensor<D>) -> bool {
    input.dtype() == DType::F32 && input.device() == Device::flex()
}

/// `relu(input + bias)`, `bias [C]` broadcast over `input [N, C, ...]`: through
/// [`BiasReluKernels`] where [`applies`] holds, Burn's bias add and ReLU elsewhere.
pub fn forward<const D: usize>(input: Tensor<D>, bias: Tensor<1>) -> Tensor<D> {
    if !applies(&input) {
        let mut dims = [1; D];
        dims[1] = bias.dims()[0];
        return relu(input + bias.reshape(dims));
    }
    Tensor::from_dispatch(<Dispatch as BiasReluKernels>::bias_relu(
        input.into_dispatch(),
        bias.into_dispatch(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpu_kernels::flex_tensors::{assert_matches_burn, device_generator};
    use burn::tensor::{Distribution, Tolerance};

    /// Output and gradients (input, bias) of `relu(input + bias)` through [`forward`] or
    /// Burn's own ops; `weights` make the loss's gradient differ everywhere.
    fn run<const D: usize>(
        input: &Tensor<D>,
        bias: &Tensor<1>,
        weights: &Tensor<D>,
        ours: bool,
    ) -> [TensorData; 3] {
        let output = if ours {
            assert!(applies(input));
            forward(input.clone(), bias.clone())
        } else {
            let mut dims = [1; D];
            dims[1] = bias.dims()[0];
            relu(input.clone() + bias.clone().reshape(dims))
        };
        let grads = (output.clone() * weights.clone()).sum().backward();
        [
            output.into_data(),
            input.grad(&grads).unwrap().into_data(),
            bias.grad(&grads).unwrap().into_data(),
        ]
    }

    fn same_as_burn<const D: usize>(shape: [usize; D]) {
        let device = Device::flex().autodiff();
        device.seed(11);
        // About half the values below zero after the bias, so the mask matters.
        let uniform = Distribution::Uniform(-1.0, 1.0);
        let input = Tensor::<D>::random(shape, uniform, &device).require_grad();
        let bias = Tensor::<1>::random([shape[1]], uniform, &device).require_grad();
        let weights = Tensor::<D>::random(shape, Distribution::Default, &device);
        let ours = run(&input, &bias, &weights, true);
        let burns = run(&input, &bias, &weights, false);
        assert_matches_burn(&["output", "input grad", "bias grad"], &ours, &burns, 1e-5);
    }

    #[test]
    fn matches_burns_bias_and_relu_on_images() {
        let _generator = device_generator();
        same_as_burn([5, 3, 7, 6]);
    }

    #[test]
    fn matches_burns_bias_and_relu_on_features() {
        let _generator = device_generator();
        same_as_burn([6, 4]);
    }

    #[test]
    fn keeps_nan_as_burns_relu_does() {
        let device = Device::flex().autodiff();
        let input = Tensor::<2>::from_floats([[f32::NAN, -1.0], [2.0, 0.5]], &device);
        let bias = Tensor::<1>::from_floats([0.0, 0.25], &device);
        let output: Vec<f32> = forward(input, bias).into_data().iter::<f32>().collect();
        assert!(output[0].is_nan());
        assert_eq!(&output[1..], [0.0, 2.0, 0.75]);
    }

    #[test]
    fn infers_as_burns_bias_and_relu_do() {
        let _generator = device_generator();
        let device = Device::flex();
        device.seed(12);
        let uniform = Distribution::Uniform(-1.0, 1.0);
        let input = Tensor::<4>::random([3, 4, 5, 6], uniform, &device);
        let bias = Tensor::<1>::random([4], uniform, &device);
        assert!(applies(&input));
        let burns = relu(input.clone() + bias.clone().reshape([1, 4, 1, 1])).into_data();
        forward(input, bias)
            .into_data()
            .assert_approx_eq::<f32>(&burns, Tolerance::rel_abs(1e-6, 1e-6));
    }
}
