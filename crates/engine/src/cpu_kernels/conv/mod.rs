//! A convolution's forward pass and both gradients as matrix products over each image unrolled
//! (im2col), for training and inference on the CPU backend.
//!
//! Flex runs a convolution's forward pass as tiled im2col + gemm on the calling thread (in
//! validation and prediction the other threads waited), and Burn's generic weight gradient
//! behind it is a convolution whose kernel is the whole output image, re-laying out its
//! tensors, and flex's input gradient (a transposed convolution) ran `default`'s 64 -> 128
//! layer on one thread. Here, per image `n` (one task each on rayon's threads, the unrolled
//! image `[C*k*k, H*W]` in cache):
//!
//! - forward: `weight [F, C*k*k] x unrolled(x[n])`, written straight into the output;
//! - weight gradient: `Σ output_grad[n] [F, H*W] x unrolled(x[n])ᵀ`, a few images per task,
//!   the tasks' sums added in a fixed order (the same result on any number of threads);
//! - input gradient: `weightᵀ x output_grad[n]`, the unrolling reversed (col2im).
//!
//! `cargo run --release --example kernel_probe` times each layer against Burn's (BENCHMARKS.md,
//! "CPU kernels"). The flex implementation is in `flex.rs`, the gradients in `autodiff.rs`.
//! [`applies`] keeps it to what it computes exactly; everything else, and every other backend,
//! stays on Burn's own convolution.

mod autodiff;
mod flex;

use burn::backend::tensor::FloatTensor;
use burn::backend::{Backend, Dispatch, backend_extension};
use burn::nn::PaddingConfig2d;
use burn::nn::conv::Conv2d;
use burn::prelude::*;
use burn::tensor::DType;
use burn::tensor::activation::relu;

use super::bias_relu;
use burn::tensor::ops::ConvOptions;

/// Zero padding around an image: `[top, left, bottom, right]`.
pub type Padding = [usize; 4];

/// The convolution as a backend operation. Stride 1, no dilation, one group, no bias (added
/// outside, where autodiff's own broadcast add gives its gradient).
#[backend_extension(Flex, Autodiff)]
pub trait GemmConvBackend: Backend {
    /// `x [N, C, H, W]` convolved by `weight [F, C, kh, kw]` with zero `padding`:
    /// `[N, F, H + top + bottom + 1 - kh, W + left + right + 1 - kw]`.
    fn gemm_conv2d(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        padding: Padding,
    ) -> FloatTensor<Self>;

    /// The gradient of [`gemm_conv2d`](Self::gemm_conv2d)'s weight, `[F, C, kh, kw]`, given
    /// its input and its output's gradient. By default the textbook identity (the weight
    /// gradient is a convolution of the input, batch and channel axes swapped, by the output
    /// gradient as the kernel), which keeps it differentiable on autodiff; flex replaces it
    /// with one product over the input unrolled again as the forward pass unrolls it.
    fn gemm_conv2d_weight_grad(
        x: FloatTensor<Self>,
        output_grad: FloatTensor<Self>,
        padding: Padding,
    ) -> FloatTensor<Self> {
        let x = Self::float_swap_dims(x, 0, 1);
        let kernel = Self::float_swap_dims(output_grad, 0, 1);
        let grad = Self::gemm_conv2d(x, kernel, padding);
        Self::float_swap_dims(grad, 0, 1)
    }

    /// The gradient of [`gemm_conv2d`](Self::gemm_conv2d)'s input `x`, given its weight and
    /// its output's gradient (`x` for its shape). By default the backend's own (a transposed
    /// convolution); flex replaces it with one product per image and the unrolling reversed.
    fn gemm_conv2d_input_grad(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        output_grad: FloatTensor<Self>,
        padding: Padding,
    ) -> FloatTensor<Self> {
        let [top, left, bottom, right] = padding;
        let options =
            ConvOptions::new_with_padding([1, 1], [(top, bottom), (left, right)], [1, 1], 1);
        Self::conv2d_x_backward(x, weight, output_grad, options)
    }
}

/// Whether [`forward`] computes `conv`'s output for `input`: while training (the weight tracks
/// its gradient) or in inference on the plain device, on the CPU backend, in `f32`, stride 1,
/// no dilation or groups, padding given in numbers (as [`Network`](crate::Network)
/// builds it).
pub fn applies(conv: &Conv2d, input: &Tensor<4>) -> bool {
    padding_if_applies(conv, input).is_some()
}

