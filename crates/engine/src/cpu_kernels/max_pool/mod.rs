//! Max pooling without padding, forward and backward, in one pass each on the CPU backend.
//!
//! Flex's `max_pool2d_with_indices` (what Burn's autodiff calls while training) took 6 ms for
//! `default`'s first pooling at batch 64, about ten times a pass over the activations. Here
//! the forward pass keeps only the maxima; the backward pass finds each window's maximum again
//! (the first one, as flex does, so ties go where Burn's go) and adds the gradient there.

mod autodiff;
mod flex;

use burn::backend::tensor::FloatTensor;
use burn::backend::{Backend, Dispatch, backend_extension};
use burn::nn::PaddingConfig2d;
use burn::nn::pool::MaxPool2d;
use burn::prelude::*;
use burn::tensor::DType;

/// Max pooling of `[N, C, H, W]` by `kernel` windows `stride` apart, no padding, no dilation,
/// output sizes rounded down.
#[backend_extension(Flex, Autodiff)]
pub trait MaxPoolKernels: Backend {
    fn max_pool2d_plain(
        x: FloatTensor<Self>,
        kernel: [usize; 2],
        stride: [usize; 2],
    ) -> FloatTensor<Self>;

    /// The gradient of [`max_pool2d_plain`](Self::max_pool2d_plain)'s input: each output's
    /// gradient added where its window's first maximum is.
    fn max_pool2d_plain_backward(
        x: FloatTensor<Self>,
        output_grad: FloatTensor<Self>,
        kernel: [usize; 2],
        stride: [usize; 2],
    ) -> FloatTensor<Self>;
}

/// Whether [`forward`] computes `pool.forward(input)`: on the CPU backend (training or not),
/// `f32`, no padding or dilation, output sizes rounded down, a window that fits the input.
pub fn applies(pool: &MaxPool2d, input: &Tensor<4>) -> bool {
    let [_, _, height, width] = input.dims();
    pool.padding == PaddingConfig2d::Valid
        && pool.dilation == [1, 1]
        && !pool.ceil_mode
        && pool.kernel_size[0] <= height
        && pool.kernel_size[1] <= width
        && input.dtype() == DType::F32
        && input.device() == Device::flex()
}

/// `pool.forward(input)` through [`MaxPoolKernels`] where [`applies`] holds, Burn's own
/// elsewhere.
pub fn forward(pool: &MaxPool2d, input: Tensor<4>) -> Tensor<4> {
    if !applies(pool, &input) {
        return pool.forward(input);
    }
    Tensor::from_dispatch(<Dispatch as MaxPoolKernels>::max_pool2d_plain(
        input.into_dispatch(),
        pool.kernel_size,
        pool.stride,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpu_kernels::flex_tensors::{assert_matches_burn, device_generator};
    use burn::nn::pool::MaxPool2dConfig;
    use burn::tensor::{Distribution, Tolerance};

    fn same_as_burn(kernel: usize, stride: usize, shape: [usize; 4]) {
        let device = Device::flex().autodiff();
        device.seed(3);
        let pool = MaxPool2dConfig::new([kernel, kernel])
            .with_strides([stride, stride])
            .init();
        // Rounded to tenths, so windows hold ties (as ReLU's zeros do) and which maximum gets
        // the gradient shows.
        let input = (Tensor::<4>::random(shape, Distribution::Uniform(-1.0, 1.0), &device) * 10.0)
            .round()
            .clamp_min(0.0)
            .detach()
            .require_grad();
        assert!(applies(&pool, &input));
        let weights = Tensor::<4>::random(
            pool.forward(input.clone()).shape(),
            Distribution::Default,
            &device,
        );
        let run = |ours: bool| {
            let output = if ours {
                forward(&pool, input.clone())
            } else {
                pool.forward(input.clone())
            };
            let grads = (output.clone() * weights.clone()).sum().backward();
            [output.into_data(), input.grad(&grads).unwrap().into_data()]
        };
        let (ours, burns) = (run(true), run(false));
        assert_matches_burn(&["output", "input grad"], &ours, &burns, 1e-6);
    }

    #[test]
    fn matches_burns_max_pool() {
        let _generator = device_generator();
        same_as_burn(2, 2, [2, 3, 8, 8]);
        // Sizes that do not divide, and overlapping windows (the AlexNet preset's 3 by 2).
        same_as_burn(2, 2, [2, 3, 7, 5]);
        same_as_burn(3, 2, [2, 2, 9, 8]);
        same_as_burn(3, 1, [1, 2, 6, 6]);
    }

    #[test]
    fn pools_for_inference_as_burn_does() {
        let _generator = device_generator();
        let device = Device::flex();
        device.seed(4);
        for (kernel, stride, shape) in [(2, 2, [3, 4, 28, 28]), (3, 2, [2, 3, 13, 13])] {
            let pool = MaxPool2dConfig::new([kernel, kernel])
                .with_strides([stride, stride])
                .init();
            let input = Tensor::<4>::random(shape, Distribution::Default, &device);
            assert!(applies(&pool, &input));
            forward(&pool, input.clone())
                .into_data()
                .assert_approx_eq::<f32>(
                    &pool.forward(input).into_data(),
                    Tolerance::rel_abs(1e-6, 1e-6),
                );
        }
    }

    #[test]
    fn pools_for_inference_too_and_leaves_the_rest_to_burn() {
        let _generator = device_generator();
        let image = Tensor::<4>::ones([1, 1, 6, 6], &Device::flex());
        let pool = MaxPool2dConfig::new([2, 2]).init();
        assert!(applies(&pool, &image));
        let padded = MaxPool2dConfig::new([2, 2])
            .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
            .init();
        assert!(!applies(&padded, &image));
        assert!(!applies(
            &MaxPool2dConfig::new([2, 2]).with_ceil_mode(true).init(),
            &image
        ));
        assert!(!applies(&MaxPool2dConfig::new([7, 7]).init(), &image));
        forward(&padded, image.clone())
            .into_data()
            .assert_approx_eq::<f32>(&padded.forward(image).into_data(), Tolerance::default());
    }
}
