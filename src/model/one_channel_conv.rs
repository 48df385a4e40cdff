//! A convolution of one-channel images written as one matrix product, for training on the CPU
//! backend.
//!
//! Every preset starts with a 3x3 convolution of the one-channel image. Flex trains that layer
//! far slower than its arithmetic needs: Burn's generic weight gradient is a convolution whose
//! kernel is the whole output image. With one input channel the `k * k` shifted copies of the
//! (padded) image, stacked, turn the layer into a single `[filters, k*k] x [k*k, height*width]`
//! product per image, and autodiff's matmul backward gives the weight gradient as a product too:
//! forward and backward together 1.6-7x faster at batches 32 to 256 (`cargo run --release
//! --example conv_probe`, figures in BENCHMARKS.md). Without gradients (evaluation, prediction,
//! the drawing pad) flex's own forward pass wins at large batches, so it stays there, and on
//! wgpu Burn's own kernels stay.

use burn::nn::PaddingConfig2d;
use burn::nn::conv::Conv2d;
use burn::prelude::*;
use burn::tensor::ops::PadMode;

/// Whether [`forward`] computes `conv`'s output for `input`: while training (the weight
/// tracks its gradient), on the CPU backend, one input channel, stride 1, no dilation or groups,
/// padding given in numbers (as [`Network`](super::Network) builds it).
pub fn applies(conv: &Conv2d, input: &Tensor<4>) -> bool {
    let [_, channels, _, _] = input.dims();
    channels == 1
        && conv.weight.val().is_require_grad()
        && padding(conv).is_some()
        && conv.stride == [1, 1]
        && conv.dilation == [1, 1]
        && conv.groups == 1
        && input.device() == Device::flex()
}

/// `conv.forward(input)`, computed as one matrix product. Call where [`applies`] holds; with
/// padding Burn works out per call (`Same`) this is Burn's own `conv.forward`.
pub fn forward(conv: &Conv2d, input: Tensor<4>) -> Tensor<4> {
    let Some((top, left, bottom, right)) = padding(conv) else {
        return conv.forward(input);
    };
    let [n, _, _, _] = input.dims();
    let [filters, _, kernel_h, kernel_w] = conv.weight.dims();
    let padded = if top + left + bottom + right == 0 {
        input
    } else {
        input.pad([(top, bottom), (left, right)], PadMode::Constant(0.0))
    };
    let [_, _, height_padded, width_padded] = padded.dims();
    let (height, width) = (height_padded + 1 - kernel_h, width_padded + 1 - kernel_w);

    // Row `dy * kernel_w + dx` of an image's columns is the image shifted by (dy, dx): the
    // same order as the weight's `[filters, 1, kernel_h, kernel_w]` flattened.
    let shifted = (0..kernel_h)
        .flat_map(|dy| (0..kernel_w).map(move |dx| (dy, dx)))
        .map(|(dy, dx)| {
            padded
                .clone()
                .slice([0..n, 0..1, dy..dy + height, dx..dx + width])
        })
        .collect();
    let columns = Tensor::cat(shifted, 1).reshape([n, kernel_h * kernel_w, height * width]);
    let weight = conv.weight.val().reshape([1, filters, kernel_h * kernel_w]);
    let mut output = weight.matmul(columns);
    if let Some(bias) = &conv.bias {
        output = output + bias.val().reshape([1, filters, 1]);
    }
    output.reshape([n, filters, height, width])
}

/// `(top, left, bottom, right)`, unless Burn works the padding out at each call (`Same`).
fn padding(conv: &Conv2d) -> Option<(usize, usize, usize, usize)> {
    match conv.padding {
        PaddingConfig2d::Valid => Some((0, 0, 0, 0)),
        PaddingConfig2d::Explicit(top, left, bottom, right) => Some((top, left, bottom, right)),
        PaddingConfig2d::Same => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::nn::conv::Conv2dConfig;
    use burn::tensor::{Distribution, Tolerance};

    fn same_as_burn(padding: PaddingConfig2d, kernel: usize) {
        let device = Device::flex().autodiff();
        device.seed(7);
        let conv = Conv2dConfig::new([1, 6], [kernel, kernel])
            .with_padding(padding)
            .init(&device);
        let images = Tensor::<4>::random([3, 1, 11, 9], Distribution::Default, &device);
        assert!(applies(&conv, &images));

        let ours = forward(&conv, images.clone());
        let burns = conv.forward(images);
        ours.to_data()
            .assert_approx_eq::<f32>(&burns.to_data(), Tolerance::default());

        // Same gradients for the weight and bias, through the same loss.
        let grads = |y: Tensor<4>| {
            let g = (y.clone() * y).sum().backward();
            let weight = conv.weight.grad(&g).unwrap().into_data();
            let bias = conv.bias.as_ref().unwrap().grad(&g).unwrap().into_data();
            (weight, bias)
        };
        let images = Tensor::<4>::random([3, 1, 11, 9], Distribution::Default, &device);
        let (our_weight, our_bias) = grads(forward(&conv, images.clone()));
        let (burn_weight, burn_bias) = grads(conv.forward(images));
        our_weight.assert_approx_eq::<f32>(&burn_weight, Tolerance::default());
        our_bias.assert_approx_eq::<f32>(&burn_bias, Tolerance::default());
    }

    #[test]
    fn matches_burns_convolution_without_padding() {
        same_as_burn(PaddingConfig2d::Valid, 3);
    }

    #[test]
    fn matches_burns_convolution_with_uneven_padding() {
        // Keras's "same" for an even kernel pads one more after than before.
        same_as_burn(PaddingConfig2d::Explicit(0, 1, 1, 2), 4);
    }

    #[test]
    fn leaves_inference_wider_inputs_and_strides_to_burn() {
        let device = Device::flex().autodiff();
        let conv = Conv2dConfig::new([1, 4], [3, 3]).init(&device);
        let strided = Conv2dConfig::new([1, 4], [3, 3])
            .with_stride([2, 2])
            .init(&device);
        let two_channels = Conv2dConfig::new([2, 4], [3, 3]).init(&device);
        let same = Conv2dConfig::new([1, 4], [3, 3])
            .with_padding(PaddingConfig2d::Same)
            .init(&device);
        let image = Tensor::<4>::zeros([1, 1, 8, 8], &device);
        assert!(applies(&conv, &image));
        assert!(!applies(&strided, &image));
        assert!(!applies(&same, &image));
        // Called anyway, it is Burn's convolution, not a silently unpadded one.
        forward(&same, image.clone())
            .to_data()
            .assert_approx_eq::<f32>(&same.forward(image.clone()).to_data(), Tolerance::default());
        // Evaluation: the same layer without gradients, or one made for inference.
        let image = Tensor::<4>::zeros([1, 1, 8, 8], &Device::flex());
        assert!(!applies(&conv.valid(), &image));
        let for_inference = Conv2dConfig::new([1, 4], [3, 3]).init(&Device::flex());
        assert!(!applies(&for_inference, &image));
        assert!(!applies(
            &two_channels,
            &Tensor::zeros([1, 2, 8, 8], &device)
        ));
    }
}