/// `conv.forward(input)`, through [`GemmConvBackend`] where [`applies`] holds and Burn's own
/// convolution elsewhere.
pub fn forward(conv: &Conv2d, input: Tensor<4>) -> Tensor<4> {
    let Some(padding) = padding_if_applies(conv, &input) else {
        return conv.forward(input);
    };
    let output = without_bias(conv, input, padding);
    match &conv.bias {
        Some(bias) => output + bias.val().reshape([1, -1, 1, 1]),
        None => output,
    }
}

/// `relu(conv.forward(input))`: as [`forward`], the bias and ReLU as one operation on the
/// CPU backend ([`bias_relu`](super::bias_relu)).
pub fn forward_relu(conv: &Conv2d, input: Tensor<4>) -> Tensor<4> {
    let Some(padding) = padding_if_applies(conv, &input) else {
        return relu(conv.forward(input));
    };
    let output = without_bias(conv, input, padding);
    match &conv.bias {
        Some(bias) => bias_relu::forward(output, bias.val()),
        None => relu(output),
    }
}

/// The convolution through [`GemmConvBackend`], its bias left to the caller.
fn without_bias(conv: &Conv2d, input: Tensor<4>, padding: Padding) -> Tensor<4> {
    Tensor::from_dispatch(<Dispatch as GemmConvBackend>::gemm_conv2d(
        input.into_dispatch(),
        conv.weight.val().into_dispatch(),
        padding,
    ))
}

/// The padding [`GemmConvBackend::gemm_conv2d`] needs, where [`applies`] holds.
fn padding_if_applies(conv: &Conv2d, input: &Tensor<4>) -> Option<Padding> {
    if input.device() != Device::flex() {
        return None;
    }
    kernel_padding(conv, input)
}

/// The padding a convolution kernel of ours needs, on whichever backend, where `conv` is a
/// layer they compute (the GPU's in [`gpu_kernels`](crate::gpu_kernels) too): while training
/// with the weight tracked, or in inference on the plain device; `f32`, stride 1, no dilation
/// or groups, padding given in numbers.
pub fn kernel_padding(conv: &Conv2d, input: &Tensor<4>) -> Option<Padding> {
    let padding = padding(conv)?;
    // Training with the weight tracked, or inference on the plain device: a frozen layer on
    // the training device stays with Burn, whose autodiff knows what not to differentiate.
    let tracked_or_inference = conv.weight.val().is_require_grad() || !input.device().is_autodiff();
    let computed = tracked_or_inference
        && conv.stride == [1, 1]
        && conv.dilation == [1, 1]
        && conv.groups == 1
        && input.dtype() == DType::F32;
    computed.then_some(padding)
}

/// `[top, left, bottom, right]`, unless Burn works the padding out at each call (`Same`).
fn padding(conv: &Conv2d) -> Option<Padding> {
    match conv.padding {
        PaddingConfig2d::Valid => Some([0; 4]),
        PaddingConfig2d::Explicit(top, left, bottom, right) => Some([top, left, bottom, right]),
        PaddingConfig2d::Same => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpu_kernels::flex_tensors::{assert_matches_burn, device_generator};
    use burn::nn::conv::Conv2dConfig;
    use burn::tensor::{Distribution, Tolerance};

    fn same_as_burn([channels, filters]: [usize; 2], kernel: [usize; 2], padding: PaddingConfig2d) {
        let device = Device::flex().autodiff();
        device.seed(7);
        let conv = Conv2dConfig::new([channels, filters], kernel)
            .with_padding(padding)
            .init(&device);
        // Five images: flex sums weight gradients four images at a time, then the sums.
        let images = Tensor::<4>::random([5, channels, 11, 9], Distribution::Default, &device)
            .require_grad();
        assert!(applies(&conv, &images));

        // A loss whose gradient differs at every output position.
        let weights = Tensor::<4>::random(
            conv.forward(images.clone()).shape(),
            Distribution::Default,
            &device,
        );
        let mut results = Vec::new();
        for ours in [true, false] {
            let output = if ours {
                forward(&conv, images.clone())
            } else {
                conv.forward(images.clone())
            };
            let grads = (output.clone() * output.clone() * weights.clone())
                .sum()
                .backward();
            results.push([
                output.into_data(),
                images.grad(&grads).unwrap().into_data(),
                conv.weight.grad(&grads).unwrap().into_data(),
                conv.bias
                    .as_ref()
                    .unwrap()
                    .grad(&grads)
                    .unwrap()
                    .into_data(),
            ]);
        }
        let [ours, burns] = [&results[0], &results[1]];
        let names = ["output", "input grad", "weight grad", "bias grad"];
        assert_matches_burn(&names, ours, burns, 1e-4);
    }

    #[test]
    fn matches_burns_convolution_with_even_padding() {
        let _generator = device_generator();
        same_as_burn([3, 5], [3, 3], PaddingConfig2d::Explicit(1, 1, 1, 1));
    }

    #[test]
    fn matches_burns_convolution_with_uneven_padding_and_kernel() {
        let _generator = device_generator();
        // Keras's "same" for an even kernel pads one more after than before.
        same_as_burn([2, 4], [4, 4], PaddingConfig2d::Explicit(1, 1, 2, 2));
        same_as_burn([2, 3], [2, 3], PaddingConfig2d::Explicit(0, 1, 1, 1));
    }

    #[test]
    fn matches_burns_convolution_with_padding_wider_than_the_kernel() {
        let _generator = device_generator();
        same_as_burn([2, 3], [3, 2], PaddingConfig2d::Explicit(3, 0, 1, 2));
    }

    #[test]
    fn matches_burns_convolution_without_padding() {
        let _generator = device_generator();
        same_as_burn([4, 6], [5, 5], PaddingConfig2d::Valid);
        same_as_burn([1, 6], [3, 3], PaddingConfig2d::Valid);
    }

    #[test]
    fn flex_weight_gradient_matches_the_generic_identity() {
        let _generator = device_generator();
        // Flex's one product against the trait's default (what autodiff would differentiate).
        let padding = [1, 0, 2, 1];
        let flex = Device::flex();
        flex.seed(3);
        let x = Tensor::<4>::random([6, 3, 7, 6], Distribution::Default, &flex);
        let grad = Tensor::<4>::random([6, 4, 8, 5], Distribution::Default, &flex);
        let weight_grad = |x: Tensor<4>, grad: Tensor<4>| {
            Tensor::<4>::from_dispatch(<Dispatch as GemmConvBackend>::gemm_conv2d_weight_grad(
                x.into_dispatch(),
                grad.into_dispatch(),
                padding,
            ))
            .into_data()
        };
        let direct = weight_grad(x.clone(), grad.clone());
        let training = flex.autodiff();
        let generic = weight_grad(x.to_device(&training), grad.to_device(&training));
        assert_eq!(direct.shape().to_vec(), [4, 3, 3, 3]);
        direct.assert_approx_eq::<f32>(&generic, Tolerance::rel_abs(1e-4, 1e-4));
    }

    #[test]
    fn infers_as_burns_convolution_does() {
        let _generator = device_generator();
        let device = Device::flex();
        device.seed(3);
        for (kernel, padding) in [
            (3, PaddingConfig2d::Explicit(1, 1, 1, 1)),
            (5, PaddingConfig2d::Valid),
        ] {
            let conv = Conv2dConfig::new([3, 6], [kernel, kernel])
                .with_padding(padding)
                .init(&device);
            let images = Tensor::<4>::random([5, 3, 11, 9], Distribution::Default, &device);
            assert!(applies(&conv, &images));
            let burns = relu(conv.forward(images.clone())).into_data();
            forward_relu(&conv, images.clone())
                .into_data()
                .assert_approx_eq::<f32>(&burns, Tolerance::rel_abs(1e-4, 1e-4));
        }
    }

    #[test]
    fn leaves_the_rest_to_burn() {
        let _generator = device_generator();
        let device = Device::flex().autodiff();
        let image = Tensor::<4>::zeros([1, 2, 8, 8], &device);
        let conv = |config: Conv2dConfig| config.init(&device);
        let plain = Conv2dConfig::new([2, 4], [3, 3]);
        assert!(applies(&conv(plain.clone()), &image));
        assert!(!applies(&conv(plain.clone().with_stride([2, 2])), &image));
        assert!(!applies(&conv(plain.clone().with_dilation([2, 2])), &image));
        let same = conv(plain.clone().with_padding(PaddingConfig2d::Same));
        assert!(!applies(&same, &image));
        // Inference on the plain CPU device; a frozen layer on the training device is Burn's.
        assert!(applies(
            &conv(plain.clone()).valid(),
            &image.clone().inner()
        ));
        assert!(!applies(&conv(plain.clone()).no_grad(), &image));
        // Called anyway, it is Burn's convolution.
        forward(&same, image.clone())
            .into_data()
            .assert_approx_eq::<f32>(&same.forward(image).into_data(), Tolerance::default());
    }
}
